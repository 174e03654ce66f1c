/**
 * Automatic tasks and the case service's guarantees: production hooks an integration replaces,
 * notify/archive activities, templates refused when invalid, and no case left without a workflow.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { AutomaticTaskArgs } from '../src/workflows/case.events';
import { saveTemplate, TemplateInvalidError } from '../src/repositories/templates.repository';
import { CaseServiceError } from '../src/services/case.service';
import { createPatient } from '../src/repositories/identity.repository';
import { caseViewQuery, caseWorkflowId, completeTaskUpdate, decideUpdate } from '../src/workflows/case.messages';
import type { caseWorkflow } from '../src/workflows/case.workflow';
import { createHarness, type Harness } from './support/harness';
import { createPracticeFixture, createTemplate } from './support/fixtures';
import { waitFor } from './support/wait';
import { setupAndTeardown } from './support/lifecycle';

const calls: AutomaticTaskArgs[] = [];
let h: Harness;
/** Holds the 'Slow print' production step until the test opens it. */
let openGate: () => void = () => undefined;
const gate = new Promise<void>((resolve) => (openGate = resolve));

setupAndTeardown(async () => {
  h = await createHarness({
    hooks: {
      // An integration's hook, e.g. a lab machine's API, replacing the default recorder.
      manufacture: async (args) => {
        if (args.taskName === 'Slow print') await gate;
        calls.push(args);
        return { summary: 'Printed on machine P-7', reference: `job-${args.taskId.slice(0, 4)}` };
      },
    },
  });
}, [() => h?.close()]);

test('automatic tasks run their function type’s activity, through replaceable hooks', async () => {
  const f = await createPracticeFixture(h.database.system);
  const templateId = await createTemplate(h.database.system, {
    name: `Automatic ${randomUUID()}`,
    caseType: 'follow_up',
    tasks: [
      { key: 'make', name: 'Print retainer', order: 1, functionType: 'manufacture', autoTransition: true },
      { key: 'tell', name: 'Tell the practice', order: 2, functionType: 'notify', autoTransition: true, actionName: 'retainer_ready' },
      { key: 'file', name: 'Archive case', order: 3, functionType: 'archive', autoTransition: true },
    ],
  });
  const started = await h.cases.startCase({ practiceId: f.practiceId, patientId: f.patientId, createdBy: f.members.doctor, title: 'Retainer', caseType: 'follow_up', templateId });
  const result = await h.client.workflow.getHandle<typeof caseWorkflow>(started.workflowId).result();

  expect(result.state).toBe('completed');
  expect(calls.map((c) => c.taskName)).toEqual(['Print retainer']);
  const messages = await h.database.system
    .selectFrom('case_messages')
    .select(['message_type', 'subject', 'content', 'metadata'])
    .where('case_id', '=', started.caseId)
    .orderBy('created_at')
    .execute();
  const byTask = (name: string) => messages.find((m) => m.subject === name)!;
  expect(byTask('Print retainer')).toMatchObject({ message_type: 'status_update', content: 'Printed on machine P-7' });
  expect((byTask('Print retainer').metadata as { reference: string }).reference).toMatch(/^job-/);
  expect(byTask('Tell the practice')).toMatchObject({ message_type: 'system_notification', content: 'Notification: retainer_ready' });
  const row = await h.database.system.selectFrom('cases').select('metadata').where('id', '=', started.caseId).executeTakeFirstOrThrow();
  expect((row.metadata as { archived_at?: string }).archived_at).toEqual(expect.any(String));
});

test('an invalid template is refused when saved, each error naming its task', async () => {
  const err = await saveTemplate(h.database.system, {
    name: 'Broken',
    caseType: 'retention',
    tasks: [
      { key: 'a', name: 'Design', order: 1, functionType: 'model', requiredRoles: ['technician'], after: ['c'] },
      { key: 'b', name: 'Approve', order: 2, functionType: 'approve' },
      { key: 'c', name: 'Check', order: 3, functionType: 'quality_check', requiredRoles: ['technician'] },
    ],
  }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TemplateInvalidError);
  const errors = (err as TemplateInvalidError).errors;
  expect(errors.map((e) => [e.code, e.taskName])).toEqual(
    expect.arrayContaining([
      ['decision_without_roles', 'Approve'],
      ['cycle', 'Design'],
    ]),
  );
  const saved = await h.database.system.selectFrom('workflow_templates').select('id').where('name', '=', 'Broken').execute();
  expect(saved).toHaveLength(0);
});

test('a case whose workflow start never happened is started by ensureCaseWorkflows, once', async () => {
  const f = await createPracticeFixture(h.database.system);
  const templateId = await createTemplate(h.database.system, {
    name: `Orphan ${randomUUID()}`,
    caseType: 'emergency',
    tasks: [{ key: 'triage', name: 'Triage', order: 1, functionType: 'review', requiredRoles: ['doctor'] }],
  });
  // A crash between the row's commit and the workflow start leaves exactly this, and the sweep
  // finds it later (older than CASE_SWEEP_MIN_AGE_MS, which the test harness sets).
  const orphan = async (createdAt: Date) => {
    const caseNumber = `ORPHAN-${randomUUID().slice(0, 6)}`;
    const workflowId = caseWorkflowId(f.practiceId, caseNumber);
    const row = await h.database.system
      .insertInto('cases')
      .values({ practice_id: f.practiceId, patient_id: f.patientId, case_number: caseNumber, title: 'Broken bracket', case_type: 'emergency', workflow_template_id: templateId, workflow_id: workflowId, created_at: createdAt.toISOString() })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { row, workflowId };
  };
  const { row, workflowId } = await orphan(new Date(Date.now() - 10 * 60_000));
  // One whose start is in flight (just committed, as POST /cases leaves it until Temporal answers)
  // is not the sweep's: test files share this database, each with its own task queue, and a sweep
  // that started another file's case on its own queue left it without a worker once its file ended.
  const starting = await orphan(new Date());

  // Swept within this file's practice only: the start-up sweeps of other files' worker processes
  // (same code, CASE_SWEEP_MIN_AGE_MS) may take the old orphan first, so what is asserted is its
  // outcome, not how many cases this call started (a count of 0 then failed the test).
  await h.cases.ensureCaseWorkflows(500, { practiceId: f.practiceId });
  await expect(h.client.workflow.getHandle(starting.workflowId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  expect((await h.database.system.selectFrom('cases').select('workflow_started_at').where('id', '=', starting.row.id).executeTakeFirstOrThrow()).workflow_started_at).toBeNull();
  // Closed, so that no later sweep of another file starts it either.
  await h.database.system.updateTable('cases').set({ closed_at: new Date().toISOString() }).where('id', '=', starting.row.id).execute();
  const handle = h.client.workflow.getHandle<typeof caseWorkflow>(workflowId);
  const desc = await handle.describe();
  expect(desc.status.name).toBe('RUNNING');
  const started = await h.database.system.selectFrom('cases').select('workflow_started_at').where('id', '=', row.id).executeTakeFirstOrThrow();
  expect(started.workflow_started_at).not.toBeNull();

  // A second sweep finds nothing to do and starts no second run.
  expect(await h.cases.ensureCaseWorkflows(500, { practiceId: f.practiceId })).toBe(0);
  expect((await handle.describe()).runId).toBe(desc.runId);
  await waitFor(() => handle.describe(), (d) => d.status.name === 'RUNNING');
  await handle.terminate('test done');
});

test('a case number used by another patient is refused', async () => {
  const f = await createPracticeFixture(h.database.system);
  const templateId = await createTemplate(h.database.system, {
    name: `Numbered ${randomUUID()}`,
    caseType: 'refinement',
    tasks: [{ key: 'x', name: 'Refine', order: 1, functionType: 'process', autoTransition: true }],
  });
  const input = { practiceId: f.practiceId, patientId: f.patientId, createdBy: f.members.doctor, title: 'A', caseType: 'refinement', templateId, caseNumber: 'N-1' };
  await h.cases.startCase(input);
  const second = await createPatient(h.database.system, { practiceId: f.practiceId, email: `p2-${randomUUID()}@t.mdw`, firstName: 'Sec', lastName: 'Ond' });
  const err = await h.cases.startCase({ ...input, patientId: second.id }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CaseServiceError);
  expect((err as CaseServiceError).code).toBe('case_number_taken');
});

test('generated case numbers are unique under concurrency and continue after existing ones', async () => {
  const f = await createPracticeFixture(h.database.system);
  const templateId = await createTemplate(h.database.system, {
    name: `Counted ${randomUUID()}`,
    caseType: 'retention',
    tasks: [{ key: 'x', name: 'Check', order: 1, functionType: 'review', requiredRoles: ['doctor'] }],
  });
  const base = { practiceId: f.practiceId, patientId: f.patientId, createdBy: f.members.doctor, title: 'Retainer check', caseType: 'retention', templateId };
  // Numbering continues after numbers already used (legacy imports, hand-typed)...
  const manual = await h.cases.startCase({ ...base, caseNumber: 'C-000003' });
  const started = await Promise.all(Array.from({ length: 6 }, () => h.cases.startCase(base)));
  expect(started.map((s) => s.caseNumber).sort()).toEqual(['C-000004', 'C-000005', 'C-000006', 'C-000007', 'C-000008', 'C-000009']);
  // ...and skips a number someone typed ahead of the sequence.
  const ahead = await h.cases.startCase({ ...base, caseNumber: 'C-000010' });
  const next = await h.cases.startCase(base);
  expect(next.caseNumber).toBe('C-000011');
  for (const s of [manual, ...started, ahead, next]) await h.client.workflow.getHandle(s.workflowId).terminate('test done');
});

test('the inbox rows follow an external task completed while an automatic task runs (no event of its own carries the change)', async () => {
  const f = await createPracticeFixture(h.database.system);
  const templateId = await createTemplate(h.database.system, {
    name: `Inbox flush ${randomUUID()}`,
    caseType: 'follow_up',
    tasks: [
      // No state changes: neither the completion nor the next activation persists an event.
      { key: 'scans', name: 'Confirm scans', order: 1, functionType: 'review', requiredRoles: ['technician'], metadata: { completion: 'external', entry_state: null, exit_state: null } },
      { key: 'print', name: 'Slow print', order: 2, functionType: 'manufacture', autoTransition: true, metadata: { entry_state: null, exit_state: null } },
      { key: 'check', name: 'Inspect print', order: 3, functionType: 'quality_check', requiredRoles: ['technician'] },
    ],
  });
  const started = await h.cases.startCase({ practiceId: f.practiceId, patientId: f.patientId, createdBy: f.members.doctor, title: 'Flush', caseType: 'follow_up', templateId });
  const rows = async () =>
    (await h.database.system.selectFrom('awaiting_tasks').select(['task_name', 'role']).where('case_id', '=', started.caseId).orderBy('task_name').execute()).map((r) => `${r.task_name}/${r.role}`);
  await waitFor(rows, (r) => r.length > 0, 15_000, 'the first task in awaiting_tasks');
  expect(await rows()).toEqual(['Confirm scans/technician']);

  const handle = h.client.workflow.getHandle<typeof caseWorkflow>(started.workflowId);
  const scans = (await handle.query(caseViewQuery)).tasks.find((t) => t.name === 'Confirm scans')!;
  await handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: scans.id, actor: { profileId: f.members.technician, practiceRole: 'technician' } }] });
  // 'Slow print' is still running (held by the gate): nothing awaits people, and the rows say so
  // as soon as the update has answered.
  expect((await handle.query(caseViewQuery)).tasks.find((t) => t.name === 'Slow print')!.status).toBe('active');
  expect(await rows()).toEqual([]);

  openGate();
  await waitFor(rows, (r) => r.length > 0, 15_000, 'the inspection in awaiting_tasks');
  expect(await rows()).toEqual(['Inspect print/technician']);
});

test('backfillAwaitingTasks writes the inbox rows of running cases that have none (started before 0014), and any later event wins', async () => {
  const f = await createPracticeFixture(h.database.system);
  const templateId = await createTemplate(h.database.system, {
    name: `Backfill ${randomUUID()}`,
    caseType: 'follow_up',
    tasks: [
      { key: 'review', name: 'Review photos', order: 1, functionType: 'review', requiredRoles: ['doctor', 'technician'] },
      { key: 'ship', name: 'Ship', order: 2, functionType: 'ship', requiredRoles: ['assistant'], metadata: { completion: 'external' } },
    ],
  });
  const started = await h.cases.startCase({ practiceId: f.practiceId, patientId: f.patientId, createdBy: f.members.doctor, title: 'Backfill', caseType: 'follow_up', templateId });
  const rows = async () =>
    (await h.database.system.selectFrom('awaiting_tasks').select(['task_name', 'role']).where('case_id', '=', started.caseId).orderBy('task_name').orderBy('role').execute()).map((r) => `${r.task_name}/${r.role}`);
  const seq = async () => (await h.database.system.selectFrom('cases').select('awaiting_seq').where('id', '=', started.caseId).executeTakeFirstOrThrow()).awaiting_seq;
  await waitFor(rows, (r) => r.length === 2, 15_000, 'the review in awaiting_tasks');
  // As a case from before 0014 looks: no rows, no seq.
  await h.database.system.deleteFrom('awaiting_tasks').where('case_id', '=', started.caseId).execute();
  await h.database.system.updateTable('cases').set({ awaiting_seq: null }).where('id', '=', started.caseId).execute();

  expect(await h.cases.backfillAwaitingTasks(10_000)).toBeGreaterThanOrEqual(1);
  expect(await rows()).toEqual(['Review photos/doctor', 'Review photos/technician']);
  expect(await seq()).toBe(0);
  await h.cases.backfillAwaitingTasks(10_000); // a second sweep leaves it alone
  expect(await rows()).toEqual(['Review photos/doctor', 'Review photos/technician']);

  const handle = h.client.workflow.getHandle<typeof caseWorkflow>(started.workflowId);
  const review = (await handle.query(caseViewQuery)).tasks.find((t) => t.name === 'Review photos')!;
  await handle.executeUpdate(decideUpdate, { args: [{ taskId: review.id, decision: 'approve', actor: { profileId: f.members.doctor, practiceRole: 'doctor' } }] });
  expect(await rows()).toEqual(['Ship/assistant']);
  expect(await seq()).toBeGreaterThan(0);
});
