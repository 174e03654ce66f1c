/**
 * The worker's own output names no patient: an activity whose error quotes a patient's name and
 * email (an SMTP server or a lab machine echoing its input) fails twice in a real worker process,
 * and nothing that process writes (stdout and stderr: the SDK's "Activity failed" lines, the
 * activity's own log line, Core's forwarded lines) carries the name or the email, while the error's
 * fingerprint, which an operator can match, is there beside the workflow id.
 * LOG_ERROR_DETAIL=clear brings the text back, so the test can fail.
 */
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createHarness, type Harness } from './support/harness';
import { createPracticeFixture, createTemplate, type PracticeFixture } from './support/fixtures';
import { spawnWorkerProcess } from './support/worker-process';
import { TEST_PAYLOAD_KEYS } from './support/env';
import { phiError } from './support/phi-worker';
import { createErrorRedactor } from '../src/telemetry/log-redaction';
import { payloadCodec } from '../src/temporal/data-converter';
import { waitFor } from './support/wait';
import { setupAndTeardown } from './support/lifecycle';

const NAME = `Zelda Quinterra-${randomUUID().slice(0, 6)}`;
const EMAIL = `zelda.${randomUUID().slice(0, 6)}@patients.test`;
let h: Harness;
let f: PracticeFixture;
let templateId: string;

setupAndTeardown(async () => {
  h = await createHarness({ worker: false });
  f = await createPracticeFixture(h.database.system, 'Worker logs');
  templateId = await createTemplate(h.database.system, {
    name: `Worker logs ${randomUUID()}`,
    caseType: 'follow_up',
    tasks: [{ key: 'make', name: 'Print retainer', order: 1, functionType: 'manufacture', autoTransition: true }],
  });
}, [() => h?.close()]);

/** Runs `fn` against a fresh worker process whose hook fails twice; returns all the process wrote. */
async function withWorker<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<{ output: string; result: T }> {
  let output = '';
  const proc = await spawnWorkerProcess(
    h,
    { LOG_LEVEL: 'warn', WORKER_SHUTDOWN_GRACE_MS: '2000', MDW_TEST_PHI_NAME: NAME, MDW_TEST_PHI_EMAIL: EMAIL, ...env },
    path.resolve(__dirname, 'support/phi-worker.ts'),
    (text) => (output += text),
  );
  const exited = once(proc, 'exit');
  try {
    const result = await fn();
    proc.kill('SIGTERM');
    await exited;
    return { output, result };
  } finally {
    if (proc.exitCode === null) proc.kill('SIGKILL');
  }
}

/** One case whose manufacture hook fails twice before it succeeds. */
async function runCase(env: Record<string, string> = {}): Promise<{ output: string; workflowId: string }> {
  const { output, result } = await withWorker(env, async () => {
    const started = await h.cases.startCase({ practiceId: f.practiceId, patientId: f.patientId, createdBy: f.members.doctor, title: 'Retainer', caseType: 'follow_up', templateId });
    const view = (await h.client.workflow.getHandle(started.workflowId).result()) as { state: string };
    expect(view.state).toBe('completed'); // failed twice, retried, done
    return started.workflowId;
  });
  return { output, workflowId: result };
}

test("a failing activity's error text (a patient's name and email) never reaches the worker's output; its fingerprint does", async () => {
  const { output, workflowId } = await runCase();
  expect(output).not.toContain(NAME);
  expect(output).not.toContain('Zelda');
  expect(output).not.toContain(EMAIL);
  expect(output).not.toContain('mailbox of');

  // The fingerprint an operator computes with the deployment's key for the failure they decoded via /codec.
  const expected = createErrorRedactor({ payloadKeys: TEST_PAYLOAD_KEYS }).fingerprint(phiError(NAME, EMAIL)).fingerprint;
  expect(expected).toMatch(/^Error#[0-9a-f]{10}$/);
  const failures = output.split('Activity failed').slice(1);
  expect(failures).toHaveLength(2); // one WARN per failed attempt
  for (const after of failures) {
    const entry = after.slice(0, after.indexOf('\n20') > 0 ? after.indexOf('\n20') : undefined); // up to the next timestamped line
    expect(entry).toContain(expected);
    expect(entry).toContain('EENVELOPE');
    expect(entry).toContain(workflowId);
  }
  // The activity's own log line carries the same fingerprint.
  expect(output).toContain('lab machine refused the job');
  expect(output.split(expected).length - 1).toBeGreaterThanOrEqual(4);
});

test('LOG_ERROR_DETAIL=clear prints the text again (for local debugging)', async () => {
  const { output } = await runCase({ LOG_ERROR_DETAIL: 'clear' });
  expect(output).toContain(EMAIL);
  expect(output).toContain(NAME);
});

test("a workflow task failure whose error quotes its input (a payload that is not JSON) leaves no trace of it in the worker's output; Core's line arrives through the same logger", async () => {
  const codec = payloadCodec(h.config)!;
  const workflowId = `worker-logs-${randomUUID()}`;
  const { output } = await withWorker({}, async () => {
    // What a corrupted or foreign payload looks like: JSON's SyntaxError quotes its first characters.
    const [payload] = await codec.encode([{ metadata: { encoding: new TextEncoder().encode('json/plain') }, data: new TextEncoder().encode(`${NAME} <${EMAIL}>`) }]);
    await h.client.workflowService.startWorkflowExecution({
      namespace: h.config.TEMPORAL_NAMESPACE,
      workflowId,
      workflowType: { name: 'caseWorkflow' },
      taskQueue: { name: h.taskQueue },
      input: { payloads: [payload!] },
      requestId: randomUUID(),
    });
    const handle = h.client.workflow.getHandle(workflowId);
    await waitFor(
      async () => (await handle.fetchHistory()).events ?? [],
      (events) => events.some((e) => e.workflowTaskFailedEventAttributes),
      60_000,
      'a failed workflow task',
    );
    await handle.terminate('test done');
  });
  // Core's WARN, forwarded: its run id stays readable, its failure does not.
  const line = output.slice(output.indexOf('Failing workflow task'));
  expect(output).toContain('Failing workflow task');
  const entry = line.slice(0, line.indexOf('\n}') + 2); // Core's fields come in any order
  expect(entry).toMatch(/runId: '[0-9a-f-]{36}'/);
  expect(entry).toMatch(/failure: \{ fingerprint: 'text#[0-9a-f]{10}' \}/);
  expect(output).not.toContain('Zelda');
  expect(output).not.toContain(EMAIL);
});
