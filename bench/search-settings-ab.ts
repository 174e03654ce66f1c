/**
 * Two PostgreSQL server configurations side by side for the production GET /search (session 10,
 * s-contend): the server is restarted with settings A, then B, then A… (`--rounds` of each, in
 * the order A B B A A B B A… so that a drift in load hits both alike), each time prewarmed
 * (bench/search-fixture-dir.ts prewarmSearchLeaves) and warmed by a few searches, then measured:
 * the production search service's one round trip as members of the fixture's practices, with
 * `--clients` closed-loop clients (1: one at a time on one connection).
 *
 * Per configuration: CPU per search of the database server (with 1 client its backend's
 * /proc/<pid>/stat; with more, every server process's, bench/search-load-probes.ts), of this
 * process, wall p50/p95 and, with --clients > 1, the backends' wait events (pg_stat_activity
 * sampled every 10 ms). CPU per search is the currency (run it `nice -n 5` on your own fixture
 * copy, no lock); latencies under concurrency are a 10-client benchmark's (under the lock).
 *
 * Session 12 (s-huge): the search is the route's (the page's PHI access log in its statement, as
 * bench:search's production method; it writes phi_access_log rows into the copy); with 1 client
 * also the backend's CPU from /proc/<pid>/schedstat (ns, not 10 ms ticks) per round; a side with
 * huge_pages=on or try reserves, as root, the huge pages its server maps while it runs and gives
 * them back (scripts/lib/huge-pages.ts), and the table says huge_pages_status.
 *
 *   nice -n 5 npx tsx bench/search-settings-ab.ts --dir <fixture copy> --b max_locks_per_transaction=256 [--a k=v,…] [--searches 300] [--rounds 2] [--clients 1] [--admission 0] [--migrate]
 *
 * Server settings are `name=value` pairs, comma-separated, on top of bench:search's own
 * (shared_buffers 4GB, effective_cache_size 12GB, max_locks_per_transaction 256 since session 12;
 * the ephemeral fsync/synchronous_commit/full_page_writes off, which a side may override). The
 * fixture gets phi_access_log rows only; a fixture that lacks some of this checkout's migrations
 * stops the run (bench/fixture-migrations.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { startEmbeddedPostgres } from '../scripts/lib/embedded-postgres';
import { migrateCachedFixture, runBench } from './fixture-migrations';
import { cachedSearchFixtureDir, prewarmSearchLeaves, schedCpuMs } from './search-fixture-dir';
import { postmasterPid, sampleWaitEvents, startLoadProbe } from './search-load-probes';
import { SEARCH_QUERIES } from '../src/ai/eval/search-set';
import { correctSpelling, expandOrtho } from '../src/ai/text';
import { AUTHENTICATOR_ROLE, createDatabase, runWithAuditScope, urlAs } from '../src/db/database';
import type { EmbeddingProvider } from '../src/ai/providers/types';
import { createSearchService, SEARCH_READ } from '../src/services/search.service';

const { values: opt } = parseArgs({
  options: {
    dir: { type: 'string' },
    a: { type: 'string', default: '' },
    b: { type: 'string', default: '' },
    searches: { type: 'string', default: '300' },
    rounds: { type: 'string', default: '2' },
    clients: { type: 'string', default: '1' },
    admission: { type: 'string', default: '0' },
    migrate: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opt.help) {
  console.log('npx tsx bench/search-settings-ab.ts --dir <fixture copy> --b name=value[,…] [--a name=value[,…]] [--searches 300] [--rounds 2] [--clients 1] [--admission 0] [--migrate]');
  process.exit(0);
}
const positive = (name: 'searches' | 'rounds' | 'clients') => {
  const v = Number(opt[name]);
  if (!Number.isInteger(v) || v < 1) {
    console.error(`--${name} must be a positive integer (got ${opt[name]})`);
    process.exit(2);
  }
  return v;
};
const SEARCHES = positive('searches');
const ROUNDS = positive('rounds');
const CLIENTS = positive('clients');
// The route's admission control (SEARCH_CONCURRENCY, 6 in production): 0 = none, as before session 12.
const ADMISSION = Number(opt.admission);
if (!Number.isInteger(ADMISSION) || ADMISSION < 0) {
  console.error(`--admission must be an integer >= 0 (got ${opt.admission})`);
  process.exit(2);
}
const settingsOf = (flag: 'a' | 'b'): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const pair of opt[flag].split(',').filter(Boolean)) {
    const m = /^([a-z_.]+)=(\S+)$/.exec(pair.trim());
    if (!m) {
      console.error(`--${flag}: each setting is name=value, comma-separated (got "${pair}")`);
      process.exit(2);
    }
    out[m[1]!] = m[2]!;
  }
  return out;
};
const CONFIGS = { A: settingsOf('a'), B: settingsOf('b') };
if (!Object.keys(CONFIGS.B).length && !Object.keys(CONFIGS.A).length) {
  console.error('give --b (and/or --a): the settings to compare, e.g. --b max_locks_per_transaction=256');
  process.exit(2);
}
// bench:search's server (its SERVER_SETTINGS' defaults).
const BASE = { shared_buffers: '4GB', effective_cache_size: '12GB', max_locks_per_transaction: '256' };

/**
 * Minor page faults of a process so far (/proc/<pid>/stat's 10th field): a backend takes one the
 * first time it touches each 4 kB page of shared memory (one per 2 MB with huge pages).
 */
function minorFaults(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

async function main(): Promise<void> {
  const dir = cachedSearchFixtureDir('realistic', opt.dir);
  const fixture = JSON.parse(readFileSync(path.join(dir, 'fixture.json'), 'utf8')) as { practices: { id: string; member: string }[] };
  type Stat = { wall: number[]; serverMs: number; clientMs: number; n: number; waits: Record<string, number>; waitSamples: number; settings: Record<string, string>; backend: number[]; faults: number[] };
  const stats: Record<'A' | 'B', Stat> = {
    A: { wall: [], serverMs: 0, clientMs: 0, n: 0, waits: {}, waitSamples: 0, settings: {}, backend: [], faults: [] },
    B: { wall: [], serverMs: 0, clientMs: 0, n: 0, waits: {}, waitSamples: 0, settings: {}, backend: [], faults: [] },
  };
  let requests = 0;
  // A B B A A B B A …: each configuration as often first as second.
  const order = Array.from({ length: 2 * ROUNDS }, (_, i) => (['A', 'B', 'B', 'A'] as const)[i % 4]!);
  type Q = { member: string; q: string; vector: number[] };
  let queries: Q[] | null = null;
  for (const which of order) {
    const pgs = await startEmbeddedPostgres({ dataDir: dir, database: 'mdw_search_bench', ephemeral: true, settings: { ...BASE, ...CONFIGS[which] }, reserveHugePages: true });
    if (pgs.hugePages) console.log(`${which}: ${pgs.hugePages.message}`);
    const database = createDatabase(pgs.url, CLIENTS + 1, { authenticatorUrl: urlAs(pgs.url, AUTHENTICATOR_ROLE) });
    try {
      // --migrate: the copy gets this checkout's pending migrations at the first start.
      await migrateCachedFixture(pgs.url, dir, opt.migrate, (line) => console.log(line));
      const shown = await sql<{ name: string; setting: string }>`SELECT name, current_setting(name) AS setting FROM unnest(${[...new Set([...Object.keys(CONFIGS.A), ...Object.keys(CONFIGS.B), 'huge_pages_status'])]}::text[]) AS name`.execute(database.system);
      stats[which].settings = Object.fromEntries(shown.rows.map((r) => [r.name, r.setting]));
      const model = (await sql<{ model: string; dimensions: number }>`SELECT model, dimensions FROM embedding_models WHERE state = 'active'`.execute(database.system)).rows[0]!;
      await prewarmSearchLeaves(database.system);
      await sql`SELECT pg_prewarm('case_messages'), pg_prewarm('case_messages_pkey')`.execute(database.system);
      if (!queries) {
        queries = [];
        for (let i = 0; i < SEARCHES; i++) {
          const p = fixture.practices[(i * 37) % fixture.practices.length]!;
          const v = await sql<{ v: string }>`SELECT embedding::text AS v FROM message_embeddings WHERE practice_id = ${p.id}::uuid ORDER BY message_id OFFSET ${i} LIMIT 1`.execute(database.system);
          queries.push({ member: p.member, q: SEARCH_QUERIES[i % SEARCH_QUERIES.length]!.q, vector: JSON.parse(v.rows[0]!.v) as number[] });
        }
      }
      // The service embeds the corrected, expanded text: each distinct text gets the vector of its
      // first query, so that concurrent clients cannot answer each other's searches.
      const vectorOf = new Map<string, number[]>();
      for (const q of queries) if (!vectorOf.has(expandOrtho(correctSpelling(q.q)))) vectorOf.set(expandOrtho(correctSpelling(q.q)), q.vector);
      const provider: EmbeddingProvider = { model: model.model, dimensions: model.dimensions, embed: (xs) => Promise.resolve(xs.map((x) => vectorOf.get(x)!)), embedQuery: (x) => Promise.resolve(vectorOf.get(x)!) };
      const service = createSearchService({ system: database.system, providers: () => provider, embedTimeoutMs: 60_000, queryCacheSize: 0, concurrency: ADMISSION });
      const one = async (q: Q) => {
        const r = await runWithAuditScope({ requestId: `settings-ab-${process.pid}-${requests++}` }, () =>
          service.search((fn) => database.asActor({ sub: q.member }, fn), { q: q.q, kinds: ['message'], limit: 10, audit: SEARCH_READ }, (text) => database.asActorStatement({ sub: q.member }, text)),
        );
        if (r.mode !== 'hybrid') throw new Error(`search answered ${r.mode}`);
      };
      const run = async (qs: Q[], wall: number[] | null) => {
        let next = 0;
        await Promise.all(
          Array.from({ length: CLIENTS }, async () => {
            for (;;) {
              const i = next++;
              if (i >= qs.length) return;
              const q = qs[i]!;
              const t0 = performance.now();
              await one(q);
              wall?.push(performance.now() - t0);
            }
          }),
        );
      };
      await run(queries.slice(0, 30), null);
      const pm = postmasterPid(path.join(dir, 'pgdata'));
      const waits = CLIENTS > 1 ? sampleWaitEvents(pgs.url, 'mdw') : null;
      // One client: its one actor connection's backend, whose CPU /proc/<pid>/schedstat gives in ns.
      const backendPid = CLIENTS === 1 ? (await database.actorPool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid : null;
      const probe = startLoadProbe(pm);
      const b0 = backendPid ? schedCpuMs(backendPid) : 0;
      const f0 = backendPid ? minorFaults(backendPid) : 0;
      await run(queries, stats[which].wall);
      const backendMs = backendPid ? (schedCpuMs(backendPid) - b0) / queries.length : null;
      const faults = backendPid ? (minorFaults(backendPid) - f0) / queries.length : null;
      if (faults !== null) stats[which].faults.push(faults);
      const load = probe.stop(queries.length);
      if (backendMs !== null) stats[which].backend.push(backendMs);
      const w = await waits?.stop();
      stats[which].serverMs += load.serverCpuMs! * queries.length;
      stats[which].clientMs += load.clientCpuMs! * queries.length;
      stats[which].n += queries.length;
      if (w) {
        stats[which].waitSamples += w.samples;
        for (const [k, n] of Object.entries(w.states)) stats[which].waits[k] = (stats[which].waits[k] ?? 0) + n;
      }
      console.log(
        `${which}: ${queries.length} searches, ${backendMs !== null ? `backend ${backendMs.toFixed(3)} ms (${faults!.toFixed(0)} page faults), ` : ''}server ${load.serverCpuMs} ms, client ${load.clientCpuMs} ms CPU per search (${stats[which].settings.huge_pages_status ?? ''} huge pages)`,
      );
    } finally {
      await database.destroy();
      pgs.stop();
    }
  }
  console.log(`${SEARCHES} searches × ${ROUNDS} rounds per configuration, ${CLIENTS} client(s), admission ${ADMISSION || 'none'} (${dir})`);
  console.table(
    (['A', 'B'] as const).map((k) => {
      const s = stats[k];
      return {
        config: `${k}: ${JSON.stringify(s.settings)}`,
        p50Ms: Number(pct(s.wall, 0.5).toFixed(2)),
        p95Ms: Number(pct(s.wall, 0.95).toFixed(2)),
        serverCpuMs: Number((s.serverMs / s.n).toFixed(3)),
        clientCpuMs: Number((s.clientMs / s.n).toFixed(3)),
        ...(s.backend.length ? { backendCpuMs: Number((s.backend.reduce((a, b) => a + b, 0) / s.backend.length).toFixed(3)), backendPerRestart: s.backend.map((x) => x.toFixed(3)).join(' '), backendFaults: Number((s.faults.reduce((a, b) => a + b, 0) / s.faults.length).toFixed(0)) } : {}),
      };
    }),
  );
  if (stats.A.backend.length && stats.B.backend.length) {
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(`backend CPU per search B / A: ${(mean(stats.B.backend) / mean(stats.A.backend)).toFixed(3)} (${(mean(stats.B.backend) - mean(stats.A.backend)).toFixed(3)} ms)`);
  }
  if (CLIENTS > 1) for (const k of ['A', 'B'] as const) console.log(k, 'wait events (backend-samples)', stats[k].waitSamples, 'samples', stats[k].waits);
}

runBench(main);
