/**
 * Operations (issue 12 §5): `GET /metrics` for Prometheus (no token: counts and latencies only,
 * no patient data; keep it off the public network or behind the ingress's allow-list) and
 * `GET /ops/alerts`, the open performance alerts, for lab admins.
 */
import { sql } from 'kysely';
import { renderMetrics } from '../../telemetry/metrics';
import { ApiError } from '../errors';
import { ctx } from '../context';
import { isoReq, ZJsonObject, ZTimestamp } from '../common';
import { route, type RouteKit } from '../route';
import type { ApiServices } from '../types';
import { z } from '../zod';

const ZAlert = z
  .object({
    id: z.uuid(),
    type: z.string(),
    message: z.string(),
    metadata: ZJsonObject.openapi({ description: 'For slow queries: query_type, execution_time (ms), statement (placeholders, no values), service, request_id or workflow_id, user_id.' }),
    at: ZTimestamp,
  })
  .openapi('PerformanceAlert');

export function opsRoutes(kit: RouteKit, _s: ApiServices): void {
  route(kit, {
    method: 'get',
    path: '/metrics',
    tags: ['operations'],
    summary: 'Prometheus metrics of this API process (text format)',
    auth: false,
    rawResponse: 'text/plain',
    handler: async ({ res }) => {
      const m = await renderMetrics();
      res.status(200).setHeader('Content-Type', m.contentType);
      res.end(m.body);
    },
  });

  route(kit, {
    method: 'get',
    path: '/ops/alerts',
    tags: ['operations'],
    summary: 'Open performance alerts, newest first (lab admins)',
    description: 'Raised by the log_slow_queries trigger for statements over one second that the API or a worker recorded in query_performance_log.',
    query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
    response: z.object({ items: z.array(ZAlert) }).openapi('PerformanceAlertList'),
    errors: [403],
    handler: ({ query }) =>
      ctx().db(async (trx) => {
        const admin = (await sql<{ admin: boolean }>`SELECT public.is_internal_admin() AS admin`.execute(trx)).rows[0]?.admin;
        if (!admin) throw ApiError.forbidden('Only lab admins may read performance alerts.');
        const rows = await trx
          .selectFrom('performance_alerts')
          .select(['id', 'alert_type', 'message', 'metadata', 'created_at'])
          .where('acknowledged_at', 'is', null)
          .orderBy('created_at', 'desc')
          .limit(query.limit)
          .execute();
        return { items: rows.map((r) => ({ id: r.id, type: r.alert_type, message: r.message, metadata: r.metadata as Record<string, unknown>, at: isoReq(r.created_at) })) };
      }),
  });
}
