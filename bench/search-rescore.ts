/**
 * The feedback's second semantic leg rescored from the first walk's pool (db 0106,
 * `search_page(…, p_feedback_pool)`, search.repository.ts semanticRescored()) against a real second
 * HNSW walk with q' (db 0099) and an exact scan of the practice's rows, on bench:search's cached 1M
 * fixture, one search at a time as a practice member under RLS (as bench:search-feedback).
 *
 * Per search: q is a stored vector of the practice (its neighbourhood is real); the first leg is
 * the walk with q fetching `pool` × 50 chunks; q' = q + 0.5 × mean of the first leg's best 3 texts'
 * vectors (fusion.ts feedbackVector, DEFAULT_FEEDBACK); then q''s 50 candidates three ways: walked
 * (semantic()), rescored from the pool (semanticRescored()), exact (every chunk of the practice,
 * best per text). Prints recall@10 and @50 of each vs exact, the rescored vs walked overlap, and
 * each step's time. Reads the fixture only (no migration: the functions it calls are the
 * repository's). A measurement, not a test.
 *
 *   flock /tmp/mdw-bench.lock npm run bench:search-rescore -- [--searches 100] [--pools 1.2,2,3] [--dir <fixture dir>]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openCachedSearchFixture } from './search-fixture-dir';
import { DEFAULT_FEEDBACK, feedbackVector } from '../src/ai/fusion';
import * as repo from '../src/repositories/search.repository';

const { values: opt } = parseArgs({ options: { searches: { type: 'string', default: '100' }, pools: { type: 'string', default: '1.2,2,3' }, dir: { type: 'string' } } });
const SEARCHES = Number(opt.searches);
const POOLS = opt.pools.split(',').map(Number);
if (!Number.isInteger(SEARCHES) || SEARCHES < 1 || POOLS.some((p) => !(p >= 1))) {
  console.error(`--searches must be a positive integer and --pools numbers >= 1 (got ${opt.searches}, ${opt.pools})`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { dir, fixture, pgs, database, model } = await openCachedSearchFixture(opt.dir);
  const dims = sql.lit(model.dimensions);
  const N = repo.CANDIDATES;
  const time: Record<string, number[]> = { 'first walk, pool 1.2 (as now)': [], 'second walk (0099)': [] };
  for (const p of POOLS) Object.assign(time, { [`first walk, pool ${p}`]: [], [`rescore pool ${p}`]: [] });
  const recall: Record<string, { r10: number; r50: number; vsWalk10: number; vsWalk50: number }[]> = { walk: [] };
  for (const p of POOLS) recall[`rescore pool ${p}`] = [];
  try {
    for (let i = 0; i < SEARCHES + 5; i++) {
      const pr = fixture.practices[(i * 37) % fixture.practices.length]!;
      const v = await sql<{ v: string }>`SELECT embedding::text AS v FROM message_embeddings WHERE practice_id = ${pr.id}::uuid ORDER BY message_id OFFSET ${i} LIMIT 1`.execute(database.system);
      const q = JSON.parse(v.rows[0]!.v) as number[];
      await database.asActor({ sub: pr.member }, async (trx) => {
        const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
          const at = performance.now();
          const r = await fn();
          if (i >= 5) time[name]!.push(performance.now() - at);
          return r;
        };
        const scope = await repo.searchScope(trx);
        const first = await timed('first walk, pool 1.2 (as now)', () => repo.semantic(trx, 'message', model, q, N, scope));
        const vectors = await repo.vectorsOf(trx, 'message', model.model, first.slice(0, DEFAULT_FEEDBACK.k).map((x) => x.id), scope);
        const q2 = feedbackVector(q, [...vectors.values()], DEFAULT_FEEDBACK.alpha);
        const walked = await timed('second walk (0099)', () => repo.semantic(trx, 'message', model, q2, N, scope));
        const exact = (
          await sql<{ id: string }>`
          SELECT e.message_id AS id FROM message_embeddings e
           WHERE e.practice_id = ${pr.id}::uuid AND e.model = ${model.model}
           GROUP BY e.message_id ORDER BY min(e.embedding::halfvec(${dims}) <=> ${`[${q2.join(',')}]`}::halfvec(${dims})), e.message_id LIMIT ${N}`.execute(trx)
        ).rows.map((r) => r.id);
        const rec = (got: readonly { id: string }[], want: readonly string[], k: number) => {
          const w = new Set(want.slice(0, k));
          return got.slice(0, k).filter((x) => w.has(x.id)).length / Math.max(1, Math.min(k, want.length));
        };
        if (i >= 5) recall.walk!.push({ r10: rec(walked, exact, 10), r50: rec(walked, exact, N), vsWalk10: 1, vsWalk50: 1 });
        for (const p of POOLS) {
          await timed(`first walk, pool ${p}`, () => repo.semantic(trx, 'message', model, q, N, scope, undefined, undefined, Math.max(repo.SEMANTIC_OVERFETCH, p)));
          const rescored = await timed(`rescore pool ${p}`, () => repo.semanticRescored(trx, 'message', model, q, q2, N, scope, Math.max(repo.SEMANTIC_OVERFETCH, p)));
          const w = walked.map((x) => x.id);
          if (i >= 5) recall[`rescore pool ${p}`]!.push({ r10: rec(rescored, exact, 10), r50: rec(rescored, exact, N), vsWalk10: rec(rescored, w, 10), vsWalk50: rec(rescored, w, N) });
        }
      });
    }
  } finally {
    await database.destroy();
    pgs.stop();
  }
  const pct = (xs: number[], f: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * f))]!;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  console.log(`${SEARCHES} searches, one at a time, ${fixture.practices.length} practices (${dir}); rescore = semanticRescored() (one statement: the walk with q and the pool scored against q')`);
  console.table(Object.entries(time).map(([step, xs]) => ({ step, p50Ms: Number(pct(xs, 0.5).toFixed(2)), p95Ms: Number(pct(xs, 0.95).toFixed(2)), meanMs: Number(mean(xs).toFixed(2)) })));
  console.table(
    Object.entries(recall).map(([leg, xs]) => ({
      "q' candidates": leg,
      'recall@10 vs exact': Number(mean(xs.map((x) => x.r10)).toFixed(3)),
      'min recall@10': Math.min(...xs.map((x) => x.r10)),
      'recall@50 vs exact': Number(mean(xs.map((x) => x.r50)).toFixed(3)),
      'top 10 as walk': Number(mean(xs.map((x) => x.vsWalk10)).toFixed(3)),
      'top 50 as walk': Number(mean(xs.map((x) => x.vsWalk50)).toFixed(3)),
    })),
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
