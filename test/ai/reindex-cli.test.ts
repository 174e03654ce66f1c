/**
 * `mdw ai reindex` follows its workflow, not only the model's row: a reindex that ends without
 * switching (terminated from the Temporal UI, failed) ends the command with exit 1 and what to do,
 * where it used to poll a 'building' row forever. No worker polls this file's task queue, so the
 * reindex never starts work and the shared database's models are left as they were.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createHarness, type Harness } from '../support/harness';
import { setupAndTeardown } from '../support/lifecycle';
import { TEST_PAYLOAD_KEYS } from '../support/env';
import { waitFor } from '../support/wait';
import { activeModel } from '../../src/repositories/embeddings.repository';
import { embeddingReindexWorkflowId } from '../../src/workflows/embedding.workflow';

let h: Harness;
setupAndTeardown(async () => {
  h = await createHarness({ worker: false });
}, [() => h?.close()]);

test('a reindex whose workflow is terminated ends the command with exit 1 and says how to resume', async () => {
  const before = await activeModel(h.database.system);
  const model = before?.model === 'local/all-minilm-l6-v2-q' ? 'local/bge-small-en-v1.5-q' : 'local/all-minilm-l6-v2-q';
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../../src/cli/main.ts'), 'ai', 'reindex', '--model', model], {
    env: { ...process.env, DATABASE_URL: h.config.DATABASE_URL, TEMPORAL_ADDRESS: h.config.TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE: h.taskQueue, TEMPORAL_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    await waitFor(async () => out, (o) => o.includes('started'), 60_000, 'the reindex to start');
    await h.client.workflow.getHandle(embeddingReindexWorkflowId(h.taskQueue)).terminate('operator stopped it');
    const code = await Promise.race([exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 30_000))]);
    expect({ code, err: err.trim() }).toEqual({
      code: 1,
      err: expect.stringMatching(new RegExp(`^mdw: the reindex workflow ${embeddingReindexWorkflowId(h.taskQueue)} ended \\(terminated\\) before ${model} was switched to: .*run the same command again to resume`)),
    });
    expect((await activeModel(h.database.system))?.model).toBe(before?.model);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}, 120_000);
