/**
 * The re-run's incremental read (Ctx.readIncremental): row hashes first, then only the new and
 * changed rows with the unchanged rows their mapping joins need. Two targets migrate the same
 * legacy database; after each round of legacy changes one re-runs with the incremental read (every
 * table by id list, even the fixture's small ones), the other reads every row as a first run does.
 * Both must end identical, row for row, and report the same.
 */
import pg from 'pg';
import { guardClient } from '../../src/db/connection-errors';
import type { MigrationReport } from '../../src/migration/report';
import { legacyDb, query, run, targetDb } from './support';

/** What a run leaves in the target, without run ids and wall-clock times. */
const FINGERPRINT: Record<string, string> = {
  legacy_id_map: `select legacy_table, legacy_id, target_table, target_id, disposition, reason, row_hash from legacy_id_map`,
  cases: `select id, current_state, closed_at, title, description, priority, case_number, metadata, workflow_template_id, patient_id, practice_id from cases`,
  case_messages: `select id, case_id, message_type, content, metadata, idempotency_key, created_at from case_messages`,
  case_states: `select case_id, from_state, to_state, reason, metadata, idempotency_key, created_at from case_states`,
  patients: `select id, profile_id, practice_id, patient_number, date_of_birth, gender from patients`,
  profiles: `select id, email, first_name, last_name, role from profiles`,
  practitioners: `select id, profile_id, license_number, specialties, bio from practitioners`,
  orders: `select id, case_id, order_number, current_state, subtotal, tax_amount, total_amount, currency, notes, metadata from orders`,
  order_items: `select id, order_id, product_id, quantity, unit_price, total_price, customizations from order_items`,
  order_states: `select order_id, from_state, to_state, reason, idempotency_key from order_states`,
  instruction_states: `select id, case_id, status_code, is_active, changed_at, notes from instruction_states`,
  case_files: `select id, case_id, file_name, file_size, storage_path, metadata from case_files`,
  projects: `select id, case_id, practice_id, name, status, parent_project_id, metadata from projects`,
  patient_match_reviews: `select patient_a_id, patient_b_id, status from patient_match_reviews`,
};

async function fingerprint(url: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const [table, sql] of Object.entries(FINGERPRINT)) out[table] = (await query<{ r: string }>(url, `select x::text as r from (${sql}) x order by 1`)).map((x) => x.r);
  return out;
}

/** The report's figures that must not depend on how the rows were read. */
const figures = (r: MigrationReport) => ({ ok: r.ok, tables: r.tables, totals: r.totals, notMigrated: r.notMigrated, notMigratedTotal: r.notMigratedTotal, states: { ...r.states, classifier: null } });

async function legacyExec(url: string, sql: string) {
  const l = guardClient(new pg.Client({ connectionString: url }));
  await l.connect();
  try {
    await l.query(sql);
  } finally {
    await l.end();
  }
}

describe('incremental read (hashes first, changed rows only)', () => {
  let legacy: string;
  let inc: string;
  let full: string;

  beforeAll(async () => {
    legacy = await legacyDb({ withOptional: true });
    inc = await targetDb();
    full = await targetDb();
    await run(legacy, inc);
    await run(legacy, full);
  }, 240_000);

  const both = async () => {
    const a = await run(legacy, inc, { incrementalWholeShare: Infinity });
    const b = await run(legacy, full, { incrementalRead: false });
    return { a, b };
  };

  test('a no-change re-run reads hashes, stages no legacy row, and reports exactly what the full read does', async () => {
    const { a, b } = await both();
    expect(a.totals).toMatchObject({ new: 0, changed: 0 });
    expect(figures(a)).toEqual(figures(b));
    // Only the three lookups were read whole; every reconciled table by its hashes.
    const step = (r: MigrationReport, name: string) => r.timings.find((t) => t.step === name);
    expect(step(a, 'read (COPY legacy → staging)')?.calls).toBe(3);
    expect(step(a, 'read: row hashes')?.calls).toBe(a.tables.length);
    expect(step(b, 'read: row hashes')).toBeUndefined();
    expect(await fingerprint(inc)).toEqual(await fingerprint(full));
  }, 240_000);

  test('new and changed rows without people: records of a case that progressed, a text edited, a new case, orders, items, files, instructions', async () => {
    await legacyExec(legacy, `
      insert into dispatch_record (id, target_type_id, target_id, author_id, text, created_at) values
        (3000, 17, 211, null, 'Your treatment plan is ready for review. Please approve or request changes.', '2024-05-10 10:00:00'),
        (3001, 17, 212, null, 'Thank you for your case submission.', '2024-06-01 09:05:00');
      insert into dispatch_case (id, case_number, title, description, case_type, priority, workflow_name, created_at, updated_at, doctor_id, patient_id, practice_id)
        values (212, 'A-200', 'New one', '', 'Initial', 2, '', '2024-06-01 09:00:00', '2024-06-01 09:00:00', 10, 109, 1);
      update dispatch_case set title = 'Renamed' where id = 204;
      -- Only the text of one record of case 204 (whose other records are unchanged and replayed).
      update dispatch_record set text = 'Records received, resuming your case now.' where target_id = 204 and text = 'Records received, resuming your case.';
      -- An order's status (its unchanged items add up to its subtotal) and an item of another order.
      update dispatch_order set status = 'Shipped' where id = 401;
      update dispatch_orderitem set quantity = 3 where id = 500;
      insert into dispatch_orderitem (id, order_id, product_id, quantity, unit_price, options) values (508, 405, 300, 1, '1200.00', '');
      insert into dispatch_file (id, target_type_id, target_id, uploaded_by_id, name, path, size, mime, kind, created_at)
        values (705, 17, 206, 10, 'lower.stl', 'legacy/206/lower.stl', 99, 'model/stl', 'STL', '2024-02-03 09:00:00');
      update dispatch_instruction set status = 3 where id = 601;`);
    const { a, b } = await both();
    expect(a.ok).toBe(true);
    expect(figures(a)).toEqual(figures(b));
    expect(a.tables.find((t) => t.table === 'dispatch_record')).toMatchObject({ new: 2, changed: 1 });
    expect(a.tables.find((t) => t.table === 'dispatch_case')).toMatchObject({ new: 1, changed: 1 });
    expect(a.tables.find((t) => t.table === 'dispatch_orderitem')).toMatchObject({ new: 1, changed: 1 });
    expect(await fingerprint(inc)).toEqual(await fingerprint(full));
    const edited = await query<{ content: string }>(inc, `select content from case_messages where content like 'Records received, resuming your case%'`);
    expect(edited.map((x) => x.content)).toEqual(['Records received, resuming your case now.']);
  }, 240_000);

  test('people and projects changed: a patient, a user, a new project whose parent exists', async () => {
    await legacyExec(legacy, `
      update dispatch_patient set birthdate = '1992-01-02' where id = 109;
      update auth_user set last_name = last_name || 'e' where id = 10;
      insert into dispatch_project (id, case_id, practice_id, creator_id, name, project_type, status, file_size, file_path, is_public, version, parent_id, created_at)
        select 805, case_id, practice_id, creator_id, name, project_type, status, file_size, 'p/805', is_public, version + 1, 802, created_at from dispatch_project where id = 802;`);
    const { a, b } = await both();
    expect(a.ok).toBe(true);
    expect(figures(a)).toEqual(figures(b));
    expect(a.totals).toMatchObject({ new: 1, changed: 2 });
    expect(await fingerprint(inc)).toEqual(await fingerprint(full));
    // And once more: nothing new.
    const { a: a2, b: b2 } = await both();
    expect(a2.totals).toMatchObject({ new: 0, changed: 0 });
    expect(figures(a2)).toEqual(figures(b2));
    expect(await fingerprint(inc)).toEqual(await fingerprint(full));
  }, 240_000);
});
