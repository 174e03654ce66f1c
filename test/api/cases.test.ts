/** Cases and the human work on them, end to end through HTTP, Temporal and PostgreSQL. */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createPracticeFixture, type PracticeFixture } from '../support/fixtures';
import { createPatient } from '../../src/repositories/identity.repository';
import { waitFor } from '../support/wait';
import { as, setupApi, tokenFor, type ApiEnv, type Caller } from './support';
import { setupAndTeardown } from '../support/lifecycle';

// A workflow's first tasks wait for the file's worker to be polling and warm: on a starved machine
// (a clean-clone run beside a benchmark) the first case took over 20 s to reach "Records review".
// Waits end when the state is reached; these bounds only say when to give up.
jest.setTimeout(120_000);

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

const newCase = (f: PracticeFixture, extra: Record<string, unknown> = {}) => ({
  practiceId: f.practiceId,
  patientId: f.patientId,
  title: 'Upper and lower aligners',
  caseType: 'active_treatment',
  templateId: env.templateId,
  ...extra,
});

async function awaitingTask(c: Caller, caseId: string, name: string): Promise<string> {
  const res = await waitFor(
    () => c.get(`/cases/${caseId}`),
    (r) => r.status === 200 && r.body.workflow?.tasks.some((t: { name: string; awaitingDecision: boolean }) => t.name === name && t.awaitingDecision),
    60_000,
    `"${name}" to await a decision`,
  );
  return res.body.workflow.tasks.find((t: { name: string }) => t.name === name).id;
}

const countCases = async (practiceId: string) =>
  (await env.h.database.system.selectFrom('cases').select(sql<number>`count(*)::int`.as('n')).where('practice_id', '=', practiceId).executeTakeFirstOrThrow()).n;

test('POST /cases creates the case and starts its workflow; GET shows timeline and live view', async () => {
  const p = await practice();
  const created = await p.doctor.post('/cases', newCase(p.f, { priority: 'high', description: 'Crowding on the lower arch' }));
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ practiceId: p.f.practiceId, patientId: p.f.patientId, state: 'submitted', priority: 'high', caseNumber: 'C-000001' });

  await awaitingTask(p.technician, created.body.id, 'Records review');
  const detail = await p.technician.get(`/cases/${created.body.id}`);
  expect(detail.status).toBe(200);
  expect(detail.body.patient.id).toBe(p.f.patientId);
  expect(detail.body.timeline[0]).toMatchObject({ kind: 'state', fromState: null, toState: 'submitted', actorId: p.f.members.doctor });
  expect(detail.body.workflow).toMatchObject({ caseId: created.body.id, status: 'active', rolesAwaited: ['technician'] });
});

test('a non-member cannot create a case in a practice (404), nor with another practice’s patient', async () => {
  const a = await practice();
  const b = await practice();
  const foreignPractice = await a.doctor.post('/cases', newCase(b.f));
  expect(foreignPractice.status).toBe(404);
  const foreignPatient = await a.doctor.post('/cases', newCase(a.f, { patientId: b.f.patientId }));
  expect(foreignPatient.status).toBe(404);
  expect(await countCases(a.f.practiceId)).toBe(0);
  expect(await countCases(b.f.practiceId)).toBe(0);
});

test('an idempotent retry creates one case; the same key with another body is refused', async () => {
  const p = await practice();
  const key = randomUUID();
  const first = await p.doctor.post('/cases', newCase(p.f), { headers: { 'Idempotency-Key': key } });
  const retry = await p.doctor.post('/cases', newCase(p.f), { headers: { 'Idempotency-Key': key } });
  expect(first.status).toBe(201);
  expect(retry.status).toBe(201);
  expect(retry.body).toEqual(first.body);
  expect(await countCases(p.f.practiceId)).toBe(1);

  const reused = await p.doctor.post('/cases', newCase(p.f, { title: 'Something else' }), { headers: { 'Idempotency-Key': key } });
  expect(reused.status).toBe(422);
  expect(reused.body.error.code).toBe('idempotency_key_reused');
  expect(await countCases(p.f.practiceId)).toBe(1);

  // Keys are per caller: another person's same key is a new request.
  const other = await p.owner.post('/cases', newCase(p.f), { headers: { 'Idempotency-Key': key } });
  expect(other.status).toBe(201);
  expect(other.body.id).not.toBe(first.body.id);
});

test('20 parallel identical POST /cases with one case number all answer 201 with the one case', async () => {
  const p = await practice();
  const caseNumber = `P-${randomUUID().slice(0, 8)}`;
  const metadata = { source: 'scanner', arch: ['upper', 'lower'] };
  const body = newCase(p.f, { caseNumber, priority: 'high', metadata });
  const answers = await Promise.all(Array.from({ length: 20 }, () => p.doctor.post('/cases', body)));
  expect(answers.map((r) => r.status)).toEqual(Array(20).fill(201));
  const ids = new Set(answers.map((r) => r.body.id));
  expect(ids.size).toBe(1);
  expect(await countCases(p.f.practiceId)).toBe(1);
  expect(answers[0]!.body).toMatchObject({ caseNumber, priority: 'high', metadata });

  // The same number with another body is a 409 that says which fields differ.
  const other = await p.doctor.post('/cases', { ...body, title: 'Another case', metadata: { source: 'manual' } });
  expect(other.status).toBe(409);
  expect(other.body.error.code).toBe('case_number_taken');
  expect(other.body.error.details.map((d: { field: string }) => d.field)).toEqual(['title', 'metadata']);
  expect(other.body.error.message).toMatch(/title, metadata/);
  expect(await countCases(p.f.practiceId)).toBe(1);
});

test('GET /cases filters and pages with a keyset cursor', async () => {
  const p = await practice();
  const ids: string[] = [];
  for (const [i, priority] of (['low', 'high', 'high', 'urgent', 'medium'] as const).entries()) {
    const r = await p.doctor.post('/cases', newCase(p.f, { priority, title: i === 3 ? 'Emergency bracket repair' : `Aligners ${i}` }));
    ids.push(r.body.id);
  }
  const page1 = await p.assistant.get(`/cases?practiceId=${p.f.practiceId}&limit=2`);
  expect(page1.status).toBe(200);
  expect(page1.body.items.map((c: { id: string }) => c.id)).toEqual([ids[4], ids[3]]);
  const page2 = await p.assistant.get(`/cases?practiceId=${p.f.practiceId}&limit=2&cursor=${page1.body.nextCursor}`);
  expect(page2.body.items.map((c: { id: string }) => c.id)).toEqual([ids[2], ids[1]]);
  const page3 = await p.assistant.get(`/cases?practiceId=${p.f.practiceId}&limit=2&cursor=${page2.body.nextCursor}`);
  expect(page3.body.items.map((c: { id: string }) => c.id)).toEqual([ids[0]]);
  expect(page3.body.nextCursor).toBeNull();

  const high = await p.assistant.get(`/cases?practiceId=${p.f.practiceId}&priority=high`);
  expect(high.body.items).toHaveLength(2);
  const text = await p.assistant.get(`/cases?practiceId=${p.f.practiceId}&text=bracket`);
  expect(text.body.items.map((c: { id: string }) => c.id)).toEqual([ids[3]]);
  const typed = await p.assistant.get(`/cases?practiceId=${p.f.practiceId}&type=retention`);
  expect(typed.body.items).toEqual([]);
  // Fresh cases are due days ahead: all five are not overdue, none is.
  const notOverdue = await p.assistant.get(`/cases?practiceId=${p.f.practiceId}&overdue=false&limit=100`);
  expect(notOverdue.body.items.map((c: { id: string }) => c.id).sort()).toEqual([...ids].sort());
  expect((await p.assistant.get(`/cases?practiceId=${p.f.practiceId}&overdue=true`)).body.items).toEqual([]);
  // A cancelled case is the one state=cancelled lists (the others move on by themselves).
  expect((await p.assistant.get(`/cases?practiceId=${p.f.practiceId}&state=cancelled`)).body.items).toEqual([]);
  expect((await p.doctor.post(`/cases/${ids[0]}/cancel`, { reason: 'Patient withdrew' })).status).toBe(200);
  await waitFor(() => p.doctor.get(`/cases/${ids[0]}`), (r) => r.body.state === 'cancelled');
  expect((await p.assistant.get(`/cases?practiceId=${p.f.practiceId}&state=cancelled`)).body.items.map((c: { id: string }) => c.id)).toEqual([ids[0]]);
  const badFilter = await p.assistant.get(`/cases?state=nonsense&limit=1000`);
  expect(badFilter.status).toBe(400);
  expect(badFilter.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['query.limit', 'query.state']);
  const badCursor = await p.assistant.get(`/cases?cursor=garbage`);
  expect(badCursor.status).toBe(400);
});

test("GET /cases?patientId= lists one patient's cases with the keyset cursor; another practice's patient lists nothing", async () => {
  const p = await practice();
  const other = await createPatient(env.h.database.system, { practiceId: p.f.practiceId, email: `other-${randomUUID()}@patients.test`, firstName: 'Olive', lastName: 'Other' });
  const mine: string[] = [];
  for (const [i, patientId] of [p.f.patientId, other.id, p.f.patientId, other.id, p.f.patientId].entries()) {
    const r = await p.doctor.post('/cases', newCase(p.f, { patientId, title: `Aligners ${i}` }));
    expect(r.status).toBe(201);
    if (patientId === p.f.patientId) mine.push(r.body.id);
  }
  const page1 = await p.assistant.get(`/cases?patientId=${p.f.patientId}&limit=2`);
  expect(page1.status).toBe(200);
  expect(page1.body.items.map((c: { id: string; patientId: string }) => [c.id, c.patientId])).toEqual([
    [mine[2], p.f.patientId],
    [mine[1], p.f.patientId],
  ]);
  const page2 = await p.assistant.get(`/cases?patientId=${p.f.patientId}&limit=2&cursor=${page1.body.nextCursor}`);
  expect(page2.body.items.map((c: { id: string }) => c.id)).toEqual([mine[0]]);
  expect(page2.body.nextCursor).toBeNull();
  // With the other filters: both must hold.
  expect((await p.assistant.get(`/cases?patientId=${other.id}&practiceId=${p.f.practiceId}&text=Aligners`)).body.items).toHaveLength(2);

  // RLS: a member of practice B names A's patient and gets an empty list, as for any invisible id.
  const b = await practice();
  const fromB = await b.owner.get(`/cases?patientId=${p.f.patientId}`);
  expect([fromB.status, fromB.body.items, fromB.body.nextCursor]).toEqual([200, [], null]);
  expect((await b.owner.get(`/cases?patientId=${p.f.patientId}&practiceId=${p.f.practiceId}`)).body.items).toEqual([]);
  const bad = await p.assistant.get('/cases?patientId=not-a-uuid');
  expect([bad.status, bad.body.error.details.map((d: { field: string }) => d.field)]).toEqual([400, ['query.patientId']]);
});

test('decisions: a technician on a doctor-only task is refused with the workflow’s reason (422 wrong_role)', async () => {
  const p = await practice();
  const c = await p.doctor.post('/cases', newCase(p.f));
  const id = c.body.id as string;
  const records = await awaitingTask(p.technician, id, 'Records review');
  const afterRecords = await p.technician.post(`/cases/${id}/tasks/${records}/decision`, { decision: 'approve' });
  expect(afterRecords.status).toBe(200);
  expect(afterRecords.body.decisions.filter((d: { decision: string }) => d.decision !== 'complete')).toEqual([expect.objectContaining({ taskId: records, decision: 'approve', by: p.f.members.technician, role: 'technician' })]);

  const plan = await awaitingTask(p.technician, id, 'Treatment plan design');
  expect((await p.technician.post(`/cases/${id}/tasks/${plan}/decision`, { decision: 'approve' })).status).toBe(200);

  const approval = await awaitingTask(p.doctor, id, 'Doctor approval');
  const statesBefore = await env.h.database.system.selectFrom('case_states').select('id').where('case_id', '=', id).execute();
  const refused = await p.technician.post(`/cases/${id}/tasks/${approval}/decision`, { decision: 'approve' });
  expect(refused.status).toBe(422);
  expect(refused.body.error.code).toBe('wrong_role');
  expect(refused.body.error.message).toMatch(/must be decided by doctor; you are technician/);
  expect(await env.h.database.system.selectFrom('case_states').select('id').where('case_id', '=', id).execute()).toHaveLength(statesBefore.length);

  const noReason = await p.doctor.post(`/cases/${id}/tasks/${approval}/decision`, { decision: 'reject' });
  expect(noReason.status).toBe(422);
  expect(noReason.body.error.code).toBe('reason_required');

  const key = randomUUID();
  const approved = await p.doctor.post(`/cases/${id}/tasks/${approval}/decision`, { decision: 'approve' }, { headers: { 'Idempotency-Key': key } });
  expect(approved.status).toBe(200);
  expect(approved.body.state).toBe('in_production');
  const again = await p.doctor.post(`/cases/${id}/tasks/${approval}/decision`, { decision: 'approve' }, { headers: { 'Idempotency-Key': key } });
  expect(again.body).toEqual(approved.body);

  const printing = await awaitingTask(p.technician, id, 'Aligner printing');
  const done = await p.technician.post(`/cases/${id}/tasks/${printing}/complete`, { note: 'printed on M2' });
  expect(done.status).toBe(200);
  expect(done.body.tasks.find((t: { id: string }) => t.id === printing).status).toBe('done');

  const unknownTask = await p.technician.post(`/cases/${id}/tasks/${randomUUID()}/decision`, { decision: 'approve' });
  expect(unknownTask.status).toBe(422);
  expect(unknownTask.body.error.code).toBe('unknown_task');
  const badDecision = await p.technician.post(`/cases/${id}/tasks/${printing}/decision`, { decision: 'maybe' });
  expect(badDecision.status).toBe(400);
  expect(badDecision.body.error.details[0].field).toBe('decision');
});

test('hold, resume, priority and cancel answer the workflow view; wrong roles are refused', async () => {
  const p = await practice();
  const c = await p.doctor.post('/cases', newCase(p.f));
  const id = c.body.id as string;
  await awaitingTask(p.technician, id, 'Records review');

  const assistantHold = await p.assistant.post(`/cases/${id}/hold`, { reason: 'x' });
  expect(assistantHold.status).toBe(422);
  expect(assistantHold.body.error.code).toBe('wrong_role');

  const held = await p.doctor.post(`/cases/${id}/hold`, { reason: 'Patient travelling' });
  expect(held.status).toBe(200);
  expect(held.body).toMatchObject({ onHold: true, state: 'on_hold', holdReason: 'Patient travelling' });
  const heldAgain = await p.doctor.post(`/cases/${id}/hold`, { reason: 'again' });
  expect(heldAgain.status).toBe(422);

  const resumed = await p.owner.post(`/cases/${id}/resume`, { note: 'back' });
  expect(resumed.body).toMatchObject({ onHold: false, state: 'under_review' });

  const urgent = await p.doctor.post(`/cases/${id}/priority`, { priority: 'urgent' });
  expect(urgent.status).toBe(200);
  expect(urgent.body.priority).toBe('urgent');
  const badPriority = await p.doctor.post(`/cases/${id}/priority`, { priority: 'whenever' });
  expect(badPriority.status).toBe(400);

  // A blank reason is refused at the edge, as the document says (pattern: not blank).
  const blank = await p.doctor.post(`/cases/${id}/cancel`, { reason: ' ' });
  expect(blank.status).toBe(400);
  expect(blank.body.error).toMatchObject({ code: 'validation_failed', details: [{ field: 'reason' }] });
  const cancelled = await p.doctor.post(`/cases/${id}/cancel`, { reason: 'Patient withdrew' });
  expect(cancelled.status).toBe(200);
  expect(cancelled.body.status).toBe('cancelled');

  await waitFor(() => p.doctor.get(`/cases/${id}`), (r) => r.body.state === 'cancelled');
  const afterEnd = await p.doctor.post(`/cases/${id}/resume`, {});
  expect([409, 422]).toContain(afterEnd.status);
});

test('the inbox lists tasks awaiting a role the caller holds, most urgent first, and follows every action at once', async () => {
  const p = await practice();
  const c1 = await p.doctor.post('/cases', newCase(p.f, { title: 'Inbox one' }));
  const c2 = await p.doctor.post('/cases', newCase(p.f, { title: 'Inbox two', priority: 'urgent' }));
  // The first task becomes active right after the workflow starts (asynchronously).
  const inbox = await waitFor(
    () => p.technician.get(`/tasks/inbox?practiceId=${p.f.practiceId}`),
    (r) => r.status === 200 && r.body.items.length === 2,
    20_000,
    'two inbox items',
  );
  expect(inbox.body.items.map((i: { caseId: string }) => i.caseId)).toEqual([c2.body.id, c1.body.id]);
  expect(inbox.body.items[0]).toMatchObject({ myRole: 'technician', priority: 'urgent', task: { name: 'Records review', requiredRoles: ['technician'] } });
  // Nothing awaits a doctor yet.
  expect((await p.doctor.get(`/tasks/inbox?practiceId=${p.f.practiceId}`)).body.items).toEqual([]);

  type Item = { caseId: string; task: { id: string; name: string; kind: string } };
  const items = async (c: Caller) => (await c.get(`/tasks/inbox?practiceId=${p.f.practiceId}`)).body.items as Item[];
  const act = async (c: Caller, item: Item) => {
    const path = `/cases/${item.caseId}/tasks/${item.task.id}/${item.task.kind === 'decision' ? 'decision' : 'complete'}`;
    const res = await c.post(path, item.task.kind === 'decision' ? { decision: 'approve' } : {});
    expect(res.status).toBe(200);
  };
  // No waiting from here on: each answer is reflected by the very next inbox read.
  await act(p.technician, (await items(p.technician))[0]!); // c2: Records review
  expect((await items(p.technician)).map((i) => [i.caseId, i.task.name])).toEqual([
    [c2.body.id, 'Treatment plan design'],
    [c1.body.id, 'Records review'],
  ]);
  await act(p.technician, (await items(p.technician))[0]!); // c2: Treatment plan design
  expect((await items(p.technician)).map((i) => i.caseId)).toEqual([c1.body.id]);
  expect((await items(p.doctor)).map((i) => [i.caseId, i.task.name])).toEqual([[c2.body.id, 'Doctor approval']]);

  expect((await p.owner.post(`/cases/${c2.body.id}/hold`, { reason: 'Waiting for new scans' })).status).toBe(200);
  expect(await items(p.doctor)).toEqual([]);
  expect((await p.owner.post(`/cases/${c2.body.id}/resume`, {})).status).toBe(200);
  expect((await items(p.doctor)).map((i) => i.task.name)).toEqual(['Doctor approval']);
  expect((await p.owner.post(`/cases/${c2.body.id}/cancel`, { reason: 'Patient moved' })).status).toBe(200);
  expect(await items(p.doctor)).toEqual([]);
});
