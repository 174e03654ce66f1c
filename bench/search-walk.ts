/**
 * The semantic leg's HNSW walk (issue 10 §3 Speed, session 7): what it reads and what its options
 * would save, on bench:search's cached 1M fixture, one search at a time as a practice member under
 * RLS. Per practice, in ONE transaction that is rolled back (the cached database is left as it
 * was): the walk as now (ef_search 40, hnsw.max_scan_tuples default), with ef_search 20 and 64,
 * with max_scan_tuples 2,000 and 5,000; then a partial HNSW index of that practice alone (built in
 * the transaction, its build time printed) and the walk again. For each: time of semantic() (the
 * repository's query), shared buffer hits of its HNSW statement (EXPLAIN ANALYZE BUFFERS), the
 * index the plan uses, and recall@10 vs an exact scan of the practice's rows. Where db 0115 is
 * applied and the practice still shares the DEFAULT partition, also the walk after
 * `own_partitions()` gave it its own partition (session 8), in the same rolled-back transaction.
 * A measurement, not a test.
 *
 *   flock /tmp/mdw-bench.lock npm run bench:search-walk -- [--practices 3] [--queries 20] [--dir <fixture dir>]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openCachedSearchFixture } from './search-fixture-dir';
import type { Tx } from '../src/db/database';
import * as repo from '../src/repositories/search.repository';

const { values: opt } = parseArgs({ options: { practices: { type: 'string', default: '3' }, queries: { type: 'string', default: '20' }, dir: { type: 'string' } } });
const PRACTICES = Number(opt.practices);
const QUERIES = Number(opt.queries);
if (!Number.isInteger(PRACTICES) || PRACTICES < 1 || !Number.isInteger(QUERIES) || QUERIES < 1) {
  console.error(`--practices and --queries must be positive integers (got ${opt.practices}, ${opt.queries})`);
  process.exit(2);
}

class Rollback extends Error {}

interface Variant {
  name: string;
  settings: Record<string, string>;
}
const VARIANTS: Variant[] = [
  { name: 'as now (ef_search 40)', settings: {} },
  { name: 'ef_search 20', settings: { 'hnsw.ef_search': '20' } },
  { name: 'ef_search 64', settings: { 'hnsw.ef_search': '64' } },
  { name: 'max_scan_tuples 5000', settings: { 'hnsw.max_scan_tuples': '5000' } },
  { name: 'max_scan_tuples 2000', settings: { 'hnsw.max_scan_tuples': '2000' } },
];

async function main(): Promise<void> {
  const { dir, fixture, pgs, database, model } = await openCachedSearchFixture(opt.dir);
  const dims = sql.lit(model.dimensions);
  const N = repo.CANDIDATES;
  const fetch = Math.ceil(N * repo.SEMANTIC_OVERFETCH);
  const out = new Map<string, { ms: number[]; hits: number[]; recall: number[]; index: Set<string> }>();
  const builds: { practice: string; rows: number; buildMs: number; sizeMb: number }[] = [];
  const moves: { practice: string; moveAndBuildMs: number }[] = [];
  const record = (name: string, ms: number, hits: number, recall: number, index: string) => {
    if (!out.has(name)) out.set(name, { ms: [], hits: [], recall: [], index: new Set() });
    const o = out.get(name)!;
    o.ms.push(ms);
    o.hits.push(hits);
    o.recall.push(recall);
    o.index.add(index);
  };
  try {
    for (let pi = 0; pi < PRACTICES; pi++) {
      const pr = fixture.practices[(pi * 37 + 11) % fixture.practices.length]!;
      const qs = (
        await sql<{ v: string }>`SELECT embedding::text AS v FROM message_embeddings WHERE practice_id = ${pr.id}::uuid ORDER BY message_id OFFSET 500 LIMIT ${QUERIES}`.execute(database.system)
      ).rows.map((r) => JSON.parse(r.v) as number[]);
      const exact: string[][] = [];
      for (const q of qs) {
        exact.push(
          (
            await sql<{ id: string }>`SELECT e.message_id AS id FROM message_embeddings e WHERE e.practice_id = ${pr.id}::uuid AND e.model = ${model.model}
              GROUP BY e.message_id ORDER BY min(e.embedding::halfvec(${dims}) <=> ${`[${q.join(',')}]`}::halfvec(${dims})), e.message_id LIMIT 10`.execute(database.system)
          ).rows.map((r) => r.id),
        );
      }
      const asMember = async (trx: Tx) => {
        await sql`SELECT set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify({ role: 'authenticated', sub: pr.member })}, true)`.execute(trx);
      };
      const measure = async (trx: Tx, name: string, settings: Record<string, string>) => {
        for (const [qi, q] of qs.entries()) {
          await sql`SAVEPOINT walk`.execute(trx);
          await asMember(trx);
          const vec = `[${q.join(',')}]`;
          // semantic() sets iterative_scan and ef_search itself; the variant's settings after it, for its statement.
          const at = performance.now();
          const scope = pr.id;
          const set = async () => {
            for (const [k, v] of Object.entries(settings)) await sql`SELECT set_config(${k}, ${v}, true)`.execute(trx);
          };
          await set();
          const ef = settings['hnsw.ef_search'] ? Number(settings['hnsw.ef_search']) : undefined;
          const hits = await repo.semantic(trx, 'message', model, q, N, scope, undefined, ef);
          const ms = performance.now() - at;
          const plan = (
            await sql<{ 'QUERY PLAN': unknown }>`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)
              SELECT e.message_id, e.embedding::halfvec(${dims}) <=> ${vec}::halfvec(${dims}) AS d FROM message_embeddings e
               WHERE e.model = ${sql.lit(model.model)} AND e.practice_id = ${sql.lit(pr.id)}::uuid
               ORDER BY e.embedding::halfvec(${dims}) <=> ${vec}::halfvec(${dims}) LIMIT ${sql.lit(fetch)}`.execute(trx)
          ).rows[0]!['QUERY PLAN'] as { Plan: Record<string, unknown> }[];
          const top = plan[0]!.Plan;
          const indexName = JSON.stringify(top).match(/"Index Name":"([^"]+)"/)?.[1] ?? '(none)';
          const want = new Set(exact[qi]);
          record(name, ms, Number(top['Shared Hit Blocks'] ?? 0) + Number(top['Shared Read Blocks'] ?? 0), hits.slice(0, 10).filter((h) => want.has(h.id)).length / Math.max(1, want.size), indexName);
          await sql`ROLLBACK TO SAVEPOINT walk`.execute(trx);
        }
      };
      await database.system
        .transaction()
        .execute(async (trx) => {
          for (const v of VARIANTS) await measure(trx, v.name, v.settings);
          const at = performance.now();
          // One practice's own graph (what list partitions per practice or a per-practice partial index give).
          await sql`CREATE INDEX walk_bench_practice ON message_embeddings USING hnsw ((embedding::halfvec(${dims})) halfvec_cosine_ops)
            WHERE model = ${sql.lit(model.model)} AND practice_id = ${sql.lit(pr.id)}::uuid`.execute(trx);
          const buildMs = performance.now() - at;
          const size = (
            await sql<{ rows: number; bytes: number }>`SELECT (SELECT count(*) FROM message_embeddings WHERE practice_id = ${pr.id}::uuid)::int AS rows,
              (SELECT sum(pg_relation_size(i.indexrelid)) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 'walk_bench_practice%' OR i.indexrelid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'walk_bench_practice'::regclass))::float8 AS bytes`.execute(trx)
          ).rows[0]!;
          builds.push({ practice: pr.id, rows: size.rows, buildMs: Math.round(buildMs), sizeMb: Number((size.bytes / 2 ** 20).toFixed(1)) });
          await measure(trx, "practice's own HNSW (partial index)", {});
          // The practice's own LIST partition (db 0115), made in this transaction as `mdw ai
          // partitions` makes it: its rows moved out of the shared DEFAULT, its own graph per model.
          await sql`DROP INDEX walk_bench_practice`.execute(trx);
          const own = `message_embeddings_${pr.id.replace(/-/g, '')}`;
          const has = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_class WHERE relname = ${own}`.execute(trx)).rows[0]!.n > 0;
          const fn = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_proc WHERE proname = 'own_partitions'`.execute(trx)).rows[0]!.n > 0;
          if (!has && fn) {
            const t1 = performance.now();
            await sql`SET LOCAL maintenance_work_mem = '256MB'`.execute(trx);
            await sql`SELECT embedding_partitions.own_partitions('message_embeddings', ARRAY[${pr.id}]::uuid[])`.execute(trx);
            moves.push({ practice: pr.id, moveAndBuildMs: Math.round(performance.now() - t1) });
            await measure(trx, "practice's own partition (db 0115)", {});
          }
          throw new Rollback();
        })
        .catch((err: unknown) => {
          if (!(err instanceof Rollback)) throw err;
        });
    }
  } finally {
    await database.destroy();
    pgs.stop();
  }
  const pct = (xs: number[], f: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * f))]!;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  console.log(`${PRACTICES} practices × ${QUERIES} queries, one at a time, semantic() as the member (${dir}); buffers: EXPLAIN ANALYZE of the walk (LIMIT ${fetch})`);
  console.table(
    [...out].map(([name, o]) => ({
      walk: name,
      p50Ms: Number(pct(o.ms, 0.5).toFixed(2)),
      p95Ms: Number(pct(o.ms, 0.95).toFixed(2)),
      'buffer hits (mean)': Math.round(mean(o.hits)),
      'recall@10 vs exact': Number(mean(o.recall).toFixed(3)),
      'min recall@10': Math.min(...o.recall),
      index: [...o.index].join(' '),
    })),
  );
  console.table(builds);
  if (moves.length) console.table(moves);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
