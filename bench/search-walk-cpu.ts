/**
 * Backend CPU of the semantic walk (issue 10 §3 Speed, session 8): the HNSW statement semantic()
 * runs, for stored vectors of 50 practices, in one backend, timed by the backend's own CPU
 * (/proc/<pid>/stat utime+stime) instead of wall time, which on the shared 2-core machine is
 * mostly waiting for a core. Run on two fixture directories (the layout before and after db
 * 0115/0116) alternately, the same queries on each, to compare the walk of a practice's own graph
 * with the walk of a hash partition's shared graph. A measurement, not a test.
 *
 *   flock /tmp/mdw-bench.lock npx tsx bench/search-walk-cpu.ts --dir <before> --dir <after> [--passes 3] [--member]
 *
 * --member: each walk in its own transaction as the practice's member under RLS, as semantic()
 * runs it (the CPU then includes BEGIN, the claims and COMMIT, the same for both layouts).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../scripts/lib/embedded-postgres';
import { guardClient } from '../src/db/connection-errors';

const { values: opt } = parseArgs({ options: { dir: { type: 'string', multiple: true }, passes: { type: 'string', default: '3' }, practices: { type: 'string', default: '50' }, queries: { type: 'string', default: '4' }, member: { type: 'boolean', default: false } } });
const dirs = opt.dir ?? [];
if (dirs.length < 1) {
  console.error('give at least one --dir <fixture directory>');
  process.exit(2);
}
const ticks = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime, clock ticks (1/100 s)
};

async function measure(dir: string): Promise<{ msPerWalk: number; hits: number }> {
  const fixture = JSON.parse(readFileSync(path.join(dir, 'fixture.json'), 'utf8')) as { practices: { id: string; member: string }[] };
  const pgs = await startEmbeddedPostgres({ dataDir: dir, database: 'mdw_search_bench', ephemeral: true, settings: { shared_buffers: '4GB', effective_cache_size: '12GB' } });
  const c = guardClient(new pg.Client(pgs.url));
  await c.connect();
  try {
    const model = (await c.query<{ model: string; dimensions: number }>(`SELECT model, dimensions FROM embedding_models WHERE state = 'active'`)).rows[0]!;
    await c.query('CREATE EXTENSION IF NOT EXISTS pg_prewarm');
    await c.query(`SELECT pg_prewarm(r.oid) FROM (SELECT i.indexrelid AS oid FROM pg_partition_tree('message_embeddings') h JOIN pg_index i ON i.indrelid = h.relid WHERE h.isleaf
      UNION ALL SELECT h.relid FROM pg_partition_tree('message_embeddings') h WHERE h.isleaf) r`);
    const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    type Work = { practice: string; member: string; v: string };
    const work: Work[] = [];
    for (const p of fixture.practices.slice(0, Number(opt.practices))) {
      for (const r of (await c.query<{ v: string }>(`SELECT embedding::text AS v FROM message_embeddings WHERE practice_id = $1 ORDER BY message_id OFFSET 500 LIMIT ${Number(opt.queries)}`, [p.id])).rows) work.push({ practice: p.id, member: p.member, v: r.v });
    }
    // As production: the practice's member under RLS (--member), else the backend (no RLS).
    const walk = async (w: Work, explain = '') => {
      if (!opt.member) return bare(w, explain);
      await c.query('BEGIN');
      await c.query(`SELECT set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ role: 'authenticated', sub: w.member })]);
      const r = await bare(w, explain);
      await c.query('COMMIT');
      return r;
    };
    const bare = (w: Work, explain = '') =>
      c.query(`${explain}SELECT e.message_id, e.content_text, e.embedding::halfvec(${model.dimensions}) <=> $1::halfvec(${model.dimensions}) AS d FROM message_embeddings e
         WHERE e.model = '${model.model}' AND e.practice_id = '${w.practice}'::uuid ORDER BY e.embedding::halfvec(${model.dimensions}) <=> $1::halfvec(${model.dimensions}) LIMIT 60`, [w.v]);
    await c.query(`SET hnsw.iterative_scan = relaxed_order`);
    await c.query(`SET hnsw.ef_search = 40`);
    for (const w of work) await walk(w); // warm the backend's caches
    let hits = 0;
    for (const w of work.slice(0, 20)) {
      const plan = (await walk(w, 'EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ')).rows[0] as Record<string, { Plan: Record<string, number> }[]>;
      hits += plan['QUERY PLAN']![0]!.Plan['Shared Hit Blocks']! + plan['QUERY PLAN']![0]!.Plan['Shared Read Blocks']!;
    }
    const t0 = ticks(pid);
    const passes = Number(opt.passes);
    for (let p = 0; p < passes; p++) for (const w of work) await walk(w);
    return { msPerWalk: ((ticks(pid) - t0) * 10) / (passes * work.length), hits: Math.round(hits / 20) };
  } finally {
    await c.end();
    pgs.stop();
  }
}

async function main(): Promise<void> {
  const rows: Record<string, unknown>[] = [];
  for (let round = 0; round < 2; round++) {
    for (const dir of dirs) rows.push({ round, dir: path.basename(path.dirname(dir)) + '/' + path.basename(dir), ...(await measure(dir)) });
  }
  console.table(rows);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
