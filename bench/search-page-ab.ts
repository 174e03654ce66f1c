/**
 * Two definitions of `public.search_page()` side by side in one run, one search at a time: each
 * round installs one migration file's definition (CREATE OR REPLACE), runs the same searches as
 * bench:search-steps (the search service's one-statement path as a practice member under RLS, its
 * query vector a stored one of the practice), then the other's; rounds alternate which goes first.
 * Also counts searches whose pages (ids and scores) differ between the two. --a/--b name a file of
 * db/migrations, or with a slash a file from the repository's root (session 10: bench/sql/
 * search-lexical-0117.sql, search_lexical() before 0133, vs 0133). Session 8: 0107 vs
 * 0119 (the feedback's q' in SQL instead of PL/pgSQL loops). Session 9: one connection, one round
 * trip per search (GET /search's path), and the backend's CPU per search (/proc utime + stime).
 *
 * It REPLACES the function in the database it runs on, so it needs --dir: a copy of a cached
 * fixture (`cp -a /var/cache/mdw/bench-search/realistic-… <copy>`), never the shared cache. The
 * last definition named stays installed.
 *
 *   flock /tmp/mdw-bench.lock npx tsx bench/search-page-ab.ts --dir <copy> [--a 0107_search_page_rescore_once.sql] [--b 0119_search_page_feedback_sql.sql] [--searches 60] [--rounds 3]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { startEmbeddedPostgres } from '../scripts/lib/embedded-postgres';
import { SEARCH_QUERIES } from '../src/ai/eval/search-set';
import type { EmbeddingProvider } from '../src/ai/providers/types';
import { createDatabase } from '../src/db/database';
import { createSearchService } from '../src/services/search.service';
import { refreshLexicalStats } from './fixture-migrations';
import { prewarmSearchLeaves } from './search-fixture-dir';

const { values: opt } = parseArgs({
  options: {
    dir: { type: 'string' },
    a: { type: 'string', default: '0107_search_page_rescore_once.sql' },
    b: { type: 'string', default: '0119_search_page_feedback_sql.sql' },
    searches: { type: 'string', default: '60' },
    rounds: { type: 'string', default: '3' },
  },
});
const SEARCHES = Number(opt.searches);
const ROUNDS = Number(opt.rounds);
if (!opt.dir || !Number.isInteger(SEARCHES) || SEARCHES < 1 || !Number.isInteger(ROUNDS) || ROUNDS < 1) {
  console.error('usage: --dir <a copy of a cached bench:search fixture> [--searches N ≥ 1] [--rounds N ≥ 1] (it replaces search_page() there)');
  process.exit(2);
}

async function main(): Promise<void> {
  const dir = opt.dir!;
  const fixture = JSON.parse(readFileSync(path.join(dir, 'fixture.json'), 'utf8')) as { practices: { id: string; member: string }[] };
  const pgs = await startEmbeddedPostgres({ dataDir: dir, database: 'mdw_search_bench', ephemeral: true, settings: { shared_buffers: '4GB', effective_cache_size: '12GB' } });
  // One connection (session 9): every search runs in the same backend, whose CPU is read from /proc.
  const database = createDatabase(pgs.url, 1);
  // A migration's file name, or (with a slash) a path from the repository's root, e.g. bench/sql/….
  const defs = [opt.a, opt.b].map((f) => ({ name: f, sql: readFileSync(f.includes('/') ? path.join(__dirname, '..', f) : path.join(__dirname, '..', 'db', 'migrations', f), 'utf8') }));
  const model = (await sql<{ model: string; dimensions: number }>`SELECT model, dimensions FROM embedding_models WHERE state = 'active'`.execute(database.system)).rows[0]!;
  let current: number[] = [];
  const provider: EmbeddingProvider = { model: model.model, dimensions: model.dimensions, embed: (xs) => Promise.resolve(xs.map(() => current)), embedQuery: () => Promise.resolve(current) };
  const service = createSearchService({ system: database.system, providers: () => provider, embedTimeoutMs: 60_000, queryCacheSize: 0 });
  await prewarmSearchLeaves(database.system);
  // The searches: a practice, a stored vector of it, a labelled query's words (as bench:search-steps).
  const searches: { member: string; vector: number[]; q: string }[] = [];
  for (let i = 0; i < SEARCHES; i++) {
    const p = fixture.practices[(i * 37) % fixture.practices.length]!;
    const v = await sql<{ v: string }>`SELECT embedding::text AS v FROM message_embeddings WHERE practice_id = ${p.id}::uuid ORDER BY message_id OFFSET ${i} LIMIT 1`.execute(database.system);
    searches.push({ member: p.member, vector: JSON.parse(v.rows[0]!.v) as number[], q: SEARCH_QUERIES[i % SEARCH_QUERIES.length]!.q });
  }
  const ms: Record<string, number[]> = Object.fromEntries(defs.map((d) => [d.name, []]));
  const pid = (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(database.system)).rows[0]!.pid;
  const ticks = (): number => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime, 10 ms each
  };
  const cpuMs: Record<string, number> = Object.fromEntries(defs.map((d) => [d.name, 0]));
  const pages: Record<string, string[]> = Object.fromEntries(defs.map((d) => [d.name, []]));
  try {
    for (let r = 0; r < ROUNDS; r++) {
      for (const d of r % 2 === 0 ? defs : [...defs].reverse()) {
        await sql.raw(d.sql).execute(database.system);
        // db 0168's statistics copy made current (as the worker keeps it) once a definition has created it.
        await refreshLexicalStats(pgs.url);
        for (let i = -5; i < SEARCHES; i++) {
          const s = searches[(i + SEARCHES) % SEARCHES]!;
          current = s.vector;
          const b0 = ticks();
          const t0 = performance.now();
          // As GET /search runs it since session 8: one round trip.
          const res = await service.search((fn) => database.asActor({ sub: s.member }, fn), { q: s.q, kinds: ['message'], limit: 10 }, (text) => database.asActorStatement({ sub: s.member }, text));
          const took = performance.now() - t0;
          if (i >= 0) cpuMs[d.name]! += (ticks() - b0) * 10;
          if (res.mode !== 'hybrid') throw new Error(`search answered ${res.mode}`);
          // The first five warm the new definition's plans up.
          if (i < 0) continue;
          ms[d.name]!.push(took);
          if (r === 0) pages[d.name]![i] = res.results.map((x) => `${x.id} ${x.score} ${x.snippet}`).join('|');
        }
      }
    }
  } finally {
    await sql.raw(defs[1]!.sql).execute(database.system);
    await database.destroy();
    pgs.stop();
  }
  const pct = (xs: number[], q: number) => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;
  const differ = pages[defs[0]!.name]!.filter((p, i) => p !== pages[defs[1]!.name]![i]).length;
  console.log(`${SEARCHES} searches × ${ROUNDS} rounds per definition, one at a time (${dir}); pages differing: ${differ} of ${SEARCHES}`);
  console.table(defs.map((d) => ({ definition: d.name, samples: ms[d.name]!.length, p50Ms: Number(pct(ms[d.name]!, 0.5).toFixed(2)), p95Ms: Number(pct(ms[d.name]!, 0.95).toFixed(2)), meanMs: Number((ms[d.name]!.reduce((x, y) => x + y, 0) / ms[d.name]!.length).toFixed(2)), backendCpuMsPerSearch: Number((cpuMs[d.name]! / ms[d.name]!.length).toFixed(3)) })));
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
