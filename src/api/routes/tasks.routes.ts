/**
 * Human work on cases: the inbox (tasks awaiting a role the caller holds), decisions, external
 * task completion, and case actions (hold, resume, cancel, priority). Every action is a Workflow
 * Update answered synchronously with the workflow's CaseView; the workflow's validators decide
 * (wrong role, not awaiting, on hold → 422 with the workflow's reason). The Actor's practice role
 * comes from practice_members of the case's practice, read under RLS.
 *
 * The inbox reads awaiting_tasks, which the workflow writes in the same transaction as each
 * event (db/migrations/0014): one indexed query under RLS. Ops find the same cases in the
 * Temporal UI through the AwaitingRoles search attribute.
 */
import { sql } from 'kysely';
import type { Tx } from '../../db/database';
import {
  cancelUpdate,
  changePriorityUpdate,
  completeTaskUpdate,
  decideUpdate,
  holdUpdate,
  resumeUpdate,
  type Actor,
} from '../../workflows/case.messages';
import type { PracticeRole } from '../../workflows/plan/plan.types';
import type { caseWorkflow } from '../../workflows/case.workflow';
import { ApiError } from '../errors';
import { ctx } from '../context';
import { iso, myPracticeRole, ZCaseState, ZPracticeRole, ZPriority, ZTimestamp, ZUuid, ZName, ZText, trimBlank } from '../common';
import { route, type RouteKit } from '../route';
import type { ApiServices } from '../types';
import { z } from '../zod';
import { loadCase, ZCaseView } from './cases.routes';

const ZCaseParams = z.object({ id: ZUuid });
const ZTaskParams = z.object({ id: ZUuid, taskId: z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/) });

export const ZDecisionBody = z
  .object({ decision: z.enum(['approve', 'reject', 'request_changes']), reason: ZName(5000).optional() })
  .openapi('DecisionBody');
export type TDecisionBody = z.infer<typeof ZDecisionBody>;
export const ZCompleteBody = z.object({ note: ZText({ max: 5000 }).overwrite(trimBlank).optional() }).openapi('CompleteTaskBody');
export type TCompleteBody = z.infer<typeof ZCompleteBody>;
export const ZHoldBody = z.object({ reason: ZName(5000) }).openapi('HoldBody');
export type THoldBody = z.infer<typeof ZHoldBody>;
export const ZResumeBody = z.object({ note: ZText({ max: 5000 }).optional() }).openapi('ResumeBody');
export type TResumeBody = z.infer<typeof ZResumeBody>;
export const ZCancelBody = z.object({ reason: ZName(5000) }).openapi('CancelBody');
export type TCancelBody = z.infer<typeof ZCancelBody>;
export const ZPriorityBody = z.object({ priority: ZPriority }).openapi('PriorityBody');
export type TPriorityBody = z.infer<typeof ZPriorityBody>;
type TPriority = z.infer<typeof ZPriority>;
type TCaseState = z.infer<typeof ZCaseState>;

export const ZInboxItem = z
  .object({
    caseId: ZUuid,
    caseNumber: z.string(),
    title: z.string(),
    practiceId: ZUuid,
    priority: ZPriority,
    state: ZCaseState,
    myRole: ZPracticeRole,
    task: z.object({
      id: z.string(),
      name: z.string(),
      kind: z.string(),
      requiredRoles: z.array(ZPracticeRole),
      dueAt: ZTimestamp.nullable(),
      overdue: z.boolean(),
    }),
  })
  .openapi('InboxItem');
export type TInboxItem = z.infer<typeof ZInboxItem>;

/** The case (RLS) and the caller as the workflow's Actor. */
async function actorFor(caseId: string): Promise<{ workflowId: string; actor: Actor }> {
  const c = ctx();
  return c.db(async (trx) => {
    const row = await loadCase(trx, caseId);
    const role = await myPracticeRole(trx, row.practice_id);
    if (!role) throw new ApiError(403, 'not_a_member', 'Only members of the practice act on its cases.');
    if (!row.workflow_id) throw new ApiError(409, 'case_closed', 'The case has no workflow.');
    return { workflowId: row.workflow_id, actor: { profileId: c.actor!.profileId, practiceRole: role } };
  });
}

const updateId = (key: string | undefined) => (key ? `${ctx().actor!.profileId}:${key}` : undefined);

/**
 * The caller's inbox under RLS: inbox_tasks() (db/migrations/0014) yields the caller's
 * memberships' awaiting tasks, one ordered index range each; the cases are joined here.
 */
export async function inboxItems(trx: Tx, practiceId: string | null, limit: number): Promise<Array<z.input<typeof ZInboxItem>>> {
  const { rows } = await sql<{
    case_id: string;
    case_number: string;
    title: string;
    practice_id: string;
    priority: TPriority;
    current_state: TCaseState;
    role: PracticeRole;
    task_id: string;
    task_name: string;
    task_kind: 'external' | 'decision';
    required_roles: PracticeRole[];
    due_at: Date | null;
    overdue: boolean;
  }>`
    SELECT a.case_id, c.case_number, c.title, a.practice_id, a.priority, c.current_state, a.role, a.task_id, a.task_name, a.task_kind,
           a.required_roles, a.due_at, a.overdue
      FROM public.inbox_tasks(${practiceId}::uuid, ${limit}::int) a
      JOIN public.cases c ON c.id = a.case_id
     ORDER BY a.priority DESC, a.case_created_at, a.case_id, a.task_id`.execute(trx);
  return rows.map((r) => ({
    caseId: r.case_id,
    caseNumber: r.case_number,
    title: r.title,
    practiceId: r.practice_id,
    priority: r.priority,
    state: r.current_state,
    myRole: r.role,
    task: { id: r.task_id, name: r.task_name, kind: r.task_kind, requiredRoles: r.required_roles, dueAt: iso(r.due_at), overdue: r.overdue },
  }));
}

export function taskRoutes(kit: RouteKit, s: ApiServices): void {
  const handle = (workflowId: string) => s.temporal.workflow.getHandle<typeof caseWorkflow>(workflowId);

  route(kit, {
    method: 'get',
    path: '/tasks/inbox',
    tags: ['tasks'],
    summary: 'Tasks awaiting a role the caller holds, across the cases of their practices',
    description:
      'Most urgent cases first, then oldest. Read from the tasks the case workflow persists with every change (awaiting_tasks), under RLS: once a decision has answered, the inbox reflects it.',
    query: z.object({ practiceId: ZUuid.optional(), limit: z.coerce.number().int().min(1).max(100).default(50) }),
    response: z.object({ items: z.array(ZInboxItem) }).openapi('Inbox'),
    handler: ({ query }) => ctx().db(async (trx) => ({ items: await inboxItems(trx, query.practiceId ?? null, query.limit) })),
  });

  route(kit, {
    method: 'post',
    path: '/cases/:id/tasks/:taskId/decision',
    tags: ['tasks'],
    summary: 'Decide a task awaiting a decision (approve, reject, request_changes)',
    description: 'Answers the workflow view after the decision. 422 when the workflow refuses (wrong_role, task_not_awaiting_decision, case_on_hold, reason_required, …). Idempotency-Key becomes the update id.',
    params: ZTaskParams,
    body: ZDecisionBody,
    response: ZCaseView,
    errors: [403, 409, 422],
    idempotent: true,
    handler: async ({ params, body, req }) => {
      const { workflowId, actor } = await actorFor(params.id);
      return handle(workflowId).executeUpdate(decideUpdate, {
        args: [{ taskId: params.taskId, decision: body.decision, actor, reason: body.reason }],
        updateId: updateId(req.get('Idempotency-Key')),
      });
    },
  });

  route(kit, {
    method: 'post',
    path: '/cases/:id/tasks/:taskId/complete',
    tags: ['tasks'],
    summary: 'Report an external task done (printing, shipping, delivery, …)',
    params: ZTaskParams,
    body: ZCompleteBody,
    response: ZCaseView,
    errors: [403, 409, 422],
    idempotent: true,
    handler: async ({ params, body, req }) => {
      const { workflowId, actor } = await actorFor(params.id);
      return handle(workflowId).executeUpdate(completeTaskUpdate, { args: [{ taskId: params.taskId, actor, note: body.note }], updateId: updateId(req.get('Idempotency-Key')) });
    },
  });

  route(kit, {
    method: 'post',
    path: '/cases/:id/hold',
    tags: ['cases'],
    summary: 'Put a case on hold (owner, admin, doctor)',
    params: ZCaseParams,
    body: ZHoldBody,
    response: ZCaseView,
    errors: [403, 409, 422],
    idempotent: true,
    handler: async ({ params, body, req }) => {
      const { workflowId, actor } = await actorFor(params.id);
      return handle(workflowId).executeUpdate(holdUpdate, { args: [{ actor, reason: body.reason }], updateId: updateId(req.get('Idempotency-Key')) });
    },
  });

  route(kit, {
    method: 'post',
    path: '/cases/:id/resume',
    tags: ['cases'],
    summary: 'Resume a case on hold',
    params: ZCaseParams,
    body: ZResumeBody,
    response: ZCaseView,
    errors: [403, 409, 422],
    idempotent: true,
    handler: async ({ params, body, req }) => {
      const { workflowId, actor } = await actorFor(params.id);
      return handle(workflowId).executeUpdate(resumeUpdate, { args: [{ actor, note: body.note }], updateId: updateId(req.get('Idempotency-Key')) });
    },
  });

  route(kit, {
    method: 'post',
    path: '/cases/:id/cancel',
    tags: ['cases'],
    summary: 'Cancel a case (a reason is required)',
    params: ZCaseParams,
    body: ZCancelBody,
    response: ZCaseView,
    errors: [403, 409, 422],
    idempotent: true,
    handler: async ({ params, body, req }) => {
      const { workflowId, actor } = await actorFor(params.id);
      return handle(workflowId).executeUpdate(cancelUpdate, { args: [{ actor, reason: body.reason }], updateId: updateId(req.get('Idempotency-Key')) });
    },
  });

  route(kit, {
    method: 'post',
    path: '/cases/:id/priority',
    tags: ['cases'],
    summary: "Change a case's priority (due times scale with it)",
    params: ZCaseParams,
    body: ZPriorityBody,
    response: ZCaseView,
    errors: [403, 409, 422],
    idempotent: true,
    handler: async ({ params, body, req }) => {
      const { workflowId, actor } = await actorFor(params.id);
      return handle(workflowId).executeUpdate(changePriorityUpdate, { args: [{ actor, priority: body.priority }], updateId: updateId(req.get('Idempotency-Key')) });
    },
  });
}
