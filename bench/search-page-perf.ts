/**
 * One definition of `public.search_page()` under `perf record`: installs a migration file's
 * definition (CREATE OR REPLACE), then runs the production search (as search-page-ab.ts: the search
 * service's one round trip as a practice member under RLS, a stored vector of the practice as the
 * query vector) one at a time on one connection for --seconds while `perf record -g` samples that
 * connection's backend; prints the backend CPU per search and where perf's data went
 * (`perf report -i <file> --no-children` reads it). Session 10, s-walk.
 *
 * It REPLACES the function in the database it runs on, so it needs --dir: a copy of a cached
 * fixture, never the shared cache.
 *
 *   nice -n 5 npx tsx bench/search-page-perf.ts --dir <copy> --def 0126_search_page_cheaper_feedback.sql [--seconds 20] [--out /tmp/<name>-perf.data] [--searches 100]
 */
import { spawn } from 'node:child_process';
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
    def: { type: 'string', default: '0126_search_page_cheaper_feedback.sql' },
    seconds: { type: 'string', default: '20' },
    searches: { type: 'string', default: '100' },
    out: { type: 'string', default: '/tmp/search-page-perf.data' },
  },
});
const SECONDS = Number(opt.seconds);
const SEARCHES = Number(opt.searches);
if (!opt.dir || !(SECONDS > 0) || !Number.isInteger(SEARCHES) || SEARCHES < 1) {
  console.error('usage: --dir <a copy of a cached bench:search fixture> [--def <migration file>] [--seconds N > 0] [--searches N ≥ 1] [--out <perf data file>] (it replaces search_page() there)');
  process.exit(2);
}

async function main(): Promise<void> {
  const dir = opt.dir!;
  const fixture = JSON.parse(readFileSync(path.join(dir, 'fixture.json'), 'utf8')) as { practices: { id: string; member: string }[] };
  const pgs = await startEmbeddedPostgres({ dataDir: dir, database: 'mdw_search_bench', ephemeral: true, settings: { shared_buffers: '4GB', effective_cache_size: '12GB' } });
  const database = createDatabase(pgs.url, 1);
  const def = readFileSync(path.join(__dirname, '..', 'db', 'migrations', opt.def!), 'utf8');
  const model = (await sql<{ model: string; dimensions: number }>`SELECT model, dimensions FROM embedding_models WHERE state = 'active'`.execute(database.system)).rows[0]!;
  let current: number[] = [];
  const provider: EmbeddingProvider = { model: model.model, dimensions: model.dimensions, embed: (xs) => Promise.resolve(xs.map(() => current)), embedQuery: () => Promise.resolve(current) };
  const service = createSearchService({ system: database.system, providers: () => provider, embedTimeoutMs: 60_000, queryCacheSize: 0 });
  await prewarmSearchLeaves(database.system);
  const searches: { member: string; vector: number[]; q: string }[] = [];
  for (let i = 0; i < SEARCHES; i++) {
    const p = fixture.practices[(i * 37) % fixture.practices.length]!;
    const v = await sql<{ v: string }>`SELECT embedding::text AS v FROM message_embeddings WHERE practice_id = ${p.id}::uuid ORDER BY message_id OFFSET ${i} LIMIT 1`.execute(database.system);
    searches.push({ member: p.member, vector: JSON.parse(v.rows[0]!.v) as number[], q: SEARCH_QUERIES[i % SEARCH_QUERIES.length]!.q });
  }
  await sql.raw(def).execute(database.system);
  const pid = (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(database.system)).rows[0]!.pid;
  const ticks = (): number => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  };
  const one = async (i: number): Promise<void> => {
    const s = searches[i % SEARCHES]!;
    current = s.vector;
    const res = await service.search((fn) => database.asActor({ sub: s.member }, fn), { q: s.q, kinds: ['message'], limit: 10 }, (text) => database.asActorStatement({ sub: s.member }, text));
    if (res.mode !== 'hybrid') throw new Error(`search answered ${res.mode}`);
  };
  try {
    for (let i = 0; i < 20; i++) await one(i);
    const perf = spawn('perf', ['record', '--call-graph', process.env.PERF_CALLGRAPH ?? 'fp', '-F', process.env.PERF_FREQ ?? '2999', '-p', String(pid), '-o', opt.out!], { stdio: 'inherit' });
    await new Promise((r) => setTimeout(r, 500));
    const b0 = ticks();
    const until = Date.now() + SECONDS * 1000;
    let n = 0;
    while (Date.now() < until) await one(n++);
    const cpu = (ticks() - b0) * 10;
    perf.kill('SIGINT');
    await new Promise((r) => perf.once('exit', r));
    console.log(`${opt.def}: ${n} searches in ${SECONDS} s, backend CPU ${(cpu / n).toFixed(3)} ms per search; perf data in ${opt.out} (backend pid ${pid})`);
  } finally {
    await database.destroy();
    pgs.stop();
  }
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
