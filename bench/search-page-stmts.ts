/**
 * Where one definition of `public.search_page()` spends its time, statement by statement: installs
 * a migration file's definition (CREATE OR REPLACE), runs the production search (as
 * search-page-ab.ts: the search service's one round trip as a practice member under RLS, a stored
 * vector of the practice as the query vector) one at a time on one connection, with
 * pg_stat_statements tracking nested statements (track = all, track_planning = on), and prints
 * each statement's execution and planning time per search, biggest first (the nested statements'
 * times are included in their callers'). Session 11, s-walkq.
 *
 * The server is started here with pg_stat_statements preloaded, so no server may be running on the
 * copy. It REPLACES the function in the database it runs on, so it needs --dir: a copy of a cached
 * fixture, never the shared cache.
 *
 *   nice -n 5 npx tsx bench/search-page-stmts.ts --dir <copy> --def 0131_search_page_lean_feedback.sql [--searches 300] [--top 25]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { startEmbeddedPostgres } from '../scripts/lib/embedded-postgres';
import { SEARCH_QUERIES } from '../src/ai/eval/search-set';
import type { EmbeddingProvider } from '../src/ai/providers/types';
import { createDatabase } from '../src/db/database';
import { createSearchService } from '../src/services/search.service';
import { prewarmSearchLeaves } from './search-fixture-dir';

const { values: opt } = parseArgs({
  options: {
    dir: { type: 'string' },
    def: { type: 'string', default: '0131_search_page_lean_feedback.sql' },
    searches: { type: 'string', default: '300' },
    top: { type: 'string', default: '25' },
    explain: { type: 'string', default: '0' },
  },
});
const SEARCHES = Number(opt.searches);
const TOP = Number(opt.top);
// --explain N: N more searches with auto_explain logging every nested statement's plan (ANALYZE,
// BUFFERS) into the server's log, printed at the end.
const EXPLAIN = Number(opt.explain);
if (!opt.dir || !Number.isInteger(SEARCHES) || SEARCHES < 1 || !Number.isInteger(TOP) || TOP < 1) {
  console.error('usage: --dir <a copy of a cached bench:search fixture> [--def <migration file>] [--searches N ≥ 1] [--top N ≥ 1] (it replaces search_page() there)');
  process.exit(2);
}

async function main(): Promise<void> {
  const dir = opt.dir!;
  const fixture = JSON.parse(readFileSync(path.join(dir, 'fixture.json'), 'utf8')) as { practices: { id: string; member: string }[] };
  const pgs = await startEmbeddedPostgres({
    dataDir: dir,
    database: 'mdw_search_bench',
    ephemeral: true,
    settings: { shared_buffers: '4GB', effective_cache_size: '12GB', shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all', 'pg_stat_statements.track_planning': 'on',
      ...(EXPLAIN > 0
        ? { session_preload_libraries: 'auto_explain', 'auto_explain.log_min_duration': '0', 'auto_explain.log_analyze': 'on', 'auto_explain.log_buffers': 'on', 'auto_explain.log_nested_statements': 'on', 'auto_explain.log_timing': 'on', 'auto_explain.log_triggers': 'on', 'auto_explain.log_level': 'LOG' }
        : {}),
    },
  });
  const database = createDatabase(pgs.url, 1);
  try {
    const def = readFileSync(opt.def!.includes('/') ? path.join(__dirname, '..', opt.def!) : path.join(__dirname, '..', 'db', 'migrations', opt.def!), 'utf8');
    await sql`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`.execute(database.system);
    const model = (await sql<{ model: string; dimensions: number }>`SELECT model, dimensions FROM embedding_models WHERE state = 'active'`.execute(database.system)).rows[0]!;
    let current: number[] = [];
    const provider: EmbeddingProvider = { model: model.model, dimensions: model.dimensions, embed: (xs) => Promise.resolve(xs.map(() => current)), embedQuery: () => Promise.resolve(current) };
    const service = createSearchService({ system: database.system, providers: () => provider, embedTimeoutMs: 60_000, queryCacheSize: 0 });
    await prewarmSearchLeaves(database.system);
    const searches: { member: string; vector: number[]; q: string }[] = [];
    for (let i = 0; i < Math.min(SEARCHES, 100); i++) {
      const p = fixture.practices[(i * 37) % fixture.practices.length]!;
      const v = await sql<{ v: string }>`SELECT embedding::text AS v FROM message_embeddings WHERE practice_id = ${p.id}::uuid ORDER BY message_id OFFSET ${i} LIMIT 1`.execute(database.system);
      searches.push({ member: p.member, vector: JSON.parse(v.rows[0]!.v) as number[], q: SEARCH_QUERIES[i % SEARCH_QUERIES.length]!.q });
    }
    await sql.raw(def).execute(database.system);
    const one = async (i: number): Promise<void> => {
      const s = searches[i % searches.length]!;
      current = s.vector;
      const res = await service.search((fn) => database.asActor({ sub: s.member }, fn), { q: s.q, kinds: ['message'], limit: 10 }, (text) => database.asActorStatement({ sub: s.member }, text));
      if (res.mode !== 'hybrid') throw new Error(`search answered ${res.mode}`);
    };
    for (let i = 0; i < 20; i++) await one(i);
    if (EXPLAIN > 0) {
      const logFile = path.join(dir, 'pgdata', 'server.log');
      const before = readFileSync(logFile, 'utf8').length;
      for (let i = 0; i < EXPLAIN; i++) await one(i);
      console.log(readFileSync(logFile, 'utf8').slice(before));
      return;
    }
    await sql`SELECT pg_stat_statements_reset()`.execute(database.system);
    for (let i = 0; i < SEARCHES; i++) await one(i);
    const rows = (
      await sql<{ calls: string; plans: string; exec: number; plan: number; query: string }>`
        SELECT calls::text, plans::text, total_exec_time AS exec, total_plan_time AS plan, query
          FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'
         ORDER BY total_exec_time + total_plan_time DESC LIMIT ${TOP}`.execute(database.system)
    ).rows;
    console.log(`${opt.def}: ${SEARCHES} searches, one at a time (${dir}); ms per search (nested statements are inside their callers' times)`);
    for (const r of rows) {
      console.log(
        `exec ${(r.exec / SEARCHES).toFixed(3)}  plan ${(r.plan / SEARCHES).toFixed(3)}  calls/search ${(Number(r.calls) / SEARCHES).toFixed(2)}  plans/search ${(Number(r.plans) / SEARCHES).toFixed(2)}  ${r.query.replace(/\s+/g, ' ').slice(0, 220)}`,
      );
    }
  } finally {
    await database.destroy();
    pgs.stop();
  }
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
