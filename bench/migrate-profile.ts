/**
 * `npx tsx bench/migrate-profile.ts --cases 8000 [--runs 1] [--dir /tmp/mdw-migprof]`: one
 * legacy database generated once and kept (in --dir; one run at a time per folder, see HELP), a fresh migrated target per run (cloned
 * from a template database), the migration in-process, its step timings printed. For iterating
 * on the pipeline's speed; bench:migrate is the benchmark of record. `--fast-path on|off|alternate`:
 * the bulk write path (src/migration/bulk-insert.ts) on, off, or off then on (`--runs 2`);
 * `--split on|off|alternate` likewise for the records phase's two sessions (recordsSplitMinRows). Each
 * step's server CPU (the migration session's backend, from /proc) is printed beside its wall time.
 * `--bulk-detail`: each bulk insert's parts (staging, rows, foreign keys, each replay) as steps of their own.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { guardClient } from '../src/db/connection-errors';
import { tryLockDir } from '../scripts/lib/dir-lock';

const DEFAULT_DIR = '/tmp/mdw-migprof';
const HELP = `bench/migrate-profile.ts: the legacy migration in-process on generated data, per step wall time, server CPU and heap.

  --cases N                 legacy cases to generate (default 8000); the legacy database is kept in --dir per N
  --runs N                  migrations of that data, each into a fresh target (default 1)
  --fast-path on|off|alternate   the bulk write path (default on; alternate: off then on, with --runs 2)
  --classifier lexical|none free-text intent (default lexical)
  --dir PATH                the embedded PostgreSQL cluster and its cached legacy databases (default ${DEFAULT_DIR})
  --reruns N                no-change re-runs after each run, each timed (default 1; the last one's steps are listed)
  --keep                    leave that cluster running at the end

One run at a time per --dir: a run locks its folder (<dir>/run.lock, its pid; a dead run's lock is
taken over), since two runs in one cluster would drop each other's databases and count each
other's server CPU. When the default folder is locked by another run, this run uses a fresh
folder of its own (/tmp/mdw-migprof-XXXXXX, printed; the legacy data is generated again there, and
the folder is deleted at the end unless --keep). An explicit --dir that is locked stops the run (exit 2).`;

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? def : process.argv[i + 1]!;
}

async function admin(url: string, sql: string) {
  const c = guardClient(new pg.Client({ connectionString: url }));
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

/**
 * CPU seconds of the cluster's processes: the postmaster's reaped children (backends that
 * ended) plus the live ones, from /proc (Linux). Unlike wall time, it does not depend on what
 * else the machine is running.
 */
function serverCpuSeconds(dir: string): number {
  const tick = 100; // USER_HZ
  const postmaster = Number(readFileSync(path.join(path.resolve(dir), 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const fields = (pid: number | string) => readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  const pm = fields(postmaster);
  let total = Number(pm[11]) + Number(pm[12]) + Number(pm[13]) + Number(pm[14]); // utime stime cutime cstime
  for (const pid of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const f = fields(pid);
      if (Number(f[1]) === postmaster) total += Number(f[11]) + Number(f[12]);
    } catch {
      // gone meanwhile
    }
  }
  return total / tick;
}

/** CPU ms so far of one server process (Linux /proc: utime + stime, in USER_HZ ticks). */
function backendCpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

async function main() {
  const cases = Number(arg('cases', '8000'));
  const runs = Number(arg('runs', '1'));
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(HELP);
    return;
  }
  let dir = path.resolve(arg('dir', DEFAULT_DIR));
  let lock = tryLockDir(dir);
  let own = false; // a per-run folder, deleted at the end
  if ('heldBy' in lock) {
    if (process.argv.includes('--dir')) {
      console.error(`--dir ${dir} is in use by another run (pid ${lock.heldBy}): wait for it, or pass another --dir`);
      process.exitCode = 2;
      return;
    }
    const held = lock.heldBy;
    dir = mkdtempSync(`${DEFAULT_DIR}-`);
    own = true;
    lock = tryLockDir(dir);
    if ('heldBy' in lock) throw new Error(`${dir} is locked by pid ${lock.heldBy}`);
    console.log(`${DEFAULT_DIR} is in use by pid ${held}: this run uses ${dir} (legacy data generated afresh)`);
  }
  const { startEmbeddedPostgres } = await import('../scripts/lib/embedded-postgres');
  const { migrate } = await import('../src/db/migrate');
  const { generateLegacy } = await import('../test/support/legacy/generate');
  const { migrateLegacy } = await import('../src/migration/pipeline');
  const { dedupPatients } = await import('../src/migration/dedup');
  const server = await startEmbeddedPostgres({ dataDir: path.resolve(dir), database: 'postgres_prof', ephemeral: true });
  const db = (name: string) => {
    const u = new URL(server.url);
    u.pathname = `/${name}`;
    return u.toString();
  };
  const legacy = `legacy_${cases}`;
  const exists = (await admin(server.url, `select 1 from pg_database where datname = '${legacy}'`)).rowCount;
  if (!exists) {
    await admin(server.url, `CREATE DATABASE ${legacy}`);
    await generateLegacy(db(legacy), { cases });
  }
  // The template is rebuilt each time: the migrations under test may have changed.
  await admin(server.url, `DROP DATABASE IF EXISTS target_tpl WITH (FORCE)`);
  await admin(server.url, `CREATE DATABASE target_tpl`);
  await migrate(db('target_tpl'));
  for (let i = 0; i < runs; i++) {
    await admin(server.url, `DROP DATABASE IF EXISTS target_run WITH (FORCE)`);
    await admin(server.url, `CREATE DATABASE target_run TEMPLATE target_tpl`);
    const serverCpu0 = serverCpuSeconds(dir);
    const clientCpu0 = process.cpuUsage();
    let peakHeap = 0;
    const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 20);
    const t0 = Date.now();
    const kind = arg('classifier', 'lexical');
    const { createMigrationClassifier } = await import('../src/migration/intent');
    const classifier = kind === 'none' ? undefined : () => createMigrationClassifier(null);
    // --fast-path off: every INSERT through its triggers (the write path before bulk-insert.ts);
    // alternate (with --runs 2): off, then on, side by side on the same data.
    const mode = arg('fast-path', 'on');
    const bulkFastPath = mode === 'alternate' ? i % 2 === 1 : mode !== 'off';
    // --split off: the records phase's messages and states from one session; alternate (with --runs 2): off, then on.
    const splitMode = arg('split', 'on');
    const split = splitMode === 'alternate' ? i % 2 === 1 : splitMode !== 'off';
    const r = await migrateLegacy({ legacyUrl: db(legacy), targetUrl: db('target_run'), dedup: dedupPatients, classifier, bulkFastPath, serverCpu: backendCpuMs, sampleHeap: true, recordsSplitMinRows: split ? undefined : Infinity, bulkDetail: process.argv.includes('--bulk-detail') });
    const ms = Date.now() - t0;
    clearInterval(sampler);
    const serverCpu = serverCpuSeconds(dir) - serverCpu0;
    const clientCpu = process.cpuUsage(clientCpu0);
    console.log(`CPU (load-independent): server ${serverCpu.toFixed(1)} s, this process ${((clientCpu.user + clientCpu.system) / 1e6).toFixed(1)} s`);
    // The no-change re-run(s) against the same target (--reruns N, default 1): the last one's steps are listed below.
    const reruns = Math.max(1, Number(arg('reruns', '1')));
    let again = r;
    let rerun = 0;
    const rerunCpu: number[] = [];
    for (let k = 0; k < reruns; k++) {
      const cpu0 = serverCpuSeconds(dir);
      const t1 = Date.now();
      again = await migrateLegacy({ legacyUrl: db(legacy), targetUrl: db('target_run'), dedup: dedupPatients, serverCpu: backendCpuMs });
      rerun = Date.now() - t1;
      rerunCpu.push(serverCpuSeconds(dir) - cpu0);
      console.log(`  re-run ${k + 1}: ${(rerun / 1000).toFixed(2)} s, server CPU (all sessions, legacy's included) ${rerunCpu[k]!.toFixed(2)} s, ${again.totals.new} new, ${again.totals.changed} changed, ok ${again.ok}`);
    }
    console.log(`${r.totals.read} rows in ${(ms / 1000).toFixed(1)} s = ${Math.round(r.totals.read / (ms / 60000)).toLocaleString('en')}/min, ok ${r.ok}; re-run ${(rerun / 1000).toFixed(1)} s (${again.totals.new} new); peak heap ${(peakHeap / 2 ** 20).toFixed(0)} MB, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
    console.log(`  bulk fast path ${bulkFastPath ? 'on' : 'off'}, split ${split ? 'on' : 'off'}; server CPU of the migration's sessions ${(r.timings.reduce((n, t) => n + (t.serverCpuMs ?? 0), 0) / 1000).toFixed(1)} s`);
    for (const t of [...r.timings].sort((a, b) => b.ms - a.ms)) console.log(`  ${t.step.padEnd(44)} ${(t.ms / 1000).toFixed(2).padStart(7)} s  ${((100 * t.ms) / ms).toFixed(1).padStart(5)} %  ×${t.calls}  server CPU ${((t.serverCpuMs ?? 0) / 1000).toFixed(2).padStart(6)} s  peak heap ${t.peakHeapMb ?? '–'} MB, live ${t.liveHeapMb ?? '–'} MB`);
    console.log(`  re-run steps (last re-run):`);
    for (const t of [...again.timings].sort((a, b) => b.ms - a.ms)) console.log(`  ${t.step.padEnd(44)} ${(t.ms / 1000).toFixed(2).padStart(7)} s  ×${t.calls}  server CPU ${((t.serverCpuMs ?? 0) / 1000).toFixed(2).padStart(6)} s`);
    const audit = await admin(db('target_run'), `select table_name, count(*) as n from audit_log group by 1 order by 2 desc`);
    console.log(`  audit rows: ${audit.rows.map((x) => `${x.table_name} ${x.n}`).join(', ')}`);
  }
  if (!process.argv.includes('--keep')) {
    server.stop();
    if (own) rmSync(dir, { recursive: true, force: true });
  }
  lock.release();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
