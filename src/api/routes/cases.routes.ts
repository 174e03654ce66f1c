/**
 * Cases: create (through CaseService.startCase, the only way a case comes into being), list with
 * filters and keyset pagination over (created_at, id), and the detail with a timeline from
 * case_states, case_messages and case_files plus the live workflow view.
 */
import { sql } from 'kysely';
import type { Client } from '@temporalio/client';
import type { Tx } from '../../db/database';
import { caseViewQuery, type CaseView } from '../../workflows/case.messages';
import { ApiError } from '../errors';
import { ctx } from '../context';
import { decodeCursor, encodeCursor, iso, isoReq, page, requireMember, ZBool, ZCaseState, ZDate, ZCaseType, ZIdParams, ZJsonObject, ZPageQuery, ZPracticeRole, ZPriority, ZTimestamp, ZUuid, ZFileType, ZMessageType, ZName, ZText } from '../common';
import { route, type RouteKit } from '../route';
import type { ApiServices } from '../types';
import { z } from '../zod';
import { recordPhiAccess } from '../../repositories/phi-access.repository';

export const ZTaskView = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.string(),
    functionType: z.string(),
    status: z.enum(['pending', 'active', 'done']),
    awaitingDecision: z.boolean(),
    requiredRoles: z.array(ZPracticeRole),
    dueAt: ZTimestamp.nullable(),
    overdue: z.boolean(),
    reworks: z.number().int(),
    assigneeId: ZUuid.nullable(),
  })
  .openapi('TaskView');

export const ZSeatView = z
  .object({
    seatDate: ZTimestamp,
    transitDays: z.number().int(),
    latestStart: ZTimestamp.nullable().openapi({ description: 'seat date − transit − the remaining critical path, for the active task that is latest' }),
    slackMinutes: z.number().int().nullable().openapi({ description: 'latestStart − now; negative: the seat date is missed at the planned pace' }),
    level: z.enum(['on_track', 'at_risk', 'pool', 'lead']),
    atRisk: z.boolean(),
  })
  .openapi('SeatView', { description: 'Back-planning from the seat appointment (the workflow recomputes it at every change).' });

export const ZCaseView = z
  .object({
    caseId: ZUuid,
    status: z.enum(['active', 'completed', 'cancelled']),
    state: ZCaseState,
    priority: ZPriority,
    onHold: z.boolean(),
    holdReason: z.string().nullable(),
    overdue: z.boolean(),
    rolesAwaited: z.array(ZPracticeRole),
    tasks: z.array(ZTaskView),
    decisions: z.array(
      z.object({
        taskId: z.string(),
        decision: z.enum(['approve', 'reject', 'request_changes', 'complete']),
        by: z.string(),
        role: z.union([ZPracticeRole, z.literal('system')]),
        at: ZTimestamp,
        reason: z.string().nullable(),
        projectVersionId: ZUuid.optional().openapi({ description: 'the exact project version decided on (POST …/decision projectVersionId)' }),
      }),
    ),
    reworkCount: z.number().int(),
    seat: ZSeatView.optional().openapi({ description: 'present when the case has a seat appointment' }),
  })
  .openapi('CaseView', { description: "The workflow's live picture of a case." });
export type TCaseView = z.infer<typeof ZCaseView>;

export const ZCase = z
  .object({
    id: ZUuid,
    practiceId: ZUuid,
    patientId: ZUuid,
    caseNumber: z.string(),
    title: z.string(),
    description: z.string().nullable(),
    caseType: ZCaseType,
    priority: ZPriority,
    state: ZCaseState,
    assignedPractitionerId: ZUuid.nullable(),
    templateId: ZUuid.nullable(),
    workflowId: z.string().nullable(),
    dueAt: ZTimestamp.nullable(),
    overdue: z.boolean(),
    seatDate: ZTimestamp.nullable().openapi({ description: 'when the patient is seated' }),
    transitDays: z.number().int().openapi({ description: 'days of transit to the practice' }),
    atRisk: z.boolean().openapi({ description: 'the slack before the seat date is below the threshold' }),
    closedAt: ZTimestamp.nullable(),
    metadata: ZJsonObject,
    createdAt: ZTimestamp,
    updatedAt: ZTimestamp,
  })
  .openapi('Case');
export type TCase = z.infer<typeof ZCase>;

export const ZTimelineEntry = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('state'), at: ZTimestamp, actorId: ZUuid, fromState: ZCaseState.nullable(), toState: ZCaseState, reason: z.string().nullable() }),
    z.object({ kind: z.literal('message'), at: ZTimestamp, actorId: ZUuid, messageId: ZUuid, messageType: ZMessageType, subject: z.string().nullable() }),
    z.object({ kind: z.literal('file'), at: ZTimestamp, actorId: ZUuid, fileId: ZUuid, fileName: z.string(), fileType: ZFileType }),
  ])
  .openapi('TimelineEntry');
export type TTimelineEntry = z.infer<typeof ZTimelineEntry>;

export const ZCaseDetail = ZCase.extend({
  patient: z.object({ id: ZUuid, patientNumber: z.string(), fullName: z.string().nullable(), dateOfBirth: ZDate.nullable() }),
  timeline: z.array(ZTimelineEntry),
  workflow: ZCaseView.nullable().openapi({ description: 'null when the workflow cannot be asked right now' }),
}).openapi('CaseDetail');
export type TCaseDetail = z.infer<typeof ZCaseDetail>;

/**
 * A seat date: an ISO timestamp with offset. That it lies in the future is a business rule
 * (422 invalid_argument naming the field), not schema: the document admits what validation does.
 */
export const ZSeatDate = z.iso.datetime({ offset: true }).openapi({ format: 'date-time', example: '2031-01-31T09:30:00Z', description: 'in the future (422 invalid_argument otherwise)' });
/** 422 unless the seat date lies in the future (wall clock; the workflow checks its own). */
export function requireFutureSeatDate(seatDate: string): void {
  if (Date.parse(seatDate) <= Date.now()) throw new ApiError(422, 'invalid_argument', 'The seat date must be in the future.', [{ field: 'seatDate', message: 'must be in the future' }]);
}
export const ZTransitDays = z.number().int().min(0).max(60).openapi({ description: 'whole days of transit to the practice (default 0)' });

export const ZCreateCaseBody = z
  .object({
    practiceId: ZUuid,
    patientId: ZUuid,
    title: ZName(300),
    description: ZText({ max: 10_000 }).nullable().optional(),
    caseType: ZCaseType,
    priority: ZPriority.optional(),
    caseNumber: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/).optional(),
    templateId: ZUuid.optional(),
    assignedPractitionerId: ZUuid.nullable().optional(),
    metadata: ZJsonObject.optional(),
    seatDate: ZSeatDate.optional().openapi({ description: 'when the patient is seated, in the future; the case plans backward from it' }),
    transitDays: ZTransitDays.optional(),
  })
  .openapi('CreateCaseBody');
export type TCreateCaseBody = z.infer<typeof ZCreateCaseBody>;

/**
 * Whether a practitioner works for the practice: linked to one of its members (by the membership's
 * practitioner_id or by the member's own profile), read under the caller's RLS.
 */
export async function practitionerOfPractice(trx: Tx, practitionerId: string, practiceId: string): Promise<boolean> {
  const r = await trx
    .selectFrom('practitioners as pr')
    .select('pr.id')
    .where('pr.id', '=', practitionerId)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('practice_members as m')
          .select('m.id')
          .where('m.practice_id', '=', practiceId)
          .where((w) => w.or([w('m.practitioner_id', '=', w.ref('pr.id')), w('m.profile_id', '=', w.ref('pr.profile_id'))])),
      ),
    )
    .executeTakeFirst();
  return r !== undefined;
}

export const ZCaseListQuery = ZPageQuery.extend({
  practiceId: ZUuid.optional(),
  patientId: ZUuid.optional().openapi({ description: "one patient's cases (another practice's patient: none)" }),
  state: ZCaseState.optional(),
  priority: ZPriority.optional(),
  assignee: ZUuid.optional().openapi({ description: 'assigned practitioner id' }),
  overdue: ZBool.optional(),
  type: ZCaseType.optional(),
  text: ZName(200).optional().openapi({ description: 'Words of the case number, title or description' }),
});
export type TCaseListQuery = z.infer<typeof ZCaseListQuery>;

function caseQuery(trx: Tx) {
  return trx.selectFrom('cases as c').select([
    'c.id',
    'c.practice_id',
    'c.patient_id',
    'c.case_number',
    'c.title',
    'c.description',
    'c.case_type',
    'c.priority',
    'c.current_state',
    'c.assigned_practitioner_id',
    'c.workflow_template_id',
    'c.workflow_id',
    'c.due_at',
    'c.is_overdue',
    'c.seat_date',
    'c.transit_days',
    'c.at_risk',
    'c.closed_at',
    'c.metadata',
    'c.created_at',
    'c.updated_at',
    sql<string>`c.created_at::text`.as('created_at_text'),
  ]);
}
type CaseRow = Awaited<ReturnType<ReturnType<typeof caseQuery>['executeTakeFirstOrThrow']>>;

export const toCase = (r: CaseRow): TCase => ({
  id: r.id,
  practiceId: r.practice_id,
  patientId: r.patient_id,
  caseNumber: r.case_number,
  title: r.title,
  description: r.description,
  caseType: r.case_type,
  priority: r.priority,
  state: r.current_state,
  assignedPractitionerId: r.assigned_practitioner_id,
  templateId: r.workflow_template_id,
  workflowId: r.workflow_id,
  dueAt: iso(r.due_at),
  overdue: r.is_overdue,
  seatDate: iso(r.seat_date),
  transitDays: r.transit_days,
  atRisk: r.at_risk,
  closedAt: iso(r.closed_at),
  metadata: (r.metadata as Record<string, unknown>) ?? {},
  createdAt: isoReq(r.created_at),
  updatedAt: isoReq(r.updated_at),
});

/** The case as the caller may see it (RLS); 404 for a missing case and for another practice's. */
export async function loadCase(trx: Tx, id: string): Promise<CaseRow> {
  const r = await caseQuery(trx).where('c.id', '=', id).executeTakeFirst();
  if (!r) throw ApiError.notFound('Case');
  ctx().practiceId = r.practice_id;
  return r;
}

/** The workflow's view, or null when it does not answer in time (no worker, not started yet). */
export async function queryCaseView(temporal: Client, workflowId: string | null, timeoutMs = 5000): Promise<TCaseView | null> {
  if (!workflowId) return null;
  const handle = temporal.workflow.getHandle(workflowId);
  try {
    // A deadline on the call, so a slow query is cancelled, not left running after the answer.
    return await temporal.connection.withDeadline(Date.now() + timeoutMs, () => handle.query(caseViewQuery).then((v: CaseView) => v as TCaseView));
  } catch (err) {
    ctx().log.warn({ err, workflowId }, 'case view query failed');
    return null;
  }
}

interface TimelineRow {
  kind: 'state' | 'message' | 'file';
  created_at: Date;
  actor_id: string;
  ref_id: string | null;
  from_state: TTimelineState | null;
  to_state: TTimelineState | null;
  reason: string | null;
  message_type: TMessageType | null;
  subject: string | null;
  file_name: string | null;
  file_type: TFileType | null;
}
type TTimelineState = z.infer<typeof ZCaseState>;
type TMessageType = z.infer<typeof ZMessageType>;
type TFileType = z.infer<typeof ZFileType>;

/**
 * States, messages and files of a case merged by time, in one statement (one round trip instead
 * of three). Within one instant: states, then messages, then files.
 */
export async function timeline(trx: Tx, caseId: string): Promise<TTimelineEntry[]> {
  const { rows } = await sql<TimelineRow>`
    SELECT 'state' AS kind, created_at, changed_by AS actor_id, NULL::uuid AS ref_id, from_state::text, to_state::text, reason,
           NULL AS message_type, NULL AS subject, NULL AS file_name, NULL AS file_type, 0 AS ord, id
      FROM case_states WHERE case_id = ${caseId}
    UNION ALL
    SELECT 'message', created_at, sender_id, id, NULL, NULL, NULL, message_type::text, subject, NULL, NULL, 1, id
      FROM case_messages WHERE case_id = ${caseId}
    UNION ALL
    SELECT 'file', created_at, uploaded_by, id, NULL, NULL, NULL, NULL, NULL, file_name, file_type::text, 2, id
      FROM case_files WHERE case_id = ${caseId}
    ORDER BY created_at, ord, id`.execute(trx);
  return rows.map((r): TTimelineEntry => {
    const base = { at: isoReq(r.created_at), actorId: r.actor_id };
    if (r.kind === 'state') return { kind: 'state', ...base, fromState: r.from_state, toState: r.to_state!, reason: r.reason };
    if (r.kind === 'message') return { kind: 'message', ...base, messageId: r.ref_id!, messageType: r.message_type!, subject: r.subject };
    return { kind: 'file', ...base, fileId: r.ref_id!, fileName: r.file_name!, fileType: r.file_type! };
  });
}

export function caseRoutes(kit: RouteKit, s: ApiServices): void {
  route(kit, {
    method: 'post',
    path: '/cases',
    tags: ['cases'],
    summary: 'Create a case and start its workflow',
    description: 'The caller must be a member of the practice. Send Idempotency-Key to make retries safe.',
    body: ZCreateCaseBody,
    status: 201,
    response: ZCase,
    errors: [404, 409, 422],
    idempotent: true,
    handler: async ({ body }) => {
      const c = ctx();
      if (body.transitDays !== undefined && !body.seatDate) {
        throw new ApiError(422, 'invalid_argument', 'transitDays needs a seatDate.', [{ field: 'seatDate', message: 'required when transitDays is given' }]);
      }
      if (body.seatDate) requireFutureSeatDate(body.seatDate);
      await c.db(async (trx) => {
        // Every id in the body must be visible to the caller under RLS *and* belong to this
        // practice: a caller who is a member of two practices sees both, and must not carry one's
        // template or practitioner into the other's case.
        await requireMember(trx, body.practiceId, 'practiceId');
        const patient = await trx.selectFrom('patients').select('id').where('id', '=', body.patientId).where('practice_id', '=', body.practiceId).executeTakeFirst();
        if (!patient) throw ApiError.notFound('Patient', 'patientId');
        if (body.templateId) {
          const t = await trx
            .selectFrom('workflow_templates')
            .select('id')
            .where('id', '=', body.templateId)
            .where((eb) => eb.or([eb('practice_id', 'is', null), eb('practice_id', '=', body.practiceId)]))
            .executeTakeFirst();
          if (!t) throw ApiError.notFound('Workflow template', 'templateId');
        }
        if (body.assignedPractitionerId && !(await practitionerOfPractice(trx, body.assignedPractitionerId, body.practiceId))) {
          throw ApiError.notFound('Practitioner', 'assignedPractitionerId');
        }
      });
      const started = await s.cases.startCase({
        practiceId: body.practiceId,
        patientId: body.patientId,
        createdBy: c.actor!.profileId,
        title: body.title,
        description: body.description ?? null,
        caseType: body.caseType,
        priority: body.priority,
        caseNumber: body.caseNumber,
        templateId: body.templateId,
        assignedPractitionerId: body.assignedPractitionerId ?? null,
        metadata: body.metadata,
        ...(body.seatDate ? { seat: { seatDate: body.seatDate, transitDays: body.transitDays ?? 0 } } : {}),
      });
      return c.db(async (trx) => toCase(await loadCase(trx, started.caseId)));
    },
  });

  route(kit, {
    method: 'get',
    path: '/cases',
    tags: ['cases'],
    summary: 'List cases (newest first) with filters and keyset pagination',
    query: ZCaseListQuery,
    response: page(ZCase, 'CasePage'),
    handler: ({ query }) =>
      ctx().db(async (trx) => {
        const cursor = decodeCursor(query.cursor);
        let qb = caseQuery(trx).orderBy('c.created_at', 'desc').orderBy('c.id', 'desc').limit(query.limit + 1);
        if (query.practiceId) qb = qb.where('c.practice_id', '=', query.practiceId);
        if (query.patientId) qb = qb.where('c.patient_id', '=', query.patientId);
        if (query.state) qb = qb.where('c.current_state', '=', query.state);
        if (query.priority) qb = qb.where('c.priority', '=', query.priority);
        if (query.assignee) qb = qb.where('c.assigned_practitioner_id', '=', query.assignee);
        if (query.overdue) qb = qb.where('c.is_overdue', '=', query.overdue === 'true');
        if (query.type) qb = qb.where('c.case_type', '=', query.type);
        if (query.text) qb = qb.where(sql<boolean>`c.search_text @@ websearch_to_tsquery('simple', ${query.text})`);
        if (cursor) qb = qb.where(sql<boolean>`(c.created_at, c.id) < (${cursor.createdAt}::timestamptz, ${cursor.id}::uuid)`);
        const rows = await qb.execute();
        const more = rows.length > query.limit;
        const items = rows.slice(0, query.limit);
        const last = items.at(-1);
        // Case titles and descriptions may name the patient: a list is a read of each of them.
        await recordPhiAccess(trx, items.map((r) => r.patient_id), { route: 'GET /cases', resource: query.text ? 'case_search' : 'case_list' });
        return { items: items.map(toCase), nextCursor: more && last ? encodeCursor(last.created_at_text, last.id) : null };
      }),
  });

  route(kit, {
    method: 'get',
    path: '/cases/:id',
    tags: ['cases'],
    summary: 'A case with its timeline and the live workflow view',
    params: ZIdParams,
    response: ZCaseDetail,
    handler: async ({ params }) => {
      const c = ctx();
      const detail = await c.db(async (trx) => {
        const row = await loadCase(trx, params.id);
        // Name, number and birthdate only: what lab staff may read too (0040: case_patient_card).
        const { rows } = await sql<{ patient_id: string; patient_number: string; full_name: string | null; date_of_birth: string | null }>`
          SELECT patient_id, patient_number, full_name, date_of_birth::text FROM public.case_patient_card(${row.id}::uuid)`.execute(trx);
        const patient = rows[0];
        if (!patient) throw ApiError.notFound('Case');
        await recordPhiAccess(trx, [row.patient_id], { route: 'GET /cases/{id}', resource: 'case', resourceId: row.id });
        return {
          row,
          patient: { id: patient.patient_id, patientNumber: patient.patient_number, fullName: patient.full_name, dateOfBirth: patient.date_of_birth },
          timeline: await timeline(trx, row.id),
        };
      });
      const workflow = await queryCaseView(s.temporal, detail.row.workflow_id);
      return { ...toCase(detail.row), patient: detail.patient, timeline: detail.timeline, workflow };
    },
  });
}
