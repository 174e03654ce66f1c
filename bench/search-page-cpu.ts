/**
 * Where one GET /search's CPU goes outside its two legs (session 9, search-page): the same
 * searches, one at a time on one connection, as (a) the production search (the search service,
 * one round trip: BEGIN with the claims, `search_page()`, COMMIT), (b) each leg alone as the
 * function runs it (the lexical leg's `search_lexical()`, the semantic leg's HNSW walk with its
 * pool), (c) an empty round trip (BEGIN with the claims, `SELECT 1`, COMMIT) and (d) the
 * production search without the feedback. For each: wall time, the database backend's CPU
 * (its time on a CPU, /proc/<pid>/schedstat, summed over every search of the method) and
 * this process's CPU (process.cpuUsage(): the service's TypeScript, building the statement, the
 * driver's parse). What is neither leg = production − lexical − semantic. Methods alternate
 * search by search (a rotating order), so load drifts hit them alike. A measurement, not a test.
 *
 * --before (session 10, s-lex) adds the production search and the lexical leg alone with the lexical
 * leg as before db 0133 (search_lexical(…, 'bm25_0117'): 0076's caller check, 0117's ranking),
 * interleaved with the others: before/after in the same run.
 *
 *   flock /tmp/mdw-bench.lock npx tsx bench/search-page-cpu.ts --dir <fixture copy> [--searches 200] [--methods 0,1] [--before] [--migrate]
 *     [--variants 'c=40,f=1.2,ef=40,k=3;c=30']
 *
 * --variants (s-knobs, session 10): the production search again at other sizes, one method each
 * (src/ai/eval/search-sizes.ts: c = candidates per leg, f = the walk's pool per candidate, ef =
 * hnsw.ef_search, k = the feedback's top texts; what a variant leaves out is the default).
 * Each variant's page (its ids in order) is compared with the production page of the same search:
 * `samePage` is how many of the searches gave the same 10 ids in the same order, `overlap10` the
 * mean share of the production page's ids on it.
 *
 * Pending migrations are applied to the fixture only with --migrate (bench/fixture-migrations.ts).
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { runBench } from './fixture-migrations';
import { cachedSearchFixtureDir, prewarmSearchLeaves, schedCpuMs, startSearchFixture } from './search-fixture-dir';
import { SEARCH_QUERIES } from '../src/ai/eval/search-set';
import { correctSpelling, expandOrtho, orQueryTerms } from '../src/ai/text';
import { createDatabase } from '../src/db/database';
import * as repo from '../src/repositories/search.repository';
import type { EmbeddingProvider } from '../src/ai/providers/types';
import { createSearchService } from '../src/services/search.service';
import { parseSearchSizes, searchSizeDeps, type SearchSize } from '../src/ai/eval/search-sizes';

const { values: opt } = parseArgs({
  options: { searches: { type: 'string', default: '200' }, dir: { type: 'string' }, methods: { type: 'string' }, before: { type: 'boolean', default: false }, migrate: { type: 'boolean', default: false }, variants: { type: 'string' } },
});
const SEARCHES = Number(opt.searches);
if (!Number.isInteger(SEARCHES) || SEARCHES < 1) {
  console.error(`--searches must be a positive integer (got ${opt.searches})`);
  process.exit(2);
}
let VARIANTS: SearchSize[];
try {
  VARIANTS = opt.variants ? parseSearchSizes(opt.variants) : [];
} catch (err) {
  console.error(`--variants: ${(err as Error).message}`);
  process.exit(2);
}
async function main(): Promise<void> {
  const dir = cachedSearchFixtureDir('realistic', opt.dir);
  const { fixture, pgs } = await startSearchFixture(dir, opt.migrate);
  // One connection: every statement of every method runs in the same backend, whose CPU we read.
  const database = createDatabase(pgs.url, 1);
  try {
    const model = (await sql<{ model: string; dimensions: number }>`SELECT model, dimensions FROM embedding_models WHERE state = 'active'`.execute(database.system)).rows[0]!;
    await prewarmSearchLeaves(database.system);
    // The walk alone runs outside search_page(), whose SET clause gives it these two.
    await sql`SET hnsw.iterative_scan = 'relaxed_order'`.execute(database.system);
    await sql.raw(`SET hnsw.ef_search = ${repo.HNSW_EF_SEARCH}`).execute(database.system);
    const pid = (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(database.system)).rows[0]!.pid;

    const queries: { member: string; practice: string; q: string; vector: number[] }[] = [];
    for (let i = 0; i < SEARCHES + 10; i++) {
      const p = fixture.practices[(i * 37) % fixture.practices.length]!;
      const v = await sql<{ v: string }>`SELECT embedding::text AS v FROM message_embeddings WHERE practice_id = ${p.id}::uuid ORDER BY message_id OFFSET ${i} LIMIT 1`.execute(database.system);
      queries.push({ member: p.member, practice: p.id, q: SEARCH_QUERIES[i % SEARCH_QUERIES.length]!.q, vector: JSON.parse(v.rows[0]!.v) as number[] });
    }
    let current: number[] = [];
    const provider: EmbeddingProvider = { model: model.model, dimensions: model.dimensions, embed: (xs) => Promise.resolve(xs.map(() => current)), embedQuery: () => Promise.resolve(current) };
    const production = createSearchService({ system: database.system, providers: () => provider, embedTimeoutMs: 60_000, queryCacheSize: 0 });
    const noFeedback = createSearchService({ system: database.system, providers: () => provider, embedTimeoutMs: 60_000, queryCacheSize: 0, feedback: null });
    const before0133 = createSearchService({ system: database.system, providers: () => provider, embedTimeoutMs: 60_000, queryCacheSize: 0, lexicalRanking: 'bm25_0117' });
    const first = Math.ceil(repo.CANDIDATES * repo.SEMANTIC_OVERFETCH);
    type Q = (typeof queries)[number];
    const asPage = (run: (q: Q) => Promise<{ results: { id: string }[] }>) => async (q: Q) => (await run(q)).results.map((r) => r.id);
    const methods: { name: string; run: (q: Q) => Promise<unknown> }[] = [
      {
        name: 'production: search service, one round trip',
        run: asPage((q) => production.search((fn) => database.asActor({ sub: q.member }, fn), { q: q.q, kinds: ['message'], limit: 10 }, (text) => database.asActorStatement({ sub: q.member }, text))),
      },
      {
        name: 'production without the feedback',
        run: (q) => noFeedback.search((fn) => database.asActor({ sub: q.member }, fn), { q: q.q, kinds: ['message'], limit: 10 }, (text) => database.asActorStatement({ sub: q.member }, text)),
      },
      {
        name: 'lexical leg alone (search_lexical, round trip)',
        run: (q) =>
          database.asActorStatement(
            { sub: q.member },
            `SELECT id, rank FROM public.search_lexical('message', ${repo.sqlLiteral(orQueryTerms(expandOrtho(correctSpelling(q.q))))}::text[], NULL::uuid[], ${repo.CANDIDATES}, 'bm25', ${repo.BM25.k1}, ${repo.BM25.b})`,
          ),
      },
      {
        // search_page()'s first walk as it builds it (0119, rescoring on: the pool's halfvecs too).
        name: 'semantic walk alone (with its pool, round trip)',
        run: (q) =>
          database.asActorStatement(
            { sub: q.member },
            `WITH nearest AS MATERIALIZED (
               SELECT e.message_id AS id, e.content_text, e.embedding::halfvec(384) <=> '[${q.vector.join(',')}]'::halfvec(384) AS distance, e.embedding::halfvec(384) AS h
                 FROM public.message_embeddings e
                WHERE e.model = '${model.model}' AND e.practice_id = '${q.practice}'::uuid
                ORDER BY e.embedding::halfvec(384) <=> '[${q.vector.join(',')}]'::halfvec(384)
                LIMIT ${first}
             ), best AS (SELECT DISTINCT ON (n.id) n.id, 1 - n.distance AS similarity, n.content_text FROM nearest n ORDER BY n.id, n.distance)
             SELECT coalesce(array_agg(b.id ORDER BY b.similarity DESC, b.id), '{}'), coalesce(array_agg(b.similarity ORDER BY b.similarity DESC, b.id), '{}'),
                    coalesce(array_agg(b.content_text ORDER BY b.similarity DESC, b.id), '{}'), (SELECT count(*) FROM nearest)::int,
                    (SELECT coalesce(array_agg(n.id), '{}') FROM nearest n), (SELECT coalesce(array_agg(n.content_text), '{}') FROM nearest n), (SELECT coalesce(array_agg(n.h), '{}') FROM nearest n)
               FROM best b`,
          ),
      },
      { name: 'empty round trip (BEGIN with the claims, SELECT 1, COMMIT)', run: (q) => database.asActorStatement({ sub: q.member }, 'SELECT 1') },
      ...VARIANTS.map((v) => {
        const svc = createSearchService({
          system: database.system,
          providers: () => provider,
          embedTimeoutMs: 60_000,
          queryCacheSize: 0,
          ...searchSizeDeps(v),
        });
        return { name: `production ${v.name}`, run: asPage((q: Q) => svc.search((fn) => database.asActor({ sub: q.member }, fn), { q: q.q, kinds: ['message'], limit: 10 }, (text) => database.asActorStatement({ sub: q.member }, text))) };
      }),
    ];
    if (opt.before) {
      methods.push(
        {
          name: 'production, lexical leg before 0133 (bm25_0117)',
          run: (q) => before0133.search((fn) => database.asActor({ sub: q.member }, fn), { q: q.q, kinds: ['message'], limit: 10 }, (text) => database.asActorStatement({ sub: q.member }, text)),
        },
        {
          name: 'lexical leg alone before 0133 (bm25_0117)',
          run: (q) =>
            database.asActorStatement(
              { sub: q.member },
              `SELECT id, rank FROM public.search_lexical('message', ${repo.sqlLiteral(orQueryTerms(expandOrtho(correctSpelling(q.q))))}::text[], NULL::uuid[], ${repo.CANDIDATES}, 'bm25_0117', ${repo.BM25.k1}, ${repo.BM25.b})`,
            ),
        },
      );
    }
    const productionIndex = 0;
    // --methods 0,2: only those (the table's indexes), e.g. to read pg_stat_statements of one.
    if (opt.methods) {
      const keep = new Set(opt.methods.split(',').map(Number));
      methods.splice(0, methods.length, ...methods.filter((_, k) => keep.has(k)));
    }
    const stats = methods.map(() => ({ wall: [] as number[], backendMs: 0, nodeUs: 0, same: 0, overlap: 0, compared: 0 }));
    const isPage = (x: unknown): x is string[] => Array.isArray(x) && x.every((id) => typeof id === 'string');
    const keepsProduction = methods[productionIndex]?.name.startsWith('production: ') ?? false;
    for (let i = 0; i < queries.length; i++) {
      const q = queries[i]!;
      current = q.vector;
      const pages: unknown[] = methods.map(() => undefined);
      for (let j = 0; j < methods.length; j++) {
        const m = (i + j) % methods.length;
        const b0 = schedCpuMs(pid);
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        pages[m] = await methods[m]!.run(q);
        const wall = performance.now() - t0;
        const c = process.cpuUsage(c0);
        const b = schedCpuMs(pid) - b0;
        // The first ten warm the caches.
        if (i >= 10) {
          stats[m]!.wall.push(wall);
          stats[m]!.backendMs += b;
          stats[m]!.nodeUs += c.user + c.system;
        }
      }
      const ref = pages[productionIndex];
      if (i >= 10 && keepsProduction && isPage(ref)) {
        methods.forEach((_, m) => {
          const page = pages[m];
          if (!isPage(page)) return;
          const s = stats[m]!;
          s.compared++;
          if (page.length === ref.length && page.every((id, k) => id === ref[k])) s.same++;
          s.overlap += ref.length ? page.filter((id) => ref.includes(id)).length / ref.length : 1;
        });
      }
    }
    const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
    console.log(`${SEARCHES} searches each, one at a time, one connection (${dir})`);
    console.table(
      methods.map((m, k) => {
        const s = stats[k]!;
        return {
          method: m.name,
          p50Ms: Number(pct(s.wall, 0.5).toFixed(2)),
          meanMs: Number((s.wall.reduce((a, b) => a + b, 0) / s.wall.length).toFixed(2)),
          backendCpuMs: Number((s.backendMs / s.wall.length).toFixed(3)),
          nodeCpuMs: Number((s.nodeUs / 1000 / s.wall.length).toFixed(3)),
          ...(s.compared ? { samePage: `${s.same}/${s.compared}`, overlap10: Number((s.overlap / s.compared).toFixed(3)) } : {}),
        };
      }),
    );
  } finally {
    await database.destroy();
    pgs.stop();
  }
}

runBench(main);
