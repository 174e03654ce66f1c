/**
 * Cross-tenant isolation: a member (owner, the strongest practice role) of practice A using the
 * ids of practice B gets 404 on every route that takes an id, exactly like a missing id, and
 * nothing of B changes.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import request from 'supertest';
import { addMember, createPatient, createPractitioner } from '../../src/repositories/identity.repository';
import { upsertCandidates } from '../../src/repositories/patient-matches.repository';
import { createPracticeFixture, createTemplate, createUser, type PracticeFixture } from '../support/fixtures';
import { clearAlignerTemplate } from '../../src/seed/templates';
import { waitFor } from '../support/wait';
import { insertProposal } from '../../src/repositories/intent-proposals.repository';
import { as, call, loadContract, setupApi, tokenFor, type ApiEnv, type Caller } from './support';
import { setupAndTeardown } from '../support/lifecycle';

/**
 * Every page of a keyset-paged list as one answer (the status and error of the first page that
 * is not 200): templates written by other test files into the same database meanwhile would
 * push a row past the first page.
 */
async function everyPage(caller: Caller, url: string): Promise<{ status: number; body: { items: unknown[]; nextCursor: null; error?: unknown } }> {
  const items: unknown[] = [];
  let cursor: string | null = null;
  do {
    const res = await caller.get(`${url}${url.includes('?') ? '&' : '?'}limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    if (res.status !== 200) return { status: res.status, body: res.body };
    items.push(...(res.body.items as unknown[]));
    cursor = res.body.nextCursor as string | null;
  } while (cursor);
  return { status: 200, body: { items, nextCursor: null } };
}

let env: ApiEnv;
setupAndTeardown(async () => {
  env = await setupApi({ config: { STORAGE_DIR: `${process.env.MDW_TEST_DIR}/files-tenancy-${process.pid}` } });
}, [() => env?.close()]);

test('every route that takes an id answers 404 for another practice’s ids, and nothing changes', async () => {
  const a = await createPracticeFixture(env.h.database.system);
  const b = await createPracticeFixture(env.h.database.system);
  const ownerA = as(env.app, await tokenFor(env.h.config, a.members.owner));
  const doctorB = as(env.app, await tokenFor(env.h.config, b.members.doctor));
  const ownerB = as(env.app, await tokenFor(env.h.config, b.members.owner));
  const tokenA = await tokenFor(env.h.config, a.members.owner);
  const tokenB = await tokenFor(env.h.config, b.members.technician);

  // Practice B's world, made through the API by B's own people.
  const kase = (await doctorB.post('/cases', { practiceId: b.practiceId, patientId: b.patientId, title: 'B case', caseType: 'active_treatment', templateId: env.templateId })).body;
  const view = await waitFor(
    () => doctorB.get(`/cases/${kase.id}`),
    (r) => r.body.workflow?.tasks.some((t: { awaitingDecision: boolean }) => t.awaitingDecision),
  );
  const taskId = view.body.workflow.tasks.find((t: { awaitingDecision: boolean }) => t.awaitingDecision).id as string;
  const message = (await doctorB.post(`/cases/${kase.id}/messages`, { content: 'B only' })).body;
  const file = (await request(env.app).post(`/cases/${kase.id}/files?fileName=b.pdf&fileType=document`).set('Authorization', `Bearer ${tokenB}`).set('Content-Type', 'application/pdf').send(Buffer.from('%PDF-1.4'))).body;
  const product = await env.h.database.system.insertInto('products').values({ name: `P ${randomUUID()}`, category: 'aligners', base_price: '10.00' }).returning('id').executeTakeFirstOrThrow();
  const order = (await doctorB.post(`/cases/${kase.id}/orders`, { items: [{ productId: product.id, quantity: 1 }] })).body;
  const template = (
    await ownerB.post('/workflow-templates', {
      name: 'B private',
      caseType: 'refinement',
      practiceId: b.practiceId,
      tasks: [{ key: 'intake', name: 'Intake', order: 1, functionType: 'submit', autoTransition: true, after: [] }],
    })
  ).body;
  const memberB = (await ownerB.get(`/practices/${b.practiceId}/members`)).body.items.find((m: { role: string }) => m.role === 'technician');
  const practitionerB = await createPractitioner(env.h.database.system, b.members.doctor, { licenseNumber: `B-${randomUUID()}` });
  // A possible duplicate pair of B's patients, as the legacy migration proposes it.
  const otherB = await createPatient(env.h.database.system, { practiceId: b.practiceId, email: `b2-${randomUUID()}@test.mdw`, firstName: 'Pat', lastName: 'Ient' });
  const legacyKeys = [`t-${randomUUID()}`, `t-${randomUUID()}`].sort();
  await upsertCandidates(env.h.database.system, randomUUID(), [{ pair: { a: legacyKeys[0]!, b: legacyKeys[1]!, grade: 'possible', score: 11, evidence: [] }, patientAId: b.patientId, patientBId: otherB.id }]);
  const matchB = await env.h.database.system.selectFrom('patient_match_reviews').select('id').where('legacy_key_a', '=', legacyKeys[0]!).executeTakeFirstOrThrow();
  const invitationB = (await ownerB.post(`/practices/${b.practiceId}/invitations`, { email: `b-hire-${randomUUID()}@test.mdw`, role: 'assistant', firstName: 'B', lastName: 'Hire' })).body;
  const projectB = (await request(env.app).post(`/cases/${kase.id}/projects?name=B%20plan&projectType=model&fileName=b.stl`).set('Authorization', `Bearer ${tokenB}`).set('Content-Type', 'model/stl').send(Buffer.from('solid b\nendsolid b\n'))).body;
  expect(projectB.id).toBeDefined();
  expect([kase.id, message.id, file.id, order.id, template.id, memberB.id, invitationB.id]).not.toContain(undefined);
  const holdB = (await ownerB.post(`/patients/${b.patientId}/legal-holds`, { reason: 'B matter' })).body;
  expect(holdB.id).toBeDefined();

  const snapshot = async () => {
    const db = env.h.database.system;
    return {
      practice: await db.selectFrom('practices').selectAll().where('id', '=', b.practiceId).executeTakeFirst(),
      members: await db.selectFrom('practice_members').selectAll().where('practice_id', '=', b.practiceId).orderBy('id').execute(),
      patients: await db.selectFrom('patients').selectAll().where('practice_id', '=', b.practiceId).orderBy('id').execute(),
      profile: await db.selectFrom('profiles').selectAll().where('id', 'in', [b.members.doctor]).execute(),
      cases: await db.selectFrom('cases').select(['id', 'current_state', 'priority', 'updated_at']).where('practice_id', '=', b.practiceId).orderBy('id').execute(),
      states: (await sql<{ n: number }>`select count(*)::int as n from case_states where practice_id = ${b.practiceId}`.execute(db)).rows[0]!.n,
      messages: await db.selectFrom('case_messages').select(['id', 'read_by']).where('practice_id', '=', b.practiceId).orderBy('id').execute(),
      files: await db.selectFrom('case_files').select('id').where('practice_id', '=', b.practiceId).orderBy('id').execute(),
      orders: await db.selectFrom('orders').select(['id', 'updated_at']).where('practice_id', '=', b.practiceId).orderBy('id').execute(),
      templates: await db.selectFrom('workflow_templates').selectAll().where('practice_id', '=', b.practiceId).orderBy('id').execute(),
      practitioner: await db.selectFrom('practitioners').selectAll().where('id', '=', practitionerB).execute(),
      matches: await db.selectFrom('patient_match_reviews').selectAll().where('id', '=', matchB.id).execute(),
      invitations: await db.selectFrom('practice_invitations').selectAll().where('practice_id', '=', b.practiceId).orderBy('id').execute(),
      consents: await db.selectFrom('patient_consents').selectAll().where('practice_id', '=', b.practiceId).orderBy('id').execute(),
      projects: await db.selectFrom('projects').select(['id', 'status', 'version', 'updated_at']).where('practice_id', '=', b.practiceId).orderBy('id').execute(),
    };
  };
  const before = await snapshot();
  const decisionsBefore = view.body.workflow.decisions.length;

  const covered = new Set<string>();
  const attempts: Array<[string, string, () => Promise<request.Response>]> = [
    ['get', '/cases/{id}', () => ownerA.get(`/cases/${kase.id}`)],
    ['post', '/cases/{id}/tasks/{taskId}/decision', () => ownerA.post(`/cases/${kase.id}/tasks/${taskId}/decision`, { decision: 'approve' })],
    ['post', '/cases/{id}/tasks/{taskId}/complete', () => ownerA.post(`/cases/${kase.id}/tasks/${taskId}/complete`, {})],
    ['post', '/cases/{id}/tasks/{taskId}/claim', () => ownerA.post(`/cases/${kase.id}/tasks/${taskId}/claim`)],
    ['post', '/cases/{id}/tasks/{taskId}/release', () => ownerA.post(`/cases/${kase.id}/tasks/${taskId}/release`)],
    ['post', '/cases/{id}/tasks/{taskId}/assign', () => ownerA.post(`/cases/${kase.id}/tasks/${taskId}/assign`, { assigneeId: a.members.technician })],
    ['post', '/cases/{id}/hold', () => ownerA.post(`/cases/${kase.id}/hold`, { reason: 'x' })],
    ['post', '/cases/{id}/resume', () => ownerA.post(`/cases/${kase.id}/resume`, {})],
    ['post', '/cases/{id}/cancel', () => ownerA.post(`/cases/${kase.id}/cancel`, { reason: 'x' })],
    ['post', '/cases/{id}/priority', () => ownerA.post(`/cases/${kase.id}/priority`, { priority: 'urgent' })],
    ['post', '/cases/{id}/seat-date', () => ownerA.post(`/cases/${kase.id}/seat-date`, { seatDate: new Date(Date.now() + 30 * 86_400_000).toISOString() })],
    ['get', '/patients/{id}', () => ownerA.get(`/patients/${b.patientId}`)],
    ['patch', '/patients/{id}', () => ownerA.patch(`/patients/${b.patientId}`, { firstName: 'Hacked', medicalHistory: { x: 1 } })],
    ['get', '/patients/{id}/access-log', () => ownerA.get(`/patients/${b.patientId}/access-log`)],
    ['get', '/patients/{id}/consents', () => ownerA.get(`/patients/${b.patientId}/consents`)],
    ['post', '/patients/{id}/consents', () => ownerA.post(`/patients/${b.patientId}/consents`, { kind: 'ai_processing', granted: false })],
    ['get', '/practices/{id}', () => ownerA.get(`/practices/${b.practiceId}`)],
    ['patch', '/practices/{id}', () => ownerA.patch(`/practices/${b.practiceId}`, { name: 'Hacked' })],
    ['get', '/practices/{id}/members', () => ownerA.get(`/practices/${b.practiceId}/members`)],
    ['post', '/practices/{id}/invitations', () => ownerA.post(`/practices/${b.practiceId}/invitations`, { email: `intruder-${randomUUID()}@test.mdw`, role: 'owner', firstName: 'I', lastName: 'N' })],
    ['get', '/practices/{id}/invitations', () => ownerA.get(`/practices/${b.practiceId}/invitations`)],
    ['delete', '/practices/{id}/invitations/{invitationId}', () => ownerA.delete(`/practices/${b.practiceId}/invitations/${invitationB.id}`)],
    ['post', '/invitations/{id}/accept', () => ownerA.post(`/invitations/${invitationB.id}/accept`)],
    ['patch', '/practices/{id}/members/{memberId}', () => ownerA.patch(`/practices/${b.practiceId}/members/${memberB.id}`, { role: 'owner' })],
    ['delete', '/practices/{id}/members/{memberId}', () => ownerA.delete(`/practices/${b.practiceId}/members/${memberB.id}`)],
    ['get', '/practitioners/{id}', () => ownerA.get(`/practitioners/${practitionerB}`)],
    ['patch', '/practitioners/{id}', () => ownerA.patch(`/practitioners/${practitionerB}`, { bio: 'Hacked' })],
    ['post', '/cases/{id}/messages', () => ownerA.post(`/cases/${kase.id}/messages`, { content: 'intrusion' })],
    ['get', '/cases/{id}/messages', () => ownerA.get(`/cases/${kase.id}/messages`)],
    ['get', '/cases/{id}/similar', () => ownerA.get(`/cases/${kase.id}/similar`)],
    ['post', '/cases/{id}/messages/{messageId}/read', () => ownerA.post(`/cases/${kase.id}/messages/${message.id}/read`)],
    ['post', '/cases/{id}/files', () => request(env.app).post(`/cases/${kase.id}/files?fileName=x.pdf&fileType=document`).set('Authorization', `Bearer ${tokenA}`).set('Content-Type', 'application/pdf').send(Buffer.from('%PDF'))],
    ['get', '/cases/{id}/files', () => ownerA.get(`/cases/${kase.id}/files`)],
    ['get', '/cases/{id}/files/{fileId}', () => ownerA.get(`/cases/${kase.id}/files/${file.id}`)],
    ['get', '/cases/{id}/files/{fileId}/content', () => request(env.app).get(`/cases/${kase.id}/files/${file.id}/content`).set('Authorization', `Bearer ${tokenA}`)],
    ['post', '/cases/{id}/orders', () => ownerA.post(`/cases/${kase.id}/orders`, { items: [{ productId: product.id, quantity: 1 }] })],
    ['get', '/orders/{id}', () => ownerA.get(`/orders/${order.id}`)],
    ['get', '/workflow-templates/{id}', () => ownerA.get(`/workflow-templates/${template.id}`)],
    ['get', '/patient-matches/{id}', () => ownerA.get(`/patient-matches/${matchB.id}`)],
    ['post', '/patient-matches/{id}/accept', () => ownerA.post(`/patient-matches/${matchB.id}/accept`, {})],
    ['post', '/patient-matches/{id}/reject', () => ownerA.post(`/patient-matches/${matchB.id}/reject`)],
    ['post', '/workflow-templates/{id}/versions', () => ownerA.post(`/workflow-templates/${template.id}/versions`, { name: 'Hacked', caseType: 'refinement', tasks: [{ key: 'i', name: 'I', order: 1, functionType: 'submit', after: [] }] })],
    ['get', '/workflow-templates/{id}/insights', () => ownerA.get(`/workflow-templates/${template.id}/insights`)],
    ['get', '/cases/{id}/proposals', () => ownerA.get(`/cases/${kase.id}/proposals`)],
    ['post', '/cases/{id}/proposals/{proposalId}/confirm', () => ownerA.post(`/cases/${kase.id}/proposals/${randomUUID()}/confirm`)],
    ['post', '/cases/{id}/proposals/{proposalId}/dismiss', () => ownerA.post(`/cases/${kase.id}/proposals/${randomUUID()}/dismiss`, {})],
    ['post', '/patients/{id}/erasure', () => ownerA.post(`/patients/${b.patientId}/erasure`)],
    ['get', '/erasures/{id}', () => ownerA.get(`/erasures/${randomUUID()}`)],
    ['get', '/erasures/{id}/certificate', () => ownerA.get(`/erasures/${randomUUID()}/certificate`)],
    ['post', '/patients/{id}/legal-holds', () => ownerA.post(`/patients/${b.patientId}/legal-holds`, { reason: 'intrusion' })],
    ['get', '/patients/{id}/legal-holds', () => ownerA.get(`/patients/${b.patientId}/legal-holds`)],
    ['post', '/patients/{id}/legal-holds/{holdId}/lift', () => ownerA.post(`/patients/${b.patientId}/legal-holds/${holdB.id}/lift`, {})],
    ['get', '/practices/{id}/retention', () => ownerA.get(`/practices/${b.practiceId}/retention`)],
    ['patch', '/practices/{id}/retention', () => ownerA.patch(`/practices/${b.practiceId}/retention`, { clinicalRecordYears: 0 })],
    ['post', '/cases/{id}/projects', () => request(env.app).post(`/cases/${kase.id}/projects?name=X&projectType=model&fileName=x.stl`).set('Authorization', `Bearer ${tokenA}`).set('Content-Type', 'model/stl').send(Buffer.from('solid x\nendsolid x\n'))],
    ['get', '/cases/{id}/projects', () => ownerA.get(`/cases/${kase.id}/projects`)],
    ['get', '/projects/{id}', () => ownerA.get(`/projects/${projectB.id}`)],
    ['get', '/projects/{id}/versions', () => ownerA.get(`/projects/${projectB.id}/versions`)],
    ['post', '/projects/{id}/versions', () => request(env.app).post(`/projects/${projectB.id}/versions?fileName=x.stl`).set('Authorization', `Bearer ${tokenA}`).set('Content-Type', 'model/stl').send(Buffer.from('solid x\nendsolid x\n'))],
    ['get', '/projects/{id}/content', () => request(env.app).get(`/projects/${projectB.id}/content`).set('Authorization', `Bearer ${tokenA}`)],
    ['post', '/projects/{id}/status', () => ownerA.post(`/projects/${projectB.id}/status`, { status: 'archived' })],
  ];
  for (const [method, path, attempt] of attempts) {
    const res = await attempt();
    expect({ route: `${method} ${path}`, status: res.status, code: res.body?.error?.code }).toEqual({ route: `${method} ${path}`, status: 404, code: 'not_found' });
    covered.add(`${method} ${path}`);
  }
  // The same routes with a random id answer the same thing.
  const missing = await ownerA.get(`/cases/${randomUUID()}`);
  expect(missing.status).toBe(404);
  expect(missing.body.error.message).toBe((await ownerA.get(`/cases/${kase.id}`)).body.error.message);

  // Ids of B in bodies and filters: also invisible.
  expect((await ownerA.post('/cases', { practiceId: b.practiceId, patientId: b.patientId, title: 'x', caseType: 'active_treatment' })).status).toBe(404);
  expect((await ownerA.post('/patients', { practiceId: b.practiceId, firstName: 'X', lastName: 'Y' })).status).toBe(404);
  expect((await ownerA.get(`/cases?practiceId=${b.practiceId}`)).body.items).toEqual([]);
  expect((await ownerA.get(`/cases?patientId=${b.patientId}`)).body.items).toEqual([]);
  expect((await ownerA.get(`/patients?practiceId=${b.practiceId}`)).body.items).toEqual([]);
  expect((await ownerA.get(`/orders?caseId=${kase.id}`)).body.items).toEqual([]);
  expect((await ownerA.get(`/tasks/inbox?practiceId=${b.practiceId}`)).body.items).toEqual([]);
  expect((await everyPage(ownerA, `/workflow-templates?practiceId=${b.practiceId}&includeInactive=true`)).body.items.map((t) => (t as { id: string }).id)).not.toContain(template.id);

  expect(await snapshot()).toEqual(before);
  const after = await doctorB.get(`/cases/${kase.id}`);
  expect(after.body.workflow.decisions).toHaveLength(decisionsBefore);
  expect(after.body.workflow.onHold).toBe(false);

  // Every documented route with an id in its path is covered above.
  const doc = await loadContract(env.app);
  const idRoutes = Object.entries(doc.paths).flatMap(([path, ops]) => (path.includes('{') ? Object.keys(ops).map((m) => `${m} ${path}`) : []));
  // Products are a global catalogue, not practice data.
  const global = new Set(['get /products/{id}']);
  expect(idRoutes.filter((r) => !covered.has(r) && !global.has(r))).toEqual([]);
});

test('every route in the app is in the OpenAPI document', async () => {
  const doc = await loadContract(env.app);
  const stack = (env.app as unknown as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: unknown[] } }> } }).router.stack;
  const found: string[] = [];
  const walk = (layers: typeof stack) => {
    for (const l of layers) {
      if (l.route) for (const m of Object.keys(l.route.methods)) found.push(`${m} ${l.route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
      else if (l.handle?.stack) walk(l.handle.stack as typeof stack);
    }
  };
  walk(stack);
  const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`)));
  const served = found.filter((r) => r !== 'get /openapi.json' && r !== 'get /docs');
  expect(served.length).toBeGreaterThan(40);
  expect(served.filter((r) => !documented.has(r))).toEqual([]);
  expect([...documented].filter((r) => !served.includes(r))).toEqual([]);
});

test('every id a request body carries is checked against the caller: another practice’s id answers 404 naming the field, and nothing is written', async () => {
  const sys = env.h.database.system;
  const a = await createPracticeFixture(sys);
  const b = await createPracticeFixture(sys);
  const c = await createPracticeFixture(sys);
  // One person who owns A and C: C's ids are visible to them, yet must not cross into A's records.
  await addMember(sys, c.practiceId, a.members.owner, 'owner');
  const ownerA = as(env.app, await tokenFor(env.h.config, a.members.owner));
  const ownerB = as(env.app, await tokenFor(env.h.config, b.members.owner));
  const privateTemplate = async (practiceId: string) => createTemplate(sys, { ...clearAlignerTemplate({ name: `Private ${randomUUID().slice(0, 8)}` }), practiceId });
  const [templateB, templateC] = [await privateTemplate(b.practiceId), await privateTemplate(c.practiceId)];
  const practitionerA = await createPractitioner(sys, a.members.doctor, { licenseNumber: `A-${randomUUID()}` });
  const practitionerB = await createPractitioner(sys, b.members.doctor, { licenseNumber: `B-${randomUUID()}` });
  const practitionerC = await createPractitioner(sys, c.members.doctor, { licenseNumber: `C-${randomUUID()}` });

  const count = async () => {
    const n = async (q: ReturnType<typeof sql<{ n: number }>>) => (await q.execute(sys)).rows[0]!.n;
    const ids = [a.practiceId, b.practiceId, c.practiceId];
    return {
      cases: await n(sql<{ n: number }>`select count(*)::int as n from cases where practice_id in (${sql.join(ids)})`),
      patients: await n(sql<{ n: number }>`select count(*)::int as n from patients where practice_id in (${sql.join(ids)})`),
      templates: await n(sql<{ n: number }>`select count(*)::int as n from workflow_templates where practice_id in (${sql.join(ids)})`),
      practitioners: await n(sql<{ n: number }>`select count(*)::int as n from practitioners where profile_id in (${sql.join([...Object.values(a.members), ...Object.values(b.members)])})`),
      members: await n(sql<{ n: number }>`select count(*)::int as n from practice_members where practice_id in (${sql.join(ids)})`),
    };
  };
  // A pair of A's own patients in the review queue: its survivor must be one of them.
  const secondA = await createPatient(sys, { practiceId: a.practiceId, email: `a2-${randomUUID()}@test.mdw`, firstName: 'Pat', lastName: 'Ient' });
  const keysA = [`t-${randomUUID()}`, `t-${randomUUID()}`].sort();
  await upsertCandidates(sys, randomUUID(), [{ pair: { a: keysA[0]!, b: keysA[1]!, grade: 'possible', score: 11, evidence: [] }, patientAId: a.patientId, patientBId: secondA.id }]);
  const matchA = (await sys.selectFrom('patient_match_reviews').select('id').where('legacy_key_a', '=', keysA[0]!).executeTakeFirstOrThrow()).id;
  const before = await count();

  const kaseA = { practiceId: a.practiceId, patientId: a.patientId, title: 'x', caseType: 'active_treatment', templateId: env.templateId };
  const covered = new Set<string>();
  const cases: Array<[route: string, field: string, send: () => Promise<request.Response>]> = [
    ['post /cases', 'practiceId', () => ownerA.post('/cases', { ...kaseA, practiceId: b.practiceId, patientId: b.patientId })],
    ['post /cases', 'patientId', () => ownerA.post('/cases', { ...kaseA, patientId: b.patientId })],
    ['post /cases', 'patientId', () => ownerA.post('/cases', { ...kaseA, patientId: c.patientId })], // visible (C), but not A's
    ['post /cases', 'templateId', () => ownerA.post('/cases', { ...kaseA, templateId: templateB })],
    ['post /cases', 'templateId', () => ownerA.post('/cases', { ...kaseA, templateId: templateC })], // visible (C), but not A's
    ['post /cases', 'assignedPractitionerId', () => ownerA.post('/cases', { ...kaseA, assignedPractitionerId: practitionerB })],
    ['post /cases', 'assignedPractitionerId', () => ownerA.post('/cases', { ...kaseA, assignedPractitionerId: practitionerC })], // visible (C), but not A's
    ['post /patients', 'practiceId', () => ownerA.post('/patients', { practiceId: b.practiceId, firstName: 'X', lastName: 'Y' })],
    ['post /workflow-templates', 'practiceId', () => ownerA.post('/workflow-templates', { name: 'x', caseType: 'refinement', practiceId: b.practiceId, tasks: [{ key: 'i', name: 'I', order: 1, functionType: 'submit', after: [] }] })],
    ['post /patient-matches/{id}/accept', 'survivorPatientId', () => ownerA.post(`/patient-matches/${matchA}/accept`, { survivorPatientId: b.patientId })],
    ['post /patient-matches/{id}/accept', 'survivorPatientId', () => ownerA.post(`/patient-matches/${matchA}/accept`, { survivorPatientId: c.patientId })], // visible (C), but not of the pair
    ['post /practitioners', 'profileId', () => ownerA.post('/practitioners', { profileId: b.members.technician, licenseNumber: 'L' })],
  ];
  for (const [route, field, send] of cases) {
    const res = await send();
    expect({ route, field, status: res.status, code: res.body?.error?.code, fields: res.body?.error?.details?.map((d: { field: string }) => d.field) }).toEqual({ route, field, status: 404, code: 'not_found', fields: [field] });
    covered.add(`${route} ${field}`);
  }
  // The same requests with A's own ids succeed (the checks refuse foreign ids, not ids).
  const own = await ownerA.post('/cases', { ...kaseA, assignedPractitionerId: practitionerA });
  expect(own.status).toBe(201);
  expect(own.body.assignedPractitionerId).toBe(practitionerA);
  // A task of A's case assigned to B's technician: B's people are unknown here.
  const ownTask = await waitFor(
    () => ownerA.get(`/cases/${own.body.id}`),
    (r) => r.body.workflow?.tasks.some((t: { awaitingDecision: boolean }) => t.awaitingDecision),
  );
  const awaitingTask = ownTask.body.workflow.tasks.find((t: { awaitingDecision: boolean }) => t.awaitingDecision).id as string;
  const foreignAssignee = await ownerA.post(`/cases/${own.body.id}/tasks/${awaitingTask}/assign`, { assigneeId: b.members.technician });
  expect({ status: foreignAssignee.status, code: foreignAssignee.body.error?.code, fields: foreignAssignee.body.error?.details?.map((d: { field: string }) => d.field) }).toEqual({ status: 404, code: 'not_found', fields: ['assigneeId'] });
  covered.add('post /cases/{id}/tasks/{id}/assign assigneeId');
  // A decision pinning a project version: B's project, and C's (visible) that is not of this case.
  const projectOf = async (f: typeof b) =>
    (await sys.insertInto('projects').values({ practice_id: f.practiceId, creator_id: f.members.owner, name: 'P', project_type: 'model' }).returning('id').executeTakeFirstOrThrow()).id;
  for (const versionId of [await projectOf(b), await projectOf(c)]) {
    const pinned = await ownerA.post(`/cases/${own.body.id}/tasks/${awaitingTask}/decision`, { decision: 'approve', projectVersionId: versionId });
    expect({ status: pinned.status, code: pinned.body.error?.code, fields: pinned.body.error?.details?.map((d: { field: string }) => d.field) }).toEqual({ status: 404, code: 'not_found', fields: ['projectVersionId'] });
  }
  covered.add('post /cases/{id}/tasks/{id}/decision projectVersionId');
  const after = await count();
  expect(after).toEqual({ ...before, cases: before.cases + 1 });

  // The reported leak: a membership pointing at another practice's practitioner. An invitation
  // carries no practitioner at all (an unknown field is dropped); accepting links the person's own.
  const hireEmail = `hire-${randomUUID()}@test.mdw`;
  const inv = await ownerB.post(`/practices/${b.practiceId}/invitations`, { email: hireEmail, role: 'doctor', firstName: 'H', lastName: 'Ire', practitionerId: practitionerA });
  expect(inv.status).toBe(201);
  const hire = (await sys.selectFrom('profiles').select('id').where('email', '=', hireEmail).executeTakeFirstOrThrow()).id;
  const member = await as(env.app, await tokenFor(env.h.config, hire)).post(`/invitations/${inv.body.id}/accept`);
  expect(member.status).toBe(201);
  expect(member.body.practitionerId).toBeNull();
  expect((await ownerB.get(`/practitioners/${practitionerA}`)).status).toBe(404);
  expect((await ownerB.get(`/practitioners?practiceId=${b.practiceId}`)).body.items.map((p: { id: string }) => p.id)).not.toContain(practitionerA);

  // Every id-carrying field of every documented request body is in the list above, so a new
  // one cannot be added without its cross-tenant case. Products are a global catalogue; the
  // template validator only checks a definition's shape and reads nothing.
  const doc = (await loadContract(env.app)) as unknown as { paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: unknown }> } }>>; components: { schemas: Record<string, unknown> } };
  const resolve = (s: unknown): Record<string, unknown> => {
    const ref = (s as { $ref?: string })?.$ref;
    return (ref ? doc.components.schemas[ref.split('/').pop()!] : s) as Record<string, unknown>;
  };
  const idFields = (schema: unknown, prefix = ''): string[] => {
    const s = resolve(schema);
    if (!s) return [];
    const out: string[] = [];
    for (const part of [...((s.allOf as unknown[]) ?? []), ...((s.anyOf as unknown[]) ?? []), ...((s.oneOf as unknown[]) ?? [])]) out.push(...idFields(part, prefix));
    if (s.items) out.push(...idFields(s.items, `${prefix}[].`));
    for (const [k, v] of Object.entries((s.properties as Record<string, unknown>) ?? {})) {
      if (/Id$/.test(k)) out.push(`${prefix}${k}`);
      out.push(...idFields(v, `${prefix}${k}.`));
    }
    return out;
  };
  const carried = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).flatMap(([method, op]) => idFields(op.requestBody?.content?.['application/json']?.schema).map((f) => `${method} ${path.replace(/\{[^}]+\}/g, '{id}')} ${f}`)),
  );
  const global = new Set(['post /cases/{id}/orders items.[].productId', 'post /workflow-templates/validate practiceId']);
  expect(carried.length).toBeGreaterThan(5);
  expect(carried.filter((f) => !covered.has(f) && !global.has(f))).toEqual([]);
});

/**
 * Issue 11 §1: every route the app serves, seen by five people against practice A's objects:
 * a member of A (its owner, the strongest practice role), a member of B (B's owner), a lab
 * technician, lab support and a lab admin (the last three listed in lab_staff, members of no
 * practice). The least-privilege rule decides each cell:
 * - lab staff read what their work needs (the case, the patient's name, number and birthdate,
 *   files, messages, orders, projects, the queue, analytics), write messages, files and project
 *   versions/status as themselves, and act on tasks for their roles (technicians; support reads
 *   only). They do not administer practices (settings, members, invitations, retention,
 *   templates), and read no other patient data: the patient record, consents, legal holds,
 *   access log, erasures and duplicate reviews answer 404, exactly like a stranger, because a
 *   403 would confirm that the patient exists; the case carries the card they need.
 * - B sees nothing of A: 404 on every id of A (never 403), and lists without A's rows.
 * - The lab admin is an internal admin (profiles.role admin, RLS "all access for admin users"):
 *   lab-wide operations (practices, products, alerts, codec, duplicate reviews, audit) are theirs;
 *   practice administration that goes through membership stays the practice's.
 * Viewers run in the row's order (default B, support, tech, lab admin, A) so that the writes a
 * row lets through happen after the refusals were checked against unchanged data.
 */
describe('every route, five viewers', () => {
  type ViewerName = 'A' | 'B' | 'tech' | 'support' | 'labAdmin';
  interface Viewer {
    name: ViewerName;
    id: string;
    token: string;
    api: Caller;
    /** A request outside the contract helper (raw uploads and downloads). */
    raw: (method: 'get' | 'post', url: string) => request.Test;
  }
  interface World {
    a: PracticeFixture;
    b: PracticeFixture;
    caseA: { id: string; taskId: string };
    caseCancel: string;
    messageA: string;
    fileA: string;
    orderA: string;
    productId: string;
    projectA: string;
    templateA: string;
    practitionerA: string;
    invitationA: string;
    extraMember: string;
    holdA: string;
    patientErased: string;
    erasureA: string;
    pairAccept: string;
    pairReject: string;
    proposalHold: string;
    proposalResume: string;
    viewers: Record<ViewerName, Viewer>;
  }
  type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  type Expect = number | { status: number; code?: string; check?: (body: Body, w: World, v: Viewer) => void };
  interface Row {
    call: (v: Viewer, w: World) => Promise<Pick<request.Response, 'status' | 'body'>>;
    A: Expect;
    B?: Expect;
    tech: Expect;
    /** Defaults to the technician's expectation. */
    support?: Expect;
    /** Defaults to the technician's expectation. */
    labAdmin?: Expect;
    order?: ViewerName[];
  }
  const NOT_FOUND: Expect = { status: 404, code: 'not_found' };
  const FORBIDDEN: Expect = { status: 403, code: 'forbidden' };
  const NOT_A_MEMBER: Expect = { status: 403, code: 'not_a_member' };
  const WRONG_ROLE: Expect = { status: 422, code: 'wrong_role' };
  const ids = (b: Body) => (b.items as Array<{ id: string }>).map((i) => i.id);
  const caseIds = (b: Body) => (b.items as Array<{ caseId: string }>).map((i) => i.caseId);
  const stl = Buffer.from('solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0 0\nvertex 0 1 0\nendloop\nendfacet\nendsolid x\n');
  const upload = (v: Viewer, url: string, type: string, body: Buffer) => v.raw('post', url).set('Content-Type', type).send(body);

  // The case view never carries the patient's medical history or clinical summary. Their whole
  // markers, not '4711' alone: four digits are also hex, and a random uuid in the body (a message id
  // such as 01a230c2-6c5c-4711-…) contained them once in a clean-clone run.
  const expectNoClinicalFields = (b: unknown) => {
    const text = JSON.stringify(b);
    expect(text).not.toContain('latex-4711');
    expect(text).not.toContain('crowding-4711');
  };

  let w: World;
  beforeAll(async () => {
    const sys = env.h.database.system;
    const a = await createPracticeFixture(sys);
    const b = await createPracticeFixture(sys);
    await sys
      .updateTable('patients')
      .set({ date_of_birth: '1991-02-03', medical_history: JSON.stringify({ allergies: ['latex-4711'] }), clinical_summary: 'Class II div 1 crowding-4711' })
      .where('id', '=', a.patientId)
      .execute();
    const viewer = async (name: ViewerName, profileId: string): Promise<Viewer> => {
      const token = await tokenFor(env.h.config, profileId);
      return { name, id: profileId, token, api: as(env.app, token), raw: (m, url) => request(env.app)[m](url).set('Authorization', `Bearer ${token}`) };
    };
    const labStaff = async (role: 'technician' | 'support' | 'admin') => {
      const id = await createUser(sys, `lab-${role}`, role);
      await sys.insertInto('lab_staff').values({ profile_id: id }).execute();
      return id;
    };
    const viewers: Record<ViewerName, Viewer> = {
      A: await viewer('A', a.members.owner),
      B: await viewer('B', b.members.owner),
      tech: await viewer('tech', await labStaff('technician')),
      support: await viewer('support', await labStaff('support')),
      labAdmin: await viewer('labAdmin', await labStaff('admin')),
    };
    const doctorA = as(env.app, await tokenFor(env.h.config, a.members.doctor));
    const techA = await viewer('A', a.members.technician);
    const open = async () => {
      const created = await doctorA.post('/cases', { practiceId: a.practiceId, patientId: a.patientId, title: 'Aligners', caseType: 'active_treatment', templateId: env.templateId });
      const view = await waitFor(
        () => doctorA.get(`/cases/${created.body.id}`),
        (r) => r.body.workflow?.tasks.some((t: { awaitingDecision: boolean }) => t.awaitingDecision),
      );
      return { id: created.body.id as string, taskId: view.body.workflow.tasks.find((t: { awaitingDecision: boolean }) => t.awaitingDecision).id as string };
    };
    const caseA = await open();
    const caseCancel = (await open()).id;
    const messageA = (await doctorA.post(`/cases/${caseA.id}/messages`, { content: 'Records attached.' })).body.id;
    const fileA = (await upload(techA, `/cases/${caseA.id}/files?fileName=a.pdf&fileType=document`, 'application/pdf', Buffer.from('%PDF-1.4'))).body.id;
    const productId = (await sys.insertInto('products').values({ name: `P ${randomUUID()}`, category: 'aligners', base_price: '10.00' }).returning('id').executeTakeFirstOrThrow()).id;
    const orderA = (await doctorA.post(`/cases/${caseA.id}/orders`, { items: [{ productId, quantity: 1 }] })).body.id;
    const projectA = (await upload(techA, `/cases/${caseA.id}/projects?name=Upper&projectType=model&fileName=a.stl`, 'model/stl', stl)).body.id;
    const templateA = (
      await viewers.A.api.post('/workflow-templates', {
        name: 'A private',
        caseType: 'refinement',
        practiceId: a.practiceId,
        tasks: [{ key: 'intake', name: 'Intake', order: 1, functionType: 'submit', autoTransition: true, after: [] }],
      })
    ).body.id;
    const practitionerA = await createPractitioner(sys, a.members.doctor, { licenseNumber: `A-${randomUUID()}` });
    const invitationA = (await viewers.A.api.post(`/practices/${a.practiceId}/invitations`, { email: `a-hire-${randomUUID()}@test.mdw`, role: 'assistant', firstName: 'A', lastName: 'Hire' })).body.id;
    const extraMember = await addMember(sys, a.practiceId, await createUser(sys, 'extra'), 'assistant');
    const holdA = (await viewers.A.api.post(`/patients/${a.patientId}/legal-holds`, { reason: 'A matter' })).body.id;
    const pair = async () => {
      const p = [
        await createPatient(sys, { practiceId: a.practiceId, email: `m-${randomUUID()}@test.mdw`, firstName: 'Dup', lastName: 'Licate' }),
        await createPatient(sys, { practiceId: a.practiceId, email: `m-${randomUUID()}@test.mdw`, firstName: 'Dup', lastName: 'Licate' }),
      ];
      const keys = [`t-${randomUUID()}`, `t-${randomUUID()}`].sort();
      await upsertCandidates(sys, randomUUID(), [{ pair: { a: keys[0]!, b: keys[1]!, grade: 'possible', score: 11, evidence: [] }, patientAId: p[0]!.id, patientBId: p[1]!.id }]);
      return (await sys.selectFrom('patient_match_reviews').select('id').where('legacy_key_a', '=', keys[0]!).executeTakeFirstOrThrow()).id;
    };
    const [pairAccept, pairReject] = [await pair(), await pair()];
    const patientErased = (await createPatient(sys, { practiceId: a.practiceId, email: `e-${randomUUID()}@test.mdw`, firstName: 'Era', lastName: 'Sed' })).id;
    const erasureA = (await viewers.A.api.post(`/patients/${patientErased}/erasure`)).body.id;
    await waitFor(
      () => viewers.A.api.get(`/erasures/${erasureA}`),
      (r) => r.body.status === 'completed',
    );
    const proposal = async (action: 'hold' | 'resume', content: string) => {
      const m = (await doctorA.post(`/cases/${caseA.id}/messages`, { content })).body.id as string;
      return (
        await insertProposal(sys, { messageId: m, caseId: caseA.id, practiceId: a.practiceId, intent: action === 'hold' ? 'on_hold' : 'resume', action, taskId: null, allowedRoles: ['owner', 'doctor'], confidence: 0.9, evidence: [], model: null })
      ).id;
    };
    const proposalHold = await proposal('hold', 'Note one for the lab.');
    const proposalResume = await proposal('resume', 'Note two for the lab.');
    await sql`select public.refresh_case_dashboard()`.execute(sys);
    w = { a, b, caseA, caseCancel, messageA, fileA, orderA, productId, projectA, templateA, practitionerA, invitationA, extraMember, holdA, patientErased, erasureA, pairAccept, pairReject, proposalHold, proposalResume, viewers };
  });

  const everyone = (e: Expect): Pick<Row, 'A' | 'B' | 'tech'> => ({ A: e, B: e, tech: e });
  const ROUTES: Record<string, Row> = {
    // ---- public and per-person routes: the same for everyone ----
    'get /health': { call: (v) => v.api.get('/health'), ...everyone(200) },
    'get /openapi.json': { call: (v) => v.raw('get', '/openapi.json'), ...everyone(200) },
    'get /docs': { call: (v) => v.raw('get', '/docs'), ...everyone(200) },
    'get /metrics': { call: (v) => v.raw('get', '/metrics'), ...everyone(200) },
    'post /auth/login': { call: (v) => v.api.post('/auth/login', { email: `${v.name}@nowhere.test`, password: 'wrong password' }), ...everyone({ status: 401, code: 'invalid_credentials' }) },
    'post /auth/refresh': { call: (v) => v.api.post('/auth/refresh', { refreshToken: 'x'.repeat(43) }), ...everyone(401) },
    'post /auth/logout': { call: (v) => v.api.post('/auth/logout', { refreshToken: 'x'.repeat(43) }), ...everyone(204) },
    'get /me': { call: (v) => v.api.get('/me'), ...everyone({ status: 200, check: (b, _w, v) => expect(b.profile.id).toBe(v.id) }) },
    'patch /me': { call: (v) => v.api.patch('/me', { phone: '+1 555 0100' }), ...everyone({ status: 200, check: (b, _w, v) => expect(b.profile.id).toBe(v.id) }) },
    'get /profiles/me/notification-preferences': { call: (v) => v.api.get('/profiles/me/notification-preferences'), ...everyone(200) },
    'put /profiles/me/notification-preferences': { call: (v) => call(env.app, 'put', '/profiles/me/notification-preferences', { token: v.token, body: { overdue: 'digest' } }), ...everyone(200) },
    'get /invitations': { call: (v) => v.api.get('/invitations'), ...everyone({ status: 200, check: (b) => expect(b.items).toEqual([]) }) },
    'post /ai/intent': { call: (v) => v.api.post('/ai/intent', { text: 'Please put the case on hold' }), ...everyone(200) },
    'post /workflow-templates/validate': {
      call: (v) => v.api.post('/workflow-templates/validate', { name: 'x', caseType: 'refinement', tasks: [{ key: 'i', name: 'I', order: 1, functionType: 'submit', after: [] }] }),
      ...everyone(200),
    },
    'get /products': { call: (v) => v.api.get('/products'), ...everyone({ status: 200, check: (b, w) => expect(ids(b)).toContain(w.productId) }) },
    'get /products/{id}': { call: (v, w) => v.api.get(`/products/${w.productId}`), ...everyone(200) },

    // ---- lab-wide operations: the lab admin's ----
    'post /products': {
      call: (v) => v.api.post('/products', { name: `Lab product ${randomUUID()}`, category: 'services', basePrice: '5.00' }),
      A: FORBIDDEN,
      B: FORBIDDEN,
      tech: FORBIDDEN,
      labAdmin: 201,
    },
    'post /practices': { call: (v) => v.api.post('/practices', { name: `Lab client ${randomUUID()}`, owner: { email: `o-${randomUUID()}@test.mdw`, firstName: 'O', lastName: 'W' } }), A: FORBIDDEN, B: FORBIDDEN, tech: FORBIDDEN, labAdmin: 201 },
    'get /ops/alerts': { call: (v) => v.api.get('/ops/alerts'), A: FORBIDDEN, B: FORBIDDEN, tech: FORBIDDEN, labAdmin: 200 },
    'post /codec/decode': { call: (v) => v.api.post('/codec/decode', { payloads: [] }), A: FORBIDDEN, B: FORBIDDEN, tech: FORBIDDEN, labAdmin: 200 },
    'post /codec/encode': { call: (v) => v.api.post('/codec/encode', { payloads: [] }), A: FORBIDDEN, B: FORBIDDEN, tech: FORBIDDEN, labAdmin: 200 },
    'get /notifications/failures': { call: (v, w) => v.api.get(`/notifications/failures?practiceId=${w.a.practiceId}`), A: 200, B: { status: 200, check: (b) => expect(b.items).toEqual([]) }, tech: FORBIDDEN, labAdmin: 200 },

    // ---- practices and their administration ----
    'get /practices': {
      // Every page: lab staff see every practice of the database the suite's files share.
      call: async (v) => {
        const res = await v.api.get('/practices?limit=100');
        const items = [...(res.body.items ?? [])];
        for (let next = res.body.nextCursor; next; ) {
          const page = await v.api.get(`/practices?limit=100&cursor=${next}`);
          items.push(...page.body.items);
          next = page.body.nextCursor;
        }
        res.body = { ...res.body, items, nextCursor: null };
        return res;
      },
      A: { status: 200, check: (b, w) => expect(ids(b)).toEqual([w.a.practiceId]) },
      B: { status: 200, check: (b, w) => expect(ids(b)).toEqual([w.b.practiceId]) },
      tech: { status: 200, check: (b, w) => expect(ids(b)).toEqual(expect.arrayContaining([w.a.practiceId, w.b.practiceId])) },
    },
    'get /practices/{id}': { call: (v, w) => v.api.get(`/practices/${w.a.practiceId}`), A: { status: 200, check: (b) => expect(b.myRole).toBe('owner') }, tech: { status: 200, check: (b) => expect(b.myRole).toBeNull() } },
    'patch /practices/{id}': { call: (v, w) => v.api.patch(`/practices/${w.a.practiceId}`, { phone: '+1 555 0199' }), A: 200, tech: NOT_FOUND },
    'get /practices/{id}/members': { call: (v, w) => v.api.get(`/practices/${w.a.practiceId}/members`), A: 200, tech: NOT_FOUND },
    'patch /practices/{id}/members/{memberId}': { call: (v, w) => v.api.patch(`/practices/${w.a.practiceId}/members/${w.extraMember}`, { role: 'doctor' }), A: 200, tech: NOT_FOUND },
    'delete /practices/{id}/members/{memberId}': { call: (v, w) => v.api.delete(`/practices/${w.a.practiceId}/members/${w.extraMember}`), A: 204, tech: NOT_FOUND },
    'post /practices/{id}/invitations': {
      call: (v, w) => v.api.post(`/practices/${w.a.practiceId}/invitations`, { email: `inv-${v.name}-${randomUUID()}@test.mdw`, role: 'assistant', firstName: 'I', lastName: 'N' }),
      A: 201,
      tech: NOT_FOUND,
    },
    'get /practices/{id}/invitations': { call: (v, w) => v.api.get(`/practices/${w.a.practiceId}/invitations`), A: { status: 200, check: (b, w) => expect(ids(b)).toContain(w.invitationA) }, tech: NOT_FOUND },
    'delete /practices/{id}/invitations/{invitationId}': { call: (v, w) => v.api.delete(`/practices/${w.a.practiceId}/invitations/${w.invitationA}`), A: 204, tech: NOT_FOUND },
    // Only the invitee accepts: nobody here is.
    'post /invitations/{id}/accept': { call: (v, w) => v.api.post(`/invitations/${w.invitationA}/accept`), ...everyone(NOT_FOUND) },
    'get /practices/{id}/retention': { call: (v, w) => v.api.get(`/practices/${w.a.practiceId}/retention`), A: 200, tech: NOT_FOUND },
    'patch /practices/{id}/retention': { call: (v, w) => v.api.patch(`/practices/${w.a.practiceId}/retention`, { clinicalRecordYears: 11 }), A: 200, tech: NOT_FOUND },
    'get /practitioners': { call: (v, w) => v.api.get(`/practitioners?practiceId=${w.a.practiceId}`), A: { status: 200, check: (b, w) => expect(ids(b)).toContain(w.practitionerA) }, B: { status: 200, check: (b) => expect(b.items).toEqual([]) }, tech: { status: 200, check: (b) => expect(b.items).toEqual([]) }, labAdmin: { status: 200, check: (b, w) => expect(ids(b)).toContain(w.practitionerA) } },
    'get /practitioners/{id}': { call: (v, w) => v.api.get(`/practitioners/${w.practitionerA}`), A: 200, tech: NOT_FOUND, labAdmin: 200 },
    'patch /practitioners/{id}': { call: (v, w) => v.api.patch(`/practitioners/${w.practitionerA}`, { bio: 'Updated' }), A: 200, tech: NOT_FOUND, labAdmin: 200 },
    // A's staff profiles are visible to lab staff (who wrote, who is assigned: 0040), so a 403 tells them nothing new.
    'post /practitioners': { call: (v, w) => v.api.post('/practitioners', { profileId: v.name === 'A' ? w.a.members.assistant : w.a.members.technician, licenseNumber: `L-${v.name}-${randomUUID()}` }), A: 201, tech: FORBIDDEN, labAdmin: 201 },
    'get /workflow-templates': {
      call: (v, w) => everyPage(v.api, `/workflow-templates?practiceId=${w.a.practiceId}&includeInactive=true`),
      A: { status: 200, check: (b, w) => expect(ids(b)).toContain(w.templateA) },
      B: { status: 200, check: (b, w) => expect(ids(b)).not.toContain(w.templateA) },
      tech: { status: 200, check: (b, w) => expect(ids(b)).not.toContain(w.templateA) },
      labAdmin: { status: 200, check: (b, w) => expect(ids(b)).toContain(w.templateA) },
    },
    'get /workflow-templates/{id}': { call: (v, w) => v.api.get(`/workflow-templates/${w.templateA}`), A: 200, tech: NOT_FOUND, labAdmin: 200 },
    'get /workflow-templates/{id}/insights': { call: (v, w) => v.api.get(`/workflow-templates/${w.templateA}/insights`), A: 200, tech: NOT_FOUND, labAdmin: 200 },
    'post /workflow-templates': {
      call: (v, w) => v.api.post('/workflow-templates', { name: `T ${v.name}`, caseType: 'refinement', practiceId: w.a.practiceId, tasks: [{ key: 'i', name: 'I', order: 1, functionType: 'submit', autoTransition: true, after: [] }] }),
      A: 201,
      tech: NOT_FOUND,
    },
    'post /workflow-templates/{id}/versions': {
      call: (v, w) => v.api.post(`/workflow-templates/${w.templateA}/versions`, { name: 'A private v2', caseType: 'refinement', tasks: [{ key: 'i', name: 'I', order: 1, functionType: 'submit', autoTransition: true, after: [] }] }),
      A: 201,
      tech: NOT_FOUND,
    },

    // ---- patients: lab staff get the card on the case, never the record ----
    'post /patients': { call: (v, w) => v.api.post('/patients', { practiceId: w.a.practiceId, firstName: 'New', lastName: `Patient ${v.name}` }), A: 201, tech: NOT_FOUND },
    'get /patients': {
      call: (v, w) => v.api.get(`/patients?practiceId=${w.a.practiceId}`),
      A: { status: 200, check: (b, w) => expect(ids(b)).toContain(w.a.patientId) },
      B: { status: 200, check: (b) => expect(b.items).toEqual([]) },
      tech: { status: 200, check: (b) => expect(b.items).toEqual([]) },
      labAdmin: { status: 200, check: (b, w) => expect(ids(b)).toContain(w.a.patientId) },
    },
    'get /patients/{id}': { call: (v, w) => v.api.get(`/patients/${w.a.patientId}`), A: { status: 200, check: (b) => expect(JSON.stringify(b)).toContain('latex-4711') }, tech: NOT_FOUND, labAdmin: 200 },
    'patch /patients/{id}': { call: (v, w) => v.api.patch(`/patients/${w.a.patientId}`, { phone: '+1 555 0142' }), A: 200, tech: NOT_FOUND, labAdmin: 200 },
    'get /patients/{id}/consents': { call: (v, w) => v.api.get(`/patients/${w.a.patientId}/consents`), A: 200, tech: NOT_FOUND, labAdmin: 200 },
    // Consent is recorded by the patient's practice (owner, admin, doctor): the lab admin sees the patient but has no such role.
    'post /patients/{id}/consents': { call: (v, w) => v.api.post(`/patients/${w.a.patientId}/consents`, { kind: 'ai_processing', granted: true }), A: 201, tech: NOT_FOUND, labAdmin: FORBIDDEN },
    'get /patients/{id}/access-log': { call: (v, w) => v.api.get(`/patients/${w.a.patientId}/access-log`), A: 200, tech: NOT_FOUND, labAdmin: 200 },
    'post /patients/{id}/legal-holds': { call: (v, w) => v.api.post(`/patients/${w.a.patientId}/legal-holds`, { reason: `hold by ${v.name}` }), A: 201, tech: NOT_FOUND },
    'get /patients/{id}/legal-holds': { call: (v, w) => v.api.get(`/patients/${w.a.patientId}/legal-holds`), A: { status: 200, check: (b, w) => expect(ids(b)).toContain(w.holdA) }, tech: NOT_FOUND },
    'post /patients/{id}/legal-holds/{holdId}/lift': { call: (v, w) => v.api.post(`/patients/${w.a.patientId}/legal-holds/${w.holdA}/lift`, {}), A: 200, tech: NOT_FOUND },
    'post /patients/{id}/erasure': { call: (v, w) => v.api.post(`/patients/${w.patientErased}/erasure`), A: 202, tech: NOT_FOUND },
    'get /erasures/{id}': { call: (v, w) => v.api.get(`/erasures/${w.erasureA}`), A: 200, tech: NOT_FOUND, labAdmin: 200 },
    'get /erasures/{id}/certificate': { call: (v, w) => v.api.get(`/erasures/${w.erasureA}/certificate`), A: 200, tech: NOT_FOUND, labAdmin: 200 },
    'get /patient-matches': {
      call: (v) => v.api.get('/patient-matches'),
      A: { status: 200, check: (b, w) => expect(ids(b)).toEqual(expect.arrayContaining([w.pairAccept, w.pairReject])) },
      B: { status: 200, check: (b, w) => expect(ids(b)).not.toContain(w.pairAccept) },
      tech: { status: 200, check: (b) => expect(b.items).toEqual([]) },
      labAdmin: { status: 200, check: (b, w) => expect(ids(b)).toEqual(expect.arrayContaining([w.pairAccept, w.pairReject])) },
    },
    'get /patient-matches/{id}': { call: (v, w) => v.api.get(`/patient-matches/${w.pairAccept}`), A: 200, tech: NOT_FOUND, labAdmin: 200 },
    'post /patient-matches/{id}/accept': { call: (v, w) => v.api.post(`/patient-matches/${w.pairAccept}/accept`, {}), A: 200, tech: NOT_FOUND, labAdmin: 200 },
    'post /patient-matches/{id}/reject': { call: (v, w) => v.api.post(`/patient-matches/${w.pairReject}/reject`), A: 200, tech: NOT_FOUND, labAdmin: 200 },
    'get /audit': { call: (v, w) => v.api.get(`/audit?table=cases&id=${w.caseA.id}`), A: 200, B: { status: 200, check: (b) => expect(b.items).toEqual([]) }, tech: { status: 200, check: (b) => expect(b.items).toEqual([]) }, labAdmin: 200 },

    // ---- cases and the work on them ----
    'post /cases': { call: (v, w) => v.api.post('/cases', { practiceId: w.a.practiceId, patientId: w.a.patientId, title: 'x', caseType: 'active_treatment', templateId: env.templateId }), A: 201, tech: NOT_FOUND },
    'get /cases': {
      call: (v, w) => v.api.get(`/cases?practiceId=${w.a.practiceId}`),
      A: { status: 200, check: (b, w) => expect(ids(b)).toEqual(expect.arrayContaining([w.caseA.id, w.caseCancel])) },
      B: { status: 200, check: (b) => expect(b.items).toEqual([]) },
      tech: { status: 200, check: (b, w) => expect(ids(b)).toEqual(expect.arrayContaining([w.caseA.id, w.caseCancel])) },
    },
    'get /cases/{id}': {
      call: (v, w) => v.api.get(`/cases/${w.caseA.id}`),
      A: { status: 200, check: (b) => expectNoClinicalFields(b) },
      tech: {
        status: 200,
        check: (b, w) => {
          expect(b.patient).toEqual({ id: w.a.patientId, patientNumber: expect.any(String), fullName: expect.stringMatching(/^Pat /), dateOfBirth: '1991-02-03' });
          expectNoClinicalFields(b);
        },
      },
    },
    // The practice's dashboard (patient names beside cases) is read through membership: lab staff work from the queue and GET /cases.
    'get /dashboard': {
      call: (v, w) => v.api.get(`/dashboard?practiceId=${w.a.practiceId}`),
      A: { status: 200, check: (b, w) => expect(caseIds(b)).toContain(w.caseA.id) },
      B: { status: 200, check: (b) => expect(b.items).toEqual([]) },
      tech: { status: 200, check: (b) => expect(b.items).toEqual([]) },
      labAdmin: { status: 200, check: (b, w) => expect(caseIds(b)).toContain(w.caseA.id) },
    },
    'get /tasks/inbox': {
      call: (v, w) => v.api.get(`/tasks/inbox?view=${v.name === 'A' || v.name === 'B' ? 'roles' : 'lab'}&practiceId=${w.a.practiceId}`),
      A: { status: 200, check: (b) => expect(b.items).toEqual([]) }, // the owner: the awaited role is technician
      B: { status: 200, check: (b) => expect(b.items).toEqual([]) },
      tech: { status: 200, check: (b, w) => expect(caseIds(b)).toEqual(expect.arrayContaining([w.caseA.id])) },
    },
    // The clinical summary is a patient field: found by A (and the lab admin), never by lab staff or B.
    'get /search': {
      // The lab admin reads every practice's texts, and other test files write cases about "crowding" ("Crowding, lower arch"
      // in erasure) which, once a pipeline embedded them, can outrank A's patient in a hybrid ranking and push it off the first
      // page: the lab admin names practice A (everyone else searches as they would; their checks are below).
      call: (v, w) => v.api.get(`/search?q=crowding-4711${v.name === 'labAdmin' ? `&practiceId=${w.a.practiceId}` : ''}`),
      A: { status: 200, check: (b, w) => expect(b.results.map((r: { kind: string; practiceId: string }) => `${r.kind} ${r.practiceId}`)).toContain(`patient ${w.a.practiceId}`) },
      // Other test files share this database and write messages with "crowding" in them, which lab staff may find
      // (lexical terms are OR-ed): so the check is that no patient hit and nothing of A's patient comes back, not an empty list.
      B: { status: 200, check: (b, w) => expect(b.results.filter((r: { practiceId: string }) => r.practiceId === w.a.practiceId)).toEqual([]) },
      tech: {
        status: 200,
        check: (b) => {
          expect(b.results.filter((r: { kind: string }) => r.kind === 'patient')).toEqual([]);
          expect(JSON.stringify(b)).not.toContain('Class II div 1');
        },
      },
      labAdmin: { status: 200, check: (b, w) => expect(b.results.map((r: { kind: string; practiceId: string }) => `${r.kind} ${r.practiceId}`)).toContain(`patient ${w.a.practiceId}`) },
    },
    'get /cases/{id}/similar': { call: (v, w) => v.api.get(`/cases/${w.caseA.id}/similar`), A: 200, tech: 200 },
    'get /analytics/turnaround': { call: (v, w) => v.api.get(`/analytics/turnaround?practiceId=${w.a.practiceId}`), A: 200, tech: 200 },
    'get /analytics/weekly': { call: (v, w) => v.api.get(`/analytics/weekly?practiceId=${w.a.practiceId}`), A: 200, tech: 200 },
    'get /analytics/rework': { call: (v, w) => v.api.get(`/analytics/rework?practiceId=${w.a.practiceId}`), A: 200, tech: 200 },
    'get /analytics/bottlenecks': { call: (v, w) => v.api.get(`/analytics/bottlenecks?practiceId=${w.a.practiceId}`), A: 200, tech: 200 },
    'get /analytics/time-split': { call: (v, w) => v.api.get(`/analytics/time-split?practiceId=${w.a.practiceId}`), A: 200, tech: 200 },
    'post /cases/{id}/messages': { call: (v, w) => v.api.post(`/cases/${w.caseA.id}/messages`, { content: `Update from ${v.name}` }), A: 201, tech: 201 },
    'get /cases/{id}/messages': { call: (v, w) => v.api.get(`/cases/${w.caseA.id}/messages`), A: { status: 200, check: (b, w) => expect(ids(b)).toContain(w.messageA) }, tech: { status: 200, check: (b, w) => expect(ids(b)).toContain(w.messageA) } },
    'post /cases/{id}/messages/{messageId}/read': { call: (v, w) => v.api.post(`/cases/${w.caseA.id}/messages/${w.messageA}/read`), A: 200, tech: 200 },
    'post /cases/{id}/files': { call: (v, w) => upload(v, `/cases/${w.caseA.id}/files?fileName=${v.name}.pdf&fileType=document`, 'application/pdf', Buffer.from('%PDF-1.4')), A: 201, tech: 201 },
    'get /cases/{id}/files': { call: (v, w) => v.api.get(`/cases/${w.caseA.id}/files`), A: { status: 200, check: (b, w) => expect(ids(b)).toContain(w.fileA) }, tech: { status: 200, check: (b, w) => expect(ids(b)).toContain(w.fileA) } },
    'get /cases/{id}/files/{fileId}': { call: (v, w) => v.api.get(`/cases/${w.caseA.id}/files/${w.fileA}`), A: 200, tech: 200 },
    'get /cases/{id}/files/{fileId}/content': { call: (v, w) => v.raw('get', `/cases/${w.caseA.id}/files/${w.fileA}/content`), A: 200, tech: 200 },
    'post /cases/{id}/orders': { call: (v, w) => v.api.post(`/cases/${w.caseA.id}/orders`, { items: [{ productId: w.productId, quantity: 1 }] }), A: 201, tech: NOT_A_MEMBER },
    'get /orders': { call: (v, w) => v.api.get(`/orders?caseId=${w.caseA.id}`), A: { status: 200, check: (b, w) => expect(ids(b)).toContain(w.orderA) }, B: { status: 200, check: (b) => expect(b.items).toEqual([]) }, tech: { status: 200, check: (b, w) => expect(ids(b)).toContain(w.orderA) } },
    'get /orders/{id}': { call: (v, w) => v.api.get(`/orders/${w.orderA}`), A: 200, tech: 200 },
    'post /cases/{id}/projects': { call: (v, w) => upload(v, `/cases/${w.caseA.id}/projects?name=${v.name}&projectType=model&fileName=${v.name}.stl`, 'model/stl', stl), A: 201, tech: 201, support: NOT_A_MEMBER },
    'get /cases/{id}/projects': { call: (v, w) => v.api.get(`/cases/${w.caseA.id}/projects`), A: { status: 200, check: (b, w) => expect(ids(b)).toContain(w.projectA) }, tech: { status: 200, check: (b, w) => expect(ids(b)).toContain(w.projectA) } },
    'get /projects/{id}': { call: (v, w) => v.api.get(`/projects/${w.projectA}`), A: 200, tech: 200 },
    'get /projects/{id}/versions': { call: (v, w) => v.api.get(`/projects/${w.projectA}/versions`), A: 200, tech: 200 },
    'get /projects/{id}/content': { call: (v, w) => v.raw('get', `/projects/${w.projectA}/content`), A: 200, tech: 200 },
    'post /projects/{id}/versions': { call: (v, w) => upload(v, `/projects/${w.projectA}/versions?fileName=${v.name}.stl`, 'model/stl', stl), A: 201, tech: 201, support: NOT_A_MEMBER },
    'post /projects/{id}/status': {
      // Each viewer moves it one step on: draft → in_progress (tech) → review (lab admin) → approved (A).
      call: (v, w) => v.api.post(`/projects/${w.projectA}/status`, { status: ({ tech: 'in_progress', labAdmin: 'review', A: 'approved' } as Record<string, string>)[v.name] ?? 'in_progress' }),
      A: { status: 200, check: (b) => expect(b.status).toBe('approved') },
      tech: { status: 200, check: (b) => expect(b.status).toBe('in_progress') },
      support: NOT_A_MEMBER,
      labAdmin: { status: 200, check: (b) => expect(b.status).toBe('review') },
    },
    'get /cases/{id}/proposals': {
      call: (v, w) => v.api.get(`/cases/${w.caseA.id}/proposals`),
      A: { status: 200, check: (b, w) => expect(ids(b)).toEqual(expect.arrayContaining([w.proposalHold, w.proposalResume])) },
      tech: { status: 200, check: (b) => expect(b.items).toEqual([]) },
      labAdmin: { status: 200, check: (b, w) => expect(ids(b)).toEqual(expect.arrayContaining([w.proposalHold, w.proposalResume])) },
    },
    'post /cases/{id}/proposals/{proposalId}/confirm': { call: (v, w) => v.api.post(`/cases/${w.caseA.id}/proposals/${w.proposalResume}/confirm`), A: 422, tech: NOT_A_MEMBER },
    'post /cases/{id}/proposals/{proposalId}/dismiss': { call: (v, w) => v.api.post(`/cases/${w.caseA.id}/proposals/${w.proposalHold}/dismiss`, {}), A: 200, tech: NOT_A_MEMBER },

    // ---- tasks (the records review awaits a technician) and case actions ----
    'post /cases/{id}/tasks/{taskId}/claim': { call: (v, w) => v.api.post(`/cases/${w.caseA.id}/tasks/${w.caseA.taskId}/claim`), A: WRONG_ROLE, tech: 200, support: NOT_A_MEMBER, labAdmin: { status: 422, code: 'task_assigned' }, order: ['B', 'support', 'A', 'tech', 'labAdmin'] },
    'post /cases/{id}/tasks/{taskId}/assign': {
      call: (v, w) => v.api.post(`/cases/${w.caseA.id}/tasks/${w.caseA.taskId}/assign`, { assigneeId: v.name === 'A' ? w.a.members.technician : w.viewers.tech.id }),
      A: 200,
      tech: WRONG_ROLE,
      support: NOT_A_MEMBER,
      labAdmin: 200,
      order: ['B', 'support', 'tech', 'A', 'labAdmin'],
    },
    'post /cases/{id}/tasks/{taskId}/release': { call: (v, w) => v.api.post(`/cases/${w.caseA.id}/tasks/${w.caseA.taskId}/release`), A: { status: 422, code: 'task_not_assigned' }, tech: 200, support: NOT_A_MEMBER, labAdmin: { status: 422, code: 'task_not_assigned' }, order: ['B', 'support', 'tech', 'A', 'labAdmin'] },
    'post /cases/{id}/tasks/{taskId}/decision': {
      call: (v, w) => v.api.post(`/cases/${w.caseA.id}/tasks/${w.caseA.taskId}/decision`, { decision: 'approve' }),
      A: WRONG_ROLE,
      tech: 200,
      support: NOT_A_MEMBER,
      labAdmin: { status: 422, code: 'task_not_awaiting_decision' },
      order: ['B', 'support', 'A', 'tech', 'labAdmin'],
    },
    'post /cases/{id}/tasks/{taskId}/complete': { call: (v, w) => v.api.post(`/cases/${w.caseA.id}/tasks/${w.caseA.taskId}/complete`, {}), A: 422, tech: 422, support: NOT_A_MEMBER },
    'post /cases/{id}/hold': { call: (v, w) => v.api.post(`/cases/${w.caseA.id}/hold`, { reason: 'Waiting for records' }), A: 200, tech: WRONG_ROLE, support: NOT_A_MEMBER },
    'post /cases/{id}/resume': { call: (v, w) => v.api.post(`/cases/${w.caseA.id}/resume`, {}), A: 200, tech: WRONG_ROLE, support: NOT_A_MEMBER },
    'post /cases/{id}/priority': { call: (v, w) => v.api.post(`/cases/${w.caseA.id}/priority`, { priority: 'high' }), A: 200, tech: WRONG_ROLE, support: NOT_A_MEMBER },
    'post /cases/{id}/seat-date': { call: (v, w) => v.api.post(`/cases/${w.caseA.id}/seat-date`, { seatDate: new Date(Date.now() + 60 * 86_400_000).toISOString() }), A: 200, tech: WRONG_ROLE, support: NOT_A_MEMBER },
    'post /cases/{id}/cancel': { call: (v, w) => v.api.post(`/cases/${w.caseCancel}/cancel`, { reason: 'Patient moved away' }), A: 200, tech: WRONG_ROLE, support: NOT_A_MEMBER },
  };

  const outcome = (e: Expect) => (typeof e === 'number' ? { status: e } : { status: e.status, ...(e.code ? { code: e.code } : {}) });

  // Rows run in table order and some build on the ones before (release after claim, resume after
  // hold): run the describe whole (-t 'five viewers'), not a single row.
  test.each(Object.keys(ROUTES).map((r) => [r]))('%s', async (route) => {
    const row = ROUTES[route]!;
    const expected: Record<ViewerName, Expect> = { B: row.B ?? NOT_FOUND, support: row.support ?? row.tech, tech: row.tech, labAdmin: row.labAdmin ?? row.tech, A: row.A };
    const actual: Partial<Record<ViewerName, unknown>> = {};
    const want: Partial<Record<ViewerName, unknown>> = {};
    const order = row.order ?? (['B', 'support', 'tech', 'labAdmin', 'A'] as const);
    // Reads change nothing the others see: the five ask at once. Writes go one after another.
    const responses = route.startsWith('get ') ? await Promise.all(order.map((name) => row.call(w.viewers[name], w))) : [];
    for (const [i, name] of order.entries()) {
      const v = w.viewers[name];
      const res = responses[i] ?? (await row.call(v, w));
      const e = expected[name];
      const o = outcome(e);
      // The error code is compared where the row names one; shown either way when the status differs.
      actual[name] = { status: res.status, code: res.body?.error?.code };
      want[name] = { status: o.status, code: 'code' in o ? o.code : res.status === o.status ? res.body?.error?.code : undefined };
      if (typeof e !== 'number' && e.check && res.status === e.status) {
        try {
          e.check(res.body as Body, w, v);
        } catch (err) {
          throw new Error(`${route} as ${name}: ${(err as Error).message}`);
        }
      }
    }
    expect(actual).toEqual(want);
  });

  test('RLS (0070): lab support reads projects but neither creates nor changes them; a technician does both', async () => {
    const sys = env.h.database.system;
    const as_ = (v: Viewer, q: ReturnType<typeof sql>) => env.h.database.asActor({ sub: v.id, role: 'authenticated' }, (trx) => q.execute(trx));
    const { support, tech } = w.viewers;
    const row = (v: Viewer) => sql`insert into projects (practice_id, case_id, creator_id, name, project_type) values (${w.a.practiceId}, ${w.caseA.id}, ${v.id}, ${`by ${v.name}`}, 'model')`;
    await expect(as_(support, row(support))).rejects.toThrow(/row-level security/);
    expect(Number((await as_(tech, row(tech))).numAffectedRows)).toBe(1);
    const mine = (await sys.selectFrom('projects').select('id').where('case_id', '=', w.caseA.id).where('name', '=', 'by tech').executeTakeFirstOrThrow()).id;
    expect(Number((await as_(support, sql`update projects set status = 'archived' where id = ${mine}`)).numAffectedRows)).toBe(0);
    expect((await as_(support, sql`select id from projects where id = ${mine}`)).rows).toHaveLength(1);
    expect(Number((await as_(tech, sql`update projects set status = 'in_progress' where id = ${mine}`)).numAffectedRows)).toBe(1);
  });

  test('every read of the patient by lab staff in the table is in the PHI access log (issue 11 §1)', async () => {
    const routesRead = async (v: Viewer) =>
      (await env.h.database.system.selectFrom('phi_access_log').select('route').distinct().where('actor_id', '=', v.id).where('patient_id', '=', w.a.patientId).execute()).map((r) => r.route);
    const read = ['GET /cases', 'GET /cases/{id}', 'GET /cases/{id}/messages', 'GET /cases/{id}/files', 'GET /cases/{id}/files/{fileId}', 'GET /cases/{id}/files/{fileId}/content', 'GET /cases/{id}/projects', 'GET /projects/{id}', 'GET /projects/{id}/versions', 'GET /projects/{id}/content', 'GET /tasks/inbox'];
    for (const v of [w.viewers.tech, w.viewers.support]) expect({ viewer: v.name, routes: await routesRead(v) }).toEqual({ viewer: v.name, routes: expect.arrayContaining(read) });
    // B read nothing of A's patient.
    expect(await routesRead(w.viewers.B)).toEqual([]);
  });

  test('the table covers every route the app serves', () => {
    const stack = (env.app as unknown as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: unknown[] } }> } }).router.stack;
    const served = new Set<string>();
    const walk = (layers: typeof stack) => {
      for (const l of layers) {
        if (l.route) for (const m of Object.keys(l.route.methods)) served.add(`${m} ${l.route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
        else if (l.handle?.stack) walk(l.handle.stack as typeof stack);
      }
    };
    walk(stack);
    expect(served.size).toBeGreaterThan(90);
    expect([...served].filter((r) => !(r in ROUTES)).sort()).toEqual([]);
    expect(Object.keys(ROUTES).filter((r) => !served.has(r))).toEqual([]);
  });
});
