/**
 * GET /search's PHI access log (session 10, db 0136): the page's reads are recorded in the
 * search's own statement, so the entry commits with the read or the search fails. A member's page
 * records its cases' patients and its patients; lab staff's through record_lab_phi_access (0047);
 * a log that cannot be written fails the search: nothing answered, nothing logged.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createPracticeFixture, createUser } from '../support/fixtures';
import { as, setupApi, tokenFor, type ApiEnv } from './support';
import { setupAndTeardown } from '../support/lifecycle';
import { createSearchService, SEARCH_READ } from '../../src/services/search.service';
import { runWithAuditScope } from '../../src/db/database';

let env: ApiEnv;
setupAndTeardown(async () => {
  env = await setupApi();
}, [() => env?.close()]);

const logOf = async (requestId: string) =>
  (await env.h.database.system.selectFrom('phi_access_log').select(['actor_id', 'patient_id', 'practice_id', 'route', 'resource', 'resource_id']).where('request_id', '=', requestId).execute()).sort((x, y) =>
    x.patient_id.localeCompare(y.patient_id),
  );

/** A practice whose case title and patient's clinical summary both carry a word no other test writes. */
async function world() {
  const sys = env.h.database.system;
  const f = await createPracticeFixture(sys);
  const word = `phisearch${randomUUID().slice(0, 8)}`;
  await sys.updateTable('patients').set({ clinical_summary: `Class II ${word}` }).where('id', '=', f.patientId).execute();
  const doctor = as(env.app, await tokenFor(env.h.config, f.members.doctor));
  const created = await doctor.post('/cases', { practiceId: f.practiceId, patientId: f.patientId, title: `Aligners ${word}`, caseType: 'active_treatment', templateId: env.templateId });
  expect(created.status).toBe(201);
  return { f, word, doctor, caseId: created.body.id as string };
}

test("a member's search page is recorded with the read: its case's patient and its patient, with actor, practice, route and request id", async () => {
  const { f, word, doctor, caseId } = await world();
  const requestId = `req-${randomUUID()}`;
  const res = await doctor.get(`/search?q=${word}`, { headers: { 'X-Request-Id': requestId } });
  expect(res.status).toBe(200);
  expect(res.body.results.map((r: { kind: string; id: string }) => `${r.kind} ${r.id}`).sort()).toEqual([`case ${caseId}`, `patient ${f.patientId}`]);
  // As the route wrote it before: the cases' patients, then the page's patients (one row each).
  const row = { actor_id: f.members.doctor, patient_id: f.patientId, practice_id: f.practiceId, route: 'GET /search', resource: 'search', resource_id: null };
  expect(await logOf(requestId)).toEqual([row, row]);
  // A page without results records nothing.
  const none = `req-${randomUUID()}`;
  expect((await doctor.get(`/search?q=nothingmatches${randomUUID().slice(0, 8)}`, { headers: { 'X-Request-Id': none } })).body.results).toEqual([]);
  expect(await logOf(none)).toEqual([]);
});

test('the search in separate statements (its transaction path) records the same rows in its own transaction', async () => {
  const { f, word, caseId } = await world();
  const svc = createSearchService({ system: env.h.database.system, providers: () => { throw new Error('not used: lexical search is enough here'); }, embedTimeoutMs: 1000, statements: 'separate' });
  const requestId = `req-${randomUUID()}`;
  const r = await runWithAuditScope({ requestId }, () => svc.search((fn) => env.h.database.asActor({ sub: f.members.doctor }, fn), { q: word, kinds: ['case', 'patient'], limit: 10, audit: SEARCH_READ }));
  expect(r.results.map((x) => `${x.kind} ${x.id}`).sort()).toEqual([`case ${caseId}`, `patient ${f.patientId}`]);
  const row = { actor_id: f.members.doctor, patient_id: f.patientId, practice_id: f.practiceId, route: 'GET /search', resource: 'search', resource_id: null };
  expect(await logOf(requestId)).toEqual([row, row]);
});

test("lab staff's search: the case they read is recorded through record_lab_phi_access (they see no patients row)", async () => {
  const { f, word, caseId } = await world();
  const tech = await createUser(env.h.database.system, 'lab-technician', 'technician');
  await env.h.database.system.insertInto('lab_staff').values({ profile_id: tech }).execute();
  const requestId = `req-${randomUUID()}`;
  const res = await as(env.app, await tokenFor(env.h.config, tech)).get(`/search?q=${word}&practiceId=${f.practiceId}`, { headers: { 'X-Request-Id': requestId } });
  expect(res.status).toBe(200);
  expect(res.body.results.map((r: { kind: string; id: string }) => `${r.kind} ${r.id}`)).toEqual([`case ${caseId}`]);
  expect(await logOf(requestId)).toEqual([{ actor_id: tech, patient_id: f.patientId, practice_id: f.practiceId, route: 'GET /search', resource: 'search', resource_id: null }]);
});

test('a log that cannot be written fails the search: nothing answered, nothing logged', async () => {
  const { f, word, doctor } = await world();
  const sys = env.h.database.system;
  // Refuses this one reader's log rows only: other test files share the table.
  const fn = `test_phi_refuse_${randomUUID().replace(/-/g, '')}`;
  await sql`CREATE FUNCTION public.${sql.raw(fn)}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'phi log refused'; END $$`.execute(sys);
  await sql`CREATE TRIGGER ${sql.raw(fn)} BEFORE INSERT ON public.phi_access_log FOR EACH ROW WHEN (NEW.actor_id = ${sql.lit(f.members.doctor)}::uuid) EXECUTE FUNCTION public.${sql.raw(fn)}()`.execute(sys);
  try {
    const requestId = `req-${randomUUID()}`;
    const res = await doctor.get(`/search?q=${word}`, { headers: { 'X-Request-Id': requestId } });
    expect(res.status).toBe(500);
    expect(res.body.results).toBeUndefined();
    expect(JSON.stringify(res.body)).not.toContain(word);
    expect(await logOf(requestId)).toEqual([]);
  } finally {
    await sql`DROP TRIGGER ${sql.raw(fn)} ON public.phi_access_log`.execute(sys);
    await sql`DROP FUNCTION public.${sql.raw(fn)}()`.execute(sys);
  }
  // The same search once the log can be written again answers and records.
  const requestId = `req-${randomUUID()}`;
  expect((await doctor.get(`/search?q=${word}`, { headers: { 'X-Request-Id': requestId } })).status).toBe(200);
  expect(await logOf(requestId)).toHaveLength(2);
});
