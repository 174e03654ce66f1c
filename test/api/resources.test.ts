/** Practices and members, practitioners, messages, files, products and orders, templates, dashboard. */
import { sql } from 'kysely';
import request from 'supertest';
import { createApp, startApi } from '../../src/api/server';
import { testConfig } from '../support/harness';
import { createPracticeFixture, createUser, type PracticeFixture } from '../support/fixtures';
import { waitFor } from '../support/wait';
import { appWith, as, call, setupApi, tokenFor, type ApiEnv, type Caller } from './support';
import { setupAndTeardown } from '../support/lifecycle';

let env: ApiEnv;
setupAndTeardown(async () => {
  env = await setupApi({ config: { STORAGE_DIR: `${process.env.MDW_TEST_DIR}/files-${process.pid}` } });
}, [() => env?.close()]);

type Role = keyof PracticeFixture['members'];
async function practice() {
  const f = await createPracticeFixture(env.h.database.system);
  const callers = {} as Record<Role, Caller>;
  for (const role of Object.keys(f.members) as Role[]) callers[role] = as(env.app, await tokenFor(env.h.config, f.members[role]));
  return { f, ...callers };
}
async function startedCase(p: Awaited<ReturnType<typeof practice>>) {
  const r = await p.doctor.post('/cases', { practiceId: p.f.practiceId, patientId: p.f.patientId, title: 'Aligners', caseType: 'active_treatment', templateId: env.templateId });
  expect(r.status).toBe(201);
  return r.body.id as string;
}
const uniq = () => Math.random().toString(36).slice(2, 8);

test('GET /me and PATCH /me', async () => {
  const p = await practice();
  const me = await p.doctor.get('/me');
  expect(me.body.memberships).toEqual([expect.objectContaining({ practiceId: p.f.practiceId, role: 'doctor' })]);
  const changed = await p.doctor.patch('/me', { phone: '+1 555 0199' });
  expect(changed.body.profile.phone).toBe('+1 555 0199');
});

test('practices and members: owners and admins manage, others are refused', async () => {
  const p = await practice();
  const list = await p.technician.get('/practices');
  expect(list.body.items.map((x: { id: string }) => x.id)).toEqual([p.f.practiceId]);
  expect((await p.technician.get(`/practices/${p.f.practiceId}`)).body.myRole).toBe('technician');

  expect((await p.technician.patch(`/practices/${p.f.practiceId}`, { name: 'Nope' })).status).toBe(403);
  const renamed = await p.admin.patch(`/practices/${p.f.practiceId}`, { name: 'Renamed practice', settings: { tax_rate_percent: '8.25' } });
  expect(renamed.status).toBe(200);
  expect(renamed.body.name).toBe('Renamed practice');

  const members = await p.assistant.get(`/practices/${p.f.practiceId}/members`);
  expect(members.body.items).toHaveLength(5);

  // People join by invitation, which its recipient accepts.
  const id = p.f.practiceId;
  const email = `new-hire-${uniq()}@test.mdw`;
  const invite = { email, role: 'assistant', firstName: 'New', lastName: 'Hire' };
  expect((await p.technician.post(`/practices/${id}/invitations`, invite)).status).toBe(403);
  const missingName = await p.owner.post(`/practices/${id}/invitations`, { email, role: 'assistant' });
  expect(missingName.status).toBe(400);
  const invited = await p.owner.post(`/practices/${id}/invitations`, invite);
  expect(invited.status).toBe(201);
  expect(invited.body).toEqual({ id: expect.any(String), practiceId: id, email, role: 'assistant', status: 'pending', createdAt: expect.any(String), expiresAt: expect.any(String) });
  expect((await p.owner.post(`/practices/${id}/invitations`, invite)).status).toBe(409); // already invited
  expect((await p.owner.get(`/practices/${id}/members`)).body.items).toHaveLength(5); // not a member before accepting
  expect((await p.owner.get(`/practices/${id}/invitations`)).body.items.map((i: { id: string }) => i.id)).toEqual([invited.body.id]);
  expect((await p.technician.get(`/practices/${id}/invitations`)).status).toBe(403);

  // The new hire (given a profile with the name the owner typed) signs in, sees it, accepts it.
  const hireId = (await env.h.database.system.selectFrom('profiles').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
  const hire = as(env.app, await tokenFor(env.h.config, hireId));
  expect((await hire.get('/invitations')).body.items).toEqual([{ id: invited.body.id, practiceId: id, practiceName: 'Renamed practice', role: 'assistant', createdAt: expect.any(String), expiresAt: expect.any(String) }]);
  expect((await p.technician.get('/invitations')).body.items).toEqual([]);
  expect((await p.technician.post(`/invitations/${invited.body.id}/accept`)).status).toBe(404); // not theirs
  const accepted = await hire.post(`/invitations/${invited.body.id}/accept`);
  expect(accepted.status).toBe(201);
  expect(accepted.body).toMatchObject({ practiceId: id, profileId: hireId, role: 'assistant', email, fullName: 'New Hire' });
  expect((await hire.post(`/invitations/${invited.body.id}/accept`)).status).toBe(404); // once
  expect((await hire.get('/invitations')).body.items).toEqual([]);
  expect((await p.owner.post(`/practices/${id}/invitations`, invite)).status).toBe(409); // already a member

  // An existing person (member elsewhere) is invited by email: the answer has the same shape and
  // says nothing about them, and they become a member only when they accept.
  const other = await createPracticeFixture(env.h.database.system);
  const otherProfile = await env.h.database.system.selectFrom('profiles').select(['email', 'full_name']).where('id', '=', other.members.doctor).executeTakeFirstOrThrow();
  const existing = await p.admin.post(`/practices/${id}/invitations`, { email: otherProfile.email, role: 'doctor', firstName: 'Some', lastName: 'Body' });
  expect(existing.status).toBe(201);
  expect(Object.keys(existing.body).sort()).toEqual(Object.keys(invited.body).sort());
  expect(JSON.stringify(existing.body)).not.toContain(otherProfile.full_name!);
  expect(JSON.stringify(existing.body)).not.toContain(other.members.doctor);
  expect((await p.owner.get(`/practices/${id}/members`)).body.items.map((m: { profileId: string }) => m.profileId)).not.toContain(other.members.doctor);
  const doctorElsewhere = as(env.app, await tokenFor(env.h.config, other.members.doctor));
  const joined = await doctorElsewhere.post(`/invitations/${existing.body.id}/accept`);
  expect(joined.status).toBe(201);
  expect(joined.body).toMatchObject({ profileId: other.members.doctor, role: 'doctor', fullName: otherProfile.full_name }); // their own name, not "Some Body"

  // A revoked invitation cannot be accepted.
  const revokedEmail = `revoked-${uniq()}@test.mdw`;
  const toRevoke = await p.owner.post(`/practices/${id}/invitations`, { email: revokedEmail, role: 'assistant', firstName: 'Rev', lastName: 'Oked' });
  expect((await p.owner.delete(`/practices/${id}/invitations/${toRevoke.body.id}`)).status).toBe(204);
  const revokedId = (await env.h.database.system.selectFrom('profiles').select('id').where('email', '=', revokedEmail).executeTakeFirstOrThrow()).id;
  expect((await as(env.app, await tokenFor(env.h.config, revokedId)).post(`/invitations/${toRevoke.body.id}/accept`)).status).toBe(404);

  const promoted = await p.owner.patch(`/practices/${id}/members/${accepted.body.id}`, { role: 'technician' });
  expect(promoted.body.role).toBe('technician');
  expect((await p.technician.delete(`/practices/${id}/members/${accepted.body.id}`)).status).toBe(403);
  expect((await p.owner.delete(`/practices/${id}/members/${accepted.body.id}`)).status).toBe(204);
  expect((await p.owner.get(`/practices/${p.f.practiceId}/members`)).body.items).toHaveLength(6);

  const ownerMember = (await p.owner.get(`/practices/${p.f.practiceId}/members`)).body.items.find((m: { role: string }) => m.role === 'owner');
  const lastOwner = await p.admin.patch(`/practices/${p.f.practiceId}/members/${ownerMember.id}`, { role: 'doctor' });
  expect(lastOwner.status).toBe(409);
  expect(lastOwner.body.error.code).toBe('last_owner');
});

test('practitioners: a manager creates the record of a member; members read it', async () => {
  const p = await practice();
  const created = await p.owner.post('/practitioners', { profileId: p.f.members.doctor, licenseNumber: `LIC-${uniq()}`, specialties: ['orthodontics'] });
  expect(created.status).toBe(201);
  expect((await p.assistant.get(`/practitioners/${created.body.id}`)).body.specialties).toEqual(['orthodontics']);
  const list = await p.assistant.get(`/practitioners?practiceId=${p.f.practiceId}`);
  expect(list.body.items.map((x: { id: string }) => x.id)).toEqual([created.body.id]);
  const bio = await p.doctor.patch(`/practitioners/${created.body.id}`, { bio: 'Aligner specialist' });
  expect(bio.body.bio).toBe('Aligner specialist');
  expect((await p.technician.patch(`/practitioners/${created.body.id}`, { bio: 'x' })).status).toBe(403);
  expect((await p.technician.post('/practitioners', { profileId: p.f.members.assistant })).status).toBe(403);
});

test('messages: post, list, mark read', async () => {
  const p = await practice();
  const caseId = await startedCase(p);
  const posted = await p.doctor.post(`/cases/${caseId}/messages`, { content: 'Please check tooth 12', subject: 'Records', messageType: 'question' });
  expect(posted.status).toBe(201);
  expect(posted.body).toMatchObject({ senderId: p.f.members.doctor, messageType: 'question', readByMe: true });
  const unread = await p.technician.get(`/cases/${caseId}/messages?unread=true`);
  expect(unread.body.items.map((m: { id: string }) => m.id)).toContain(posted.body.id);
  const read = await p.technician.post(`/cases/${caseId}/messages/${posted.body.id}/read`);
  expect(read.status).toBe(200);
  expect(read.body.readByMe).toBe(true);
  expect(Object.keys(read.body.readBy)).toEqual([p.f.members.technician]);
  const unreadAfter = await p.technician.get(`/cases/${caseId}/messages?unread=true`);
  expect(unreadAfter.body.items.map((m: { id: string }) => m.id)).not.toContain(posted.body.id);
  expect((await p.technician.post(`/cases/${caseId}/messages`, { content: '' })).status).toBe(400);
  const detail = await p.technician.get(`/cases/${caseId}`);
  expect(detail.body.timeline.some((e: { kind: string; messageId?: string }) => e.kind === 'message' && e.messageId === posted.body.id)).toBe(true);
});

test('files: upload, list, download; type allow-list 415; size limit 413', async () => {
  const p = await practice();
  const caseId = await startedCase(p);
  const token = await tokenFor(env.h.config, p.f.members.technician);
  const content = Buffer.from('solid scan\nendsolid scan\n');
  const up = await request(env.app).post(`/cases/${caseId}/files?fileName=upper%20arch.stl&fileType=scan`).set('Authorization', `Bearer ${token}`).set('Content-Type', 'model/stl').send(content);
  expect(up.status).toBe(201);
  expect(up.body).toMatchObject({ caseId, fileName: 'upper arch.stl', fileType: 'scan', fileSize: content.length, mimeType: 'model/stl', uploadedBy: p.f.members.technician });

  expect((await p.doctor.get(`/cases/${caseId}/files`)).body.items.map((f: { id: string }) => f.id)).toEqual([up.body.id]);
  expect((await p.doctor.get(`/cases/${caseId}/files/${up.body.id}`)).body.fileSize).toBe(content.length);
  const down = await request(env.app).get(`/cases/${caseId}/files/${up.body.id}/content`).set('Authorization', `Bearer ${token}`).buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  });
  expect(down.status).toBe(200);
  expect(down.headers['content-type']).toBe('model/stl');
  expect((down.body as Buffer).equals(content)).toBe(true);

  const exe = await request(env.app).post(`/cases/${caseId}/files?fileName=x.exe&fileType=other`).set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/x-msdownload').send(Buffer.from('MZ'));
  expect(exe.status).toBe(415);
  expect(exe.body.error.code).toBe('unsupported_media_type');

  const small = appWith(env, { MAX_UPLOAD_BYTES: '16', STORAGE_DIR: env.h.config.STORAGE_DIR });
  const tooBig = await request(small).post(`/cases/${caseId}/files?fileName=big.pdf&fileType=document`).set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/pdf').send(Buffer.alloc(64, 1));
  expect(tooBig.status).toBe(413);
  expect((await p.doctor.get(`/cases/${caseId}/files`)).body.items).toHaveLength(1);
  const badName = await request(env.app).post(`/cases/${caseId}/files?fileName=../../etc&fileType=scan`).set('Authorization', `Bearer ${token}`).set('Content-Type', 'model/stl').send(content);
  expect(badName.status).toBe(400);
});

test('products and orders: totals are computed by the server in exact decimals; history from order_states', async () => {
  const p = await practice();
  const caseId = await startedCase(p);
  const staff = as(env.app, await tokenFor(env.h.config, await createUser(env.h.database.system, 'labadmin', 'admin')));
  expect((await p.owner.post('/products', { name: 'x', category: 'aligners', basePrice: '1.00' })).status).toBe(403);
  const aligner = await staff.post('/products', { name: `Aligner set ${uniq()}`, category: 'aligners', basePrice: '0.10' });
  const retainer = await staff.post('/products', { name: `Retainer ${uniq()}`, category: 'retainers', basePrice: '129.99' });
  expect(aligner.status).toBe(201);
  expect((await p.doctor.get(`/products/${retainer.body.id}`)).body.basePrice).toBe('129.99');
  expect((await p.doctor.get('/products?category=retainers')).body.items.some((x: { id: string }) => x.id === retainer.body.id)).toBe(true);

  await p.owner.patch(`/practices/${p.f.practiceId}`, { settings: { tax_rate_percent: '8.25' } });
  const order = await p.doctor.post(`/cases/${caseId}/orders`, { items: [{ productId: aligner.body.id, quantity: 3 }, { productId: retainer.body.id, quantity: 2, customizations: { color: 'clear' } }], notes: 'rush' });
  expect(order.status).toBe(201);
  // 0.10 * 3 = 0.30 exactly (no float 0.30000000000000004); 129.99 * 2 = 259.98; tax 8.25% of 260.28 = 21.47
  expect(order.body).toMatchObject({ subtotal: '260.28', taxAmount: '21.47', totalAmount: '281.75', currency: 'USD', state: 'pending', orderNumber: 'O-000001' });
  expect(order.body.items.map((i: { totalPrice: string }) => i.totalPrice)).toEqual(['0.30', '259.98']);
  expect(order.body.history).toEqual([expect.objectContaining({ fromState: null, toState: 'pending', changedBy: p.f.members.doctor })]);

  expect((await p.assistant.get(`/orders/${order.body.id}`)).body).toEqual(order.body);
  expect((await p.assistant.get(`/orders?caseId=${caseId}`)).body.items.map((o: { id: string }) => o.id)).toEqual([order.body.id]);
  const bogus = await p.doctor.post(`/cases/${caseId}/orders`, { items: [{ productId: caseId, quantity: 1 }] });
  expect(bogus.status).toBe(422);
  expect(bogus.body.error.details[0].field).toBe('items.0.productId');
  expect((await p.doctor.post(`/cases/${caseId}/orders`, { items: [{ productId: aligner.body.id, quantity: 0 }] })).status).toBe(400);
});

test('templates: validate names the broken tasks; create, list, new version; only managers write', async () => {
  const p = await practice();
  const def = {
    name: `Practice flow ${uniq()}`,
    caseType: 'refinement',
    practiceId: p.f.practiceId,
    tasks: [
      { key: 'intake', name: 'Intake', order: 10, functionType: 'submit', autoTransition: true, after: [] },
      { key: 'review', name: 'Review', order: 20, functionType: 'review', requiredRoles: ['doctor'] },
    ],
  };
  const broken = { ...def, tasks: [...def.tasks, { key: 'ship', name: 'Ship it', order: 30, functionType: 'ship', requiredRoles: ['technician'], after: ['nowhere'] }] };
  const check = await p.technician.post('/workflow-templates/validate', broken);
  expect(check.status).toBe(200);
  expect(check.body.valid).toBe(false);
  expect(check.body.errors.some((e: { taskName: string | null }) => e.taskName === 'Ship it')).toBe(true);
  // Errors name the task by the key sent (what an editor shows them on), not by a dry-run id.
  expect(check.body.errors.filter((e: { taskName: string | null }) => e.taskName === 'Ship it').map((e: { taskId: string }) => e.taskId)).toEqual(['ship']);
  expect((await p.technician.post('/workflow-templates/validate', def)).body).toEqual({ valid: true, errors: [] });

  const invalid = await p.owner.post('/workflow-templates', broken);
  expect(invalid.status).toBe(422);
  expect(invalid.body.error.code).toBe('template_invalid');
  expect(invalid.body.error.details.some((d: { taskName?: string }) => d.taskName === 'Ship it')).toBe(true);

  expect((await p.technician.post('/workflow-templates', def)).status).toBe(403);
  expect((await p.owner.post('/workflow-templates', { ...def, practiceId: undefined })).status).toBe(403);
  const created = await p.owner.post('/workflow-templates', def);
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ version: 1, practiceId: p.f.practiceId, caseType: 'refinement' });
  expect(created.body.tasks.map((t: { name: string }) => t.name)).toEqual(['Intake', 'Review']);
  // Enough to send it back as a definition: keys, predecessors, rework target, metadata.
  const withRework = await p.owner.post('/workflow-templates', {
    ...def,
    name: `${def.name} rework`,
    tasks: [...def.tasks, { key: 'fix', name: 'Fix', order: 30, functionType: 'process', requiredRoles: ['technician'], after: ['review'], reworkTo: 'review', metadata: { completion: 'external' } }],
  });
  expect(withRework.status).toBe(201);
  const fix = (await p.technician.get(`/workflow-templates/${withRework.body.id}`)).body.tasks.find((t: { key: string }) => t.key === 'fix');
  expect(fix).toMatchObject({ key: 'fix', reworkTo: 'review', metadata: { completion: 'external' } });
  expect(fix.metadata).not.toHaveProperty('rework_task_id');

  const listed = await p.technician.get(`/workflow-templates?caseType=refinement&practiceId=${p.f.practiceId}`);
  expect(listed.body.items.map((t: { id: string }) => t.id)).toContain(created.body.id);

  // Used by a case → the edit becomes version 2.
  const kase = await p.doctor.post('/cases', { practiceId: p.f.practiceId, patientId: p.f.patientId, title: 'Refine', caseType: 'refinement', templateId: created.body.id });
  expect(kase.status).toBe(201);
  const v2 = await p.admin.post(`/workflow-templates/${created.body.id}/versions`, { ...def, practiceId: undefined, name: `${def.name} v2` });
  expect(v2.status).toBe(201);
  expect(v2.body).toMatchObject({ version: 2, familyId: created.body.familyId });
  expect((await p.technician.get(`/workflow-templates/${created.body.id}`)).body).toMatchObject({ active: false, supersededBy: v2.body.id });
  expect((await p.technician.post(`/workflow-templates/${v2.body.id}/versions`, def)).status).toBe(403);
});

test('dashboard: startApi refreshes the view on its timer; members read their practice only', async () => {
  const p = await practice();
  const caseId = await startedCase(p);
  await p.doctor.post(`/cases/${caseId}/messages`, { content: 'hello' });
  const api = await startApi({ config: { ...env.h.config, API_PORT: 0, DASHBOARD_REFRESH_MS: 200 }, database: env.h.database, temporal: env.h.client, cases: env.h.cases });
  try {
    const token = await tokenFor(env.h.config, p.f.members.assistant);
    const res = await waitFor(
      () => call(api.app, 'get', `/dashboard?practiceId=${p.f.practiceId}`, { token }),
      (r) => r.status === 200 && r.body.items.length === 1 && r.body.items[0].messageCount >= 1,
      15_000,
      'the dashboard refresh',
    );
    expect(res.body.items[0]).toMatchObject({ caseId, practiceId: p.f.practiceId, caseNumber: 'C-000001', fileCount: 0 });
    const health = await fetch(`${api.url}/health`);
    expect(health.status).toBe(200);
    const other = await practice();
    expect((await other.assistant.get(`/dashboard?practiceId=${p.f.practiceId}`)).body.items).toEqual([]);
  } finally {
    await api.stop();
  }
  const n = await sql<{ n: number }>`select count(*)::int as n from case_dashboard where id = ${caseId}`.execute(env.h.database.system);
  expect(n.rows[0]!.n).toBe(1);
});

test('dashboard pages one practice newest first with the cursor, filters by state, and shows another practice nothing', async () => {
  const p = await practice();
  const cases = [await startedCase(p), await startedCase(p), await startedCase(p)];
  await sql`select refresh_case_dashboard()`.execute(env.h.database.system);
  const page1 = await p.assistant.get(`/dashboard?practiceId=${p.f.practiceId}&limit=2`);
  expect(page1.status).toBe(200);
  expect(page1.body.items.map((r: { caseId: string }) => r.caseId)).toEqual([cases[2], cases[1]]);
  const page2 = await p.assistant.get(`/dashboard?practiceId=${p.f.practiceId}&limit=2&cursor=${page1.body.nextCursor}`);
  expect(page2.body.items.map((r: { caseId: string }) => r.caseId)).toEqual([cases[0]]);
  expect(page2.body.nextCursor).toBeNull();
  const states = page1.body.items.map((r: { state: string }) => r.state) as string[];
  const byState = await p.assistant.get(`/dashboard?practiceId=${p.f.practiceId}&state=${states[0]}`);
  expect(byState.body.items.length).toBeGreaterThanOrEqual(1);
  expect(byState.body.items.every((r: { state: string }) => r.state === states[0])).toBe(true);
  expect((await p.assistant.get(`/dashboard?practiceId=${p.f.practiceId}&state=cancelled`)).body.items).toEqual([]);
  // All of the caller's practices (no practiceId): the same rows.
  const all = await p.assistant.get('/dashboard?limit=10');
  expect(all.body.items.map((r: { caseId: string }) => r.caseId)).toEqual([cases[2], cases[1], cases[0]]);
  const other = await practice();
  expect((await other.assistant.get(`/dashboard?practiceId=${p.f.practiceId}&limit=2`)).body).toEqual({ items: [], nextCursor: null });
});

test('practices: a lab administrator onboards a practice with its first owner; others are refused and nothing is created', async () => {
  const adminId = await createUser(env.h.database.system, `lab-admin-${uniq()}`, 'admin');
  const admin = as(env.app, await tokenFor(env.h.config, adminId));
  const name = `Onboarded ${uniq()}`;
  const ownerEmail = `owner.${uniq()}@practice.test`;
  const body = { name, phone: '+1 555 0199', settings: { timezone: 'America/Chicago' }, owner: { email: ownerEmail, firstName: 'Olive', lastName: 'Owner' } };

  const missing = await admin.post('/practices', { name, owner: { email: `nobody.${uniq()}@practice.test` } });
  expect(missing.status).toBe(400);
  expect(missing.body.error.details.map((d: { field: string }) => d.field)).toEqual(['owner.firstName', 'owner.lastName']);
  const invalid = await admin.post('/practices', { name: '', owner: { email: 'not-an-email' } });
  expect(invalid.status).toBe(400);
  expect(invalid.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['name', 'owner.email']);

  const key = `onboard-${uniq()}`;
  const created = await admin.post('/practices', body, { headers: { 'Idempotency-Key': key } });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ name, phone: '+1 555 0199', settings: { timezone: 'America/Chicago' }, myRole: null });
  const retried = await admin.post('/practices', body, { headers: { 'Idempotency-Key': key } });
  expect(retried.body.id).toBe(created.body.id);
  const rows = await env.h.database.system.selectFrom('practices').select('id').where('name', '=', name).execute();
  expect(rows).toHaveLength(1);

  // The owner now manages it: they see it with their role and can invite.
  const ownerId = (await env.h.database.system.selectFrom('profiles').select('id').where('email', '=', ownerEmail).executeTakeFirstOrThrow()).id;
  const owner = as(env.app, await tokenFor(env.h.config, ownerId));
  expect((await owner.get(`/practices/${created.body.id}`)).body).toMatchObject({ id: created.body.id, myRole: 'owner' });
  expect((await owner.post(`/practices/${created.body.id}/invitations`, { email: `tech.${uniq()}@practice.test`, role: 'technician', firstName: 'Tia', lastName: 'Tech' })).status).toBe(201);

  // A practice owner is not a lab administrator.
  const refused = await owner.post('/practices', { ...body, name: `${name} 2` });
  expect(refused.status).toBe(403);
  expect(refused.body.error.code).toBe('forbidden');
  expect(await env.h.database.system.selectFrom('practices').select('id').where('name', '=', `${name} 2`).execute()).toEqual([]);
});

test('GET /practices pages newest first by keyset: a member of two practices, lab staff across every practice, bad limit or cursor 400 naming the field', async () => {
  const sys = env.h.database.system;
  const older = await createPracticeFixture(sys);
  const newer = await createPracticeFixture(sys);
  // The owner of `older` joins `newer` too.
  await sys.insertInto('practice_members').values({ practice_id: newer.practiceId, profile_id: older.members.owner, role: 'doctor' }).execute();
  const member = as(env.app, await tokenFor(env.h.config, older.members.owner));
  const first = await member.get('/practices?limit=1');
  expect(first.status).toBe(200);
  expect(first.body.items.map((x: { id: string }) => x.id)).toEqual([newer.practiceId]);
  expect(first.body.items[0].myRole).toBe('doctor');
  expect(first.body.nextCursor).toEqual(expect.any(String));
  const second = await member.get(`/practices?limit=1&cursor=${first.body.nextCursor}`);
  expect(second.body).toEqual({ items: [expect.objectContaining({ id: older.practiceId, myRole: 'owner' })], nextCursor: null });
  expect((await member.get('/practices')).body.items.map((x: { id: string }) => x.id)).toEqual([newer.practiceId, older.practiceId]);

  // Lab staff see every practice: following nextCursor reaches each one that existed before the
  // first page (the list used to stop at 500), once, newest first. Others may be created meanwhile.
  const techId = await createUser(sys, `lab-tech-${uniq()}`, 'technician');
  await sys.insertInto('lab_staff').values({ profile_id: techId }).execute();
  const tech = as(env.app, await tokenFor(env.h.config, techId));
  const before = (await sys.selectFrom('practices').select('id').execute()).map((r) => r.id);
  const limit = Math.min(100, Math.ceil(before.length / 4));
  const seen: Array<{ id: string; createdAt: string }> = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await tech.get(`/practices?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    seen.push(...res.body.items);
    cursor = res.body.nextCursor;
    pages++;
  } while (cursor);
  expect(pages).toBeGreaterThan(1);
  const seenIds = seen.map((x) => x.id);
  expect(new Set(seenIds).size).toBe(seenIds.length);
  expect(seenIds).toEqual(expect.arrayContaining(before));
  const times = seen.map((x) => Date.parse(x.createdAt));
  expect(times).toEqual([...times].sort((x, y) => y - x));

  const field = async (url: string) => {
    const res = await member.get(url);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    return res.body.error.details.map((d: { field: string }) => d.field);
  };
  expect(await field('/practices?limit=0')).toEqual(['query.limit']);
  expect(await field('/practices?limit=101')).toEqual(['query.limit']);
  expect(await field('/practices?limit=ten')).toEqual(['query.limit']);
  expect(await field('/practices?cursor=garbage')).toEqual(['query.cursor']);
  // A well-formed cursor past the oldest practice: an empty last page.
  expect((await member.get(`/practices?cursor=0_${older.practiceId}`)).body).toEqual({ items: [], nextCursor: null });
});

test('GET /practitioners pages newest first by keyset (no silent cap), filtered by practice and name; bad limit 400 naming the field', async () => {
  const p = await practice();
  const sys = env.h.database.system;
  // Seven practitioners who are members of the practice, written in one statement (one created_at: the id breaks the tie).
  const tag = uniq();
  const profiles: string[] = [];
  for (let i = 0; i < 7; i++) profiles.push(await createUser(sys, `prac${i}${tag}`, 'doctor'));
  await sys.insertInto('practice_members').values(profiles.map((id) => ({ practice_id: p.f.practiceId, profile_id: id, role: 'doctor' as const }))).execute();
  const rows = await sys.insertInto('practitioners').values(profiles.map((id, i) => ({ profile_id: id, license_number: `LIC-${tag}-${i}` }))).returning('id').execute();
  const ids = rows.map((r) => r.id);

  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await p.assistant.get(`/practitioners?practiceId=${p.f.practiceId}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(3);
    seen.push(...res.body.items.map((x: { id: string }) => x.id));
    cursor = res.body.nextCursor;
    pages++;
  } while (cursor);
  expect(pages).toBe(3);
  expect(seen).toEqual([...ids].sort().reverse());
  const named = await p.assistant.get(`/practitioners?practiceId=${p.f.practiceId}&q=${encodeURIComponent(`prac3${tag}`)}`);
  expect(named.body).toEqual({ items: [expect.objectContaining({ id: ids[3] })], nextCursor: null });
  const bad = await p.assistant.get('/practitioners?limit=101');
  expect([bad.status, bad.body.error.details.map((d: { field: string }) => d.field)]).toEqual([400, ['query.limit']]);
});

test('GET /practices/{id}/invitations pages newest first by keyset past the old 500 cap: every open invitation once, ties on created_at broken by id; bad limit or cursor 400 naming the field', async () => {
  const p = await practice();
  const sys = env.h.database.system;
  const id = p.f.practiceId;
  // 503 open invitations (one more than the old silent cap of 500 holds, and more than five full
  // pages), written in three statements so that many share created_at: only the id tie-breaker
  // keeps the pages apart. One accepted and one revoked invitation must not be listed.
  const row = (n: number, extra: object = {}) => ({ practice_id: id, email: `paged-${n}-${uniq()}@test.mdw`, role: 'assistant' as const, invited_by: p.f.members.owner, ...extra });
  const at = (ms: number) => new Date(Date.now() - ms);
  await sys.insertInto('practice_invitations').values(Array.from({ length: 250 }, (_, n) => row(n, { created_at: at(60_000) }))).execute();
  await sys.insertInto('practice_invitations').values(Array.from({ length: 250 }, (_, n) => row(250 + n, { created_at: at(30_000) }))).execute();
  await sys.insertInto('practice_invitations').values([0, 1, 2].map((n) => row(500 + n))).execute();
  await sys.insertInto('practice_invitations').values([row(900, { accepted_at: new Date() }), row(901, { revoked_at: new Date() })]).execute();
  const open = (await sys.selectFrom('practice_invitations').select('id').where('practice_id', '=', id).where('accepted_at', 'is', null).where('revoked_at', 'is', null).execute()).map((r) => r.id);
  expect(open).toHaveLength(503);

  const seen: Array<{ id: string; createdAt: string; status: string }> = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await p.admin.get(`/practices/${id}/invitations?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(100);
    seen.push(...res.body.items);
    cursor = res.body.nextCursor;
    pages++;
  } while (cursor);
  expect(pages).toBe(6);
  const seenIds = seen.map((x) => x.id);
  expect(new Set(seenIds).size).toBe(503);
  expect([...seenIds].sort()).toEqual([...open].sort());
  expect(new Set(seen.map((x) => x.status))).toEqual(new Set(['pending']));
  // Newest first, and within one created_at by id descending (what the cursor compares).
  const key = seen.map((x) => [Date.parse(x.createdAt), x.id] as const);
  expect(key).toEqual([...key].sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? 1 : -1)));

  // Small pages across the ties give the same sequence; the default page is 25.
  const small: string[] = [];
  cursor = null;
  for (let i = 0; i < 3; i++) {
    const res = await p.owner.get(`/practices/${id}/invitations?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
    small.push(...res.body.items.map((x: { id: string }) => x.id));
    cursor = res.body.nextCursor;
  }
  expect(small).toEqual(seenIds.slice(0, 21));
  const first = await p.owner.get(`/practices/${id}/invitations`);
  expect(first.body.items.map((x: { id: string }) => x.id)).toEqual(seenIds.slice(0, 25));
  expect(first.body.nextCursor).toEqual(expect.any(String));

  const field = async (url: string) => {
    const res = await p.owner.get(url);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    return res.body.error.details.map((d: { field: string }) => d.field);
  };
  expect(await field(`/practices/${id}/invitations?limit=0`)).toEqual(['query.limit']);
  expect(await field(`/practices/${id}/invitations?limit=101`)).toEqual(['query.limit']);
  expect(await field(`/practices/${id}/invitations?cursor=garbage`)).toEqual(['query.cursor']);
  expect((await p.owner.get(`/practices/${id}/invitations?cursor=0_${id}`)).body).toEqual({ items: [], nextCursor: null });
  expect((await p.technician.get(`/practices/${id}/invitations?limit=5`)).status).toBe(403);
});

test('request logs are JSON lines with request id, actor, practice, status and duration; no token or body in them', async () => {
  const p = await practice();
  const lines: string[] = [];
  const logDestination = { write: (line: string) => void lines.push(line) };
  const config = { ...testConfig({ LOG_LEVEL: 'info' }), DATABASE_URL: env.h.config.DATABASE_URL };
  const app = createApp({ config, database: env.h.database, temporal: env.h.client, cases: env.h.cases, logDestination });
  const token = await tokenFor(config, p.f.members.assistant);
  const res = await request(app).get(`/practices/${p.f.practiceId}`).set('authorization', `Bearer ${token}`).set('x-request-id', 'req-logs-1');
  expect(res.status).toBe(200);
  await request(app).get('/practices').set('authorization', 'Bearer not-a-token');
  const requestLines = lines.filter((l) => (JSON.parse(l) as { msg?: string }).msg === 'request');
  const entries = requestLines.map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(entries[0]).toMatchObject({ service: 'mdw-api', requestId: 'req-logs-1', actor: p.f.members.assistant, practice: p.f.practiceId, method: 'GET', path: `/practices/${p.f.practiceId}`, status: 200, ms: expect.any(Number) });
  expect(entries[1]).toMatchObject({ path: '/practices', status: 401, requestId: expect.any(String) });
  expect(requestLines[0]!.match(/"actor"/g)).toHaveLength(1); // one key, not repeated by child loggers
  expect(lines.join('\n')).not.toContain(token);
  expect(lines.join('\n')).not.toContain('not-a-token');
});
