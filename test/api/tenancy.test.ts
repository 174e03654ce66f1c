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
import { createPracticeFixture, createTemplate } from '../support/fixtures';
import { clearAlignerTemplate } from '../../src/seed/templates';
import { waitFor } from '../support/wait';
import { as, loadContract, setupApi, tokenFor, type ApiEnv } from './support';

let env: ApiEnv;
beforeAll(async () => {
  env = await setupApi({ config: { STORAGE_DIR: `${process.env.MDW_TEST_DIR}/files-tenancy-${process.pid}` } });
});
afterAll(() => env.close());

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
  expect((await ownerA.get(`/workflow-templates?practiceId=${b.practiceId}&includeInactive=true`)).body.items.map((t: { id: string }) => t.id)).not.toContain(template.id);

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
