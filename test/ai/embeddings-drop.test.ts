/**
 * Retiring a model deletes its vectors only. The embedding tables are hash-partitioned by
 * practice (db 0063), where a ctid is unique only within its partition: dropModelData() once
 * deleted "WHERE ctid IN (…ctids of the old model…)" and took the new model's rows that sat at
 * the same ctid in other partitions (seen in a clean-clone run of test/ai/search.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createDatabase, type Database } from '../../src/db/database';
import { dropModelData, writeEmbeddings, type EmbeddingRow } from '../../src/repositories/embeddings.repository';
import { testEnv } from '../support/env';
import { createPracticeFixture } from '../support/fixtures';

let database: Database;
beforeAll(() => {
  const env = testEnv();
  database = createDatabase(env.databaseUrl, 2, { authenticatorUrl: env.authenticatorUrl });
});
afterAll(() => database.destroy());

test('dropModelData deletes the retired model’s vectors and none of another model’s, across partitions', async () => {
  const db = database.system;
  const tag = randomUUID().slice(0, 8);
  const [oldModel, newModel] = [`test/old-${tag}`, `test/new-${tag}`];
  const row = (patientId: string, practiceId: string, model: string): EmbeddingRow =>
    ({ kind: 'patient', sourceId: patientId, practiceId, model, chunk: 0, text: 'summary', hash: `h-${model}`, vector: [1, 0, 0] });
  const patients: string[] = [];
  for (let i = 0; i < 16; i++) {
    const f = await createPracticeFixture(db, `Drop ${tag} ${i}`);
    patients.push(f.patientId);
    // Alternate the order so that one practice's old-model row and another's new-model row share a
    // ctid in their (different) partitions.
    const pair = [row(f.patientId, f.practiceId, oldModel), row(f.patientId, f.practiceId, newModel)];
    await writeEmbeddings(db, i % 2 === 0 ? pair : pair.reverse());
  }
  const collisions = await sql<{ n: number }>`SELECT count(*)::int AS n FROM patient_embeddings o JOIN patient_embeddings n
      ON n.ctid = o.ctid AND n.tableoid <> o.tableoid WHERE o.model = ${oldModel} AND n.model = ${newModel}`.execute(db);
  expect(collisions.rows[0]!.n).toBeGreaterThan(0); // the situation that lost rows

  expect(await dropModelData(db, oldModel, 4)).toBe(16);
  const left = await sql<{ model: string; n: number }>`SELECT model, count(*)::int AS n FROM patient_embeddings
      WHERE patient_id = ANY(${patients}::uuid[]) GROUP BY model`.execute(db);
  expect(left.rows).toEqual([{ model: newModel, n: 16 }]);
});

test('a write after its model was retired stores nothing (a job racing a reindex leaves no stale vector)', async () => {
  const db = database.system;
  const tag = randomUUID().slice(0, 8);
  // Only retired rows are inserted: the suite's database has one active and maybe one building
  // model of its own (unique per state). A model without a row is written as before.
  const [oldModel, newModel] = [`test/race-old-${tag}`, `test/race-new-${tag}`];
  await sql`INSERT INTO embedding_models (model, dimensions, state) VALUES (${oldModel}, 3, 'retired')`.execute(db);
  const f = await createPracticeFixture(db, `Race ${tag}`);
  const row = (model: string): EmbeddingRow => ({ kind: 'patient', sourceId: f.patientId, practiceId: f.practiceId, model, chunk: 0, text: 'summary', hash: `h-${model}`, vector: [1, 0, 0] });

  await writeEmbeddings(db, [row(oldModel), row(newModel)]);
  const after = await sql<{ model: string }>`SELECT model FROM patient_embeddings WHERE patient_id = ${f.patientId}::uuid`.execute(db);
  expect(after.rows).toEqual([{ model: newModel }]);
});
