/**
 * Bulk loads audited by a summary (migration 0061): a transaction registered by
 * audit_bulk_begin() (owner only) writes one audit row per table and operation instead of one per
 * row; the setting mdw.audit_bulk alone switches nothing off, so an `authenticated` session that
 * sets it is still audited row by row and cannot register itself.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { createDatabase, type Database } from '../../src/db/database';
import { guardClient } from '../../src/db/connection-errors';
import { testEnv } from '../support/env';
import { createPracticeFixture, type PracticeFixture } from '../support/fixtures';
import { setupAndTeardown } from '../support/lifecycle';

let database: Database;
let owner: pg.Client;
let a: PracticeFixture;

setupAndTeardown(async () => {
  const env = testEnv();
  database = createDatabase(env.databaseUrl, 2, { authenticatorUrl: env.authenticatorUrl });
  a = await createPracticeFixture(database.system, 'Audit bulk A');
  owner = guardClient(new pg.Client({ connectionString: env.databaseUrl }));
  await owner.connect();
}, [() => owner?.end(), () => database?.destroy()]);

type AuditRow = { table_name: string; row_id: string; op: string; actor_kind: string; changed: Record<string, unknown> };

async function auditOf(tableName: string, rowIds: string[]): Promise<AuditRow[]> {
  const r = await owner.query<AuditRow>(`select table_name, row_id, op, actor_kind, changed from audit_log where table_name = $1 and row_id = any($2) order by id`, [tableName, rowIds]);
  return r.rows;
}

async function insertPractices(n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, () => randomUUID());
  await owner.query(`insert into practices (id, name) select x, 'Bulk ' || x from unnest($1::uuid[]) x`, [ids]);
  return ids;
}

test('a registered bulk load writes one summary row per table and operation, and no row-level entries', async () => {
  const run = randomUUID();
  await owner.query('BEGIN');
  await owner.query(`select public.audit_bulk_begin($1, 'legacy-migration')`, [run]);
  const ids = await insertPractices(3);
  await owner.query(`update practices set phone = '555' where id = any($1)`, [ids]);
  const written = await owner.query<{ n: number }>(`select public.audit_bulk_end() as n`);
  await owner.query('COMMIT');

  expect(written.rows[0]!.n).toBe(2);
  expect(await auditOf('practices', ids)).toEqual([]);
  const summary = await auditOf('practices', [`bulk:${run}`]);
  expect(summary.map((s) => ({ op: s.op, kind: s.actor_kind, rows: (s.changed.bulk as { rows: number }).rows, run: (s.changed.bulk as { run_id: string }).run_id }))).toEqual([
    { op: 'INSERT', kind: 'system', rows: 3, run },
    { op: 'UPDATE', kind: 'system', rows: 3, run },
  ]);
  // The registration lives as long as its transaction: the same run id afterwards is audited row by row.
  await owner.query('BEGIN');
  await owner.query(`select set_config('mdw.audit_bulk', $1, true)`, [run]);
  const later = await insertPractices(2);
  await owner.query('COMMIT');
  expect((await auditOf('practices', later)).map((r) => r.op)).toEqual(['INSERT', 'INSERT']);
  expect((await owner.query(`select count(*)::int as n from audit_bulk_loads where run_id = $1`, [run])).rows[0].n).toBe(0);
});

test('a rolled-back bulk load leaves neither rows nor summary', async () => {
  const run = randomUUID();
  await owner.query('BEGIN');
  await owner.query(`select public.audit_bulk_begin($1, 'legacy-migration')`, [run]);
  const ids = await insertPractices(2);
  await owner.query(`select public.audit_bulk_end()`);
  await owner.query('ROLLBACK');
  expect((await owner.query(`select count(*)::int as n from practices where id = any($1)`, [ids])).rows[0].n).toBe(0);
  expect(await auditOf('practices', [`bulk:${run}`])).toEqual([]);
});

test('an authenticated session cannot switch the audit off: the setting alone is ignored, registering is refused', async () => {
  const run = randomUUID();
  // The setting, then a write the practice owner may make: audited row by row as usual.
  await database.asActor({ sub: a.members.owner }, async (trx) => {
    await sql`select set_config('mdw.audit_bulk', ${run}, true)`.execute(trx);
    const r = await sql`update practices set phone = '555-0101' where id = ${a.practiceId}`.execute(trx);
    expect(Number(r.numAffectedRows)).toBe(1);
  });
  const rows = await auditOf('practices', [a.practiceId]);
  expect(rows.at(-1)).toMatchObject({ op: 'UPDATE', actor_kind: 'user' });
  expect((rows.at(-1)!.changed.phone as unknown[])[1]).toBe('555-0101');
  expect(await auditOf('practices', [`bulk:${run}`])).toEqual([]);

  // Registering the transaction, or writing the registration table directly: permission denied.
  for (const attempt of [
    sql`select public.audit_bulk_begin(${run}::uuid, 'sneaky')`,
    sql`insert into public.audit_bulk_loads (xact, pid, run_id, actor) values (pg_current_xact_id(), pg_backend_pid(), ${run}::uuid, 'sneaky')`,
    sql`select public.audit_bulk_end()`,
  ]) {
    const err = await database.asActor({ sub: a.members.owner }, (trx) => attempt.execute(trx)).then(
      () => null,
      (e: { code?: string }) => e.code,
    );
    expect(err).toBe('42501');
  }
});

test('the registration table and the analytics rollups carry no audit trigger (0061 and 0065 both extend audit_skipped_tables, 0069 keeps both, 0072 adds the lab-wide rollups)', async () => {
  const skipped = (await owner.query<{ t: string[] }>(`select public.audit_skipped_tables() as t`)).rows[0]!.t;
  expect(skipped).toEqual(expect.arrayContaining(['audit_bulk_loads', 'analytics_weekly_cases', 'analytics_weekly_tasks', 'analytics_weekly_reasons', 'analytics_stale_weeks', 'analytics_lab_weekly_cases', 'analytics_lab_weekly_tasks', 'analytics_lab_weekly_reasons']));
  const triggers = await owner.query<{ table: string }>(
    `select c.relname as table from pg_trigger t join pg_class c on c.oid = t.tgrelid
      where not t.tgisinternal and t.tgname like 'audit_row_change%' and c.relname = any($1)`,
    [['audit_bulk_loads', 'analytics_weekly_cases', 'analytics_weekly_tasks', 'analytics_weekly_reasons', 'analytics_stale_weeks', 'analytics_lab_weekly_cases', 'analytics_lab_weekly_tasks', 'analytics_lab_weekly_reasons']],
  );
  expect(triggers.rows).toEqual([]);
});
