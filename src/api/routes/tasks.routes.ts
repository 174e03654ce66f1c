/**
 * Human work on cases: the inbox (tasks awaiting a role the caller holds), decisions, external
 * task completion, and case actions (hold, resume, cancel, priority). Every action is a Workflow
 * Update answered synchronously with the workflow's CaseView; the workflow's validators decide
 * (wrong role, not awaiting, on hold → 422 with the workflow's reason). The Actor's practice role
 * comes from practice_members of the case's practice, read under RLS.
 *
 * The inbox uses Temporal visibility (search attributes PracticeId + AwaitingRoles, which the
 * workflow keeps current) to find candidate cases, asks each case's workflow for its tasks, and
 * keeps the cases the caller can read under RLS.
 */
import type { Client } from '@temporalio/client';
import * as SA from '../../../temporal/search-attributes';
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
import { myPracticeRole, ZCaseState, ZPracticeRole, ZPriority, ZTimestamp, ZUuid } from '../common';
import { route, type RouteKit } from '../route';
import type { ApiServices } from '../types';
import { z } from '../zod';
import { loadCase, queryCaseView, ZCaseView } from './cases.routes';

const ZCaseParams = z.object({ id: ZUuid });
const ZTaskParams = z.object({ id: ZUuid, taskId: z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/) });

export const ZDecisionBody = z
  .object({ decision: z.enum(['approve', 'reject', 'request_changes']), reason: z.string().trim().min(1).max(5000).optional() })
  .openapi('DecisionBody');
export type TDecisionBody = z.infer<typeof ZDecisionBody>;
export const ZCompleteBody = z.object({ note: z.string().trim().max(5000).optional() }).openapi('CompleteTaskBody');
export type TCompleteBody = z.infer<typeof ZCompleteBody>;
export const ZHoldBody = z.object({ reason: z.string().max(5000) }).openapi('HoldBody');
export type THoldBody = z.infer<typeof ZHoldBody>;
export const ZResumeBody = z.object({ note: z.string().max(5000).optional() }).openapi('ResumeBody');
export type TResumeBody = z.infer<typeof ZResumeBody>;
export const ZCancelBody = z.object({ reason: z.string().max(5000) }).openapi('CancelBody');
export type TCancelBody = z.infer<typeof ZCancelBody>;
export const ZPriorityBody = z.object({ priority: ZPriority }).openapi('PriorityBody');
export type TPriorityBody = z.infer<typeof ZPriorityBody>;

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

const quote = (v: string) => `'${v.replace(/'/g, "\\'")}'`;

async function inbox(temporal: Client, memberships: Array<{ practiceId: string; role: PracticeRole }>, limit: number): Promise<Array<{ workflowId: string; practiceId: string; role: PracticeRole }>> {
  if (!memberships.length) return [];
  const clauses = memberships.map((m) => `(${SA.PracticeId.name} = ${quote(m.practiceId)} AND ${SA.AwaitingRoles.name} = ${quote(m.role)})`);
  const query = `ExecutionStatus = 'Running' AND (${clauses.join(' OR ')})`;
  const roleOf = new Map(memberships.map((m) => [m.practiceId, m.role]));
  const found: Array<{ workflowId: string; practiceId: string; role: PracticeRole }> = [];
  for await (const wf of temporal.workflow.list({ query, pageSize: Math.min(limit, 100) })) {
    const practiceId = wf.typedSearchAttributes.get(SA.PracticeId);
    if (!practiceId || !roleOf.has(practiceId)) continue;
    found.push({ workflowId: wf.workflowId, practiceId, role: roleOf.get(practiceId)! });
    if (found.length >= limit) break;
  }
  return found;
}

export function taskRoutes(kit: RouteKit, s: ApiServices): void {
  const handle = (workflowId: string) => s.temporal.workflow.getHandle<typeof caseWorkflow>(workflowId);

  route(kit, {
    method: 'get',
    path: '/tasks/inbox',
    tags: ['tasks'],
    summary: 'Tasks awaiting a role the caller holds, across the cases of their practices',
    description: 'Found through Temporal visibility (PracticeId, AwaitingRoles); visibility is eventually consistent, so a task may appear a moment after it became active.',
    query: z.object({ practiceId: ZUuid.optional(), limit: z.coerce.number().int().min(1).max(100).default(50) }),
    response: z.object({ items: z.array(ZInboxItem) }).openapi('Inbox'),
    handler: async ({ query }) => {
      const c = ctx();
      const memberships = await c.db(async (trx) => {
        let qb = trx.selectFrom('practice_members').select(['practice_id', 'role']).where('profile_id', '=', c.actor!.profileId);
        if (query.practiceId) qb = qb.where('practice_id', '=', query.practiceId);
        return (await qb.execute()).map((m) => ({ practiceId: m.practice_id, role: m.role as PracticeRole }));
      });
      const candidates = await inbox(s.temporal, memberships, query.limit);
      if (!candidates.length) return { items: [] };
      const rows = await c.db((trx) =>
        trx
          .selectFrom('cases')
          .select(['id', 'case_number', 'title', 'practice_id', 'workflow_id'])
          .where(
            'workflow_id',
            'in',
            candidates.map((x) => x.workflowId),
          )
          .execute(),
      );
      const byWorkflow = new Map(rows.map((r) => [r.workflow_id!, r]));
      const views = await Promise.all(candidates.map((x) => (byWorkflow.has(x.workflowId) ? queryCaseView(s.temporal, x.workflowId) : Promise.resolve(null))));
      const items: Array<z.input<typeof ZInboxItem>> = [];
      candidates.forEach((x, i) => {
        const row = byWorkflow.get(x.workflowId);
        const view = views[i];
        if (!row || !view) return;
        for (const t of view.tasks) {
          if (!t.awaitingDecision || !t.requiredRoles.includes(x.role)) continue;
          items.push({
            caseId: row.id,
            caseNumber: row.case_number,
            title: row.title,
            practiceId: row.practice_id,
            priority: view.priority,
            state: view.state,
            myRole: x.role,
            task: { id: t.id, name: t.name, kind: t.kind, requiredRoles: t.requiredRoles, dueAt: t.dueAt, overdue: t.overdue },
          });
        }
      });
      return { items };
    },
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
