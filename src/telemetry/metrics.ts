/**
 * Prometheus metrics of the API and the worker (issue 12 §5), served at `/metrics` by each
 * (text format 0.0.4). One registry per process: request latency by route template and status,
 * database pool use, slow statements, and operational gauges read from the database at scrape
 * time (embedding backlog, overdue and at-risk cases, open performance alerts). The Temporal
 * SDK's own metrics (workflow task and activity latencies, pollers, cache) come from its Core
 * runtime's Prometheus exporter on the worker (WORKER_TEMPORAL_METRICS_ADDRESS), a second target.
 */
import client from 'prom-client';
import type pg from 'pg';
import { sql } from 'kysely';
import type { Db } from '../db/database';

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, prefix: 'mdw_' });

export const httpDuration = new client.Histogram({
  name: 'mdw_http_request_duration_seconds',
  help: 'HTTP request latency by method, route template (e.g. /cases/{id}) and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

export const slowQueries = new client.Counter({
  name: 'mdw_slow_queries_total',
  help: 'Statements slower than SLOW_QUERY_MS, recorded in query_performance_log',
  labelNames: ['service', 'query_type'] as const,
  registers: [registry],
});

const pools = new Map<string, pg.Pool>();
/** Reports `pool` as mdw_db_pool_connections{pool=name,…} (the last pool given a name wins). */
export function observePool(name: string, pool: pg.Pool): void {
  pools.set(name, pool);
}

new client.Gauge({
  name: 'mdw_db_pool_connections',
  help: 'Database pool use: state=in_use|idle|waiting (requests queued for a connection)|max',
  labelNames: ['pool', 'state'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const [name, p] of pools) {
      this.set({ pool: name, state: 'in_use' }, p.totalCount - p.idleCount);
      this.set({ pool: name, state: 'idle' }, p.idleCount);
      this.set({ pool: name, state: 'waiting' }, p.waitingCount);
      this.set({ pool: name, state: 'max' }, p.options.max ?? 10);
    }
  },
});

let opsDb: Db | null = null;
/** The (system) database the operational gauges are read from at scrape time. */
export function observeOperations(db: Db): void {
  opsDb = db;
}

interface OpsCounts {
  backlog: number;
  overdue: number;
  atRisk: number | null;
  alerts: number;
}

/** One round trip per scrape. `cases.at_risk` is counted once a migration adds it. */
export async function operationsCounts(db: Db): Promise<OpsCounts> {
  const hasAtRisk = await sql<{ ok: boolean }>`
    SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'cases' AND column_name = 'at_risk') AS ok`.execute(db);
  const atRisk = hasAtRisk.rows[0]?.ok ? sql`(SELECT count(*)::int FROM cases WHERE at_risk AND closed_at IS NULL)` : sql`NULL::int`;
  const r = await sql<{ backlog: number; overdue: number; at_risk: number | null; alerts: number }>`
    SELECT (SELECT count(*)::int FROM embedding_queue) AS backlog,
           (SELECT count(*)::int FROM cases WHERE is_overdue AND closed_at IS NULL) AS overdue,
           ${atRisk} AS at_risk,
           (SELECT count(*)::int FROM performance_alerts WHERE acknowledged_at IS NULL) AS alerts`.execute(db);
  const row = r.rows[0]!;
  return { backlog: row.backlog, overdue: row.overdue, atRisk: row.at_risk, alerts: row.alerts };
}

const gauges = {
  backlog: new client.Gauge({ name: 'mdw_embedding_backlog', help: 'Texts waiting to be embedded', registers: [registry] }),
  overdue: new client.Gauge({ name: 'mdw_cases_overdue', help: 'Open cases with an overdue task', registers: [registry] }),
  atRisk: new client.Gauge({ name: 'mdw_cases_at_risk', help: 'Open cases at risk of missing their due date (once cases.at_risk exists)', registers: [registry] }),
  alerts: new client.Gauge({ name: 'mdw_performance_alerts_open', help: 'Unacknowledged performance alerts (GET /ops/alerts)', registers: [registry] }),
  up: new client.Gauge({ name: 'mdw_database_up', help: '1 when the operational gauges could be read from the database', registers: [registry] }),
};

/** The registry in Prometheus text format, the database gauges refreshed first. */
export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  if (opsDb) {
    try {
      const c = await operationsCounts(opsDb);
      gauges.backlog.set(c.backlog);
      gauges.overdue.set(c.overdue);
      if (c.atRisk === null) gauges.atRisk.reset();
      else gauges.atRisk.set(c.atRisk);
      gauges.alerts.set(c.alerts);
      gauges.up.set(1);
    } catch {
      // The database is away: the process still answers, and says so.
      gauges.up.set(0);
    }
  }
  return { contentType: registry.contentType, body: await registry.metrics() };
}
