/**
 * The semantic leg fetches 1.2 × LIMIT nearest chunks (SEMANTIC_OVERFETCH) and keeps the best chunk
 * per text; when several chunks of the same texts use up that margin, it asks again with 2 × LIMIT
 * (what it always fetched before), so a page is not left short.
 */
import { randomUUID } from 'node:crypto';
import { createDatabase, type Database } from '../../src/db/database';
import { writeEmbeddings, type EmbeddingRow } from '../../src/repositories/embeddings.repository';
import { semantic } from '../../src/repositories/search.repository';
import { testEnv } from '../support/env';
import { createPracticeFixture, type PracticeFixture } from '../support/fixtures';

let database: Database;
let f: PracticeFixture;
let other: PracticeFixture;
const model = { model: `test/overfetch-${randomUUID().slice(0, 8)}`, dimensions: 3 };
/** Three texts of four chunks each nearest the query, then twenty one-chunk texts farther away. */
const crowded: string[] = [];
const single: string[] = [];

beforeAll(async () => {
  database = createDatabase(testEnv().databaseUrl, 2);
  const db = database.system;
  f = await createPracticeFixture(db);
  other = await createPracticeFixture(db);
  const kase = await db
    .insertInto('cases')
    .values({ practice_id: f.practiceId, patient_id: f.patientId, case_number: `O-${randomUUID().slice(0, 8)}`, title: 'Overfetch', case_type: 'active_treatment' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const message = async () =>
    (await db.insertInto('case_messages').values({ case_id: kase.id, practice_id: f.practiceId, sender_id: f.members.doctor, content: 'text' }).returning('id').executeTakeFirstOrThrow()).id;
  const rows: EmbeddingRow[] = [];
  const row = (id: string, practiceId: string, chunk: number, vector: number[]): EmbeddingRow => ({ kind: 'message', sourceId: id, practiceId, model: model.model, chunk, text: `chunk ${chunk}`, hash: `h-${id}`, vector });
  for (let t = 0; t < 3; t++) {
    const id = await message();
    crowded.push(id);
    for (let c = 0; c < 4; c++) rows.push(row(id, f.practiceId, c, [1, 0.01 * (t * 4 + c), 0]));
  }
  for (let t = 0; t < 20; t++) {
    const id = await message();
    single.push(id);
    rows.push(row(id, f.practiceId, 0, [1, 0.2 + 0.02 * t, 0]));
  }
  // Another practice's vector right on the query: never among this practice's results.
  const otherCase = await db
    .insertInto('cases')
    .values({ practice_id: other.practiceId, patient_id: other.patientId, case_number: `O-${randomUUID().slice(0, 8)}`, title: 'Other', case_type: 'active_treatment' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const foreign = await db.insertInto('case_messages').values({ case_id: otherCase.id, practice_id: other.practiceId, sender_id: other.members.doctor, content: 'text' }).returning('id').executeTakeFirstOrThrow();
  rows.push(row(foreign.id, other.practiceId, 0, [1, 0, 0]));
  await writeEmbeddings(db, rows);
});
afterAll(() => database.destroy());

test('duplicate chunks that use up the margin make the leg ask again: a full page, best chunk per text, as with 2 × LIMIT', async () => {
  const hits = await database.system.transaction().execute((trx) => semantic(trx, 'message', model, [1, 0, 0], 10, f.practiceId));
  // 1.2 × 10 = 12 nearest chunks are the crowded texts' 12: three texts. Asked again with 20: ten.
  expect(hits).toHaveLength(10);
  expect(hits.slice(0, 3).map((h) => h.id)).toEqual(crowded);
  expect(hits.slice(3).map((h) => h.id)).toEqual(single.slice(0, 7));
  // Each text once, with its best chunk.
  expect(new Set(hits.map((h) => h.id)).size).toBe(10);
  expect(hits.slice(0, 3).map((h) => h.chunk_text)).toEqual(['chunk 0', 'chunk 0', 'chunk 0']);
  // What fetching 2 × LIMIT from the start (before) returns.
  const before = await database.system.transaction().execute((trx) => semantic(trx, 'message', model, [1, 0, 0], 10, f.practiceId, undefined, undefined, 2));
  expect(hits).toEqual(before);
});

test('one chunk per text: the first fetch fills the page', async () => {
  const hits = await database.system.transaction().execute((trx) => semantic(trx, 'message', model, [1, 0.6, 0], 5, f.practiceId));
  expect(hits.map((h) => h.id)).toEqual(single.slice(-5).reverse());
});
