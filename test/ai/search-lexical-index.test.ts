/**
 * The lexical leg's own index (db 0076: search_index.documents, read through the SECURITY DEFINER
 * public.search_lexical()): who gets what, and that the index follows its sources.
 *
 * Actor transactions log in as mdw_authenticator (as the API's do), so the function sees the
 * caller exactly as it does in production.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { AUTHENTICATOR_ROLE, createDatabase, urlAs, type Database, type Tx } from '../../src/db/database';
import { recordConsent } from '../../src/repositories/consents.repository';
import { lexical, lexicalBm25 } from '../../src/repositories/search.repository';
import { testEnv } from '../support/env';
import { createPracticeFixture, createUser, type PracticeFixture } from '../support/fixtures';

let database: Database;
let a: PracticeFixture;
let b: PracticeFixture;
let technician: string;
let support: string;
let outsider: string;
/** A word no other test writes: each test's matches are its own rows. */
const word = () => `zq${randomUUID().replace(/[^a-f]/g, '').slice(0, 10)}`;

beforeAll(async () => {
  const env = testEnv();
  database = createDatabase(env.databaseUrl, 2, { authenticatorUrl: urlAs(env.databaseUrl, AUTHENTICATOR_ROLE) });
  a = await createPracticeFixture(database.system);
  b = await createPracticeFixture(database.system);
  technician = await createUser(database.system, 'lab-technician', 'technician');
  support = await createUser(database.system, 'lab-support', 'support');
  await database.system.insertInto('lab_staff').values([{ profile_id: technician }, { profile_id: support }]).execute();
  // The default global role, but not on the lab's roster: no lab access (0040).
  outsider = await createUser(database.system, 'not-lab', 'technician');
});
afterAll(() => database.destroy());

const as = <T>(sub: string, fn: (trx: Tx) => Promise<T>) => database.asActor({ sub }, fn);

async function newCase(f: PracticeFixture, description: string): Promise<string> {
  const r = await database.system
    .insertInto('cases')
    .values({ practice_id: f.practiceId, patient_id: f.patientId, case_number: `L-${randomUUID().slice(0, 8)}`, title: 'Review', description, case_type: 'active_treatment' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

async function newMessage(f: PracticeFixture, caseId: string, content: string): Promise<string> {
  const r = await database.system.insertInto('case_messages').values({ case_id: caseId, practice_id: f.practiceId, sender_id: f.members.doctor, content }).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

/** What the index holds for a source row, read as the backend. */
async function indexed(kind: string, id: string): Promise<{ practice_id: string; fts: string }[]> {
  const r = await sql<{ practice_id: string; fts: string }>`SELECT practice_id, fts::text AS fts FROM search_index.documents WHERE kind = ${kind} AND id = ${id}::uuid`.execute(database.system);
  return r.rows;
}

/** The index's rows of a practice equal the sources' texts, kind by kind. */
async function inSync(practiceId: string): Promise<void> {
  const r = await sql<{ n: number }>`
    WITH src AS (
      SELECT 'case' AS kind, id, fts FROM cases WHERE practice_id = ${practiceId}::uuid
      UNION ALL SELECT 'message', id, fts FROM case_messages WHERE practice_id = ${practiceId}::uuid
      UNION ALL SELECT 'project', id, fts FROM projects WHERE practice_id = ${practiceId}::uuid
      UNION ALL SELECT 'patient', id, fts FROM patients WHERE practice_id = ${practiceId}::uuid
    ), idx AS (SELECT kind, id, fts FROM search_index.documents WHERE practice_id = ${practiceId}::uuid)
    SELECT count(*)::int AS n FROM ((SELECT * FROM src EXCEPT ALL SELECT * FROM idx) UNION ALL (SELECT * FROM idx EXCEPT ALL SELECT * FROM src)) diff`.execute(database.system);
  expect(r.rows[0]!.n).toBe(0);
}

const ids = (hits: { id: string }[]) => new Set(hits.map((h) => h.id));

test('a member of B never gets A’s texts, even naming A’s practice; a member of A gets them by either ranking', async () => {
  const w = word();
  const caseA = await newCase(a, `Upper arch ${w} crowding noted.`);
  const msgA = await newMessage(a, caseA, `Please check the ${w} on UR3.`);
  const caseB = await newCase(b, `Lower arch ${w} spacing.`);

  for (const rank of [lexicalBm25, lexical]) {
    expect(ids(await as(a.members.doctor, (trx) => rank(trx, 'case', [w], 50)))).toEqual(new Set([caseA]));
    expect(ids(await as(a.members.doctor, (trx) => rank(trx, 'message', [w], 50)))).toEqual(new Set([msgA]));
    expect(ids(await as(b.members.doctor, (trx) => rank(trx, 'case', [w], 50)))).toEqual(new Set([caseB]));
    // Naming a practice the caller does not belong to reads nothing of it.
    expect(await as(b.members.doctor, (trx) => rank(trx, 'case', [w], 50, a.practiceId))).toEqual([]);
    expect(await as(b.members.doctor, (trx) => rank(trx, 'message', [w], 50, [a.practiceId]))).toEqual([]);
    expect(ids(await as(b.members.doctor, (trx) => rank(trx, 'case', [w], 50, [a.practiceId, b.practiceId])))).toEqual(new Set([caseB]));
    // Someone with no practice and no lab role reads nothing.
    expect(await as(outsider, (trx) => rank(trx, 'case', [w], 50))).toEqual([]);
  }
  // The backend (no RLS) reads every practice.
  expect(ids(await database.system.transaction().execute((trx) => lexicalBm25(trx, 'case', [w], 50)))).toEqual(new Set([caseA, caseB]));
});

test('the index itself is not readable by callers: only through search_lexical()', async () => {
  await expect(as(a.members.doctor, (trx) => sql`SELECT count(*) FROM search_index.documents`.execute(trx))).rejects.toMatchObject({ code: '42501' });
  await expect(as(a.members.doctor, (trx) => sql`SELECT * FROM search_index.rank('case', ARRAY['x'], NULL, 10)`.execute(trx))).rejects.toMatchObject({ code: '42501' });
});

test('lab staff get cases, messages and projects of every practice (the lab-staff read policy), never patient texts', async () => {
  const w = word();
  const caseA = await newCase(a, `Refinement ${w} requested.`);
  const caseB = await newCase(b, `Refinement ${w} requested too.`);
  const msgB = await newMessage(b, caseB, `Scan shows ${w}.`);
  const project = await database.system
    .insertInto('projects')
    .values({ case_id: caseA, practice_id: a.practiceId, creator_id: a.members.doctor, name: `Setup ${w}`, project_type: 'treatment_plan' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await database.system.updateTable('patients').set({ clinical_summary: `Class II, ${w} history.` }).where('id', '=', a.patientId).execute();

  for (const staff of [technician, support]) {
    expect(ids(await as(staff, (trx) => lexicalBm25(trx, 'case', [w], 50)))).toEqual(new Set([caseA, caseB]));
    expect(ids(await as(staff, (trx) => lexicalBm25(trx, 'message', [w], 50)))).toEqual(new Set([msgB]));
    expect(ids(await as(staff, (trx) => lexical(trx, 'project', [w], 50)))).toEqual(new Set([project.id]));
    expect(ids(await as(staff, (trx) => lexicalBm25(trx, 'case', [w], 50, b.practiceId)))).toEqual(new Set([caseB]));
    // Patients have no lab-staff policy: their clinical summaries stay the practice's.
    expect(await as(staff, (trx) => lexicalBm25(trx, 'patient', [w], 50))).toEqual([]);
    // The same as RLS on the sources shows them.
    const visible = await as(staff, (trx) => sql<{ id: string }>`SELECT id FROM cases WHERE fts @@ to_tsquery('english', ${w})`.execute(trx));
    expect(new Set(visible.rows.map((r) => r.id))).toEqual(new Set([caseA, caseB]));
  }
  expect(ids(await as(a.members.doctor, (trx) => lexicalBm25(trx, 'patient', [w], 50)))).toEqual(new Set([a.patientId]));
  expect(await as(b.members.doctor, (trx) => lexicalBm25(trx, 'patient', [w], 50))).toEqual([]);
});

test('db 0133 decides who reads what as 0076 did: every caller, kind and practice list gets what bm25_0117 (0076’s check) gives', async () => {
  const w = word();
  const caseA = await newCase(a, `Attachment ${w} lost.`);
  const caseB = await newCase(b, `Attachment ${w} bonded.`);
  await newMessage(a, caseA, `Rebond ${w} next visit.`);
  await newMessage(b, caseB, `Rebond ${w} done.`);
  await database.system
    .insertInto('projects')
    .values({ case_id: caseB, practice_id: b.practiceId, creator_id: b.members.doctor, name: `Plan ${w}`, project_type: 'treatment_plan' })
    .execute();
  await database.system.updateTable('patients').set({ clinical_summary: `Open bite, ${w} habit.` }).where('id', 'in', [a.patientId, b.patientId]).execute();
  const admin = await createUser(database.system, 'internal-admin', 'admin');
  const callers = [a.members.doctor, b.members.assistant, technician, support, outsider, admin];
  const lists = [null, [a.practiceId], [b.practiceId], [a.practiceId, b.practiceId], [b.practiceId, a.practiceId], [a.practiceId, a.practiceId], []];
  let nonEmpty = 0;
  for (const sub of callers) {
    for (const kind of ['case', 'message', 'project', 'patient']) {
      for (const practices of lists) {
        const [now, before] = await as(sub, async (trx) => {
          const run = async (ranking: string) =>
            (await sql<{ id: string; rank: string }>`SELECT id, rank::text AS rank FROM public.search_lexical(${kind}, ${[w]}::text[], ${practices}::uuid[], 50, ${ranking})`.execute(trx)).rows;
          return [await run('bm25'), await run('bm25_0117')];
        });
        expect({ sub, kind, practices, rows: now }).toEqual({ sub, kind, practices, rows: before });
        if (now.length > 0) nonEmpty++;
      }
    }
  }
  // Not vacuous: members, lab staff and the admin read something.
  expect(nonEmpty).toBeGreaterThan(20);
  // The admin reads patients of every practice; lab staff none.
  expect(ids(await as(admin, (trx) => lexicalBm25(trx, 'patient', [w], 50)))).toEqual(new Set([a.patientId, b.patientId]));
  expect(await as(technician, (trx) => lexicalBm25(trx, 'patient', [w], 50, a.practiceId))).toEqual([]);
});

test('the index follows inserts, text edits, other edits and deletes; consent withdrawal leaves full-text search as it was', async () => {
  const w1 = word();
  const w2 = word();
  const kase = await newCase(a, `Debond ${w1} planned.`);
  const msg = await newMessage(a, kase, `Retainer ${w1} ordered.`);
  // A bulk insert (one statement, several rows) is followed too.
  const bulk = await database.system
    .insertInto('case_messages')
    .values([1, 2, 3].map((i) => ({ case_id: kase, practice_id: a.practiceId, sender_id: a.members.doctor, content: `Bulk ${w1} note ${i}` })))
    .returning('id')
    .execute();
  const doctor = <T>(fn: (trx: Tx) => Promise<T>) => as(a.members.doctor, fn);
  expect(ids(await doctor((trx) => lexicalBm25(trx, 'message', [w1], 50)))).toEqual(new Set([msg, ...bulk.map((x) => x.id)]));
  await inSync(a.practiceId);

  // The text changes: the old word no longer finds it, the new one does.
  await database.system.updateTable('case_messages').set({ content: `Retainer ${w2} ordered.` }).where('id', '=', msg).execute();
  await database.system.updateTable('cases').set({ description: `Debond ${w2} planned.` }).where('id', '=', kase).execute();
  expect(ids(await doctor((trx) => lexicalBm25(trx, 'message', [w2], 50)))).toEqual(new Set([msg]));
  expect(ids(await doctor((trx) => lexicalBm25(trx, 'message', [w1], 50)))).toEqual(new Set(bulk.map((x) => x.id)));
  expect(ids(await doctor((trx) => lexicalBm25(trx, 'case', [w2], 50)))).toEqual(new Set([kase]));
  expect(await doctor((trx) => lexicalBm25(trx, 'case', [w1], 50))).toEqual([]);

  // An edit that leaves the text alone leaves the index row alone.
  const before = await indexed('message', msg);
  await database.system.updateTable('case_messages').set({ read_by: JSON.stringify([a.members.doctor]) }).where('id', '=', msg).execute();
  expect(await indexed('message', msg)).toEqual(before);
  await inSync(a.practiceId);

  // AI consent withdrawn: embeddings go (0030), full-text search stays as it was.
  await database.system.transaction().execute((trx) => recordConsent(trx, { patientId: a.patientId, practiceId: a.practiceId, kind: 'ai_processing', granted: false, recordedBy: a.members.doctor }));
  expect(ids(await doctor((trx) => lexicalBm25(trx, 'message', [w2], 50)))).toEqual(new Set([msg]));
  await inSync(a.practiceId);

  // A patient's texts, written and edited.
  await database.system.updateTable('patients').set({ clinical_summary: `Open bite ${w2}.` }).where('id', '=', a.patientId).execute();
  expect(ids(await doctor((trx) => lexicalBm25(trx, 'patient', [w2], 50)))).toEqual(new Set([a.patientId]));
  await database.system.updateTable('patients').set({ clinical_summary: null }).where('id', '=', a.patientId).execute();
  expect(await doctor((trx) => lexicalBm25(trx, 'patient', [w2], 50))).toEqual([]);

  // Deleted (one statement, several rows): gone from the index.
  await database.system.deleteFrom('case_messages').where('id', 'in', [msg, bulk[0]!.id]).execute();
  expect(await indexed('message', msg)).toEqual([]);
  expect(ids(await doctor((trx) => lexicalBm25(trx, 'message', [w1], 50)))).toEqual(new Set(bulk.slice(1).map((x) => x.id)));
  await inSync(a.practiceId);

  // A case deleted with its messages (FK cascade) leaves nothing behind.
  await database.system.deleteFrom('case_messages').where('case_id', '=', kase).execute();
  await database.system.deleteFrom('cases').where('id', '=', kase).execute();
  expect(await indexed('case', kase)).toEqual([]);
  await inSync(a.practiceId);
  await inSync(b.practiceId);
});

test('BM25 through the index ranks exactly as the query over the source table did (before 0076)', async () => {
  const w = word();
  const texts = [`${w} aligner aligner fit`, `aligner ${w} ${w} crowding`, `crowding aligner`, `${w} spacing spacing note`, `refinement scan aligner crowding ${w}`, 'nothing relevant here'];
  const kase = await newCase(a, 'Host');
  for (const t of texts) await newMessage(a, kase, t);
  const terms = [w, 'aligner', 'crowding', 'spacing'];
  const tsq = terms.join(' | ');
  // The lexical leg's SQL before 0076 (git show 99eead7:src/repositories/search.repository.ts), as the backend with the practice named.
  const reference = await sql<{ id: string; rank: number }>`
    WITH m AS MATERIALIZED (
      SELECT s.id, s.fts FROM case_messages s, to_tsquery('english', ${tsq}) q WHERE s.fts @@ q AND s.practice_id = ${a.practiceId}::uuid
    ), hits AS (
      SELECT m.id, length(m.fts)::float8 AS dl, u.lexeme, coalesce(array_length(u.positions, 1), 1)::float8 AS tf
        FROM m, unnest(m.fts) u
       WHERE u.lexeme IN (SELECT w.lexeme FROM unnest(to_tsvector('english', ${terms.join(' ')})) w)
    ), df AS (SELECT lexeme, count(*)::float8 AS df FROM hits GROUP BY lexeme),
    corpus AS (
      SELECT (SELECT count(*) FROM case_messages s WHERE s.practice_id = ${a.practiceId}::uuid)::float8 AS n, (SELECT avg(length(fts)) FROM m)::float8 AS avgdl
    )
    SELECT h.id, sum(ln(1 + (c.n - df.df + 0.5) / (df.df + 0.5)) * h.tf * (1.2 + 1) / (h.tf + 1.2 * (1 - 0.75 + 0.75 * h.dl / greatest(c.avgdl, 1))))::float8 AS rank
      FROM hits h JOIN df USING (lexeme) CROSS JOIN corpus c GROUP BY h.id ORDER BY rank DESC, h.id LIMIT 50`.execute(database.system);
  const now = await as(a.members.doctor, (trx) => lexicalBm25(trx, 'message', terms, 50));
  expect(reference.rows.length).toBeGreaterThan(4);
  expect(now.map((h) => h.id)).toEqual(reference.rows.map((h) => h.id));
  now.forEach((h, i) => expect(h.rank).toBeCloseTo(reference.rows[i]!.rank, 10));
});
