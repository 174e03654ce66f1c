/**
 * Trust (issue 12): the audit of one record (`GET /audit?table=&id=`) and a patient's accounting
 * of disclosures (`GET /patients/{id}/access-log`). Both read append-only logs under RLS: a
 * practice's owners and admins see their practice's entries, internal (lab) admins all of them.
 */
import { sql } from 'kysely';
import type { Tx } from '../../db/database';
import { auditedPatients, listAudit } from '../../repositories/audit.repository';
import { listPhiAccess, recordPhiAccess } from '../../repositories/phi-access.repository';
import { ApiError } from '../errors';
import { ctx } from '../context';
import { isoReq, iso, myPracticeRole, ZIdParams, ZJsonObject, ZTimestamp, ZUuid } from '../common';
import { route, type RouteKit } from '../route';
import type { ApiServices } from '../types';
import { z } from '../zod';

const ZAuditEntry = z
  .object({
    id: z.string(),
    table: z.string(),
    rowId: z.string(),
    op: z.enum(['INSERT', 'UPDATE', 'DELETE']),
    actorId: ZUuid.nullable(),
    actorKind: z.enum(['user', 'system']),
    requestId: z.string().nullable(),
    workflowId: z.string().nullable(),
    practiceId: ZUuid.nullable(),
    changed: ZJsonObject.openapi({ description: 'Changed columns as {"column": [old, new]}; secrets and hashes are never recorded.' }),
    redactedAt: ZTimestamp.nullable().openapi({ description: 'When an erasure removed personal data from `changed`.' }),
    at: ZTimestamp,
  })
  .openapi('AuditEntry');

const ZAuditQuery = z.object({
  table: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/).openapi({ description: 'Table name, e.g. cases' }),
  id: z.string().min(1).max(200).openapi({ description: 'The row id (composite keys joined with /)' }),
  after: z.string().regex(/^\d{1,19}$/).optional().openapi({ description: 'Entries after this entry id (paging)' }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const ZAccessEntry = z
  .object({
    id: z.string(),
    actorId: ZUuid,
    patientId: ZUuid,
    practiceId: ZUuid,
    route: z.string(),
    resource: z.string(),
    resourceId: z.string().nullable(),
    requestId: z.string().nullable(),
    at: ZTimestamp,
  })
  .openapi('PhiAccessEntry');

const ZAccessQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.string().regex(/^\d{1,19}$/).optional().openapi({ description: 'Entries older than this entry id (paging)' }),
});

async function isInternalAdmin(trx: Tx): Promise<boolean> {
  const r = await sql<{ admin: boolean }>`SELECT public.is_internal_admin() AS admin`.execute(trx);
  return !!r.rows[0]?.admin;
}

export function trustRoutes(kit: RouteKit, _s: ApiServices): void {
  route(kit, {
    method: 'get',
    path: '/audit',
    tags: ['trust'],
    summary: 'Change history of one record (practice owner/admin; lab admins lab-wide)',
    description: 'Every insert, update and delete of the record, oldest first, with who, why (request or workflow id) and the changed columns old → new. Entries of other practices are not visible.',
    query: ZAuditQuery,
    response: z.object({ items: z.array(ZAuditEntry), nextAfter: z.string().nullable() }).openapi('AuditPage'),
    handler: ({ query }) =>
      ctx().db(async (trx) => {
        const rows = await listAudit(trx, query.table, query.id, query.limit + 1, query.after);
        const items = rows.slice(0, query.limit);
        // Old → new values of a patient's record (names, birthdate, history) are PHI like the record.
        if (items.length) {
          await recordPhiAccess(trx, await auditedPatients(trx, query.table, query.id), { route: 'GET /audit', resource: 'audit', resourceId: `${query.table}/${query.id}` });
        }
        return {
          items: items.map((r) => ({
            id: String(r.id),
            table: r.table_name,
            rowId: r.row_id,
            op: r.op as 'INSERT' | 'UPDATE' | 'DELETE',
            actorId: r.actor_id,
            actorKind: r.actor_kind as 'user' | 'system',
            requestId: r.request_id,
            workflowId: r.workflow_id,
            practiceId: r.practice_id,
            changed: r.changed,
            redactedAt: iso(r.redacted_at),
            at: isoReq(r.created_at),
          })),
          nextAfter: rows.length > query.limit ? String(items.at(-1)!.id) : null,
        };
      }),
  });

  route(kit, {
    method: 'get',
    path: '/patients/:id/access-log',
    tags: ['trust', 'patients'],
    summary: "A patient's accounting of disclosures: who read their data, when, where (practice owner/admin; lab admins)",
    params: ZIdParams,
    query: ZAccessQuery,
    response: z.object({ items: z.array(ZAccessEntry), nextBefore: z.string().nullable() }).openapi('PhiAccessPage'),
    errors: [403],
    handler: ({ params, query }) =>
      ctx().db(async (trx) => {
        const c = ctx();
        const patient = await trx.selectFrom('patients').select(['id', 'practice_id']).where('id', '=', params.id).executeTakeFirst();
        if (!patient) throw ApiError.notFound('Patient');
        c.practiceId = patient.practice_id;
        const role = await myPracticeRole(trx, patient.practice_id);
        if (role !== 'owner' && role !== 'admin' && !(await isInternalAdmin(trx))) {
          throw ApiError.forbidden('Only the practice owner or an admin may read the access log.');
        }
        let before: { at: string; id: string } | null = null;
        if (query.before) {
          const b = await trx.selectFrom('phi_access_log').select(sql<string>`accessed_at::text`.as('at')).where('id', '=', query.before as never).executeTakeFirst();
          if (b) before = { at: b.at, id: query.before };
        }
        const rows = await listPhiAccess(trx, params.id, query.limit + 1, before);
        const items = rows.slice(0, query.limit);
        // Reading the accounting is itself a disclosure of who saw the record.
        await recordPhiAccess(trx, [params.id], { route: 'GET /patients/{id}/access-log', resource: 'access_log', resourceId: params.id });
        return {
          items: items.map((r) => ({
            id: String(r.id),
            actorId: r.actor_id,
            patientId: r.patient_id,
            practiceId: r.practice_id,
            route: r.route,
            resource: r.resource,
            resourceId: r.resource_id,
            requestId: r.request_id,
            at: isoReq(r.accessed_at),
          })),
          nextBefore: rows.length > query.limit ? String(items.at(-1)!.id) : null,
        };
      }),
  });
}
