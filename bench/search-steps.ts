/**
 * Where a search's time goes: the steps of GET /search's SQL (bench/search.bench.ts measures the
 * whole at 10 clients), one search at a time on bench:search's cached fixture, each step timed on
 * its own in the member's RLS transaction: BEGIN with the claims, the scope, the lexical leg (BM25
 * and, for comparison, ts_rank), the semantic leg, the result rows; then the search service's
 * whole search in one statement (db 0098, what GET /search runs) and in separate statements
 * (before), side by side, each its own transaction. Sequential, so the figures
 * are per-search costs, not queueing. A measurement, not a test.
 *
 * --fixture realistic,eval31 measures both of bench:search's fixtures (--fixture there), one after
 * the other in the same run, and after each its word distribution (bench/search-fixture-stats.ts):
 * distinct words per practice and the share of a practice's texts an expanded query matches.
 *
 *   npm run bench:search -- --build-only     # the fixture first (cached)
 *   flock /tmp/mdw-bench.lock npm run bench:search-steps -- [--searches 100] [--fixture realistic,eval31] [--dir <fixture dir>] [--migrate]
 *
 * A fixture that lacks some of this checkout's migrations is not migrated unless --migrate is given
 * (bench/fixture-migrations.ts): the run stops with a line naming them.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { cachedSearchFixtureDir, prewarmSearchLeaves, startSearchFixture } from './search-fixture-dir';
import { SEARCH_QUERIES } from '../src/ai/eval/search-set';
import { expandOrtho, orQueryTerms } from '../src/ai/text';
import { createDatabase } from '../src/db/database';
import { runBench } from './fixture-migrations';
import * as repo from '../src/repositories/search.repository';
import { fixtureStats, type FixtureStats } from './search-fixture-stats';
import type { EmbeddingProvider } from '../src/ai/providers/types';
import { createSearchService } from '../src/services/search.service';
import { DEFAULT_FEEDBACK } from '../src/ai/fusion';

const { values: opt } = parseArgs({
  options: {
    searches: { type: 'string', default: '100' },
    fixture: { type: 'string', default: 'realistic' },
    dir: { type: 'string' },
    'no-stats': { type: 'boolean', default: false },
    migrate: { type: 'boolean', default: false },
  },
});
const SEARCHES = Number(opt.searches);
if (!Number.isInteger(SEARCHES) || SEARCHES < 1) {
  console.error(`--searches must be a positive integer (got ${opt.searches})`);
  process.exit(2);
}

const FIXTURES = opt.fixture.split(',');
if (FIXTURES.some((f) => f !== 'realistic' && f !== 'eval31')) {
  console.error(`--fixture must be realistic, eval31 or both comma-separated (got ${opt.fixture})`);
  process.exit(2);
}

async function main(): Promise<void> {
  const summary: Record<string, { p50Ms: number; p95Ms: number }>[] = [];
  const stats: Record<string, FixtureStats> = {};
  for (const f of opt.dir ? ['(--dir)'] : FIXTURES) {
    const r = await measureFixture(f === '(--dir)' ? opt.dir! : cachedSearchFixtureDir(f as 'realistic' | 'eval31', opt.dir));
    summary.push(Object.fromEntries(Object.entries(r.steps).map(([k, v]) => [`${f}: ${k}`, v])));
    if (r.stats) stats[f] = r.stats;
  }
  if (summary.length > 1) {
    console.log('both fixtures, same run:');
    console.table(Object.assign({}, ...summary));
  }
  for (const [f, st] of Object.entries(stats)) console.log(`${f} word distribution:`, JSON.stringify(st, null, 1));
}

async function measureFixture(dir: string): Promise<{ steps: Record<string, { p50Ms: number; p95Ms: number }>; stats: FixtureStats | null }> {
  const { fixture, pgs } = await startSearchFixture(dir, opt.migrate);
  const database = createDatabase(pgs.url, 2);
  const steps = [
    'begin',
    'scope',
    'lexical BM25',
    'lexical BM25 (0104, before 0117)',
    'lexical BM25 exact (before 0084)',
    'lexical ts_rank',
    'semantic',
    'semantic LIMIT 2× (before)',
    'rows',
    'commit',
    'whole (BM25 path)',
    'search(): one statement (0098)',
    'search(): separate statements (before)',
    'search(): one statement, feedback walks again (0099)',
    'search(): one round trip (session 8, GET /search)',
  ] as const;
  // How far the common-terms ranking (0084) moves the lexical leg's first page from BM25 over every match.
  const overlap: number[] = [];
  // 0117 must rank exactly as 0104 (ids and float8 scores): searches where the two differ.
  let lexDiffer = 0;
  let stats: FixtureStats | null = null;
  const t: Record<(typeof steps)[number], number[]> = Object.fromEntries(steps.map((s) => [s, []])) as never;
  const model = (await sql<{ model: string; dimensions: number }>`SELECT model, dimensions FROM embedding_models WHERE state = 'active'`.execute(database.system)).rows[0]!;
  // The search service as GET /search runs it (one statement, db 0098) and as before (separate
  // statements), each a whole transaction as the member, its query vector the search's stored one.
  let current: number[] = [];
  const provider: EmbeddingProvider = { model: model.model, dimensions: model.dimensions, embed: (xs) => Promise.resolve(xs.map(() => current)), embedQuery: () => Promise.resolve(current) };
  const one = createSearchService({ system: database.system, providers: () => provider, embedTimeoutMs: 60_000, queryCacheSize: 0 });
  const separate = createSearchService({ system: database.system, providers: () => provider, embedTimeoutMs: 60_000, queryCacheSize: 0, statements: 'separate' });
  // Session 7: the feedback's second leg walking HNSW again (db 0099) instead of rescoring the first walk's pool (0106, the default).
  const walk = createSearchService({ system: database.system, providers: () => provider, embedTimeoutMs: 60_000, queryCacheSize: 0, feedback: { ...DEFAULT_FEEDBACK, pool: null } });
  let differ = 0;
  let rescoreDiffer = 0;
  let rescoreIdsDiffer = 0;
  let oneTripDiffer = 0;
  await prewarmSearchLeaves(database.system);
  try {
    for (let i = 0; i < SEARCHES + 10; i++) {
      const p = fixture.practices[(i * 37) % fixture.practices.length]!;
      // A stored vector of the practice as the query: its neighbourhood is real.
      const v = await sql<{ v: string }>`SELECT embedding::text AS v FROM message_embeddings WHERE practice_id = ${p.id}::uuid ORDER BY message_id OFFSET ${i} LIMIT 1`.execute(database.system);
      const vector = JSON.parse(v.rows[0]!.v) as number[];
      const terms = orQueryTerms(expandOrtho(SEARCH_QUERIES[i % SEARCH_QUERIES.length]!.q));
      const s: Partial<Record<(typeof steps)[number], number>> = {};
      const t0 = performance.now();
      let t1 = 0;
      await database.asActor({ sub: p.member }, async (trx) => {
        s.begin = performance.now() - t0;
        const timed = async <T>(name: (typeof steps)[number], fn: () => Promise<T>): Promise<T> => {
          const at = performance.now();
          const r = await fn();
          s[name] = performance.now() - at;
          return r;
        };
        // Each leg's two versions read the same pages, and whichever runs first pays for those not
        // yet in memory: the order alternates from one search to the next.
        const both = async <T>(first: () => Promise<T>, second: () => Promise<T>): Promise<[T, T]> => {
          if (i % 2 === 0) return [await first(), await second()];
          const b = await second();
          return [await first(), b];
        };
        const scope = await timed('scope', () => repo.searchScope(trx));
        // 0117 (production) and 0104's common-terms function (kept by 0117 under the ranking name
        // bm25_0104) alternate which runs first; BM25 over every match (0077) after them.
        const [lex, lexBefore] = await both(
          () => timed('lexical BM25', () => repo.lexicalBm25(trx, 'message', terms, repo.CANDIDATES, null)),
          () =>
            timed('lexical BM25 (0104, before 0117)', async () =>
              (await sql<{ id: string; rank: number }>`SELECT id, rank FROM public.search_lexical('message', ${terms}::text[], NULL::uuid[], ${repo.CANDIDATES}::int, 'bm25_0104', ${repo.BM25.k1}::float8, ${repo.BM25.b}::float8)`.execute(trx)).rows,
            ),
        );
        const lexExact = await timed('lexical BM25 exact (before 0084)', () => repo.lexicalBm25Exact(trx, 'message', terms, repo.CANDIDATES, null));
        if (lexBefore.map((h) => `${h.id} ${h.rank}`).join() !== lex.map((h) => `${h.id} ${h.rank}`).join()) lexDiffer++;
        if (lexExact.length) {
          const top = new Set(lexExact.slice(0, 10).map((h) => h.id));
          overlap.push(lex.slice(0, 10).filter((h) => top.has(h.id)).length / Math.min(10, lexExact.length));
        }
        await timed('lexical ts_rank', () => repo.lexical(trx, 'message', terms, repo.CANDIDATES, null));
        const [sem] = await both(
          () => timed('semantic', () => repo.semantic(trx, 'message', model, vector, repo.CANDIDATES, scope)),
          () => timed('semantic LIMIT 2× (before)', () => repo.semantic(trx, 'message', model, vector, repo.CANDIDATES, scope, undefined, undefined, 2)),
        );
        await timed('rows', () => repo.loadRows(trx, 'message', [...new Set([...lex.slice(0, 10), ...sem.slice(0, 10)].map((x) => x.id))]));
        t1 = performance.now();
      });
      s.commit = performance.now() - t1;
      current = vector;
      const q = SEARCH_QUERIES[i % SEARCH_QUERIES.length]!.q;
      const whole = async (
        name: 'search(): one statement (0098)' | 'search(): separate statements (before)' | 'search(): one statement, feedback walks again (0099)' | 'search(): one round trip (session 8, GET /search)',
        svc: typeof one,
      ) => {
        const at = performance.now();
        const statement = name.includes('one round trip') ? <R>(text: string) => database.asActorStatement<R>({ sub: p.member }, text) : undefined;
        const r = await svc.search((fn) => database.asActor({ sub: p.member }, fn), { q, kinds: ['message'], limit: 10 }, statement);
        s[name] = performance.now() - at;
        if (r.mode !== 'hybrid') throw new Error(`search answered ${r.mode}`);
        return r.results.map((x) => `${x.id} ${x.score}`).join();
      };
      // Alternating which runs first (the second finds the pages the first read in memory).
      const [a, b] =
        i % 2 === 0
          ? [await whole('search(): one statement (0098)', one), await whole('search(): separate statements (before)', separate)]
          : [...[await whole('search(): separate statements (before)', separate), await whole('search(): one statement (0098)', one)].reverse()];
      if (a !== b) differ++;
      // The feedback's re-walk, third in turn: both one-statement paths have read the same pages by then.
      const w = await whole('search(): one statement, feedback walks again (0099)', walk);
      // Session 8: BEGIN with the claims, search_page() and COMMIT in one round trip; the same page.
      if ((await whole('search(): one round trip (session 8, GET /search)', one)) !== a) oneTripDiffer++;
      if (w !== a) rescoreDiffer++;
      // The same texts in the same order (the scores move with the candidates' min-max range).
      const ids = (page: string) => page.split(',').map((x) => x.split(' ')[0] ?? '').join();
      if (ids(w) !== ids(a ?? '')) rescoreIdsDiffer++;
      s['whole (BM25 path)'] = performance.now() - t0 - s['lexical ts_rank']! - s['lexical BM25 exact (before 0084)']! - s['lexical BM25 (0104, before 0117)']! - s['semantic LIMIT 2× (before)']!;
      // The first ten warm the caches.
      if (i >= 10) for (const k of steps) t[k].push(s[k]!);
    }
    // After the timings, so that its full scans cannot warm or evict what they read.
    if (!opt['no-stats']) stats = await fixtureStats(database.system, fixture.practices.slice(0, 5).map((p) => p.id));
  } finally {
    await database.destroy();
    pgs.stop();
  }
  const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;
  console.log(`${SEARCHES} searches, one at a time, ${fixture.practices.length} practices (${dir})`);
  const table = steps.map((k) => ({ step: k, p50Ms: Number(pct(t[k], 0.5).toFixed(2)), p95Ms: Number(pct(t[k], 0.95).toFixed(2)), meanMs: Number((t[k].reduce((a, b) => a + b, 0) / t[k].length).toFixed(2)) }));
  console.table(table);
  console.log(`search(): one statement vs separate statements: ${differ} of ${SEARCHES + 10} pages differ (ids and scores)`);
  console.log(`lexical BM25, 0117 vs 0104 (bm25_0104): ${lexDiffer} of ${SEARCHES + 10} candidate lists differ (ids and scores)`);
  console.log(`search(): one round trip (session 8) vs one statement in a Kysely transaction: ${oneTripDiffer} of ${SEARCHES + 10} pages differ (ids and scores)`);
  console.log(`search(): feedback rescoring the pool (0106) vs walking again (0099): ${rescoreDiffer} of ${SEARCHES + 10} pages differ (ids and scores), ${rescoreIdsDiffer} in their ids or order`);
  const mean = overlap.reduce((a, b) => a + b, 0) / Math.max(1, overlap.length);
  console.log(
    `lexical top 10, common terms (0084) vs every match (0077): mean overlap ${mean.toFixed(3)} over ${overlap.length} searches with matches; identical ${overlap.filter((x) => x === 1).length}, none in common ${overlap.filter((x) => x === 0).length}`,
  );
  return { steps: Object.fromEntries(table.map((x) => [x.step, { p50Ms: x.p50Ms, p95Ms: x.p95Ms }])), stats };
}

runBench(main);
