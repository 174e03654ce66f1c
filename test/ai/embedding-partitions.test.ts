/**
 * The embedding tables' layout (db 0115/0116): LIST partitions by practice, a practice past the
 * threshold in a partition of its own with its own graph per model, the rest in the DEFAULT (0063's
 * hash partitions). Search isolation under that layout, as the API's callers (mdw_authenticator,
 * RLS): practice B's texts never appear for A, whichever partition either lives in; internal
 * admins and the backend search everything; lab staff get every practice's texts; a new practice's
 * texts, and a practice's texts written after it got its own partition, are searchable at once.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { AUTHENTICATOR_ROLE, createDatabase, urlAs, type Database, type Tx } from '../../src/db/database';
import { ensureModelIndexes, hnswIndexName, ownLargePractices, ownPartitions, writeEmbeddings, type EmbeddingRow } from '../../src/repositories/embeddings.repository';
import { searchPage, semantic } from '../../src/repositories/search.repository';
import { testEnv } from '../support/env';
import { createPracticeFixture, createUser, type PracticeFixture } from '../support/fixtures';

let database: Database;
let a: PracticeFixture;
let b: PracticeFixture;
let admin: string;
let technician: string;
const model = { model: `test/partitions-${randomUUID().slice(0, 8)}`, dimensions: 3 };
/** A word no other test writes, in every message here: the lexical leg's matches are these. */
const word = `zq${randomUUID().replace(/[^a-f]/g, '').slice(0, 10)}`;
const texts = new Map<string, string[]>();

const partitionOf = (practiceId: string) => `message_embeddings_${practiceId.replace(/-/g, '')}`;

async function addMessages(f: PracticeFixture, vectors: number[][]): Promise<string[]> {
  const db = database.system;
  const kase = await db
    .insertInto('cases')
    .values({ practice_id: f.practiceId, patient_id: f.patientId, case_number: `P-${randomUUID().slice(0, 8)}`, title: 'Partitions', case_type: 'active_treatment' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const ids: string[] = [];
  const rows: EmbeddingRow[] = [];
  for (const vector of vectors) {
    const m = await db.insertInto('case_messages').values({ case_id: kase.id, practice_id: f.practiceId, sender_id: f.members.doctor, content: `Tray ${word} note` }).returning('id').executeTakeFirstOrThrow();
    ids.push(m.id);
    rows.push({ kind: 'message', sourceId: m.id, practiceId: f.practiceId, model: model.model, chunk: 0, text: `Tray ${word} note`, hash: `h-${m.id}`, vector });
  }
  await writeEmbeddings(db, rows);
  texts.set(f.practiceId, [...(texts.get(f.practiceId) ?? []), ...ids]);
  return ids;
}

const as = <T>(sub: string, fn: (trx: Tx) => Promise<T>) => database.asActor({ sub }, fn);
const nearest = (sub: string, practiceId?: string, q: number[] = [1, 0, 0]) =>
  as(sub, async (trx) => new Set((await semantic(trx, 'message', model, q, 50, practiceId)).map((h) => h.id)));
const page = (sub: string, practiceId?: string) =>
  as(sub, async (trx) => new Set((await searchPage(trx, { kinds: ['message'], terms: [word], practiceId, model, vector: [1, 0, 0] })).map((r) => r.id)));
const where = async (messageId: string) =>
  (await sql<{ t: string }>`SELECT tableoid::regclass::text AS t FROM message_embeddings WHERE message_id = ${messageId}::uuid`.execute(database.system)).rows.map((r) => r.t);

beforeAll(async () => {
  const env = testEnv();
  database = createDatabase(env.databaseUrl, 2, { authenticatorUrl: urlAs(env.databaseUrl, AUTHENTICATOR_ROLE) });
  await ensureModelIndexes(database.system, model.model, model.dimensions);
  a = await createPracticeFixture(database.system);
  b = await createPracticeFixture(database.system);
  admin = await createUser(database.system, 'internal-admin', 'admin');
  technician = await createUser(database.system, 'lab-technician', 'technician');
  await database.system.insertInto('lab_staff').values([{ profile_id: technician }]).execute();
  await addMessages(a, [[1, 0.1, 0], [1, 0.3, 0], [0.5, 1, 0]]);
  // B's vector right on the query: the nearest of all, never among A's results.
  await addMessages(b, [[1, 0, 0], [1, 0.2, 0]]);
});
afterAll(() => database.destroy());

test('the tables are LIST-partitioned by practice with the hash-partitioned DEFAULT, unreachable by callers', async () => {
  const r = await sql<{ t: string; s: string }>`
    SELECT c.relname AS t, pt.partstrat AS s FROM pg_partitioned_table pt JOIN pg_class c ON c.oid = pt.partrelid
     WHERE c.relname IN ('case_embeddings', 'message_embeddings', 'project_embeddings', 'patient_embeddings',
                         'case_embeddings_default', 'message_embeddings_default', 'project_embeddings_default', 'patient_embeddings_default')
     ORDER BY 1`.execute(database.system);
  expect(r.rows).toEqual([
    { t: 'case_embeddings', s: 'l' },
    { t: 'case_embeddings_default', s: 'h' },
    { t: 'message_embeddings', s: 'l' },
    { t: 'message_embeddings_default', s: 'h' },
    { t: 'patient_embeddings', s: 'l' },
    { t: 'patient_embeddings_default', s: 'h' },
    { t: 'project_embeddings', s: 'l' },
    { t: 'project_embeddings_default', s: 'h' },
  ]);
  await expect(as(a.members.doctor, (trx) => sql`SELECT 1 FROM embedding_partitions.message_embeddings_default LIMIT 1`.execute(trx))).rejects.toMatchObject({ code: '42501' });
  // Callers cannot run the maintenance step.
  await expect(as(admin, (trx) => sql`SELECT embedding_partitions.own_large_practices(1)`.execute(trx))).rejects.toMatchObject({ code: '42501' });
});

test('a practice gets its own partition with its rows and its own graph per model; searches stay isolated in both layouts', async () => {
  const [aIds, bIds] = [texts.get(a.practiceId)!, texts.get(b.practiceId)!];
  const before = { a: await nearest(a.members.doctor, a.practiceId), b: await nearest(b.members.doctor, b.practiceId) };
  expect(before).toEqual({ a: new Set(aIds), b: new Set(bIds) });

  expect(await ownPartitions(database.system, 'message_embeddings', [a.practiceId])).toBe(1);
  // Again: nothing to do.
  expect(await ownPartitions(database.system, 'message_embeddings', [a.practiceId])).toBe(0);
  for (const id of aIds) expect(await where(id)).toEqual([`embedding_partitions.${partitionOf(a.practiceId)}`]);
  for (const id of bIds) expect((await where(id))[0]).toMatch(/^embedding_partitions\.message_embeddings_p\d\d$/);
  // The partition's graph for this model is the parent's index's child, over this model's rows only.
  const idx = await sql<{ def: string; parent: string }>`
    SELECT pg_get_indexdef(i.indexrelid) AS def, (SELECT p.relname FROM pg_inherits h JOIN pg_class p ON p.oid = h.inhparent WHERE h.inhrelid = i.indexrelid) AS parent
      FROM pg_index i WHERE i.indrelid = ${`embedding_partitions.${partitionOf(a.practiceId)}`}::regclass AND pg_get_indexdef(i.indexrelid) LIKE '%hnsw%'`.execute(database.system);
  const mine = idx.rows.filter((x) => x.parent === hnswIndexName('message_embeddings', model.model));
  expect(mine).toHaveLength(1);
  expect(mine[0]!.def).toContain(`WHERE (model = '${model.model}'::text)`);
  for (const x of idx.rows) expect(x.def).toMatch(/WHERE \(model = '[^']+'::text\)$/);

  // The member's walk is pruned to the practice's partition and uses its graph.
  const plan = await as(a.members.doctor, async (trx) => {
    await sql`SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true)`.execute(trx);
    return (await sql<{ 'QUERY PLAN': string }>`EXPLAIN (COSTS OFF) SELECT message_id FROM message_embeddings e WHERE e.model = ${sql.lit(model.model)} AND e.practice_id = ${sql.lit(a.practiceId)}::uuid
        ORDER BY e.embedding::halfvec(3) <=> '[1,0,0]'::halfvec(3) LIMIT 5`.execute(trx)).rows.map((r) => r['QUERY PLAN']).join('\n');
  });
  expect(plan).toContain(partitionOf(a.practiceId));
  expect(plan).not.toMatch(/message_embeddings_p\d\d/);

  expect(await nearest(a.members.doctor, a.practiceId)).toEqual(new Set(aIds));
  expect(await nearest(a.members.doctor)).toEqual(new Set(aIds));
  expect(await nearest(b.members.doctor, b.practiceId)).toEqual(new Set(bIds));
  expect(await nearest(b.members.doctor)).toEqual(new Set(bIds));
  // A member naming another practice gets nothing of it (RLS), whichever partition it is in.
  expect(await nearest(a.members.doctor, b.practiceId)).toEqual(new Set());
  expect(await nearest(b.members.doctor, a.practiceId)).toEqual(new Set());
  // The whole search (search_page) as each member: its own texts only.
  expect(await page(a.members.doctor)).toEqual(new Set(aIds));
  expect(await page(b.members.doctor)).toEqual(new Set(bIds));

  // Internal admins and the backend search every partition.
  const all = new Set([...aIds, ...bIds]);
  const everything = await nearest(admin, undefined, [1, 0.1, 0]);
  for (const id of all) expect(everything).toContain(id);
  const backend = await database.system.transaction().execute(async (trx) => new Set((await semantic(trx, 'message', model, [1, 0.1, 0], 50)).map((h) => h.id)));
  for (const id of all) expect(backend).toContain(id);
  // Lab staff get every practice's messages (the lab-staff read policy on the lexical leg).
  expect(await page(technician)).toEqual(all);
});

test('texts written after the move land in the practice’s partition; a new practice’s texts are searchable at once', async () => {
  await ownPartitions(database.system, 'message_embeddings', [a.practiceId]);
  const [later] = await addMessages(a, [[1, 0.05, 0]]);
  expect(await where(later!)).toEqual([`embedding_partitions.${partitionOf(a.practiceId)}`]);
  expect([...(await as(a.members.doctor, (trx) => semantic(trx, 'message', model, [1, 0.05, 0], 1, a.practiceId)))].map((h) => h.id)).toEqual([later]);

  const c = await createPracticeFixture(database.system);
  const cIds = await addMessages(c, [[1, 0, 0.1]]);
  expect((await where(cIds[0]!))[0]).toMatch(/^embedding_partitions\.message_embeddings_p\d\d$/);
  expect(await nearest(c.members.doctor, c.practiceId)).toEqual(new Set(cIds));
  expect(await page(c.members.doctor)).toEqual(new Set(cIds));
  expect(await nearest(a.members.doctor, a.practiceId)).toEqual(new Set(texts.get(a.practiceId)));
});

test('own_large_practices moves only practices past the threshold; the migrations run again change nothing', async () => {
  // B has 2 rows of this test's model: a threshold of 1,000,000 moves nobody (any practice of
  // other test files may pass a small threshold, so the large one is what is asserted).
  expect(await ownLargePractices(database.system, 1_000_000)).toBe(0);
  await expect(ownLargePractices(database.system, 0)).rejects.toThrow(/minRows/);
  const layout = async () =>
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_partition_tree('message_embeddings') WHERE isleaf`.execute(database.system)).rows[0]!.n;
  const leaves = await layout();
  for (const file of ['0115_embedding_list_partitions.sql', '0116_embedding_own_partitions.sql']) {
    const text = readFileSync(path.join(__dirname, '../../db/migrations', file), 'utf8');
    // 0116's threshold would move large practices of other files; run the idempotent 0115 whole and 0116's function check only.
    if (file.startsWith('0116')) expect(text).toMatch(/own_large_practices\(5000\)/);
    else await database.system.transaction().execute((trx) => sql.raw(text).execute(trx));
  }
  expect(await layout()).toBe(leaves);
  expect(await nearest(a.members.doctor, a.practiceId)).toEqual(new Set(texts.get(a.practiceId)));
  expect(await nearest(b.members.doctor, b.practiceId)).toEqual(new Set(texts.get(b.practiceId)));
});
