/**
 * The codec endpoint of the Temporal UI (issue 12 §4): Temporal's codec server protocol, lab
 * admins only, CORS for the UI's origin, and it decodes what the real server stored.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { failureConverter } from '../../src/temporal/failure-converter';
import { payloadCodec } from '../../src/temporal/data-converter';
import { createPracticeFixture, createUser } from '../support/fixtures';
import { as, setupApi, tokenFor, type ApiEnv, type Caller } from './support';
import { setupAndTeardown } from '../support/lifecycle';

let env: ApiEnv;
let admin: Caller;
let member: Caller;
setupAndTeardown(async () => {
  env = await setupApi();
  admin = as(env.app, await tokenFor(env.h.config, await createUser(env.h.database.system, 'lab-admin', 'admin')));
  const f = await createPracticeFixture(env.h.database.system);
  member = as(env.app, await tokenFor(env.h.config, f.members.owner));
}, [() => env?.close()]);

const b64 = (s: string) => Buffer.from(s).toString('base64');
const clearPayload = (v: unknown) => {
  const p = defaultPayloadConverter.toPayload(v);
  return { metadata: Object.fromEntries(Object.entries(p.metadata!).map(([k, x]) => [k, Buffer.from(x!).toString('base64')])), data: Buffer.from(p.data!).toString('base64') };
};
const valueOf = (p: { metadata: Record<string, string>; data: string }) =>
  defaultPayloadConverter.fromPayload({ metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, x]) => [k, Buffer.from(x, 'base64')])), data: Buffer.from(p.data, 'base64') });

test('decodes what the Temporal server stored: the start input of a real workflow, read raw', async () => {
  const input = { note: `Patient Ann Example, allergy to latex ${randomUUID()}` };
  const handle = await env.h.client.workflow.start('caseWorkflow', { taskQueue: `nobody-${randomUUID()}`, workflowId: `codec-ui-${randomUUID()}`, args: [input] });
  try {
    const plain = new Client({ connection: env.h.client.connection, namespace: env.h.config.TEMPORAL_NAMESPACE });
    const raw = (await plain.workflow.getHandle(handle.workflowId).fetchHistory()).events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    // What the UI sends: the stored payload in protobuf JSON.
    const stored = { metadata: Object.fromEntries(Object.entries(raw.metadata!).map(([k, x]) => [k, Buffer.from(x).toString('base64')])), data: Buffer.from(raw.data!).toString('base64') };
    expect(Buffer.from(stored.data, 'base64').toString()).not.toContain('Ann Example');

    const res = await admin.post('/codec/decode', { payloads: [stored, clearPayload('already clear')] }, { headers: { 'X-Namespace': env.h.config.TEMPORAL_NAMESPACE } });
    expect(res.status).toBe(200);
    expect(res.body.payloads.map(valueOf)).toEqual([input, 'already clear']);
  } finally {
    await handle.terminate('test done');
  }
});

test('encode then decode round-trips; encode output carries no clear text', async () => {
  const enc = await admin.post('/codec/encode', { payloads: [clearPayload({ reason: 'Mrs. Doe moved to Ohio' }), clearPayload(7)] });
  expect(enc.status).toBe(200);
  expect(enc.body.payloads).toHaveLength(2);
  expect(Buffer.from(enc.body.payloads[0].metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
  expect(JSON.stringify(enc.body)).not.toContain(b64('Mrs. Doe').slice(0, 8));
  const dec = await admin.post('/codec/decode', enc.body);
  expect(dec.status).toBe(200);
  expect(dec.body.payloads.map(valueOf)).toEqual([{ reason: 'Mrs. Doe moved to Ohio' }, 7]);
});

test('only lab admins: no token 401, a practice owner 403', async () => {
  const body = { payloads: [clearPayload(1)] };
  expect((await request(env.app).post('/codec/decode').send(body)).status).toBe(401);
  const res = await member.post('/codec/decode', body);
  expect(res.status).toBe(403);
  expect(res.body.error.code).toBe('forbidden');
  expect((await member.post('/codec/encode', body)).status).toBe(403);
});

test('bad input: an altered payload answers 422 naming it, malformed base64 400 naming the field', async () => {
  const enc = await admin.post('/codec/encode', { payloads: [clearPayload('a'), clearPayload('b')] });
  const altered = { ...enc.body.payloads[1], data: Buffer.from(Buffer.from(enc.body.payloads[1].data, 'base64').map((x: number, i: number) => (i === 20 ? x ^ 1 : x))).toString('base64') };
  const res = await admin.post('/codec/decode', { payloads: [enc.body.payloads[0], altered] });
  expect(res.status).toBe(422);
  expect(res.body.error).toMatchObject({ code: 'payload_undecryptable', details: [expect.objectContaining({ field: 'payloads.1' })] });
  const bad = await admin.post('/codec/decode', { payloads: [{ data: 'not base64!' }] });
  expect(bad.status).toBe(400);
  expect(bad.body.error.details).toEqual([expect.objectContaining({ field: 'payloads.0.data' })]);
});

test("CORS: the Temporal UI's origin may call with its token; other origins get no CORS grant", async () => {
  const pre = await request(env.app)
    .options('/codec/decode')
    .set('Origin', 'http://localhost:8233')
    .set('Access-Control-Request-Method', 'POST')
    .set('Access-Control-Request-Headers', 'authorization,content-type,x-namespace');
  expect(pre.status).toBe(204);
  expect(pre.headers['access-control-allow-origin']).toBe('http://localhost:8233');
  expect(pre.headers['access-control-allow-headers']).toMatch(/Authorization/);
  expect(pre.headers['access-control-allow-credentials']).toBe('true');
  const other = await request(env.app).options('/codec/decode').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST');
  expect(other.headers['access-control-allow-origin']).toBeUndefined();
});

test('decodes a failure\'s encrypted message and stack trace (what the UI shows as "Encoded failure")', async () => {
  // As the worker and clients write failures: message and stack in encodedAttributes, then encrypted.
  const failure = failureConverter.errorToFailure(new Error(`Mrs. Doe's aligner cracked ${randomUUID()}`), defaultPayloadConverter);
  expect(failure.message).toBe('Encoded failure');
  const [stored] = await payloadCodec(env.h.config)!.encode([failure.encodedAttributes as Payload]);
  const json = { metadata: Object.fromEntries(Object.entries(stored!.metadata!).map(([k, x]) => [k, Buffer.from(x!).toString('base64')])), data: Buffer.from(stored!.data!).toString('base64') };
  expect(Buffer.from(json.data, 'base64').toString()).not.toContain('Mrs. Doe');
  const res = await admin.post('/codec/decode', { payloads: [json] });
  expect(res.status).toBe(200);
  const [attrs] = res.body.payloads.map(valueOf);
  expect(attrs).toEqual({ message: expect.stringMatching(/^Mrs\. Doe's aligner cracked/), stack_trace: expect.stringContaining('Error:') });
});
