/**
 * API benchmark: the new schema (as a signed-in member under RLS) against the legacy-shaped
 * schema, same data, same database, same run, for six questions: patient search, case dashboard,
 * order history, case timeline, task inbox, decision. See bench/API.md.
 *
 *   npm run bench:api                         (ephemeral PostgreSQL, --scale 0.1)
 *   npm run bench:api -- --scale 1            (full scale: 300k cases, 3M messages; seeding takes minutes)
 *   BENCH_DATABASE_URL=postgres://… npm run bench:api    (reuse a seeded database: bench:seed)
 *
 * Two levels, both at each concurrency (default 50 and 1000 clients):
 *   sql  — the questions' SQL through a pg pool (min(concurrency, --pool)), closed-loop clients;
 *   http — autocannon on loopback against the MDW API (src/api, separate process) and a tiny
 *          Express server over the legacy schema (bench/legacy/server.ts, separate process).
 *          The new API's inbox and decision run against real Temporal (bench/api-temporal.ts:
 *          dev server, MDW worker process, --workflow-cases cases awaiting their doctor).
 * `--open-loop` replaces the closed-loop clients by a fixed arrival rate per cell (--rates, for
 * --users users; bench/open-loop.ts): levels sql-open and http-open.
 * A measurement, not a test: nothing asserts a timing.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import argon2 from 'argon2';
import autocannon from 'autocannon';
import pg from 'pg';
import { AUTHENTICATOR_ROLE, createDatabase, urlAs, type Database } from '../src/db/database';
import { migrate } from '../src/db/migrate';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../scripts/lib/embedded-postgres';
import { newQueries } from './api-queries';
import { latencyStats, loadTargets, pickOf, runLoad, type LoadStats, type Targets } from './api-load';
import { spawnTsx, stopChild } from './api-procs';
import { startTemporalBench, type TemporalBench } from './api-temporal';
import { httpClient, runOpenLoop, type HttpReq, type OpenLoopStats } from './open-loop';
import { addLegacyGfkIndexes, buildLegacy, legacyBuilt } from './legacy/build';
import { legacyQueries, loadContentTypes } from './legacy/queries';
import { isSeeded, scaled, seedScale, type SeedReport } from './seed-scale';
import { guardPool } from '../src/db/connection-errors';

const QUESTIONS = ['patient_search', 'dashboard', 'order_history', 'case_timeline', 'task_inbox', 'decision'] as const;
type Question = (typeof QUESTIONS)[number];

const USAGE = `usage: npm run bench:api -- [options]
  --scale F            data set size, multiplies bench:seed's full scale (default 0.1)
  --concurrency LIST   concurrent clients, comma separated            (default 50,1000)
  --duration S         seconds per measured cell                      (default 5)
  --max-requests N     request cap per cell                           (default 20000)
  --pool N             PostgreSQL pool size cap (max_connections 300)  (default 100)
  --timeout-ms N       statement timeout / HTTP timeout               (default 10000)
  --questions LIST     subset of ${QUESTIONS.join(',')}
  --no-sql | --no-http skip a level
  --open-loop          fixed-rate cells instead of closed-loop clients (levels sql-open, http-open)
  --users N            open loop: users, i.e. most requests in flight   (default 1000)
  --rates LIST         open loop: offered req/s per cell, comma separated (default 50,100,200,400)
  --workflow-cases N   http: cases started in Temporal for the new API's decision (default 300)
  --no-temporal        http: do not start Temporal; the new API's decision rows show '-'
  --legacy-gfk-index   give the legacy generic FKs a (target_type_id, target_id) index
  --keep               keep the ephemeral PostgreSQL running (prints its URL)
  --out DIR            where the JSON goes (default bench/results); --no-write: print only
Database: BENCH_DATABASE_URL (seeded here if empty), else an ephemeral embedded PostgreSQL.`;

function options() {
  const { values } = parseArgs({
    options: {
      scale: { type: 'string', default: '0.1' },
      concurrency: { type: 'string', default: '50,1000' },
      duration: { type: 'string', default: '5' },
      'max-requests': { type: 'string', default: '20000' },
      pool: { type: 'string', default: '100' },
      'timeout-ms': { type: 'string', default: '10000' },
      questions: { type: 'string', default: QUESTIONS.join(',') },
      'no-sql': { type: 'boolean', default: false },
      'no-http': { type: 'boolean', default: false },
      'open-loop': { type: 'boolean', default: false },
      users: { type: 'string', default: '1000' },
      rates: { type: 'string', default: '50,100,200,400' },
      'workflow-cases': { type: 'string', default: '300' },
      'no-temporal': { type: 'boolean', default: false },
      'legacy-gfk-index': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      out: { type: 'string', default: path.join(__dirname, 'results') },
      'no-write': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const num = (name: string, v: string, min: number) => {
    const n = Number(v);
    if (!(n >= min)) {
      console.error(`--${name} must be a number ≥ ${min} (got ${v})\n${USAGE}`);
      process.exit(2);
    }
    return n;
  };
  const questions = values.questions.split(',').map((q) => q.trim()) as Question[];
  for (const q of questions) if (!QUESTIONS.includes(q)) throw new Error(`unknown question ${q}`);
  return {
    scale: num('scale', values.scale, 0.0001),
    concurrency: values.concurrency.split(',').map((c) => num('concurrency', c, 1)),
    durationMs: num('duration', values.duration, 0.5) * 1000,
    maxRequests: num('max-requests', values['max-requests'], 1),
    pool: num('pool', values.pool, 1),
    timeoutMs: num('timeout-ms', values['timeout-ms'], 100),
    questions,
    sql: !values['no-sql'],
    http: !values['no-http'],
    openLoop: values['open-loop'],
    users: Math.round(num('users', values.users, 1)),
    rates: values.rates.split(',').map((r) => num('rates', r, 0.1)),
    workflowCases: Math.round(num('workflow-cases', values['workflow-cases'], 1)),
    temporal: !values['no-temporal'],
    gfkIndex: values['legacy-gfk-index'],
    keep: values.keep,
    out: values.out,
    write: !values['no-write'],
  };
}
type Options = ReturnType<typeof options>;

interface Row {
  level: 'sql' | 'http' | 'sql-open' | 'http-open';
  question: Question;
  /** closed loop: clients; open loop: users (most requests in flight) */
  concurrency: number;
  /** open loop: offered requests per second */
  rate?: number;
  pool: number;
  new: LoadStats | OpenLoopStats | null;
  legacy: LoadStats | OpenLoopStats | null;
  note?: string;
}

const log = (m: string) => process.stderr.write(`[bench:api] ${m}\n`);
const withTimeout = (url: string, ms: number) => `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c statement_timeout=${ms}`)}`;

// ---- SQL level -------------------------------------------------------------------------------

/**
 * The API's database handle, bounded: a statement timeout and a pool-wait timeout, so that an
 * overloaded cell ends with errors instead of a queue that drains for minutes.
 */
function boundedDatabase(url: string, poolMax: number, timeoutMs: number): Database {
  return createDatabase(url, { max: poolMax, waitMs: timeoutMs, statementTimeoutMs: timeoutMs });
}

type SqlFns = Record<Question, { n: (i: number) => Promise<unknown>; l: (i: number) => Promise<unknown> }>;

function sqlFns(db: Database, lq: ReturnType<typeof legacyQueries>, t: Targets): SqlFns {
  const nq = newQueries(db);
  const P = (i: number) => pickOf(t.practices, i);
  const term = (i: number) => t.terms[(i * 7919) % t.terms.length]!;
  return {
    patient_search: { n: (i) => nq.patientSearch(P(i).actor, P(i).id, term(i)), l: (i) => lq.patientSearch(P(i).legacyId, term(i)) },
    dashboard: { n: (i) => nq.dashboard(P(i).actor, P(i).id), l: (i) => lq.dashboard(P(i).legacyId) },
    order_history: {
      n: (i) => nq.orderHistory(t.practices[pickOf(t.orders, i).practice]!.actor, pickOf(t.orders, i).id),
      l: (i) => lq.orderHistory(pickOf(t.orders, i).legacyId),
    },
    case_timeline: {
      n: (i) => nq.caseTimeline(t.practices[pickOf(t.cases, i).practice]!.actor, pickOf(t.cases, i).id),
      l: (i) => lq.caseTimeline(pickOf(t.cases, i).legacyId),
    },
    task_inbox: { n: (i) => nq.taskInbox(P(i).actor), l: (i) => lq.taskInbox(P(i).legacyUser, ['planning', 'on_hold']) },
    decision: {
      n: (i) => nq.decision(t.practices[pickOf(t.decisions, i).practice]!.actor, pickOf(t.decisions, i).id),
      l: (i) => {
        const d = pickOf(t.decisions, i);
        const p = t.practices[d.practice]!;
        return lq.decision(d.legacyId, p.legacyUser, p.doctorLastName);
      },
    },
  };
}

async function sqlLevel(url: string, t: Targets, o: Options): Promise<Row[]> {
  const rows: Row[] = [];
  for (const conc of o.concurrency) {
    const poolSize = Math.min(conc, o.pool);
    const db = boundedDatabase(url, poolSize, o.timeoutMs);
    const lpool = guardPool(new pg.Pool({ connectionString: withTimeout(url, o.timeoutMs), max: poolSize, connectionTimeoutMillis: o.timeoutMs, application_name: 'mdw-bench-legacy' }));
    const fns = sqlFns(db, legacyQueries(lpool, await loadContentTypes(lpool)), t);
    try {
      for (const q of o.questions) {
        if (q === 'decision' && !t.decisions.length) continue;
        const load = { concurrency: conc, durationMs: o.durationMs, maxRequests: o.maxRequests };
        const warm = { concurrency: Math.min(conc, 10), durationMs: 500, maxRequests: 50 };
        await settle();
        await runLoad(fns[q].n, warm);
        const n = await runLoad(fns[q].n, load);
        await settle();
        await runLoad(fns[q].l, warm);
        const l = await runLoad(fns[q].l, load);
        rows.push({ level: 'sql', question: q, concurrency: conc, pool: poolSize, new: n, legacy: l });
        log(`sql  ${q.padEnd(15)} c=${String(conc).padEnd(5)} new p95 ${n.p95} ms (${n.rps}/s, ${n.errors} err)  legacy p95 ${l.p95} ms (${l.rps}/s, ${l.errors} err)`);
      }
    } finally {
      await db.destroy();
      await lpool.end();
    }
  }
  return rows;
}

// ---- between cells --------------------------------------------------------------------------------

let monitor: pg.Pool | null = null;
/**
 * Waits (at most 30 s) until no other query runs in the bench database. A client that gives up
 * does not stop the server's query: without this, the statements a saturated cell left behind
 * (legacy ones run up to the 10 s statement timeout) slowed the next cell, whichever side it was.
 */
async function settle(): Promise<void> {
  if (!monitor) return;
  const until = performance.now() + 30_000;
  while (performance.now() < until) {
    const r = await monitor.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
    );
    if (r.rows[0].n === 0) return;
    await sleep(200);
  }
  log('settle: queries still running after 30 s; measuring anyway');
}

// ---- open loop (both levels) -------------------------------------------------------------------

/** More than half of a cell's requests failed: higher rates are not measured for that side. */
const saturated = (s: LoadStats) => s.requests > 0 && s.errors / s.requests > 0.5;

interface OpenSide {
  /** runs one cell at `rate` */
  run: (rate: number) => Promise<OpenLoopStats>;
  warm: () => Promise<unknown>;
}

/** For one question: every rate, new then legacy, skipping a side's rates above the one it saturated at. */
async function openCells(level: 'sql-open' | 'http-open', q: Question, sides: { n: OpenSide | null; l: OpenSide }, o: Options, pool: number, note?: string): Promise<Row[]> {
  const rows: Row[] = [];
  const satAt: { n?: number; l?: number } = {};
  if (sides.n) await sides.n.warm();
  await sides.l.warm();
  for (const rate of [...o.rates].sort((a, b) => a - b)) {
    const cell = async (side: 'n' | 'l'): Promise<OpenLoopStats | null> => {
      const s = sides[side];
      if (!s || satAt[side] !== undefined) return null;
      await settle();
      const r = await s.run(rate);
      if (saturated(r)) satAt[side] = rate;
      // Let the servers and PostgreSQL work off what the timed-out requests left behind.
      if (r.timeouts || r.dropped) await sleep(Math.min(o.timeoutMs, 3000));
      return r;
    };
    const n = await cell('n');
    const l = await cell('l');
    const skipped = [satAt.n !== undefined && satAt.n < rate ? `new saturated at ${satAt.n}/s` : '', satAt.l !== undefined && satAt.l < rate ? `legacy saturated at ${satAt.l}/s` : '']
      .filter(Boolean)
      .join('; ');
    const rowNote = [note, skipped ? `${level} ${q}: ${skipped}: higher rates not run` : ''].filter(Boolean).join('; ');
    rows.push({ level, question: q, concurrency: o.users, rate, pool, new: n, legacy: l, ...(rowNote ? { note: rowNote } : {}) });
    const fmt = (x: OpenLoopStats | null) => (x ? `p95 ${x.p95} ms (${x.achievedRate}/s ok, ${x.errors} err, ${x.dropped} dropped)` : '-');
    log(`${level.padEnd(9)} ${q.padEnd(15)} ${String(rate).padStart(5)}/s  new ${fmt(n)}  legacy ${fmt(l)}`);
  }
  return rows;
}

async function sqlOpenLevel(url: string, t: Targets, o: Options): Promise<Row[]> {
  const rows: Row[] = [];
  const poolSize = Math.min(o.users, o.pool);
  const db = boundedDatabase(url, poolSize, o.timeoutMs);
  const lpool = guardPool(new pg.Pool({ connectionString: withTimeout(url, o.timeoutMs), max: poolSize, connectionTimeoutMillis: o.timeoutMs, application_name: 'mdw-bench-legacy' }));
  const fns = sqlFns(db, legacyQueries(lpool, await loadContentTypes(lpool)), t);
  const side = (fn: (i: number) => Promise<unknown>): OpenSide => ({
    warm: () => runLoad(fn, { concurrency: 10, durationMs: 500, maxRequests: 50 }),
    run: (rate) => runOpenLoop(fn, { rate, durationMs: o.durationMs, maxInFlight: o.users, timeoutMs: o.timeoutMs, maxRequests: o.maxRequests }),
  });
  try {
    for (const q of o.questions) {
      if (q === 'decision' && !t.decisions.length) continue;
      rows.push(...(await openCells('sql-open', q, { n: side(fns[q].n), l: side(fns[q].l) }, o, poolSize)));
    }
  } finally {
    await db.destroy();
    await lpool.end();
  }
  return rows;
}

// ---- HTTP level ------------------------------------------------------------------------------

const statusSummary = (st: Record<string, number>) =>
  Object.entries(st)
    .filter(([k]) => !(k >= '200' && k < '300'))
    .map(([k, v]) => `${k}×${v}`)
    .join(', ');

/**
 * Closed loop with autocannon. A request may carry `release` (called when its answer is in) and
 * `check` (inspects a 2xx body); both travel in autocannon's per-request context to onResponse.
 */
async function cannon(base: string, next: (i: number) => HttpReq, conc: number, o: Options): Promise<LoadStats> {
  const lat: number[] = [];
  const statuses: Record<string, number> = {};
  let incomplete = 0;
  let firstIncomplete: string | undefined;
  let firstBad: string | undefined;
  let i = 0;
  const started = performance.now();
  const inst = autocannon({
    url: base,
    connections: conc,
    // a window shorter than the queueing latency would count no response at all
    duration: Math.max(o.durationMs, conc >= 500 ? o.timeoutMs * 1.5 : 0) / 1000,
    maxOverallRequests: Math.max(o.maxRequests, conc),
    timeout: o.timeoutMs / 1000,
    requests: [
      {
        setupRequest: (req: Record<string, unknown>, context: Record<string, unknown>) => {
          const r = next(i++);
          context.release = r.release;
          context.check = r.check;
          return { ...req, method: r.method, path: r.path, headers: { ...r.headers, ...(r.body ? { 'content-type': 'application/json' } : {}) }, body: r.body };
        },
        onResponse: (status: number, body: string, context: Record<string, unknown>) => {
          (context.release as HttpReq['release'])?.();
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (status < 200 || status >= 300) firstBad ??= `HTTP ${status} ${body.slice(0, 160)}`;
          else {
            const bad = (context.check as HttpReq['check'])?.(body);
            if (bad) {
              incomplete += 1;
              firstIncomplete ??= bad;
            }
          }
        },
      },
    ],
  });
  inst.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => lat.push(responseTime));
  const res = await inst;
  const wall = performance.now() - started;
  // autocannon abandons in-flight requests at the end of the window, but the server still works
  // them off (up to the pool-wait + statement timeouts): let it drain so cells do not overlap.
  await sleep(Math.min(o.timeoutMs, 1000 + conc * 8));
  const non2xx = res.non2xx ?? 0;
  if (res.errors) statuses.error = res.errors;
  const firstError = non2xx ? `${non2xx} non-2xx responses (${statusSummary(statuses)}); first: ${firstBad ?? '?'}` : undefined;
  return {
    ...latencyStats(lat, { requests: res.requests.total, errors: res.errors + non2xx, timeouts: res.timeouts, wallMs: wall, firstError }),
    statuses,
    ...(incomplete ? { incomplete, firstIncomplete } : {}),
  };
}

/** Open loop over node:http (keep-alive Agent, one socket per user). */
async function openHttp(base: string, next: (i: number) => HttpReq | null, rate: number, users: number, o: Options, durationMs = o.durationMs): Promise<OpenLoopStats> {
  const client = httpClient(base, users, o.timeoutMs);
  try {
    const stats = await runOpenLoop(
      (i) => {
        const r = next(i);
        if (!r) return Promise.reject(new Error('no free case: every workflow case has a decision in flight'));
        return client.send(r);
      },
      { rate, durationMs, maxInFlight: users, timeoutMs: o.timeoutMs, maxRequests: o.maxRequests },
    );
    return { ...stats, statuses: client.statuses, ...(client.incomplete ? { incomplete: client.incomplete, firstIncomplete: client.firstIncomplete } : {}) };
  } finally {
    client.close();
  }
}

/** What the API process logged at warn level and above during the HTTP level (pino JSON on stdout), grouped by message. */
interface ApiLog {
  errors: number;
  warnings: number;
  top: Array<{ level: 'error' | 'warn'; count: number; what: string }>;
}

function apiLogCollector(): { onLine: (line: string) => void; summary: () => ApiLog } {
  const seen = new Map<string, { level: 'error' | 'warn'; count: number }>();
  let errors = 0;
  let warnings = 0;
  return {
    onLine: (line) => {
      let m: { level?: number; msg?: string; path?: string; status?: number; err?: { type?: string; message?: string; code?: string } };
      try {
        m = JSON.parse(line) as typeof m;
      } catch {
        return;
      }
      const level = (m.level ?? 0) >= 50 ? 'error' : (m.level ?? 0) >= 40 ? 'warn' : null;
      if (!level) return;
      if (level === 'error') errors += 1;
      else warnings += 1;
      const what = [m.msg, m.path, m.status, m.err ? `${m.err.type ?? ''}${m.err.code ? ` ${m.err.code}` : ''}: ${m.err.message ?? ''}` : ''].filter(Boolean).join(' ').slice(0, 300);
      const e = seen.get(what) ?? { level, count: 0 };
      e.count += 1;
      seen.set(what, e);
    },
    summary: () => ({
      errors,
      warnings,
      top: [...seen.entries()]
        .sort((a, b) => b[1].count - a[1].count)
        .slice(0, 10)
        .map(([what, v]) => ({ level: v.level, count: v.count, what })),
    }),
  };
}

async function httpLevel(url: string, t: Targets, o: Options): Promise<{ rows: Row[]; apiLog: ApiLog }> {
  const apiLog = apiLogCollector();
  const system = guardPool(new pg.Pool({ connectionString: url, max: 2 }));
  const password = `bench-${randomBytes(6).toString('hex')}`;
  const hash = await argon2.hash(password, { type: argon2.argon2id });
  await system.query(
    `INSERT INTO public.user_credentials (profile_id, password_hash) SELECT unnest($1::uuid[]), $2
     ON CONFLICT (profile_id) DO UPDATE SET password_hash = EXCLUDED.password_hash`,
    [t.practices.map((p) => p.actor), hash],
  );
  await system.end();

  // Real Temporal for the new API's decision, a workflow update (bench/api-temporal.ts). The
  // inbox reads what the workflows persist (awaiting_tasks), which the seed fills for its cases.
  const wantsTemporal = o.temporal && o.questions.includes('decision');
  let tb: TemporalBench | undefined;
  const poolMax = String(o.pool);
  const children: Array<{ child: ChildProcess }> = [];
  const rows: Row[] = [];
  try {
    let temporalFailed: string | undefined;
    if (wantsTemporal) {
      try {
        tb = await startTemporalBench(url, t, { cases: o.workflowCases, timeoutMs: o.timeoutMs, log });
      } catch (err) {
        temporalFailed = (err as Error).message;
        log(`Temporal set-up failed, the new API's decision is not measured: ${temporalFailed}`);
      }
    }
    const api = await spawnTsx(path.join(__dirname, 'api-server.ts'), {
      DATABASE_URL: withTimeout(url, o.timeoutMs),
      // As in production, requests log in as mdw_authenticator (passwordless on a trusted loopback server).
      ...(new URL(url).password ? {} : { DATABASE_AUTHENTICATOR_URL: withTimeout(urlAs(url, AUTHENTICATOR_ROLE), o.timeoutMs) }),
      DATABASE_POOL_MAX: poolMax,
      DATABASE_POOL_WAIT_MS: String(o.timeoutMs),
      DATABASE_STATEMENT_TIMEOUT_MS: String(o.timeoutMs),
      JWT_SECRET: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'warn',
      API_PORT: '0',
      API_HOST: '127.0.0.1',
      DASHBOARD_REFRESH_MS: '0',
      ACCESS_TOKEN_TTL_SECONDS: '7200',
      LOGIN_MAX_ATTEMPTS_PER_MINUTE: '1000',
      NODE_ENV: 'production',
      // empty = unset: without the bench's Temporal, the API's client stays lazy and unused
      TEMPORAL_ADDRESS: tb?.address ?? '',
      TEMPORAL_TASK_QUEUE: tb?.taskQueue ?? 'mdw-cases',
      TEMPORAL_PAYLOAD_KEYS: tb?.payloadKeys ?? '',
    }, undefined, undefined, apiLog.onLine);
    children.push(api);
    const legacy = await spawnTsx(path.join(__dirname, 'legacy', 'server.ts'), { LEGACY_DATABASE_URL: withTimeout(url, o.timeoutMs), LEGACY_POOL_MAX: poolMax, LEGACY_POOL_WAIT_MS: String(o.timeoutMs) });
    children.push(legacy);

    // Real sign-in: POST /auth/login for each practice's doctor (argon2id, as src/seed/demo.ts stores it).
    const tokens: string[] = [];
    for (const p of t.practices) {
      const r = await fetch(`${api.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: p.actorEmail, password }) });
      if (!r.ok) throw new Error(`login of ${p.actorEmail} failed: ${r.status} ${await r.text()}`);
      tokens.push(((await r.json()) as { accessToken: string }).accessToken);
    }
    const auth = (practice: number) => ({ authorization: `Bearer ${tokens[practice]}` });
    const asUser = (practice: number) => ({ 'x-user': String(t.practices[practice]!.legacyUser) });
    const pIdx = (i: number) => (i * 2654435761) % t.practices.length;
    const term = (i: number) => t.terms[(i * 7919) % t.terms.length]!;
    const get = (p: string, headers: Record<string, string>): HttpReq => ({ method: 'GET', path: p, headers });

    // New API, inbox: each answer must list every task awaiting the caller (the practice's
    // doctor) up to the route's default limit, counted in awaiting_tasks before each cell.
    const INBOX_LIMIT = 50;
    const inboxExpected: number[] = t.practices.map(() => 0);
    const countInbox = async () => {
      const db = guardPool(new pg.Pool({ connectionString: url, max: 1 }));
      try {
        const { rows } = await db.query<{ actor: string; n: number }>(
          `SELECT m.profile_id AS actor, count(a.case_id)::int AS n FROM public.practice_members m
             LEFT JOIN public.awaiting_tasks a ON a.practice_id = m.practice_id AND a.role = m.role
            WHERE m.profile_id = ANY ($1::uuid[]) GROUP BY m.profile_id`,
          [t.practices.map((p) => p.actor)],
        );
        const byActor = new Map(rows.map((r) => [r.actor, r.n]));
        t.practices.forEach((p, k) => (inboxExpected[k] = Math.min(byActor.get(p.actor) ?? 0, INBOX_LIMIT)));
      } finally {
        await db.end();
      }
    };
    const newInbox = (i: number): HttpReq => {
      const k = pIdx(i);
      const expected = inboxExpected[k]!;
      return {
        ...get('/tasks/inbox', auth(k)),
        check: (body) => {
          const items = body.split('"caseId"').length - 1;
          return items < expected ? `inbox answered ${items} of ${expected} awaiting tasks` : null;
        },
      };
    };
    // New API, decision: request_changes on a leased case (one request per case at a time).
    const decisionBody = JSON.stringify({ decision: 'request_changes', reason: 'Bench: please adjust the staging of the upper arch.' });
    const decisionOn = (idx: number, leased: boolean): HttpReq => {
      const c = tb!.cases[idx]!;
      return {
        method: 'POST',
        path: `/cases/${c.caseId}/tasks/${encodeURIComponent(c.taskId)}/decision`,
        headers: auth(c.practice),
        body: decisionBody,
        // the answer is the case view after the decision: the task must await a decision again
        check: (b) => (b.includes('"awaitingDecision":true') ? null : 'decision answer without an awaiting task'),
        ...(leased ? { release: () => tb!.leases.release(idx) } : {}),
      };
    };
    const newDecisionStrict = (): HttpReq | null => {
      const idx = tb!.leases.acquire();
      return idx === null ? null : decisionOn(idx, true);
    };
    // autocannon must send something: with connections ≤ cases a lease is free unless one leaked
    // (client-side timeout); then the request may hit a busy case and count as refused.
    const newDecision = (i: number): HttpReq => newDecisionStrict() ?? decisionOn(i % tb!.cases.length, false);

    const temporalNote = tb
      ? `new: real Temporal (dev server in memory, worker process), ${tb.cases.length} cases awaiting their doctor decision`
      : `new: not measured (${temporalFailed ? `Temporal set-up failed: ${temporalFailed}` : '--no-temporal'}): the decision is a workflow update (see sql level)`;
    const reqs: Record<Question, { n: ((i: number) => HttpReq) | null; nOpen?: (i: number) => HttpReq | null; l: (i: number) => HttpReq; note?: string; before?: () => Promise<void>; after?: () => Promise<void>; maxClients?: number }> = {
      patient_search: {
        n: (i) => get(`/patients?practiceId=${t.practices[pIdx(i)]!.id}&q=${term(i)}&limit=20`, auth(pIdx(i))),
        l: (i) => get(`/patients?practice=${t.practices[pIdx(i)]!.legacyId}&q=${term(i)}`, asUser(pIdx(i))),
      },
      dashboard: {
        n: (i) => get(`/dashboard?practiceId=${t.practices[pIdx(i)]!.id}&limit=50`, auth(pIdx(i))),
        l: (i) => get(`/dashboard?practice=${t.practices[pIdx(i)]!.legacyId}`, asUser(pIdx(i))),
      },
      order_history: {
        n: (i) => get(`/orders/${pickOf(t.orders, i).id}`, auth(pickOf(t.orders, i).practice)),
        l: (i) => get(`/orders/${pickOf(t.orders, i).legacyId}`, asUser(pickOf(t.orders, i).practice)),
      },
      case_timeline: {
        n: (i) => get(`/cases/${pickOf(t.cases, i).id}`, auth(pickOf(t.cases, i).practice)),
        l: (i) => get(`/cases/${pickOf(t.cases, i).legacyId}`, asUser(pickOf(t.cases, i).practice)),
      },
      task_inbox: {
        n: newInbox,
        l: (i) => get('/tasks/inbox', asUser(pIdx(i))),
        note: `new: GET /tasks/inbox as the practice's doctor; a 2xx answer with fewer items than awaiting_tasks holds for the caller (up to ${INBOX_LIMIT}) counts as incomplete`,
        before: countInbox,
      },
      decision: {
        n: tb ? newDecision : null,
        nOpen: tb ? newDecisionStrict : undefined,
        l: (i) => ({ method: 'POST', path: `/cases/${pickOf(t.decisions, i).legacyId}/decision`, headers: asUser(pickOf(t.decisions, i).practice), body: '{}' }),
        note: tb
          ? `${temporalNote}; POST /cases/:id/tasks/:taskId/decision request_changes (the task reworks to itself), one request per case at a time: closed loop at most ${tb.cases.length} clients, open loop errors when no case is free`
          : temporalNote,
        before: tb ? () => tb!.settle() : undefined,
        after: tb ? () => tb!.quiesce() : undefined,
        maxClients: tb?.cases.length,
      },
    };

    if (o.openLoop) {
      for (const q of o.questions) {
        if (q === 'decision' && !t.decisions.length) continue;
        const r = reqs[q];
        const nOpen = r.nOpen ?? r.n;
        const side = (base: string, next: (i: number) => HttpReq | null, before?: () => Promise<void>, after?: () => Promise<void>): OpenSide => ({
          warm: async () => {
            await before?.();
            return openHttp(base, next, Math.min(20, ...o.rates), 10, o, 1000);
          },
          run: async (rate) => {
            await before?.();
            const res = await openHttp(base, next, rate, o.users, o);
            await after?.(); // what the cell left behind in Temporal must not slow the next cell
            return res;
          },
        });
        rows.push(...(await openCells('http-open', q, { n: nOpen ? side(api.url, nOpen, r.before, r.after) : null, l: side(legacy.url, r.l) }, o, o.pool, r.note)));
      }
      return { rows, apiLog: apiLog.summary() };
    }
    for (const conc of o.concurrency) {
      for (const q of o.questions) {
        if (q === 'decision' && !t.decisions.length) continue;
        const r = reqs[q];
        const warm = { ...o, durationMs: 1000, maxRequests: 100 };
        let n: LoadStats | null = null;
        let note = r.note;
        if (r.n) {
          const c = Math.min(conc, r.maxClients ?? conc);
          if (c < conc) note = `${note ?? ''}; new side at ${c} clients (one per case), not ${conc}`;
          await r.before?.();
          await cannon(api.url, r.n, Math.min(c, 10), warm);
          await r.before?.();
          await settle();
          n = await cannon(api.url, r.n, c, o);
          await r.after?.(); // what the cell left behind in Temporal must not slow the legacy cell
        }
        await settle();
        await cannon(legacy.url, r.l, Math.min(conc, 10), warm);
        await settle();
        const l = await cannon(legacy.url, r.l, conc, o);
        // Closed loop: a client whose answer takes longer than the window adds no sample, so
        // fewer answers than clients means the slowest requests are missing from the percentiles.
        const censored = ([['new', n], ['legacy', l]] as const).filter(([, x]) => x && x.requests < conc).map(([side, x]) => `${side} ${x!.requests} answers`);
        if (censored.length) note = `${note ? `${note}; ` : ''}c=${conc}: ${censored.join(', ')} < ${conc} clients in the window: latencies censored (slow answers missing)`;
        rows.push({ level: 'http', question: q, concurrency: conc, pool: o.pool, new: n, legacy: l, ...(note ? { note } : {}) });
        const bad = n && n.statuses ? statusSummary(n.statuses) : '';
        log(
          `http ${q.padEnd(15)} c=${String(conc).padEnd(5)} new p95 ${n?.p95 ?? '-'} ms (${n?.rps ?? '-'}/s, ${n?.errors ?? '-'} err${bad ? `: ${bad}` : ''}${n?.incomplete ? `, ${n.incomplete} incomplete` : ''})  legacy p95 ${l.p95} ms (${l.rps}/s, ${l.errors} err)`,
        );
      }
    }
  } finally {
    await Promise.all(children.map((c) => stopChild(c.child)));
    await tb?.stop();
  }
  return { rows, apiLog: apiLog.summary() };
}

// ---- report ----------------------------------------------------------------------------------

const f = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '-' : x >= 100 ? x.toFixed(0) : x.toFixed(1));

function markdown(head: string[], lines: string[][], leftCols: number): string {
  const all = [head, ...lines];
  const w = head.map((_, i) => Math.max(...all.map((l) => l[i]!.length)));
  const fmt = (l: string[]) => `| ${l.map((c, i) => (i < leftCols ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join(' | ')} |`;
  return [fmt(head), `|${w.map((x, i) => (i < leftCols ? '-'.repeat(x + 2) : '-'.repeat(x + 1) + ':')).join('|')}|`, ...lines.map(fmt)].join('\n');
}

/** One side's columns: p50, p95, p99, throughput, errors (and dropped for the open loop). */
function sideCells(st: LoadStats | null, open: boolean): string[] {
  const op = st as OpenLoopStats | null;
  const cells = [f(st?.p50), f(st?.p95), f(st?.p99), f(open ? op?.achievedRate : st?.rps), st ? String(st.errors) : '-'];
  return open ? [...cells, op ? String(op.dropped) : '-'] : cells;
}
const sideHead = (side: string, open: boolean) => [`${side} p50`, `${side} p95`, `${side} p99`, `${side} ${open ? 'ok/s' : 'req/s'}`, `${side} err`, ...(open ? [`${side} drop`] : [])];

function table(rows: Row[]): string {
  const head = ['level', 'question', 'clients', ...sideHead('new', false), ...sideHead('legacy', false), 'p95 legacy/new'];
  const lines = rows.map((r) => [r.level, r.question, String(r.concurrency), ...sideCells(r.new, false), ...sideCells(r.legacy, false), ratio(r)]);
  return markdown(head, lines, 2);
}

const ratio = (r: Row) => (r.new && r.legacy && r.new.p95 > 0 && Number.isFinite(r.legacy.p95) ? `${(r.legacy.p95 / r.new.p95).toFixed(1)}x` : '-');

/** Open-loop rows: latency from the scheduled send time; ok/s = successful answers per second; err includes dropped. */
function openTable(rows: Row[]): string {
  const head = ['level', 'question', 'users', 'rate/s', ...sideHead('new', true), ...sideHead('legacy', true), 'p95 legacy/new'];
  const lines = rows.map((r) => [r.level, r.question, String(r.concurrency), String(r.rate ?? '-'), ...sideCells(r.new, true), ...sideCells(r.legacy, true), ratio(r)]);
  return markdown(head, lines, 2);
}

/** Per level, question and side: the highest offered rate whose p95 < 100 ms with no error. */
function openVerdict(rows: Row[]): string[] {
  const out: string[] = [];
  const keys = [...new Set(rows.map((r) => `${r.level}|${r.question}`))];
  for (const k of keys) {
    const rs = rows.filter((r) => `${r.level}|${r.question}` === k).sort((a, b) => a.rate! - b.rate!);
    const best = (side: 'new' | 'legacy') => {
      const ok = rs.filter((r) => r[side] && r[side]!.p95 < 100 && r[side]!.errors === 0 && !r[side]!.incomplete);
      if (!rs.some((r) => r[side])) return 'not measured';
      return ok.length ? `${ok.at(-1)!.rate}/s (${ok.at(-1)!.concurrency} users: think time ≥ ${f(ok.at(-1)!.concurrency / ok.at(-1)!.rate!)} s)` : `none of ${rs.map((r) => r.rate).join(',')}/s`;
    };
    const [level, q] = k.split('|');
    out.push(`- ${level} ${q}: p95 < 100 ms without errors up to new ${best('new')}, legacy ${best('legacy')}`);
  }
  return out;
}

async function main(): Promise<void> {
  const o = options();
  const started = performance.now();
  let server: EmbeddedPostgres | undefined;
  let dir: string | undefined;
  let url = process.env.BENCH_DATABASE_URL;
  try {
    if (!url) {
      dir = mkdtempSync(path.join(os.tmpdir(), 'mdw-bench-api-'));
      chmodSync(dir, 0o755); // PostgreSQL runs as an unprivileged user when we are root
      server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), database: 'mdw_bench', ephemeral: true });
      url = server.url;
    }
    await migrate(url);
    const system = guardPool(new pg.Pool({ connectionString: url, max: 2 }));
    let seed: SeedReport | null = null;
    let legacyMs: number | null = null;
    const c = await system.connect();
    const seeded = await isSeeded(c);
    const hasLegacy = seeded && (await legacyBuilt(c));
    c.release();
    if (!seeded) seed = await seedScale(url, scaled(o.scale), log);
    else log('database already seeded: reusing it (--scale ignored)');
    if (!hasLegacy) legacyMs = (await buildLegacy(url, { gfkIndex: o.gfkIndex }, log)).ms;
    else if (o.gfkIndex) await addLegacyGfkIndexes(url);
    const counts = (
      await system.query(`SELECT (SELECT count(*) FROM practices WHERE settings ? 'bench_seed') AS practices, (SELECT count(*) FROM patients) AS patients,
        (SELECT count(*) FROM cases) AS cases, (SELECT count(*) FROM case_messages) AS messages, (SELECT count(*) FROM case_states) AS states,
        (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM case_files) AS files, (SELECT count(*) FROM legacy.dispatch_record) AS legacy_records,
        (SELECT count(*) > 0 FROM pg_indexes WHERE schemaname = 'legacy' AND indexname = 'dispatch_record_target_type_id_target_id_idx') AS legacy_gfk_index,
        pg_size_pretty(pg_database_size(current_database())) AS db_size`)
    ).rows[0];
    const targets = await loadTargets(system);
    await system.end();
    log(`data: ${JSON.stringify(counts)}; targets: ${targets.practices.length} practices, ${targets.orders.length} orders, ${targets.cases.length} cases, ${targets.decisions.length} decision cases`);

    monitor = guardPool(new pg.Pool({ connectionString: url, max: 1, application_name: 'mdw-bench-monitor' }));
    const rows: Row[] = [];
    if (o.sql) rows.push(...(o.openLoop ? await sqlOpenLevel(url, targets, o) : await sqlLevel(url, targets, o)));
    let apiLog: ApiLog | null = null;
    if (o.http) {
      const h = await httpLevel(url, targets, o);
      rows.push(...h.rows);
      apiLog = h.apiLog;
    }

    console.log(`\nAPI benchmark, ${JSON.stringify(counts)}\nlatencies in ms; new = new schema as 'authenticated' under RLS, legacy = legacy-shaped schema (generic FKs, state parsed from text)\n`);
    const closed = rows.filter((r) => r.rate === undefined);
    const open = rows.filter((r) => r.rate !== undefined);
    if (closed.length) console.log(table(closed));
    if (open.length) {
      console.log(`open loop: ${o.users} users, a fixed arrival rate per cell for ${o.durationMs / 1000} s; latency from the scheduled send time; err includes dropped (all users busy)\n`);
      console.log(openTable(open));
      console.log(`\n${openVerdict(open).join('\n')}`);
    }
    const notes = [...new Set(rows.map((r) => r.note).filter(Boolean))];
    if (notes.length) console.log(`\n${notes.map((n) => `- ${n}`).join('\n')}`);
    const errs = rows.flatMap((r) =>
      (['new', 'legacy'] as const).flatMap((side) => {
        const st = r[side];
        if (!st || (!st.errors && !st.incomplete)) return [];
        return [`- ${r.level} ${r.question} ${r.rate !== undefined ? `${r.rate}/s` : `c=${r.concurrency}`} ${side}: ${st.errors} errors${st.statuses ? ` (${statusSummary(st.statuses) || 'no HTTP error status'})` : ''}${st.firstError ? `, first: ${st.firstError}` : ''}${st.incomplete ? `; ${st.incomplete} incomplete: ${st.firstIncomplete}` : ''}`];
      }),
    );
    if (errs.length) console.log(`\nerrors:\n${errs.join('\n')}`);
    if (apiLog && (apiLog.errors || apiLog.warnings)) {
      console.log(`\nthe API logged ${apiLog.errors} errors and ${apiLog.warnings} warnings; most frequent:\n${apiLog.top.map((x) => `- ${x.count}× ${x.level}: ${x.what}`).join('\n')}`);
    }
    await monitor.end();
    monitor = null;
    const result = {
      when: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memGb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
      options: o,
      data: counts,
      seed,
      legacyBuildMs: legacyMs,
      rows,
      apiLog,
      totalSeconds: Math.round((performance.now() - started) / 1000),
    };
    if (o.write) {
      mkdirSync(o.out, { recursive: true });
      const file = path.join(o.out, `api-${result.when.replace(/[:.]/g, '-')}.json`);
      writeFileSync(file, JSON.stringify(result, null, 2));
      console.log(`\nwritten ${path.relative(process.cwd(), file)} (${result.totalSeconds} s total)`);
    }
  } finally {
    if (server && !o.keep) {
      server.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    } else if (server) {
      console.log(`PostgreSQL kept running: BENCH_DATABASE_URL=${server.url}`);
    }
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
