/**
 * The legacy migration against the fixture (test/support/legacy/fixture.ts): every row's
 * outcome, written by hand, then re-runs, incremental runs, dry runs, missing tables, and the
 * legacy database left untouched.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { guardClient } from '../../src/db/connection-errors';
import type { MigrationReport } from '../../src/migration/report';
import { legacyDb, query, run, targetDb } from './support';

const disp = (report: MigrationReport, table: string) => report.tables.find((t) => t.table === table)!;

async function legacyFingerprint(url: string): Promise<Record<string, string>> {
  const tables = await query<{ t: string }>(url, `select table_name as t from information_schema.tables where table_schema = 'public' order by 1`);
  const out: Record<string, string> = {};
  for (const { t } of tables) out[t] = (await query<{ h: string }>(url, `select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as h from "${t}" x`))[0]!.h;
  return out;
}

async function mapOf(target: string, table: string): Promise<Record<string, { disposition: string; reason: string | null; target_id: string | null }>> {
  const rows = await query<{ legacy_id: string; disposition: string; reason: string | null; target_id: string | null }>(
    target,
    `select legacy_id, disposition::text, reason, target_id from legacy_id_map where legacy_table = $1`,
    [table],
  );
  return Object.fromEntries(rows.map((r) => [r.legacy_id, r]));
}

describe('legacy migration of the fixture', () => {
  let legacy: string;
  let target: string;
  let first: MigrationReport;
  let before: Record<string, string>;

  beforeAll(async () => {
    legacy = await legacyDb();
    target = await targetDb();
    before = await legacyFingerprint(legacy);
    first = await run(legacy, target);
  }, 120_000);

  test('every legacy row is accounted for, per table, as written by hand', () => {
    const expected: Record<string, [number, number, number, number, number]> = {
      // read, migrated, merged, skipped, rejected
      auth_user: [20, 14, 3, 3, 0], // 3 Test Test users skipped; 3 copies of merged patients
      dispatch_practice: [2, 2, 0, 0, 0],
      dispatch_doctor: [3, 3, 0, 0, 0],
      dispatch_patient: [13, 5, 3, 5, 0],
      dispatch_template: [14, 12, 0, 0, 2], // "Broken flow" (cycle) rejected whole
      dispatch_product: [4, 3, 0, 0, 1], // "gizmos"
      dispatch_case: [11, 8, 0, 2, 1],
      dispatch_record: [31, 25, 0, 6, 0],
      dispatch_order: [7, 4, 0, 1, 2], // 403 ambiguous, 406 unknown status, 404 orphan
      dispatch_orderitem: [8, 5, 0, 1, 2],
      dispatch_instruction: [7, 5, 0, 1, 1],
      dispatch_file: [5, 4, 0, 1, 0],
      dispatch_project: [5, 4, 0, 0, 1],
    };
    for (const [table, [read, migrated, merged, skipped, rejected]] of Object.entries(expected)) {
      expect(disp(first, table)).toMatchObject({ table, read, migrated, merged, skipped, rejected, unaccounted: 0, new: read, changed: 0 });
    }
    expect(first.ok).toBe(true);
    expect(first.missingTables).toEqual([]);
  });

  test('every row not migrated has its reason', async () => {
    const reasons = Object.fromEntries(first.notMigrated.map((r) => [`${r.table}:${r.id}`, `${r.disposition}: ${r.reason}`]));
    expect(reasons['dispatch_record:1025']).toBe('skipped: orphan: dispatch_case 9999 does not exist');
    expect(reasons['dispatch_record:1026']).toMatch(/^skipped: unknown content type dispatch\.shipment/);
    expect(reasons['dispatch_record:1027']).toMatch(/^skipped: unknown content type crm\.lead/);
    expect(reasons['dispatch_record:1028']).toMatch(/^skipped: points at a dispatch\.patient/);
    expect(reasons['dispatch_record:1029']).toMatch(/test data/);
    expect(reasons['dispatch_case:205']).toMatch(/^skipped: .*test data/);
    expect(reasons['dispatch_case:208']).toBe('rejected: invalid value: case_type "alien abduction" is not a known case type');
    expect(reasons['dispatch_product:302']).toMatch(/^rejected: invalid value: category "gizmos"/);
    expect(reasons['dispatch_order:403']).toMatch(/^rejected: ambiguous: placed on dispatch_patient 103, and 2 of that person's cases were open/);
    expect(reasons['dispatch_order:404']).toBe('skipped: orphan: dispatch_case 9999 does not exist');
    expect(reasons['dispatch_order:406']).toMatch(/^rejected: invalid value: status "lost in space"/);
    expect(reasons['dispatch_orderitem:505']).toMatch(/^rejected: its product \(dispatch_product 302\) was not migrated/);
    expect(reasons['dispatch_orderitem:506']).toMatch(/^rejected: no product/);
    expect(reasons['dispatch_orderitem:507']).toMatch(/^skipped: its order \(dispatch_order 404\)/);
    expect(reasons['dispatch_instruction:605']).toMatch(/^skipped: orphan/);
    expect(reasons['dispatch_instruction:606']).toMatch(/^rejected: invalid value: status 7/);
    expect(reasons['dispatch_file:703']).toMatch(/^skipped: unknown content type crm\.lead/);
    expect(reasons['dispatch_project:803']).toMatch(/^rejected: no practice/);
    expect(reasons['dispatch_template:910']).toMatch(/^rejected: invalid template "Broken flow": .*cycle/);
    expect(reasons['dispatch_patient:112']).toMatch(/^skipped: orphan/);
    // Nothing disappears: the report lists exactly the rows that are not 'migrated'.
    const notMigrated = await query<{ n: string }>(target, `select count(*) as n from legacy_id_map where disposition <> 'migrated'`);
    expect(first.notMigrated).toHaveLength(Number(notMigrated[0]!.n));
  });

  test('duplicate patients merge exactly; homonyms stay apart; test data is reported, not migrated', async () => {
    const p = await mapOf(target, 'dispatch_patient');
    // Sierra Green: copies 100 and 101 (same practice) merge; 102 (another practice, no birthdate) is only probable: review.
    expect(p['101']).toMatchObject({ disposition: 'merged', target_id: p['100']!.target_id });
    expect(p['102']!.disposition).toBe('migrated');
    // Tori Nolen: all three copies in practice 2 are one person.
    expect(p['104']).toMatchObject({ disposition: 'merged', target_id: p['103']!.target_id });
    expect(p['105']).toMatchObject({ disposition: 'merged', target_id: p['103']!.target_id });
    // Alex Kim x2: same name, different birthdate and email: two people (110's only case has no practice).
    expect(p['109']!.disposition).toBe('migrated');
    expect(p['110']!.target_id).toBeNull();
    expect(first.dedup.clusterList.find((c) => c.includes('109'))?.includes('110') ?? false).toBe(false);
    for (const id of ['106', '107', '108']) expect(p[id]!.reason).toMatch(/^test data/);
    expect(first.dedup.testData.map((t) => t.key).sort()).toEqual(['106', '107', '108']);
    // The merged copies' cases follow the survivor: one MDW patient, cases 203, 204 and 211.
    const cases = await query<{ n: string }>(target, `select count(*) as n from cases where patient_id = $1`, [p['103']!.target_id]);
    expect(Number(cases[0]!.n)).toBe(3);
    // Merged users point at one profile; nobody gets a password.
    const users = await mapOf(target, 'auth_user');
    expect(users['21']).toMatchObject({ disposition: 'merged', target_id: users['20']!.target_id });
    expect((await query(target, `select 1 from user_credentials`)).length).toBe(0);
    expect(first.dedup.grades.probable + first.dedup.grades.possible).toBeGreaterThan(0);
  });

  test('people: lab staff get their global roles, doctors their practitioner and membership', async () => {
    const roles = await query<{ email: string; role: string }>(target, `select email, role::text from profiles where email like '%@lab.example' order by email`);
    expect(roles).toEqual([
      { email: 'rita@lab.example', role: 'admin' },
      { email: 'sue@lab.example', role: 'support' },
      { email: 'tom@lab.example', role: 'technician' },
    ]);
    const members = await query<{ email: string; name: string; role: string }>(
      target,
      `select pr.email, p.name, m.role::text from practice_members m join profiles pr on pr.id = m.profile_id join practices p on p.id = m.practice_id order by 1`,
    );
    expect(members).toEqual([
      { email: 'alice@lakeside.example', name: 'Lakeside Orthodontics', role: 'doctor' },
      { email: 'ben@prairie.example', name: 'Prairie Smiles', role: 'doctor' },
    ]);
    const ghost = await query<{ email: string }>(target, `select email from profiles where first_name = 'Gus'`);
    expect(ghost[0]!.email).toBe('legacy-user-40@legacy.invalid');
  });

  test('case numbers: blank or repeated → new unique number, legacy number kept; practice from the doctor', async () => {
    const rows = await query<{ legacy: number; case_number: string; practice: string; legacy_number: string | null }>(
      target,
      `select (c.metadata->'legacy'->>'case_id')::int as legacy, c.case_number, p.name as practice, c.metadata->'legacy'->>'case_number' as legacy_number
       from cases c join practices p on p.id = c.practice_id order by 1`,
    );
    expect(rows).toEqual([
      { legacy: 200, case_number: 'L-200', practice: 'Lakeside Orthodontics', legacy_number: 'A-100' }, // 209 had A-100 first
      { legacy: 201, case_number: 'L-201', practice: 'Lakeside Orthodontics', legacy_number: '' },
      { legacy: 202, case_number: 'B-1', practice: 'Prairie Smiles', legacy_number: 'B-1' },
      { legacy: 203, case_number: 'L-203', practice: 'Prairie Smiles', legacy_number: 'B-1' },
      { legacy: 204, case_number: 'B-2', practice: 'Prairie Smiles', legacy_number: 'B-2' },
      { legacy: 206, case_number: 'A-101', practice: 'Lakeside Orthodontics', legacy_number: 'A-101' },
      { legacy: 209, case_number: 'A-100', practice: 'Lakeside Orthodontics', legacy_number: 'A-100' },
      { legacy: 211, case_number: 'B-3', practice: 'Prairie Smiles', legacy_number: 'B-3' },
    ]);
    const types = await query<{ legacy: number; case_type: string }>(target, `select (metadata->'legacy'->>'case_id')::int as legacy, case_type::text from cases order by 1`);
    expect(types.map((t) => t.case_type)).toEqual(['initial_consultation', 'active_treatment', 'retention', 'initial_consultation', 'retention', 'refinement', 'initial_consultation', 'initial_consultation']);
  });

  test('state histories from the record texts, in time order, with true instants across DST', async () => {
    const history = async (legacyCase: number) =>
      query<{ from_state: string | null; to_state: string; at: string }>(
        target,
        `select s.from_state::text, s.to_state::text, to_char(s.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI') as at
         from case_states s join cases c on c.id = s.case_id where c.metadata->'legacy'->>'case_id' = $1 order by s.created_at, s.id`,
        [String(legacyCase)],
      );
    expect(await history(200)).toEqual([
      { from_state: null, to_state: 'submitted', at: '2024-03-08T15:00' }, // 09:00 CST = UTC-6
      { from_state: 'submitted', to_state: 'planning', at: '2024-03-08T15:05' },
      { from_state: 'planning', to_state: 'under_review', at: '2024-03-10T07:30' }, // 01:30 CST, before the spring-forward gap
      { from_state: 'under_review', to_state: 'planning', at: '2024-03-11T15:00' }, // 10:00 CDT = UTC-5 (approval request: planning)
      { from_state: 'planning', to_state: 'approved', at: '2024-03-12T15:00' },
      { from_state: 'approved', to_state: 'in_production', at: '2024-03-13T15:00' },
      { from_state: 'in_production', to_state: 'quality_check', at: '2024-03-15T15:00' },
      { from_state: 'quality_check', to_state: 'shipped', at: '2024-03-16T15:00' },
      { from_state: 'shipped', to_state: 'delivered', at: '2024-03-20T20:00' },
      { from_state: 'delivered', to_state: 'completed', at: '2024-03-21T15:00' },
    ]);
    // The staff note at 03:30 CDT (08:30 UTC, one hour after 01:30 CST in real time) is a message, not a state.
    const note = await query<{ at: string; type: string }>(
      target,
      `select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI') as at, message_type::text as type from case_messages where content = 'plan looks good, approved, send to mfg'`,
    );
    expect(note).toEqual([{ at: '2024-03-10T08:30', type: 'general' }]);
    // Hold and "records received, resuming": back to the state the case left.
    expect((await history(204)).map((h) => h.to_state)).toEqual(['submitted', 'planning', 'approved', 'in_production', 'on_hold', 'in_production']);
    const current = await query<{ legacy: number; state: string; closed: boolean }>(
      target,
      `select (metadata->'legacy'->>'case_id')::int as legacy, current_state::text as state, closed_at is not null as closed from cases order by 1`,
    );
    expect(current).toEqual([
      { legacy: 200, state: 'completed', closed: true },
      { legacy: 201, state: 'planning', closed: false },
      { legacy: 202, state: 'cancelled', closed: true },
      { legacy: 203, state: 'completed', closed: true },
      { legacy: 204, state: 'in_production', closed: false },
      { legacy: 206, state: 'on_hold', closed: false },
      { legacy: 209, state: 'submitted', closed: false },
      { legacy: 211, state: 'under_review', closed: false },
    ]);
    // Free staff text without a classifier: reported as not understood, never guessed.
    expect(first.states.notUnderstood).toBe(2);
    const notes = await mapOf(target, 'dispatch_record');
    expect(notes['1022']!.reason).toBeNull();
    expect(notes['1020']!.reason).toMatch(/not understood/);
    // System texts become status updates; a NULL author is the system profile.
    const sys = await query<{ type: string; sender: string }>(target, `select message_type::text as type, sender_id as sender from case_messages where metadata->>'legacy_record_id' = '1009'`);
    expect(sys).toEqual([{ type: 'status_update', sender: '00000000-0000-0000-0000-000000000001' }]);
  });

  test('orders: attached to their case or to the patient’s open case; money recomputed; currency normalised', async () => {
    const orders = await query<{ legacy: number; case_legacy: number; number: string; state: string; subtotal: string; tax: string; total: string; currency: string }>(
      target,
      `select (o.metadata->'legacy'->>'order_id')::int as legacy, (c.metadata->'legacy'->>'case_id')::int as case_legacy, o.order_number as number,
         o.current_state::text as state, o.subtotal::text, o.tax_amount::text as tax, o.total_amount::text as total, o.currency
       from orders o join cases c on c.id = o.case_id order by 1`,
    );
    expect(orders).toEqual([
      { legacy: 400, case_legacy: 200, number: 'O-1', state: 'shipped', subtotal: '1200.00', tax: '0.00', total: '1200.00', currency: 'USD' },
      { legacy: 401, case_legacy: 201, number: 'O-2', state: 'in_production', subtotal: '1500.00', tax: '0.00', total: '1500.00', currency: 'USD' },
      { legacy: 402, case_legacy: 209, number: 'O-3', state: 'pending', subtotal: '25.00', tax: '0.00', total: '25.00', currency: 'USD' },
      { legacy: 405, case_legacy: 200, number: 'L-O405', state: 'in_production', subtotal: '25.00', tax: '2.00', total: '27.00', currency: 'USD' },
    ]);
    const o = await mapOf(target, 'dispatch_order');
    expect(o['401']!.reason).toMatch(/subtotal NULL recomputed from items: 1500/);
    expect(o['402']!.reason).toMatch(/attached to the case open at its date.*subtotal 99.00 recomputed from items: 25.00/);
    const states = await query<{ n: string }>(target, `select count(*) as n from order_states`);
    expect(Number(states[0]!.n)).toBe(4);
  });

  test('instructions, files, projects and templates', async () => {
    const ins = await query<{ legacy: number; code: number; type: string }>(target, `select legacy_instruction_id as legacy, status_code as code, instruction_type as type from instruction_states order by 1`);
    expect(ins).toEqual([
      { legacy: 600, code: 2, type: 'IPR' },
      { legacy: 601, code: 1, type: 'attachments' },
      { legacy: 602, code: 0, type: 'extraction' },
      { legacy: 603, code: 3, type: 'bite ramp' },
      { legacy: 604, code: 9, type: 'refinement scan' },
    ]);
    const files = await query<{ name: string; type: string; size: number; path: string }>(target, `select file_name as name, file_type::text as type, file_size::int as size, storage_path as path from case_files order by 1`);
    expect(files).toEqual([
      { name: 'pano.png', type: 'xray', size: 2048, path: 'legacy/204/pano.png' },
      { name: 'smile.jpg', type: 'photo', size: 0, path: 'legacy/201/smile.jpg' },
      { name: 'thing.bin', type: 'other', size: 1, path: 'legacy/201/thing.bin' },
      { name: 'upper.stl', type: 'model', size: 123456, path: 'legacy/200/upper.stl' },
    ]);
    expect((await mapOf(target, 'dispatch_file'))['701']!.reason).toMatch(/size NULL/);
    const chain = await query<{ legacy: number; version: number; parent: number | null; type: string }>(
      target,
      `select p.legacy_id as legacy, p.version, pp.legacy_id as parent, p.project_type::text as type from projects p left join projects pp on pp.id = p.parent_project_id order by 1`,
    );
    expect(chain).toEqual([
      { legacy: 800, version: 1, parent: null, type: 'scan' },
      { legacy: 801, version: 2, parent: 800, type: 'scan' },
      { legacy: 802, version: 3, parent: 801, type: 'scan' },
      { legacy: 804, version: 1, parent: null, type: 'other' },
    ]);
    const tasks = await query<{ name: string; legacy: number; fn: string; roles: string; preds: number }>(
      target,
      `select t.task_name as name, t.legacy_template_id as legacy, t.function_type::text as fn, coalesce(t.required_roles::text, '') as roles, coalesce(cardinality(t.predecessor_tasks), 0) as preds
       from workflow_template_tasks t join workflow_templates w on w.id = t.workflow_template_id where w.name = 'Standard aligner' order by t.task_order`,
    );
    expect(tasks.map((t) => [t.legacy, t.fn])).toEqual([[900, 'submit'], [901, 'review'], [902, 'model'], [903, 'approve'], [904, 'manufacture'], [905, 'quality_check'], [906, 'ship'], [907, 'notify']]);
    expect(tasks[6]!.roles).toBe('{technician,assistant}');
    expect(first.templates.find((t) => t.workflow === 'Broken flow')!.ok).toBe(false);
    expect(await query(target, `select 1 from workflow_templates where name = 'Broken flow'`)).toHaveLength(0);
  });

  test('probable and possible pairs wait in the review queue, with their evidence', async () => {
    const queue = await query<{ a: string; b: string; grade: string; status: string; fields: string[] }>(
      target,
      `select legacy_key_a as a, legacy_key_b as b, grade::text, status::text, array(select e->>'field' from jsonb_array_elements(evidence) e) as fields
       from patient_match_reviews order by 1, 2`,
    );
    expect(first.dedup.queued).toBe(queue.length);
    // Sierra Green's copy in the other practice (no birthdate) is proposed, not merged.
    expect(queue.some((q) => q.a === '100' && q.b === '102' && q.status === 'pending')).toBe(true);
    for (const q of queue) expect(q.fields).toEqual(expect.arrayContaining(['name', 'email', 'birthdate']));
    // Nothing from test data or from patients that were not migrated.
    expect(queue.flatMap((q) => [q.a, q.b]).filter((k) => ['106', '107', '108', '110', '112'].includes(k))).toEqual([]);
  });

  test('audit: summary rows per table and operation naming the run (legacy_id_map has every row), none per row; texts queued for embedding', async () => {
    const perRow = await query(target, `select table_name from audit_log where row_id not like 'bulk:%' and table_name in ('cases', 'case_messages', 'case_states', 'legacy_id_map', 'patients', 'profiles', 'orders')`);
    expect(perRow).toEqual([]);
    const summary = await query<{ table_name: string; op: string; rows: number; runs: string[] }>(
      target,
      `select table_name, op, sum((changed->'bulk'->>'rows')::int)::int as rows, array_agg(distinct changed->'bulk'->>'run_id') as runs
       from audit_log where row_id = $1 group by 1, 2`,
      [`bulk:${first.runId}`],
    );
    const rows = (table: string, op = 'INSERT') => summary.find((s) => s.table_name === table && s.op === op)?.rows;
    const count = async (table: string) => Number((await query<{ n: string }>(target, `select count(*) as n from ${table}`))[0]!.n);
    expect(rows('legacy_id_map')).toBe(await count('legacy_id_map'));
    expect(rows('case_messages')).toBe(await count('case_messages'));
    expect(rows('cases')).toBe(await count('cases'));
    // Each case is written once, with the current state its history gave it: no UPDATE of cases.
    expect(rows('cases', 'UPDATE') ?? 0).toBe(0);
    const positioned = await query<{ total: string; placed: string; moved: string }>(
      target,
      `select count(*) as total, count(*) filter (where metadata ? 'legacy_position') as placed, count(*) filter (where current_state <> 'submitted') as moved from cases`,
    );
    expect(positioned[0]!.placed).toBe(positioned[0]!.total);
    expect(Number(positioned[0]!.moved)).toBeGreaterThan(0);
    expect(summary.every((s) => s.runs.length === 1 && s.runs[0] === first.runId)).toBe(true);
    const queued = await query<{ kind: string; n: string }>(target, `select kind, count(*) as n from embedding_queue group by 1`);
    expect(Object.fromEntries(queued.map((q) => [q.kind, Number(q.n)]))).toMatchObject({ case: await count('cases'), message: await count('case_messages') });
  });

  test('a second run changes nothing and says so', async () => {
    const count = async () => (await query<{ n: string }>(target, `select (select count(*) from cases) + (select count(*) from case_states) + (select count(*) from case_messages) + (select count(*) from orders) + (select count(*) from patients) + (select count(*) from profiles) as n`))[0]!.n;
    const n = await count();
    const again = await run(legacy, target);
    expect(again.totals).toMatchObject({ new: 0, changed: 0 });
    expect(again.ok).toBe(true);
    expect(again.tables.map((t) => [t.table, t.migrated, t.merged, t.skipped, t.rejected])).toEqual(first.tables.map((t) => [t.table, t.migrated, t.merged, t.skipped, t.rejected]));
    expect(await count()).toBe(n);
    const queued = await query(target, `select 1 from patient_match_reviews`);
    expect(queued).toHaveLength(first.dedup.queued);
  }, 60_000);

  test('the legacy database is unchanged', async () => {
    expect(await legacyFingerprint(legacy)).toEqual(before);
  });

  test('an incremental run brings exactly the legacy changes', async () => {
    const l = guardClient(new pg.Client({ connectionString: legacy }));
    await l.connect();
    try {
      // A case progressed (a new record), a new case with its submission, a retitled case.
      await l.query(`insert into dispatch_record (id, target_type_id, target_id, author_id, text, created_at) values
        (2000, 17, 211, null, 'Your treatment plan is ready for review. Please approve or request changes.', '2024-05-10 10:00:00'),
        (2001, 17, 212, null, 'Thank you for your case submission.', '2024-06-01 09:05:00')`);
      await l.query(`insert into dispatch_case (id, case_number, title, description, case_type, priority, workflow_name, created_at, updated_at, doctor_id, patient_id, practice_id)
        values (212, 'A-200', 'New one', '', 'Initial', 2, '', '2024-06-01 09:00:00', '2024-06-01 09:00:00', 10, 109, 1)`);
      await l.query(`update dispatch_case set title = 'Renamed' where id = 204`);
    } finally {
      await l.end();
    }
    const statesBefore = Number((await query<{ n: string }>(target, `select count(*) as n from case_states`))[0]!.n);
    const inc = await run(legacy, target);
    expect(inc.ok).toBe(true);
    expect(disp(inc, 'dispatch_record')).toMatchObject({ new: 2, changed: 0, read: 33 });
    expect(disp(inc, 'dispatch_case')).toMatchObject({ new: 1, changed: 1, read: 12 });
    expect(inc.totals).toMatchObject({ new: 3, changed: 1 });
    const c211 = await query<{ state: string }>(target, `select current_state::text as state from cases where metadata->'legacy'->>'case_id' = '211'`);
    expect(c211[0]!.state).toBe('planning');
    const c212 = await query<{ state: string; priority: string }>(target, `select current_state::text as state, priority::text from cases where metadata->'legacy'->>'case_id' = '212'`);
    expect(c212).toEqual([{ state: 'planning', priority: 'high' }]);
    expect((await query<{ title: string }>(target, `select title from cases where metadata->'legacy'->>'case_id' = '204'`))[0]!.title).toBe('Renamed');
    // 211: under_review → planning; 212: submitted, submitted → planning. Nothing duplicated.
    expect(Number((await query<{ n: string }>(target, `select count(*) as n from case_states`))[0]!.n)).toBe(statesBefore + 3);
    const dupes = await query(target, `select idempotency_key from case_states group by 1 having count(*) > 1`);
    expect(dupes).toHaveLength(0);
  }, 60_000);
});

describe('variants', () => {
  test('a dry run reads and plans everything, writes nothing, and reports the same', async () => {
    const legacy = await legacyDb();
    const target = await targetDb();
    const dry = await run(legacy, target, { dryRun: true });
    expect(dry.ok).toBe(true);
    expect(dry.totals.read).toBe(130);
    expect(await query(target, `select 1 from legacy_id_map`)).toHaveLength(0);
    expect(await query(target, `select 1 from cases`)).toHaveLength(0);
    expect(await query(target, `select 1 from legacy_migration_runs`)).toHaveLength(0);
    const real = await run(legacy, target);
    expect(real.tables).toEqual(dry.tables);
  }, 120_000);

  test('the report in memory lists a bounded number of rows not migrated; the report file all of them (dry run too)', async () => {
    const legacy = await legacyDb();
    const target = await targetDb();
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'mdw-report-')), 'report.json');
    const dry = await run(legacy, target, { dryRun: true, reportFile: file, reportListLimit: 5 });
    expect(dry.notMigrated).toHaveLength(5);
    expect(dry.notMigratedTotal).toBeGreaterThan(5);
    const written = JSON.parse(readFileSync(file, 'utf8')) as MigrationReport;
    expect(written.notMigrated).toHaveLength(dry.notMigratedTotal);
    expect(written.notMigrated.slice(0, 5)).toEqual(dry.notMigrated);
    expect({ ...written, notMigrated: [] }).toEqual({ ...dry, notMigrated: [] });
    const real = await run(legacy, target);
    expect(real.notMigrated).toEqual(written.notMigrated);
  }, 120_000);

  test('a database without dispatch_project, dispatch_instruction and dispatch_template runs and says what it skipped', async () => {
    const legacy = await legacyDb({ withOptional: false });
    const target = await targetDb();
    const report = await run(legacy, target);
    expect(report.ok).toBe(true);
    expect(report.missingTables.sort()).toEqual(['dispatch_instruction', 'dispatch_project', 'dispatch_template']);
    expect(report.tables.map((t) => t.table)).not.toContain('dispatch_project');
    expect(disp(report, 'dispatch_case')).toMatchObject({ read: 11, migrated: 8 });
  }, 120_000);

  test('--practice migrates one legacy practice at a time', async () => {
    const legacy = await legacyDb();
    const target = await targetDb();
    const one = await run(legacy, target, { practice: 2 });
    expect(one.ok).toBe(true);
    const practices = await query<{ name: string }>(target, `select name from practices`);
    expect(practices).toEqual([{ name: 'Prairie Smiles' }]);
    expect(disp(one, 'dispatch_case')).toMatchObject({ read: 4, migrated: 4 });
    const both = await run(legacy, target);
    expect(both.ok).toBe(true);
    expect(disp(both, 'dispatch_case')).toMatchObject({ read: 11, new: 7, migrated: 8 });
  }, 120_000);
});
