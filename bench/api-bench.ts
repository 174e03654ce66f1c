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
 * A measurement, not a test: nothing asserts a timing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import argon2 from 'argon2';
import autocannon from 'autocannon';
import pg from 'pg';
import { createDatabase, type Database } from '../src/db/database';
import { migrate } from '../src/db/migrate';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../scripts/lib/embedded-postgres';
import { newQueries } from './api-queries';
import { loadTargets, percentile, pickOf, runLoad, type LoadStats, type Targets } from './api-load';
import { addLegacyGfkIndexes, buildLegacy, legacyBuilt } from './legacy/build';
import { legacyQueries, loadContentTypes } from './legacy/queries';
import { isSeeded, scaled, seedScale, type SeedReport } from './seed-scale';

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
    gfkIndex: values['legacy-gfk-index'],
    keep: values.keep,
    out: values.out,
    write: !values['no-write'],
  };
}
type Options = ReturnType<typeof options>;

interface Row {
  level: 'sql' | 'http';
  question: Question;
  concurrency: number;
  pool: number;
  new: LoadStats | null;
  legacy: LoadStats | null;
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

async function sqlLevel(url: string, t: Targets, o: Options): Promise<Row[]> {
  const rows: Row[] = [];
  for (const conc of o.concurrency) {
    const poolSize = Math.min(conc, o.pool);
    const db = boundedDatabase(url, poolSize, o.timeoutMs);
    const lpool = new pg.Pool({ connectionString: withTimeout(url, o.timeoutMs), max: poolSize, connectionTimeoutMillis: o.timeoutMs, application_name: 'mdw-bench-legacy' });
    lpool.on('error', () => undefined);
    const nq = newQueries(db);
    const lq = legacyQueries(lpool, await loadContentTypes(lpool));
    const P = (i: number) => pickOf(t.practices, i);
    const term = (i: number) => t.terms[(i * 7919) % t.terms.length]!;
    const fns: Record<Question, { n: (i: number) => Promise<unknown>; l: (i: number) => Promise<unknown> }> = {
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
    try {
      for (const q of o.questions) {
        if (q === 'decision' && !t.decisions.length) continue;
        const load = { concurrency: conc, durationMs: o.durationMs, maxRequests: o.maxRequests };
        const warm = { concurrency: Math.min(conc, 10), durationMs: 500, maxRequests: 50 };
        await runLoad(fns[q].n, warm);
        const n = await runLoad(fns[q].n, load);
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

// ---- HTTP level ------------------------------------------------------------------------------

async function spawnServer(script: string, env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const rl = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within 60 s`)), 60_000);
    child.once('exit', (code) => reject(new Error(`${script} exited (${code})`)));
    rl.on('line', (line) => {
      try {
        const m = JSON.parse(line) as { url?: string };
        if (m.url) {
          clearTimeout(timer);
          resolve(m.url);
        }
      } catch {
        /* not our line */
      }
    });
  });
  return { url, child };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

interface HttpReq {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

async function cannon(base: string, next: (i: number) => HttpReq, conc: number, o: Options): Promise<LoadStats> {
  const lat: number[] = [];
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
        setupRequest: (req: Record<string, unknown>) => {
          const r = next(i++);
          return { ...req, method: r.method, path: r.path, headers: { ...r.headers, ...(r.body ? { 'content-type': 'application/json' } : {}) }, body: r.body };
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
  lat.sort((a, b) => a - b);
  const non2xx = res.non2xx ?? 0;
  const r2 = (x: number) => Math.round(x * 100) / 100;
  return {
    requests: res.requests.total,
    errors: res.errors + non2xx,
    timeouts: res.timeouts,
    rps: r2((res.requests.total * 1000) / wall),
    p50: r2(percentile(lat, 50)),
    p95: r2(percentile(lat, 95)),
    p99: r2(percentile(lat, 99)),
    mean: r2(lat.reduce((a, b) => a + b, 0) / (lat.length || 1)),
    max: r2(lat.at(-1) ?? NaN),
    ...(non2xx ? { firstError: `${non2xx} non-2xx responses` } : {}),
  };
}

async function httpLevel(url: string, t: Targets, o: Options): Promise<Row[]> {
  const system = new pg.Pool({ connectionString: url, max: 2 });
  const password = `bench-${randomBytes(6).toString('hex')}`;
  const hash = await argon2.hash(password, { type: argon2.argon2id });
  await system.query(
    `INSERT INTO public.user_credentials (profile_id, password_hash) SELECT unnest($1::uuid[]), $2
     ON CONFLICT (profile_id) DO UPDATE SET password_hash = EXCLUDED.password_hash`,
    [t.practices.map((p) => p.actor), hash],
  );
  await system.end();
  const poolMax = String(o.pool);
  const api = await spawnServer(path.join(__dirname, 'api-server.ts'), {
    DATABASE_URL: withTimeout(url, o.timeoutMs),
    DATABASE_POOL_MAX: poolMax,
    BENCH_POOL_WAIT_MS: String(o.timeoutMs),
    JWT_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    API_PORT: '0',
    API_HOST: '127.0.0.1',
    DASHBOARD_REFRESH_MS: '0',
    ACCESS_TOKEN_TTL_SECONDS: '7200',
    LOGIN_MAX_ATTEMPTS_PER_MINUTE: '1000',
    NODE_ENV: 'production',
  });
  const legacy = await spawnServer(path.join(__dirname, 'legacy', 'server.ts'), { LEGACY_DATABASE_URL: withTimeout(url, o.timeoutMs), LEGACY_POOL_MAX: poolMax, LEGACY_POOL_WAIT_MS: String(o.timeoutMs) });
  const rows: Row[] = [];
  try {
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
    const reqs: Record<Question, { n: ((i: number) => HttpReq) | null; l: (i: number) => HttpReq; note?: string }> = {
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
      task_inbox: { n: null, l: (i) => get('/tasks/inbox', asUser(pIdx(i))), note: 'new: GET /tasks/inbox queries Temporal visibility; seeded cases have no workflows (see sql level)' },
      decision: {
        n: null,
        l: (i) => ({ method: 'POST', path: `/cases/${pickOf(t.decisions, i).legacyId}/decision`, headers: asUser(pickOf(t.decisions, i).practice), body: '{}' }),
        note: 'new: POST /cases/:id/tasks/:taskId/decision is a Temporal workflow update; seeded cases have no workflows (see sql level)',
      },
    };
    for (const conc of o.concurrency) {
      for (const q of o.questions) {
        if (q === 'decision' && !t.decisions.length) continue;
        const r = reqs[q];
        const warm = { ...o, durationMs: 1000, maxRequests: 100 };
        let n: LoadStats | null = null;
        if (r.n) {
          await cannon(api.url, r.n, Math.min(conc, 10), warm);
          n = await cannon(api.url, r.n, conc, o);
        }
        await cannon(legacy.url, r.l, Math.min(conc, 10), warm);
        const l = await cannon(legacy.url, r.l, conc, o);
        rows.push({ level: 'http', question: q, concurrency: conc, pool: o.pool, new: n, legacy: l, ...(r.note ? { note: r.note } : {}) });
        log(`http ${q.padEnd(15)} c=${String(conc).padEnd(5)} new p95 ${n?.p95 ?? '-'} ms (${n?.rps ?? '-'}/s, ${n?.errors ?? '-'} err)  legacy p95 ${l.p95} ms (${l.rps}/s, ${l.errors} err)`);
      }
    }
  } finally {
    await Promise.all([stopChild(api.child), stopChild(legacy.child)]);
  }
  return rows;
}

// ---- report ----------------------------------------------------------------------------------

function table(rows: Row[]): string {
  const f = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '-' : x >= 100 ? x.toFixed(0) : x.toFixed(1));
  const head = ['level', 'question', 'clients', 'new p50', 'new p95', 'new p99', 'new req/s', 'new err', 'legacy p50', 'legacy p95', 'legacy p99', 'legacy req/s', 'legacy err', 'p95 legacy/new'];
  const lines = rows.map((r) => [
    r.level,
    r.question,
    String(r.concurrency),
    f(r.new?.p50),
    f(r.new?.p95),
    f(r.new?.p99),
    f(r.new?.rps),
    r.new ? String(r.new.errors) : '-',
    f(r.legacy?.p50),
    f(r.legacy?.p95),
    f(r.legacy?.p99),
    f(r.legacy?.rps),
    r.legacy ? String(r.legacy.errors) : '-',
    r.new && r.legacy && r.new.p95 > 0 ? `${(r.legacy.p95 / r.new.p95).toFixed(1)}x` : '-',
  ]);
  const all = [head, ...lines];
  const w = head.map((_, i) => Math.max(...all.map((l) => l[i]!.length)));
  const fmt = (l: string[]) => `| ${l.map((c, i) => (i < 2 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join(' | ')} |`;
  return [fmt(head), `|${w.map((x, i) => (i < 2 ? '-'.repeat(x + 2) : '-'.repeat(x + 1) + ':')).join('|')}|`, ...lines.map(fmt)].join('\n');
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
    const system = new pg.Pool({ connectionString: url, max: 2 });
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

    const rows: Row[] = [];
    if (o.sql) rows.push(...(await sqlLevel(url, targets, o)));
    if (o.http) rows.push(...(await httpLevel(url, targets, o)));

    const out = table(rows);
    console.log(`\nAPI benchmark, ${JSON.stringify(counts)}\nlatencies in ms; new = new schema as 'authenticated' under RLS, legacy = legacy-shaped schema (generic FKs, state parsed from text)\n`);
    console.log(out);
    const notes = [...new Set(rows.map((r) => r.note).filter(Boolean))];
    if (notes.length) console.log(`\n${notes.map((n) => `- ${n}`).join('\n')}`);
    const result = {
      when: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memGb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
      options: o,
      data: counts,
      seed,
      legacyBuildMs: legacyMs,
      rows,
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
