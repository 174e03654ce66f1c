/**
 * Cross-tenant isolation: a member (owner, the strongest practice role) of practice A using the
 * ids of practice B gets 404 on every route that takes an id, exactly like a missing id, and
 * nothing of B changes.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import request from 'supertest';
import { createPractitioner } from '../../src/repositories/identity.repository';
import { createPracticeFixture } from '../support/fixtures';
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
  expect([kase.id, message.id, file.id, order.id, template.id, memberB.id]).not.toContain(undefined);

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
    };
  };
  const before = await snapshot();
  const decisionsBefore = view.body.workflow.decisions.length;

  const covered = new Set<string>();
  const attempts: Array<[string, string, () => Promise<request.Response>]> = [
    ['get', '/cases/{id}', () => ownerA.get(`/cases/${kase.id}`)],
    ['post', '/cases/{id}/tasks/{taskId}/decision', () => ownerA.post(`/cases/${kase.id}/tasks/${taskId}/decision`, { decision: 'approve' })],
    ['post', '/cases/{id}/tasks/{taskId}/complete', () => ownerA.post(`/cases/${kase.id}/tasks/${taskId}/complete`, {})],
    ['post', '/cases/{id}/hold', () => ownerA.post(`/cases/${kase.id}/hold`, { reason: 'x' })],
    ['post', '/cases/{id}/resume', () => ownerA.post(`/cases/${kase.id}/resume`, {})],
    ['post', '/cases/{id}/cancel', () => ownerA.post(`/cases/${kase.id}/cancel`, { reason: 'x' })],
    ['post', '/cases/{id}/priority', () => ownerA.post(`/cases/${kase.id}/priority`, { priority: 'urgent' })],
    ['get', '/patients/{id}', () => ownerA.get(`/patients/${b.patientId}`)],
    ['patch', '/patients/{id}', () => ownerA.patch(`/patients/${b.patientId}`, { firstName: 'Hacked', medicalHistory: { x: 1 } })],
    ['get', '/practices/{id}', () => ownerA.get(`/practices/${b.practiceId}`)],
    ['patch', '/practices/{id}', () => ownerA.patch(`/practices/${b.practiceId}`, { name: 'Hacked' })],
    ['get', '/practices/{id}/members', () => ownerA.get(`/practices/${b.practiceId}/members`)],
    ['post', '/practices/{id}/members', () => ownerA.post(`/practices/${b.practiceId}/members`, { email: `intruder-${randomUUID()}@test.mdw`, role: 'owner', firstName: 'I', lastName: 'N' })],
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
    ['post', '/workflow-templates/{id}/versions', () => ownerA.post(`/workflow-templates/${template.id}/versions`, { name: 'Hacked', caseType: 'refinement', tasks: [{ key: 'i', name: 'I', order: 1, functionType: 'submit', after: [] }] })],
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
