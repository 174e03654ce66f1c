/**
 * A legacy database at scale, generated inside PostgreSQL (generate_series, so building a
 * million rows takes seconds), with the README's mess in fixed proportions: duplicate patients
 * (email case/whitespace, missing birthdate), "Test Test" rows, homonyms, cases without a
 * practice or number, repeated numbers, free-text case types with synonyms and unknowns,
 * records dominating (system texts in their wording variants, free staff text, orphans, removed
 * content types, DST-crossing timestamps), orders on cases and on patients with NULL or wrong
 * money, instructions, files, project version chains, templates. Used by bench:migrate and tests.
 */
import pg from 'pg';
import { guardClient } from '../../../src/db/connection-errors';
import { CORE_DDL, OPTIONAL_DDL } from './django-ddl';
import { CT, DATA, insertSql } from './fixture';

export interface ScaleOptions {
  /** Number of cases; every other table follows (records ≈ 8 per case). */
  cases: number;
}

/** Approximate legacy rows for a number of cases (for sizing a run). */
export function rowsFor(cases: number): number {
  return Math.round(cases * (1 + 8.1 + 0.5 + 0.75 + 0.2 + 0.2 + 0.1 + 0.62 * 2) + 50);
}

export async function generateLegacy(url: string, { cases }: ScaleOptions): Promise<void> {
  const practices = Math.max(2, Math.round(cases / 1000));
  const doctors = practices * 3;
  const patients = Math.max(10, Math.round(cases * 0.6));
  const c = guardClient(new pg.Client({ connectionString: url }));
  await c.connect();
  try {
    await c.query(CORE_DDL + OPTIONAL_DDL);
    await c.query(
      insertSql('django_content_type', DATA.django_content_type) +
        insertSql('auth_group', DATA.auth_group) +
        insertSql('dispatch_template', DATA.dispatch_template) +
        insertSql('auth_user', DATA.auth_user.slice(0, 3)) +
        insertSql('auth_user_groups', DATA.auth_user_groups.slice(0, 2)),
    );
    await c.query(`
      CREATE TEMP TABLE names AS SELECT * FROM unnest(
        ARRAY['Sierra','Tori','Alex','María','Jo','Liam','Emma','Noah','Olivia','Ava','Mia','Lucas','Zoe','Ethan','Chloe','Mason','Lily','Logan','Ella','Owen'],
        ARRAY['Green','Nolen','Kim','López','Park','Smith','Johnson','Brown','Davis','Miller','Wilson','Moore','Taylor','Anderson','Thomas','Jackson','White','Harris','Martin','Garcia']) AS n(first, last);
      ALTER TABLE names ADD COLUMN i serial;

      INSERT INTO dispatch_practice (id, name, address, phone, email, license_number, created_at)
      SELECT g, 'Practice ' || g, g || ' Main St' || E'\\n' || 'Chicago, IL', '312-555-' || lpad(g::text, 4, '0'), 'p' || g || '@example.com', CASE WHEN g % 3 = 0 THEN NULL ELSE 'IL-' || g END,
        timestamp '2020-01-01' + g * interval '1 day'
      FROM generate_series(1, ${practices}) g;

      INSERT INTO auth_user (id, password, last_login, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
      SELECT 1000 + g, 'x', NULL, false, 'dr' || g, 'Doc' || g, 'Tor', 'dr' || g || '@example.com', false, true, timestamp '2020-01-01' FROM generate_series(1, ${doctors}) g;
      INSERT INTO dispatch_doctor (id, user_id, practice_id, license_number, specialties, bio)
      SELECT g, 1000 + g, CASE WHEN g % 25 = 0 THEN NULL ELSE 1 + (g - 1) % ${practices} END, 'D-' || g, 'orthodontics', '' FROM generate_series(1, ${doctors}) g;

      -- Patients: first and last name drawn independently from a small pool (homonyms: 400
      -- names), birthdate drawn independently of the name; every 50th a duplicate copy of the
      -- patient before it (email case/whitespace differs, every other copy lacks its birthdate),
      -- every 500th "Test Test". Name and birthdate used to be functions of one counter with
      -- commensurate periods, so every patient born on a date shared its name with everyone born
      -- that day: 57,838 "probable" same-name-same-birthday pairs at 1M rows that no real lab has.
      -- Who is who is recorded in mdw_truth_patient (not a Django table: the migration never
      -- reads it; eval:dedup does).
      CREATE TEMP TABLE pt AS
        SELECT g, CASE WHEN g % 50 = 1 AND g > 1 AND (g - 1) % 500 <> 0 THEN g - 1 ELSE g END AS person
        FROM generate_series(1, ${patients}) g;
      INSERT INTO auth_user (id, password, last_login, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
      SELECT 100000 + pt.g, 'x', NULL, false, 'pt' || pt.g,
        CASE WHEN pt.g % 500 = 0 THEN 'Test' ELSE nf.first END,
        CASE WHEN pt.g % 500 = 0 THEN 'Test' ELSE nl.last END,
        CASE WHEN pt.g % 500 = 0 THEN 'test@test.com'
             WHEN pt.person <> pt.g THEN ' ' || upper(lower(nf.first) || '.' || pt.person || '@example.com') || ' '
             ELSE lower(nf.first) || '.' || pt.person || '@example.com' END,
        false, true, timestamp '2020-01-01'
      FROM pt JOIN names nf ON nf.i = 1 + abs(hashint4(pt.person)) % 20 JOIN names nl ON nl.i = 1 + abs(hashint4(pt.person + 1000003)) % 20;
      INSERT INTO dispatch_patient (id, user_id, birthdate, sex, updated_at)
      SELECT pt.g, 100000 + pt.g,
        CASE WHEN pt.person <> pt.g AND pt.g % 100 = 1 THEN NULL
             ELSE date '1950-01-01' + abs(hashint4(pt.person * 2 + 1)) % 20000 END,
        (ARRAY['M','F','O','',NULL])[1 + pt.person % 5], timestamp '2023-01-01'
      FROM pt;
      CREATE TABLE mdw_truth_patient (patient_id int PRIMARY KEY, person int NOT NULL, is_test boolean NOT NULL);
      INSERT INTO mdw_truth_patient SELECT g, person, g % 500 = 0 FROM pt;

      -- Cases.
      INSERT INTO dispatch_case (id, case_number, title, description, case_type, priority, workflow_name, created_at, updated_at, doctor_id, patient_id, practice_id)
      SELECT g,
        CASE WHEN g % 20 = 0 THEN '' WHEN g % 33 = 0 THEN 'N-' || (g - 1) ELSE 'N-' || g END,
        'Case ' || g, '', (ARRAY['Initial','initial consult','New case','Retainer','retention ','Active treatment','refinement','Emergency','follow-up','Treatment plan','alien abduction',' INITIAL'])[1 + g % 12],
        g % 4, (ARRAY['Standard aligner','Retention basic','',''])[1 + g % 4],
        timestamp '2023-01-01' + (g % 600) * interval '1 day' + (g % 24) * interval '1 hour',
        timestamp '2023-01-01' + (g % 600) * interval '1 day' + (g % 24) * interval '1 hour',
        1 + g % ${doctors}, 1 + (g * 13) % ${patients}, CASE WHEN g % 5 = 0 THEN NULL ELSE 1 + (1 + g % ${doctors} - 1) % ${practices} END
      FROM generate_series(1, ${cases}) g;

      -- A practice that registered a patient twice has the copy's cases too: three copies in
      -- four get their cases moved to the practice (and doctor) of the original's first case;
      -- the fourth stays where chance put it (a patient who changed practice).
      UPDATE dispatch_case c SET practice_id = o.practice_id, doctor_id = o.doctor_id
      FROM mdw_truth_patient t,
        LATERAL (SELECT c2.practice_id, c2.doctor_id FROM dispatch_case c2 WHERE c2.patient_id = t.person ORDER BY c2.id LIMIT 1) o
      WHERE c.patient_id = t.patient_id AND t.person <> t.patient_id AND t.patient_id % 200 <> 1;

      -- Records: 8 per case, the system texts in wording variants up to the case's progress, free
      -- staff text, orphans and removed content types. Hours step over DST changes.
      INSERT INTO dispatch_record (target_type_id, target_id, author_id, text, created_at)
      SELECT CASE WHEN k = 8 AND g % 40 = 0 THEN ${CT.shipment} ELSE ${CT.case} END,
        CASE WHEN k = 8 AND g % 30 = 0 THEN 1000000000 + g ELSE g END,
        CASE WHEN k IN (3, 8) THEN 2 ELSE NULL END,
        CASE
          WHEN k = 3 THEN (ARRAY['plan looks good, approved, send to mfg','pt moved, hold until further notice','called the office','please check the bite','thanks!'])[1 + g % 5]
          WHEN k = 8 THEN 'note ' || g
          WHEN k > 2 + g % 9 THEN 'Reminder sent to the practice.'
          ELSE (ARRAY[
            'Thank you for your case submission. We will proceed with planning and notify you when your treatment plan is ready.',
            'Your case has been received and is under review by our clinical team.',
            'plan looks good',
            'Your treatment plan is ready for review. Please approve or request changes.',
            'Treatment plan approved by Dr. Doc' || g % 9 || ' Tor.',
            CASE WHEN g % 2 = 0 THEN 'Your aligners are now in production.' ELSE 'Case sent to manufacturing.' END,
            CASE WHEN g % 7 = 0 THEN 'We need additional records before we can continue: please upload a scan.' ELSE 'Your order is in final quality inspection.' END,
            CASE WHEN g % 7 = 0 THEN 'Records received, resuming your case.' ELSE 'Your order has shipped via UPS, tracking number 1Z' || g END])[k]
        END,
        timestamp '2023-01-01' + (g % 600) * interval '1 day' + (g % 24) * interval '1 hour' + k * interval '29 hours'
      FROM generate_series(1, ${cases}) g CROSS JOIN generate_series(1, 8) k;
      INSERT INTO dispatch_record (target_type_id, target_id, author_id, text, created_at)
      SELECT ${CT.case}, g, NULL, CASE WHEN g % 3 = 0 THEN 'Case cancelled.' ELSE 'Case completed. Thank you for choosing us!' END,
        timestamp '2023-01-01' + (g % 600) * interval '1 day' + 12 * interval '29 hours'
      FROM generate_series(1, ${cases}) g WHERE g % 10 = 0;

      INSERT INTO dispatch_product (id, name, sku, category, price, options, active)
      SELECT * FROM (VALUES (1, 'Aligner set', 'A', 'Aligners', 1200.00, '{}', true), (2, 'Retainer', 'R', 'retainer ', 150.00, '', true),
        (3, 'Kit', 'K', 'accessory', 25.00, '{bad', true), (4, 'Widget', 'W', 'gizmos', 10.00, '', false)) v;

      INSERT INTO dispatch_order (id, target_type_id, target_id, number, status, subtotal, tax, total, currency, notes, created_at)
      SELECT g, CASE WHEN g % 10 = 0 THEN ${CT.patient} ELSE ${CT.case} END,
        CASE WHEN g % 10 = 0 THEN 1 + ((g * 2) * 13) % ${patients} ELSE g * 2 END,
        CASE WHEN g % 25 = 0 THEN '' ELSE 'O-' || g END,
        (ARRAY['Pending','in production','Shipped ','MFG','delivered','Complete','lost'])[1 + g % 7],
        CASE WHEN g % 10 = 1 THEN NULL ELSE 1200.00 END, CASE WHEN g % 10 = 1 THEN NULL ELSE 0 END, CASE WHEN g % 10 = 1 THEN NULL WHEN g % 10 = 2 THEN 999.00 ELSE 1200.00 END,
        (ARRAY['', 'usd', 'USD', 'eur'])[1 + g % 4], '', timestamp '2023-01-01' + ((g * 2) % 600) * interval '1 day' + interval '2 days'
      FROM generate_series(1, ${Math.floor(cases / 2)}) g;
      INSERT INTO dispatch_orderitem (order_id, product_id, quantity, unit_price, options)
      SELECT g, CASE WHEN g % 50 = 0 THEN NULL WHEN g % 40 = 0 THEN 4 ELSE 1 END, 1, 1200.00, '' FROM generate_series(1, ${Math.floor(cases / 2)}) g;
      INSERT INTO dispatch_orderitem (order_id, product_id, quantity, unit_price, options)
      SELECT g, 2, 2, 150.00, '{"color": "clear"}' FROM generate_series(1, ${Math.floor(cases / 2)}) g WHERE g % 2 = 0;

      INSERT INTO dispatch_instruction (target_type_id, target_id, instruction_type, status, is_active, changed_by_id, changed_at, notes)
      SELECT ${CT.case}, CASE WHEN g % 50 = 0 THEN 1000000000 ELSE g * 5 END, (ARRAY['IPR','attachments','extraction','bite ramp','refinement scan'])[1 + g % 5],
        (ARRAY[0, 1, 2, 3, 9, 7])[1 + g % 6], g % 2 = 0, CASE WHEN g % 3 = 0 THEN 2 END, timestamp '2023-02-01' + (g % 600) * interval '1 day', ''
      FROM generate_series(1, ${Math.floor(cases / 5)}) g;
      INSERT INTO dispatch_file (target_type_id, target_id, uploaded_by_id, name, path, size, mime, kind, created_at)
      SELECT CASE WHEN g % 60 = 0 THEN ${CT.lead} ELSE ${CT.case} END, g * 5, CASE WHEN g % 2 = 0 THEN 2 END, 'file' || g || '.stl', 'legacy/' || g,
        CASE WHEN g % 20 = 0 THEN NULL ELSE g * 10 END, '', (ARRAY['STL','Photo','x-ray','pdf','hologram'])[1 + g % 5], timestamp '2023-02-01' + (g % 600) * interval '1 day'
      FROM generate_series(1, ${Math.floor(cases / 5)}) g;
      INSERT INTO dispatch_project (id, case_id, practice_id, creator_id, name, project_type, status, file_size, file_path, is_public, version, parent_id, created_at)
      SELECT g, CASE WHEN g % 30 = 0 THEN NULL ELSE ((g + 2) / 3) * 10 END, NULL, 2, 'Project ' || g, (ARRAY['scan','Scan ','model','stl','hologram'])[1 + g % 5],
        (ARRAY['draft','In Progress','approved',''])[1 + g % 4], g, 'p/' || g, false, 1 + (g - 1) % 3, CASE WHEN (g - 1) % 3 = 0 THEN NULL ELSE g - 1 END,
        timestamp '2023-03-01' + g * interval '1 hour'
      FROM generate_series(1, ${Math.floor(cases / 10)}) g;
      SELECT setval(pg_get_serial_sequence('dispatch_record', 'id'), (SELECT max(id) FROM dispatch_record));
      ANALYZE;`);
  } finally {
    await c.end();
  }
}
