/**
 * Analytics benchmark: the five /analytics questions (src/repositories/analytics.repository.ts)
 * at the benchmark's full scale (300k cases over 100 practices and 3 years, ~90 % finished with
 * a workflow_performance row of 8 tasks, 10 % reworked, 5 % held), under RLS as the callers the
 * endpoints serve: a lab technician lab-wide and the owner of the largest practice, last 90 days
 * and last year. Side by side in the same run: with the 0042 indexes, and the baseline without
 * them (0042, 0043; dropped inside a transaction that is rolled back).
 *
 *   npm run bench:analytics                  # full scale
 *   npm run bench:analytics -- --scale 0.1   # quicker
 *   BENCH_DATABASE_URL=… npm run bench:analytics -- --reuse   # an already seeded database
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { createDatabase, type Tx } from '../src/db/database';
import { migrate } from '../src/db/migrate';
import * as analytics from '../src/repositories/analytics.repository';
import { startEmbeddedPostgres } from '../scripts/lib/embedded-postgres';

const { values } = parseArgs({ options: { scale: { type: 'string', default: '1' }, runs: { type: 'string', default: '15' }, reuse: { type: 'boolean', default: false } } });
const scale = Number(values.scale);
const runs = Number(values.runs);
const CASES = Math.round(300_000 * scale);
const PRACTICES = Math.max(2, Math.round(100 * Math.min(1, scale * 10)));
const TASKS = ['Records review', 'Treatment plan design', 'Doctor approval', 'Aligner printing', 'Attachment template', 'Final inspection', 'Shipping', 'Delivery confirmation'];
const INDEXES = ['idx_workflow_performance_practice_created', 'idx_workflow_performance_created', 'idx_case_messages_rework', 'idx_task_runs_practice_finished', 'idx_task_runs_finished'];

async function seed(db: ReturnType<typeof createDatabase>): Promise<void> {
  const t0 = performance.now();
  const tasks = TASKS.map((t) => `'${t}'`).join(', ');
  await sql.raw(`
    DO $$
    DECLARE tpl uuid;
    BEGIN
      INSERT INTO public.workflow_templates (name, case_type) VALUES ('Analytics bench', 'active_treatment') RETURNING id INTO tpl;
      CREATE TEMP TABLE bench_p AS
        SELECT g AS n, gen_random_uuid() AS practice_id, gen_random_uuid() AS owner_id, gen_random_uuid() AS patient_profile, gen_random_uuid() AS patient_id
          FROM generate_series(1, ${PRACTICES}) g;
      INSERT INTO public.practices (id, name) SELECT practice_id, 'Bench practice ' || n FROM bench_p;
      INSERT INTO auth.users (id, email) SELECT owner_id, 'owner' || n || '-' || practice_id || '@bench.mdw' FROM bench_p
        UNION ALL SELECT patient_profile, 'patient' || n || '-' || practice_id || '@bench.mdw' FROM bench_p;
      INSERT INTO public.profiles (id, email, first_name, last_name) SELECT owner_id, 'owner' || n || '-' || practice_id || '@bench.mdw', 'Owner', n::text FROM bench_p
        UNION ALL SELECT patient_profile, 'patient' || n || '-' || practice_id || '@bench.mdw', 'Pat', n::text FROM bench_p;
      INSERT INTO public.practice_members (practice_id, profile_id, role) SELECT practice_id, owner_id, 'owner' FROM bench_p;
      INSERT INTO public.patients (id, profile_id, practice_id, patient_number) SELECT patient_id, patient_profile, practice_id, 'P-1' FROM bench_p;
      -- Cases over 3 years; practice 1 is the largest (~6 %), the rest spread.
      CREATE TEMP TABLE bench_c AS
        SELECT g, gen_random_uuid() AS id, p.practice_id, p.patient_id,
               now() - make_interval(days => (abs(hashint8extended(g, 1)) % 1095)::int, mins => (abs(hashint8extended(g, 2)) % 1440)::int) AS created_at,
               (abs(hashint8extended(g, 3)) % 100)::int AS r
          FROM generate_series(1, ${CASES}) g
          JOIN bench_p p ON p.n = CASE WHEN abs(hashint8extended(g, 4)) % 100 < 6 THEN 1 ELSE 1 + abs(hashint8extended(g, 5)) % ${PRACTICES} END;
      INSERT INTO public.cases (id, practice_id, patient_id, case_number, title, case_type, workflow_template_id, created_at, current_state)
        SELECT id, practice_id, patient_id, 'B-' || g, 'Bench case', 'active_treatment', tpl, created_at, 'completed' FROM bench_c;
      -- ~90 % finished, 2-30 days after creation (not in the future).
      INSERT INTO public.workflow_performance (workflow_template_id, case_id, practice_id, task_performance, completion_rate, created_at)
        SELECT tpl, c.id, c.practice_id,
               jsonb_build_object('outcome', CASE WHEN c.r < 6 THEN 'cancelled' ELSE 'completed' END, 'tasks', (
                 SELECT jsonb_agg(jsonb_build_object(
                          'taskId', 'task-' || i, 'name', (ARRAY[${tasks}])[i],
                          'plannedMs', 3600000 * (2 + i), 'actualMs', 3600000 * (1 + (abs(hashint8extended(c.g * 10 + i, 6)) % (4 + 2 * i))),
                          'onTime', abs(hashint8extended(c.g * 10 + i, 7)) % 10 > 1, 'reworks', CASE WHEN c.r < 10 AND i = 2 THEN 1 ELSE 0 END,
                          'roles', CASE WHEN i = 3 THEN '["doctor"]'::jsonb WHEN i = 5 THEN '[]'::jsonb ELSE '["technician"]'::jsonb END,
                          'kind', CASE WHEN i = 5 THEN 'automatic' ELSE 'decision' END,
                          'queueMs', CASE WHEN i IN (1, 2, 4) THEN 1800000 ELSE NULL END))
                   FROM generate_series(1, 8) i)),
               CASE WHEN c.r % 3 = 0 THEN 87.5 ELSE 100 END,
               least(now(), c.created_at + make_interval(days => 2 + c.r % 29))
          FROM bench_c c WHERE c.r < 90;
      INSERT INTO public.case_messages (case_id, practice_id, sender_id, message_type, subject, content, metadata, created_at)
        SELECT c.id, c.practice_id, '00000000-0000-0000-0000-000000000001', 'status_update', 'Doctor approval: changes requested', 'x',
               jsonb_build_object('taskId', 'task-3', 'reworkTaskId', 'task-2', 'decision', 'request_changes',
                                  'reason', (ARRAY['Midline off', 'Attachments missing', 'IPR too deep', 'Wrong arch'])[1 + c.r % 4]),
               c.created_at + interval '1 day'
          FROM bench_c c WHERE c.r < 10;
      INSERT INTO public.state_analytics (case_id, practice_id, from_state, to_state, duration_minutes, created_at)
        SELECT c.id, c.practice_id, 'on_hold', 'planning', 60 + c.r * 10, c.created_at + interval '2 days' FROM bench_c c WHERE c.r BETWEEN 90 AND 94 OR c.r < 5;
    END $$`).execute(db.system);
  await sql`ANALYZE`.execute(db.system);
  console.log(`seeded ${CASES} cases over ${PRACTICES} practices in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

interface Caller {
  label: string;
  profileId: string;
  practiceId: string | null;
}

const questions = {
  turnaround: analytics.turnaround,
  weekly: analytics.weekly,
  rework: analytics.rework,
  bottlenecks: analytics.bottlenecks,
  timeSplit: analytics.timeSplit,
} as const;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

async function main(): Promise<void> {
  let url = process.env.BENCH_DATABASE_URL;
  let stop = () => undefined as void;
  if (!url) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mdw-analytics-bench-'));
    const pg = await startEmbeddedPostgres({ dataDir: dir, database: 'mdw_bench', ephemeral: true });
    url = pg.url;
    stop = () => pg.stop();
  }
  const db = createDatabase(url, 2);
  try {
    await migrate(url);
    if (!values.reuse) await seed(db);
    const biggest = await sql<{ practice_id: string; owner: string }>`
      SELECT c.practice_id, (SELECT profile_id FROM public.practice_members m WHERE m.practice_id = c.practice_id AND m.role = 'owner' LIMIT 1) AS owner
        FROM public.cases c GROUP BY c.practice_id ORDER BY count(*) DESC LIMIT 1`.execute(db.system);
    const lab = await sql<{ id: string }>`
      WITH u AS (INSERT INTO auth.users (email) VALUES ('lab-' || gen_random_uuid() || '@bench.mdw') RETURNING id),
           p AS (INSERT INTO public.profiles (id, email, first_name, last_name, role) SELECT id, 'lab-' || id || '@bench.mdw', 'Lab', 'Tech', 'technician' FROM u RETURNING id)
      INSERT INTO public.lab_staff (profile_id) SELECT id FROM p RETURNING profile_id AS id`.execute(db.system);
    const callers: Caller[] = [
      { label: 'lab technician, lab-wide', profileId: lab.rows[0]!.id, practiceId: null },
      { label: 'owner, largest practice', profileId: biggest.rows[0]!.owner, practiceId: biggest.rows[0]!.practice_id },
    ];
    const now = Date.now();
    const periods = [
      { label: '90 days', from: new Date(now - 90 * 86_400_000).toISOString() },
      { label: '1 year', from: new Date(now - 365 * 86_400_000).toISOString() },
    ];
    const results: Array<Record<string, unknown>> = [];
    for (const variant of ['indexed', 'baseline'] as const) {
      for (const caller of callers) {
        for (const period of periods) {
          for (const [name, fn] of Object.entries(questions)) {
            const times: number[] = [];
            await db.system.transaction().execute(async (trx: Tx) => {
              if (variant === 'baseline') for (const ix of INDEXES) await sql.raw(`DROP INDEX public.${ix}`).execute(trx);
              await sql`SET LOCAL ROLE authenticated`.execute(trx);
              await sql`SELECT set_config('request.jwt.claims', ${JSON.stringify({ sub: caller.profileId, role: 'authenticated' })}, true)`.execute(trx);
              const f = { practiceId: caller.practiceId, from: period.from, to: new Date(now).toISOString() };
              await fn(trx, f); // warm
              for (let i = 0; i < runs; i++) {
                const t = performance.now();
                await fn(trx, f);
                times.push(performance.now() - t);
              }
              // Roll back the dropped indexes (and nothing else was written).
              throw new Rollback();
            }).catch((e) => {
              if (!(e instanceof Rollback)) throw e;
            });
            const row = { variant, caller: caller.label, period: period.label, question: name, p50Ms: +pct(times, 0.5).toFixed(1), p95Ms: +pct(times, 0.95).toFixed(1) };
            results.push(row);
            console.log(JSON.stringify(row));
          }
        }
      }
    }
    console.log('\n| caller | period | question | indexed p50 / p95 ms | baseline p50 / p95 ms | baseline / indexed (p50) |\n|---|---|---|---|---|---|');
    for (const r of results.filter((x) => x.variant === 'indexed')) {
      const b = results.find((x) => x.variant === 'baseline' && x.caller === r.caller && x.period === r.period && x.question === r.question)!;
      console.log(`| ${r.caller} | ${r.period} | ${r.question} | ${r.p50Ms} / ${r.p95Ms} | ${b.p50Ms} / ${b.p95Ms} | ${((b.p50Ms as number) / Math.max(0.1, r.p50Ms as number)).toFixed(2)} |`);
    }
    const out = path.join(__dirname, 'results', `analytics-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(out, JSON.stringify({ scale, cases: CASES, practices: PRACTICES, runs, results }, null, 2));
    console.log(`\nwrote ${out}`);
  } finally {
    await db.destroy();
    stop();
  }
}

class Rollback extends Error {}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
