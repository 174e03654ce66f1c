/**
 * The lab's working day (issue 11): lab staff across client practices under RLS, the three
 * inboxes with filters and keyset pagination, and personal assignment as a Workflow Update.
 */
import request from 'supertest';
import { createPracticeFixture, createUser, type PracticeFixture } from '../support/fixtures';
import { waitFor } from '../support/wait';
import { as, setupApi, tokenFor, type ApiEnv, type Caller } from './support';
import type { UserRole } from '../../src/repositories/identity.repository';
import { setupAndTeardown } from '../support/lifecycle';

let env: ApiEnv;
setupAndTeardown(async () => {
  env = await setupApi({ config: { STORAGE_DIR: `${process.env.MDW_TEST_DIR}/files-lab-day-${process.pid}` } });
}, [() => env?.close()]);

interface InboxItem {
  caseId: string;
  practiceId: string;
  practiceName: string;
  priority: string;
  assigneeId: string | null;
  task: { id: string; name: string; dueAt: string | null; overdue: boolean };
}

/** A lab staff member: global role plus the lab roster (0040). */
async function labStaff(role: UserRole): Promise<{ id: string; api: Caller }> {
  const id = await createUser(env.h.database.system, `lab-${role}`, role);
  await env.h.database.system.insertInto('lab_staff').values({ profile_id: id }).execute();
  return { id, api: as(env.app, await tokenFor(env.h.config, id)) };
}

async function memberOf(f: PracticeFixture, role: keyof PracticeFixture['members']): Promise<Caller> {
  return as(env.app, await tokenFor(env.h.config, f.members[role]));
}

/** A case whose first human task ("Records review", technician) awaits people. */
async function openCase(f: PracticeFixture, priority = 'medium'): Promise<{ id: string; taskId: string }> {
  const doctor = await memberOf(f, 'doctor');
  const created = await doctor.post('/cases', { practiceId: f.practiceId, patientId: f.patientId, title: 'Aligners', caseType: 'active_treatment', templateId: env.templateId, priority });
  expect(created.status).toBe(201);
  const view = await waitFor(
    () => doctor.get(`/cases/${created.body.id}`),
    (r) => r.body.workflow?.tasks.some((t: { awaitingDecision: boolean }) => t.awaitingDecision),
  );
  return { id: created.body.id, taskId: view.body.workflow.tasks.find((t: { awaitingDecision: boolean }) => t.awaitingDecision).id };
}

const inbox = async (who: Caller, query: string): Promise<{ items: InboxItem[]; nextCursor: string | null }> => {
  const res = await who.get(`/tasks/inbox?${query}`);
  expect(res.status).toBe(200);
  return res.body;
};
const caseIds = (items: InboxItem[]) => items.map((i) => i.caseId);

describe('lab staff across practices', () => {
  let a: PracticeFixture;
  let b: PracticeFixture;
  let caseA: { id: string; taskId: string };
  let caseB: { id: string; taskId: string };
  let tech: { id: string; api: Caller };

  beforeAll(async () => {
    a = await createPracticeFixture(env.h.database.system);
    b = await createPracticeFixture(env.h.database.system);
    await env.h.database.system.updateTable('patients').set({ date_of_birth: '1990-04-12', medical_history: JSON.stringify({ allergies: ['latex'] }) }).where('id', '=', a.patientId).execute();
    [caseA, caseB] = [await openCase(a), await openCase(b)];
    tech = await labStaff('technician');
  });

  test('the lab queue holds both practices; each practice member sees only their own', async () => {
    // One queue across practices, read per practice: other test files fill the shared lab queue
    // beyond any page (limit=100 once missed ours on a loaded run).
    const labA = await inbox(tech.api, `view=lab&practiceId=${a.practiceId}`);
    expect(caseIds(labA.items)).toEqual([caseA.id]);
    expect(labA.items[0]!.practiceName).toMatch(/^Practice /);
    expect(caseIds((await inbox(tech.api, `view=lab&practiceId=${b.practiceId}`)).items)).toEqual([caseB.id]);

    const techA = await memberOf(a, 'technician');
    const techB = await memberOf(b, 'technician');
    expect(caseIds((await inbox(techA, 'view=roles')).items)).toEqual([caseA.id]);
    expect(caseIds((await inbox(techB, 'view=roles')).items)).toEqual([caseB.id]);
    // Practice staff have no lab queue, though their global role defaults to technician.
    expect((await inbox(techA, 'view=lab')).items).toEqual([]);
    // Not a member anywhere: nothing in "my roles".
    expect((await inbox(tech.api, 'view=roles')).items).toEqual([]);
  });

  test('lab staff read what their work needs, and nothing else', async () => {
    const detail = await tech.api.get(`/cases/${caseA.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.patient).toEqual({ id: a.patientId, patientNumber: expect.any(String), fullName: expect.stringMatching(/^Pat /), dateOfBirth: '1990-04-12' });
    expect(JSON.stringify(detail.body)).not.toContain('latex');
    expect((await tech.api.get(`/cases?practiceId=${b.practiceId}`)).body.items.map((c: { id: string }) => c.id)).toEqual([caseB.id]);

    // Other patient data, practice administration: invisible, like to a stranger.
    for (const res of [
      await tech.api.get(`/patients/${a.patientId}`),
      await tech.api.patch(`/patients/${a.patientId}`, { firstName: 'X' }),
      await tech.api.get(`/practices/${a.practiceId}/members`),
      await tech.api.patch(`/practices/${a.practiceId}`, { name: 'Lab took over' }),
    ]) {
      expect(res.status).toBe(404);
    }
    expect((await tech.api.get(`/patients?practiceId=${a.practiceId}`)).body.items).toEqual([]);

    // Messages: read, write as themselves, mark read.
    const posted = await tech.api.post(`/cases/${caseA.id}/messages`, { content: 'Scan received, starting the set-up.' });
    expect(posted.status).toBe(201);
    const doctorA = await memberOf(a, 'doctor');
    const fromDoctor = (await doctorA.post(`/cases/${caseA.id}/messages`, { content: 'Please keep the midline.' })).body;
    const read = await tech.api.post(`/cases/${caseA.id}/messages/${fromDoctor.id}/read`);
    expect(read.status).toBe(200);
    expect(read.body.readByMe).toBe(true);
    expect(read.body.senderName).toMatch(/^doctor /);
    const listed = await tech.api.get(`/cases/${caseA.id}/messages`);
    expect(listed.body.items.map((m: { id: string }) => m.id)).toEqual(expect.arrayContaining([posted.body.id, fromDoctor.id]));

    // Files: upload and list.
    const token = await tokenFor(env.h.config, tech.id);
    const file = await request(env.app).post(`/cases/${caseA.id}/files?fileName=setup.stl&fileType=model`).set('Authorization', `Bearer ${token}`).set('Content-Type', 'model/stl').send(Buffer.from('solid x\nendsolid x\n'));
    expect(file.status).toBe(201);
    expect((await tech.api.get(`/cases/${caseA.id}/files`)).body.items.map((f: { id: string }) => f.id)).toContain(file.body.id);

    // A case action of the practice's doctors is not the lab's.
    expect((await tech.api.post(`/cases/${caseA.id}/hold`, { reason: 'x' })).body.error.code).toBe('wrong_role');
  });

  test('practice staff still see only their own practice', async () => {
    const ownerA = await memberOf(a, 'owner');
    expect((await ownerA.get(`/cases/${caseB.id}`)).status).toBe(404);
    expect((await ownerA.get(`/tasks/inbox?view=lab&practiceId=${b.practiceId}`)).body.items).toEqual([]);
    expect((await ownerA.post(`/cases/${caseB.id}/tasks/${caseB.taskId}/claim`)).status).toBe(404);
    // A profile listed nowhere sees no case at all.
    const stranger = as(env.app, await tokenFor(env.h.config, await createUser(env.h.database.system, 'stranger', 'technician')));
    expect((await stranger.get(`/cases/${caseA.id}`)).status).toBe(404);
    expect((await stranger.get('/tasks/inbox?view=lab')).body.items).toEqual([]);
  });

  test('lab support reads the queue and cases but acts on no task', async () => {
    const support = await labStaff('support');
    expect(caseIds((await inbox(support.api, `view=lab&practiceId=${a.practiceId}`)).items)).toEqual([caseA.id]);
    expect((await support.api.get(`/cases/${caseA.id}`)).status).toBe(200);
    const claim = await support.api.post(`/cases/${caseA.id}/tasks/${caseA.taskId}/claim`);
    expect(claim.status).toBe(403);
    expect(claim.body.error.code).toBe('not_a_member');
  });
});

describe('personal assignment', () => {
  test('of concurrent claims exactly one wins; mine, reassign by the lab admin, release', async () => {
    const f = await createPracticeFixture(env.h.database.system);
    const kase = await openCase(f);
    const [t1, t2] = [await labStaff('technician'), await labStaff('technician')];
    const url = `/cases/${kase.id}/tasks/${kase.taskId}`;

    const claims = await Promise.all([t1.api.post(`${url}/claim`), t2.api.post(`${url}/claim`), t1.api.post(`${url}/claim`), t2.api.post(`${url}/claim`)]);
    const winners = new Set(claims.filter((r) => r.status === 200).map((r) => r.body.tasks.find((t: { id: string }) => t.id === kase.taskId).assigneeId));
    expect(winners.size).toBe(1);
    const [winnerId] = [...winners];
    const winner = winnerId === t1.id ? t1 : t2;
    const loser = winnerId === t1.id ? t2 : t1;
    for (const r of claims.filter((c) => c.status !== 200)) expect({ status: r.status, code: r.body.error.code }).toEqual({ status: 422, code: 'task_assigned' });

    const mine = await waitFor(() => inbox(winner.api, 'view=mine'), (p) => p.items.length === 1);
    expect(mine.items[0]).toMatchObject({ caseId: kase.id, assigneeId: winner.id });
    // The loser's lab queue no longer offers it; the loser cannot decide it.
    expect(caseIds((await inbox(loser.api, `view=lab&practiceId=${f.practiceId}`)).items)).toEqual([]);
    expect((await loser.api.post(`${url}/decision`, { decision: 'approve' })).body.error.code).toBe('task_assigned');
    // Only a lead assigns.
    expect((await loser.api.post(`${url}/assign`, { assigneeId: loser.id })).body.error.code).toBe('wrong_role');

    const labAdmin = await labStaff('admin');
    const reassigned = await labAdmin.api.post(`${url}/assign`, { assigneeId: loser.id });
    expect(reassigned.status).toBe(200);
    expect(reassigned.body.tasks.find((t: { id: string }) => t.id === kase.taskId).assigneeId).toBe(loser.id);
    await waitFor(() => inbox(loser.api, 'view=mine'), (p) => p.items.length === 1 && p.items[0]!.caseId === kase.id);
    expect((await inbox(winner.api, 'view=mine')).items).toEqual([]);

    // The assignee must be able to act on the task: the practice's doctor cannot take a technician task.
    const toDoctor = await labAdmin.api.post(`${url}/assign`, { assigneeId: f.members.doctor });
    expect(toDoctor.status).toBe(422);
    expect(toDoctor.body.error.code).toBe('wrong_role');
    const toStranger = await labAdmin.api.post(`${url}/assign`, { assigneeId: await createUser(env.h.database.system, 'nobody') });
    expect(toStranger.status).toBe(404);
    expect(toStranger.body.error).toMatchObject({ code: 'not_found', details: [{ field: 'assigneeId' }] });

    // Release: back into the pool, and into the winner's lab queue.
    expect((await winner.api.post(`${url}/release`)).body.error.code).toBe('wrong_role');
    const released = await loser.api.post(`${url}/release`);
    expect(released.status).toBe(200);
    expect(released.body.tasks.find((t: { id: string }) => t.id === kase.taskId).assigneeId).toBeNull();
    expect((await loser.api.post(`${url}/release`)).body.error.code).toBe('task_not_assigned');
    expect(caseIds((await inbox(winner.api, `view=lab&practiceId=${f.practiceId}`)).items)).toEqual([kase.id]);

    // The practice's owner leads too: assigns to the practice's own technician, who decides.
    const owner = await memberOf(f, 'owner');
    expect((await owner.post(`${url}/assign`, { assigneeId: f.members.technician })).status).toBe(200);
    const techF = await memberOf(f, 'technician');
    expect(caseIds((await inbox(techF, 'view=mine')).items)).toEqual([kase.id]);
    expect((await techF.post(`${url}/decision`, { decision: 'approve' })).status).toBe(200);
    await waitFor(() => inbox(techF, 'view=mine'), (p) => p.items.length === 0);
  });

  test('inbox filters and keyset pagination', async () => {
    const f = await createPracticeFixture(env.h.database.system);
    const priorities = ['low', 'urgent', 'medium', 'urgent', 'high'];
    const cases: Array<{ id: string; priority: string }> = [];
    for (const p of priorities) cases.push({ id: (await openCase(f, p)).id, priority: p });
    const tech = await memberOf(f, 'technician');

    const pages: InboxItem[][] = [];
    let cursor: string | null = null;
    do {
      const page: { items: InboxItem[]; nextCursor: string | null } = await inbox(tech, `view=roles&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    const order = ['urgent', 'high', 'medium', 'low'];
    const expected = [...cases].map((c, i) => ({ ...c, i })).sort((x, y) => order.indexOf(x.priority) - order.indexOf(y.priority) || x.i - y.i);
    expect(pages.flat().map((i) => i.caseId)).toEqual(expected.map((c) => c.id));

    expect((await inbox(tech, 'view=roles&priority=urgent')).items.map((i) => i.priority)).toEqual(['urgent', 'urgent']);
    expect((await inbox(tech, 'view=roles&overdue=true')).items).toEqual([]);
    expect((await inbox(tech, 'view=roles&overdue=false')).items).toHaveLength(5);
    // Due before: the records review (4 h estimate, scaled by priority) of urgent cases only.
    const soon = new Date(Date.now() + 2.5 * 3600_000).toISOString();
    expect((await inbox(tech, `view=roles&dueBefore=${encodeURIComponent(soon)}`)).items.map((i) => i.priority)).toEqual(['urgent', 'urgent']);

    const bad = await tech.get('/tasks/inbox?cursor=nonsense');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('query.cursor');
    expect((await tech.get('/tasks/inbox?view=everything')).body.error.details[0].field).toMatch(/view/);
  });
});
