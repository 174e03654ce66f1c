import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { startEmbeddedPostgres } from '../scripts/lib/embedded-postgres';
import { cacheDir } from '../scripts/lib/tool-cache';
import { createDatabase, type Database } from '../src/db/database';
import { SEARCH_QUERIES, SEARCH_QUERIES_ADDED } from '../src/ai/eval/search-set';
import { migrateCachedFixture } from './fixture-migrations';

/**
 * The directory of bench:search's cached fixture of these texts (`realistic-<N>x<P>-<key>`, eval31's
 * `<N>x<P>-<key>`): `dir` when given, else the largest cached one (the benchmark of record's scale).
 * Exits with a line that says how to build it when there is none. Shared by the search benches that
 * read the cached database rather than build it.
 */
export function cachedSearchFixtureDir(fixture: 'realistic' | 'eval31', dir?: string): string {
  if (dir) return dir;
  const root = path.join(cacheDir(), 'bench-search');
  const found = (existsSync(root) ? readdirSync(root).filter((d) => existsSync(path.join(root, d, 'fixture.json'))) : [])
    .filter((d) => d.startsWith('realistic-') === (fixture === 'realistic'))
    .map((d) => ({ d, n: Number(d.replace(/^realistic-/, '').split('x')[0]) }));
  found.sort((a, b) => b.n - a.n);
  if (!found[0]) {
    console.error(`no bench:search ${fixture} fixture: run \`npm run bench:search -- --fixture ${fixture} --build-only\` first`);
    process.exit(2);
  }
  return path.join(root, found[0].d);
}

/**
 * The cached realistic fixture opened for a bench that reads its message embeddings: the server
 * (shared_buffers sized for the 1M vectors), a two-connection database, the active model, and the
 * embedding partitions and their indexes prewarmed so that the first searches do not read disk.
 */
export async function openCachedSearchFixture(dir?: string) {
  const fixtureDir = cachedSearchFixtureDir('realistic', dir);
  const fixture = JSON.parse(readFileSync(path.join(fixtureDir, 'fixture.json'), 'utf8')) as { practices: { id: string; member: string }[] };
  const pgs = await startEmbeddedPostgres({ dataDir: fixtureDir, database: 'mdw_search_bench', ephemeral: true, settings: { shared_buffers: '4GB', effective_cache_size: '12GB' } });
  const database = createDatabase(pgs.url, 2);
  const model = (await sql<{ model: string; dimensions: number }>`SELECT model, dimensions FROM embedding_models WHERE state = 'active'`.execute(database.system)).rows[0]!;
  await sql`CREATE EXTENSION IF NOT EXISTS pg_prewarm`.execute(database.system);
  await sql`SELECT pg_prewarm(r.oid) FROM (
      SELECT i.indexrelid AS oid FROM pg_partition_tree('message_embeddings') h JOIN pg_index i ON i.indrelid = h.relid WHERE h.isleaf
      UNION ALL SELECT h.relid FROM pg_partition_tree('message_embeddings') h WHERE h.isleaf) r`.execute(database.system);
  return { dir: fixtureDir, fixture, pgs, database, model };
}

/**
 * Loads what a whole search reads into shared buffers (pg_prewarm), so that no measured step pays
 * for a cold page: the leaves of the message embeddings (0115/0116 partition them in two levels;
 * a partitioned index has no storage of its own) and of the lexical index, heaps and indexes, and
 * the postings' primary keys.
 */
export async function prewarmSearchLeaves(db: Database['system']): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS pg_prewarm`.execute(db);
  await sql`SELECT pg_prewarm(r.oid) FROM (
      SELECT i.indexrelid AS oid FROM (SELECT relid FROM pg_partition_tree('message_embeddings') WHERE isleaf UNION ALL SELECT relid FROM pg_partition_tree('search_index.documents') WHERE isleaf) h
        JOIN pg_index i ON i.indrelid = h.relid
      UNION ALL SELECT relid FROM pg_partition_tree('message_embeddings') WHERE isleaf
      UNION ALL SELECT relid FROM pg_partition_tree('search_index.documents') WHERE isleaf
      -- The postings' primary keys (db 0160), which the lexical ranking reads (db 0164).
      UNION ALL SELECT i.indexrelid FROM pg_partition_tree(to_regclass('search_index.postings')) h JOIN pg_index i ON i.indrelid = h.relid WHERE h.isleaf) r`.execute(db);
}

/**
 * CPU time (ms) a process has run so far: /proc/<pid>/schedstat's first field, nanoseconds on a
 * CPU (the scheduler's own clock), where the kernel has it; else utime + stime of /proc/<pid>/stat
 * (10 ms ticks: a search's few ms are then only right summed over many searches).
 */
export function schedCpuMs(pid: number): number {
  try {
    const ns = Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
    if (Number.isFinite(ns)) return ns / 1e6;
  } catch {
    // no schedstat: the ticks below
  }
  // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th (USER_HZ 100).
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

/**
 * Starts the server of the cached fixture in `dir` sized as bench:search sizes it (a server left
 * running is reused as it is) and applies this checkout's pending migrations only with `migrate`
 * (bench/fixture-migrations.ts: otherwise a fixture missing some stops the run, the server stopped).
 * The one start-up of the search benches that measure a cached fixture one way or another.
 */
export async function startSearchFixture(dir: string, migrate: boolean) {
  const fixture = JSON.parse(readFileSync(path.join(dir, 'fixture.json'), 'utf8')) as { practices: { id: string; member: string }[] };
  const pgs = await startEmbeddedPostgres({ dataDir: dir, database: 'mdw_search_bench', ephemeral: true, settings: { shared_buffers: '4GB', effective_cache_size: '12GB' } });
  await migrateCachedFixture(pgs.url, dir, migrate, (line) => console.log(line)).catch((err: unknown) => {
    pgs.stop();
    throw err;
  });
  return { fixture, pgs };
}

/**
 * `n` searches for the A/B scripts (search-node-ab, search-phi-ab): the labelled queries' texts in
 * turn, each with a member of a practice spread over the fixture and, as its query vector, one of
 * that practice's own stored vectors normalised to unit length in float32 (what a model returns).
 */
export async function fixtureSearches(system: Database['system'], practices: ReadonlyArray<{ id: string; member: string }>, n: number): Promise<{ member: string; q: string; vector: number[] }[]> {
  const texts = [...SEARCH_QUERIES, ...SEARCH_QUERIES_ADDED].map((q) => q.q);
  const out: { member: string; q: string; vector: number[] }[] = [];
  for (let i = 0; i < n; i++) {
    const p = practices[(i * 37) % practices.length]!;
    const v = await sql<{ v: string }>`SELECT embedding::text AS v FROM message_embeddings WHERE practice_id = ${p.id}::uuid ORDER BY message_id OFFSET ${i} LIMIT 1`.execute(system);
    const raw = JSON.parse(v.rows[0]!.v) as number[];
    const norm = Math.sqrt(raw.reduce((a, x) => a + x * x, 0));
    out.push({ member: p.member, q: texts[i % texts.length]!, vector: Array.from(new Float32Array(raw.map((x) => x / norm))) });
  }
  return out;
}
