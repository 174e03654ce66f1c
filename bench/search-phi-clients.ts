/**
 * GET /search's statement with its PHI access log at 10 concurrent clients (session 11, s-phi3):
 * B this checkout's audited statement (db 0146's record_search_phi_reads() from a one-time
 * InitPlan), D session 10's (db 0136's record_search_phi_access() in an audit CTE), C the search
 * alone without a log, as fixed statement texts built once by the search service (so the API's
 * TypeScript is not measured), sent by 10 clients through Database.asActorStatement in phases of
 * --per-phase statements, the versions' phases in a rotating order, the first round discarded. For
 * each: searches/s, latency p50/p95 and the backend CPU per search of the 10 actor connections
 * (/proc/<pid>/schedstat). A latency under concurrency: run it under /tmp/mdw-bench.lock at normal
 * priority. Writes phi_access_log rows into the fixture: run it on your own copy (migrated to this
 * checkout: it needs both functions). A measurement, not a test.
 *
 *   flock /tmp/mdw-bench.lock npx tsx bench/search-phi-clients.ts --dir <fixture copy> [--per-phase 400] [--rounds 8]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { runBench } from './fixture-migrations';
import { cachedSearchFixtureDir, fixtureSearches, prewarmSearchLeaves, schedCpuMs, startSearchFixture } from './search-fixture-dir';
import * as database from '../src/db/database';
import type { EmbeddingProvider } from '../src/ai/providers/types';
import * as service from '../src/services/search.service';
import { sqlLiteral } from '../src/repositories/search.repository';

const { values: opt } = parseArgs({ options: { dir: { type: 'string' }, 'per-phase': { type: 'string', default: '400' }, rounds: { type: 'string', default: '8' } } });
const CLIENTS = 10;
const PER_PHASE = Number(opt['per-phase']);
const ROUNDS = Number(opt.rounds);
if (!Number.isInteger(PER_PHASE) || PER_PHASE < CLIENTS || !Number.isInteger(ROUNDS) || ROUNDS < 1) {
  console.error('usage: [--dir <fixture copy>] [--per-phase N >= 10] [--rounds N >= 1]');
  process.exit(2);
}

const AUDITED = /^WITH page AS MATERIALIZED \(SELECT \* FROM (public\.search_page\(.*\)) WITH ORDINALITY\) SELECT page\.\* FROM page WHERE /s;
/** The search_page() call of searchPageSql()'s audited statement. */
function callOf(text: string): string {
  const m = AUDITED.exec(text);
  if (!m) throw new Error(`not searchPageSql()'s audited statement: ${text.slice(0, 200)}`);
  return m[1]!;
}
/** The same statement as session 10 wrote it (db 0136), as bench/search-phi-ab.ts's D. */
function session10Statement(text: string): string {
  return (
    `WITH page AS MATERIALIZED (SELECT * FROM ${callOf(text)} WITH ORDINALITY), ` +
    `audit AS MATERIALIZED (SELECT public.record_search_phi_access(array_agg(DISTINCT case_id) FILTER (WHERE case_id IS NOT NULL), ` +
    `array_agg(id) FILTER (WHERE kind = 'patient'), ${sqlLiteral(service.SEARCH_READ.route)}, ${sqlLiteral(service.SEARCH_READ.resource)}) AS n FROM page) ` +
    `SELECT page.* FROM page CROSS JOIN audit ORDER BY page.ordinality`
  );
}

async function main(): Promise<void> {
  const dir = cachedSearchFixtureDir('realistic', opt.dir);
  const { fixture, pgs } = await startSearchFixture(dir, false);
  const h = database.createDatabase(pgs.url, CLIENTS, { authenticatorUrl: database.urlAs(pgs.url, database.AUTHENTICATOR_ROLE) });
  try {
    await prewarmSearchLeaves(h.system);
    const model = (await sql<{ model: string; dimensions: number }>`SELECT model, dimensions FROM embedding_models WHERE state = 'active'`.execute(h.system)).rows[0]!;
    const queries = await fixtureSearches(h.system, fixture.practices, 300);
    let current: number[] = [];
    const provider: EmbeddingProvider = { model: model.model, dimensions: model.dimensions, embed: (xs) => Promise.resolve(xs.map(() => current)), embedQuery: () => Promise.resolve(current) };
    const s = service.createSearchService({ system: h.system, providers: () => provider, embedTimeoutMs: 60_000, queryCacheSize: 0 });
    const texts: { member: string; v: string[] }[] = [];
    for (const q of queries) {
      current = q.vector;
      await s.search((fn) => h.asActor({ sub: q.member }, fn), { q: q.q, kinds: ['message'], limit: 10, audit: service.SEARCH_READ }, (text) => {
        texts.push({ member: q.member, v: [text, session10Statement(text), `SELECT * FROM ${callOf(text)}`] });
        return Promise.resolve([]);
      });
    }
    const names = ['B: the log as this checkout writes it', 'D: the log as session 10 wrote it (db 0136)', 'C: the search alone, no log'];
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => h.actorPool.connect()));
    const pids = await Promise.all(clients.map(async (c) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid));
    clients.forEach((c) => c.release());
    const stats = names.map(() => ({ n: 0, wallMs: 0, backendMs: 0, latency: [] as number[] }));
    let next = 0;
    for (let round = 0; round <= ROUNDS; round++) {
      for (let j = 0; j < names.length; j++) {
        const m = (round + j) % names.length;
        let left = PER_PHASE;
        const latency: number[] = [];
        const b0 = pids.reduce((a, p) => a + schedCpuMs(p), 0);
        const t0 = performance.now();
        await Promise.all(
          Array.from({ length: CLIENTS }, async () => {
            while (left > 0) {
              left--;
              const t = texts[next++ % texts.length]!;
              const s0 = performance.now();
              await h.asActorStatement({ sub: t.member }, t.v[m]!);
              latency.push(performance.now() - s0);
            }
          }),
        );
        const wall = performance.now() - t0;
        const backend = pids.reduce((a, p) => a + schedCpuMs(p), 0) - b0;
        // The first round warms the caches.
        if (round > 0) {
          const st = stats[m]!;
          st.n += PER_PHASE;
          st.wallMs += wall;
          st.backendMs += backend;
          st.latency.push(...latency);
        }
      }
    }
    const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
    console.log(`${CLIENTS} clients, ${ROUNDS} rounds of ${PER_PHASE} statements per version (${dir})`);
    console.table(
      names.map((name, k) => {
        const st = stats[k]!;
        return { version: name, searches: st.n, perSecond: Number(((st.n / st.wallMs) * 1000).toFixed(1)), p50Ms: Number(pct(st.latency, 0.5).toFixed(1)), p95Ms: Number(pct(st.latency, 0.95).toFixed(1)), backendCpuMs: Number((st.backendMs / st.n).toFixed(3)) };
      }),
    );
  } finally {
    await h.destroy();
    pgs.stop();
  }
}

runBench(main);
