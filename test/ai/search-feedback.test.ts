/**
 * The semantic leg's vector pseudo-relevance feedback (fusion.ts DEFAULT_FEEDBACK,
 * search.service.ts): the first page's best texts' vectors are read under the caller's RLS and
 * scope (`vectorsOf`), and the second semantic query ranks by q' = q + alpha * their mean.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { DEFAULT_FEEDBACK, feedbackVector } from '../../src/ai/fusion';
import type { EmbeddingProvider } from '../../src/ai/providers/types';
import { createDatabase, type Database, type Db } from '../../src/db/database';
import { writeEmbeddings, type EmbeddingRow } from '../../src/repositories/embeddings.repository';
import { vectorsOf } from '../../src/repositories/search.repository';
import { createSearchService } from '../../src/services/search.service';
import { testEnv } from '../support/env';
import { createPracticeFixture, type PracticeFixture } from '../support/fixtures';

let database: Database;
let f: PracticeFixture;
let other: PracticeFixture;
const model = `test/feedback-${randomUUID().slice(0, 8)}`;

async function message(db: Db, p: PracticeFixture, content: string): Promise<string> {
  const kase = await db
    .insertInto('cases')
    .values({ practice_id: p.practiceId, patient_id: p.patientId, case_number: `F-${randomUUID().slice(0, 8)}`, title: 'Feedback', case_type: 'active_treatment' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return (await db.insertInto('case_messages').values({ case_id: kase.id, practice_id: p.practiceId, sender_id: p.members.doctor, content }).returning('id').executeTakeFirstOrThrow()).id;
}
const row = (id: string, practiceId: string, chunk: number, vector: number[], m = model): EmbeddingRow => ({ kind: 'message', sourceId: id, practiceId, model: m, chunk, text: `chunk ${chunk}`, hash: `h-${id}-${chunk}`, vector });

beforeAll(async () => {
  database = createDatabase(testEnv().databaseUrl, 2);
  f = await createPracticeFixture(database.system);
  other = await createPracticeFixture(database.system);
});
afterAll(() => database.destroy());

test("vectorsOf: each text's first chunk, only of the caller's practices, only of the model asked for", async () => {
  const db = database.system;
  const two = await message(db, f, 'two chunks');
  const none = await message(db, f, 'no vector');
  const foreign = await message(db, other, 'another practice');
  await writeEmbeddings(db, [row(two, f.practiceId, 0, [1, 0, 0]), row(two, f.practiceId, 1, [0, 1, 0]), row(foreign, other.practiceId, 0, [0, 0, 1]), row(none, f.practiceId, 0, [0, 1, 0], `${model}-other`)]);
  const ids = [two, none, foreign];
  const mine = await database.asActor({ sub: f.members.doctor }, (trx) => vectorsOf(trx, 'message', model, ids));
  expect([...mine.entries()]).toEqual([[two, [1, 0, 0]]]);
  // Scoped to the other practice, the backend sees only its text; its member under RLS the same.
  expect([...(await database.system.transaction().execute((trx) => vectorsOf(trx, 'message', model, ids, other.practiceId))).keys()]).toEqual([foreign]);
  expect([...(await database.asActor({ sub: other.members.doctor }, (trx) => vectorsOf(trx, 'message', model, ids))).keys()]).toEqual([foreign]);
  expect((await database.asActor({ sub: f.members.doctor }, (trx) => vectorsOf(trx, 'message', model, []))).size).toBe(0);
});

test('vectorsOf gives the stored halfvec values exactly, as search_page() reads them for q\' (db 0143)', async () => {
  // 0.1, 0.2, 0.3 are stored as the nearest halves; their text ("0.099975586", ...) parsed as a
  // double is a nearby decimal, not the stored value that search_page() widens to float8.
  const id = await message(database.system, f, 'halves');
  await writeEmbeddings(database.system, [row(id, f.practiceId, 0, [0.1, 0.2, 0.3])]);
  const got = await database.asActor({ sub: f.members.doctor }, (trx) => vectorsOf(trx, 'message', model, [id]));
  expect(got.get(id)).toEqual([0.0999755859375, 0.199951171875, 0.300048828125]);
  const stored = await sql<{ v: string }>`SELECT array_to_string(embedding::real[]::float8[], ',') AS v FROM message_embeddings WHERE message_id = ${id}::uuid`.execute(database.system);
  expect(got.get(id)).toEqual(stored.rows[0]!.v.split(',').map(Number));
});

class Rollback extends Error {}

test('with feedback the semantic leg ranks by q + alpha * mean of the first page, without it by q', async () => {
  // q = (1, 0, 0). Without feedback: a b c d e by cosine. The first three pull q towards y, so with
  // feedback e (along y) passes d (along z).
  const vectors: Record<string, number[]> = {
    a: [0.95, 0.312, 0],
    b: [0.9, 0.436, 0],
    c: [0.85, 0.527, 0],
    d: [0.8, 0, 0.6],
    e: [0.75, 0.661, 0],
  };
  await expect(
    database.system.transaction().execute(async (trx) => {
      const m = `${model}-svc`;
      // The suite's database is shared: when another file's reindex (activateBuilt) commits while the UPDATE
      // below waits for the active row, the UPDATE skips the row it retired and never sees the one it
      // activated, and the INSERT breaks embedding_models_one_active. Taken before any other lock (so it
      // cannot deadlock), this waits for every writer of the models (FOR SHARE/UPDATE readers included) to
      // finish and holds the next ones off until the rollback.
      await sql`LOCK TABLE embedding_models IN EXCLUSIVE MODE`.execute(trx);
      await sql`UPDATE embedding_models SET state = 'retired' WHERE state = 'active'`.execute(trx);
      await sql`INSERT INTO embedding_models (model, dimensions, state, activated_at) VALUES (${m}, 3, 'active', now())`.execute(trx);
      const idOf = new Map<string, string>();
      for (const [name, v] of Object.entries(vectors)) {
        const id = await message(trx, f, `feedback text ${name}`);
        idOf.set(id, name);
        await writeEmbeddings(trx, [row(id, f.practiceId, 0, v, m)]);
      }
      const provider: EmbeddingProvider = { model: m, dimensions: 3, embed: (t) => Promise.resolve(t.map(() => [1, 0, 0])), embedQuery: () => Promise.resolve([1, 0, 0]) };
      const run = async (feedback: typeof DEFAULT_FEEDBACK | null) => {
        const svc = createSearchService({ system: trx, providers: () => provider, embedTimeoutMs: 5_000, feedback });
        // No word of the query is in any text: the semantic leg alone decides.
        const res = await svc.search((fn) => fn(trx), { q: 'qqqxyzzy', kinds: ['message'], limit: 5, practiceId: f.practiceId });
        expect(res.mode).toBe('hybrid');
        return res.results.map((r) => idOf.get(r.id));
      };
      expect(await run(null)).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(await run(DEFAULT_FEEDBACK)).toEqual(['a', 'b', 'c', 'e', 'd']);
      // The order the feedback vector gives, computed here.
      const q2 = feedbackVector([1, 0, 0], [vectors.a!, vectors.b!, vectors.c!], DEFAULT_FEEDBACK.alpha);
      const cos = (v: number[]) => v.reduce((s, x, i) => s + x * q2[i]!, 0) / Math.hypot(...v);
      expect(Object.keys(vectors).sort((x, y) => cos(vectors[y]!) - cos(vectors[x]!))).toEqual(['a', 'b', 'c', 'e', 'd']);
      throw new Rollback();
    }),
  ).rejects.toBeInstanceOf(Rollback);
});
