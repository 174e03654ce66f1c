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

const NAME = `Zelda Quinterra-${randomUUID().slice(0, 6)}`;
const EMAIL = `zelda.${randomUUID().slice(0, 6)}@patients.test`;
let h: Harness;
let f: PracticeFixture;
let templateId: string;

beforeAll(async () => {
  h = await createHarness({ worker: false });
  f = await createPracticeFixture(h.database.system, 'Worker logs');
  templateId = await createTemplate(h.database.system, {
    name: `Worker logs ${randomUUID()}`,
    caseType: 'follow_up',
    tasks: [{ key: 'make', name: 'Print retainer', order: 1, functionType: 'manufacture', autoTransition: true }],
  });
});
afterAll(() => h.close());

/** Runs one case through a fresh worker process whose hook fails twice; returns all it wrote. */
async function runCase(env: Record<string, string> = {}): Promise<{ output: string; workflowId: string }> {
  let output = '';
  const proc = await spawnWorkerProcess(
    h,
    { LOG_LEVEL: 'warn', WORKER_SHUTDOWN_GRACE_MS: '2000', MDW_TEST_PHI_NAME: NAME, MDW_TEST_PHI_EMAIL: EMAIL, ...env },
    path.resolve(__dirname, 'support/phi-worker.ts'),
    (text) => (output += text),
  );
  const exited = once(proc, 'exit');
  try {
    const started = await h.cases.startCase({ practiceId: f.practiceId, patientId: f.patientId, createdBy: f.members.doctor, title: 'Retainer', caseType: 'follow_up', templateId });
    const result = (await h.client.workflow.getHandle(started.workflowId).result()) as { state: string };
    expect(result.state).toBe('completed'); // failed twice, retried, done
    proc.kill('SIGTERM');
    await exited;
    return { output, workflowId: started.workflowId };
  } finally {
    if (proc.exitCode === null) proc.kill('SIGKILL');
  }
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
