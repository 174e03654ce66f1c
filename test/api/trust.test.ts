/**
 * Trust (issue 12): the PHI access log and the audit of every write, through the real API,
 * the real worker and direct SQL as `authenticated`; both logs are append-only for every role.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createPracticeFixture, createUser, type PracticeFixture } from '../support/fixtures';
import { waitFor } from '../support/wait';
import { as, setupApi, setPassword, tokenFor, type ApiEnv, type Caller } from './support';
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

const accessRows = (patientId: string) =>
  env.h.database.system.selectFrom('phi_access_log').selectAll().where('patient_id', '=', patientId).orderBy('id').execute();
const accessCountByActor = async (actorId: string) =>
  (await env.h.database.system.selectFrom('phi_access_log').select(sql<number>`count(*)::int`.as('n')).where('actor_id', '=', actorId).executeTakeFirstOrThrow()).n;

test('every PHI read route records who read which patient, with route, request id and practice; routes without PHI record nothing', async () => {
  const p = await practice();
  const reader = p.f.members.doctor;
  const created = await p.doctor.post('/cases', { practiceId: p.f.practiceId, patientId: p.f.patientId, title: 'Aligners', caseType: 'active_treatment', templateId: env.templateId });
  expect(created.status).toBe(201);
  const caseId = created.body.id as string;

  const reads: Array<[string, string]> = [
    [`/patients/${p.f.patientId}`, 'GET /patients/{id}'],
    [`/patients?practiceId=${p.f.practiceId}`, 'GET /patients'],
    [`/cases/${caseId}`, 'GET /cases/{id}'],
    [`/cases?practiceId=${p.f.practiceId}`, 'GET /cases'],
    [`/cases/${caseId}/messages`, 'GET /cases/{id}/messages'],
    [`/cases/${caseId}/files`, 'GET /cases/{id}/files'],
  ];
  for (const [url, routeName] of reads) {
    const before = await accessCountByActor(reader);
    const requestId = `req-${randomUUID()}`;
    const res = await p.doctor.get(url, { headers: { 'X-Request-Id': requestId } });
    expect(res.status).toBe(200);
    const rows = await env.h.database.system.selectFrom('phi_access_log').selectAll().where('request_id', '=', requestId).execute();
    expect(rows).toEqual([expect.objectContaining({ actor_id: reader, patient_id: p.f.patientId, practice_id: p.f.practiceId, route: routeName })]);
    expect(await accessCountByActor(reader)).toBe(before + 1);
  }

  // Routes without patient data leave no entry.
  const before = await accessCountByActor(reader);
  for (const url of ['/products', '/me', `/practices/${p.f.practiceId}`, `/practices/${p.f.practiceId}/members`, '/workflow-templates']) {
    const res = await p.doctor.get(url);
    expect(res.status).toBeLessThan(500);
  }
  expect(await accessCountByActor(reader)).toBe(before);

  // A read that fails (another practice's patient) records nothing either.
  const other = await practice();
  expect((await p.doctor.get(`/patients/${other.f.patientId}`)).status).toBe(404);
  expect(await accessRows(other.f.patientId)).toEqual([]);
});

test('GET /patients/{id}/access-log: the owner and admin read it, other members are refused, other practices see nothing; lab admins read lab-wide', async () => {
  const p = await practice();
  await p.assistant.get(`/patients/${p.f.patientId}`);
  await p.doctor.get(`/patients/${p.f.patientId}`);

  const log = await p.owner.get(`/patients/${p.f.patientId}/access-log`);
  expect(log.status).toBe(200);
  expect(log.body.items.map((e: { actorId: string }) => e.actorId)).toEqual([p.f.members.doctor, p.f.members.assistant]);
  expect(log.body.items[0]).toMatchObject({ patientId: p.f.patientId, practiceId: p.f.practiceId, route: 'GET /patients/{id}', resource: 'patient' });
  expect((await p.admin.get(`/patients/${p.f.patientId}/access-log`)).status).toBe(200);
  const refused = await p.doctor.get(`/patients/${p.f.patientId}/access-log`);
  expect(refused.status).toBe(403);

  const other = await practice();
  expect((await other.owner.get(`/patients/${p.f.patientId}/access-log`)).status).toBe(404);

  const labAdminId = await createUser(env.h.database.system, 'lab-admin', 'admin');
  const labAdmin = as(env.app, await tokenFor(env.h.config, labAdminId));
  const labView = await labAdmin.get(`/patients/${p.f.patientId}/access-log`);
  expect(labView.status).toBe(200);
  // The two reads, and the owner's and admin's reads of the log itself (a disclosure too).
  expect(labView.body.items.map((e: { actorId: string }) => e.actorId)).toEqual([p.f.members.admin, p.f.members.owner, p.f.members.doctor, p.f.members.assistant]);
});

test('both logs are append-only: UPDATE and DELETE fail for authenticated, service_role and the owner', async () => {
  const p = await practice();
  await p.doctor.get(`/patients/${p.f.patientId}`);
  const { database } = env.h;
  for (const table of ['phi_access_log', 'audit_log'] as const) {
    for (const stmt of [sql`UPDATE public.${sql.table(table)} SET request_id = request_id`, sql`DELETE FROM public.${sql.table(table)}`, sql`TRUNCATE public.${sql.table(table)}`]) {
      const asOwnerOfPractice = database.asActor({ sub: p.f.members.owner }, (trx) => stmt.execute(trx));
      await expect(asOwnerOfPractice).rejects.toThrow(/permission denied|append-only/);
      const asService = database.system.transaction().execute(async (trx) => {
        await sql`SET LOCAL ROLE service_role`.execute(trx);
        await stmt.execute(trx);
      });
      await expect(asService).rejects.toThrow(/permission denied|append-only/);
      await expect(stmt.execute(database.system)).rejects.toThrow(/append-only/);
    }
  }
  // The entries are still there.
  expect((await accessRows(p.f.patientId)).length).toBe(1);
  // And nobody inserts an entry in another's name or for a patient they cannot see.
  const other = await practice();
  const forged = database.asActor({ sub: p.f.members.owner }, (trx) =>
    trx.insertInto('phi_access_log').values({ actor_id: other.f.members.owner, patient_id: p.f.patientId, practice_id: p.f.practiceId, route: 'x', resource: 'x' }).execute(),
  );
  await expect(forged).rejects.toThrow(/row-level security/);
  const unseen = database.asActor({ sub: p.f.members.owner }, (trx) =>
    trx.insertInto('phi_access_log').values({ actor_id: p.f.members.owner, patient_id: other.f.patientId, practice_id: other.f.practiceId, route: 'x', resource: 'x' }).execute(),
  );
  await expect(unseen).rejects.toThrow(/row-level security/);
});

test('audit: writes through the API name the user and the request; GET /audit shows old → new to the practice, nothing to others', async () => {
  const p = await practice();
  const requestId = `req-${randomUUID()}`;
  const patched = await p.doctor.patch(`/patients/${p.f.patientId}`, { medicalHistory: { allergies: ['latex'] } }, { headers: { 'X-Request-Id': requestId } });
  expect(patched.status).toBe(200);

  const audit = await p.owner.get(`/audit?table=patients&id=${p.f.patientId}`);
  expect(audit.status).toBe(200);
  const update = audit.body.items.find((e: { op: string }) => e.op === 'UPDATE');
  expect(update).toMatchObject({ table: 'patients', rowId: p.f.patientId, actorId: p.f.members.doctor, actorKind: 'user', requestId, practiceId: p.f.practiceId });
  expect(update.changed).toEqual({ medical_history: [{}, { allergies: ['latex'] }] });
  // The fixture created the patient on the system handle: a system INSERT comes first.
  expect(audit.body.items[0]).toMatchObject({ op: 'INSERT', actorKind: 'system' });

  // The patient's name lives on their profile, which the API writes on the system handle for
  // the caller: audited as the caller's write, in that request.
  const renameId = `req-${randomUUID()}`;
  expect((await p.doctor.patch(`/patients/${p.f.patientId}`, { firstName: 'Patricia' }, { headers: { 'X-Request-Id': renameId } })).status).toBe(200);
  const profileRows = await env.h.database.system.selectFrom('audit_log').selectAll().where('table_name', '=', 'profiles').where('request_id', '=', renameId).execute();
  expect(profileRows).toEqual([expect.objectContaining({ op: 'UPDATE', actor_id: p.f.members.doctor, actor_kind: 'user', changed: { first_name: ['Pat', 'Patricia'] } })]);

  const other = await practice();
  const foreign = await other.owner.get(`/audit?table=patients&id=${p.f.patientId}`);
  expect(foreign.status).toBe(200);
  expect(foreign.body.items).toEqual([]);
  expect((await p.owner.get('/audit?table=Robert%27);--&id=1')).status).toBe(400);
});

test("reading a record's audit is a PHI read of the patient it names: the patient, their case, a case's message; not a practice's own record", async () => {
  const p = await practice();
  const created = await p.doctor.post('/cases', { practiceId: p.f.practiceId, patientId: p.f.patientId, title: 'Aligners', caseType: 'active_treatment', templateId: env.templateId });
  expect(created.status).toBe(201);
  const message = await p.doctor.post(`/cases/${created.body.id}/messages`, { content: 'Upper arch first.' });
  expect(message.status).toBe(201);
  expect((await p.owner.patch(`/practices/${p.f.practiceId}`, { name: `Renamed ${randomUUID().slice(0, 6)}` })).status).toBe(200);
  const reader = p.f.members.owner;
  for (const [table, id] of [
    ['patients', p.f.patientId],
    ['cases', created.body.id],
    ['case_messages', message.body.id],
  ] as const) {
    const requestId = `req-${randomUUID()}`;
    const res = await p.owner.get(`/audit?table=${table}&id=${id}`, { headers: { 'X-Request-Id': requestId } });
    expect(res.body.items.length).toBeGreaterThan(0);
    const rows = await env.h.database.system.selectFrom('phi_access_log').selectAll().where('request_id', '=', requestId).execute();
    expect(rows).toEqual([expect.objectContaining({ actor_id: reader, patient_id: p.f.patientId, practice_id: p.f.practiceId, route: 'GET /audit', resource: 'audit', resource_id: `${table}/${id}` })]);
  }
  // The practice's own record names no patient; a member who may not read the audit sees nothing and reads nothing.
  const before = await accessCountByActor(reader);
  expect((await p.owner.get(`/audit?table=practices&id=${p.f.practiceId}`)).body.items.length).toBeGreaterThan(0);
  expect(await accessCountByActor(reader)).toBe(before);
  const doctorBefore = await accessCountByActor(p.f.members.doctor);
  expect((await p.doctor.get(`/audit?table=patients&id=${p.f.patientId}`)).body.items).toEqual([]);
  expect(await accessCountByActor(p.f.members.doctor)).toBe(doctorBefore);
});

test('audit: writes by a workflow name the workflow and the system identity; direct SQL as authenticated names the caller', async () => {
  const p = await practice();
  const created = await p.doctor.post('/cases', { practiceId: p.f.practiceId, patientId: p.f.patientId, title: 'Aligners', caseType: 'active_treatment', templateId: env.templateId });
  expect(created.status).toBe(201);
  const kase = await env.h.database.system.selectFrom('cases').select(['id', 'workflow_id']).where('id', '=', created.body.id).executeTakeFirstOrThrow();
  // The first state is written by POST /cases itself (it names the request); the workflow's
  // own writes (later states, messages, awaiting tasks) name the workflow.
  const byWorkflow = await waitFor(
    () => env.h.database.system.selectFrom('audit_log').selectAll().where('practice_id', '=', p.f.practiceId).where('workflow_id', '=', kase.workflow_id).execute(),
    (r) => r.some((e) => e.table_name === 'case_states'),
    20_000,
    'the workflow to record a state',
  );
  expect(byWorkflow.every((e) => e.actor_kind === 'system' && e.actor_id === '00000000-0000-0000-0000-000000000001' && e.request_id === null)).toBe(true);
  expect(new Set(byWorkflow.map((e) => e.table_name))).toContain('awaiting_tasks');

  await env.h.database.asActor({ sub: p.f.members.doctor }, (trx) => trx.updateTable('cases').set({ title: 'Aligners, upper only' }).where('id', '=', kase.id).execute());
  const direct = await env.h.database.system.selectFrom('audit_log').selectAll().where('table_name', '=', 'cases').where('row_id', '=', kase.id).where('op', '=', 'UPDATE').where('db_role', 'like', '%>authenticated').execute();
  expect(direct).toEqual([expect.objectContaining({ actor_kind: 'user', actor_id: p.f.members.doctor, request_id: null, changed: { title: ['Aligners', 'Aligners, upper only'] } })]);
});

test('audit: every table carries the trigger; secrets and password hashes are never recorded', async () => {
  const missing = await sql<{ relname: string }>`
    SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> ALL (public.audit_skipped_tables())
       AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'audit_row_change')`.execute(env.h.database.system);
  expect(missing.rows).toEqual([]);

  const p = await practice();
  await setPassword(env, p.f.members.doctor, 'correct horse battery staple');
  const rows = await env.h.database.system.selectFrom('audit_log').selectAll().where('table_name', '=', 'user_credentials').where('row_id', '=', p.f.members.doctor).execute();
  expect(rows).toHaveLength(1);
  expect(Object.keys(rows[0]!.changed as object)).not.toContain('password_hash');
  expect(JSON.stringify(rows[0]!.changed)).not.toContain('argon2');
});
