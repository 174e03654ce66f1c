/**
 * What each labelled query costs (session 11, s-tail): the tail of GET /search at 10 clients is
 * partly the spread of the searches' own cost, so every labelled query (ALL_QUERIES, 295) is run one
 * at a time on one connection, --reps times (each rep another practice and one of its stored
 * vectors as the query vector), as (a) the production route (the search service, one round trip,
 * with the page's PHI log, as GET /search runs it) and (b) its lexical leg alone (search_lexical(),
 * one round trip), alternating. Per search the backend's CPU (/proc/<pid>/schedstat), per query the
 * median over its reps. Printed: p50 / p95 / max over the queries of each, the heaviest queries with
 * what the lexical leg faces (lexemes of the expanded query, how many of the practice's messages
 * match any, the most common lexeme's share of them), and the correlation of the production cost
 * with the lexical leg's. Last, what that spread alone does to the latency at 10 clients: a closed loop of
 * 10 clients on 2 ideal cores simulated with the measured costs (every search's, drawn at random), at
 * each admission limit (first in, first out; the admitted share the cores equally): p95 / mean, the
 * ratio bench:search measures (~1.4–1.5 on this machine), here with no scheduler, no handoffs and no
 * other load. A measurement, not a test.
 *
 *   nice -n 5 npx tsx bench/search-query-cost.ts --dir <100k fixture copy> [--reps 3] [--top 15]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { runBench } from './fixture-migrations';
import { prewarmSearchLeaves, schedCpuMs, startSearchFixture } from './search-fixture-dir';
import { ALL_QUERIES } from '../src/ai/eval/search-set';
import { correctSpelling, expandOrtho, orQueryTerms } from '../src/ai/text';
import { createDatabase } from '../src/db/database';
import * as repo from '../src/repositories/search.repository';
import type { EmbeddingProvider } from '../src/ai/providers/types';
import { createSearchService, SEARCH_READ } from '../src/services/search.service';

const { values: opt } = parseArgs({ options: { dir: { type: 'string' }, reps: { type: 'string', default: '3' }, top: { type: 'string', default: '15' }, migrate: { type: 'boolean', default: false } } });
const REPS = Number(opt.reps);
const TOP = Number(opt.top);
if (!opt.dir || !Number.isInteger(REPS) || REPS < 1 || !Number.isInteger(TOP) || TOP < 1) {
  console.error('usage: search-query-cost.ts --dir <fixture copy> [--reps N ≥ 1] [--top N ≥ 1] [--migrate]');
  process.exit(2);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const r3 = (x: number) => Number(x.toFixed(3));

async function main(): Promise<void> {
  const { fixture, pgs } = await startSearchFixture(opt.dir!, opt.migrate);
  const database = createDatabase(pgs.url, 1);
  try {
    const model = (await sql<{ model: string; dimensions: number }>`SELECT model, dimensions FROM embedding_models WHERE state = 'active'`.execute(database.system)).rows[0]!;
    await prewarmSearchLeaves(database.system);
    const pid = (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(database.system)).rows[0]!.pid;
    let current: number[] = [];
    const provider: EmbeddingProvider = { model: model.model, dimensions: model.dimensions, embed: (xs) => Promise.resolve(xs.map(() => current)), embedQuery: () => Promise.resolve(current) };
    const production = createSearchService({ system: database.system, providers: () => provider, embedTimeoutMs: 60_000, queryCacheSize: 0 });
    // One stored vector per (practice, rep), normalised as a model's output is.
    const vectors = new Map<string, number[]>();
    const vectorOf = async (practice: string, k: number) => {
      const key = `${practice}/${k}`;
      if (!vectors.has(key)) {
        const v = await sql<{ v: string }>`SELECT embedding::text AS v FROM message_embeddings WHERE practice_id = ${practice}::uuid ORDER BY message_id OFFSET ${k} LIMIT 1`.execute(database.system);
        const raw = JSON.parse(v.rows[0]!.v) as number[];
        const norm = Math.sqrt(raw.reduce((a, x) => a + x * x, 0));
        vectors.set(key, Array.from(new Float32Array(raw.map((x) => x / norm))));
      }
      return vectors.get(key)!;
    };
    type Cost = { prod: number[]; lex: number[]; wall: number[] };
    const costs: Cost[] = ALL_QUERIES.map(() => ({ prod: [], lex: [], wall: [] }));
    const run = async (i: number, rep: number, measureIt: boolean) => {
      const { q } = ALL_QUERIES[i]!;
      const p = fixture.practices[(i * 7 + rep * 3) % fixture.practices.length]!;
      current = await vectorOf(p.id, (i + rep * 11) % 50);
      const terms = orQueryTerms(expandOrtho(correctSpelling(q.q)));
      const steps = [
        async () => {
          const t0 = performance.now();
          const b0 = schedCpuMs(pid);
          await production.search((fn) => database.asActor({ sub: p.member }, fn), { q: q.q, kinds: ['message'], limit: 10, audit: SEARCH_READ }, (text) => database.asActorStatement({ sub: p.member }, text));
          if (measureIt) {
            costs[i]!.prod.push(schedCpuMs(pid) - b0);
            costs[i]!.wall.push(performance.now() - t0);
          }
        },
        async () => {
          const b0 = schedCpuMs(pid);
          await database.asActorStatement(
            { sub: p.member },
            `SELECT id, rank FROM public.search_lexical('message', ${repo.sqlLiteral(terms)}::text[], ARRAY[${repo.sqlLiteral(p.id)}]::uuid[], ${repo.CANDIDATES}, 'bm25', ${repo.BM25.k1}, ${repo.BM25.b})`,
          );
          if (measureIt) costs[i]!.lex.push(schedCpuMs(pid) - b0);
        },
      ];
      // Alternate which goes first, so that neither always runs on the other's warm caches.
      for (const s of (i + rep) % 2 ? steps : [...steps].reverse()) await s();
    };
    // Warm-up: every query once (plans of every connection-level cache, the buffers).
    for (let i = 0; i < ALL_QUERIES.length; i++) await run(i, REPS, false);
    for (let rep = 0; rep < REPS; rep++) for (let i = 0; i < ALL_QUERIES.length; i++) await run(i, rep, true);

    const per = ALL_QUERIES.map(({ q, split }, i) => ({ i, q: q.q, split, prod: median(costs[i]!.prod), lex: median(costs[i]!.lex), wall: median(costs[i]!.wall), prodMax: Math.max(...costs[i]!.prod) }));
    const summary = (xs: number[]) => ({ p50: r3(pct(xs, 0.5)), p95: r3(pct(xs, 0.95)), max: r3(Math.max(...xs)), mean: r3(xs.reduce((a, b) => a + b, 0) / xs.length) });
    const all = costs.flatMap((c) => c.prod);
    console.log(`${ALL_QUERIES.length} labelled queries × ${REPS} reps, one at a time, one connection (${opt.dir}); backend CPU ms`);
    console.table({
      'production route, per query (median of reps)': summary(per.map((x) => x.prod)),
      'production route, every search': summary(all),
      'lexical leg alone, per query': summary(per.map((x) => x.lex)),
      'production minus lexical, per query': summary(per.map((x) => x.prod - x.lex)),
      'production route wall ms, per query': summary(per.map((x) => x.wall)),
    });
    // Pearson correlation of the production cost with the lexical leg's, over the queries.
    const mx = per.reduce((a, x) => a + x.prod, 0) / per.length;
    const my = per.reduce((a, x) => a + x.lex, 0) / per.length;
    const cov = per.reduce((a, x) => a + (x.prod - mx) * (x.lex - my), 0);
    const corr = cov / Math.sqrt(per.reduce((a, x) => a + (x.prod - mx) ** 2, 0) * per.reduce((a, x) => a + (x.lex - my) ** 2, 0));
    console.log(`correlation (production, lexical) over the queries: ${corr.toFixed(3)}`);

    // What the lexical leg faces for the heaviest and the cheapest queries, in the first rep's practice.
    const describe = async (x: (typeof per)[number]) => {
      const p = fixture.practices[(x.i * 7) % fixture.practices.length]!;
      const terms = orQueryTerms(expandOrtho(correctSpelling(x.q)));
      const f = await sql<{ lexemes: number; matches: number; total: number; top: string | null; topdf: number | null }>`
        WITH lx AS (SELECT unnest(tsvector_to_array(to_tsvector('english', array_to_string(${terms}::text[], ' ')))) AS l),
             d AS (SELECT fts FROM search_index.documents WHERE practice_id = ${p.id}::uuid AND kind = 'message'),
             df AS (SELECT lx.l, (SELECT count(*) FROM d WHERE d.fts @@ quote_literal(lx.l)::tsquery)::int AS n FROM lx)
        SELECT (SELECT count(*) FROM lx)::int AS lexemes,
               (SELECT count(*) FROM d WHERE d.fts @@ (SELECT string_agg(quote_literal(l), ' | ')::tsquery FROM lx))::int AS matches,
               (SELECT count(*) FROM d)::int AS total,
               (SELECT l FROM df ORDER BY n DESC LIMIT 1) AS top, (SELECT max(n) FROM df)::int AS topdf`.execute(database.system);
      const r = f.rows[0]!;
      return {
        id: `${x.split}#${x.i}`,
        query: x.q.slice(0, 44),
        prodMs: r3(x.prod),
        lexMs: r3(x.lex),
        restMs: r3(x.prod - x.lex),
        lexemes: r.lexemes,
        matchShare: r3(r.matches / r.total),
        commonest: `${r.top} ${r.topdf === null ? '' : r3(r.topdf / r.total)}`,
        terms: terms.length,
      };
    };
    const byCost = [...per].sort((a, b) => b.prod - a.prod);
    console.log(`the ${TOP} heaviest queries (production route, median backend CPU over reps)`);
    console.table(await Promise.all(byCost.slice(0, TOP).map(describe)));
    console.log('the 5 cheapest');
    console.table(await Promise.all(byCost.slice(-5).map(describe)));
    console.log('10 closed-loop clients on 2 ideal cores, each search costing a measured search (every rep), 200,000 searches per limit');
    console.table(Object.fromEntries([1, 2, 3, 4, 6, 8, 10].map((limit) => [`admission ${limit}`, simulate(all, 10, 2, limit, 200_000)])));
  } finally {
    await database.destroy();
    pgs.stop();
  }
}

/**
 * A closed loop of `clients` on `cores` ideal cores: at most `limit` searches in service, the rest wait
 * first in, first out; the admitted share the cores equally (each runs at min(1, cores / admitted)),
 * nothing else runs. Each search's CPU is drawn from `costs` (seeded). Latency = queue + service.
 */
function simulate(costs: number[], clients: number, cores: number, limit: number, searches: number) {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const draw = () => costs[Math.floor(rnd() * costs.length)]!;
  let now = 0;
  const queue: number[] = []; // arrival times
  const running: { left: number; arrived: number }[] = [];
  const latencies: number[] = [];
  const admit = () => {
    while (running.length < limit && queue.length) running.push({ left: draw(), arrived: queue.shift()! });
  };
  for (let c = 0; c < clients; c++) queue.push(0);
  admit();
  while (latencies.length < searches) {
    const rate = Math.min(1, cores / running.length);
    let k = 0;
    for (let j = 1; j < running.length; j++) if (running[j]!.left < running[k]!.left) k = j;
    const dt = running[k]!.left / rate;
    now += dt;
    for (const r of running) r.left -= dt * rate;
    const [done] = running.splice(k, 1);
    latencies.push(now - done!.arrived);
    queue.push(now); // the client sends its next search at once
    admit();
  }
  const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
  const p95 = pct(latencies, 0.95);
  return { meanMs: r3(mean), p95Ms: r3(p95), p95OverMean: r3(p95 / mean), perSecond: Math.round((1000 * latencies.length) / now) };
}

runBench(main);
