/**
 * The patient-match review queue through the HTTP API, on real PostgreSQL: pairs come from the
 * real dedup (src/migration/dedup) and the repository's upsert, as the legacy migration writes
 * them. RLS (who sees and decides), accept merges and moves the children, reject is permanent
 * and never re-proposed, bad input answers 4xx.
 */
import { randomUUID } from 'node:crypto';
import { dedupPatients, type MatchPair, type PatientRecord } from '../../src/migration/dedup';
import { createPatient } from '../../src/repositories/identity.repository';
import { rejectedPairs, upsertCandidates } from '../../src/repositories/patient-matches.repository';
import { createPracticeFixture, createUser, type PracticeFixture } from '../support/fixtures';
import { as, call, setupApi, tokenFor, type ApiEnv, type Caller } from './support';
import { setupAndTeardown } from '../support/lifecycle';

let env: ApiEnv;
let a: PracticeFixture;
let b: PracticeFixture;
let labAdmin: Caller;
let ownerA: Caller;
let adminA: Caller;
let doctorA: Caller;
let ownerB: Caller;

setupAndTeardown(async () => {
  env = await setupApi();
  const db = env.h.database.system;
  a = await createPracticeFixture(db);
  b = await createPracticeFixture(db);
  const token = (id: string) => tokenFor(env.h.config, id);
  labAdmin = as(env.app, await token(await createUser(db, 'labadmin', 'admin')));
  ownerA = as(env.app, await token(a.members.owner));
  adminA = as(env.app, await token(a.members.admin));
  doctorA = as(env.app, await token(a.members.doctor));
  ownerB = as(env.app, await token(b.members.owner));
}, [() => env?.close()]);

const tag = () => randomUUID().slice(0, 8);
const runId = randomUUID();

interface Seeded {
  patientId: string;
  legacyKey: string;
  caseIds: string[];
}

/** An MDW patient migrated from a legacy record, with `cases` cases (each with an order, a file and a project). */
async function migratedPatient(f: PracticeFixture, legacyKey: string, cases: number, dob: string | null): Promise<Seeded> {
  const db = env.h.database.system;
  const p = await createPatient(db, { practiceId: f.practiceId, email: `sierra-${tag()}@test.mdw`, firstName: 'Sierra', lastName: 'Green', dateOfBirth: dob });
  await db.insertInto('legacy_id_map').values({ legacy_table: 'dispatch_patient', legacy_id: legacyKey, target_table: 'patients', target_id: p.id, disposition: 'migrated', run_id: runId }).execute();
  const caseIds: string[] = [];
  for (let i = 0; i < cases; i++) {
    const c = await db
      .insertInto('cases')
      .values({ patient_id: p.id, practice_id: f.practiceId, case_number: `C-${tag()}`, title: 'Legacy case', case_type: 'retention' })
      .returning('id')
      .executeTakeFirstOrThrow();
    caseIds.push(c.id);
    await db.insertInto('orders').values({ case_id: c.id, practice_id: f.practiceId, order_number: `O-${tag()}` }).execute();
    await db
      .insertInto('case_files')
      .values({ case_id: c.id, practice_id: f.practiceId, uploaded_by: f.members.doctor, file_name: 'scan.stl', file_type: 'scan', file_size: 10, storage_path: `legacy/${tag()}`, mime_type: 'model/stl' })
      .execute();
    await db.insertInto('projects').values({ case_id: c.id, practice_id: f.practiceId, creator_id: f.members.doctor, name: 'Upper arch', project_type: 'scan' }).execute();
  }
  return { patientId: p.id, legacyKey, caseIds };
}

/** Two copies of one person that dedup grades probable (a wholly different birthdate): the queue. */
async function queuedPair(fa: PracticeFixture, fb: PracticeFixture = fa): Promise<{ x: Seeded; y: Seeded; pair: MatchPair }> {
  const prefix = tag();
  const x = await migratedPatient(fa, `${prefix}-1`, 1, '1990-04-12');
  const y = await migratedPatient(fb, `${prefix}-2`, 2, '1971-09-30');
  const record = (s: Seeded, f: PracticeFixture, birthdate: string): PatientRecord => ({
    key: s.legacyKey, practiceKey: f.practiceId, firstName: 'Sierra', lastName: 'Green', email: 'Sierra.Green@mail.com', birthdate, sex: 'F', caseCount: s.caseIds.length,
  });
  const result = dedupPatients([record(x, fa, '1990-04-12'), record(y, fb, '1971-09-30')]);
  expect(result.clusters).toEqual([]);
  const pair = result.pairs[0];
  expect(pair?.grade).toBe('probable');
  const written = await upsertCandidates(env.h.database.system, runId, [{ pair: pair!, patientAId: x.patientId, patientBId: y.patientId }]);
  expect(written).toEqual({ inserted: 1, updated: 0, decided: 0 });
  return { x, y, pair: pair! };
}

async function matchIdOf(pair: MatchPair): Promise<string> {
  const row = await env.h.database.system
    .selectFrom('patient_match_reviews')
    .select('id')
    .where('legacy_key_a', '=', pair.a)
    .where('legacy_key_b', '=', pair.b)
    .executeTakeFirstOrThrow();
  return row.id;
}

const ids = (res: { body: { items: Array<{ id: string }> } }) => res.body.items.map((i) => i.id);

test('who sees and decides: lab admins and the practice owner/admin; not other members, not another practice', async () => {
  const { pair } = await queuedPair(a);
  const id = await matchIdOf(pair);

  for (const caller of [labAdmin, ownerA, adminA]) {
    const got = await caller.get(`/patient-matches/${id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id, practiceId: a.practiceId, grade: 'probable', status: 'pending', legacyKeyA: pair.a, legacyKeyB: pair.b });
    expect(got.body.evidence.map((e: { field: string }) => e.field)).toEqual(['name', 'email', 'birthdate', 'sex', 'practice', 'cases']);
    expect(got.body.evidence.find((e: { field: string }) => e.field === 'birthdate')).toMatchObject({ outcome: 'disagree' });
    expect(ids(await caller.get(`/patient-matches?status=pending&limit=100&practiceId=${a.practiceId}`))).toContain(id);
  }
  for (const caller of [doctorA, ownerB]) {
    expect((await caller.get(`/patient-matches/${id}`)).status).toBe(404);
    expect(ids(await caller.get('/patient-matches?limit=100'))).not.toContain(id);
    expect((await caller.post(`/patient-matches/${id}/accept`, {})).status).toBe(404);
    expect((await caller.post(`/patient-matches/${id}/reject`)).status).toBe(404);
  }
  // Nothing changed by the refused attempts.
  expect((await labAdmin.get(`/patient-matches/${id}`)).body.status).toBe('pending');
});

test('a pair across two practices: only lab admins see it, and it cannot be merged', async () => {
  const { x, y, pair } = await queuedPair(a, b);
  const id = await matchIdOf(pair);
  for (const caller of [ownerA, ownerB]) expect((await caller.get(`/patient-matches/${id}`)).status).toBe(404);
  const got = await labAdmin.get(`/patient-matches/${id}`);
  expect(got.body).toMatchObject({ practiceId: null, grade: 'probable' });
  const accept = await labAdmin.post(`/patient-matches/${id}/accept`, {});
  expect(accept.status).toBe(409);
  expect(accept.body.error.code).toBe('cross_practice_merge');
  const patients = await env.h.database.system.selectFrom('patients').select('id').where('id', 'in', [x.patientId, y.patientId]).execute();
  expect(patients).toHaveLength(2);
  expect((await labAdmin.post(`/patient-matches/${id}/reject`)).body.status).toBe('rejected');
});

test('accept merges the two patients in one go: cases, orders, files and projects follow the survivor; legacy ids say where they went', async () => {
  const { x, y, pair } = await queuedPair(a);
  const id = await matchIdOf(pair);
  const db = env.h.database.system;

  const res = await ownerA.post(`/patient-matches/${id}/accept`, {});
  expect(res.status).toBe(200);
  // y owns more cases: it survives.
  expect(res.body).toMatchObject({ status: 'accepted', survivorPatientId: y.patientId, mergedPatientId: x.patientId, decidedBy: a.members.owner });
  expect(res.body.decidedAt).toEqual(expect.any(String));

  expect(await db.selectFrom('patients').select('id').where('id', '=', x.patientId).executeTakeFirst()).toBeUndefined();
  const cases = await db.selectFrom('cases').select(['id', 'patient_id']).where('id', 'in', [...x.caseIds, ...y.caseIds]).execute();
  expect(cases).toHaveLength(3);
  expect(new Set(cases.map((c) => c.patient_id))).toEqual(new Set([y.patientId]));
  const allCases = [...x.caseIds, ...y.caseIds];
  expect(await db.selectFrom('orders').select('id').where('case_id', 'in', allCases).execute()).toHaveLength(3);
  expect(await db.selectFrom('case_files').select('id').where('case_id', 'in', allCases).execute()).toHaveLength(3);
  expect(await db.selectFrom('projects').select('id').where('case_id', 'in', allCases).execute()).toHaveLength(3);

  const legacy = await db.selectFrom('legacy_id_map').selectAll().where('legacy_table', '=', 'dispatch_patient').where('legacy_id', 'in', [x.legacyKey, y.legacyKey]).orderBy('legacy_id').execute();
  expect(legacy.map((l) => [l.legacy_id, l.disposition, l.target_id])).toEqual([
    [x.legacyKey, 'merged', y.patientId],
    [y.legacyKey, 'migrated', y.patientId],
  ]);
  expect(legacy[0]?.reason).toContain(y.patientId);
  expect(legacy[0]?.reason).toContain(`legacy patient ${y.legacyKey}`);

  // Idempotent: the same answer again; rejecting a merged pair is refused.
  const again = await ownerA.post(`/patient-matches/${id}/accept`, {});
  expect(again.status).toBe(200);
  expect(again.body).toEqual(res.body);
  const reject = await ownerA.post(`/patient-matches/${id}/reject`);
  expect(reject.status).toBe(409);
  expect(reject.body.error.code).toBe('match_decided');

  // The practice goes on: a new patient gets a fresh number although a patient row went away.
  const next = await ownerA.post('/patients', { practiceId: a.practiceId, firstName: 'New', lastName: `Patient${tag()}` });
  expect(next.status).toBe(201);
});

test('accept with a chosen survivor; other pending pairs of the merged patient follow it', async () => {
  const prefix = tag();
  const x = await migratedPatient(a, `${prefix}-1`, 0, null);
  const y = await migratedPatient(a, `${prefix}-2`, 1, '1990-04-12');
  const z = await migratedPatient(a, `${prefix}-3`, 0, '1971-09-30');
  const mk = (p: Seeded, q: Seeded): MatchPair => ({ a: p.legacyKey, b: q.legacyKey, grade: 'possible', score: 12, evidence: [{ field: 'name', outcome: 'agree', weight: 9.81 }] });
  await upsertCandidates(env.h.database.system, runId, [
    { pair: mk(x, y), patientAId: x.patientId, patientBId: y.patientId },
    { pair: mk(x, z), patientAId: x.patientId, patientBId: z.patientId },
  ]);
  const xy = await matchIdOf(mk(x, y));
  const xz = await matchIdOf(mk(x, z));
  const res = await adminA.post(`/patient-matches/${xy}/accept`, { survivorPatientId: x.patientId });
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ survivorPatientId: x.patientId, mergedPatientId: y.patientId });
  // The survivor took the birthdate it lacked; y's case is now x's.
  const survivor = await env.h.database.system.selectFrom('patients').select(['id']).select((eb) => eb.fn<string>('to_char', [eb.ref('date_of_birth'), eb.val('YYYY-MM-DD')]).as('dob')).where('id', '=', x.patientId).executeTakeFirstOrThrow();
  expect(survivor.dob).toBe('1990-04-12');
  expect((await env.h.database.system.selectFrom('cases').select('patient_id').where('id', '=', y.caseIds[0]!).executeTakeFirstOrThrow()).patient_id).toBe(x.patientId);
  const other = await adminA.get(`/patient-matches/${xz}`);
  expect(other.body).toMatchObject({ status: 'pending', patientAId: x.patientId, patientBId: z.patientId });
});

test('two accepts that share a patient, at the same time: both succeed and the three copies end as one patient', async () => {
  const prefix = tag();
  const x = await migratedPatient(a, `${prefix}-1`, 1, '1990-04-12');
  const y = await migratedPatient(a, `${prefix}-2`, 1, null);
  const z = await migratedPatient(a, `${prefix}-3`, 1, '1990-04-13');
  const mk = (p: Seeded, q: Seeded): MatchPair => ({ a: p.legacyKey, b: q.legacyKey, grade: 'probable', score: 18, evidence: [] });
  await upsertCandidates(env.h.database.system, runId, [
    { pair: mk(x, y), patientAId: x.patientId, patientBId: y.patientId },
    { pair: mk(y, z), patientAId: y.patientId, patientBId: z.patientId },
  ]);
  const [xy, yz] = await Promise.all([matchIdOf(mk(x, y)), matchIdOf(mk(y, z))]);
  const [r1, r2] = await Promise.all([ownerA.post(`/patient-matches/${xy}/accept`, {}), adminA.post(`/patient-matches/${yz}/accept`, {})]);
  expect([r1.status, r2.status]).toEqual([200, 200]);
  const db = env.h.database.system;
  const left = await db.selectFrom('patients').select('id').where('id', 'in', [x.patientId, y.patientId, z.patientId]).execute();
  expect(left).toHaveLength(1);
  const owners = await db.selectFrom('cases').select('patient_id').where('id', 'in', [...x.caseIds, ...y.caseIds, ...z.caseIds]).execute();
  expect(new Set(owners.map((o) => o.patient_id))).toEqual(new Set([left[0]!.id]));
  const legacy = await db.selectFrom('legacy_id_map').select(['legacy_id', 'disposition', 'target_id']).where('legacy_table', '=', 'dispatch_patient').where('legacy_id', 'like', `${prefix}-%`).execute();
  expect(new Set(legacy.map((l) => l.target_id))).toEqual(new Set([left[0]!.id]));
  expect(legacy.filter((l) => l.disposition === 'merged')).toHaveLength(2);
});

test('reject is permanent: idempotent, never accepted afterwards, never proposed again', async () => {
  const { x, y, pair } = await queuedPair(a);
  const id = await matchIdOf(pair);
  const first = await adminA.post(`/patient-matches/${id}/reject`);
  expect(first.status).toBe(200);
  expect(first.body).toMatchObject({ status: 'rejected', decidedBy: a.members.admin });
  const second = await ownerA.post(`/patient-matches/${id}/reject`);
  expect(second.status).toBe(200);
  expect(second.body).toEqual(first.body);
  const accept = await ownerA.post(`/patient-matches/${id}/accept`, {});
  expect(accept.status).toBe(409);
  expect(accept.body.error.code).toBe('match_decided');

  // A re-run of the migration proposes the same pair: it stays rejected…
  const db = env.h.database.system;
  const rerun = await upsertCandidates(db, randomUUID(), [{ pair: { ...pair, grade: 'possible', score: 11 }, patientAId: x.patientId, patientBId: y.patientId }]);
  expect(rerun).toEqual({ inserted: 0, updated: 0, decided: 1 });
  expect((await adminA.get(`/patient-matches/${id}`)).body).toMatchObject({ status: 'rejected', grade: 'probable', runId });
  // …and dedup, given the rejected pairs, no longer proposes or merges it.
  const rejected = await rejectedPairs(db);
  expect(rejected.has(`${pair.a}|${pair.b}`)).toBe(true);
  const records: PatientRecord[] = [pair.a, pair.b].map((key) => ({ key, practiceKey: a.practiceId, firstName: 'Sierra', lastName: 'Green', email: 'sierra.green@mail.com', birthdate: '1990-04-12', sex: 'F', caseCount: 1 }));
  const again = dedupPatients(records, { rejectedPairs: rejected });
  expect(again.pairs).toEqual([]);
  expect(again.clusters).toEqual([]);
  // Both patients are still there.
  expect(await db.selectFrom('patients').select('id').where('id', 'in', [x.patientId, y.patientId]).execute()).toHaveLength(2);
});

test('a re-run refreshes a pending pair instead of duplicating it', async () => {
  const { x, y, pair } = await queuedPair(a);
  const id = await matchIdOf(pair);
  const newRun = randomUUID();
  const rerun = await upsertCandidates(env.h.database.system, newRun, [{ pair: { ...pair, b: pair.a, a: pair.b, score: 16.5 }, patientAId: y.patientId, patientBId: x.patientId }]);
  expect(rerun).toEqual({ inserted: 0, updated: 1, decided: 0 });
  expect((await ownerA.get(`/patient-matches/${id}`)).body).toMatchObject({ score: 16.5, runId: newRun, patientAId: x.patientId, patientBId: y.patientId });
});

test('the list filters by status and grade and pages by keyset', async () => {
  const own = await createPracticeFixture(env.h.database.system);
  const owner = as(env.app, await tokenFor(env.h.config, own.members.owner));
  const made = [await queuedPair(own), await queuedPair(own), await queuedPair(own)];
  const allIds = await Promise.all(made.map((m) => matchIdOf(m.pair)));
  await owner.post(`/patient-matches/${allIds[0]}/reject`);

  const pending = await owner.get('/patient-matches?status=pending&grade=probable&limit=1');
  expect(pending.body.items).toHaveLength(1);
  expect(pending.body.nextCursor).toEqual(expect.any(String));
  const next = await owner.get(`/patient-matches?status=pending&grade=probable&limit=1&cursor=${pending.body.nextCursor}`);
  expect(next.body.items).toHaveLength(1);
  expect(next.body.nextCursor).toBeNull();
  expect(new Set([...ids(pending), ...ids(next)])).toEqual(new Set(allIds.slice(1)));
  expect(ids(await owner.get('/patient-matches?status=rejected'))).toEqual([allIds[0]]);
  expect(ids(await owner.get('/patient-matches?grade=possible'))).toEqual([]);
});

test('bad input answers 4xx naming the field, and writes nothing', async () => {
  const { x, pair } = await queuedPair(a);
  const id = await matchIdOf(pair);
  const expectField = (res: { status: number; body: { error: { code: string; details: Array<{ field: string }> | null } } }, field: string) => {
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details?.map((d) => d.field)).toContain(field);
  };
  expectField(await ownerA.get('/patient-matches/not-a-uuid'), 'params.id');
  expectField(await ownerA.get('/patient-matches?status=maybe'), 'query.status');
  expectField(await ownerA.get('/patient-matches?grade=certainly'), 'query.grade');
  expectField(await ownerA.get('/patient-matches?limit=0'), 'query.limit');
  expectField(await ownerA.get('/patient-matches?cursor=garbage'), 'query.cursor');
  expectField(await ownerA.post(`/patient-matches/${id}/accept`, { survivorPatientId: 'nope' }), 'survivorPatientId');
  const foreign = await ownerA.post(`/patient-matches/${id}/accept`, { survivorPatientId: b.patientId });
  expect(foreign.status).toBe(404);
  expect(foreign.body.error.details.map((d: { field: string }) => d.field)).toEqual(['survivorPatientId']);
  expect((await ownerA.post(`/patient-matches/${id}/accept`, { merge: true })).status).toBe(400);
  expect((await ownerA.post(`/patient-matches/${randomUUID()}/accept`, {})).status).toBe(404);
  expect((await call(env.app, 'get', '/patient-matches')).status).toBe(401);
  expect((await ownerA.get(`/patient-matches/${id}`)).body.status).toBe('pending');
  expect(await env.h.database.system.selectFrom('patients').select('id').where('id', '=', x.patientId).executeTakeFirst()).toBeDefined();
});
