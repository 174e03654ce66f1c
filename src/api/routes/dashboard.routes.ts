/**
 * The case dashboard, read from case_dashboard_secure (the caller's practices only). The
 * materialized view behind it is refreshed by the API's timer (DASHBOARD_REFRESH_MS).
 */
import { sql, type Selectable } from 'kysely';
import type { Tx } from '../../db/database';
import type { CaseDashboardSecure } from '../../db/schema.generated';
import { ctx } from '../context';
import { decodeCursor, type Cursor, encodeCursor, iso, page, ZCaseState, ZCaseType, ZPageQuery, ZPriority, ZTimestamp, ZUuid } from '../common';
import { route, type RouteKit } from '../route';
import type { ApiServices } from '../types';
import { z } from '../zod';
import { recordPhiAccess } from '../../repositories/phi-access.repository';

export const ZDashboardRow = z
  .object({
    caseId: ZUuid,
    practiceId: ZUuid,
    patientId: ZUuid,
    patientNumber: z.string().nullable(),
    patientName: z.string().nullable(),
    caseNumber: z.string(),
    title: z.string(),
    caseType: ZCaseType.nullable(),
    state: ZCaseState.nullable(),
    priority: ZPriority.nullable(),
    practitionerName: z.string().nullable(),
    dueAt: ZTimestamp.nullable(),
    overdue: z.boolean(),
    closedAt: ZTimestamp.nullable(),
    messageCount: z.number().int(),
    fileCount: z.number().int(),
    lastMessageAt: ZTimestamp.nullable(),
    createdAt: ZTimestamp,
  })
  .openapi('DashboardRow');
export type TDashboardRow = z.infer<typeof ZDashboardRow>;

export type DashboardQuery = { limit: number; state?: z.infer<typeof ZCaseState>; overdue?: 'true' | 'false' };
type Row = Selectable<CaseDashboardSecure> & { created_at_text: string };

/**
 * One practice: case_dashboard_page() checks membership once and reads the page by index.
 * Through the security-barrier view the same page read and sorted all of the practice's rows
 * (bench/API.md: 20-45 ms for 17k cases, under 1 ms now).
 */
export async function practicePage(trx: Tx, practiceId: string, query: DashboardQuery, cursor: Cursor | null): Promise<Row[]> {
  const r = await sql<Row>`
    SELECT d.*, d.created_at::text AS created_at_text
    FROM public.case_dashboard_page(${practiceId}::uuid, ${query.limit + 1}::int, ${query.state ?? null}::case_state_enum,
                                    ${query.overdue === undefined ? null : query.overdue === 'true'}::boolean,
                                    ${cursor?.createdAt ?? null}::timestamptz, ${cursor?.id ?? null}::uuid) d`.execute(trx);
  return r.rows;
}

/** All of the caller's practices, through the view (RLS-equivalent filter). */
async function allPracticesPage(trx: Tx, query: DashboardQuery, cursor: Cursor | null): Promise<Row[]> {
  let qb = trx
    .selectFrom('case_dashboard_secure as d')
    .selectAll()
    .select(sql<string>`d.created_at::text`.as('created_at_text'))
    .orderBy('d.created_at', 'desc')
    .orderBy('d.id', 'desc')
    .limit(query.limit + 1);
  if (query.state) qb = qb.where('d.current_state', '=', query.state);
  if (query.overdue) qb = qb.where('d.is_overdue', '=', query.overdue === 'true');
  if (cursor) qb = qb.where(sql<boolean>`(d.created_at, d.id) < (${cursor.createdAt}::timestamptz, ${cursor.id}::uuid)`);
  return qb.execute();
}

export function dashboardRoutes(kit: RouteKit, _s: ApiServices): void {
  route(kit, {
    method: 'get',
    path: '/dashboard',
    tags: ['dashboard'],
    summary: 'Case overview with message and file counts (as fresh as the last refresh)',
    query: ZPageQuery.extend({ practiceId: ZUuid.optional(), state: ZCaseState.optional(), overdue: z.enum(['true', 'false']).optional() }),
    response: page(ZDashboardRow, 'DashboardPage'),
    handler: ({ query }) =>
      ctx().db(async (trx) => {
        const cursor = decodeCursor(query.cursor);
        const rows = query.practiceId ? await practicePage(trx, query.practiceId, query, cursor) : await allPracticesPage(trx, query, cursor);
        const items = rows.slice(0, query.limit);
        const last = items.at(-1);
        await recordPhiAccess(trx, items.map((r) => r.patient_id), { route: 'GET /dashboard', resource: 'dashboard' });
        return {
          items: items.map((r) => ({
            caseId: r.id!,
            practiceId: r.practice_id!,
            patientId: r.patient_id!,
            patientNumber: r.patient_number,
            patientName: r.patient_name,
            caseNumber: r.case_number ?? '',
            title: r.title ?? '',
            caseType: r.case_type,
            state: r.current_state,
            priority: r.priority,
            practitionerName: r.practitioner_name,
            dueAt: iso(r.due_at),
            overdue: r.is_overdue ?? false,
            closedAt: iso(r.closed_at),
            messageCount: Number(r.message_count ?? 0),
            fileCount: Number(r.file_count ?? 0),
            lastMessageAt: iso(r.last_message_at),
            createdAt: iso(r.created_at) ?? new Date(0).toISOString(),
          })),
          nextCursor: rows.length > query.limit && last ? encodeCursor(last.created_at_text, last.id!) : null,
        };
      }),
  });
}
