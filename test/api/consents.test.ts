/**
 * Patient consent through the API (issue 12 §3, owned by the AI layer because the embedding
 * pipeline honours it): append-only versions per kind, who may record, bad input named by field
 * with nothing written, and an AI-processing withdrawal deleting the patient's embeddings and
 * queued texts in the same request. The pipeline's side (no new embeddings, embedded again on a
 * new grant) runs with the real worker and model in test/ai/search.test.ts.
 */
import { sql } from 'kysely';
import { createPracticeFixture, type PracticeFixture } from '../support/fixtures';
import { as, setupApi, tokenFor, type ApiEnv, type Caller } from './support';
import { setupAndTeardown } from '../support/lifecycle';

let env: ApiEnv;
setupAndTeardown(async () => {
  env = await setupApi();
}, [() => env?.close()]);

type Role = keyof PracticeFixture['members'];
async function practice() {
  const f = await createPracticeFixture(env.h.database.system);
  const callers = {} as Record<Role, Caller>;
  for (const role of Object.keys(f.members) as Role[]) callers[role] = as(env.app, await tokenFor(env.h.config, f.members[role]));
  return { f, ...callers };
}
const db = () => env.h.database.system;
const consentCount = async (patientId: string) =>
  (await sql<{ n: number }>`select count(*)::int as n from patient_consents where patient_id = ${patientId}::uuid`.execute(db())).rows[0]!.n;

test('each change is a new version with who and when; GET gives the version in force per kind and the whole history', async () => {
  const p = await practice();
  const url = `/patients/${p.f.patientId}/consents`;
  const empty = await p.assistant.get(url);
  expect(empty.status).toBe(200);
  expect(empty.body.history).toEqual([]);
  expect(empty.body.aiProcessingAllowed).toBe(true);
  expect(empty.body.current.map((c: { kind: string }) => c.kind)).toEqual(['treatment', 'lab_sharing', 'ai_processing', 'communications']);
  expect(empty.body.current.every((c: { granted: unknown }) => c.granted === null)).toBe(true);

  const t1 = await p.doctor.post(url, { kind: 'treatment', granted: true, policyVersion: 'treatment-2026-01' });
  expect(t1.status).toBe(201);
  expect(t1.body).toMatchObject({ kind: 'treatment', granted: true, version: 1, recordedBy: p.f.members.doctor, policyVersion: 'treatment-2026-01', note: null });
  const a1 = await p.owner.post(url, { kind: 'ai_processing', granted: false, note: 'asked by phone' });
  expect(a1.body).toMatchObject({ kind: 'ai_processing', granted: false, version: 1, recordedBy: p.f.members.owner });
  const a2 = await p.admin.post(url, { kind: 'ai_processing', granted: true });
  expect(a2.body).toMatchObject({ kind: 'ai_processing', granted: true, version: 2, recordedBy: p.f.members.admin });
  expect(new Date(a2.body.recordedAt).getTime()).toBeGreaterThanOrEqual(new Date(a1.body.recordedAt).getTime());

  const got = await p.doctor.get(url);
  expect(got.status).toBe(200);
  expect(got.body.aiProcessingAllowed).toBe(true);
  expect(got.body.current).toEqual([
    { kind: 'treatment', granted: true, version: 1, recordedAt: t1.body.recordedAt },
    { kind: 'lab_sharing', granted: null, version: null, recordedAt: null },
    { kind: 'ai_processing', granted: true, version: 2, recordedAt: a2.body.recordedAt },
    { kind: 'communications', granted: null, version: null, recordedAt: null },
  ]);
  // Newest first; the withdrawal is still there.
  expect(got.body.history.map((h: { kind: string; version: number; granted: boolean }) => [h.kind, h.version, h.granted])).toEqual([
    ['ai_processing', 2, true],
    ['ai_processing', 1, false],
    ['treatment', 1, true],
  ]);

  // Reading consents is a read of the patient's record: it is in the accounting of disclosures.
  const log = await db().selectFrom('phi_access_log').select(['route', 'actor_id']).where('patient_id', '=', p.f.patientId).execute();
  expect(log).toEqual(expect.arrayContaining([{ route: 'GET /patients/{id}/consents', actor_id: p.f.members.doctor }]));
});

test('only the practice owner, an admin or a doctor records consent; other members get 403, other practices 404; nothing is written', async () => {
  const p = await practice();
  const other = await practice();
  const url = `/patients/${p.f.patientId}/consents`;
  for (const caller of [p.technician, p.assistant]) {
    const r = await caller.post(url, { kind: 'ai_processing', granted: false });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('forbidden');
  }
  const stranger = await other.doctor.post(url, { kind: 'ai_processing', granted: false });
  expect(stranger.status).toBe(404);
  expect((await other.doctor.get(url)).status).toBe(404);
  expect(await consentCount(p.f.patientId)).toBe(0);
});

test('bad input answers 400 naming the field, and writes nothing', async () => {
  const p = await practice();
  const url = `/patients/${p.f.patientId}/consents`;
  const cases: Array<[unknown, string]> = [
    [{ kind: 'marketing', granted: true }, 'kind'],
    [{ granted: true }, 'kind'],
    [{ kind: 'ai_processing' }, 'granted'],
    [{ kind: 'ai_processing', granted: 'no' }, 'granted'],
    [{ kind: 'ai_processing', granted: false, note: 'x'.repeat(2001) }, 'note'],
  ];
  for (const [body, field] of cases) {
    const r = await p.doctor.post(url, body);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_failed');
    expect(r.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  }
  const badId = await p.doctor.post('/patients/not-a-uuid/consents', { kind: 'ai_processing', granted: false });
  expect(badId.status).toBe(400);
  expect(await consentCount(p.f.patientId)).toBe(0);
});

test('withdrawing AI processing deletes the patient’s embeddings and queued texts in the same request; records cannot be changed afterwards', async () => {
  const p = await practice();
  const c = await p.doctor.post('/cases', { practiceId: p.f.practiceId, patientId: p.f.patientId, title: 'Consent probe', description: 'Deep bite, lower incisors crowded.', caseType: 'active_treatment', templateId: env.templateId });
  expect(c.status).toBe(201);
  const m = await p.doctor.post(`/cases/${c.body.id}/messages`, { content: 'Bite ramps placed on the upper incisors.' });
  expect(m.status).toBe(201);
  // An embedding as the pipeline would have written it (no worker pipeline in this file).
  const model = 'test/consent-probe';
  await sql`insert into message_embeddings (message_id, practice_id, content_text, embedding, model, content_hash)
            values (${m.body.id}::uuid, ${p.f.practiceId}::uuid, 'Bite ramps', '[1,0,0]'::halfvec, ${model}, 'h')`.execute(db());
  const queuedBefore = await sql<{ n: number }>`select count(*)::int as n from embedding_queue where source_id in (${c.body.id}::uuid, ${m.body.id}::uuid)`.execute(db());
  expect(queuedBefore.rows[0]!.n).toBeGreaterThan(0);

  const r = await p.doctor.post(`/patients/${p.f.patientId}/consents`, { kind: 'ai_processing', granted: false });
  expect(r.status).toBe(201);
  const left = await sql<{ n: number }>`select count(*)::int as n from message_embeddings where message_id = ${m.body.id}::uuid`.execute(db());
  expect(left.rows[0]!.n).toBe(0);
  const queued = await sql<{ n: number }>`select count(*)::int as n from embedding_queue where source_id in (${c.body.id}::uuid, ${m.body.id}::uuid)`.execute(db());
  expect(queued.rows[0]!.n).toBe(0);

  // Append-only for the application's role: neither UPDATE nor DELETE is granted.
  for (const statement of [sql`update patient_consents set granted = true where patient_id = ${p.f.patientId}::uuid`, sql`delete from patient_consents where patient_id = ${p.f.patientId}::uuid`]) {
    await expect(env.h.database.asActor({ sub: p.f.members.owner }, (trx) => statement.execute(trx))).rejects.toThrow(/permission denied/);
  }
  const rows = await sql<{ granted: boolean }>`select granted from patient_consents where patient_id = ${p.f.patientId}::uuid`.execute(db());
  expect(rows.rows).toEqual([{ granted: false }]);
});
