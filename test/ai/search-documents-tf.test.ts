/**
 * search_index.documents.tf (db 0102): no longer a generated column calling term_frequencies() per
 * row, but written by the index's writers with the same expression inline. The values must be the
 * same bytes as the generated column's: the labelled search set is stored in a database migrated
 * up to 0101 (generated tf), then 0102 is applied and the set stored again, and every text's jsonb
 * is compared; every other way a document is written (a text edited, a writer that leaves tf out,
 * an upsert that changes only fts) ends with tf = term_frequencies(fts).
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createDatabase, type Database } from '../../src/db/database';
import { migrate, readMigrations } from '../../src/db/migrate';
import { storeLabelledSet } from '../../src/ai/eval/labelled-practice';
import { SEARCH_DOCS } from '../../src/ai/eval/search-set';
import { testEnv } from '../support/env';
import { withClient } from '../support/pg-clients';

const name = `tf_${randomUUID().slice(0, 8)}`;
let url: string;
let database: Database;

/** Every document of a practice: its labelled key, tf as text, and term_frequencies(fts) as text. */
async function documents(practiceId: string, keyOf: Map<string, string>) {
  const r = await sql<{ id: string; tf: string | null; expected: string }>`
    SELECT id::text, tf::text AS tf, search_index.term_frequencies(fts)::text AS expected
      FROM search_index.documents WHERE practice_id = ${practiceId}::uuid AND kind IN ('case', 'message')`.execute(database.system);
  return new Map(r.rows.filter((x) => keyOf.has(x.id)).map((x) => [keyOf.get(x.id)!, x]));
}

beforeAll(async () => {
  const admin = testEnv().databaseUrl;
  await withClient(admin, (c) => c.query(`CREATE DATABASE "${name}"`));
  const u = new URL(admin);
  u.pathname = `/${name}`;
  url = u.toString();
  // The schema as it was before 0102, recorded as the runner records it, so migrate() goes on from there.
  await withClient(url, async (c) => {
    await c.query(`create table public.schema_migrations (version text primary key, name text not null, checksum text not null, applied_at timestamptz not null default now())`);
    for (const f of readMigrations().filter((m) => m.version < '0102')) {
      await c.query('begin');
      await c.query(f.sql);
      await c.query('insert into public.schema_migrations (version, name, checksum) values ($1, $2, $3)', [f.version, f.name, f.checksum]);
      await c.query('commit');
    }
    await c.query('select public.audit_attach_all()');
    await c.query('select public.audit_attach_statement()');
  });
  database = createDatabase(url, 2);
}, 180_000);

afterAll(async () => {
  await database?.destroy();
  await withClient(testEnv().databaseUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
});

test('the labelled texts get the same tf bytes after 0102 as from the generated column before it; stored values are kept', async () => {
  const generated = await sql<{ g: string }>`SELECT attgenerated AS g FROM pg_attribute WHERE attrelid = 'search_index.documents'::regclass AND attname = 'tf'`.execute(database.system);
  expect(generated.rows[0]!.g).toBe('s');
  const before = await storeLabelledSet(database.system, 'tf-before');
  const old = await documents(before.practiceId, before.keyOf);
  expect(old.size).toBe(SEARCH_DOCS.length);

  const applied = await migrate(url);
  expect(applied.applied[0]).toBe('0102_search_documents_tf_plain.sql');
  const plain = await sql<{ g: string }>`SELECT attgenerated AS g FROM pg_attribute WHERE attrelid = 'search_index.documents'::regclass AND attname = 'tf'`.execute(database.system);
  expect(plain.rows[0]!.g).toBe('');
  // Kept as they were (no rewrite recomputed or lost them).
  expect(await documents(before.practiceId, before.keyOf)).toEqual(old);

  // Written now by 0102's sync trigger (tf inline): the same text for every labelled text.
  const after = await storeLabelledSet(database.system, 'tf-after');
  const now = await documents(after.practiceId, after.keyOf);
  expect(now.size).toBe(SEARCH_DOCS.length);
  let nonTrivial = 0;
  for (const [key, doc] of old) {
    expect({ key, tf: now.get(key)!.tf }).toEqual({ key, tf: doc.tf });
    expect(doc.tf).toBe(doc.expected);
    if (doc.tf !== '{}') nonTrivial += 1;
  }
  expect(nonTrivial).toBe(SEARCH_DOCS.length);
  // Byte for byte as stored (jsonb's binary send form), not only equal as text.
  const bytes = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM search_index.documents d
     WHERE d.practice_id IN (${before.practiceId}::uuid, ${after.practiceId}::uuid)
       AND jsonb_send(d.tf) IS DISTINCT FROM jsonb_send(search_index.term_frequencies(d.fts))`.execute(database.system);
  expect(bytes.rows[0]!.n).toBe(0);
});

test('an edited text, a writer that leaves tf out and an upsert of fts alone all end with tf = term_frequencies(fts)', async () => {
  const set = await storeLabelledSet(database.system, 'tf-paths');
  const messageId = [...set.keyOf.keys()][SEARCH_DOCS.findIndex((d) => d.kind === 'message')]!;
  const tfOf = async (id: string) =>
    (
      await sql<{ tf: string; expected: string }>`SELECT tf::text AS tf, search_index.term_frequencies(fts)::text AS expected FROM search_index.documents WHERE id = ${id}::uuid`.execute(
        database.system,
      )
    ).rows[0]!;

  // The source text edited: 0102's documents_update() writes the new tf.
  await database.system.updateTable('case_messages').set({ content: 'Aligner aligners ALIGNER: refit the attachments, refit again.' }).where('id', '=', messageId).execute();
  const edited = await tfOf(messageId);
  expect(edited.tf).toBe(edited.expected);
  expect(JSON.parse(edited.tf)).toMatchObject({ align: 3, refit: 2 });

  // A writer that gives no tf (as bench/search.bench.ts's refill): the BEFORE INSERT trigger fills it.
  const loose = randomUUID();
  await sql`INSERT INTO search_index.documents (practice_id, kind, id, fts) VALUES (${set.practiceId}::uuid, 'message', ${loose}::uuid, to_tsvector('english', 'crowding crowding spacing'))`.execute(database.system);
  expect(JSON.parse((await tfOf(loose)).tf)).toEqual({ crowd: 2, space: 1 });

  // An upsert that sets fts alone: the BEFORE UPDATE trigger recomputes tf.
  await sql`INSERT INTO search_index.documents (practice_id, kind, id, fts) VALUES (${set.practiceId}::uuid, 'message', ${loose}::uuid, to_tsvector('english', 'torque torque torque'))
            ON CONFLICT (practice_id, kind, id) DO UPDATE SET fts = EXCLUDED.fts`.execute(database.system);
  expect(JSON.parse((await tfOf(loose)).tf)).toEqual({ torqu: 3 });
  await sql`UPDATE search_index.documents SET fts = to_tsvector('english', 'bracket') WHERE id = ${loose}::uuid`.execute(database.system);
  expect(JSON.parse((await tfOf(loose)).tf)).toEqual({ bracket: 1 });
});
