/**
 * The search service corrects misspelt query words before both legs (text.ts correctSpelling,
 * search.service.ts): "retaner" finds the text that says "retainer", lexically and in the text
 * the model embeds; `spellingCorrection: false` searches the query as typed.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { EmbeddingProvider } from '../../src/ai/providers/types';
import { createDatabase, type Database } from '../../src/db/database';
import { createSearchService } from '../../src/services/search.service';
import { testEnv } from '../support/env';
import { createPracticeFixture, type PracticeFixture } from '../support/fixtures';

let database: Database;
let f: PracticeFixture;
let retainer: string;

beforeAll(async () => {
  database = createDatabase(testEnv().databaseUrl, 2);
  const db = database.system;
  f = await createPracticeFixture(db);
  const kase = await db
    .insertInto('cases')
    .values({ practice_id: f.practiceId, patient_id: f.patientId, case_number: `S-${randomUUID().slice(0, 8)}`, title: 'Spelling', case_type: 'active_treatment' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const add = async (content: string) => (await db.insertInto('case_messages').values({ case_id: kase.id, practice_id: f.practiceId, sender_id: f.members.doctor, content }).returning('id').executeTakeFirstOrThrow()).id;
  retainer = await add('Upper vacuum formed retainer split in half, patient needs a replacement.');
  await add('Patient missed the appointment today and did not call.');
});
afterAll(() => database.destroy());

/** A provider that is down (the search answers lexically) and remembers what it was asked to embed. */
function downProvider(asked: string[]): EmbeddingProvider {
  return {
    model: 'test/spelling-down',
    dimensions: 3,
    embed: () => Promise.reject(new Error('down')),
    embedQuery: (text) => {
      asked.push(text);
      return Promise.reject(new Error('down'));
    },
  };
}

class Rollback extends Error {}

test('a misspelt word is corrected for the lexical leg and the embedded text; off, the query is searched as typed', async () => {
  await expect(
    database.system.transaction().execute(async (trx) => {
      // An active model (rolled back with the rest), so the service asks the provider.
      // The suite's database is shared: when another file's reindex (activateBuilt) commits while the UPDATE
      // below waits for the active row, the UPDATE skips the row it retired and never sees the one it
      // activated, and the INSERT breaks embedding_models_one_active. Taken before any other lock (so it
      // cannot deadlock), this waits for every writer of the models (FOR SHARE/UPDATE readers included) to
      // finish and holds the next ones off until the rollback.
      await sql`LOCK TABLE embedding_models IN EXCLUSIVE MODE`.execute(trx);
      await sql`UPDATE embedding_models SET state = 'retired' WHERE state = 'active'`.execute(trx);
      await sql`INSERT INTO embedding_models (model, dimensions, state, activated_at) VALUES ('test/spelling-down', 3, 'active', now())`.execute(trx);
      const search = async (q: string, spellingCorrection?: boolean) => {
        const asked: string[] = [];
        const svc = createSearchService({ system: trx, providers: () => downProvider(asked), embedTimeoutMs: 5_000, spellingCorrection, queryCacheSize: 0 });
        const res = await svc.search((fn) => fn(trx), { q, kinds: ['message'], limit: 5, practiceId: f.practiceId });
        return { ids: res.results.map((r) => r.id), terms: res.results.flatMap((r) => r.why.terms), asked, mode: res.mode };
      };
      const corrected = await search('upper retaner snapped');
      expect(corrected.mode).toBe('lexical');
      expect(corrected.ids).toEqual([retainer]);
      expect(corrected.terms).toContain('retainer');
      expect(corrected.asked).toHaveLength(1);
      expect(corrected.asked[0]).toMatch(/^upper retainer snapped/);

      const asTyped = await search('upper retaner snapped', false);
      expect(asTyped.ids).toEqual([retainer]);
      expect(asTyped.terms).not.toContain('retainer');
      expect(asTyped.asked[0]).toMatch(/^upper retaner snapped/);
      expect((await search('retaner', false)).ids).toEqual([]);
      throw new Rollback();
    }),
  ).rejects.toBeInstanceOf(Rollback);
});
