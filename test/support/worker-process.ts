/**
 * A worker as a real process on the harness's queue, for tests that kill it (SIGKILL) and start
 * another. One place for what such a worker needs, so a new requirement (the payload key ring
 * once) reaches every such test at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { TEST_PAYLOAD_KEYS } from './env';
import type { Harness } from './harness';

/**
 * Resolves once the worker logged its start; rejects if it exits first.
 * @param script - the entry point; default `npm run worker`'s (a test's own starts the worker with hooks).
 * @param onOutput - receives everything the process writes (stdout and stderr), from its first byte.
 */
export function spawnWorkerProcess(
  h: Pick<Harness, 'config' | 'taskQueue'>,
  env: Record<string, string | undefined> = {},
  script = path.resolve(__dirname, '../../src/worker/main.ts'),
  onOutput?: (text: string) => void,
): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', script], {
    env: {
      ...process.env,
      DATABASE_URL: h.config.DATABASE_URL,
      TEMPORAL_ADDRESS: h.config.TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: h.taskQueue,
      TEMPORAL_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS, // the harness's client encrypts: the worker must decrypt
      WORKFLOW_BUNDLE_PATH: process.env.MDW_TEST_WORKFLOW_BUNDLE,
      CASE_SWEEP_MIN_AGE_MS: String(h.config.CASE_SWEEP_MIN_AGE_MS), // its start-up sweep leaves other files' starting cases alone
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Both pipes are always read to the end: a child whose stderr pipe fills (64 KB of warnings nobody
  // reads) blocks in its next write, a worker that silently stops working. The tail is kept for the
  // error when it exits early.
  let tail = '';
  for (const s of [proc.stdout!, proc.stderr!]) {
    s.on('data', (b: Buffer) => {
      const text = b.toString();
      tail = (tail + text).slice(-4_000);
      onOutput?.(text);
    });
  }
  return new Promise<ChildProcess>((resolve, reject) => {
    proc.stdout!.on('data', (b: Buffer) => b.toString().includes('worker started') && resolve(proc));
    proc.once('exit', (code) => reject(new Error(`worker exited early (${code}); its last output:\n${tail}`)));
  });
}
