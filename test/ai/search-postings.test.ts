/**
 * search_index.postings (db 0160/0161): one row per (text, lexeme) of search_index.documents with
 * the lexeme's tf and the text's length, kept in step by triggers on documents in the writer's
 * transaction. After every kind of write (inserts one by one and batched, text edits, edits that
 * leave the text alone, consent withdrawal, deletes one by one, batched and by cascade) a
 * practice's postings are exactly jsonb_each(tf) of its documents, kind by kind.
 *
 * Each test works on practices of its own (the suite's database is shared).
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createDatabase, type Database } from '../../src/db/database';
import { recordConsent } from '../../src/repositories/consents.repository';
import { testEnv } from '../support/env';
import { createPracticeFixture, type PracticeFixture } from '../support/fixtures';

let database: Database;
beforeAll(() => {
  database = createDatabase(testEnv().databaseUrl, 2);
});
afterAll(() => database.destroy());

/** A word no other test writes, which the English stemmer leaves as it is (no suffix it strips). */
const word = () => `zq${randomUUID().replace(/[^a-f]/g, '').slice(0, 10)}zq`;
const KINDS = ['case', 'message', 'project', 'patient'] as const;

/**
 * A practice's postings against its documents' tf, kind by kind: how many (text, lexeme) pairs the
 * documents hold, how many postings there are, and how many rows are in one and not the other
 * (either way, with tf and dl compared).
 */
async function compare(practiceId: string): Promise<Record<string, { documents: number; postings: number; differ: number }>> {
  const r = await sql<{ kind: string; documents: number; postings: number; differ: number }>`
    WITH want AS (
      SELECT d.kind, e.key AS lexeme, d.id, e.value::integer AS tf, length(d.fts) AS dl
        FROM search_index.documents d CROSS JOIN LATERAL jsonb_each_text(d.tf) e WHERE d.practice_id = ${practiceId}::uuid
    ), have AS (
      SELECT p.kind, p.lexeme, p.id, p.tf, p.dl FROM search_index.postings p WHERE p.practice_id = ${practiceId}::uuid
    ), diff AS ((SELECT * FROM want EXCEPT ALL SELECT * FROM have) UNION ALL (SELECT * FROM have EXCEPT ALL SELECT * FROM want))
    SELECT k.kind,
           (SELECT count(*) FROM want w WHERE w.kind = k.kind)::int AS documents,
           (SELECT count(*) FROM have h WHERE h.kind = k.kind)::int AS postings,
           (SELECT count(*) FROM diff x WHERE x.kind = k.kind)::int AS differ
      FROM unnest(${sql.val([...KINDS])}::text[]) k(kind)`.execute(database.system);
  return Object.fromEntries(r.rows.map((x) => [x.kind, { documents: x.documents, postings: x.postings, differ: x.differ }]));
}

/** Every kind in step; `present` kinds have postings at all (so the comparison compares something). */
async function inStep(practiceId: string, present: readonly string[]): Promise<void> {
  const c = await compare(practiceId);
  for (const kind of KINDS) {
    expect({ kind, differ: c[kind]!.differ, postings: c[kind]!.postings }).toEqual({ kind, differ: 0, postings: c[kind]!.documents });
    if (present.includes(kind)) expect({ kind, some: c[kind]!.postings > 0 }).toEqual({ kind, some: true });
  }
}

/** One text's postings: lexeme → [tf, dl]. */
async function postingsOf(kind: string, id: string): Promise<Record<string, [number, number]>> {
  const r = await sql<{ lexeme: string; tf: number; dl: number }>`
    SELECT lexeme, tf, dl FROM search_index.postings WHERE kind = ${kind} AND id = ${id}::uuid ORDER BY lexeme`.execute(database.system);
  return Object.fromEntries(r.rows.map((x) => [x.lexeme, [x.tf, x.dl]]));
}

async function newCase(f: PracticeFixture, title: string, description: string): Promise<string> {
  const r = await database.system
    .insertInto('cases')
    .values({ practice_id: f.practiceId, patient_id: f.patientId, case_number: `P-${randomUUID().slice(0, 8)}`, title, description, case_type: 'active_treatment' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

async function newMessages(f: PracticeFixture, caseId: string, contents: string[]): Promise<string[]> {
  const r = await database.system
    .insertInto('case_messages')
    .values(contents.map((content) => ({ case_id: caseId, practice_id: f.practiceId, sender_id: f.members.doctor, content })))
    .returning('id')
    .execute();
  return r.map((x) => x.id);
}

test('inserts of every kind, one by one and batched, give each text its lexemes with tf and the text length', async () => {
  const f = await createPracticeFixture(database.system);
  const w = word();
  const kase = await newCase(f, `Refinement ${w}`, 'Crowding crowding on the lower arch.');
  const [msg] = await newMessages(f, kase, [`Crown crown crown margin ${w}.`]);
  const batch = await newMessages(f, kase, [`Bulk ${w} one`, `Bulk ${w} two`, `Bulk spacing three`]);
  const project = await database.system
    .insertInto('projects')
    .values({ case_id: kase, practice_id: f.practiceId, creator_id: f.members.doctor, name: `Setup ${w} aligner`, project_type: 'treatment_plan' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await database.system.updateTable('patients').set({ clinical_summary: `Class II, ${w} history.` }).where('id', '=', f.patientId).execute();

  // Three distinct lexemes; "crown" at three positions.
  expect(await postingsOf('message', msg!)).toEqual({ crown: [3, 3], margin: [1, 3], [w]: [1, 3] });
  expect(Object.keys(await postingsOf('case', kase)).sort()).toEqual(['arch', 'crowd', 'lower', 'refin', w].sort());
  expect((await postingsOf('case', kase)).crowd).toEqual([2, 5]);
  expect(await postingsOf('project', project.id)).toEqual({ align: [1, 3], setup: [1, 3], [w]: [1, 3] });
  expect(Object.keys(await postingsOf('patient', f.patientId))).toContain(w);
  for (const id of batch) expect(Object.keys(await postingsOf('message', id)).length).toBeGreaterThan(0);
  await inStep(f.practiceId, KINDS);
});

test('a text edit rewrites its postings; an edit that leaves the text alone leaves them; a text emptied has none', async () => {
  const f = await createPracticeFixture(database.system);
  const w1 = word();
  const w2 = word();
  const kase = await newCase(f, 'Review', `Debond ${w1} planned.`);
  const [msg, other] = await newMessages(f, kase, [`Retainer ${w1} ordered.`, `Attachment ${w1} lost.`]);
  await inStep(f.practiceId, ['case', 'message']);

  await database.system.updateTable('case_messages').set({ content: `Retainer ${w2} ${w2} ordered again.` }).where('id', '=', msg!).execute();
  await database.system.updateTable('cases').set({ title: 'Review review' }).where('id', '=', kase).execute();
  const edited = await postingsOf('message', msg!);
  // "again" is a stop word: three lexemes.
  expect(edited).toEqual({ retain: [1, 3], [w2]: [2, 3], order: [1, 3] });
  expect(edited[w1]).toBeUndefined();
  expect(await postingsOf('message', other!)).toEqual({ attach: [1, 3], lost: [1, 3], [w1]: [1, 3] });
  expect((await postingsOf('case', kase)).review).toEqual([2, 4]);
  await inStep(f.practiceId, ['case', 'message']);

  // Several texts edited in one statement.
  await database.system.updateTable('case_messages').set({ subject: `Batch ${w1}` }).where('case_id', '=', kase).execute();
  expect((await postingsOf('message', msg!)).batch).toEqual([1, 5]);
  expect((await postingsOf('message', other!))[w1]).toEqual([2, 4]);
  await inStep(f.practiceId, ['case', 'message']);

  // Not the text: the postings rows are the same row versions (not deleted and inserted again).
  const versions = () => sql<{ v: string }>`SELECT string_agg(ctid::text || xmin::text, ',' ORDER BY lexeme) AS v FROM search_index.postings WHERE id = ${msg!}::uuid`.execute(database.system);
  const before = (await versions()).rows[0]!.v;
  await database.system.updateTable('case_messages').set({ read_by: JSON.stringify([f.members.doctor]) }).where('id', '=', msg!).execute();
  expect((await versions()).rows[0]!.v).toBe(before);

  // A patient's text written, then emptied: its postings go with it.
  await database.system.updateTable('patients').set({ clinical_summary: `Open bite ${w2}.` }).where('id', '=', f.patientId).execute();
  expect(Object.keys(await postingsOf('patient', f.patientId))).toContain(w2);
  await database.system.updateTable('patients').set({ clinical_summary: null }).where('id', '=', f.patientId).execute();
  expect(await postingsOf('patient', f.patientId)).toEqual({});
  await inStep(f.practiceId, ['case', 'message']);
});

test('consent withdrawal leaves texts and postings as they were; deletes one by one, batched and by cascade leave none behind', async () => {
  const f = await createPracticeFixture(database.system);
  const g = await createPracticeFixture(database.system);
  const w = word();
  const kase = await newCase(f, `Debond ${w}`, 'Planned.');
  const msgs = await newMessages(f, kase, [`Retainer ${w} one.`, `Retainer ${w} two.`, `Retainer ${w} three.`, `Retainer ${w} four.`]);
  await database.system.updateTable('patients').set({ clinical_summary: `Deep bite ${w}.` }).where('id', '=', f.patientId).execute();
  const keptCase = await newCase(g, `Other ${w}`, 'Untouched.');
  const before = await compare(f.practiceId);

  // AI consent withdrawn: embeddings go (0030); full-text search, hence the postings, stay.
  await database.system.transaction().execute((trx) => recordConsent(trx, { patientId: f.patientId, practiceId: f.practiceId, kind: 'ai_processing', granted: false, recordedBy: f.members.doctor }));
  expect(await compare(f.practiceId)).toEqual(before);
  await inStep(f.practiceId, ['case', 'message', 'patient']);

  await database.system.deleteFrom('case_messages').where('id', '=', msgs[0]!).execute();
  expect(await postingsOf('message', msgs[0]!)).toEqual({});
  await database.system.deleteFrom('case_messages').where('id', 'in', [msgs[1]!, msgs[2]!]).execute();
  for (const id of msgs.slice(0, 3)) expect(await postingsOf('message', id)).toEqual({});
  expect(Object.keys(await postingsOf('message', msgs[3]!))).toContain(w);
  await inStep(f.practiceId, ['case', 'message', 'patient']);

  // The case's messages go with it (FK cascade), then the case.
  await database.system.deleteFrom('case_messages').where('case_id', '=', kase).execute();
  await database.system.deleteFrom('cases').where('id', '=', kase).execute();
  expect(await postingsOf('message', msgs[3]!)).toEqual({});
  expect(await postingsOf('case', kase)).toEqual({});
  const left = await sql<{ n: number }>`SELECT count(*)::int AS n FROM search_index.postings WHERE practice_id = ${f.practiceId}::uuid AND kind IN ('case', 'message')`.execute(database.system);
  expect(left.rows[0]!.n).toBe(0);
  await inStep(f.practiceId, ['patient']);
  // Another practice's postings are untouched.
  expect(Object.keys(await postingsOf('case', keptCase))).toContain(w);
  await inStep(g.practiceId, ['case']);
});

test('a document moved to another practice takes its postings along; an upsert of a document rewrites them', async () => {
  const f = await createPracticeFixture(database.system);
  const g = await createPracticeFixture(database.system);
  const w = word();
  const id = randomUUID();
  // Written as the sync triggers write it (0102: tf inline), at the table itself.
  await sql`INSERT INTO search_index.documents (practice_id, kind, id, fts) VALUES (${f.practiceId}::uuid, 'message', ${id}::uuid, to_tsvector('english', ${`bracket bracket ${w}`}))`.execute(database.system);
  expect(await postingsOf('message', id)).toEqual({ bracket: [2, 2], [w]: [1, 2] });
  await sql`INSERT INTO search_index.documents (practice_id, kind, id, fts) VALUES (${f.practiceId}::uuid, 'message', ${id}::uuid, to_tsvector('english', ${`torque ${w}`}))
            ON CONFLICT (practice_id, kind, id) DO UPDATE SET fts = EXCLUDED.fts`.execute(database.system);
  expect(await postingsOf('message', id)).toEqual({ torqu: [1, 2], [w]: [1, 2] });
  // A row moving partitions (another practice) is an UPDATE to the statement's triggers.
  await sql`UPDATE search_index.documents SET practice_id = ${g.practiceId}::uuid WHERE id = ${id}::uuid`.execute(database.system);
  const moved = await sql<{ practice_id: string }>`SELECT DISTINCT practice_id::text FROM search_index.postings WHERE id = ${id}::uuid`.execute(database.system);
  expect(moved.rows).toEqual([{ practice_id: g.practiceId }]);
  await inStep(f.practiceId, []);
  await inStep(g.practiceId, ['message']);
  await sql`DELETE FROM search_index.documents WHERE id = ${id}::uuid`.execute(database.system);
  expect(await postingsOf('message', id)).toEqual({});
});
