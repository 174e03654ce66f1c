/**
 * Encrypted workflow payloads (issue 12 §4) against the real Temporal server: what the server
 * stores is read back raw, through a client without the codec, and must hold no clear text.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import proto, { type temporal } from '@temporalio/proto';
import { clearAlignerTemplate } from '../../src/seed/templates';
import { ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../src/temporal/codec';
import { caseViewQuery } from '../../src/workflows/case.messages';
import { createHarness, type Harness } from '../support/harness';
import { createPracticeFixture, createTemplate } from '../support/fixtures';
import { as, caseDriver, recordHistory } from '../support/case-driver';
import { TEST_PAYLOAD_KEYS } from '../support/env';
import { decodeFailure, failuresOf } from '../support/failures';
import { waitFor } from '../support/wait';
import { setupAndTeardown } from '../support/lifecycle';

type History = temporal.api.history.v1.IHistory;
type RawPayload = temporal.api.common.v1.IPayload;

let h: Harness;
let plain: Client;
let templateId: string;

setupAndTeardown(async () => {
  h = await createHarness();
  // Exactly what someone with access to Temporal but without the keys sees.
  plain = new Client({ connection: await Connection.connect({ address: h.config.TEMPORAL_ADDRESS }), namespace: h.config.TEMPORAL_NAMESPACE });
  templateId = await createTemplate(h.database.system, clearAlignerTemplate());
}, [() => plain?.connection.close(), () => h?.close()]);

/**
 * Every Payload object anywhere in a history (inputs, results, update args, memo, markers …)
 * except search attributes, which stay clear by design (the server indexes them), and the SDK
 * core's own marker bookkeeping (patch ids; a local activity's sequence number, type and times),
 * which carries no data of ours. expectNoClearText below still scans those too.
 */
function payloadsOf(node: unknown, out: RawPayload[] = [], where = ''): RawPayload[] {
  if (!node || typeof node !== 'object' || node instanceof Uint8Array) return out;
  const o = node as Record<string, unknown>;
  if ('data' in o && o.metadata && typeof o.metadata === 'object' && 'encoding' in (o.metadata as object)) {
    if (!/searchAttributes|markerRecordedEventAttributes\.details\.(data|patch-data)\./.test(where)) out.push(o as RawPayload);
    return out;
  }
  for (const [k, v] of Object.entries(o)) payloadsOf(v, out, `${where}.${k}`);
  return out;
}
const utf8 = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('utf8');

/** The history JSON as stored, and the clear text never found in it (also not base64-encoded). */
function expectNoClearText(history: History, secrets: string[]): void {
  const json = historyToJSON(history as never);
  for (const s of secrets) {
    expect(json).not.toContain(s);
    expect(json).not.toContain(Buffer.from(s).toString('base64').slice(0, 16));
  }
}

test('a case run end to end leaves only ciphertext in Temporal: inputs, results, update arguments', async () => {
  const d = caseDriver(h);
  const f = await createPracticeFixture(h.database.system);
  const reason = `Patient Jane Roe asked for a softer plastic ${randomUUID()}`;
  const { handle } = await d.startCase(f, templateId);
  await d.decide(handle, 'Records review', as(f, 'technician'), 'approve', reason);
  await d.decide(handle, 'Treatment plan design', as(f, 'technician'));
  await d.decide(handle, 'Doctor approval', as(f, 'doctor'));
  await d.completeExternal(handle, 'Aligner printing', as(f, 'technician'));
  await d.decide(handle, 'Final inspection', as(f, 'technician'));
  await d.completeExternal(handle, 'Shipping', as(f, 'technician'));
  await d.completeExternal(handle, 'Delivery confirmation', as(f, 'assistant'));
  const result = await handle.result();
  // With the keys, everything reads as before (the decision reason is in the case's view).
  expect(result).toBeTruthy();
  expect(JSON.stringify(await handle.query(caseViewQuery))).toContain(reason);

  const raw = await plain.workflow.getHandle(handle.workflowId).fetchHistory();
  const payloads = payloadsOf(raw);
  // Inputs, activity inputs/results, update arguments and results, the workflow result.
  expect(payloads.length).toBeGreaterThan(20);
  for (const p of payloads) {
    expect(utf8(p.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(utf8(p.metadata![KEY_ID_METADATA])).toBe('test-1');
  }
  const types = new Set((raw.events ?? []).map((e) => e.eventType));
  expect(types).toContain(proto.temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED);
  expectNoClearText(raw, [reason, 'Jane Roe', f.patientId, 'Records review']);
  // Without the keys a query's answer cannot be read either.
  await expect(plain.workflow.getHandle(handle.workflowId).query(caseViewQuery)).rejects.toThrow(/encoding|binary\/encrypted/i);

  await recordHistory(handle, 'encrypted/full-case');
});

test('memo and start input are encrypted by the client before they reach the server', async () => {
  const memo = { note: `Call Mr. Smith after 5 pm ${randomUUID()}` };
  const handle = await h.client.workflow.start('caseWorkflow', {
    // No worker polls this queue: only what the client wrote is looked at.
    taskQueue: `nobody-${randomUUID()}`,
    workflowId: `codec-memo-${randomUUID()}`,
    args: [{ freeText: 'Patient prefers Tuesday mornings' }],
    memo,
  });
  try {
    expect((await handle.describe()).memo).toEqual(memo);
    const raw = await plain.workflow.getHandle(handle.workflowId).fetchHistory();
    const started = raw.events![0]!.workflowExecutionStartedEventAttributes!;
    expect(utf8(started.input!.payloads![0]!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(utf8(started.memo!.fields!.note!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expectNoClearText(raw, ['Mr. Smith', 'Tuesday mornings']);
    await expect(plain.workflow.getHandle(handle.workflowId).describe()).rejects.toThrow(/encoding|binary\/encrypted/i);
  } finally {
    await handle.terminate('test done');
  }
});

test('key rotation: a case started under the old key continues on a worker whose ring puts a new key in front', async () => {
  // The old era: harness h (worker and client with test-1 only).
  const d = caseDriver(h);
  const f = await createPracticeFixture(h.database.system);
  const { handle } = await d.startCase(f, templateId);
  await d.decide(handle, 'Records review', as(f, 'technician'), 'approve', 'old key era');
  await h.worker!.stop();
  h.worker = null;

  // The new era on the same task queue: a fresh worker (it replays the old payloads from scratch)
  // and clients with test-2 current and test-1 still in the ring.
  const newKeys = `test-2:${randomBytes(32).toString('base64')},${TEST_PAYLOAD_KEYS}`;
  const rotated = await createHarness({ config: { TEMPORAL_PAYLOAD_KEYS: newKeys, TEMPORAL_TASK_QUEUE: h.taskQueue } });
  try {
    const h2 = rotated.client.workflow.getHandle(handle.workflowId) as typeof handle;
    await caseDriver(rotated).decide(h2, 'Treatment plan design', as(f, 'technician'), 'approve', 'new key era');
    const seen = JSON.stringify(await h2.query(caseViewQuery));
    expect(seen).toContain('old key era');
    expect(seen).toContain('new key era');
    const ids = new Set(payloadsOf(await plain.workflow.getHandle(handle.workflowId).fetchHistory()).map((p) => utf8(p.metadata![KEY_ID_METADATA])));
    expect([...ids].sort()).toEqual(['test-1', 'test-2']);
    // A process still on the old ring cannot read what the new key wrote: add keys everywhere first.
    await expect(handle.query(caseViewQuery)).rejects.toThrow(/test-2/);
    await h2.terminate('test done');
  } finally {
    await rotated.close();
    await h.startWorker();
  }
});

test("a failing activity's message and stack trace are ciphertext in the history; clients with the keys read them", async () => {
  const secret = `Printer refused Jane Roe's retainer ${randomUUID()}`;
  // An integration's hook failing with free text that names a patient (non-retryable: recorded at once).
  const failing = await createHarness({ hooks: { manufacture: async () => Promise.reject(ApplicationFailure.nonRetryable(secret, 'PrinterRefused')) } });
  try {
    const f = await createPracticeFixture(failing.database.system);
    const tpl = await createTemplate(failing.database.system, {
      name: `Failing print ${randomUUID()}`,
      caseType: 'follow_up',
      tasks: [{ key: 'make', name: 'Print retainer', order: 1, functionType: 'manufacture', autoTransition: true }],
    });
    const started = await failing.cases.startCase({ practiceId: f.practiceId, patientId: f.patientId, createdBy: f.members.doctor, title: 'Retainer', caseType: 'follow_up', templateId: tpl });
    const rawHandle = plain.workflow.getHandle(started.workflowId);
    const failedEvent = await waitFor(
      async () => (await rawHandle.fetchHistory()).events?.find((e) => e.activityTaskFailedEventAttributes),
      (e) => e !== undefined,
      60_000,
      'the activity failure in the history',
    );
    const raw = await rawHandle.fetchHistory();
    const failure = failedEvent!.activityTaskFailedEventAttributes!.failure!;
    // Clear: only the placeholder and the failure's type.
    expect(failure.message).toBe('Encoded failure');
    expect(failure.stackTrace ?? '').toBe('');
    expect(failure.applicationFailureInfo?.type).toBe('PrinterRefused');
    expect(utf8(failure.encodedAttributes!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expectNoClearText(raw, [secret, 'Jane Roe', 'Printer refused']);
    for (const x of failuresOf(raw)) expect(x.message).toBe('Encoded failure');
    // With the keys: message and stack as thrown.
    const decoded = await decodeFailure(failing.config, failure);
    expect(decoded.message).toBe(secret);
    expect(decoded.stack_trace).toMatch(/ApplicationFailure|at /);
    await failing.client.workflow.getHandle(started.workflowId).terminate('test done');
  } finally {
    await failing.close();
  }
}, 120_000);
