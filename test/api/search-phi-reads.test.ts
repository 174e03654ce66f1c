/**
 * db 0146's record_search_phi_reads() (session 11), which GET /search's statement calls, writes
 * exactly the rows 0136's record_search_phi_access() writes (the rows the route wrote before
 * session 10: the cases' patients as the caller sees the cases, then the page's patients; lab
 * staff's through record_lab_phi_access), for every kind of caller, while deciding the caller's
 * visibility itself instead of through RLS; and only `authenticated` may run it.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createPracticeFixture, createUser } from '../support/fixtures';
import { as, setupApi, tokenFor, type ApiEnv } from './support';
import { setupAndTeardown } from '../support/lifecycle';
import { runWithAuditScope } from '../../src/db/database';
import { addMember } from '../../src/repositories/identity.repository';

let env: ApiEnv;
setupAndTeardown(async () => {
  env = await setupApi();
}, [() => env?.close()]);

const logOf = async (requestId: string) =>
  (await env.h.database.system.selectFrom('phi_access_log').select(['actor_id', 'patient_id', 'practice_id', 'route', 'resource', 'resource_id', 'request_id']).where('request_id', '=', requestId).execute())
    .map(({ request_id: _, ...row }) => row)
    .sort((x, y) => x.patient_id.localeCompare(y.patient_id));

/** A practice with a case of its patient (created through the API, as its doctor). */
async function practiceWithCase() {
  const f = await createPracticeFixture(env.h.database.system);
  const doctor = as(env.app, await tokenFor(env.h.config, f.members.doctor));
  const created = await doctor.post('/cases', { practiceId: f.practiceId, patientId: f.patientId, title: `Aligners ${randomUUID().slice(0, 8)}`, caseType: 'active_treatment', templateId: env.templateId });
  expect(created.status).toBe(201);
  return { f, caseId: created.body.id as string };
}

/** Calls `fn` as `sub` under a fresh request id; returns its count and the rows it logged. */
async function logged(sub: string, fn: 'record_search_phi_access' | 'record_search_phi_reads', caseIds: string[] | null, patientIds: string[] | null) {
  const requestId = `req-${randomUUID()}`;
  const n = await runWithAuditScope({ requestId }, () =>
    env.h.database.asActor({ sub }, async (trx) => {
      const r = await sql<{ n: number }>`SELECT public.${sql.raw(fn)}(${caseIds}::uuid[], ${patientIds}::uuid[], 'GET /search', 'search') AS n`.execute(trx);
      return r.rows[0]!.n;
    }),
  );
  return { n, rows: await logOf(requestId) };
}

test('the same rows and count as 0136 for a member, a member of another practice, a member of both, lab staff, a technician outside the lab, an internal admin and an unknown user', async () => {
  const sys = env.h.database.system;
  const a = await practiceWithCase();
  const b = await practiceWithCase();
  const labTech = await createUser(sys, 'lab-technician', 'technician');
  await sys.insertInto('lab_staff').values({ profile_id: labTech }).execute();
  const labMemberOfA = await createUser(sys, 'lab-support', 'support');
  await sys.insertInto('lab_staff').values({ profile_id: labMemberOfA }).execute();
  await addMember(sys, a.f.practiceId, labMemberOfA, 'technician');
  const outsider = await createUser(sys, 'not-lab', 'technician');
  const admin = await createUser(sys, 'internal-admin', 'admin');
  const both = b.f.members.assistant;
  await addMember(sys, a.f.practiceId, both, 'assistant');
  const callers = { memberOfA: a.f.members.doctor, memberOfB: b.f.members.owner, both, labTech, labMemberOfA, outsider, admin, unknown: randomUUID() };
  // The page's arrays as the statement builds them: a case twice, a NULL (a patient row's case),
  // a patient twice, another practice's, one that does not exist.
  const cases = [a.caseId, b.caseId, a.caseId];
  const patients = [a.f.patientId, b.f.patientId, a.f.patientId, randomUUID()];
  const shapes: [string[] | null, string[] | null][] = [
    [cases, null],
    [null, patients],
    [cases, patients],
    [[a.caseId, null as unknown as string], [b.f.patientId]],
    [[], []],
    [null, null],
  ];
  const row = (actor: string, f: { patientId: string; practiceId: string }) => ({ actor_id: actor, patient_id: f.patientId, practice_id: f.practiceId, route: 'GET /search', resource: 'search', resource_id: null });
  for (const [who, sub] of Object.entries(callers)) {
    for (const [c, p] of shapes) {
      const before = await logged(sub, 'record_search_phi_access', c, p);
      const now = await logged(sub, 'record_search_phi_reads', c, p);
      expect({ who, c, p, ...now }).toEqual({ who, c, p, ...before });
    }
  }
  // What those rows are, for two of them (so that the comparison above is not between two empties).
  const mine = await logged(callers.memberOfA, 'record_search_phi_reads', cases, patients);
  expect(mine).toEqual({ n: 2, rows: [row(callers.memberOfA, a.f), row(callers.memberOfA, a.f)] });
  const lab = await logged(callers.labTech, 'record_search_phi_reads', cases, patients);
  expect(lab.n).toBe(4);
  expect(lab.rows).toEqual(expect.arrayContaining([row(labTech, a.f), row(labTech, b.f)]));
  expect(lab.rows).toHaveLength(4);
  expect(await logged(callers.outsider, 'record_search_phi_reads', cases, patients)).toEqual({ n: 0, rows: [] });
});

test('only authenticated may run it: service_role and anon get a permission error', async () => {
  for (const role of ['service_role', 'anon']) {
    await expect(
      env.h.database.system.transaction().execute(async (trx) => {
        await sql`SET LOCAL ROLE ${sql.raw(role)}`.execute(trx);
        await sql`SELECT public.record_search_phi_reads(NULL, NULL, 'GET /search', 'search')`.execute(trx);
      }),
    ).rejects.toMatchObject({ code: '42501' });
  }
});
