/**
 * A worker as a real process on the harness's queue, for tests that kill it (SIGKILL) and start
 * another. One place for what such a worker needs, so a new requirement (the payload key ring
 * once) reaches every such test at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { TEST_PAYLOAD_KEYS } from './env';
import type { Harness } from './harness';

/** Resolves once the worker logged its start; rejects if it exits first. */
export function spawnWorkerProcess(h: Pick<Harness, 'config' | 'taskQueue'>, env: Record<string, string | undefined> = {}): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../../src/worker/main.ts')], {
    env: {
      ...process.env,
      DATABASE_URL: h.config.DATABASE_URL,
      TEMPORAL_ADDRESS: h.config.TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: h.taskQueue,
      TEMPORAL_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS, // the harness's client encrypts: the worker must decrypt
      WORKFLOW_BUNDLE_PATH: process.env.MDW_TEST_WORKFLOW_BUNDLE,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise<ChildProcess>((resolve, reject) => {
    proc.stdout!.on('data', (b: Buffer) => b.toString().includes('worker started') && resolve(proc));
    proc.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
  });
}
