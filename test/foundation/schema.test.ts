/**
 * The schema is the design document's, corrected: every table, column, enum and index it names
 * exists; migrations are repeatable; pgvector's HNSW answers; generated Kysely types are current.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { migrate, readMigrations } from '../../src/db/migrate';
import { codegen } from '../../scripts/gen-db-types';
import { testEnv } from '../support/env';
import { guardClient, guardPool } from '../../src/db/connection-errors';
import { Kysely, PostgresDialect } from 'kysely';
import type { Db } from '../../src/db/database';
import type { DB } from '../../src/db/schema.generated';
import { ensureModelIndexes, hnswIndexName } from '../../src/repositories/embeddings.repository';
import { setupAndTeardown } from '../support/lifecycle';

const DESIGN_DOC = path.resolve(__dirname, '../../../shared/seed/000_46df03d2342b437f.txt');

interface DocTable {
  name: string;
  columns: Array<{ name: string; notNull: boolean; references: string | null }>;
}

/** Reads the design document's SQL: tables with columns, enums with values, index names. */
function parseDesignDoc() {
  const doc = readFileSync(DESIGN_DOC, 'utf8');
  const tables: DocTable[] = [];
  for (const m of doc.matchAll(/CREATE TABLE (\w+) \(([\s\S]*?)\n\);/g)) {
    const columns = m[2]!
      .split('\n')
      .map((l) => l.replace(/--.*$/, '').trim())
      .filter((l) => /^[a-z_]+ /.test(l) && !/^UNIQUE/i.test(l))
      .map((l) => ({
        name: l.split(/\s+/)[0]!,
        notNull: /NOT NULL|PRIMARY KEY/.test(l),
        references: /REFERENCES (\w+(?:\.\w+)?)/.exec(l)?.[1] ?? null,
      }));
    tables.push({ name: m[1]!, columns });
  }
  const enums = [...doc.matchAll(/CREATE TYPE (\w+) AS ENUM \(([\s\S]*?)\);/g)].map((m) => ({
    name: m[1]!,
    values: [...m[2]!.matchAll(/'(\w+)'/g)].map((v) => v[1]!),
  }));
  const indexes = [...doc.matchAll(/CREATE INDEX (\w+) ON/g)].map((m) => m[1]!);
  return { tables, enums, indexes };
}

let client: pg.Client;
// Not createDatabase(): its int8 parser is global and this file reads counts as node-postgres strings.
let db: Db;
setupAndTeardown(async () => {
  db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: guardPool(new pg.Pool({ connectionString: testEnv().databaseUrl, max: 1 })) }) });
  client = guardClient(new pg.Client({ connectionString: testEnv().databaseUrl }));
  await client.connect();
}, [() => client?.end(), () => db?.destroy()]);

test('migrations apply to an empty database, and a second run is a no-op', async () => {
  const name = `mdw_mig_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await client.query(`create database ${name}`);
  const url = testEnv().databaseUrl.replace(/\/[^/]+$/, `/${name}`);
  try {
    const first = await migrate(url);
    expect(first.applied).toEqual(readMigrations().map((m) => m.name));
    const second = await migrate(url);
    expect(second.applied).toEqual([]);
    expect(second.skipped).toHaveLength(first.applied.length);
  } finally {
    await client.query(`drop database ${name} with (force)`);
  }
});

describe('the design document’s schema', () => {
  const doc = parseDesignDoc();

  test('the parser found the document’s objects (guards against a silently empty check)', () => {
    expect(doc.tables.length).toBeGreaterThanOrEqual(24);
    expect(doc.enums.length).toBeGreaterThanOrEqual(13);
    expect(doc.indexes.length).toBeGreaterThanOrEqual(14);
  });

  test.each(doc.tables.map((t) => [t.name, t] as const))('table %s has every column, NOT NULL and foreign key', async (_name, table) => {
    const cols = await client.query<{ column_name: string; is_nullable: string }>(
      `select column_name, is_nullable from information_schema.columns where table_schema = 'public' and table_name = $1`,
      [table.name],
    );
    const byName = new Map(cols.rows.map((r) => [r.column_name, r]));
    for (const c of table.columns) {
      expect({ column: c.name, exists: byName.has(c.name) }).toEqual({ column: c.name, exists: true });
      if (c.notNull) expect({ column: c.name, nullable: byName.get(c.name)!.is_nullable }).toEqual({ column: c.name, nullable: 'NO' });
    }
    const fks = await client.query<{ column_name: string; foreign_table: string; foreign_schema: string }>(
      `select kcu.column_name, ccu.table_name as foreign_table, ccu.table_schema as foreign_schema
         from information_schema.table_constraints tc
         join information_schema.key_column_usage kcu on kcu.constraint_name = tc.constraint_name and kcu.table_schema = tc.table_schema
         join information_schema.constraint_column_usage ccu on ccu.constraint_name = tc.constraint_name
        where tc.constraint_type = 'FOREIGN KEY' and tc.table_schema = 'public' and tc.table_name = $1`,
      [table.name],
    );
    for (const c of table.columns.filter((x) => x.references)) {
      const target = c.references!.includes('.') ? c.references! : `public.${c.references}`;
      const found = fks.rows.some((r) => r.column_name === c.name && `${r.foreign_schema}.${r.foreign_table}` === target);
      expect({ column: c.name, references: target, found }).toEqual({ column: c.name, references: target, found: true });
    }
  });

  test('every enum exists with the document’s values in order', async () => {
    for (const e of doc.enums) {
      const r = await client.query<{ v: string }>(`select unnest(enum_range(null::public.${e.name}))::text as v`);
      expect({ enum: e.name, values: r.rows.map((x) => x.v) }).toEqual({ enum: e.name, values: e.values });
    }
  });

  test('every index the document names exists (as an index or the constraint it became)', async () => {
    const r = await client.query<{ indexname: string }>(`select indexname from pg_indexes where schemaname = 'public'`);
    const names = new Set(r.rows.map((x) => x.indexname));
    // 0030 replaced the document's one-model vector indexes by one partial HNSW index per model.
    const replaced = new Set(['case_embeddings_vector_idx', 'message_embeddings_vector_idx', 'patient_embeddings_vector_idx', 'project_embeddings_vector_idx']);
    expect(doc.indexes.filter((i) => !names.has(i) && !replaced.has(i))).toEqual([]);
  });

  test('vector indexes are HNSW with cosine distance, one partial index per model and table', async () => {
    await ensureModelIndexes(db, 'test/schema-probe', 1536);
    const r = await client.query<{ indexname: string; indexdef: string }>(
      `select indexname, indexdef from pg_indexes where schemaname = 'public' and indexdef ilike '%halfvec_cosine_ops%' and indexdef like '%test/schema-probe%'`,
    );
    expect(r.rows.map((x) => x.indexname).sort()).toEqual(
      ['case_embeddings', 'message_embeddings', 'patient_embeddings', 'project_embeddings'].map((t) => hnswIndexName(t, 'test/schema-probe')).sort(),
    );
    for (const row of r.rows) expect(row.indexdef).toMatch(/USING hnsw \(\(\(embedding\)::halfvec\(1536\)\) halfvec_cosine_ops\) WHERE \(model = 'test\/schema-probe'::text\)/);
    const ivf = await client.query(`select 1 from pg_indexes where schemaname = 'public' and indexdef ilike '%ivfflat%'`);
    expect(ivf.rowCount).toBe(0);
  });

  test('the view, functions and the missing performance_alerts table exist', async () => {
    const mv = await client.query(`select 1 from pg_matviews where matviewname = 'case_dashboard'`);
    expect(mv.rowCount).toBe(1);
    const unique = await client.query(`select indexdef from pg_indexes where tablename = 'case_dashboard' and indexdef like 'CREATE UNIQUE%'`);
    expect(unique.rowCount).toBe(1);
    const fns = await client.query<{ proname: string }>(
      `select proname from pg_proc where pronamespace = 'public'::regnamespace and proname = any($1)`,
      [['refresh_case_dashboard', 'ai_processing_allowed', 'log_slow_queries', 'set_updated_at']],
    );
    expect(new Set(fns.rows.map((x) => x.proname)).size).toBe(4);
    const noSqlOpenAi = await client.query(`select 1 from pg_proc where proname in ('get_embedding', 'generate_case_embeddings')`);
    expect(noSqlOpenAi.rowCount).toBe(0);
    const pa = await client.query(`select 1 from information_schema.tables where table_name = 'performance_alerts'`);
    expect(pa.rowCount).toBe(1);
  });
});

describe('behaviour of the fixed defects', () => {
  test('embedding partitions are reachable only through their parent, where RLS applies', async () => {
    await client.query('begin');
    try {
      await client.query('set local role authenticated');
      await expect(client.query('select 1 from embedding_partitions.message_embeddings_p00 limit 1')).rejects.toMatchObject({ code: '42501' });
    } finally {
      await client.query('rollback');
    }
  });

  test('a slow query log entry raises a performance alert', async () => {
    const type = `test-${randomUUID()}`;
    await client.query(`insert into query_performance_log (query_type, execution_time_ms) values ($1, 1500), ($1, 20)`, [type]);
    const r = await client.query(`select alert_type, metadata from performance_alerts where metadata->>'query_type' = $1`, [type]);
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0].alert_type).toBe('slow_query');
  });

  test('updated_at is maintained by a trigger', async () => {
    const p = await client.query(`insert into practices (name) values ('Trigger test') returning id, updated_at`);
    await client.query(`select pg_sleep(0.01)`);
    const u = await client.query(`update practices set phone = '1' where id = $1 returning updated_at`, [p.rows[0].id]);
    expect(u.rows[0].updated_at.getTime()).toBeGreaterThan(p.rows[0].updated_at.getTime());
  });

  test('case_dashboard counts messages and files without multiplying them, and refreshes concurrently', async () => {
    const ids = await seedCaseWithChildren(3, 2);
    await client.query(`select refresh_case_dashboard()`);
    const r = await client.query(`select message_count, file_count from case_dashboard where id = $1`, [ids.caseId]);
    expect(r.rows[0]).toEqual({ message_count: '3', file_count: '2' });
  });

  test('pgvector HNSW answers a nearest-neighbour query through the model\'s partial index', async () => {
    const { caseIds, practiceId } = await seedEmbeddedCases(40);
    const probe = unitVector(7);
    await client.query('begin');
    try {
      // 40 rows: without these the planner rightly prefers reading the practice's rows and sorting.
      await client.query('set local enable_seqscan = off');
      await client.query('set local enable_bitmapscan = off');
      await client.query('set local enable_sort = off');
      // The table is partitioned by practice (0063): the model's index has one child per
      // partition, and a query naming the practice is pruned to that practice's partition.
      const plan = await client.query(
        `explain select case_id from case_embeddings where practice_id = $2 and model = 'test/schema-probe' order by embedding::halfvec(1536) <=> $1::halfvec(1536) limit 3`,
        [probe, practiceId],
      );
      const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
      const children = await client.query<{ relname: string }>(
        `select c.relname from pg_partition_tree($1::regclass) t join pg_class c on c.oid = t.relid where t.isleaf`,
        [hnswIndexName('case_embeddings', 'test/schema-probe')],
      );
      expect(children.rows).toHaveLength(32);
      const used = [...text.matchAll(/Index Scan using (\S+) on (\S+)/g)].map((m) => ({ index: m[1], partition: m[2] }));
      expect(used).toHaveLength(1);
      expect(children.rows.map((c) => c.relname)).toContain(used[0]!.index);
      expect(new Set(text.match(/case_embeddings_p\d\d\b/g))).toEqual(new Set([used[0]!.partition]));
      const nearest = await client.query(
        `select case_id from case_embeddings where practice_id = $2 and model = 'test/schema-probe' order by embedding::halfvec(1536) <=> $1::halfvec(1536) limit 1`,
        [probe, practiceId],
      );
      expect(nearest.rows[0].case_id).toBe(caseIds[7]);
    } finally {
      await client.query('rollback');
    }
  });
});

test('the generated Kysely types match the migrated schema', () => {
  const r = codegen(testEnv().databaseUrl, true);
  expect({ ok: r.ok, output: r.ok ? '' : r.output }).toEqual({ ok: true, output: '' });
});

// ---- helpers ---------------------------------------------------------------------------------

/** A unit vector of 1536 dimensions pointing mostly along axis `i`. */
function unitVector(i: number): string {
  const v = new Array(1536).fill(0.001);
  v[i] = 1;
  return `[${v.join(',')}]`;
}

async function seedPatient(): Promise<{ practiceId: string; patientId: string }> {
  const practice = await client.query(`insert into practices (name) values ('Schema test') returning id`);
  const user = await client.query(`insert into auth.users (email) values ($1) returning id`, [`p-${randomUUID()}@t.mdw`]);
  await client.query(`insert into profiles (id, email, first_name, last_name) values ($1, $2, 'P', 'Q')`, [user.rows[0].id, `p-${randomUUID()}@t.mdw`]);
  const patient = await client.query(`insert into patients (profile_id, practice_id, patient_number) values ($1, $2, 'P1') returning id`, [user.rows[0].id, practice.rows[0].id]);
  return { practiceId: practice.rows[0].id, patientId: patient.rows[0].id };
}

async function seedCaseWithChildren(messages: number, files: number) {
  const { practiceId, patientId } = await seedPatient();
  const c = await client.query(
    `insert into cases (patient_id, practice_id, case_number, title, case_type) values ($1, $2, 'C1', 'T', 'retention') returning id`,
    [patientId, practiceId],
  );
  const caseId = c.rows[0].id;
  const sys = '00000000-0000-0000-0000-000000000001';
  for (let i = 0; i < messages; i++) await client.query(`insert into case_messages (case_id, sender_id, content) values ($1, $2, 'm')`, [caseId, sys]);
  for (let i = 0; i < files; i++) {
    await client.query(`insert into case_files (case_id, uploaded_by, file_name, file_type, file_size, storage_path, mime_type) values ($1, $2, 'f', 'scan', 1, 'x', 'model/stl')`, [caseId, sys]);
  }
  return { caseId, practiceId };
}

async function seedEmbeddedCases(n: number) {
  const { practiceId, patientId } = await seedPatient();
  const caseIds: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = await client.query(
      `insert into cases (patient_id, practice_id, case_number, title, case_type) values ($1, $2, $3, 'T', 'retention') returning id`,
      [patientId, practiceId, `E${i}`],
    );
    caseIds.push(c.rows[0].id);
    await client.query(
      `insert into case_embeddings (case_id, practice_id, content_type, content_text, embedding, model, content_hash) values ($1, $4, 'case_summary', $2, $3::halfvec, 'test/schema-probe', 'h')`,
      [
      c.rows[0].id,
      `case ${i}`,
      unitVector(i),
      practiceId,
    ]);
  }
  return { caseIds, practiceId };
}
