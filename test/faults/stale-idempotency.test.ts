/**
 * A decision whose request died after the workflow applied it (process killed, database gone
 * before the answer was stored) left its Idempotency-Key claimed forever: every retry answered
 * 409 idempotency_in_progress and the client never learnt the outcome. A stale claim is now
 * taken over by the retry, which re-runs the Workflow Update under the same id: Temporal answers
 * with the first outcome, and the decision is applied once.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { createPracticeFixture } from '../support/fixtures';
import { waitFor } from '../support/wait';
import { as, setupApi, tokenFor, type ApiEnv, type Caller } from '../api/support';
import { setupAndTeardown } from '../support/lifecycle';

const TTL_MS = 1000;
let env: ApiEnv;
setupAndTeardown(async () => {
  env = await setupApi({ config: { IDEMPOTENCY_CLAIM_TTL_MS: String(TTL_MS) } });
}, [() => env?.close()]);

async function awaitingTask(c: Caller, caseId: string, name: string): Promise<string> {
  const res = await waitFor(
    () => c.get(`/cases/${caseId}`),
    (r) => r.status === 200 && r.body.workflow?.tasks.some((t: { name: string; awaitingDecision: boolean }) => t.name === name && t.awaitingDecision),
    20_000,
    `"${name}" to await a decision`,
  );
  return res.body.workflow.tasks.find((t: { name: string }) => t.name === name).id;
}

/** Puts the key back into the state a request leaves when it dies between claim and completion. */
const unfinish = (key: string) => sql`update idempotency_keys set status_code = null, response = null where key = ${key}`.execute(env.h.database.system);

test('a decision applied by a request that died: the retry with its key gets the outcome, applied once', async () => {
  const f = await createPracticeFixture(env.h.database.system);
  const doctor = as(env.app, await tokenFor(env.h.config, f.members.doctor));
  const technician = as(env.app, await tokenFor(env.h.config, f.members.technician));
  const created = await doctor.post('/cases', { practiceId: f.practiceId, patientId: f.patientId, title: 'Aligners', caseType: 'active_treatment', templateId: env.templateId });
  expect(created.status).toBe(201);
  const caseId = created.body.id as string;
  const task = await awaitingTask(technician, caseId, 'Records review');

  const key = randomUUID();
  const url = `/cases/${caseId}/tasks/${task}/decision`;
  const first = await technician.post(url, { decision: 'approve' }, { headers: { 'Idempotency-Key': key } });
  expect(first.status).toBe(200);
  // The workflow applied it, but the answer never reached the key (the request died).
  await unfinish(key);
  await sleep(TTL_MS + 200);

  const retry = await technician.post(url, { decision: 'approve' }, { headers: { 'Idempotency-Key': key } });
  expect(retry.status).toBe(200);
  expect(retry.body).toEqual(first.body);
  const detail = await technician.get(`/cases/${caseId}`);
  expect(detail.body.workflow.decisions.filter((d: { taskId: string }) => d.taskId === task)).toHaveLength(1);
  // The key is completed now: the next retry is answered from storage.
  const stored = await env.h.database.system.selectFrom('idempotency_keys').select('status_code').where('key', '=', key).executeTakeFirstOrThrow();
  expect(stored.status_code).toBe(200);
  expect((await technician.post(url, { decision: 'approve' }, { headers: { 'Idempotency-Key': key } })).body).toEqual(first.body);
});

test('a claim still within its time answers 409 with Retry-After; a different request with the key stays 422', async () => {
  const f = await createPracticeFixture(env.h.database.system);
  const doctor = as(env.app, await tokenFor(env.h.config, f.members.doctor));
  const technician = as(env.app, await tokenFor(env.h.config, f.members.technician));
  const created = await doctor.post('/cases', { practiceId: f.practiceId, patientId: f.patientId, title: 'Aligners', caseType: 'active_treatment', templateId: env.templateId });
  const caseId = created.body.id as string;
  const task = await awaitingTask(technician, caseId, 'Records review');
  const key = randomUUID();
  const url = `/cases/${caseId}/tasks/${task}/decision`;
  const first = await technician.post(url, { decision: 'approve' }, { headers: { 'Idempotency-Key': key } });
  expect(first.status).toBe(200);

  // Claimed just now, as by a request still running.
  await sql`update idempotency_keys set status_code = null, response = null, claimed_at = now() where key = ${key}`.execute(env.h.database.system);
  const busy = await technician.post(url, { decision: 'approve' }, { headers: { 'Idempotency-Key': key } });
  expect(busy.status).toBe(409);
  expect(busy.body.error.code).toBe('idempotency_in_progress');
  expect(Number(busy.headers['retry-after'])).toBe(1);
  // A stale claim is never taken over by a different request.
  await sleep(TTL_MS + 200);
  const other = await technician.post(url, { decision: 'reject', reason: 'no' }, { headers: { 'Idempotency-Key': key } });
  expect(other.status).toBe(422);
  expect(other.body.error.code).toBe('idempotency_key_reused');
  const retry = await technician.post(url, { decision: 'approve' }, { headers: { 'Idempotency-Key': key } });
  expect(retry.status).toBe(200);
  expect(retry.body).toEqual(first.body);
});
