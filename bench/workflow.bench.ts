/**
 * Workflow benchmark: MDW's case workflow against bare Temporal workflows, side by side in one
 * run, on real servers started here (ephemeral PostgreSQL, migrated; in-memory headless Temporal
 * dev server; both on free ports) and stopped at the end.
 *
 *   (a) throughput: cases/s through a template of 4 automatic tasks, vs raw workflows running
 *       ONE no-op activity, same concurrency (start N, await all results);
 *   (b) latency of a staff approval ("Records review" of the clear-aligner template) until its
 *       case_states row is committed, vs a bare update on a trivial workflow, interleaved ABAB
 *       (plus two references in the same loop: an update awaiting one no-op activity, and one
 *       awaiting a no-op local activity);
 *   (c) many sequential decisions on ONE case (a decision task that reworks to itself), vs as
 *       many bare updates on ONE trivial workflow: does update latency grow with history?
 *   (d) what payload encryption costs (issue 12 §4): the approval of (b) on a worker and client
 *       with the AES-256-GCM codec vs the same on a second worker and client without it,
 *       interleaved ABAB. (a)-(c) run encrypted, as production does.
 *   (e) what OpenTelemetry tracing costs (issue 12 §5): the approval of (b) on a worker and client
 *       with tracing on (client, workflow and activity interceptors; spans batched over OTLP/HTTP
 *       to a receiver on loopback that stands in for a collector) vs the encrypted worker and
 *       client of (a)-(d) without, interleaved ABAB. Both sides encrypted.
 *
 * A measurement, not a test: nothing here asserts a timing. See bench/README.md.
 *
 *   npm run bench:workflow -- --cases 200 --rounds 2 --samples 100 --decisions 200
 */
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Client, Connection, type WorkflowExecutionDescription, type WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { sql } from 'kysely';
import { loadConfig, type Config } from '../src/config';
import { createDatabase, type Database } from '../src/db/database';
import { migrate } from '../src/db/migrate';
import { saveTemplate } from '../src/repositories/templates.repository';
import { automaticTemplate, clearAlignerTemplate } from '../src/seed/templates';
import { createCaseService, type CaseService } from '../src/services/case.service';
import { startWorker, type MdwWorker } from '../src/worker/worker';
import { temporalClient } from '../src/temporal/data-converter';
import { workflowBundleOptions } from '../src/worker/bundle';
import { activeTracing } from '../src/telemetry/tracing';
import { caseViewQuery, decideUpdate, type CaseView } from '../src/workflows/case.messages';
import type { caseWorkflow } from '../src/workflows/case.workflow';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../scripts/lib/embedded-postgres';
import { startTemporalDevServer, type DevServer } from '../scripts/lib/temporal-dev-server';
import { createBaselineActivities } from './baseline.activities';
import {
  incrementAfterActivityUpdate,
  incrementAfterLocalActivityUpdate,
  incrementUpdate,
  stopSignal,
  type counterWorkflow,
  type rawNoopWorkflow,
} from './baseline.workflows';
import { createBenchPractice, createBenchPractices, createStaff, mapPool, selfReworkTemplate, technician, type BenchStaff } from './workflow.fixtures';

// ---- options ---------------------------------------------------------------------------------

const USAGE = `usage: npm run bench:workflow -- [options]
  --cases N          (a) cases per measured round, also raw workflows per round   (default 200)
  --rounds N         (a) measured rounds per kind, alternating ABBA               (default 2)
  --concurrency N    (a) cases/workflows in flight at once (default: all of a round)
  --samples N        (b) measured approvals and bare updates, each                (default 100)
  --decisions N      (c) measured sequential decisions on one case                (default 200)
  --warmup N         discarded warm-up updates per series; (a) warms up with 2N    (default 5)
  --history-limit N  (c) pass workflowOptions.historyLimit to force continue-as-new
  --only a,b,c,d,e   run only these measurements                           (default a,b,c,d)
  --out DIR          where the JSON goes                            (default bench/results)
  --no-write         print only
Worker settings come from the usual WORKER_* variables (src/config.ts).`;

function options() {
  const { values } = parseArgs({
    options: {
      cases: { type: 'string', default: '200' },
      rounds: { type: 'string', default: '2' },
      concurrency: { type: 'string' },
      samples: { type: 'string', default: '100' },
      decisions: { type: 'string', default: '200' },
      warmup: { type: 'string', default: '5' },
      'history-limit': { type: 'string' },
      only: { type: 'string', default: 'a,b,c,d' },
      out: { type: 'string', default: path.join(__dirname, 'results') },
      'no-write': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) {
      console.error(`--${name} must be an integer ≥ ${min} (got ${v})\n${USAGE}`);
      process.exit(2);
    }
    return n;
  };
  const cases = int('cases', values.cases, 1);
  const only = values.only.split(',').map((x) => x.trim());
  if (only.some((x) => !['a', 'b', 'c', 'd', 'e'].includes(x))) {
    console.error(`--only takes a comma-separated subset of a,b,c,d,e (got ${values.only})\n${USAGE}`);
    process.exit(2);
  }
  return {
    cases,
    rounds: int('rounds', values.rounds, 1),
    concurrency: values.concurrency === undefined ? cases : int('concurrency', values.concurrency, 1),
    samples: int('samples', values.samples, 1),
    decisions: int('decisions', values.decisions, 1),
    warmup: int('warmup', values.warmup, 0),
    historyLimit: values['history-limit'] === undefined ? undefined : int('history-limit', values['history-limit'], 10),
    only,
    out: values.out,
    write: !values['no-write'],
  };
}
type Options = ReturnType<typeof options>;

// ---- small helpers ---------------------------------------------------------------------------

const t0 = performance.now();
const log = (msg: string) => process.stderr.write(`[bench +${((performance.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);
const BASELINE_QUEUE = 'bench-baseline';
const CLEAR_QUEUE = 'bench-mdw-clear';
const TRACED_QUEUE = 'bench-mdw-traced';

interface Stats {
  n: number;
  mean: number;
  p50: number;
  p95: number;
  min: number;
  max: number;
}
/** Nearest-rank percentiles, in milliseconds rounded to 0.01. */
function stats(ms: number[]): Stats {
  const s = [...ms].sort((a, b) => a - b);
  const pct = (p: number) => s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
  const r = (x: number) => Math.round(x * 100) / 100;
  return { n: s.length, mean: r(s.reduce((a, b) => a + b, 0) / s.length), p50: r(pct(50)), p95: r(pct(95)), min: r(s[0] ?? NaN), max: r(s.at(-1) ?? NaN) };
}
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
const uid = () => Math.random().toString(36).slice(2, 8);

async function waitFor<T>(probe: () => Promise<T>, until: (v: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (until(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function machine() {
  const cpus = os.cpus();
  const git = (...a: string[]) => spawnSync('git', a, { cwd: path.resolve(__dirname, '..'), encoding: 'utf8' }).stdout?.trim() ?? '';
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
    gitCommit: git('rev-parse', '--short', 'HEAD') || null,
    gitDirty: git('status', '--porcelain') !== '',
  };
}

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: (m: string, meta?: unknown) => console.error(m, meta) };

// ---- environment -----------------------------------------------------------------------------

interface Env {
  dir: string;
  pg: EmbeddedPostgres;
  temporal: DevServer;
  config: Config;
  database: Database;
  connection: Connection;
  client: Client;
  cases: CaseService;
  mdwWorker: MdwWorker;
  /** (d): the same worker and client without the payload codec, on a queue of their own. */
  clearWorker: MdwWorker;
  clearClient: Client;
  clearCases: CaseService;
  /** (e): the encrypted worker and client with OpenTelemetry tracing on, when (e) runs. */
  traced: { worker: MdwWorker; client: Client; cases: CaseService; spansReceived: () => number } | null;
  baselineWorker: Worker;
  baselineRun: Promise<void>;
  baselineConnection: NativeConnection;
  staff: BenchStaff;
  versions: { postgres: string; temporalCli: string };
}

const cleanups: Array<() => Promise<void> | void> = [];
let cleaned = false;
async function cleanup(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  for (const fn of cleanups.reverse()) {
    try {
      await fn();
    } catch (err) {
      console.error('[bench] cleanup step failed:', (err as Error).message);
    }
  }
}

/** A stand-in for an OpenTelemetry collector's OTLP/HTTP receiver: reads each batch, counts its spans. */
async function startOtlpSink(): Promise<{ port: number; spans: () => number; close(): Promise<void> }> {
  let spans = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const doc = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: unknown[] }> }> };
        for (const rs of doc.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) spans += ss.spans?.length ?? 0;
      } catch {
        /* counted as nothing */
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, spans: () => spans, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function setUp(o: Options): Promise<Env> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mdw-bench-'));
  chmodSync(dir, 0o755); // PostgreSQL runs as an unprivileged user when we are root
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const bundlePath = path.join(dir, 'workflows.js');
  log('starting PostgreSQL and the Temporal dev server, bundling workflows');
  const [pgResult, temporalResult, , baselineBundle] = await Promise.allSettled([
    startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), database: 'mdw_bench', ephemeral: true }),
    startTemporalDevServer({ headless: true, logFile: path.join(dir, 'temporal.log') }),
    bundleWorkflowCode({ ...workflowBundleOptions({ OTEL_TRACES_EXPORTER: 'none' }), logger: quietLogger }).then(({ code }) => writeFileSync(bundlePath, code)),
    bundleWorkflowCode({ workflowsPath: require.resolve('./baseline.workflows'), logger: quietLogger }),
  ]);
  if (pgResult.status === 'fulfilled') cleanups.push(() => pgResult.value.stop());
  if (temporalResult.status === 'fulfilled') cleanups.push(() => temporalResult.value.stop());
  for (const r of [pgResult, temporalResult, baselineBundle]) if (r.status === 'rejected') throw r.reason;
  const pg = (pgResult as PromiseFulfilledResult<EmbeddedPostgres>).value;
  const temporal = (temporalResult as PromiseFulfilledResult<DevServer>).value;
  const { code: baselineCode } = (baselineBundle as PromiseFulfilledResult<{ code: string }>).value;
  await migrate(pg.url);
  log(`PostgreSQL ${pg.url.replace(/\/\/[^@]*@/, '//')} migrated; Temporal at ${temporal.address}`);

  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    DATABASE_URL: pg.url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: 'bench-mdw',
    WORKER_SHUTDOWN_GRACE_MS: process.env.WORKER_SHUTDOWN_GRACE_MS || '2000',
    // Encrypted payloads, as production requires (a fresh key per run).
    TEMPORAL_PAYLOAD_KEYS: process.env.TEMPORAL_PAYLOAD_KEYS || `bench:${randomBytes(32).toString('base64')}`,
  });
  const clearConfig = loadConfig({ ...process.env, ...Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v)])), NODE_ENV: 'development', TEMPORAL_TASK_QUEUE: CLEAR_QUEUE, TEMPORAL_PAYLOAD_KEYS: '' });
  Runtime.install({ logger: new DefaultLogger('WARN') });

  const database = createDatabase(pg.url, 10);
  cleanups.push(() => database.destroy());
  const connection = await Connection.connect({ address: temporal.address });
  cleanups.push(() => connection.close());
  const client = temporalClient(config, connection);
  const clearClient = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });

  const mdwWorker = await startWorker({ config, databaseUrl: pg.url, workflowBundlePath: bundlePath });
  cleanups.push(() => mdwWorker.stop());
  const clearWorker = await startWorker({ config: clearConfig, databaseUrl: pg.url, workflowBundlePath: bundlePath });
  cleanups.push(() => clearWorker.stop());
  const baselineConnection = await NativeConnection.connect({ address: temporal.address });
  cleanups.push(() => baselineConnection.close());
  // The same limits as the MDW worker: only the workflow differs.
  const baselineWorker = await Worker.create({
    connection: baselineConnection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: BASELINE_QUEUE,
    workflowBundle: { code: baselineCode },
    activities: createBaselineActivities(),
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    shutdownGraceTime: config.WORKER_SHUTDOWN_GRACE_MS,
  });
  const baselineRun = baselineWorker.run();
  cleanups.push(async () => {
    if (baselineWorker.getState() === 'RUNNING') baselineWorker.shutdown();
    await baselineRun;
  });

  let traced: Env['traced'] = null;
  if (o.only.includes('e')) {
    const sink = await startOtlpSink();
    cleanups.push(() => sink.close());
    const tracedConfig = loadConfig({
      ...process.env,
      ...Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v)])),
      TEMPORAL_TASK_QUEUE: TRACED_QUEUE,
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sink.port}`,
      OTEL_SERVICE_NAME: 'mdw-bench',
    });
    log('(e) bundling workflows with the OpenTelemetry interceptors');
    const tracedBundlePath = path.join(dir, 'workflows-traced.js');
    writeFileSync(tracedBundlePath, (await bundleWorkflowCode({ ...workflowBundleOptions(tracedConfig), logger: quietLogger })).code);
    const tracedWorker = await startWorker({ config: tracedConfig, databaseUrl: pg.url, workflowBundlePath: tracedBundlePath });
    cleanups.push(() => tracedWorker.stop());
    cleanups.push(() => activeTracing()?.shutdown());
    const tracedClient = temporalClient(tracedConfig, connection);
    traced = { worker: tracedWorker, client: tracedClient, cases: createCaseService({ db: database.system, temporal: tracedClient, taskQueue: TRACED_QUEUE }), spansReceived: sink.spans };
  }

  const staff = await createStaff(database.system);
  const pgVersion = (await sql<{ v: string }>`select current_setting('server_version') as v`.execute(database.system)).rows[0]!.v;
  const cliVersion = spawnSync(temporal.cli, ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? 'unknown';
  return {
    dir,
    pg,
    temporal,
    config,
    database,
    connection,
    client,
    cases: createCaseService({ db: database.system, temporal: client, taskQueue: config.TEMPORAL_TASK_QUEUE }),
    mdwWorker,
    clearWorker,
    clearClient,
    clearCases: createCaseService({ db: database.system, temporal: clearClient, taskQueue: CLEAR_QUEUE }),
    traced,
    baselineWorker,
    baselineRun,
    baselineConnection,
    staff,
    versions: { postgres: pgVersion, temporalCli: cliVersion },
  };
}

// ---- (a) throughput ----------------------------------------------------------------------------

interface Round {
  kind: 'mdw' | 'raw';
  round: number;
  n: number;
  seconds: number;
  perSecond: number;
  /** Start → result of one case/workflow, while the whole round was in flight. */
  endToEndMs: Stats;
}

async function throughput(env: Env, o: Options) {
  const db = env.database.system;
  const template = await saveTemplate(db, automaticTemplate(4));
  const base = `r${uid()}`;

  async function mdwRound(round: number, n: number): Promise<Round & { caseIds: string[]; workflowIds: string[] }> {
    const practices = await createBenchPractices(db, env.staff, n); // outside the timed window
    const caseIds: string[] = new Array<string>(n);
    const workflowIds: string[] = new Array<string>(n);
    const start = performance.now();
    const each = await mapPool(n, o.concurrency, async (i) => {
      const s = performance.now();
      const c = await env.cases.startCase({
        practiceId: practices[i]!.practiceId,
        patientId: practices[i]!.patientId,
        createdBy: env.staff.doctor,
        title: 'Benchmark: automatic steps',
        caseType: 'follow_up',
        templateId: template.id,
      });
      const view = await env.client.workflow.getHandle<typeof caseWorkflow>(c.workflowId).result();
      if (view.status !== 'completed') throw new Error(`case ${c.caseNumber} ended ${view.status}`);
      caseIds[i] = c.caseId;
      workflowIds[i] = c.workflowId;
      return performance.now() - s;
    });
    const seconds = (performance.now() - start) / 1000;
    return { kind: 'mdw', round, n, seconds: Math.round(seconds * 1000) / 1000, perSecond: Math.round((n / seconds) * 10) / 10, endToEndMs: stats(each), caseIds, workflowIds };
  }

  async function rawRound(round: number, n: number): Promise<Round & { workflowIds: string[] }> {
    const workflowIds = Array.from({ length: n }, (_, i) => `bench-raw-${base}-${round}-${i}`);
    const start = performance.now();
    const each = await mapPool(n, o.concurrency, async (i) => {
      const s = performance.now();
      await env.client.workflow.execute<typeof rawNoopWorkflow>('rawNoopWorkflow', { taskQueue: BASELINE_QUEUE, workflowId: workflowIds[i]! });
      return performance.now() - s;
    });
    const seconds = (performance.now() - start) / 1000;
    return { kind: 'raw', round, n, seconds: Math.round(seconds * 1000) / 1000, perSecond: Math.round((n / seconds) * 10) / 10, endToEndMs: stats(each), workflowIds };
  }

  const warm = Math.max(2, o.warmup * 2);
  log(`(a) warm-up: ${warm} raw workflows, ${warm} cases`);
  await rawRound(-1, warm);
  await mdwRound(-1, warm);

  const rounds: Round[] = [];
  let lastMdw: Awaited<ReturnType<typeof mdwRound>> | undefined;
  let lastRaw: Awaited<ReturnType<typeof rawRound>> | undefined;
  for (let r = 0; r < o.rounds; r++) {
    // ABBA: raw first in even rounds, MDW first in odd ones, so drift hits both.
    for (const kind of r % 2 === 0 ? (['raw', 'mdw'] as const) : (['mdw', 'raw'] as const)) {
      log(`(a) round ${r + 1}/${o.rounds}: ${o.cases} ${kind === 'mdw' ? 'MDW cases' : 'raw workflows'}, ${o.concurrency} in flight`);
      if (kind === 'mdw') {
        lastMdw = await mdwRound(r, o.cases);
        rounds.push(strip(lastMdw));
      } else {
        lastRaw = await rawRound(r, o.cases);
        rounds.push(strip(lastRaw));
      }
      log(`    ${rounds.at(-1)!.perSecond}/s`);
    }
  }

  // Work per case: rows in every table with a case_id (plus the case row), activities and
  // history events from a sample of the last round's histories.
  const caseIds = lastMdw!.caseIds;
  const tables = await sql<{ table_name: string }>`
    select c.table_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
    where c.table_schema = 'public' and c.column_name = 'case_id' order by c.table_name`.execute(db);
  const rowsByTable: Record<string, number> = {
    cases: (await sql<{ n: number }>`select count(*)::int as n from public.cases where id = any(${caseIds}::uuid[])`.execute(db)).rows[0]!.n,
  };
  for (const { table_name } of tables.rows) {
    const n = (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(`public.${table_name}`)} where case_id = any(${caseIds}::uuid[])`.execute(db)).rows[0]!.n;
    if (n > 0) rowsByTable[table_name] = Math.round((n / caseIds.length) * 100) / 100;
  }
  rowsByTable.cases = Math.round((rowsByTable.cases! / caseIds.length) * 100) / 100;
  const rowsPerCase = Math.round(Object.values(rowsByTable).reduce((a, b) => a + b, 0) * 100) / 100;

  const sampled = async (ids: string[]) => {
    const some = ids.slice(0, 20);
    const h = await mapPool(some.length, 10, (i) => env.client.workflow.getHandle(some[i]!).fetchHistory());
    const events = h.map((x) => x.events ?? []);
    const timing = phases(h);
    const avg = (f: (e: (typeof events)[number]) => number) => Math.round((events.reduce((a, e) => a + f(e), 0) / events.length) * 100) / 100;
    return {
      activities: avg((e) => e.filter((x) => x.activityTaskScheduledEventAttributes).length),
      workflowTasks: avg((e) => e.filter((x) => x.workflowTaskCompletedEventAttributes).length),
      historyEvents: avg((e) => e.length),
      sampledWorkflows: some.length,
      phases: timing,
    };
  };

  const total = (kind: Round['kind']) => {
    const rs = rounds.filter((x) => x.kind === kind);
    const n = rs.reduce((a, x) => a + x.n, 0);
    const s = rs.reduce((a, x) => a + x.seconds, 0);
    return Math.round((n / s) * 10) / 10;
  };
  const mdwPerSecond = total('mdw');
  const rawPerSecond = total('raw');
  const mdwWork = await sampled(lastMdw!.workflowIds);
  const rawWork = await sampled(lastRaw!.workflowIds);
  // Temporal tasks (workflow tasks + activities) completed per second: per-task efficiency.
  const tasksPerSecond = (perSecond: number, w: typeof mdwWork) => Math.round(perSecond * (w.activities + w.workflowTasks));
  return {
    concurrency: o.concurrency,
    casesPerRound: o.cases,
    rounds,
    mdwPerSecond,
    rawPerSecond,
    ratio: ratio(mdwPerSecond, rawPerSecond),
    goal: '≥ 0.5',
    mdwWorkPerCase: { ...mdwWork, dbRows: rowsPerCase, dbRowsByTable: rowsByTable, template: 'automaticTemplate(4)' },
    rawWorkPerWorkflow: { ...rawWork, dbRows: 0 },
    temporalTasksPerSecond: {
      mdw: tasksPerSecond(mdwPerSecond, mdwWork),
      raw: tasksPerSecond(rawPerSecond, rawWork),
      ratio: ratio(tasksPerSecond(mdwPerSecond, mdwWork), tasksPerSecond(rawPerSecond, rawWork)),
    },
  };
}

function strip<T extends Round>(r: T): Round {
  return { kind: r.kind, round: r.round, n: r.n, seconds: r.seconds, perSecond: r.perSecond, endToEndMs: r.endToEndMs };
}

// ---- (b) approval latency --------------------------------------------------------------------

type CaseHandle = WorkflowHandle<typeof caseWorkflow>;
type CounterHandle = WorkflowHandle<typeof counterWorkflow>;

/** Starts trivial counter workflows and waits until each has run its first workflow task. */
async function startCounters(env: Env, n: number): Promise<CounterHandle[]> {
  const base = uid();
  const handles = await mapPool(n, 10, (i) =>
    env.client.workflow.start<typeof counterWorkflow>('counterWorkflow', { taskQueue: BASELINE_QUEUE, workflowId: `bench-counter-${base}-${i}` }),
  );
  await mapPool(n, 10, (i) => waitFor(() => handles[i]!.describe(), (d) => d.historyLength >= 4, 'a counter workflow to start'));
  return handles;
}

/** Waits until the case's workflow has committed a transition into `state` and gone idle. */
async function settled(env: Env, caseIds: string[], state: 'under_review'): Promise<void> {
  await waitFor(
    async () =>
      (
        await sql<{ n: number }>`select count(distinct case_id)::int as n from case_states where to_state = ${state} and case_id = any(${caseIds}::uuid[])`.execute(
          env.database.system,
        )
      ).rows[0]!.n,
    (n) => n === caseIds.length,
    `${caseIds.length} cases to reach ${state}`,
  );
  await sleep(1000); // the workflow task that follows the persistence activity
}

async function approvalLatency(env: Env, o: Options) {
  const db = env.database.system;
  const template = await saveTemplate(db, clearAlignerTemplate());
  const n = o.warmup + o.samples;
  log(`(b) preparing ${n} clear-aligner cases at "Records review" and ${n} counter workflows`);
  const practices = await createBenchPractices(db, env.staff, n);
  const started = await mapPool(n, 10, (i) =>
    env.cases.startCase({
      practiceId: practices[i]!.practiceId,
      patientId: practices[i]!.patientId,
      createdBy: env.staff.doctor,
      title: 'Benchmark: aligners',
      caseType: 'active_treatment',
      templateId: template.id,
    }),
  );
  const handles: CaseHandle[] = started.map((c) => env.client.workflow.getHandle<typeof caseWorkflow>(c.workflowId));
  const views = await mapPool(n, 10, (i) =>
    waitFor(
      () => handles[i]!.query(caseViewQuery),
      (v) => v.tasks.some((t) => t.name === 'Records review' && t.awaitingDecision),
      '"Records review" to await a decision',
    ),
  );
  await settled(
    env,
    started.map((c) => c.caseId),
    'under_review',
  );
  const counters = await startCounters(env, n);

  const mdw: number[] = [];
  const bare: number[] = [];
  const withActivity: number[] = [];
  const withLocalActivity: number[] = [];
  let committedAtReturn = 0;
  let wrongState = 0;
  log(`(b) measuring ${o.samples} approvals and ${o.samples} bare updates (+ 2 references each), interleaved, after ${o.warmup} warm-up rounds`);
  for (let i = 0; i < n; i++) {
    const taskId = views[i]!.tasks.find((t) => t.name === 'Records review')!.id;
    const a = performance.now();
    const v: CaseView = await handles[i]!.executeUpdate(decideUpdate, { args: [{ taskId, decision: 'approve', actor: technician(env.staff) }] });
    const aMs = performance.now() - a;
    // Not timed: the update's return must imply the transition's row is committed.
    const row = await db.selectFrom('case_states').select('id').where('case_id', '=', started[i]!.caseId).where('to_state', '=', 'planning').executeTakeFirst();
    if (row) committedAtReturn += 1;
    if (v.state !== 'planning') wrongState += 1;

    const b = performance.now();
    await counters[i]!.executeUpdate(incrementUpdate);
    const bMs = performance.now() - b;
    // References (not part of the ratio): what one durable step inside an update costs in
    // plain Temporal, as a regular activity and as a local activity.
    const c = performance.now();
    await counters[i]!.executeUpdate(incrementAfterActivityUpdate);
    const cMs = performance.now() - c;
    const d = performance.now();
    await counters[i]!.executeUpdate(incrementAfterLocalActivityUpdate);
    const dMs = performance.now() - d;
    if (i >= o.warmup) {
      mdw.push(aMs);
      bare.push(bMs);
      withActivity.push(cMs);
      withLocalActivity.push(dMs);
    }
  }
  await Promise.all([...handles.map((h) => h.terminate('benchmark done')), ...counters.map((h) => h.signal(stopSignal))]);

  const m = stats(mdw);
  const b = stats(bare);
  return {
    samples: o.samples,
    warmup: o.warmup,
    order: 'ABCD ABCD …: approval, bare update, update awaiting a no-op activity, update awaiting a no-op local activity; one fresh case and one fresh counter workflow per sample',
    mdwApprovalMs: m,
    bareUpdateMs: b,
    ratioP50: ratio(m.p50, b.p50),
    ratioP95: ratio(m.p95, b.p95),
    goal: '≤ 2×',
    reference: {
      updateAwaitingNoopActivityMs: stats(withActivity),
      updateAwaitingNoopLocalActivityMs: stats(withLocalActivity),
      mdwOverActivityReferenceP50: ratio(m.p50, stats(withActivity).p50),
    },
    caseStateRowCommittedAtReturn: `${committedAtReturn}/${n}`,
    viewStatePlanningAtReturn: `${n - wrongState}/${n}`,
  };
}

// ---- where the time goes (from history timestamps) ----------------------------------------

type History = Awaited<ReturnType<CaseHandle['fetchHistory']>>;
type Stamp = { seconds?: { toString(): string } | number | null; nanos?: number | null } | null | undefined;
const at = (t: Stamp) => (t ? Number(String(t.seconds ?? 0)) * 1000 + (t.nanos ?? 0) / 1e6 : NaN);
const idOf = (x: { toString(): string } | number | null | undefined) => (x === null || x === undefined ? '' : String(x));

/**
 * Median durations of the server-visible phases of a workflow's history: how long workflow and
 * activity tasks wait for a worker (schedule → start) and run (start → complete).
 */
function phases(histories: History[]) {
  const wftWait: number[] = [];
  const wftRun: number[] = [];
  const actWait: number[] = [];
  const actRun: number[] = [];
  for (const history of histories) {
    const events = history.events ?? [];
    const time = new Map(events.map((e) => [idOf(e.eventId), at(e.eventTime as Stamp)]));
    const since = (id: Parameters<typeof idOf>[0], t: number) => t - (time.get(idOf(id)) ?? NaN);
    for (const e of events) {
      const t = at(e.eventTime as Stamp);
      if (e.workflowTaskStartedEventAttributes) wftWait.push(since(e.workflowTaskStartedEventAttributes.scheduledEventId, t));
      if (e.workflowTaskCompletedEventAttributes) wftRun.push(since(e.workflowTaskCompletedEventAttributes.startedEventId, t));
      if (e.activityTaskStartedEventAttributes) actWait.push(since(e.activityTaskStartedEventAttributes.scheduledEventId, t));
      if (e.activityTaskCompletedEventAttributes) actRun.push(since(e.activityTaskCompletedEventAttributes.startedEventId, t));
    }
  }
  const p50 = (xs: number[]) => (xs.length ? stats(xs.filter((x) => Number.isFinite(x))).p50 : null);
  return {
    workflowTasks: wftRun.length,
    activities: actRun.length,
    workflowTaskScheduleToStartP50Ms: p50(wftWait),
    workflowTaskStartToCompleteP50Ms: p50(wftRun),
    activityScheduleToStartP50Ms: p50(actWait),
    activityStartToCompleteP50Ms: p50(actRun),
  };
}

// ---- (c) sequential decisions on one case ----------------------------------------------------

/** Follows continue-as-new from `runId` on: per run, its events, bytes and completed updates. */
async function runsOf(env: Env, workflowId: string, runId: string) {
  const runs: Array<{ runId: string; historyLength: number; historyBytes: number | null; updatesCompleted: number; continuedAsNew: boolean }> = [];
  for (let id: string | undefined = runId; id && runs.length < 100; ) {
    const h: WorkflowHandle = env.client.workflow.getHandle(workflowId, id);
    const [d, history]: [WorkflowExecutionDescription, History] = await Promise.all([h.describe(), h.fetchHistory()]);
    const events = history.events ?? [];
    const can = events.find((e) => e.workflowExecutionContinuedAsNewEventAttributes)?.workflowExecutionContinuedAsNewEventAttributes;
    runs.push({
      runId: id,
      historyLength: d.historyLength,
      historyBytes: d.historySize ?? null,
      updatesCompleted: events.filter((e) => e.workflowExecutionUpdateCompletedEventAttributes).length,
      continuedAsNew: Boolean(can),
    });
    id = can?.newExecutionRunId || undefined;
  }
  return runs;
}

const FIRST_LAST = 20;

async function sequentialDecisions(env: Env, o: Options) {
  const db = env.database.system;
  const template = await saveTemplate(db, selfReworkTemplate());
  const practice = await createBenchPractice(db, env.staff);
  const c = await env.cases.startCase({
    practiceId: practice.practiceId,
    patientId: practice.patientId,
    createdBy: env.staff.doctor,
    title: 'Benchmark: repeated review',
    caseType: 'follow_up',
    templateId: template.id,
    workflowOptions: o.historyLimit === undefined ? undefined : { historyLimit: o.historyLimit },
  });
  const handle = env.client.workflow.getHandle<typeof caseWorkflow>(c.workflowId);
  const view0 = await waitFor(() => handle.query(caseViewQuery), (v) => v.tasks[0]!.awaitingDecision, 'the review task to await a decision');
  await settled(env, [c.caseId], 'under_review');
  const [counter] = await startCounters(env, 1);
  const before = await handle.describe();
  const counterBefore = await counter!.describe();
  const taskId = view0.tasks[0]!.id;

  const total = o.warmup + o.decisions;
  const mdw: number[] = [];
  const bare: number[] = [];
  let firstView = 0;
  let lastView = 0;
  log(`(c) ${total} sequential request_changes decisions on one case, each followed by a bare update on one counter workflow`);
  for (let i = 0; i < total; i++) {
    const a = performance.now();
    const v = await handle.executeUpdate(decideUpdate, {
      args: [{ taskId, decision: 'request_changes', actor: technician(env.staff), reason: `benchmark round ${i + 1}` }],
    });
    const aMs = performance.now() - a;
    if (v.tasks[0]!.status !== 'active' || v.status !== 'active') throw new Error(`decision ${i + 1} left the task ${v.tasks[0]!.status}`);
    const b = performance.now();
    await counter!.executeUpdate(incrementUpdate);
    const bMs = performance.now() - b;
    if (i === 0) firstView = JSON.stringify(v).length;
    if (i === total - 1) lastView = JSON.stringify(v).length;
    if (i >= o.warmup) {
      mdw.push(aMs);
      bare.push(bMs);
    }
  }
  const after = await handle.describe();
  const counterAfter = await counter!.describe();
  const [mdwPhases, barePhases] = await Promise.all([handle.fetchHistory().then((h) => phases([h])), counter!.fetchHistory().then((h) => phases([h]))]);
  await Promise.all([handle.terminate('benchmark done'), counter!.signal(stopSignal)]);

  const firstLast = (xs: number[]) => {
    const k = Math.min(FIRST_LAST, Math.floor(xs.length / 2) || 1);
    const first = stats(xs.slice(0, k));
    const last = stats(xs.slice(-k));
    return { window: k, first, last, ratioMean: ratio(last.mean, first.mean), ratioP50: ratio(last.p50, first.p50) };
  };
  /** Mean latency per block of 20 consecutive measured updates: the trend at a glance. */
  const blocks = (xs: number[]) => Array.from({ length: Math.ceil(xs.length / FIRST_LAST) }, (_, j) => stats(xs.slice(j * FIRST_LAST, (j + 1) * FIRST_LAST)).mean);
  const runChanged = after.runId !== before.runId;
  const runs = await runsOf(env, c.workflowId, before.runId);
  return {
    decisions: o.decisions,
    warmup: o.warmup,
    historyLimit: o.historyLimit ?? 'default (10 000 events or Temporal’s suggestion)',
    mdw: {
      ...firstLast(mdw),
      all: stats(mdw),
      blockMeans: blocks(mdw),
      historyLengthAtStart: before.historyLength,
      historyLengthAtEnd: after.historyLength,
      historyBytesAtEnd: after.historySize ?? null,
      historyEventsPerDecision: Math.round(((runs[0]!.historyLength - before.historyLength) / runs[0]!.updatesCompleted) * 10) / 10,
      continuedAsNew: runChanged,
      runs,
      updateResultBytes: { first: firstView, last: lastView },
      phasesOfCurrentRun: mdwPhases,
    },
    bare: {
      ...firstLast(bare),
      all: stats(bare),
      blockMeans: blocks(bare),
      historyLengthAtEnd: counterAfter.historyLength,
      historyBytesAtEnd: counterAfter.historySize ?? null,
      historyEventsPerUpdate: Math.round(((counterAfter.historyLength - counterBefore.historyLength) / total) * 10) / 10,
      phases: barePhases,
    },
  };
}

// ---- (d) payload encryption ------------------------------------------------------------------

async function codecOverhead(env: Env, o: Options) {
  const { a: e, b: c } = await interleavedApprovals(env, o, '(d)', { label: 'encrypted', cases: env.cases, client: env.client }, { label: 'clear', cases: env.clearCases, client: env.clearClient });
  return { samples: o.samples, warmup: o.warmup, order: 'ABAB …: encrypted approval, clear approval', encryptedApprovalMs: e, clearApprovalMs: c, ratioP50: ratio(e.p50, c.p50), ratioP95: ratio(e.p95, c.p95) };
}

// ---- (e) tracing -----------------------------------------------------------------------------

async function tracingOverhead(env: Env, o: Options) {
  const t = env.traced!;
  const { a: on, b: off } = await interleavedApprovals(env, o, '(e)', { label: 'traced', cases: t.cases, client: t.client }, { label: 'untraced', cases: env.cases, client: env.client });
  await activeTracing()?.forceFlush();
  return {
    samples: o.samples,
    warmup: o.warmup,
    order: 'ABAB …: traced approval, untraced approval (both encrypted)',
    tracedApprovalMs: on,
    untracedApprovalMs: off,
    ratioP50: ratio(on.p50, off.p50),
    ratioP95: ratio(on.p95, off.p95),
    spansExported: t.spansReceived(),
  };
}

interface Side {
  label: string;
  cases: CaseService;
  client: Client;
}

/** The approval of (b) on side A and side B, n cases each, measured ABAB. */
async function interleavedApprovals(env: Env, o: Options, tag: string, sideA: Side, sideB: Side): Promise<{ a: Stats; b: Stats }> {
  const db = env.database.system;
  const template = await saveTemplate(db, clearAlignerTemplate());
  const n = o.warmup + o.samples;
  log(`${tag} preparing ${n} cases at "Records review" on the ${sideA.label} worker and ${n} on the ${sideB.label} one`);
  const prepare = async (cases: CaseService, client: Client) => {
    const practices = await createBenchPractices(db, env.staff, n);
    const started = await mapPool(n, 10, (i) =>
      cases.startCase({ practiceId: practices[i]!.practiceId, patientId: practices[i]!.patientId, createdBy: env.staff.doctor, title: 'Benchmark: aligners', caseType: 'active_treatment', templateId: template.id }),
    );
    const handles: CaseHandle[] = started.map((c) => client.workflow.getHandle<typeof caseWorkflow>(c.workflowId));
    const views = await mapPool(n, 10, (i) =>
      waitFor(() => handles[i]!.query(caseViewQuery), (v) => v.tasks.some((t) => t.name === 'Records review' && t.awaitingDecision), '"Records review" to await a decision'),
    );
    await settled(env, started.map((c) => c.caseId), 'under_review');
    return { handles, taskIds: views.map((v) => v.tasks.find((t) => t.name === 'Records review')!.id) };
  };
  const enc = await prepare(sideA.cases, sideA.client);
  const clear = await prepare(sideB.cases, sideB.client);
  const encrypted: number[] = [];
  const plain: number[] = [];
  log(`${tag} measuring ${o.samples} approvals each, ${sideA.label} and ${sideB.label}, interleaved, after ${o.warmup} warm-up rounds`);
  for (let i = 0; i < n; i++) {
    const a = performance.now();
    await enc.handles[i]!.executeUpdate(decideUpdate, { args: [{ taskId: enc.taskIds[i]!, decision: 'approve', actor: technician(env.staff) }] });
    const aMs = performance.now() - a;
    const b = performance.now();
    await clear.handles[i]!.executeUpdate(decideUpdate, { args: [{ taskId: clear.taskIds[i]!, decision: 'approve', actor: technician(env.staff) }] });
    const bMs = performance.now() - b;
    if (i >= o.warmup) {
      encrypted.push(aMs);
      plain.push(bMs);
    }
  }
  await Promise.all([...enc.handles, ...clear.handles].map((h) => h.terminate('benchmark done')));
  return { a: stats(encrypted), b: stats(plain) };
}

// ---- report ----------------------------------------------------------------------------------

type Results = {
  a?: Awaited<ReturnType<typeof throughput>>;
  b?: Awaited<ReturnType<typeof approvalLatency>>;
  c?: Awaited<ReturnType<typeof sequentialDecisions>>;
  d?: Awaited<ReturnType<typeof codecOverhead>>;
  e?: Awaited<ReturnType<typeof tracingOverhead>>;
};

function table({ a, b, c, d, e }: Results): string {
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  const rows: string[][] = [['measurement', 'MDW', 'baseline', 'MDW / baseline', 'goal']];
  if (a) {
    rows.push(
      ['(a) throughput, completed per second', `${a.mdwPerSecond} cases/s`, `${a.rawPerSecond} wf/s`, `${a.ratio}`, '≥ 0.5'],
      [
        '(a) work per case / per raw workflow',
        `${a.mdwWorkPerCase.activities} activities, ${a.mdwWorkPerCase.workflowTasks} WFTs, ${a.mdwWorkPerCase.dbRows} DB rows, ${a.mdwWorkPerCase.historyEvents} events`,
        `${a.rawWorkPerWorkflow.activities} activity, ${a.rawWorkPerWorkflow.workflowTasks} WFTs, 0 DB rows, ${a.rawWorkPerWorkflow.historyEvents} events`,
        '',
        '',
      ],
      ['(a) Temporal tasks per second (WFTs + activities)', `${a.temporalTasksPerSecond.mdw}`, `${a.temporalTasksPerSecond.raw}`, `${a.temporalTasksPerSecond.ratio}`, ''],
    );
  }
  if (b) {
    rows.push(
      ['(b) approval round trip, p50', ms(b.mdwApprovalMs.p50), ms(b.bareUpdateMs.p50), `${b.ratioP50}`, '≤ 2'],
      ['(b) approval round trip, p95', ms(b.mdwApprovalMs.p95), ms(b.bareUpdateMs.p95), `${b.ratioP95}`, '≤ 2'],
      [
        '(b) ref: update awaiting 1 no-op activity, p50',
        ms(b.mdwApprovalMs.p50),
        ms(b.reference.updateAwaitingNoopActivityMs.p50),
        `${b.reference.mdwOverActivityReferenceP50}`,
        '',
      ],
      ['(b) ref: same with a local activity, p50', '', ms(b.reference.updateAwaitingNoopLocalActivityMs.p50), '', ''],
    );
  }
  if (c) {
    rows.push(
      [`(c) first ${c.mdw.window} updates, mean / p50`, `${ms(c.mdw.first.mean)} / ${ms(c.mdw.first.p50)}`, `${ms(c.bare.first.mean)} / ${ms(c.bare.first.p50)}`, '', ''],
      [`(c) last ${c.mdw.window} updates, mean / p50`, `${ms(c.mdw.last.mean)} / ${ms(c.mdw.last.p50)}`, `${ms(c.bare.last.mean)} / ${ms(c.bare.last.p50)}`, '', ''],
      ['(c) last / first (mean, p50)', `${c.mdw.ratioMean} / ${c.mdw.ratioP50}`, `${c.bare.ratioMean} / ${c.bare.ratioP50}`, '', 'flat ≈ 1'],
      ['(c) history at end, continue-as-new', `${c.mdw.historyLengthAtEnd} events, ${c.mdw.continuedAsNew ? 'yes' : 'no'}`, `${c.bare.historyLengthAtEnd} events, no`, '', ''],
    );
  }
  if (d) {
    rows.push(
      ['(d) approval encrypted vs clear, p50', ms(d.encryptedApprovalMs.p50), ms(d.clearApprovalMs.p50), `${d.ratioP50}`, ''],
      ['(d) approval encrypted vs clear, p95', ms(d.encryptedApprovalMs.p95), ms(d.clearApprovalMs.p95), `${d.ratioP95}`, ''],
    );
  }
  if (e) {
    rows.push(
      ['(e) approval traced vs untraced, p50', ms(e.tracedApprovalMs.p50), ms(e.untracedApprovalMs.p50), `${e.ratioP50}`, ''],
      ['(e) approval traced vs untraced, p95', ms(e.tracedApprovalMs.p95), ms(e.untracedApprovalMs.p95), `${e.ratioP95}`, ''],
    );
  }
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  const line = (r: string[]) => `| ${r.map((cell, j) => cell.padEnd(widths[j]!)).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

// ---- main ------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const o = options();
  const info = machine();
  console.log(`MDW workflow benchmark — ${info.cpus} × ${info.cpuModel}, ${info.memoryGiB} GiB, Node ${info.node}, ${info.platform}`);
  console.log(`options: ${JSON.stringify(o)}`);
  const startedAt = new Date();
  const env = await setUp(o);
  const workerSettings = {
    maxConcurrentActivityTaskExecutions: env.config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: env.config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxCachedWorkflows: env.config.WORKER_MAX_CACHED_WORKFLOWS,
    databasePoolMax: env.config.DATABASE_POOL_MAX,
  };
  console.log(`PostgreSQL ${env.versions.postgres} (ephemeral: fsync off), ${env.versions.temporalCli.split('\n')[0]}, both workers: ${JSON.stringify(workerSettings)}`);

  const a = o.only.includes('a') ? await throughput(env, o) : undefined;
  const b = o.only.includes('b') ? await approvalLatency(env, o) : undefined;
  const c = o.only.includes('c') ? await sequentialDecisions(env, o) : undefined;
  const d = o.only.includes('d') ? await codecOverhead(env, o) : undefined;
  const e = o.only.includes('e') ? await tracingOverhead(env, o) : undefined;
  const seconds = Math.round((performance.now() - t0) / 100) / 10;
  const results: Results = { a, b, c, d, e };
  const loadAverageAtEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);

  console.log('');
  console.log(table(results));
  console.log('');
  const p = (x: unknown) => JSON.stringify(x);
  if (a) {
    console.log(`(a) per round: ${a.rounds.map((r) => `${r.kind}#${r.round + 1} ${r.perSecond}/s`).join(', ')}; DB rows per case: ${p(a.mdwWorkPerCase.dbRowsByTable)}`);
    console.log(
      `    Temporal tasks (workflow tasks + activities) per second: MDW ${a.temporalTasksPerSecond.mdw}, raw ${a.temporalTasksPerSecond.raw} (ratio ${a.temporalTasksPerSecond.ratio})`,
    );
    console.log(`    MDW phases (p50, server timestamps): ${p(a.mdwWorkPerCase.phases)}`);
    console.log(`    raw phases (p50, server timestamps): ${p(a.rawWorkPerWorkflow.phases)}`);
  }
  if (e) console.log(`(e) spans received by the OTLP sink: ${e.spansExported}`);
  if (b) console.log(`(b) ${b.samples} samples each; case_states row committed when the update returned: ${b.caseStateRowCommittedAtReturn}`);
  if (c) {
    console.log(`(c) block means (20 updates each), MDW: ${c.mdw.blockMeans.map((x) => x.toFixed(1)).join(' ')} ms`);
    console.log(`    block means (20 updates each), bare: ${c.bare.blockMeans.map((x) => x.toFixed(1)).join(' ')} ms`);
    console.log(
      `    MDW history events per decision: ${c.mdw.historyEventsPerDecision}; update result ${c.mdw.updateResultBytes.first} → ${c.mdw.updateResultBytes.last} bytes; ` +
        `history size at end: MDW ${c.mdw.historyBytesAtEnd} bytes, bare ${c.bare.historyBytesAtEnd} bytes`,
    );
    if (c.mdw.continuedAsNew) {
      console.log(`    continue-as-new: ${c.mdw.runs.map((r, i) => `run ${i + 1}: ${r.updatesCompleted} decisions, ${r.historyLength} events, ${r.historyBytes} bytes`).join('; ')}`);
    }
    console.log(`    MDW phases (p50, server timestamps): ${p(c.mdw.phasesOfCurrentRun)}`);
    console.log(`    bare phases (p50, server timestamps): ${p(c.bare.phases)}`);
  }
  console.log(`load average at start ${info.loadAverageAtStart.join(' ')}, at end ${loadAverageAtEnd.join(' ')} (other processes on the machine skew timings)`);
  console.log(`total ${seconds} s`);

  if (o.write) {
    mkdirSync(o.out, { recursive: true });
    const file = path.join(o.out, `workflow-${startedAt.toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.json`);
    const report = {
      benchmark: 'workflow',
      startedAt: startedAt.toISOString(),
      durationSeconds: seconds,
      machine: { ...info, loadAverageAtEnd },
      versions: { ...env.versions, temporalCli: env.versions.temporalCli.split('\n')[0], sdk: '@temporalio/* 1.24.0' },
      workerSettings,
      options: o,
      throughput: a,
      approvalLatency: b,
      sequentialDecisions: c,
      payloadEncryption: d,
      tracing: e,
    };
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  }
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    console.error(`[bench] ${sig}: stopping servers…`);
    void cleanup().finally(() => process.exit(130));
  });
}

main()
  .then(cleanup, async (err: unknown) => {
    console.error('[bench] failed:', err);
    process.exitCode = 1;
    await cleanup();
  })
  .finally(() => {
    log('stopped');
    // Native handles (gRPC, Rust core) can keep the loop alive for a while after shutdown.
    setTimeout(() => process.exit(), 500).unref();
  });
