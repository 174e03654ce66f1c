/**
 * writeEmbeddings() writes a batch as one statement per kind (session 11: it was one statement per
 * row, and a batch's round trips were most of the pipeline's time outside the model on a loaded
 * machine). What the row-by-row upserts did must hold: every kind of a mixed batch is written, a
 * key given twice keeps its last row (one statement would otherwise fail: ON CONFLICT DO UPDATE
 * cannot change a row twice), an unchanged hash leaves the stored row alone, and a shorter text's
 * surplus chunks go. deleteEmbeddings() takes several sources of a kind at once.
 *
 * Rows of a model of this file's own (no embedding_models row: written as any model without one)
 * for sources of practices of its own, so nothing another file writes is read.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createDatabase, type Database } from '../../src/db/database';
import { deleteEmbeddings, writeEmbeddings, type EmbeddingRow } from '../../src/repositories/embeddings.repository';
import { testEnv } from '../support/env';
import { createPracticeFixture, type PracticeFixture } from '../support/fixtures';

let database: Database;
beforeAll(() => {
  const env = testEnv();
  database = createDatabase(env.databaseUrl, 2, { authenticatorUrl: env.authenticatorUrl });
});
afterAll(() => database.destroy());
const db = () => database.system;

const model = `test/write-${randomUUID().slice(0, 8)}`;

async function newCase(f: PracticeFixture, title: string): Promise<string> {
  const r = await db()
    .insertInto('cases')
    .values({ practice_id: f.practiceId, patient_id: f.patientId, case_number: `W-${randomUUID().slice(0, 8)}`, title, case_type: 'active_treatment' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

const caseRow = (f: PracticeFixture, caseId: string, chunk: number, hash: string, vector: number[]): EmbeddingRow => ({
  kind: 'case',
  sourceId: caseId,
  practiceId: f.practiceId,
  model,
  chunk,
  text: `text ${hash}`,
  hash,
  vector,
});

const stored = async (table: 'case_embeddings' | 'patient_embeddings', fk: 'case_id' | 'patient_id', ids: string[]) =>
  (
    await sql<{ id: string; chunk: number; content_hash: string; content_text: string; embedding: string; updated_at: Date }>`
      SELECT ${sql.ref(fk)} AS id, chunk, content_hash, content_text, embedding::text AS embedding, updated_at FROM ${sql.table(table)}
       WHERE ${sql.ref(fk)} = ANY(${ids}::uuid[]) AND model = ${model} ORDER BY ${sql.ref(fk)}, chunk`.execute(db())
  ).rows;

test('a mixed batch is written in full, a key given twice keeps its last row, an unchanged hash leaves the row alone, surplus chunks go', async () => {
  const f = await createPracticeFixture(db(), `Write ${randomUUID().slice(0, 8)}`);
  const [a, b] = [await newCase(f, 'Write A'), await newCase(f, 'Write B')];
  const patient: EmbeddingRow = { kind: 'patient', sourceId: f.patientId, practiceId: f.practiceId, model, chunk: 0, text: 'summary', hash: 'p1', vector: [0, 0, 1] };

  await writeEmbeddings(db(), [caseRow(f, a, 0, 'a0', [1, 0, 0]), patient, caseRow(f, a, 1, 'a1-first', [0, 1, 0]), caseRow(f, b, 0, 'b0', [1, 1, 0]), caseRow(f, a, 1, 'a1-last', [0, 1, 1])]);
  const first = await stored('case_embeddings', 'case_id', [a, b]);
  const byId = (rows: typeof first, id: string, chunk: number) => rows.find((r) => r.id === id && r.chunk === chunk);
  expect(first).toHaveLength(3);
  expect(byId(first, a, 0)).toMatchObject({ content_hash: 'a0', content_text: 'text a0', embedding: '[1,0,0]' });
  expect(byId(first, a, 1)).toMatchObject({ content_hash: 'a1-last', content_text: 'text a1-last', embedding: '[0,1,1]' });
  expect(byId(first, b, 0)).toMatchObject({ content_hash: 'b0', content_text: 'text b0', embedding: '[1,1,0]' });
  expect((await stored('patient_embeddings', 'patient_id', [f.patientId])).map((r) => [r.content_hash, r.embedding])).toEqual([['p1', '[0,0,1]']]);

  // Again: a's chunk 0 unchanged (same hash: not rewritten, even with another vector), b's changed,
  // and a shortened to one chunk.
  await writeEmbeddings(db(), [caseRow(f, a, 0, 'a0', [9, 9, 9]), caseRow(f, b, 0, 'b0-new', [0, 0, 1])], [{ sourceId: a, kind: 'case', model, count: 1 }]);
  const second = await stored('case_embeddings', 'case_id', [a, b]);
  expect(second).toHaveLength(2);
  expect(byId(second, a, 0)).toMatchObject({ content_hash: 'a0', embedding: '[1,0,0]', updated_at: byId(first, a, 0)!.updated_at });
  expect(byId(second, b, 0)).toMatchObject({ content_hash: 'b0-new', embedding: '[0,0,1]' });
});

test('deleteEmbeddings removes the named sources of a kind, every model, and nothing else', async () => {
  const f = await createPracticeFixture(db(), `Delete ${randomUUID().slice(0, 8)}`);
  const ids = [await newCase(f, 'Del 1'), await newCase(f, 'Del 2'), await newCase(f, 'Keep')];
  await writeEmbeddings(
    db(),
    ids.flatMap((id, i) => [caseRow(f, id, 0, `h${i}`, [1, 0, 0]), { ...caseRow(f, id, 0, `h${i}`, [1, 0, 0]), model: `${model}-other` }]),
  );
  await deleteEmbeddings(db(), 'case', ids.slice(0, 2));
  await deleteEmbeddings(db(), 'case', []);
  const left = await sql<{ id: string; model: string }>`SELECT case_id AS id, model FROM case_embeddings WHERE case_id = ANY(${ids}::uuid[]) ORDER BY model`.execute(db());
  expect(left.rows).toEqual([
    { id: ids[2], model },
    { id: ids[2], model: `${model}-other` },
  ]);
});
