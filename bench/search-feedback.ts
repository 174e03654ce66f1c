/**
 * What the semantic leg's vector pseudo-relevance feedback (session 6, fusion.ts DEFAULT_FEEDBACK,
 * search.service.ts) adds to a search: the lookup of the first page's best k vectors and the
 * second semantic query, timed beside the first semantic query, one search at a time in a
 * practice member's RLS transaction on bench:search's cached fixture (as bench:search-steps).
 * Sequential, so the figures are per-search costs, not queueing. A measurement, not a test.
 *
 *   flock /tmp/mdw-bench.lock npm run bench:search-feedback -- [--searches 100] [--dir <fixture dir>] [--migrate]
 *
 * Pending migrations are applied to the fixture only with --migrate (bench/fixture-migrations.ts).
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { DEFAULT_FEEDBACK, feedbackVector } from '../src/ai/fusion';
import { createDatabase } from '../src/db/database';
import { runBench } from './fixture-migrations';
import { cachedSearchFixtureDir, startSearchFixture } from './search-fixture-dir';
import * as repo from '../src/repositories/search.repository';

const { values: opt } = parseArgs({ options: { searches: { type: 'string', default: '100' }, dir: { type: 'string' }, migrate: { type: 'boolean', default: false } } });
const SEARCHES = Number(opt.searches);
if (!Number.isInteger(SEARCHES) || SEARCHES < 1) {
  console.error(`--searches must be a positive integer (got ${opt.searches})`);
  process.exit(2);
}

async function main(): Promise<void> {
  const dir = cachedSearchFixtureDir('realistic', opt.dir);
  const { fixture, pgs } = await startSearchFixture(dir, opt.migrate);
  const database = createDatabase(pgs.url, 2);
  const steps = ['semantic', 'feedback vectors', 'semantic (feedback)', 'feedback total'] as const;
  const t: Record<(typeof steps)[number], number[]> = Object.fromEntries(steps.map((s) => [s, []])) as never;
  const model = (await sql<{ model: string; dimensions: number }>`SELECT model, dimensions FROM embedding_models WHERE state = 'active'`.execute(database.system)).rows[0]!;
  await sql`CREATE EXTENSION IF NOT EXISTS pg_prewarm`.execute(database.system);
  await sql`SELECT pg_prewarm(r.oid) FROM (
      SELECT i.indexrelid AS oid FROM pg_partition_tree('message_embeddings') h JOIN pg_index i ON i.indrelid = h.relid WHERE h.isleaf
      UNION ALL SELECT h.relid FROM pg_partition_tree('message_embeddings') h WHERE h.isleaf) r`.execute(database.system);
  let overlap = 0;
  try {
    for (let i = 0; i < SEARCHES + 10; i++) {
      const p = fixture.practices[(i * 37) % fixture.practices.length]!;
      // A stored vector of the practice as the query: its neighbourhood is real.
      const v = await sql<{ v: string }>`SELECT embedding::text AS v FROM message_embeddings WHERE practice_id = ${p.id}::uuid ORDER BY message_id OFFSET ${i} LIMIT 1`.execute(database.system);
      const vector = JSON.parse(v.rows[0]!.v) as number[];
      const s: Partial<Record<(typeof steps)[number], number>> = {};
      await database.asActor({ sub: p.member }, async (trx) => {
        const timed = async <T>(name: (typeof steps)[number], fn: () => Promise<T>): Promise<T> => {
          const at = performance.now();
          const r = await fn();
          s[name] = performance.now() - at;
          return r;
        };
        const scope = await repo.searchScope(trx);
        const first = await timed('semantic', () => repo.semantic(trx, 'message', model, vector, repo.CANDIDATES, scope));
        // The fused first page's best k; here the semantic leg's (the lookup costs the same).
        const top = first.slice(0, DEFAULT_FEEDBACK.k).map((h) => h.id);
        const vectors = await timed('feedback vectors', () => repo.vectorsOf(trx, 'message', model.model, top, scope));
        const q2 = feedbackVector(vector, [...vectors.values()], DEFAULT_FEEDBACK.alpha);
        const second = await timed('semantic (feedback)', () => repo.semantic(trx, 'message', model, q2, repo.CANDIDATES, scope));
        s['feedback total'] = s['feedback vectors']! + s['semantic (feedback)']!;
        const firstTen = new Set(first.slice(0, 10).map((h) => h.id));
        if (i >= 10) overlap += second.slice(0, 10).filter((h) => firstTen.has(h.id)).length / 10;
      });
      if (i >= 10) for (const k of steps) t[k].push(s[k]!);
    }
  } finally {
    await database.destroy();
    pgs.stop();
  }
  const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;
  console.log(`${SEARCHES} searches, one at a time, ${fixture.practices.length} practices (${dir}); feedback k ${DEFAULT_FEEDBACK.k}, alpha ${DEFAULT_FEEDBACK.alpha}`);
  console.table(steps.map((k) => ({ step: k, p50Ms: Number(pct(t[k], 0.5).toFixed(2)), p95Ms: Number(pct(t[k], 0.95).toFixed(2)), meanMs: Number((t[k].reduce((a, b) => a + b, 0) / t[k].length).toFixed(2)) })));
  console.log(`semantic top 10 after feedback vs before: mean overlap ${(overlap / SEARCHES).toFixed(3)}`);
}

runBench(main);
