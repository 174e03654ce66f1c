/**
 * The search service's query-vector LRU: a repeated query does not call the model again, the
 * least recently used entry goes first, and a failed call is not cached. Runs in a transaction
 * that is rolled back, so the active model it registers is never seen by other tests.
 */
import { sql } from 'kysely';
import { createDatabase, type Database } from '../../src/db/database';
import type { EmbeddingProvider } from '../../src/ai/providers/types';
import { createSearchService } from '../../src/services/search.service';
import { testEnv } from '../support/env';

let database: Database;
beforeAll(() => {
  database = createDatabase(testEnv().databaseUrl, 2);
});
afterAll(() => database.destroy());

const MODEL = 'test/query-cache-3';

function countingProvider() {
  const calls: string[] = [];
  let failNext = false;
  const provider: EmbeddingProvider = {
    model: MODEL,
    dimensions: 3,
    embed: (texts) => Promise.resolve(texts.map(() => [1, 0, 0])),
    embedQuery: (text) => {
      calls.push(text);
      if (failNext) {
        failNext = false;
        return Promise.reject(new Error('provider down'));
      }
      return Promise.resolve([text.length, 1, 0]);
    },
  };
  return { provider, calls, failOnce: () => (failNext = true) };
}

class Rollback extends Error {}

test('a repeated query is answered from the cache, the least recently used goes first, failures are not kept', async () => {
  await expect(
    database.system.transaction().execute(async (trx) => {
      // The suite's database is shared: when another file's reindex (activateBuilt) commits while the UPDATE
      // below waits for the active row, the UPDATE skips the row it retired and never sees the one it
      // activated, and the INSERT breaks embedding_models_one_active. Taken before any other lock (so it
      // cannot deadlock), this waits for every writer of the models (FOR SHARE/UPDATE readers included) to
      // finish and holds the next ones off until the rollback.
      await sql`LOCK TABLE embedding_models IN EXCLUSIVE MODE`.execute(trx);
      await sql`UPDATE embedding_models SET state = 'retired' WHERE state = 'active'`.execute(trx);
      await sql`INSERT INTO embedding_models (model, dimensions, state, activated_at) VALUES (${MODEL}, 3, 'active', now())
        ON CONFLICT (model) DO UPDATE SET state = 'active', dimensions = 3`.execute(trx);
      const p = countingProvider();
      const svc = createSearchService({ system: trx, providers: () => p.provider, embedTimeoutMs: 5_000, queryCacheSize: 2 });

      const first = await svc.embedQuery('aligner');
      expect(first.vector).toEqual([7, 1, 0]);
      expect((await svc.embedQuery('aligner')).vector).toEqual([7, 1, 0]);
      expect(p.calls).toEqual(['aligner']);

      await svc.embedQuery('retainer'); // cache: aligner, retainer
      await svc.embedQuery('aligner'); // hit: retainer is now the least recently used
      await svc.embedQuery('ipr'); // evicts retainer
      expect(p.calls).toEqual(['aligner', 'retainer', 'ipr']);
      await svc.embedQuery('aligner');
      await svc.embedQuery('retainer');
      expect(p.calls).toEqual(['aligner', 'retainer', 'ipr', 'retainer']);

      p.failOnce();
      const down = await svc.embedQuery('bracket');
      expect(down.vector).toBeNull();
      expect(down.degraded?.reason).toBe('provider_unavailable');
      expect((await svc.embedQuery('bracket')).vector).toEqual([7, 1, 0]);
      expect(p.calls.filter((c) => c === 'bracket')).toHaveLength(2);

      const off = countingProvider();
      const uncached = createSearchService({ system: trx, providers: () => off.provider, embedTimeoutMs: 5_000, queryCacheSize: 0 });
      await uncached.embedQuery('aligner');
      await uncached.embedQuery('aligner');
      expect(off.calls).toEqual(['aligner', 'aligner']);
      throw new Rollback();
    }),
  ).rejects.toBeInstanceOf(Rollback);
});
