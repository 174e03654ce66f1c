/**
 * Operations telemetry (issue 12 §5): /metrics of the API and the worker, parsed by a Prometheus
 * text-format parser; the Temporal SDK's own metrics; a slow statement recorded, raising an alert
 * that lab admins read at GET /ops/alerts.
 */
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import request from 'supertest';
import type express from 'express';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { createApp } from '../../src/api/server';
import { createDatabase, runWithAuditScope, type Database } from '../../src/db/database';
import { startWorker } from '../../src/worker/worker';
import { clearAlignerTemplate } from '../../src/seed/templates';
import { createHarness, type Harness } from '../support/harness';
import { createPracticeFixture, createTemplate, createUser } from '../support/fixtures';
import { as as asCaller, loadContract, tokenFor } from './support';
import { as, caseDriver } from '../support/case-driver';
import { waitFor } from '../support/wait';
import { setupAndTeardown } from '../support/lifecycle';

let h: Harness;
let db: Database;
let app: express.Express;
let temporalMetricsUrl: string;

/**
 * A port for the Temporal runtime's Prometheus exporter, which takes an address (not port 0) and
 * cannot say which port it got, so the port is chosen first. Not one the kernel hands out
 * (port 0 listeners, outgoing connections: ip_local_port_range), which another process could take
 * between this check and the exporter's bind; below that range only an explicit bind can.
 */
async function freePort(): Promise<number> {
  const rangeFile = '/proc/sys/net/ipv4/ip_local_port_range'; // Linux; elsewhere its default start
  const below = Math.max(10_001, existsSync(rangeFile) ? Number(readFileSync(rangeFile, 'utf8').trim().split(/\s+/)[0]) : 32_768);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * (below - 10_000));
    const s = net.createServer();
    const free = await new Promise<boolean>((r) => {
      s.once('error', () => r(false));
      s.listen(port, '127.0.0.1', () => r(true));
    });
    if (free) {
      await new Promise<void>((r) => s.close(() => r()));
      return port;
    }
  }
  throw new Error('no free port below the ephemeral range');
}

setupAndTeardown(async () => {
  const port = await freePort();
  temporalMetricsUrl = `http://127.0.0.1:${port}/metrics`;
  h = await createHarness({ worker: false, config: { WORKER_TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${port}`, SLOW_QUERY_MS: '300' } });
  // The first worker of this process installs the SDK runtime, with its Prometheus exporter.
  h.worker = await startWorker({ config: h.config, databaseUrl: h.config.DATABASE_URL!, workflowBundlePath: process.env.MDW_TEST_WORKFLOW_BUNDLE, healthPort: 0 });
  db = createDatabase(h.config.DATABASE_URL!, 5, { authenticatorUrl: h.config.DATABASE_AUTHENTICATOR_URL, slowQueries: { service: 'api', thresholdMs: h.config.SLOW_QUERY_MS } });
  app = createApp({ config: h.config, database: db, temporal: h.client, cases: h.cases });
  await loadContract(app);
}, [() => db?.destroy(), () => h?.close()]);

const families = (text: string) => new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));

test("the API's /metrics parses as Prometheus text: latency by route template and status, pool use, operational gauges", async () => {
  const f = await createPracticeFixture(h.database.system);
  const owner = asCaller(app, await tokenFor(h.config, f.members.owner));
  expect((await owner.get(`/cases/${randomUUID()}`)).status).toBe(404);
  expect((await owner.get('/me')).status).toBe(200);

  const res = await request(app).get('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  const m = families(res.text);

  const http = m.get('mdw_http_request_duration_seconds')!;
  expect(http.type).toBe('HISTOGRAM');
  // parse-prometheus-text-format folds a labelled histogram into one sample, so its series are
  // read from the sample lines themselves (the parser above has accepted the whole document).
  const series = [...res.text.matchAll(/^mdw_http_request_duration_seconds_count\{method="([^"]+)",route="([^"]+)",status="(\d+)"\} (\d+)$/gm)].map((x) => ({ op: `${x[1]} ${x[2]} ${x[3]}`, n: Number(x[4]) }));
  expect(series.map((x) => x.op)).toEqual(expect.arrayContaining(['GET /cases/{id} 404', 'GET /me 200']));
  expect(series.find((x) => x.op === 'GET /cases/{id} 404')!.n).toBeGreaterThanOrEqual(1);
  // Never the concrete path: one series per template.
  expect(series.some((x) => /[0-9a-f]{8}-[0-9a-f]{4}/.test(x.op))).toBe(false);
  expect(res.text).toMatch(/^mdw_http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/cases\/\{id\}",status="404"\} [1-9]/m);

  const pool = m.get('mdw_db_pool_connections')!;
  expect(pool.metrics.find((s) => s.labels!.pool === 'api-actor' && s.labels!.state === 'max')!.value).toBe('5');
  // cases.at_risk (0044) exists, so at-risk is counted too.
  for (const name of ['mdw_embedding_backlog', 'mdw_cases_overdue', 'mdw_cases_at_risk', 'mdw_performance_alerts_open']) {
    const g = m.get(name)!;
    expect({ name, type: g.type }).toEqual({ name, type: 'GAUGE' });
    expect(Number(g.metrics[0]!.value)).toBeGreaterThanOrEqual(0);
  }
  expect(m.get('mdw_database_up')!.metrics[0]!.value).toBe('1');

  // Overdue follows the database: our overdue open case is one more in the gauge than every other.
  // The gauge counts the whole shared database, where other test files turn cases overdue and close
  // them meanwhile (a plain before/after +1 failed that way), so the gauge is compared with the count
  // of the others read just before and just after the scrape, on a scrape during which it held still.
  const { handle, caseId } = await caseDriver(h).startCase(f, await createTemplate(h.database.system, clearAlignerTemplate({ name: `T ${randomUUID()}` })));
  const othersOverdue = async () =>
    Number((await h.database.system.selectFrom('cases').select((eb) => eb.fn.countAll<string>().as('n')).where('is_overdue', '=', true).where('closed_at', 'is', null).where('id', '<>', caseId).executeTakeFirstOrThrow()).n);
  const scrape = async () => {
    const before = await othersOverdue();
    const gauge = Number(families((await request(app).get('/metrics')).text).get('mdw_cases_overdue')!.metrics[0]!.value);
    return { before, gauge, after: await othersOverdue() };
  };
  const steady = (s: { before: number; gauge: number; after: number }, mine: number) => s.before === s.after && s.gauge === s.before + mine;
  await waitFor(scrape, (s) => steady(s, 0), 20_000, 'the gauge to count the other overdue cases');
  await h.database.system.updateTable('cases').set({ is_overdue: true }).where('id', '=', caseId).execute();
  await waitFor(scrape, (s) => steady(s, 1), 20_000, 'the gauge to count our overdue case too');
  await handle.terminate('test done');
});

test("the worker's /metrics beside /health, and the Temporal SDK's own workflow task and activity latencies", async () => {
  const f = await createPracticeFixture(h.database.system);
  const d = caseDriver(h);
  const { handle } = await d.startCase(f, await createTemplate(h.database.system, clearAlignerTemplate({ name: `T ${randomUUID()}` })));
  await d.decide(handle, 'Records review', as(f, 'technician'));

  const worker = await fetch(h.worker!.healthUrl!.replace(/\/health$/, '/metrics'));
  expect(worker.status).toBe(200);
  const wm = families(await worker.text());
  expect(wm.get('mdw_db_pool_connections')!.metrics.some((s) => s.labels!.pool === 'worker')).toBe(true);
  expect(wm.has('mdw_embedding_backlog')).toBe(true);

  const sdk = families(await (await fetch(temporalMetricsUrl)).text());
  const names = [...sdk.keys()];
  expect(names).toEqual(expect.arrayContaining([expect.stringMatching(/^temporal_workflow_task_execution_latency/), expect.stringMatching(/^temporal_activity_execution_latency/)]));
  await handle.terminate('test done');
});

test('a slow statement is recorded (who, which statement, no values) and raises an alert lab admins see at GET /ops/alerts', async () => {
  const adminId = await createUser(h.database.system, 'lab-admin', 'admin');
  const admin = asCaller(app, await tokenFor(h.config, adminId));
  const requestId = `slow-${randomUUID()}`;
  const secret = `Jane Roe ${randomUUID()}`;
  await runWithAuditScope({ requestId }, () => db.asActor({ sub: adminId }, (trx) => sql`select pg_sleep(1.1), ${secret}::text as name`.execute(trx)));
  // A fast one is not recorded.
  await runWithAuditScope({ requestId: `${requestId}-fast` }, () => db.asActor({ sub: adminId }, (trx) => sql`select 1`.execute(trx)));

  const logged = await waitForRow(() => h.database.system.selectFrom('query_performance_log').selectAll().where('request_id', '=', requestId).executeTakeFirst());
  expect(logged).toMatchObject({ query_type: 'select', user_id: adminId, service: 'api', rows_affected: 1 });
  expect(logged.execution_time_ms).toBeGreaterThanOrEqual(1100);
  expect(logged.statement).toContain('pg_sleep');
  expect(logged.statement).not.toContain('Jane Roe');
  expect(await h.database.system.selectFrom('query_performance_log').select('id').where('request_id', '=', `${requestId}-fast`).execute()).toEqual([]);

  const res = await admin.get('/ops/alerts');
  expect(res.status).toBe(200);
  const alert = res.body.items.find((a: { metadata: { query_performance_log_id?: string } }) => a.metadata.query_performance_log_id === logged.id);
  expect(alert).toMatchObject({ type: 'slow_query', metadata: { service: 'api', request_id: requestId, user_id: adminId, query_type: 'select' } });

  const f = await createPracticeFixture(h.database.system);
  const owner = asCaller(app, await tokenFor(h.config, f.members.owner));
  expect((await owner.get('/ops/alerts')).status).toBe(403);

  const m = families((await request(app).get('/metrics')).text);
  expect(Number(m.get('mdw_performance_alerts_open')!.metrics[0]!.value)).toBeGreaterThanOrEqual(1);
  const slow = m.get('mdw_slow_queries_total')!.metrics.find((s) => s.labels!.service === 'api' && s.labels!.query_type === 'select');
  expect(Number(slow!.value)).toBeGreaterThanOrEqual(1);
});

/** The row once it exists: the slow-query log is written after the statement, in its own time (30 s for a loaded machine, not 5). */
async function waitForRow<T>(fn: () => Promise<T | undefined>): Promise<T> {
  return (await waitFor(fn, (r) => r !== undefined, 30_000, 'the query_performance_log row')) as T;
}
