/**
 * Writes of the case workflow's events. Plain functions whose first argument is the database
 * handle (a Kysely instance or a transaction): the caller decides the transaction.
 * Every insert is keyed by an idempotency key and ignores conflicts (at-least-once activities).
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../db/database';
import { canTransition, isOpen, orderStateForCase, type OrderState } from '../domain/order-state-machine';
import type { CaseEvent, PerformanceArgs } from '../workflows/case.events';
import { recordCaseEventNotification } from './notifications.repository';

type Handle = Db | Tx;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Persists one event; safe to call again with the same key. */
export async function persist(db: Handle, e: CaseEvent): Promise<void> {
  const meta = { workflowId: e.workflowId || undefined, runId: e.runId || undefined, taskId: e.taskId ?? undefined };

  if (e.transition) {
    const t = e.transition;
    const inserted = await db
      .insertInto('case_states')
      .values({
        case_id: e.caseId,
        practice_id: e.practiceId,
        from_state: t.from,
        to_state: t.to,
        changed_by: e.actorId,
        reason: t.reason,
        metadata: JSON.stringify({ ...meta, ...(e.evidence ? { evidence: e.evidence } : {}), ...(e.projectVersion ? { projectVersion: e.projectVersion } : {}) }),
        created_at: e.at,
        idempotency_key: `${e.key}:state`,
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    // Only the first delivery moves the case and its orders; a retry found the row already there.
    if (inserted) {
      await db.updateTable('cases').set({ current_state: t.to }).where('id', '=', e.caseId).execute();
      await syncOrders(db, e);
    }
    await db
      .insertInto('state_analytics')
      .values({
        case_id: e.caseId,
        practice_id: e.practiceId,
        from_state: t.from,
        to_state: t.to,
        duration_minutes: t.minutesInPrevious,
        actor_id: e.actorId,
        bottleneck_detected: t.bottleneck,
        created_at: e.at,
        idempotency_key: `${e.key}:analytics`,
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .execute();
  }

  if (e.bottleneck) {
    await db
      .insertInto('state_analytics')
      .values({
        case_id: e.caseId,
        practice_id: e.practiceId,
        from_state: e.bottleneck.state,
        to_state: e.bottleneck.state,
        duration_minutes: e.bottleneck.minutesWaiting,
        actor_id: e.actorId,
        bottleneck_detected: true,
        ai_recommendations: null,
        created_at: e.at,
        idempotency_key: `${e.key}:bottleneck`,
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .execute();
  }

  if (e.message) {
    await db
      .insertInto('case_messages')
      .values({
        case_id: e.caseId,
        practice_id: e.practiceId,
        sender_id: e.actorId,
        message_type: e.message.type,
        subject: e.message.subject,
        content: e.message.content,
        metadata: JSON.stringify({ ...meta, ...e.message.metadata }),
        created_at: e.at,
        idempotency_key: `${e.key}:msg`,
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .execute();
  }

  if (e.instruction) {
    const i = e.instruction;
    const row = await db
      .insertInto('instruction_states')
      .values({
        case_id: e.caseId,
        practice_id: e.practiceId,
        instruction_type: i.type,
        status_code: i.status,
        is_active: i.status === 0 || i.status === 1,
        changed_by: e.actorId,
        changed_at: e.at,
        metadata: JSON.stringify(meta),
        notes: i.notes,
        idempotency_key: `${e.key}:instr`,
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (row) {
      // Only the newest row of an instruction is active.
      await db
        .updateTable('instruction_states')
        .set({ is_active: false })
        .where('case_id', '=', e.caseId)
        .where('instruction_type', '=', i.type)
        .where('id', '!=', row.id)
        .where('is_active', '=', true)
        .execute();
    }
  }

  if (e.caseFields) {
    const f = e.caseFields;
    const set: Record<string, unknown> = {};
    if (f.isOverdue !== undefined) set.is_overdue = f.isOverdue;
    if (f.dueAt !== undefined) set.due_at = f.dueAt;
    if (f.priority !== undefined) set.priority = f.priority;
    if (f.closed) set.closed_at = e.at;
    if (Object.keys(set).length) await db.updateTable('cases').set(set).where('id', '=', e.caseId).execute();
  }

  // After caseFields: the rows carry the case's priority for the inbox order.
  if (e.awaiting) await replaceAwaitingTasks(db, e, e.awaiting);

  // The outbox: the email this event implies (approval request, overdue, escalation, hold), in
  // the same transaction; keyed by the event, so a retry records nothing twice.
  await recordCaseEventNotification(db, e);
}

/**
 * Replaces the case's awaiting_tasks rows (one per task and role), unless a newer event already
 * did: cases.awaiting_seq orders the writes.
 */
export async function replaceAwaitingTasks(db: Handle, e: Pick<CaseEvent, 'caseId' | 'practiceId'>, awaiting: NonNullable<CaseEvent['awaiting']>): Promise<void> {
  const rows = awaiting.tasks.flatMap((t) =>
    t.roles.map((role) => ({ task_id: t.taskId, role, task_name: t.name, task_kind: t.kind, required_roles: t.roles, due_at: t.dueAt, overdue: t.overdue, assignee_id: t.assignee ?? null })),
  );
  // One statement (one round trip on the approval path): the seq guard, then upsert the current
  // rows and delete the others. The upsert and the delete touch disjoint rows, so the CTEs'
  // shared snapshot is no problem.
  await sql`
    WITH guard AS (
      UPDATE public.cases SET awaiting_seq = ${awaiting.seq}
       WHERE id = ${e.caseId} AND (awaiting_seq IS NULL OR awaiting_seq < ${awaiting.seq})
      RETURNING id, practice_id, created_at
    ), fresh AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        AS r(task_id text, role public.practice_role, task_name text, task_kind text, required_roles text[], due_at timestamptz, overdue boolean, assignee_id uuid)
    ), gone AS (
      DELETE FROM public.awaiting_tasks a USING guard
       WHERE a.case_id = guard.id
         AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.task_id = a.task_id AND f.role = a.role)
    )
    INSERT INTO public.awaiting_tasks (case_id, practice_id, task_id, role, task_name, task_kind, required_roles, due_at, overdue, assignee_id, priority, case_created_at)
    SELECT guard.id, guard.practice_id, f.task_id, f.role, f.task_name, f.task_kind, f.required_roles, f.due_at, f.overdue, f.assignee_id,
           ${awaiting.priority}::public.priority_level, guard.created_at
      FROM guard CROSS JOIN fresh f
    ON CONFLICT (case_id, task_id, role) DO UPDATE
      SET task_name = EXCLUDED.task_name, task_kind = EXCLUDED.task_kind, required_roles = EXCLUDED.required_roles,
          due_at = EXCLUDED.due_at, overdue = EXCLUDED.overdue, assignee_id = EXCLUDED.assignee_id, priority = EXCLUDED.priority`.execute(db);
}

/** Moves the case's open orders to the state its new case state implies, recording each move. */
async function syncOrders(db: Handle, e: CaseEvent): Promise<void> {
  const target = orderStateForCase(e.transition!.to);
  if (!target) return;
  const orders = await db
    .selectFrom('orders')
    .select(['id', 'current_state'])
    .where('case_id', '=', e.caseId)
    .forUpdate()
    .execute();
  for (const o of orders) {
    const from = o.current_state as OrderState;
    if (!isOpen(from) || !canTransition(from, target)) continue;
    await db.updateTable('orders').set({ current_state: target }).where('id', '=', o.id).execute();
    await db
      .insertInto('order_states')
      .values({
        order_id: o.id,
        practice_id: e.practiceId,
        from_state: from,
        to_state: target,
        changed_by: e.actorId,
        reason: `case ${e.transition!.to.replace('_', ' ')}${e.transition!.reason ? `: ${e.transition!.reason}` : ''}`,
        metadata: JSON.stringify({ caseStateKey: `${e.key}:state` }),
        created_at: e.at,
        idempotency_key: `${e.key}:order:${o.id}`,
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .execute();
  }
}

export async function archiveCase(db: Handle, caseId: string, at: string): Promise<void> {
  await db
    .updateTable('cases')
    .set({ metadata: sql`coalesce(metadata, '{}'::jsonb) || jsonb_build_object('archived_at', ${at}::text)` })
    .where('id', '=', caseId)
    .execute();
}

export async function recordPerformance(db: Handle, p: PerformanceArgs): Promise<void> {
  await db
    .insertInto('workflow_performance')
    .values({
      workflow_template_id: p.templateId,
      case_id: p.caseId,
      practice_id: p.practiceId,
      task_performance: JSON.stringify({ outcome: p.outcome, tasks: p.tasks }),
      completion_rate: p.completionRate === null ? null : String(p.completionRate),
      average_task_duration: p.averageTaskMs === null ? null : `${Math.round(p.averageTaskMs)} milliseconds`,
      bottleneck_tasks: p.bottleneckTaskIds.filter((id) => UUID.test(id)),
      created_at: p.at,
      idempotency_key: p.key,
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .execute();
}
