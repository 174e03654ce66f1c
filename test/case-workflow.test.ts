/**
 * The case workflow on a real Temporal dev server with the real activities and PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { saveTemplate } from '../src/repositories/templates.repository';
import { CaseServiceError } from '../src/services/case.service';
import { clearAlignerTemplate } from '../src/seed/templates';
import { cancelUpdate, changePriorityUpdate, decideUpdate, holdUpdate, resumeUpdate } from '../src/workflows/case.messages';
import { createHarness, type Harness } from './support/harness';
import { createPracticeFixture, createTemplate, type PracticeFixture } from './support/fixtures';
import { as, caseDriver, FULL_CASE_STATES, recordHistory, refusal, taskId, view, type CaseHandle } from './support/case-driver';
import { waitFor } from './support/wait';
import { setupAndTeardown } from './support/lifecycle';

let h: Harness;
let templateId: string;
let d: ReturnType<typeof caseDriver>;

setupAndTeardown(async () => {
  h = await createHarness();
  d = caseDriver(h);
  templateId = await createTemplate(h.database.system, clearAlignerTemplate());
}, [() => h?.close()]);

const startCase = (f: PracticeFixture, tid = templateId) => d.startCase(f, tid);
const awaiting = (handle: CaseHandle, name: string) => d.awaiting(handle, name);
const decide: ReturnType<typeof caseDriver>['decide'] = (...args) => d.decide(...args);
const completeExternal: ReturnType<typeof caseDriver>['completeExternal'] = (...args) => d.completeExternal(...args);
const states = (caseId: string) => d.states(caseId);

async function createOrder(f: PracticeFixture, caseId: string): Promise<string> {
  const o = await h.database.system
    .insertInto('orders')
    .values({ case_id: caseId, practice_id: f.practiceId, order_number: `O-${randomUUID().slice(0, 8)}` })
    .returning('id')
    .executeTakeFirstOrThrow();
  return o.id;
}

async function runToApproval(f: PracticeFixture, handle: CaseHandle) {
  await decide(handle, 'Records review', as(f, 'technician'));
  await decide(handle, 'Treatment plan design', as(f, 'technician'));
}

test('a full case runs from submitted to completed with approvals by the right roles', async () => {
  const f = await createPracticeFixture(h.database.system);
  const { caseId, handle } = await startCase(f);
  const orderId = await createOrder(f, caseId);

  await runToApproval(f, handle);
  await decide(handle, 'Doctor approval', as(f, 'doctor'));
  await completeExternal(handle, 'Aligner printing', { profileId: f.members.technician, practiceRole: 'technician' });
  await decide(handle, 'Final inspection', as(f, 'technician'));
  await completeExternal(handle, 'Shipping', as(f, 'technician'));
  await completeExternal(handle, 'Delivery confirmation', as(f, 'assistant'));
  const result = await handle.result();

  expect(result.status).toBe('completed');
  expect(result.state).toBe('completed');
  expect(await states(caseId)).toEqual(FULL_CASE_STATES);
  await recordHistory(handle, 'full-case');
  const c = await h.database.system.selectFrom('cases').select(['current_state', 'closed_at']).where('id', '=', caseId).executeTakeFirstOrThrow();
  expect(c.current_state).toBe('completed');
  expect(c.closed_at).not.toBeNull();

  const orderStates = await h.database.system.selectFrom('order_states').select(['from_state', 'to_state']).where('order_id', '=', orderId).orderBy('created_at').execute();
  expect(orderStates.map((o) => o.to_state)).toEqual(['confirmed', 'in_production', 'quality_check', 'shipped', 'delivered', 'completed']);

  const instructions = await h.database.system.selectFrom('instruction_states').select(['instruction_type', 'status_code', 'is_active']).where('case_id', '=', caseId).orderBy('changed_at').execute();
  expect(instructions).toEqual([
    { instruction_type: 'attachments', status_code: 1, is_active: false },
    { instruction_type: 'attachments', status_code: 2, is_active: false },
  ]);

  const analytics = await h.database.system.selectFrom('state_analytics').select(['to_state']).where('case_id', '=', caseId).execute();
  expect(analytics).toHaveLength(8);
  const perf = await h.database.system.selectFrom('workflow_performance').selectAll().where('case_id', '=', caseId).execute();
  expect(perf).toHaveLength(1);
  expect(perf[0]!.workflow_template_id).toBe(templateId);
  expect((perf[0]!.task_performance as { tasks: unknown[] }).tasks).toHaveLength(10);
});

test('a decision by the wrong role is refused before anything is written', async () => {
  const f = await createPracticeFixture(h.database.system);
  const { caseId, handle } = await startCase(f);
  await runToApproval(f, handle);
  await awaiting(handle, 'Doctor approval');
  const before = await states(caseId);
  const messagesBefore = await h.database.system.selectFrom('case_messages').select(sql<number>`count(*)::int`.as('n')).where('case_id', '=', caseId).executeTakeFirstOrThrow();

  const r = await refusal(decide(handle, 'Doctor approval', as(f, 'technician')));
  expect(r.type).toBe('WrongRole');
  expect(r.message).toMatch(/must be decided by doctor; you are technician/);

  expect(await states(caseId)).toEqual(before);
  const messagesAfter = await h.database.system.selectFrom('case_messages').select(sql<number>`count(*)::int`.as('n')).where('case_id', '=', caseId).executeTakeFirstOrThrow();
  expect(messagesAfter.n).toBe(messagesBefore.n);
  expect((await view(handle)).decisions.filter((d) => d.decision !== 'complete')).toHaveLength(2);
  await handle.terminate('test done');
});

test('reject sends the case back to the rework task, counts the rework, then approval continues', async () => {
  const f = await createPracticeFixture(h.database.system);
  const { caseId, handle } = await startCase(f);
  await runToApproval(f, handle);

  const noReason = await refusal(decide(handle, 'Doctor approval', as(f, 'doctor'), 'reject'));
  expect(noReason.type).toBe('ReasonRequired');

  const afterReject = await decide(handle, 'Doctor approval', as(f, 'doctor'), 'reject', 'Move tooth 12 less');
  expect(afterReject.reworkCount).toBe(1);
  expect(afterReject.tasks.find((t) => t.name === 'Treatment plan design')).toMatchObject({ status: 'active', awaitingDecision: true, reworks: 1 });
  expect(afterReject.tasks.find((t) => t.name === 'Doctor approval')!.status).toBe('pending');

  await decide(handle, 'Treatment plan design', as(f, 'technician'));
  const approved = await decide(handle, 'Doctor approval', as(f, 'doctor'));
  await recordHistory(handle, 'reject-rework');
  expect(approved.state).toBe('in_production');

  // The rework target is in the same state (planning), so the rejection adds no transition.
  expect(await states(caseId)).toEqual(['∅→submitted', 'submitted→under_review', 'under_review→planning', 'planning→approved', 'approved→in_production']);
  const msgs = await h.database.system.selectFrom('case_messages').select(['subject', 'content']).where('case_id', '=', caseId).where('subject', 'like', '%rejected%').execute();
  expect(msgs).toHaveLength(1);
  expect(msgs[0]!.content).toContain('Move tooth 12 less');
  await handle.terminate('test done');
});

test('parallel branches run together and join before the final inspection', async () => {
  const f = await createPracticeFixture(h.database.system);
  const { caseId, handle } = await startCase(f);
  await runToApproval(f, handle);
  await decide(handle, 'Doctor approval', as(f, 'doctor'));

  // The automatic branch finishes on its own; the join still waits for the printing branch.
  const v = await waitFor(() => view(handle), (x) => x.tasks.find((t) => t.name === 'Attachment template')!.status === 'done');
  expect(v.tasks.find((t) => t.name === 'Aligner printing')!.status).toBe('active');
  expect(v.tasks.find((t) => t.name === 'Final inspection')!.status).toBe('pending');

  await completeExternal(handle, 'Aligner printing', as(f, 'technician'));
  const joined = await awaiting(handle, 'Final inspection');
  expect(joined.state).toBe('quality_check');
  expect((await states(caseId)).at(-1)).toBe('in_production→quality_check');
  await handle.terminate('test done');
});

test('hold refuses decisions and resume returns to where the case was', async () => {
  const f = await createPracticeFixture(h.database.system);
  const { caseId, handle } = await startCase(f);
  await awaiting(handle, 'Records review');

  const techHold = await refusal(handle.executeUpdate(holdUpdate, { args: [{ actor: as(f, 'assistant'), reason: 'x' }] }));
  expect(techHold.type).toBe('WrongRole');

  const held = await handle.executeUpdate(holdUpdate, { args: [{ actor: as(f, 'doctor'), reason: 'Patient moved' }] });
  expect(held).toMatchObject({ state: 'on_hold', onHold: true, holdReason: 'Patient moved', rolesAwaited: [] });
  const records = taskId(held, 'Records review');
  const whileHeld = await refusal(handle.executeUpdate(decideUpdate, { args: [{ taskId: records, decision: 'approve', actor: as(f, 'technician') }] }));
  expect(whileHeld.type).toBe('CaseOnHold');

  const resumed = await handle.executeUpdate(resumeUpdate, { args: [{ actor: as(f, 'doctor') }] });
  expect(resumed).toMatchObject({ state: 'under_review', onHold: false });
  await decide(handle, 'Records review', as(f, 'technician'));
  await recordHistory(handle, 'hold-resume');
  expect((await states(caseId)).slice(1, 5)).toEqual(['submitted→under_review', 'under_review→on_hold', 'on_hold→under_review', 'under_review→planning']);
  await handle.terminate('test done');
});

test('cancel during production cancels the case and its open order', async () => {
  const f = await createPracticeFixture(h.database.system);
  const { caseId, handle } = await startCase(f);
  const orderId = await createOrder(f, caseId);
  await runToApproval(f, handle);
  await decide(handle, 'Doctor approval', as(f, 'doctor'));
  await awaiting(handle, 'Aligner printing');

  const noReason = await refusal(handle.executeUpdate(cancelUpdate, { args: [{ actor: as(f, 'doctor'), reason: ' ' }] }));
  expect(noReason.type).toBe('ReasonRequired');
  const cancelled = await handle.executeUpdate(cancelUpdate, { args: [{ actor: as(f, 'doctor'), reason: 'Patient withdrew' }] });
  expect(cancelled.status).toBe('cancelled');
  expect((await handle.result()).state).toBe('cancelled');
  await recordHistory(handle, 'cancel-in-production');

  const order = await h.database.system.selectFrom('orders').select('current_state').where('id', '=', orderId).executeTakeFirstOrThrow();
  expect(order.current_state).toBe('cancelled');
  const last = await h.database.system.selectFrom('order_states').select(['from_state', 'to_state', 'reason']).where('order_id', '=', orderId).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
  expect(last).toMatchObject({ from_state: 'in_production', to_state: 'cancelled' });
  expect((await states(caseId)).at(-1)).toBe('in_production→cancelled');
  const perf = await h.database.system.selectFrom('workflow_performance').select('task_performance').where('case_id', '=', caseId).executeTakeFirstOrThrow();
  expect((perf.task_performance as { outcome: string }).outcome).toBe('cancelled');
});

test('the same update id sent twice changes nothing the second time', async () => {
  const f = await createPracticeFixture(h.database.system);
  const { caseId, handle } = await startCase(f);
  const updateId = randomUUID();
  await decide(handle, 'Records review', as(f, 'technician'), 'approve', undefined, updateId);
  const after = await states(caseId);
  const v = await view(handle);
  // The same id again, for a task that is no longer awaiting: Temporal returns the first outcome.
  const again = await handle.executeUpdate(decideUpdate, {
    args: [{ taskId: taskId(v, 'Records review'), decision: 'approve', actor: as(f, 'technician') }],
    updateId,
  });
  expect(again.state).toBe('planning');
  expect(await states(caseId)).toEqual(after);
  expect((await view(handle)).decisions.filter((d) => d.decision === 'approve')).toHaveLength(1);
  await handle.terminate('test done');
});

test('changing priority moves due times and shows in search attributes', async () => {
  const f = await createPracticeFixture(h.database.system);
  const { caseId, handle } = await startCase(f);
  const before = await awaiting(handle, 'Records review');
  const dueBefore = Date.parse(before.tasks.find((t) => t.name === 'Records review')!.dueAt!);
  const urgent = await handle.executeUpdate(changePriorityUpdate, { args: [{ actor: as(f, 'owner'), priority: 'urgent' }] });
  const dueAfter = Date.parse(urgent.tasks.find((t) => t.name === 'Records review')!.dueAt!);
  expect(dueBefore - dueAfter).toBeGreaterThan(100 * 60_000); // 4 h estimate → 2 h
  const row = await h.database.system.selectFrom('cases').select('priority').where('id', '=', caseId).executeTakeFirstOrThrow();
  expect(row.priority).toBe('urgent');
  const desc = await handle.describe();
  expect(desc.searchAttributes.CasePriority).toEqual(['urgent']);
  await handle.terminate('test done');
});

test('a template edited while a case runs: the case keeps its plan, new cases get the new version', async () => {
  const f = await createPracticeFixture(h.database.system);
  const tid = await createTemplate(h.database.system, clearAlignerTemplate({ name: 'Editable' }));
  const first = await startCase(f, tid);
  await awaiting(first.handle, 'Records review');

  const edited = clearAlignerTemplate({ name: 'Editable' });
  edited.tasks = edited.tasks.map((t) => (t.key === 'records' ? { ...t, name: 'Records triage' } : t));
  const v2 = await saveTemplate(h.database.system, edited, tid);
  expect(v2.id).not.toBe(tid);
  expect(v2.version).toBe(2);

  await decide(first.handle, 'Records review', as(f, 'technician'));
  const f2 = await createPracticeFixture(h.database.system);
  const second = await startCase(f2, v2.id);
  const v = await awaiting(second.handle, 'Records triage');
  expect(v.tasks.some((t) => t.name === 'Records review')).toBe(false);
  const old = await h.database.system.selectFrom('workflow_templates').select(['superseded_by', 'active']).where('id', '=', tid).executeTakeFirstOrThrow();
  expect(old).toEqual({ superseded_by: v2.id, active: false });
  await first.handle.terminate('test done');
  await second.handle.terminate('test done');
});

test('starting the same case twice (also concurrently) creates one case and one workflow', async () => {
  const f = await createPracticeFixture(h.database.system);
  const input = { practiceId: f.practiceId, patientId: f.patientId, createdBy: f.members.doctor, title: 'Retry me', caseType: 'active_treatment', templateId, caseNumber: `R-${randomUUID().slice(0, 6)}` };
  // Concurrent starts with one number race in the insert: none may fail, all get the one case.
  const started = await Promise.all(Array.from({ length: 6 }, () => h.cases.startCase(input)));
  const [a] = started;
  for (const s of started) expect(s).toMatchObject({ caseId: a!.caseId, workflowId: a!.workflowId, caseNumber: input.caseNumber });
  expect(started.filter((s) => s.created)).toHaveLength(1);
  const again = await h.cases.startCase(input);
  expect(again).toMatchObject({ caseId: a!.caseId, created: false });
  const rows = await h.database.system.selectFrom('cases').select('id').where('practice_id', '=', f.practiceId).execute();
  expect(rows).toHaveLength(1);
  // Exactly one run, and it is running (visibility is eventually consistent: wait for it).
  const runs = await waitFor(
    async () => {
      const found = [];
      for await (const w of h.client.workflow.list({ query: `WorkflowId = '${a!.workflowId}'` })) found.push(w);
      return found;
    },
    (found) => found.length >= 1,
    10_000,
    'the case workflow to be listed',
  );
  expect(runs).toHaveLength(1);
  expect(runs[0]!.status.name).toBe('RUNNING');
  await h.client.workflow.getHandle(a!.workflowId).terminate('test done');
});

test('the same case number with a different request is refused, naming what differs', async () => {
  const f = await createPracticeFixture(h.database.system);
  const input = { practiceId: f.practiceId, patientId: f.patientId, createdBy: f.members.doctor, title: 'First', caseType: 'active_treatment', templateId, caseNumber: `D-${randomUUID().slice(0, 6)}` };
  const first = await h.cases.startCase(input);
  // What the case is changed to later does not matter: the request is compared with its creation.
  await h.database.system.updateTable('cases').set({ priority: 'urgent' }).where('id', '=', first.caseId).execute();
  expect(await h.cases.startCase({ ...input, priority: 'medium' })).toMatchObject({ caseId: first.caseId, created: false });
  const err = await h.cases.startCase({ ...input, title: 'Second', priority: 'high' }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CaseServiceError);
  expect(err).toMatchObject({ code: 'case_number_taken', details: [{ field: 'title' }, { field: 'priority' }] });
  await h.client.workflow.getHandle(first.workflowId).terminate('test done');
});
