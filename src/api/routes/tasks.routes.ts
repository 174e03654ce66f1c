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
  assignTaskUpdate,
  cancelUpdate,
  changePriorityUpdate,
  completeTaskUpdate,
  decideUpdate,
  holdUpdate,
  resumeUpdate,
  setSeatDateUpdate,
  LAB_TASK_ROLE,
  type Actor,
  type ProjectVersionRef,
} from '../../workflows/case.messages';
import { findVersion, versionChain } from '../../repositories/projects.repository';
import { recordCaseAccess } from '../../repositories/phi-access.repository';
import { practiceRoleOf } from '../../repositories/identity.repository';
import type { PracticeRole } from '../../workflows/plan/plan.types';
import type { caseWorkflow } from '../../workflows/case.workflow';
import { ApiError } from '../errors';
import { ctx } from '../context';
import { decodeCursor, encodeCursor, iso, myLabRole, myPracticeRole, ZBool, ZCaseState, ZPracticeRole, ZPriority, ZTimestamp, ZUuid, ZName, ZText, trimBlank } from '../common';

import { route, type RouteKit } from '../route';
import type { ApiServices } from '../types';
import { z } from '../zod';
import { loadCase, requireFutureSeatDate, ZCaseView, ZSeatDate, ZTransitDays } from './cases.routes';

/** Inbox cursor pattern (see encodeInboxCursor below). */
export const INBOX_CURSOR_PATTERN =
  /^(low|medium|high|urgent)\.([0-9]{1,16}_[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\.([A-Za-z0-9_-]{1,100})$/;

const ZCaseParams = z.object({ id: ZUuid });
const ZTaskParams = z.object({ id: ZUuid, taskId: z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/) });

export const ZDecisionBody = z
  .object({
    decision: z.enum(['approve', 'reject', 'request_changes']),
    reason: ZName(5000).optional(),
    projectVersionId: ZUuid.optional().openapi({
      description: "the project version decided on (a version of one of the case's projects, its newest): recorded on the decision and in case_states; a newer version uploaded after an approval puts the approval back up for decision",
    }),
  })
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
export const ZAssignBody = z.object({ assigneeId: ZUuid }).openapi('AssignBody');
export type TAssignBody = z.infer<typeof ZAssignBody>;
export const ZPriorityBody = z.object({ priority: ZPriority }).openapi('PriorityBody');
export const ZSeatDateBody = z
  .object({ seatDate: ZSeatDate, transitDays: ZTransitDays.optional().openapi({ description: 'unchanged when omitted (0 for a first seat date)' }) })
  .openapi('SeatDateBody');
export type TSeatDateBody = z.infer<typeof ZSeatDateBody>;
export type TPriorityBody = z.infer<typeof ZPriorityBody>;
type TPriority = z.infer<typeof ZPriority>;
type TCaseState = z.infer<typeof ZCaseState>;

export const ZInboxItem = z
  .object({
    caseId: ZUuid,
    caseNumber: z.string(),
    title: z.string(),
    practiceId: ZUuid,
    practiceName: z.string(),
    priority: ZPriority,
    state: ZCaseState,
    myRole: ZPracticeRole.openapi({ description: 'the role the task awaits that the caller acts as (technician for the lab queue)' }),
    assigneeId: ZUuid.nullable(),
    task: z.object({
      id: z.string(),
      name: z.string(),
      kind: z.string(),
      requiredRoles: z.array(ZPracticeRole),
      dueAt: ZTimestamp.nullable(),
      overdue: z.boolean(),
    }),
    atRisk: z.boolean().openapi({ description: "the case's slack before its seat date is below the threshold" }),
  })
  .openapi('InboxItem');
export type TInboxItem = z.infer<typeof ZInboxItem>;

export const INBOX_VIEWS = ['mine', 'roles', 'lab'] as const;
export type InboxView = (typeof INBOX_VIEWS)[number];

export const ZInboxQuery = z.object({
  view: z.enum(INBOX_VIEWS).default('roles').openapi({
    description: "mine: assigned to me; roles: awaiting my role in my practices (unassigned or mine); lab: lab staff only, the lab's tasks across every client practice (unassigned or mine)",
  }),
  practiceId: ZUuid.optional(),
  priority: ZPriority.optional(),
  dueBefore: z.iso.datetime({ offset: true }).optional().openapi({ description: 'tasks due at or before this time' }),
  overdue: ZBool.optional(),
  atRisk: ZBool.optional().openapi({ description: 'only cases at risk of missing their seat date (true) or not (false)' }),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().regex(INBOX_CURSOR_PATTERN).optional().openapi({ description: 'nextCursor of the previous page' }),
});
export type TInboxQuery = z.infer<typeof ZInboxQuery>;

/** Keyset position in the inbox order (priority DESC, case created, case id, task id). */
interface InboxCursor {
  priority: TPriority;
  createdAt: string;
  caseId: string;
  taskId: string;
}
/**
 * Inbox cursor: `<priority>.<created_at micros>_<case id>.<task id>`. Like the other page cursors,
 * every string the document's pattern admits is one the server accepts (schemathesis checks it).
 */
const encodeInboxCursor = (c: InboxCursor) => `${c.priority}.${encodeCursor(c.createdAt, c.caseId)}.${c.taskId}`;
function decodeInboxCursor(cursor: string | undefined): InboxCursor | null {
  if (!cursor) return null;
  const m = INBOX_CURSOR_PATTERN.exec(cursor);
  if (!m) throw new ApiError(400, 'validation_failed', 'The cursor is invalid.', [{ field: 'query.cursor', message: 'invalid cursor' }]);
  const at = decodeCursor(m[2])!;
  return { priority: m[1] as TPriority, createdAt: at.createdAt, caseId: at.id, taskId: m[3]! };
}

type InboxPageQuery = Pick<TInboxQuery, 'view' | 'limit'> & Partial<Omit<TInboxQuery, 'view' | 'limit'>>;

/**
 * One page of an inbox view under RLS: inbox_page() (db/migrations/0044; 0041 before the at-risk filter) reads one ordered index
 * range per membership (or the lab's role, or the caller's assignments); cases and practices are
 * joined here.
 */
export async function inboxPage(trx: Tx, q: InboxPageQuery): Promise<{ items: Array<z.input<typeof ZInboxItem>>; nextCursor: string | null }> {
  const after = decodeInboxCursor(q.cursor);
  const { rows } = await sql<{
    case_id: string;
    case_number: string;
    title: string;
    practice_id: string;
    practice_name: string;
    priority: TPriority;
    current_state: TCaseState;
    role: PracticeRole;
    task_id: string;
    task_name: string;
    task_kind: 'external' | 'decision';
    required_roles: PracticeRole[];
    due_at: Date | null;
    overdue: boolean;
    assignee_id: string | null;
    at_risk: boolean;
    created_text: string;
  }>`
    SELECT a.case_id, c.case_number, c.title, a.practice_id, p.name AS practice_name, a.priority, c.current_state, a.role, a.task_id, a.task_name,
           a.task_kind, a.required_roles, a.due_at, a.overdue, a.assignee_id, a.at_risk, a.case_created_at::text AS created_text
      FROM public.inbox_page(${q.view}, ${q.practiceId ?? null}::uuid, ${q.priority ?? null}::public.priority_level, ${q.dueBefore ?? null}::timestamptz,
                             ${q.overdue === undefined ? null : q.overdue === 'true'}::boolean, ${after?.priority ?? null}::public.priority_level,
                             ${after?.createdAt ?? null}::timestamptz, ${after?.caseId ?? null}::uuid, ${after?.taskId ?? null}::text, ${q.limit + 1}::int,
                             ${q.atRisk === undefined ? null : q.atRisk === 'true'}::boolean) a
      JOIN public.cases c ON c.id = a.case_id
      JOIN public.practices p ON p.id = a.practice_id
     ORDER BY a.priority DESC, a.case_created_at, a.case_id, a.task_id`.execute(trx);
  const items = rows.slice(0, q.limit);
  const last = items.at(-1);
  return {
    items: items.map((r) => ({
      caseId: r.case_id,
      caseNumber: r.case_number,
      title: r.title,
      practiceId: r.practice_id,
      practiceName: r.practice_name,
      priority: r.priority,
      state: r.current_state,
      myRole: r.role,
      assigneeId: r.assignee_id,
      task: { id: r.task_id, name: r.task_name, kind: r.task_kind, requiredRoles: r.required_roles, dueAt: iso(r.due_at), overdue: r.overdue },
      atRisk: r.at_risk,
    })),
    nextCursor: rows.length > q.limit && last ? encodeInboxCursor({ priority: last.priority, createdAt: last.created_text, caseId: last.case_id, taskId: last.task_id }) : null,
  };
}

/** The first page of the caller's "my roles" inbox (the benchmark's inbox question). */
export async function inboxItems(trx: Tx, practiceId: string | null, limit: number): Promise<Array<z.input<typeof ZInboxItem>>> {
  return (await inboxPage(trx, { view: 'roles', practiceId: practiceId ?? undefined, limit })).items;
}

/**
 * The case (RLS) and the caller as the workflow's Actor: a member acts with their practice role;
 * lab staff who are not members act as the lab (practiceRole technician, `lab` set). Lab support
 * reads cases but acts on no task.
 */
async function actorFor(caseId: string): Promise<{ workflowId: string; practiceId: string; actor: Actor }> {
  const c = ctx();
  return c.db(async (trx) => {
    const row = await loadCase(trx, caseId);
    if (!row.workflow_id) throw new ApiError(409, 'case_closed', 'The case has no workflow.');
    const role = await myPracticeRole(trx, row.practice_id);
    const base = { workflowId: row.workflow_id, practiceId: row.practice_id };
    if (role) return { ...base, actor: { profileId: c.actor!.profileId, practiceRole: role } };
    const lab = await myLabRole(trx);
    if (lab === 'technician' || lab === 'admin') return { ...base, actor: { profileId: c.actor!.profileId, practiceRole: LAB_TASK_ROLE, lab } };
    throw new ApiError(403, 'not_a_member', lab === 'support' ? 'Lab support reads cases; tasks are for lab technicians.' : 'Only members of the practice act on its cases.');
  });
}

/**
 * The role a profile would act as on the practice's cases: its membership role, else the lab's
 * role for lab technicians and admins; null for anyone else. Read with the system handle: a lab
 * admin assigning a task may not read the practice's members, and only the role is used.
 */
async function assigneeRole(s: ApiServices, practiceId: string, profileId: string): Promise<PracticeRole | null> {
  const member = await practiceRoleOf(s.database.system, practiceId, profileId);
  if (member) return member;
  const lab = await s.database.system
    .selectFrom('lab_staff as l')
    .innerJoin('profiles as p', 'p.id', 'l.profile_id')
    .select('p.role')
    .where('l.profile_id', '=', profileId)
    .executeTakeFirst();
  return lab && (lab.role === 'technician' || lab.role === 'admin') ? LAB_TASK_ROLE : null;
}

/**
 * The project version a decision names: a version of one of this case's projects (404 naming
 * projectVersionId otherwise, like every foreign id in a body) and the newest of its project (409
 * version_superseded: the doctor must see what they approve).
 */
async function pinnableVersion(trx: Tx, caseId: string, versionId: string): Promise<ProjectVersionRef> {
  const row = await findVersion(trx, versionId);
  if (!row || row.case_id !== caseId) throw ApiError.notFound('Project version', 'projectVersionId');
  const chain = await versionChain(trx, row.root_id);
  const newest = chain.reduce((a, b) => (b.version > a.version ? b : a));
  if (newest.version > row.version) {
    throw new ApiError(409, 'version_superseded', `Version ${row.version} is superseded by version ${newest.version}; decide on the newest.`, [
      { field: 'projectVersionId', message: `newest version: ${newest.id}` },
    ]);
  }
  return { projectId: row.root_id, versionId: row.id, version: row.version };
}

const updateId = (key: string | undefined) => (key ? `${ctx().actor!.profileId}:${key}` : undefined);

export function taskRoutes(kit: RouteKit, s: ApiServices): void {
  const handle = (workflowId: string) => s.temporal.workflow.getHandle<typeof caseWorkflow>(workflowId);

  route(kit, {
    method: 'get',
    path: '/tasks/inbox',
    tags: ['tasks'],
    summary: 'Tasks awaiting the caller: mine, my roles, or (lab staff) the lab queue across client practices',
    description:
      'Most urgent first, then oldest, keyset-paginated (nextCursor). Read from the tasks the case workflow persists with every change (awaiting_tasks), under RLS: once a decision has answered, the inbox reflects it. "roles" and "lab" hide tasks assigned to someone else.',
    query: ZInboxQuery,
    response: z.object({ items: z.array(ZInboxItem), nextCursor: z.string().nullable() }).openapi('Inbox'),
    handler: ({ query }) =>
      ctx().db(async (trx) => {
        const page = await inboxPage(trx, query);
        // Case titles may name the patient (as GET /cases records): each entry is a read of its patient.
        await recordCaseAccess(trx, page.items.map((i) => i.caseId), { route: 'GET /tasks/inbox', resource: 'inbox' });
        return page;
      }),
  });

  const assignment = (action: 'claim' | 'release', summary: string) =>
    route(kit, {
      method: 'post',
      path: `/cases/:id/tasks/:taskId/${action}`,
      tags: ['tasks'],
      summary,
      description: 'Answers the workflow view. 422 when the workflow refuses (task_assigned: someone else has it; wrong_role; task_not_assigned; …). Idempotency-Key becomes the update id.',
      params: ZTaskParams,
      response: ZCaseView,
      errors: [403, 409, 422],
      idempotent: true,
      handler: async ({ params, req }) => {
        const { workflowId, actor } = await actorFor(params.id);
        return handle(workflowId).executeUpdate(assignTaskUpdate, { args: [{ taskId: params.taskId, actor, action }], updateId: updateId(req.get('Idempotency-Key')) });
      },
    });
  assignment('claim', 'Claim a task awaiting your role (of concurrent claims exactly one wins)');
  assignment('release', 'Put a task back into its role pool (the assignee or a lead)');

  route(kit, {
    method: 'post',
    path: '/cases/:id/tasks/:taskId/assign',
    tags: ['tasks'],
    summary: 'Assign or reassign a task (a lead: practice owner or admin; a lab admin for lab tasks)',
    description: 'The assignee must be a member of the case\'s practice or lab staff (404 naming assigneeId otherwise) with a role the task awaits (422 wrong_role otherwise).',
    params: ZTaskParams,
    body: ZAssignBody,
    response: ZCaseView,
    errors: [403, 404, 409, 422],
    idempotent: true,
    handler: async ({ params, body, req }) => {
      const { workflowId, practiceId, actor } = await actorFor(params.id);
      const role = await assigneeRole(s, practiceId, body.assigneeId);
      // Someone who is neither a member of the case's practice nor lab staff: like an unknown id.
      if (!role) throw ApiError.notFound('Assignee', 'assigneeId');
      return handle(workflowId).executeUpdate(assignTaskUpdate, {
        args: [{ taskId: params.taskId, actor, action: 'assign', assignee: { profileId: body.assigneeId, role } }],
        updateId: updateId(req.get('Idempotency-Key')),
      });
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
      const projectVersion = body.projectVersionId ? await ctx().db((trx) => pinnableVersion(trx, params.id, body.projectVersionId!)) : undefined;
      return handle(workflowId).executeUpdate(decideUpdate, {
        args: [{ taskId: params.taskId, decision: body.decision, actor, reason: body.reason, ...(projectVersion ? { projectVersion } : {}) }],
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

  route(kit, {
    method: 'post',
    path: '/cases/:id/seat-date',
    tags: ['cases'],
    summary: "Set or move a case's seat appointment (owner, admin, doctor, assistant); the case replans",
    description:
      'The workflow plans backward from it: latest start = seat date − transit − the remaining critical path. Answers the workflow view with `seat` (slack, level). 422 when the workflow refuses (wrong_role, case_finished).',
    params: ZCaseParams,
    body: ZSeatDateBody,
    response: ZCaseView,
    errors: [403, 409, 422],
    idempotent: true,
    handler: async ({ params, body, req }) => {
      const { workflowId, actor } = await actorFor(params.id);
      requireFutureSeatDate(body.seatDate);
      return handle(workflowId).executeUpdate(setSeatDateUpdate, {
        args: [{ actor, seatDate: body.seatDate, transitDays: body.transitDays, atRiskSlackMs: s.config.CASE_AT_RISK_SLACK_HOURS * 3_600_000 }],
        updateId: updateId(req.get('Idempotency-Key')),
      });
    },
  });
}
