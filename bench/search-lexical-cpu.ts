/**
 * The lexical leg's backend CPU per call (issue 10 §3 "Speed"): `public.search_lexical()` as a member
 * of one practice on bench:search's cached 1M fixture, each ranking named by --rankings in turn,
 * interleaved pass by pass (A B A B …, the order reversed every other pass), measured as the
 * backend's own time on a CPU (/proc/<backend pid>/schedstat, ns) around each call, not wall-clock
 * time: on this shared 2-core machine a call's wall time is mostly waiting for a core. One unmeasured
 * pass first (session caches, plans). Also counts the searches where a ranking's candidate list
 * differs from the first ranking's (ids and float8 ranks as text). A measurement, not a test.
 * Like bench:search-steps it applies pending migrations to the fixture it opens only with --migrate;
 * otherwise a fixture that lacks some stops the run with a line naming them (bench/fixture-migrations.ts).
 *
 * --named passes the practice as search_page() does (`ARRAY[practice]`, session 10) instead of NULL
 * (every practice the caller may read).
 *
 * --parts (session 11, s-lexrank) compares, instead of rankings, scratch copies of 0133's function
 * stopped after each step of the production path (bench/sql/search-lexical-parts.sql: check, prelude,
 * scan, agg, full; installed into the fixture for the run and dropped after it): the differences of
 * their means are what each step costs. Their candidate lists differ from full's by construction.
 * Run it on a copy whose search_index.documents.tf is filled (fixtures built before session 11 have
 * it NULL, and then the jsonb tf lookups cost nothing).
 *
 *   flock /tmp/mdw-bench.lock npm run bench:search-lexical-cpu -- [--dir <fixture dir>] [--passes 4] [--searches 72] [--rankings bm25,bm25_0104,bm25_0084] [--named] [--parts] [--migrate]
 *     [--install <migration file>=<function name>,… --functions <function name>,…]
 *     [--baseline <migration file>]: session 12 (s-prelude), the same as --install <its file name>=search_lexical_base
 *     --functions search_lexical,search_lexical_base (the fixture's search_lexical() against that migration's)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { cachedSearchFixtureDir, schedCpuMs, startSearchFixture } from './search-fixture-dir';
import { SEARCH_QUERIES } from '../src/ai/eval/search-set';
import { expandOrtho, orQueryTerms } from '../src/ai/text';
import { createDatabase } from '../src/db/database';
import { runBench } from './fixture-migrations';
import { BM25, CANDIDATES } from '../src/repositories/search.repository';

const { values: opt } = parseArgs({
  options: {
    dir: { type: 'string' },
    passes: { type: 'string', default: '4' },
    searches: { type: 'string', default: '72' },
    rankings: { type: 'string', default: 'bm25,bm25_0104' },
    migrate: { type: 'boolean', default: false },
    named: { type: 'boolean', default: false },
    parts: { type: 'boolean', default: false },
    functions: { type: 'string' },
    install: { type: 'string' },
    baseline: { type: 'string' },
  },
});
const PASSES = Number(opt.passes);
const SEARCHES = Number(opt.searches);
if (![PASSES, SEARCHES].every((n) => Number.isInteger(n) && n > 0)) {
  console.error('--passes and --searches must be positive integers');
  process.exit(2);
}
const PARTS = ['full', 'agg', 'scan', 'prelude', 'check'].map((p) => `search_lexical_part_${p}`);
// With --parts each "ranking" is a scratch function's name (all called with the ranking 'bm25').
// With --functions each "ranking" is a public function of search_lexical()'s signature, called with
// the ranking 'bm25' (session 12, s-postings). --install <migration file>=<name>,… writes a
// migration's search_lexical() under that name for the run (dropped after it), e.g.
// `--install 0133_search_lexical_fewer_statements.sql=search_lexical_0133 --functions
// search_lexical_0133,search_lexical` compares 0133 with the fixture's own, side by side.
const FUNCTIONS = opt.baseline !== undefined ? ['search_lexical', 'search_lexical_base'] : opt.functions?.split(',').filter(Boolean);
const INSTALL = (opt.baseline !== undefined ? `${path.basename(opt.baseline)}=search_lexical_base` : opt.install ?? '').split(',').filter(Boolean).map((x) => {
  const [file, name] = x.split('=');
  if (!file || !name || !/^[a-z_][a-z0-9_]*$/.test(name)) {
    console.error(`--install takes <migration file>=<function name>, got ${x}`);
    process.exit(2);
  }
  return { file, name };
});
const RANKINGS = opt.parts ? PARTS : FUNCTIONS ?? opt.rankings.split(',').filter(Boolean);
const BY_NAME = opt.parts || FUNCTIONS !== undefined;
const SIGNATURE = '(text, text[], uuid[], integer, text, double precision, double precision)';

async function main(): Promise<void> {
  const dir = cachedSearchFixtureDir('realistic', opt.dir);
  const { fixture, pgs } = await startSearchFixture(dir, opt.migrate);
  const database = createDatabase(pgs.url, 2);
  const searches = Array.from({ length: SEARCHES }, (_, i) => ({
    practice: fixture.practices[(i * 37) % fixture.practices.length]!,
    terms: orQueryTerms(expandOrtho(SEARCH_QUERIES[i % SEARCH_QUERIES.length]!.q)),
  }));
  const cpu: Record<string, number[]> = Object.fromEntries(RANKINGS.map((r) => [r, []]));
  const differ: Record<string, number> = Object.fromEntries(RANKINGS.map((r) => [r, 0]));
  const pagesOf: Record<string, string[]> = {};
  try {
    if (opt.parts) await sql.raw(readFileSync(path.join(__dirname, 'sql', 'search-lexical-parts.sql'), 'utf8')).execute(database.system);
    for (const { file, name } of INSTALL) {
      const text = readFileSync(path.join(__dirname, '..', 'db', 'migrations', file), 'utf8');
      await sql.raw(text.replaceAll('public.search_lexical(', `public.${name}(`)).execute(database.system);
    }
    await sql`CREATE EXTENSION IF NOT EXISTS pg_prewarm`.execute(database.system);
    await sql`SELECT pg_prewarm(r.oid) FROM (
        SELECT i.indexrelid AS oid FROM pg_inherits h JOIN pg_index i ON i.indrelid = h.inhrelid WHERE h.inhparent = 'search_index.documents'::regclass
        UNION ALL SELECT h.inhrelid FROM pg_inherits h WHERE h.inhparent = 'search_index.documents'::regclass
        UNION ALL SELECT i.indexrelid FROM pg_partition_tree(to_regclass('search_index.postings')) h JOIN pg_index i ON i.indrelid = h.relid WHERE h.isleaf) r`.execute(database.system);
    // One pass of every ranking first, unmeasured (caches, plans), then the passes, alternating the order.
    for (let pass = -1; pass < PASSES; pass++) {
      const order = pass % 2 === 0 ? RANKINGS : [...RANKINGS].reverse();
      for (const ranking of order) {
        const pages: string[] = [];
        // Each search its own transaction as the member (as GET /search); CPU summed over the calls only.
        let spent = 0;
        for (const s of searches) {
          await database.asActor({ sub: s.practice.member }, async (trx) => {
            const pid = (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx)).rows[0]!.pid;
            const a = schedCpuMs(pid);
            const r = await sql<{ id: string; rank: string }>`
              SELECT id, rank::text AS rank FROM ${sql.raw(BY_NAME ? `public.${ranking}` : 'public.search_lexical')}('message', ${s.terms}::text[], ${opt.named ? [s.practice.id] : null}::uuid[], ${CANDIDATES}::int, ${BY_NAME ? 'bm25' : ranking}, ${BM25.k1}::float8, ${BM25.b}::float8)`.execute(trx);
            spent += schedCpuMs(pid) - a;
            pages.push(r.rows.map((x) => `${x.id} ${x.rank}`).join());
          });
        }
        if (pass >= 0) cpu[ranking]!.push(spent / SEARCHES);
        pagesOf[ranking] = pages;
      }
      for (const r of RANKINGS.slice(1)) differ[r]! += pagesOf[r]!.filter((p, i) => p !== pagesOf[RANKINGS[0]!]![i]).length;
    }
  } finally {
    for (const { name } of INSTALL) {
      await sql.raw(`DROP FUNCTION IF EXISTS public.${name}${SIGNATURE}`).execute(database.system);
    }
    if (opt.parts) {
      for (const f of PARTS) await sql.raw(`DROP FUNCTION IF EXISTS public.${f}${SIGNATURE}`).execute(database.system);
    }
    await database.destroy();
    pgs.stop();
  }
  console.log(`${SEARCHES} searches × ${PASSES} passes, one practice's member each, practices ${opt.named ? 'named (ARRAY[practice])' : 'NULL'}, realistic fixture (${dir})`);
  console.table(
    RANKINGS.map((r) => ({
      ranking: r,
      'backend CPU ms per call, each pass': cpu[r]!.map((x) => x.toFixed(2)).join(' / '),
      mean: Number((cpu[r]!.reduce((a, b) => a + b, 0) / cpu[r]!.length).toFixed(2)),
      [`lists differing from ${RANKINGS[0]} (all passes)`]: r === RANKINGS[0] ? '-' : differ[r],
    })),
  );
}

runBench(main);
