/**
 * Which relations one production GET /search locks (session 10, s-contend): the search service's
 * search_page() as a member of one practice, on one connection, with the practice's own message
 * vectors as query vectors (a real neighbourhood), the eval set's query texts in turn; after each
 * search, before COMMIT, its backend's pg_locks: relations, how many took a fast-path slot, how
 * many went through the shared lock manager, and how many belong to search_index.documents.
 * PostgreSQL 18 gives a backend max_locks_per_transaction fast-path slots (groups of 16 by oid);
 * shared catalogs never take one.
 *
 *   nice -n 5 npx tsx bench/search-locks.ts --dir <fixture copy> [--searches 12] [--list 7] [--settings max_locks_per_transaction=256]
 *
 * --list N prints search N's relations. A server on a shared fixture only under
 * /tmp/mdw-bench.lock; the fixture is only read (a fixture lacking migrations stops the run).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { startEmbeddedPostgres } from '../scripts/lib/embedded-postgres';
import { migrateCachedFixture, runBench } from './fixture-migrations';
import { cachedSearchFixtureDir } from './search-fixture-dir';
import { SEARCH_QUERIES } from '../src/ai/eval/search-set';
import { AUTHENTICATOR_ROLE, createDatabase, urlAs } from '../src/db/database';
import type { EmbeddingProvider } from '../src/ai/providers/types';
import { createSearchService } from '../src/services/search.service';

const { values: opt } = parseArgs({ options: { dir: { type: 'string' }, searches: { type: 'string', default: '12' }, list: { type: 'string' }, settings: { type: 'string', default: '' } } });
const SEARCHES = Number(opt.searches);
if (!Number.isInteger(SEARCHES) || SEARCHES < 1) {
  console.error(`--searches must be a positive integer (got ${opt.searches})`);
  process.exit(2);
}
const settings: Record<string, string> = {};
for (const pair of opt.settings.split(',').filter(Boolean)) {
  const m = /^([a-z_.]+)=(\S+)$/.exec(pair.trim());
  if (!m) {
    console.error(`--settings: name=value, comma-separated (got "${pair}")`);
    process.exit(2);
  }
  settings[m[1]!] = m[2]!;
}

type Lock = { rel: string | null; locktype: string; fastpath: boolean };

async function main(): Promise<void> {
  const dir = cachedSearchFixtureDir('realistic', opt.dir);
  const fixture = JSON.parse(readFileSync(path.join(dir, 'fixture.json'), 'utf8')) as { practices: { id: string; member: string }[] };
  const pgs = await startEmbeddedPostgres({ dataDir: dir, database: 'mdw_search_bench', ephemeral: true, settings: { shared_buffers: '4GB', effective_cache_size: '12GB', ...settings } });
  const database = createDatabase(pgs.url, 1, { authenticatorUrl: urlAs(pgs.url, AUTHENTICATOR_ROLE) });
  try {
    await migrateCachedFixture(pgs.url, dir, false, (line) => console.log(line));
    const model = (await sql<{ model: string; dimensions: number }>`SELECT model, dimensions FROM embedding_models WHERE state = 'active'`.execute(database.system)).rows[0]!;
    const p = fixture.practices[0]!;
    const vectors = (await sql<{ v: string }>`SELECT embedding::text AS v FROM message_embeddings WHERE practice_id = ${p.id}::uuid ORDER BY message_id LIMIT ${SEARCHES}`.execute(database.system)).rows.map((r) => JSON.parse(r.v) as number[]);
    let current: number[] = vectors[0]!;
    const provider: EmbeddingProvider = { model: model.model, dimensions: model.dimensions, embed: (xs) => Promise.resolve(xs.map(() => current)), embedQuery: () => Promise.resolve(current) };
    const service = createSearchService({ system: database.system, providers: () => provider, embedTimeoutMs: 60_000, queryCacheSize: 0 });
    const rows = [];
    for (let i = 0; i < SEARCHES; i++) {
      current = vectors[i % vectors.length]!;
      const q = SEARCH_QUERIES[i % SEARCH_QUERIES.length]!.q;
      let locks: Lock[] = [];
      await service.search((fn) => database.asActor({ sub: p.member }, fn), { q, kinds: ['message'], limit: 10 }, (text) =>
        database.asActor({ sub: p.member }, async (trx) => {
          const page = (await sql.raw(text).execute(trx)).rows;
          locks = (
            await sql<Lock>`SELECT relation::regclass::text AS rel, locktype, fastpath FROM pg_locks
              WHERE pid = pg_backend_pid() AND locktype = 'relation' AND relation <> 'pg_catalog.pg_locks'::regclass ORDER BY 1`.execute(trx)
          ).rows;
          return page as never[];
        }),
      );
      rows.push({ search: i, q: q.slice(0, 40), relations: locks.length, fastPath: locks.filter((l) => l.fastpath).length, lockManager: locks.filter((l) => !l.fastpath).length, searchIndexDocuments: locks.filter((l) => l.rel?.startsWith('search_index.documents')).length });
      if (opt.list !== undefined && Number(opt.list) === i) for (const l of locks) console.log(l.fastpath ? 'fast-path   ' : 'lock manager', l.rel);
    }
    console.log(`practice ${p.id}, one connection, max_locks_per_transaction ${(await sql<{ s: string }>`SELECT current_setting('max_locks_per_transaction') AS s`.execute(database.system)).rows[0]!.s} (${dir})`);
    console.table(rows);
  } finally {
    await database.destroy();
    pgs.stop();
  }
}

runBench(main);
