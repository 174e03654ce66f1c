/**
 * The statement-level audit (0027) writes exactly what 0050's row-level trigger wrote. Two
 * identical tables on a migrated database, one with 0050's row trigger, one with 0027's three
 * statement triggers, take the same statements (multi-row INSERT, upsert, UPDATE of some
 * columns, an UPDATE of an excluded column only, an UPDATE that changes a primary key, DELETE)
 * under the same settings; their audit rows must be equal apart from the table name (and their
 * order within one statement: an upsert's statement-level INSERT and UPDATE triggers fire one
 * after the other, its row-level ones row by row). Since 0068 both compute their changed columns
 * with one function, audit_changed_columns().
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { guardClient } from '../../src/db/connection-errors';
import { MIGRATIONS_DIR, migrate } from '../../src/db/migrate';
import { testEnv } from '../support/env';
import { createDatabase } from '../support/legacy/fixture';
import { setupAndTeardown } from '../support/lifecycle';

let url: string;
let db: pg.Client;

setupAndTeardown(async () => {
  url = await createDatabase(testEnv().databaseUrl, `audit_${randomUUID().slice(0, 8)}`);
  await migrate(url);
  db = guardClient(new pg.Client({ connectionString: url }));
  await db.connect();
  const ddl = (t: string) => `CREATE TABLE public.${t} (id int, part text, practice_id uuid, name text, secret text, updated_at timestamptz, tags jsonb, PRIMARY KEY (id, part))`;
  // 0027's statement-level triggers on one (attached as the runner does), then 0050's row-level
  // trigger on the other (created after, so that the attach leaves it alone).
  await db.query(ddl('aud_stmt'));
  await db.query(`SELECT public.audit_attach_statement()`);
  await db.query(ddl('aud_row'));
  await db.query(`CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE OR DELETE ON public.aud_row FOR EACH ROW EXECUTE FUNCTION public.audit_row_change('id', 'part')`);
}, [() => db?.end()], { setup: 120_000 });


test('every table carries the three statement-level triggers and no row-level audit trigger', async () => {
  const r = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
     WHERE t.tgname LIKE 'audit_row_change%' AND (t.tgtype & 1) = 1 AND c.relname <> 'aud_row'`,
  );
  expect(Number(r.rows[0]!.n)).toBe(0);
  const names = await db.query<{ tgname: string }>(`SELECT tgname FROM pg_trigger WHERE tgrelid = 'public.aud_stmt'::regclass ORDER BY 1`);
  expect(names.rows.map((x) => x.tgname)).toEqual(['audit_row_change', 'audit_row_change_delete', 'audit_row_change_update']);
});

test('the statement-level audit rows equal the row-level ones', async () => {
  const practice = randomUUID();
  const actor = randomUUID();
  for (const t of ['aud_row', 'aud_stmt']) {
    await db.query('BEGIN');
    await db.query(`SELECT set_config('request.jwt.claims', $1, true), set_config('mdw.request_id', 'req-1', true)`, [JSON.stringify({ sub: actor })]);
    await db.query(
      `INSERT INTO public.${t} (id, part, practice_id, name, secret, updated_at, tags)
       SELECT g, 'p' || g % 2, CASE WHEN g % 3 = 0 THEN NULL ELSE $1::uuid END, 'name ' || g, 's3cret', now(), CASE WHEN g = 2 THEN '{"a": [1, null]}'::jsonb END
       FROM generate_series(1, 5) g`,
      [practice],
    );
    await db.query(`INSERT INTO public.${t} (id, part, name) VALUES (1, 'p1', 'upserted'), (9, 'p1', 'new') ON CONFLICT (id, part) DO UPDATE SET name = EXCLUDED.name`);
    await db.query(`UPDATE public.${t} SET name = name || '!', tags = '{"b": 1}' WHERE id <= 3`);
    await db.query(`UPDATE public.${t} SET updated_at = now() + interval '1 day'`); // excluded column only: no rows
    await db.query(`UPDATE public.${t} SET id = id + 100 WHERE id = 4`);
    await db.query(`UPDATE public.${t} SET name = name WHERE false`);
    await db.query('COMMIT');
    await db.query(`DELETE FROM public.${t} WHERE id IN (2, 104)`);
  }
  const rows = async (t: string) =>
    (
      await db.query(
        `SELECT row_id, op, actor_id, actor_kind, db_role, request_id, workflow_id, practice_id, changed FROM public.audit_log WHERE table_name = $1 ORDER BY row_id, op, changed::text`,
        [t],
      )
    ).rows;
  const row = await rows('aud_row');
  const stmt = await rows('aud_stmt');
  expect(row.length).toBe(5 + 2 + 3 + 1 + 2);
  expect(stmt).toEqual(row);
  // Spot checks of what the content is.
  const first = stmt.find((r) => r.row_id === '1/p1' && r.op === 'INSERT')!;
  expect(first).toMatchObject({ actor_id: actor, actor_kind: 'user', request_id: 'req-1', practice_id: practice });
  expect(first.changed).toEqual({ id: [null, 1], part: [null, 'p1'], practice_id: [null, practice], name: [null, 'name 1'] });
  expect(stmt.filter((r) => r.op === 'DELETE').map((r) => r.row_id).sort()).toEqual(['104/p0', '2/p0']);
  expect(stmt.find((r) => r.row_id === '104/p0' && r.op === 'UPDATE')!.changed).toEqual({ id: [4, 104] });
  expect(stmt.find((r) => r.op === 'DELETE')).toMatchObject({ actor_kind: 'system', actor_id: '00000000-0000-0000-0000-000000000001' });
});

test('both triggers take their changed columns from one function, audit_changed_columns() (0068)', async () => {
  const src = await db.query<{ proname: string; prosrc: string }>(
    `SELECT proname, prosrc FROM pg_proc WHERE oid IN ('public.audit_row_change()'::regprocedure, 'public.audit_statement_change()'::regprocedure) ORDER BY 1`,
  );
  expect(src.rows.map((r) => r.proname)).toEqual(['audit_row_change', 'audit_statement_change']);
  for (const r of src.rows) {
    expect(r.prosrc).toContain('public.audit_changed_columns(');
    expect(r.prosrc).not.toContain('jsonb_object_agg'); // no second copy of the computation left
  }
  const diff = async (o: unknown, n: unknown) =>
    (await db.query<{ diff: unknown }>(`SELECT diff FROM public.audit_changed_columns($1::jsonb, $2::jsonb)`, [o && JSON.stringify(o), n && JSON.stringify(n)])).rows[0]!.diff;
  const row = { id: 1, name: 'a', note: null, secret: 's', updated_at: 't' };
  expect(await diff(null, row)).toEqual({ id: [null, 1], name: [null, 'a'] });
  expect(await diff(row, null)).toEqual({ id: [1, null], name: ['a', null] });
  expect(await diff(row, { ...row, name: 'b', note: 'x', secret: 't', updated_at: 'u' })).toEqual({ name: ['a', 'b'], note: [null, 'x'] });
  expect(await diff(row, { ...row, secret: 't' })).toEqual({});
});

test('0068 is safe to run again, and refuses a trigger function whose computation it does not know', async () => {
  const file = readFileSync(path.join(MIGRATIONS_DIR, '0068_audit_changed_columns.sql'), 'utf8');
  const before = await db.query(`SELECT prosrc FROM pg_proc WHERE proname IN ('audit_row_change', 'audit_statement_change') ORDER BY proname`);
  await db.query(file);
  expect((await db.query(`SELECT prosrc FROM pg_proc WHERE proname IN ('audit_row_change', 'audit_statement_change') ORDER BY proname`)).rows).toEqual(before.rows);
  await db.query('BEGIN');
  try {
    await db.query(`CREATE OR REPLACE FUNCTION public.audit_statement_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$`);
    await expect(db.query(file)).rejects.toThrow(/audit_statement_change\(\) does not contain the changed-columns computation/);
  } finally {
    await db.query('ROLLBACK');
  }
});
