/**
 * A text edited while it is being embedded keeps the vector of its new text. The reindex's
 * batches and the pipeline embed side by side: a batch that loaded the old text, then wrote
 * after the pipeline had embedded the edit, left the old text's vector in place for good (the
 * edit's queue entry was done). embedSources() now writes nothing for a source whose text
 * changed since it was loaded; the edit's own queue entry embeds the new text.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createDatabase, type Database } from '../../src/db/database';
import { embedSources } from '../../src/ai/pipeline';
import type { EmbeddingProvider } from '../../src/ai/providers/types';
import { loadSources } from '../../src/repositories/embeddings.repository';
import { testEnv } from '../support/env';
import { createPracticeFixture, type PracticeFixture } from '../support/fixtures';

let database: Database;
let f: PracticeFixture;
beforeAll(async () => {
  database = createDatabase(testEnv().databaseUrl, 2);
  f = await createPracticeFixture(database.system);
});
afterAll(() => database.destroy());

/** A model of its own, so that no other test's vectors (or pipeline) are involved. */
const model = () => ({ model: `test/stale-${randomUUID().slice(0, 8)}`, dimensions: 3 });

/** A provider that runs `during` while it "embeds" (as a slow model call would let an edit through). */
const provider = (during: () => Promise<void>): EmbeddingProvider => ({
  model: 'test',
  dimensions: 3,
  embed: async (texts) => {
    await during();
    return texts.map(() => [1, 0, 0]);
  },
});

async function newCase(description: string): Promise<string> {
  const r = await database.system
    .insertInto('cases')
    .values({ practice_id: f.practiceId, patient_id: f.patientId, case_number: `ST-${randomUUID().slice(0, 8)}`, title: 'Stale', description, case_type: 'active_treatment' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

const stored = async (caseId: string, m: string) =>
  (await sql<{ text: string }>`SELECT content_text AS text FROM case_embeddings WHERE case_id = ${caseId}::uuid AND model = ${m}`.execute(database.system)).rows.map((r) => r.text);

test('a source edited during its embedding call gets no vector of its old text; an unedited one gets its vector', async () => {
  const m = model();
  const edited = await newCase('Upper aligners, stage 3.');
  const untouched = await newCase('Lower retainer check.');
  const sources = [...(await loadSources(database.system, 'case', [edited, untouched]))];
  expect(sources).toHaveLength(2);

  const written = await embedSources(
    { db: database.system, providers: () => provider(async () => void (await database.system.updateTable('cases').set({ description: 'Upper aligners, stage 4.' }).where('id', '=', edited).execute())) },
    sources,
    [m],
  );
  expect(written).toBe(2); // both were sent to the model
  expect(await stored(edited, m.model)).toEqual([]);
  expect(await stored(untouched, m.model)).toEqual(['Stale Lower retainer check.']);

  // The edit's own turn (the pipeline's next step loads the new text): written.
  await embedSources({ db: database.system, providers: () => provider(async () => undefined) }, await loadSources(database.system, 'case', [edited]), [m]);
  expect(await stored(edited, m.model)).toEqual(['Stale Upper aligners, stage 4.']);
});
