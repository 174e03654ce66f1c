/**
 * The API process's own CPU per GET /search, two versions of its TypeScript side by side in one
 * run (session 10, s-node): the search service, the statement it builds and the driver's round
 * trip (`Database.asActorStatement`) of this checkout (B) against an exported tree of another
 * commit (A), on the same fixture, one search at a time, the two alternating search by search
 * (a rotating order) so that load drifts and cold caches hit both alike. For each: wall time,
 * this process's CPU (process.cpuUsage) and the database backend's (utime + stime of each
 * version's own actor connection, /proc/<pid>/schedstat). Every page of A and B must be identical
 * (ids, scores, snippets, why, dates): the run fails otherwise. A measurement, not a test.
 *
 * The fixture's vectors are the bench's synthetic small integers; a model's query vector is a
 * unit float32 vector (~8,000 characters of text), so each query vector is sent normalised to
 * unit length as float32 values (the same neighbours: cosine does not see the scale).
 *
 *   git archive <commit> src | tar -x -C /tmp/<you>-before && ln -s $PWD/node_modules /tmp/<you>-before/node_modules
 *   nice -n 5 npx tsx bench/search-node-ab.ts --dir <fixture copy> --before /tmp/<you>-before [--searches 300] [--rounds 2] [--block 1] [--audit]
 *
 * --block N: each version runs N searches in a row before the other's N (the same queries), so
 * that one version's code and data are not evicted by the other's between two of its searches.
 *
 * --audit (session 11, s-phi3): each search as GET /search runs it, with its PHI access log
 * (`audit: SEARCH_READ`, each version's own statement for it); pass the same --before export of a
 * commit before db 0146 to compare session 10's log with this checkout's (both functions exist in
 * a fixture migrated to this checkout). Writes phi_access_log rows: run it on your own copy.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { sql } from 'kysely';
import { runBench } from './fixture-migrations';
import { cachedSearchFixtureDir, fixtureSearches, prewarmSearchLeaves, schedCpuMs, startSearchFixture } from './search-fixture-dir';
import * as database from '../src/db/database';
import type { EmbeddingProvider } from '../src/ai/providers/types';
import * as service from '../src/services/search.service';

const { values: opt } = parseArgs({
  options: { dir: { type: 'string' }, before: { type: 'string' }, searches: { type: 'string', default: '300' }, rounds: { type: 'string', default: '2' }, block: { type: 'string', default: '1' }, audit: { type: 'boolean', default: false }, migrate: { type: 'boolean', default: false } },
});
const SEARCHES = Number(opt.searches);
const ROUNDS = Number(opt.rounds);
const BLOCK = Number(opt.block);
if (!opt.before || !Number.isInteger(SEARCHES) || SEARCHES < 1 || !Number.isInteger(ROUNDS) || ROUNDS < 1 || !Number.isInteger(BLOCK) || BLOCK < 1) {
  console.error('usage: --before <exported tree with src/ and node_modules> [--dir <fixture copy>] [--searches N >= 1] [--rounds N >= 1] [--block N >= 1] [--audit]');
  process.exit(2);
}

async function main(): Promise<void> {
  const dir = cachedSearchFixtureDir('realistic', opt.dir);
  const before = path.resolve(opt.before!);
  const versions = [
    { name: `A ${before}`, db: (await import(path.join(before, 'src/db/database.ts'))) as typeof database, svc: (await import(path.join(before, 'src/services/search.service.ts'))) as typeof service },
    { name: 'B this checkout', db: database, svc: service },
  ];
  const { fixture, pgs } = await startSearchFixture(dir, opt.migrate);
  // Each version its own database handle: one system connection, one actor connection (as mdw_authenticator, as the API).
  const handles = versions.map((v) => v.db.createDatabase(pgs.url, 1, { authenticatorUrl: v.db.urlAs(pgs.url, v.db.AUTHENTICATOR_ROLE) }));
  try {
    const system = handles[1]!.system;
    const model = (await sql<{ model: string; dimensions: number }>`SELECT model, dimensions FROM embedding_models WHERE state = 'active'`.execute(system)).rows[0]!;
    await prewarmSearchLeaves(system);
    const pids = await Promise.all(handles.map(async (h) => (await h.actorPool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid));
    const queries = await fixtureSearches(system, fixture.practices, SEARCHES + 10);
    let current: number[] = [];
    const provider: EmbeddingProvider = { model: model.model, dimensions: model.dimensions, embed: (xs) => Promise.resolve(xs.map(() => current)), embedQuery: () => Promise.resolve(current) };
    const runs = versions.map((v, k) => {
      const s = v.svc.createSearchService({ system: handles[k]!.system, providers: () => provider, embedTimeoutMs: 60_000, queryCacheSize: 0 });
      const h = handles[k]!;
      const audit = opt.audit ? { audit: v.svc.SEARCH_READ } : {};
      return (q: (typeof queries)[number]) => s.search((fn) => h.asActor({ sub: q.member }, fn), { q: q.q, kinds: ['message'], limit: 10, ...audit }, (text) => h.asActorStatement({ sub: q.member }, text));
    });
    const stats = versions.map(() => ({ wall: [] as number[], backendMs: 0, nodeUs: 0 }));
    let differ = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (let from = 0; from < queries.length; from += BLOCK) {
        const block = queries.slice(from, from + BLOCK);
        const pages: unknown[][] = versions.map(() => []);
        for (let j = 0; j < versions.length; j++) {
          const m = (from / BLOCK + j + round) % versions.length;
          for (let i = 0; i < block.length; i++) {
            const q = block[i]!;
            current = q.vector;
            const b0 = schedCpuMs(pids[m]!);
            const c0 = process.cpuUsage();
            const t0 = performance.now();
            pages[m]![i] = await runs[m]!(q);
            const wall = performance.now() - t0;
            const c = process.cpuUsage(c0);
            const b = schedCpuMs(pids[m]!) - b0;
            // The first ten of each round warm the caches.
            if (from + i >= 10) {
              stats[m]!.wall.push(wall);
              stats[m]!.backendMs += b;
              stats[m]!.nodeUs += c.user + c.system;
            }
          }
        }
        for (let i = 0; i < block.length; i++) {
          if (!isDeepStrictEqual(pages[0]![i], pages[1]![i])) {
            differ++;
            if (differ === 1) console.log('pages differ:', JSON.stringify(pages[0]![i]).slice(0, 500), JSON.stringify(pages[1]![i]).slice(0, 500));
          }
        }
      }
    }
    const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
    console.log(`${SEARCHES} searches x ${ROUNDS} rounds each, one at a time (${dir}${opt.audit ? ', with the PHI log' : ''}); pages that differ between A and B: ${differ} of ${queries.length * ROUNDS}`);
    console.table(
      versions.map((v, k) => {
        const s = stats[k]!;
        return {
          version: v.name,
          p50Ms: Number(pct(s.wall, 0.5).toFixed(2)),
          meanMs: Number((s.wall.reduce((a, b) => a + b, 0) / s.wall.length).toFixed(2)),
          backendCpuMs: Number((s.backendMs / s.wall.length).toFixed(3)),
          nodeCpuMs: Number((s.nodeUs / 1000 / s.wall.length).toFixed(3)),
        };
      }),
    );
    if (differ > 0) process.exitCode = 1;
  } finally {
    for (const h of handles) await h.destroy();
    pgs.stop();
  }
}

runBench(main);
