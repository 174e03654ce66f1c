/**
 * Scale seeder: a realistic MDW data set in the NEW schema, built with set-based SQL
 * (generate_series, INSERT … SELECT) on the privileged (superuser) connection, with every
 * constraint, foreign key and trigger of the schema active (nothing is disabled).
 *
 *   npm run bench:seed -- --practices 100 --patients 100000 --cases 300000 --messages 3000000 --states 1000000
 *   npm run bench:seed -- --scale 0.01            (multiplies every count)
 *
 * Database: BENCH_DATABASE_URL or DATABASE_URL (migrated here if needed), or `--data-dir DIR` to
 * start (or reuse) an embedded PostgreSQL in DIR, which is left running for `npm run bench:api`.
 * Afterwards (unless --no-legacy) the same data is copied into schema `legacy`, shaped like the
 * legacy Django database (bench/legacy/).
 *
 * Determinism: every "random" choice is a hash of the row number (hashint8extended), so two runs
 * with the same counts produce the same distributions (uuids and now() differ).
 *
 * Shape of the data:
 *  - practices; 5 staff per practice (owner, 2 doctors, technician, assistant), owner and doctors
 *    are practitioners; products (global catalogue);
 *  - patients spread unevenly over practices (the largest has ~6 % of them), names from common
 *    US first/last names, skewed so that common names are common;
 *  - cases over the last 3 years: older cases are further along the canonical path
 *    submitted → … → completed; ~6 % cancelled, ~5 % on hold; case_states is exactly that path,
 *    and cases.current_state is the last row's to_state; closed_at for completed/cancelled;
 *  - case_messages / case_files spread over each case's lifetime, more for longer cases;
 *  - orders for cases that reached `approved`, with items (catalogue prices), totals and tax, and
 *    order_states along pending → … → completed following the case.
 */
import { performance } from 'node:perf_hooks';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { migrate } from '../src/db/migrate';
import { CASE_TITLES, CITIES, FIRST_NAMES, LAST_NAMES, MESSAGE_SUBJECTS, MESSAGE_TEXTS, PRACTICE_SUFFIXES, PRODUCTS } from './api-names';
import { guardClient } from '../src/db/connection-errors';

export const SYSTEM_PROFILE = '00000000-0000-0000-0000-000000000001';
export const STAFF_ROLES = ['owner', 'doctor', 'doctor', 'technician', 'assistant'] as const;

export interface SeedCounts {
  practices: number;
  patients: number;
  cases: number;
  messages: number;
  states: number;
  orders: number;
  files: number;
}

export const FULL_SCALE: SeedCounts = { practices: 100, patients: 100_000, cases: 300_000, messages: 3_000_000, states: 1_000_000, orders: 150_000, files: 300_000 };

export function scaled(scale: number, over: Partial<SeedCounts> = {}): SeedCounts {
  const c = {} as SeedCounts;
  for (const k of Object.keys(FULL_SCALE) as Array<keyof SeedCounts>) c[k] = over[k] ?? Math.max(1, Math.round(FULL_SCALE[k] * scale));
  c.practices = Math.max(1, c.practices);
  c.patients = Math.max(c.practices, c.patients);
  c.states = Math.max(c.cases, Math.min(9 * c.cases, c.states));
  return c;
}

export interface StepReport {
  step: string;
  rows: number;
  ms: number;
  rowsPerSecond: number;
}

export interface SeedReport {
  counts: SeedCounts;
  steps: StepReport[];
  totalMs: number;
  totalRows: number;
}

/**
 * Exponent p such that k = 1 + floor(9·u^p) (u uniform) has mean `mean`:
 * E[k] = 1 + Σ_{j=1..8} (1 − (j/9)^{1/p}). Bisection: E[k] decreases as p grows.
 */
export function stateExponent(mean: number): number {
  const e = (p: number) => 1 + Array.from({ length: 8 }, (_, i) => 1 - ((i + 1) / 9) ** (1 / p)).reduce((a, b) => a + b, 0);
  const target = Math.min(8.9, Math.max(1.05, mean));
  let lo = 0.01;
  let hi = 200;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (e(mid) > target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const arr = (xs: readonly string[]) => `ARRAY[${xs.map(lit).join(',')}]::text[]`;

/** The statements, in order. Each returns the number of rows it wrote (or -1: not a data step). */
interface Step {
  name: string;
  sql: string;
  count?: string;
}

function steps(c: SeedCounts, t0: string): { serial: Step[]; lanes: Step[][]; final: Step[] } {
  const T0 = `${lit(t0)}::timestamptz`;
  const pExp = stateExponent(c.states / c.cases).toFixed(6);
  const FIRST = arr(FIRST_NAMES);
  const LAST = arr(LAST_NAMES);
  const SYS = `${lit(SYSTEM_PROFILE)}::uuid`;
  const messages = (lane: 0 | 1): Step => ({
      name: `case_messages (half ${lane + 1})`,
      sql: `
        INSERT INTO public.case_messages (case_id, practice_id, sender_id, message_type, subject, content, read_by, created_at)
        SELECT id, practice_id,
               CASE WHEN mt IN ('status_update', 'system_notification') THEN ${SYS}
                    WHEN mt = 'approval_request' THEN tech_profile
                    WHEN r < 0.35 THEN doctor_profile WHEN r < 0.55 THEN tech_profile WHEN r < 0.85 THEN assistant_profile ELSE owner_profile END,
               mt::public.message_type_enum,
               CASE WHEN bench_seed.rnd(g, 503) < 0.3 THEN bench_seed.pick(${arr(MESSAGE_SUBJECTS)}, bench_seed.rnd(g, 504)) END,
               CASE mt WHEN 'status_update' THEN 'Automated update on case ' || case_number || ': the lab updated your case.'
                       WHEN 'system_notification' THEN 'Reminder: case ' || case_number || ' has activity waiting for you.'
                       WHEN 'approval_request' THEN 'Plan version ' || (1 + floor(3 * bench_seed.rnd(g, 505)))::int || ' is ready for your approval.'
                       ELSE bench_seed.pick(${arr(MESSAGE_TEXTS)}, bench_seed.rnd(g, 506)) END,
               CASE WHEN bench_seed.rnd(g, 507) < 0.7 THEN jsonb_build_object(doctor_profile::text, at) ELSE '{}'::jsonb END,
               at
        FROM (
          SELECT c.*, g, bench_seed.rnd(g, 502) AS r,
                 CASE WHEN bench_seed.rnd(g, 501) < 0.45 THEN 'general' WHEN bench_seed.rnd(g, 501) < 0.60 THEN 'question'
                      WHEN bench_seed.rnd(g, 501) < 0.70 THEN 'instruction' WHEN bench_seed.rnd(g, 501) < 0.85 THEN 'status_update'
                      WHEN bench_seed.rnd(g, 501) < 0.90 THEN 'approval_request' ELSE 'system_notification' END AS mt,
                 c.created_at + c.span * bench_seed.rnd(g, 508) AS at
          FROM bench_seed.kase c CROSS JOIN LATERAL generate_series(c.msg_lo + 1, c.msg_hi) g
          WHERE c.n % 2 = ${lane}
        ) m
        ORDER BY at`,
      count: `SELECT sum(msg_hi - msg_lo) FROM bench_seed.kase WHERE n % 2 = ${lane}`,
  });
  const all: Step[] = [
    {
      name: 'staging helpers',
      sql: `
        DROP SCHEMA IF EXISTS bench_seed CASCADE;
        CREATE SCHEMA bench_seed;
        -- uniform [0,1) from (row number, salt): deterministic, parallel safe
        CREATE FUNCTION bench_seed.rnd(n bigint, salt bigint) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
          AS $$ SELECT (hashint8extended(n, salt) & 4503599627370495)::float8 / 4503599627370496.0 $$;
        CREATE FUNCTION bench_seed.pick(a text[], r float8) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
          AS $$ SELECT a[1 + floor(r * cardinality(a))::int] $$;
        -- state after the j-th transition of a case with k transitions (special replaces the last)
        CREATE FUNCTION bench_seed.state_at(k int, j int, special text) RETURNS public.case_state_enum LANGUAGE sql IMMUTABLE PARALLEL SAFE
          AS $$ SELECT CASE WHEN j = k AND special IS NOT NULL THEN special::public.case_state_enum
                 ELSE (ARRAY['submitted','under_review','planning','approved','in_production','quality_check',
                             'shipped','delivered','completed']::public.case_state_enum[])[j] END $$;
        CREATE FUNCTION bench_seed.order_state_at(i int) RETURNS public.order_state_enum LANGUAGE sql IMMUTABLE PARALLEL SAFE
          AS $$ SELECT (ARRAY['pending','confirmed','in_production','quality_check','shipped','delivered',
                              'completed']::public.order_state_enum[])[i] $$;`,
    },
    {
      name: 'practices',
      sql: `
        CREATE UNLOGGED TABLE bench_seed.practice AS
        SELECT n, gen_random_uuid() AS id,
               bench_seed.pick(${LAST}, bench_seed.rnd(n, 101)) || ' ' || bench_seed.pick(${arr(PRACTICE_SUFFIXES)}, bench_seed.rnd(n, 102)) AS name,
               bench_seed.pick(${arr(CITIES)}, bench_seed.rnd(n, 103)) AS city,
               bench_seed.rnd(n, 104) < 0.3 AS taxed
        FROM generate_series(1, ${c.practices}) n;
        ALTER TABLE bench_seed.practice ADD PRIMARY KEY (n);
        INSERT INTO public.practices (id, name, address, phone, email, license_number, settings, created_at)
        SELECT id, name || ' (' || city || ')',
               jsonb_build_object('street', (100 + n) || ' Main St', 'city', city, 'country', 'US'),
               '+1-555-' || lpad(n::text, 4, '0'), 'office' || n || '@practice.bench.mdw.local', 'PR-' || n,
               jsonb_build_object('bench_seed', true, 'tax_rate_percent', CASE WHEN taxed THEN 8 ELSE 0 END),
               ${T0} - interval '1300 days' + n * interval '1 hour'
        FROM bench_seed.practice ORDER BY n`,
      count: 'SELECT count(*) FROM bench_seed.practice',
    },
    {
      name: 'staff (users, profiles, practitioners, members)',
      sql: `
        CREATE UNLOGGED TABLE bench_seed.staff AS
        SELECT (p.n - 1) * 5 + s AS n, p.n AS practice_n, p.id AS practice_id, s AS slot, gen_random_uuid() AS id,
               (ARRAY['owner','doctor','doctor','technician','assistant'])[s]::public.practice_role AS prole,
               (CASE WHEN s <= 3 THEN 'doctor' ELSE 'technician' END)::public.user_role AS urole,
               bench_seed.pick(${FIRST}, bench_seed.rnd((p.n - 1) * 5 + s, 201)) AS first_name,
               bench_seed.pick(${LAST}, bench_seed.rnd((p.n - 1) * 5 + s, 202)) AS last_name,
               CASE WHEN s <= 3 THEN gen_random_uuid() END AS practitioner_id
        FROM bench_seed.practice p CROSS JOIN generate_series(1, 5) s;
        ALTER TABLE bench_seed.staff ADD PRIMARY KEY (n);
        ALTER TABLE bench_seed.staff ADD COLUMN email text;
        UPDATE bench_seed.staff SET email = lower(first_name || '.' || last_name) || '.s' || n || '@staff.bench.mdw.local';
        INSERT INTO auth.users (id, email, created_at) SELECT id, email, ${T0} - interval '1300 days' FROM bench_seed.staff ORDER BY n;
        INSERT INTO public.profiles (id, email, first_name, last_name, phone, role, created_at, updated_at)
        SELECT id, email, first_name, last_name, '+1-555-1' || lpad(n::text, 6, '0'), urole,
               ${T0} - interval '1300 days', ${T0} - interval '1300 days'
        FROM bench_seed.staff ORDER BY n;
        INSERT INTO public.practitioners (id, profile_id, license_number, specialties, bio)
        SELECT practitioner_id, id, 'LIC-BENCH-' || n, ARRAY['orthodontics'], 'Orthodontist' FROM bench_seed.staff WHERE practitioner_id IS NOT NULL ORDER BY n;
        INSERT INTO public.practice_members (practice_id, profile_id, practitioner_id, role, joined_at)
        SELECT practice_id, id, practitioner_id, prole, ${T0} - interval '1300 days' FROM bench_seed.staff ORDER BY n`,
      count: 'SELECT count(*) * 4 FROM bench_seed.staff',
    },
    {
      name: 'products',
      sql: `
        CREATE UNLOGGED TABLE bench_seed.product AS
        SELECT ord::int AS n, gen_random_uuid() AS id, v.name, v.category::public.product_category AS category, v.price::numeric(10,2) AS base_price
        FROM unnest(${arr(PRODUCTS.map((p) => p[0]))}, ${arr(PRODUCTS.map((p) => p[1]))}, ${arr(PRODUCTS.map((p) => p[2]))})
             WITH ORDINALITY AS v(name, category, price, ord);
        ALTER TABLE bench_seed.product ADD PRIMARY KEY (n);
        INSERT INTO public.products (id, name, category, base_price, description)
        SELECT id, name, category, base_price, 'bench catalogue' FROM bench_seed.product ORDER BY n`,
      count: 'SELECT count(*) FROM bench_seed.product',
    },
    {
      name: 'patients (users, profiles, patients)',
      sql: `
        CREATE UNLOGGED TABLE bench_seed.patient AS
        SELECT x.*, p.id AS practice_id,
               'P-' || lpad(row_number() OVER (PARTITION BY x.practice_n ORDER BY x.created_at, x.n)::text, 6, '0') AS patient_number,
               lower(x.first_name || '.' || x.last_name) || '.' || x.n || '@patients.bench.mdw.local' AS email
        FROM (
          SELECT n, gen_random_uuid() AS id, gen_random_uuid() AS profile_id,
                 1 + floor(${c.practices} * power(bench_seed.rnd(n, 301), 1.6))::int AS practice_n,
                 bench_seed.pick(${FIRST}, power(bench_seed.rnd(n, 302), 1.3)) AS first_name,
                 bench_seed.pick(${LAST}, power(bench_seed.rnd(n, 303), 1.6)) AS last_name,
                 (${T0}::date - ((7 + 60 * power(bench_seed.rnd(n, 304), 2)) * 365.25)::int) AS dob,
                 CASE WHEN bench_seed.rnd(n, 305) < 0.52 THEN 'female' WHEN bench_seed.rnd(n, 305) < 0.97 THEN 'male'
                      WHEN bench_seed.rnd(n, 305) < 0.99 THEN 'other' END::public.gender_type AS gender,
                 ${T0} - interval '1200 days' * bench_seed.rnd(n, 306) - interval '1 day' AS created_at
          FROM generate_series(1, ${c.patients}) n
        ) x JOIN bench_seed.practice p ON p.n = x.practice_n;
        ALTER TABLE bench_seed.patient ADD PRIMARY KEY (n);
        INSERT INTO auth.users (id, email, created_at) SELECT profile_id, email, created_at FROM bench_seed.patient ORDER BY created_at;
        INSERT INTO public.profiles (id, email, first_name, last_name, phone, role, created_at, updated_at)
        SELECT profile_id, email, first_name, last_name,
               CASE WHEN bench_seed.rnd(n, 307) < 0.8 THEN '+1-' || (200 + floor(bench_seed.rnd(n, 308) * 700))::int || '-555-' || lpad((n % 10000)::text, 4, '0') END,
               'technician', created_at, created_at
        FROM bench_seed.patient ORDER BY created_at;
        INSERT INTO public.patients (id, profile_id, practice_id, patient_number, date_of_birth, gender, medical_history, created_at, updated_at)
        SELECT id, profile_id, practice_id, patient_number, CASE WHEN bench_seed.rnd(n, 309) < 0.95 THEN dob END, gender,
               CASE WHEN bench_seed.rnd(n, 310) < 0.15 THEN '{"allergies":["latex"]}'::jsonb ELSE '{}'::jsonb END,
               created_at, created_at
        FROM bench_seed.patient ORDER BY created_at`,
      count: 'SELECT count(*) * 3 FROM bench_seed.patient',
    },
    {
      name: 'cases (staging)',
      sql: `
        CREATE UNLOGGED TABLE bench_seed.kase AS
        WITH b AS (
          SELECT n, gen_random_uuid() AS id, 1 + floor(${c.patients} * bench_seed.rnd(n, 401))::int AS patient_n,
                 bench_seed.rnd(n, 402) AS u, bench_seed.rnd(n, 403) AS v, bench_seed.rnd(n, 404) AS w
          FROM generate_series(1, ${c.cases}) n
        ), k AS (
          SELECT b.*, 1 + floor(9 * power(u, ${pExp}))::int AS k,
                 ${T0} - interval '2 hours' - interval '1095 days' * (0.75 * u + 0.25 * v) AS created_at
          FROM b
        ), s AS (
          SELECT k.*,
                 CASE WHEN k.k BETWEEN 2 AND 8 AND bench_seed.rnd(n, 405) < 0.06 THEN 'cancelled'
                      WHEN k.k BETWEEN 2 AND 8 AND bench_seed.rnd(n, 406) < 0.05 THEN 'on_hold' END AS special,
                 least(${T0} - k.created_at - interval '1 hour', k.k * interval '8 days' * (0.5 + k.w)) AS span
          FROM k
        )
        SELECT s.*, pt.id AS patient_id, pt.practice_n, pt.practice_id,
               s.k - (s.special IS NOT NULL)::int AS eff_k,
               bench_seed.state_at(s.k, s.k, s.special) AS final_state,
               s.created_at + s.span AS last_at,
               st_doc.id AS doctor_profile, st_doc.practitioner_id, st_own.id AS owner_profile,
               st_tech.id AS tech_profile, st_ast.id AS assistant_profile, st_doc.last_name AS doctor_last_name,
               (CASE WHEN bench_seed.rnd(s.n, 407) < 0.10 THEN 'initial_consultation'
                     WHEN bench_seed.rnd(s.n, 407) < 0.20 THEN 'treatment_planning'
                     WHEN bench_seed.rnd(s.n, 407) < 0.65 THEN 'active_treatment'
                     WHEN bench_seed.rnd(s.n, 407) < 0.80 THEN 'refinement'
                     WHEN bench_seed.rnd(s.n, 407) < 0.92 THEN 'retention'
                     WHEN bench_seed.rnd(s.n, 407) < 0.95 THEN 'emergency'
                     ELSE 'follow_up' END)::public.case_type_enum AS case_type,
               (CASE WHEN bench_seed.rnd(s.n, 408) < 0.15 THEN 'low' WHEN bench_seed.rnd(s.n, 408) < 0.75 THEN 'medium'
                     WHEN bench_seed.rnd(s.n, 408) < 0.95 THEN 'high' ELSE 'urgent' END)::public.priority_level AS priority,
               bench_seed.pick(${arr(CASE_TITLES)}, bench_seed.rnd(s.n, 409)) AS title
        FROM s
        JOIN bench_seed.patient pt ON pt.n = s.patient_n
        JOIN bench_seed.staff st_doc ON st_doc.n = (pt.practice_n - 1) * 5 + 1 + floor(3 * bench_seed.rnd(s.n, 410))::int
        JOIN bench_seed.staff st_own ON st_own.n = (pt.practice_n - 1) * 5 + 1
        JOIN bench_seed.staff st_tech ON st_tech.n = (pt.practice_n - 1) * 5 + 4
        JOIN bench_seed.staff st_ast ON st_ast.n = (pt.practice_n - 1) * 5 + 5;
        ALTER TABLE bench_seed.kase ADD PRIMARY KEY (n);

        -- per-case numbers and exact totals of children: cumulative weights (floor(N·cum/W) differences)
        CREATE UNLOGGED TABLE bench_seed.kase2 AS
        SELECT x.*,
               floor(${c.messages}::numeric * (x.cm - x.wm) / x.tm)::bigint AS msg_lo, floor(${c.messages}::numeric * x.cm / x.tm)::bigint AS msg_hi,
               floor(${c.files}::numeric * (x.cf - x.wf) / x.tf)::bigint AS file_lo, floor(${c.files}::numeric * x.cf / x.tf)::bigint AS file_hi,
               coalesce(floor(${c.orders}::numeric * (x.co - x.wo) / nullif(x.t_o, 0))::bigint, 0) AS ord_lo,
               coalesce(floor(${c.orders}::numeric * x.co / nullif(x.t_o, 0))::bigint, 0) AS ord_hi
        FROM (
          SELECT w.*,
                 'C-' || to_char(w.created_at, 'YYYY') || '-' || lpad(row_number() OVER (PARTITION BY w.practice_n ORDER BY w.created_at, w.n)::text, 6, '0') AS case_number,
                 sum(w.wm) OVER (ORDER BY w.n) AS cm, sum(w.wm) OVER () AS tm,
                 sum(w.wf) OVER (ORDER BY w.n) AS cf, sum(w.wf) OVER () AS tf,
                 sum(w.wo) OVER (ORDER BY w.n) AS co, sum(w.wo) OVER () AS t_o
          FROM (
            SELECT k.*,
                   (0.2 + 1.6 * bench_seed.rnd(k.n, 411) + 0.15 * k.k)::numeric AS wm,
                   (0.3 + bench_seed.rnd(k.n, 412) + 0.1 * k.k)::numeric AS wf,
                   (CASE WHEN k.eff_k >= 4 THEN 0.5 + bench_seed.rnd(k.n, 413) ELSE 0 END)::numeric AS wo
            FROM bench_seed.kase k
          ) w
        ) x;
        ALTER TABLE bench_seed.kase2 ADD PRIMARY KEY (n);
        DROP TABLE bench_seed.kase;
        ALTER TABLE bench_seed.kase2 RENAME TO kase;
        ANALYZE bench_seed.kase`,
    },
    {
      name: 'cases',
      sql: `
        INSERT INTO public.cases (id, patient_id, practice_id, assigned_practitioner_id, case_number, title, description,
                                  case_type, priority, current_state, due_at, is_overdue, closed_at, metadata,
                                  created_at, updated_at, workflow_started_at)
        SELECT id, patient_id, practice_id, practitioner_id, case_number, title,
               CASE WHEN bench_seed.rnd(n, 420) < 0.6 THEN title || ': ' || bench_seed.pick(${arr(MESSAGE_TEXTS)}, bench_seed.rnd(n, 421)) END,
               case_type, priority, final_state, created_at + interval '120 days',
               final_state NOT IN ('completed', 'cancelled') AND created_at + interval '120 days' < ${T0},
               CASE WHEN final_state IN ('completed', 'cancelled') THEN last_at END,
               '{}'::jsonb, created_at, last_at,
               created_at  -- no workflow to start: workers must not pick these cases up
        FROM bench_seed.kase ORDER BY created_at`,
      count: 'SELECT count(*) FROM bench_seed.kase',
    },
    {
      name: 'case_states',
      sql: `
        INSERT INTO public.case_states (case_id, practice_id, from_state, to_state, changed_by, reason, created_at)
        SELECT id, practice_id, from_state, to_state,
               CASE WHEN j = 1 OR to_state IN ('approved', 'on_hold', 'cancelled') THEN doctor_profile
                    WHEN to_state IN ('under_review', 'planning') THEN tech_profile
                    ELSE ${SYS} END,
               CASE to_state WHEN 'approved' THEN 'Treatment plan approved'
                             WHEN 'on_hold' THEN 'Waiting for records'
                             WHEN 'cancelled' THEN 'Cancelled at the doctor''s request' END,
               at
        FROM (
          SELECT c.*, j,
                 CASE WHEN j = 1 THEN NULL ELSE bench_seed.state_at(c.k, j - 1, NULL) END AS from_state,
                 bench_seed.state_at(c.k, j, c.special) AS to_state,
                 c.created_at + c.span * ((j - 1)::float8 / greatest(c.k - 1, 1)) AS at
          FROM bench_seed.kase c CROSS JOIN LATERAL generate_series(1, c.k) j
        ) s
        ORDER BY at`,
      count: 'SELECT sum(k) FROM bench_seed.kase',
    },
    {
      name: 'case_files',
      sql: `
        INSERT INTO public.case_files (case_id, practice_id, uploaded_by, file_name, file_type, file_size, storage_path, mime_type, metadata, created_at)
        SELECT id, practice_id, CASE WHEN ft IN ('scan', 'photo', 'xray') THEN assistant_profile ELSE tech_profile END,
               fname, ft::public.file_type_enum, size, 'practices/' || practice_id || '/cases/' || id || '/' || g || '-' || fname,
               CASE ft WHEN 'scan' THEN 'model/stl' WHEN 'model' THEN 'model/stl' WHEN 'photo' THEN 'image/jpeg'
                       WHEN 'xray' THEN 'image/png' WHEN 'document' THEN 'application/pdf' WHEN 'simulation' THEN 'video/mp4'
                       ELSE 'application/octet-stream' END,
               '{}'::jsonb, at
        FROM (
          SELECT c.*, g, x.ft,
                 CASE x.ft WHEN 'scan' THEN (ARRAY['upper_arch.stl','lower_arch.stl','bite.stl'])[1 + floor(3 * bench_seed.rnd(g, 603))::int]
                           WHEN 'photo' THEN 'intraoral_' || (1 + floor(8 * bench_seed.rnd(g, 603))::int) || '.jpg'
                           WHEN 'xray' THEN (ARRAY['panoramic.png','cephalometric.png'])[1 + floor(2 * bench_seed.rnd(g, 603))::int]
                           WHEN 'document' THEN (ARRAY['consent.pdf','prescription.pdf','invoice.pdf'])[1 + floor(3 * bench_seed.rnd(g, 603))::int]
                           WHEN 'model' THEN 'setup_v' || (1 + floor(3 * bench_seed.rnd(g, 603))::int) || '.stl'
                           WHEN 'simulation' THEN 'treatment_simulation.mp4' ELSE 'attachment.bin' END AS fname,
                 (20000 + floor(bench_seed.rnd(g, 604) * 30000000))::bigint AS size,
                 c.created_at + c.span * bench_seed.rnd(g, 605) AS at
          FROM bench_seed.kase c CROSS JOIN LATERAL generate_series(c.file_lo + 1, c.file_hi) g
          CROSS JOIN LATERAL (SELECT CASE WHEN bench_seed.rnd(g, 601) < 0.35 THEN 'photo' WHEN bench_seed.rnd(g, 601) < 0.60 THEN 'scan'
                                          WHEN bench_seed.rnd(g, 601) < 0.75 THEN 'xray' WHEN bench_seed.rnd(g, 601) < 0.85 THEN 'document'
                                          WHEN bench_seed.rnd(g, 601) < 0.95 THEN 'model' WHEN bench_seed.rnd(g, 601) < 0.98 THEN 'simulation'
                                          ELSE 'other' END AS ft) x
        ) f
        ORDER BY at`,
      count: 'SELECT sum(file_hi - file_lo) FROM bench_seed.kase',
    },
    {
      name: 'orders, order_items, order_states',
      sql: `
        CREATE UNLOGGED TABLE bench_seed.ord AS
        SELECT o.*, 'O-' || lpad(row_number() OVER (PARTITION BY o.practice_n ORDER BY o.created_at, o.n)::text, 7, '0') AS order_number
        FROM (
          SELECT g AS n, gen_random_uuid() AS id, c.id AS case_id, c.practice_id, c.practice_n, c.doctor_profile, c.tech_profile,
                 least(7, greatest(1, c.eff_k - 2)) AS oi, coalesce(c.special = 'cancelled', false) AS cancelled,
                 least(${T0} - interval '1 minute',
                       c.created_at + c.span * (3.0 / greatest(c.k - 1, 1)) + interval '1 hour' * (1 + 24 * bench_seed.rnd(g, 701))) AS created_at,
                 c.last_at
          FROM bench_seed.kase c CROSS JOIN LATERAL generate_series(c.ord_lo + 1, c.ord_hi) g
        ) o;
        ALTER TABLE bench_seed.ord ADD PRIMARY KEY (n);

        CREATE UNLOGGED TABLE bench_seed.item AS
        SELECT o.n AS order_n, o.id AS order_id, o.practice_id, i, p.id AS product_id, q.qty, p.base_price AS unit_price,
               p.base_price * q.qty AS total_price, o.created_at
        FROM bench_seed.ord o
        CROSS JOIN LATERAL generate_series(1, 1 + floor(3.999 * power(bench_seed.rnd(o.n, 702), 1.5))::int) i
        JOIN bench_seed.product p ON p.n = 1 + floor(${PRODUCTS.length} * bench_seed.rnd(o.n * 8 + i, 703))::int
        CROSS JOIN LATERAL (SELECT CASE WHEN p.category = 'aligners' THEN 1 + (bench_seed.rnd(o.n * 8 + i, 704) < 0.6)::int
                                        ELSE 1 + floor(2 * bench_seed.rnd(o.n * 8 + i, 704))::int END AS qty) q;

        INSERT INTO public.orders (id, case_id, practice_id, order_number, current_state, subtotal, tax_amount, total_amount, currency, notes, created_at, updated_at)
        SELECT o.id, o.case_id, o.practice_id, o.order_number,
               CASE WHEN o.cancelled THEN 'cancelled' ELSE bench_seed.order_state_at(o.oi) END::public.order_state_enum,
               t.subtotal, round(t.subtotal * pr.tax / 100, 2), t.subtotal + round(t.subtotal * pr.tax / 100, 2), 'USD',
               CASE WHEN bench_seed.rnd(o.n, 705) < 0.1 THEN 'Ship to the satellite office' END,
               o.created_at, greatest(o.created_at, o.last_at)
        FROM bench_seed.ord o
        JOIN (SELECT order_n, sum(total_price) AS subtotal FROM bench_seed.item GROUP BY order_n) t ON t.order_n = o.n
        JOIN (SELECT id, (settings->>'tax_rate_percent')::numeric AS tax FROM public.practices) pr ON pr.id = o.practice_id
        ORDER BY o.created_at;

        INSERT INTO public.order_items (order_id, practice_id, product_id, quantity, unit_price, total_price, customizations, created_at)
        SELECT order_id, practice_id, product_id, qty, unit_price, total_price,
               CASE WHEN bench_seed.rnd(order_n * 8 + i, 706) < 0.2 THEN '{"engraving":"none","shade":"clear"}'::jsonb ELSE '{}'::jsonb END,
               created_at
        FROM bench_seed.item ORDER BY created_at, order_n, i;

        INSERT INTO public.order_states (order_id, practice_id, from_state, to_state, changed_by, reason, created_at)
        SELECT id, practice_id,
               CASE WHEN i = 1 THEN NULL ELSE bench_seed.order_state_at(i - 1) END,
               CASE WHEN i > oi THEN 'cancelled' ELSE bench_seed.order_state_at(i) END::public.order_state_enum,
               CASE WHEN i = 1 THEN doctor_profile WHEN i > oi THEN doctor_profile WHEN i IN (2, 3) THEN tech_profile ELSE ${SYS} END,
               CASE WHEN i > oi THEN 'Case cancelled' END,
               created_at + greatest(last_at - created_at, interval '0') * ((i - 1)::float8 / greatest(oi + cancelled::int - 1, 1))
        FROM bench_seed.ord o CROSS JOIN LATERAL generate_series(1, o.oi + o.cancelled::int) i
        ORDER BY 7`,
      count: `SELECT (SELECT count(*) FROM bench_seed.ord) + (SELECT count(*) FROM bench_seed.item) + (SELECT sum(oi + cancelled::int) FROM bench_seed.ord)`,
    },
  ];
  const byName = (n: string) => all.find((x) => x.name.startsWith(n))!;
  return {
    serial: all.slice(0, all.findIndex((x) => x.name === 'case_states')),
    // two connections (2 cores): the big child tables are written concurrently
    lanes: [
      [messages(0), byName('case_states')],
      [messages(1), byName('case_files'), byName('orders')],
    ],
    final: [
    {
      // What the case workflow persists in awaiting_tasks (the inbox), for the open cases:
      // the clear-aligner template's task that awaits people in each state.
      name: 'awaiting tasks of open cases',
      sql: AWAITING_TASKS_SQL,
      count: `SELECT count(*) FROM public.awaiting_tasks`,
    },
    {
      name: 'ANALYZE + refresh case_dashboard',
      sql: `
        ANALYZE auth.users, public.profiles, public.practices, public.practitioners, public.practice_members, public.products,
                public.patients, public.cases, public.case_states, public.case_messages, public.case_files,
                public.orders, public.order_items, public.order_states;
        REFRESH MATERIALIZED VIEW public.case_dashboard;
        ANALYZE public.case_dashboard`,
      count: 'SELECT count(*) FROM public.case_dashboard',
    },
    ],
  };
}

/** Exported for a database seeded before awaiting_tasks existed. */
export const AWAITING_TASKS_SQL = `
  INSERT INTO public.awaiting_tasks (case_id, practice_id, task_id, role, task_name, task_kind, required_roles, due_at, overdue, priority, case_created_at)
  SELECT c.id, c.practice_id, m.task_id, m.role::public.practice_role, m.name, m.kind, ARRAY[m.role], c.due_at, c.is_overdue, c.priority, c.created_at
    FROM public.cases c
    JOIN (VALUES ('submitted', 'records', 'Records review', 'decision', 'technician'),
                 ('under_review', 'plan', 'Treatment plan design', 'external', 'technician'),
                 ('planning', 'approval', 'Doctor approval', 'decision', 'doctor'),
                 ('in_production', 'print', 'Aligner printing', 'external', 'technician'),
                 ('quality_check', 'inspection', 'Final inspection', 'decision', 'technician'),
                 ('shipped', 'delivery', 'Delivery confirmation', 'external', 'assistant')) AS m(state, task_id, name, kind, role)
      ON c.current_state = m.state::public.case_state_enum
   WHERE c.closed_at IS NULL
  ON CONFLICT DO NOTHING`;

export async function isSeeded(client: pg.ClientBase): Promise<boolean> {
  const r = await client.query(`select exists (select 1 from public.practices where settings ? 'bench_seed') as seeded`);
  return r.rows[0].seeded as boolean;
}

async function runStep(client: pg.Client, s: Step, report: SeedReport, log: (line: string) => void): Promise<void> {
  const started = performance.now();
  await client.query('begin');
  try {
    await client.query(s.sql);
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw new Error(`seed step "${s.name}" failed: ${(err as Error).message}`);
  }
  const ms = performance.now() - started;
  const rows = s.count ? Number(Object.values((await client.query(s.count)).rows[0] ?? {})[0] ?? 0) : 0;
  const step = { step: s.name, rows, ms: Math.round(ms), rowsPerSecond: rows ? Math.round(rows / (ms / 1000)) : 0 };
  report.steps.push(step);
  report.totalRows += s.name.startsWith('ANALYZE') ? 0 : rows;
  log(`  ${s.name.padEnd(40)} ${String(rows).padStart(10)} rows ${(ms / 1000).toFixed(1).padStart(7)} s ${rows ? String(step.rowsPerSecond).padStart(9) + ' rows/s' : ''}`);
}

async function connect(url: string): Promise<pg.Client> {
  const client = guardClient(new pg.Client({ connectionString: url, application_name: 'mdw-bench-seed' }));
  await client.connect();
  // Session settings only (nothing about constraints): bigger sorts and index builds, no fsync wait.
  await client.query(`set synchronous_commit = off; set work_mem = '256MB'; set maintenance_work_mem = '512MB'; set jit = off`);
  return client;
}

/** Seeds the new schema. The database must be migrated and hold no bench data yet. */
export async function seedScale(url: string, counts: SeedCounts, log: (line: string) => void = console.log): Promise<SeedReport> {
  const clients = [await connect(url), await connect(url)] as const;
  const report: SeedReport = { counts, steps: [], totalMs: 0, totalRows: 0 };
  try {
    if (await isSeeded(clients[0])) throw new Error('this database already holds bench data (practices with settings.bench_seed): use a fresh database');
    const t0 = (await clients[0].query(`select date_trunc('minute', now())::text as t0`)).rows[0].t0 as string;
    const all = performance.now();
    log(`seeding ${JSON.stringify(counts)} (state exponent ${stateExponent(counts.states / counts.cases).toFixed(3)})`);
    const plan = steps(counts, t0);
    for (const s of plan.serial) await runStep(clients[0], s, report, log);
    const laneStart = performance.now();
    await Promise.all(
      plan.lanes.map(async (lane, i) => {
        for (const s of lane) await runStep(clients[i]!, s, report, log);
      }),
    );
    log(`  (child tables on 2 connections: ${((performance.now() - laneStart) / 1000).toFixed(1)} s wall)`);
    for (const s of plan.final) await runStep(clients[0], s, report, log);
    report.totalMs = Math.round(performance.now() - all);
    log(`seeded ${report.totalRows} rows in ${(report.totalMs / 1000).toFixed(1)} s (${Math.round(report.totalRows / (report.totalMs / 1000))} rows/s overall)`);
    return report;
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

/** Verifies the invariants the benchmark relies on (cheap; counts are not re-derived). */
export async function verifySeed(url: string): Promise<string[]> {
  const client = guardClient(new pg.Client({ connectionString: url }));
  await client.connect();
  try {
    const problems: string[] = [];
    const checks: Array<[string, string]> = [
      ['cases.current_state = last case_states.to_state', `select count(*) from public.cases c join lateral (select to_state from public.case_states s where s.case_id = c.id order by s.created_at desc, s.id desc limit 1) l on true where l.to_state <> c.current_state`],
      ['orders total = subtotal + tax', `select count(*) from public.orders where total_amount <> subtotal + tax_amount`],
      ['orders subtotal = sum(items)', `select count(*) from public.orders o where subtotal <> (select sum(total_price) from public.order_items i where i.order_id = o.id)`],
    ];
    for (const [what, q] of checks) {
      const n = Number((await client.query(q)).rows[0].count);
      if (n) problems.push(`${what}: ${n} violations`);
    }
    return problems;
  } finally {
    await client.end();
  }
}

// ---- CLI -------------------------------------------------------------------------------------

const USAGE = `usage: npm run bench:seed -- [options]
  --practices N --patients N --cases N --messages N --states N --orders N --files N
       (defaults: ${Object.entries(FULL_SCALE).map(([k, v]) => `${k} ${v}`).join(', ')})
  --scale F        multiply every default count (e.g. 0.01)
  --data-dir DIR   start (or reuse) an embedded PostgreSQL in DIR and leave it running
  --no-legacy      do not build the legacy-shaped copy (schema legacy)
  --legacy-gfk-index  also give the legacy generic FKs a (target_type_id, target_id) index
  --verify         check invariants afterwards
Database: BENCH_DATABASE_URL or DATABASE_URL unless --data-dir.`;

export function parseSeedArgs(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    allowPositionals: false,
    strict: true,
    options: {
      'data-dir': { type: 'string' },
      'no-legacy': { type: 'boolean' },
      'legacy-gfk-index': { type: 'boolean' },
      verify: { type: 'boolean' },
      practices: { type: 'string' },
      patients: { type: 'string' },
      cases: { type: 'string' },
      messages: { type: 'string' },
      states: { type: 'string' },
      orders: { type: 'string' },
      files: { type: 'string' },
      scale: { type: 'string' },
    },
  });
  const scale = values.scale === undefined ? 1 : Number(values.scale);
  if (!(scale > 0)) throw new Error(`--scale must be a positive number (got ${String(values.scale)})`);
  const over: Partial<SeedCounts> = {};
  for (const k of Object.keys(FULL_SCALE) as Array<keyof SeedCounts>) {
    const v = values[k];
    if (v === undefined) continue;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${k} must be a positive integer (got ${String(v)})`);
    over[k] = Math.max(1, Math.round(n * scale));
  }
  return { scale, counts: scaled(scale, over), dataDir: values['data-dir'], legacy: !values['no-legacy'], gfkIndex: values['legacy-gfk-index'] === true, verify: values.verify === true };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  const args = parseSeedArgs(argv);
  const { counts } = args;
  let url = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
  if (args.dataDir !== undefined) {
    const dir = path.resolve(args.dataDir);
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const { startEmbeddedPostgres } = await import('../scripts/lib/embedded-postgres');
    const pgServer = await startEmbeddedPostgres({ dataDir: dir, database: 'mdw_bench', ephemeral: true });
    url = pgServer.url;
    console.log(`embedded PostgreSQL at ${url} (left running; stop: pg_ctl stop -D ${path.join(dir, 'pgdata')})`);
  }
  if (!url) throw new Error('set BENCH_DATABASE_URL (or DATABASE_URL), or pass --data-dir DIR');
  await migrate(url, (l) => console.log(l));
  await seedScale(url, counts);
  if (args.legacy) {
    const { buildLegacy } = await import('./legacy/build');
    await buildLegacy(url, { gfkIndex: args.gfkIndex });
  }
  if (args.verify) {
    const problems = await verifySeed(url);
    console.log(problems.length ? `verify: ${problems.join('; ')}` : 'verify: ok');
    if (problems.length) process.exitCode = 1;
  }
  console.log(`BENCH_DATABASE_URL=${url}`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error((err as Error).message);
    process.exit(1);
  });
}
