/**
 * The BM25 lexical leg (src/repositories/search.repository.ts lexicalBm25) against PostgreSQL,
 * under RLS: a word's weight is its rarity among the texts the caller can see, so the one text
 * sharing a query's rare word outranks a text repeating its common word, and another practice's
 * texts neither match nor change a word's rarity.
 */
import { randomUUID } from 'node:crypto';
import { createDatabase, type Database, type Tx } from '../../src/db/database';
import { lexicalBm25 } from '../../src/repositories/search.repository';
import { testEnv } from '../support/env';
import { createPracticeFixture, type PracticeFixture } from '../support/fixtures';

let database: Database;
let a: PracticeFixture;
let b: PracticeFixture;
beforeAll(async () => {
  database = createDatabase(testEnv().databaseUrl, 2);
  a = await createPracticeFixture(database.system);
  b = await createPracticeFixture(database.system);
});
afterAll(() => database.destroy());

async function newCase(f: PracticeFixture, description: string): Promise<string> {
  const r = await database.system
    .insertInto('cases')
    .values({ practice_id: f.practiceId, patient_id: f.patientId, case_number: `B-${randomUUID().slice(0, 8)}`, title: 'Review', description, case_type: 'active_treatment' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

test('a rare query word outweighs a common one, counted among the texts the caller can see', async () => {
  const repeated = await newCase(a, 'Aligner check: aligner fits, aligner clean, aligner worn.');
  // Without IDF this text (one match) would lose to the one above (the same weight, four times);
  // with it, the word only it has counts about ten times the word seven texts share.
  const rare = await newCase(a, 'Zirconia crown on the lower molar noted at the review visit today.');
  const common: string[] = [];
  for (let i = 0; i < 6; i++) common.push(await newCase(a, `Aligner stage ${i + 2} delivered to the patient with instructions for wear and cleaning.`));
  // Practice B writes the rare word everywhere: were df counted across practices, it would be the
  // common one and the repeated text would win.
  const other: string[] = [];
  for (let i = 0; i < 12; i++) other.push(await newCase(b, `Zirconia zirconia bridge ${i}, zirconia shade check.`));

  const terms = ['aligner', 'zirconia'];
  const asA = <T>(fn: (trx: Tx) => Promise<T>) => database.asActor({ sub: a.members.doctor }, fn);
  const bm25 = await asA((trx) => lexicalBm25(trx, 'case', terms, 50));

  const ids = bm25.map((h) => h.id);
  expect(new Set(ids)).toEqual(new Set([repeated, rare, ...common]));
  expect(ids.some((id) => other.includes(id))).toBe(false);
  expect(ids[0]).toBe(rare);
  expect(ids[1]).toBe(repeated);
  // Scores are positive and ordered.
  expect(bm25.every((h, i) => h.rank > 0 && (i === 0 || bm25[i - 1]!.rank >= h.rank))).toBe(true);

  // A practice filter gives the same answer as RLS here, and B sees only B's texts.
  expect((await asA((trx) => lexicalBm25(trx, 'case', terms, 50, a.practiceId))).map((h) => h.id)).toEqual(ids);
  const asB = await database.asActor({ sub: b.members.doctor }, (trx) => lexicalBm25(trx, 'case', terms, 50));
  expect(new Set(asB.map((h) => h.id))).toEqual(new Set(other));
});

test('no words, no matches', async () => {
  expect(await database.asActor({ sub: a.members.doctor }, (trx) => lexicalBm25(trx, 'case', [], 50))).toEqual([]);
  expect(await database.asActor({ sub: a.members.doctor }, (trx) => lexicalBm25(trx, 'message', ['xylophonequux'], 50))).toEqual([]);
});
