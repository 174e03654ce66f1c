/**
 * Analytics benchmark: the five /analytics questions (src/repositories/analytics.repository.ts)
 * at the benchmark's full scale (300k cases over 100 practices and 3 years, ~90 % finished with
 * a workflow_performance row of 8 tasks, 10 % reworked, 5 % held), under RLS as the callers the
 * endpoints serve: a lab technician lab-wide and the owner of the largest practice, last 90 days
 * and last year (the endpoints' default whole-week periods), and 90 days with explicit from/to
 * (partial weeks at both edges). Side by side in the same run: the weekly rollups of 0065 (whole
 * weeks from the rollups, lab-wide from the lab-wide sums of 0072; the partial edge weeks from the
 * facts), lab-wide also the same rollup code over every practice's rows (the path before 0072), and the fact-table path
 * (analytics-facts.repository.ts, with the 0042/0043 indexes). Also timed: building the rollups
 * of the whole history, and an incremental refresh after new cases close (in transactions that
 * are rolled back, so a cached database stays as seeded); and checked: the rollup answers equal
 * the fact answers (percentiles within the stated bound).
 *
 *   npm run bench:analytics                                   # full scale, throw-away database
 *   npm run bench:analytics -- --scale 0.1                    # quicker
 *   npm run bench:analytics -- --data-dir /var/tmp/mdw-analytics-bench --seed-only   # seed once (cached)
 *   npm run bench:analytics -- --data-dir /var/tmp/mdw-analytics-bench --runs 5      # then measure
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
import * as rollups from '../src/repositories/analytics.repository';
import * as facts from '../src/repositories/analytics-facts.repository';
import { startEmbeddedPostgres } from '../scripts/lib/embedded-postgres';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    runs: { type: 'string', default: '5' },
    reuse: { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
    'seed-only': { type: 'boolean', default: false },
  },
});
const scale = Number(values.scale);
const runs = Number(values.runs);
const CASES = Math.round(300_000 * scale);
const PRACTICES = Math.max(2, Math.round(100 * Math.min(1, scale * 10)));
const TASKS = ['Records review', 'Treatment plan design', 'Doctor approval', 'Aligner printing', 'Attachment template', 'Final inspection', 'Shipping', 'Delivery confirmation'];

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
  const seeded = performance.now();
  // The writes above marked every week stale (0065's triggers): build the rollups of the history.
  const built = await rollups.refreshRollups(db.system, { wait: true });
  await sql`CREATE TABLE IF NOT EXISTS public.bench_analytics_seed (scale float8 NOT NULL)`.execute(db.system);
  await sql`INSERT INTO public.bench_analytics_seed VALUES (${scale})`.execute(db.system);
  await sql`ANALYZE`.execute(db.system);
  console.log(`seeded ${CASES} cases over ${PRACTICES} practices in ${((seeded - t0) / 1000).toFixed(1)} s; rollups of ${built.weeks} practice-weeks built in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);
}

interface Caller {
  label: string;
  profileId: string;
  practiceId: string | null;
}

type Question = 'turnaround' | 'weekly' | 'rework' | 'bottlenecks' | 'timeSplit';
type Fn = (db: Tx, f: facts.AnalyticsFilter) => Promise<unknown>;
type Variant = 'rollups' | 'practice-rollups' | 'facts';
const variants: Record<Variant, Record<Question, Fn>> = {
  // Lab-wide: the lab-wide sums of 0072 (the endpoints' path for lab staff).
  rollups: { turnaround: rollups.turnaround, weekly: rollups.weekly, rework: rollups.rework, bottlenecks: rollups.bottlenecks, timeSplit: rollups.timeSplit },
  // Lab-wide only: the same rollup code over every practice's rows of 0065 (the path before 0072).
  'practice-rollups': Object.fromEntries(
    (['turnaround', 'weekly', 'rework', 'bottlenecks', 'timeSplit'] as const).map((q) => [q, (db: Tx, f: facts.AnalyticsFilter) => rollups[q](db, { ...f, labWide: false })]),
  ) as Record<Question, Fn>,
  facts: { turnaround: facts.turnaround, weekly: facts.weekly, rework: facts.rework, bottlenecks: facts.bottlenecks, timeSplit: facts.timeSplit },
};

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

/** Runs `fn` in a transaction that is always rolled back, as `caller` under RLS when given. */
async function rolledBack<T>(db: ReturnType<typeof createDatabase>, caller: Caller | null, fn: (trx: Tx) => Promise<T>): Promise<T> {
  let out: T | undefined;
  await db.system
    .transaction()
    .execute(async (trx: Tx) => {
      if (caller) {
        await sql`SET LOCAL ROLE authenticated`.execute(trx);
        await sql`SELECT set_config('request.jwt.claims', ${JSON.stringify({ sub: caller.profileId, role: 'authenticated' })}, true)`.execute(trx);
      }
      out = await fn(trx);
      throw new Rollback();
    })
    .catch((e) => {
      if (!(e instanceof Rollback)) throw e;
    });
  return out as T;
}

/**
 * Largest relative difference between two answers' percentiles (keys ending in Hours under
 * p50/p90), and whether everything else is equal.
 */
function compare(a: unknown, b: unknown, pathName = ''): { maxRel: number; mismatches: string[] } {
  const out = { maxRel: 0, mismatches: [] as string[] };
  const walk = (x: unknown, y: unknown, p: string) => {
    if (typeof x === 'number' && typeof y === 'number') {
      if (/p(50|90)Hours$/.test(p)) out.maxRel = Math.max(out.maxRel, Math.abs(x - y) / Math.max(Math.abs(y), 0.01));
      else if (Math.abs(x - y) > 1e-6 * Math.max(1, Math.abs(y))) out.mismatches.push(`${p}: ${x} vs ${y}`);
      return;
    }
    if (Array.isArray(x) && Array.isArray(y)) {
      if (x.length !== y.length) out.mismatches.push(`${p}: length ${x.length} vs ${y.length}`);
      // Tasks are ordered by p50, which may tie differently within the bound: match by id.
      const key = (v: unknown) => (v && typeof v === 'object' ? ((v as Record<string, unknown>).taskId ?? (v as Record<string, unknown>).templateId ?? (v as Record<string, unknown>).week) : undefined);
      x.forEach((v, i) => walk(v, y.find((w) => key(w) !== undefined && key(w) === key(v)) ?? y[i], `${p}[${i}]`));
      return;
    }
    if (x && y && typeof x === 'object' && typeof y === 'object') {
      for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) walk((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], `${p}.${k}`);
      return;
    }
    if (x !== y) out.mismatches.push(`${p}: ${JSON.stringify(x)} vs ${JSON.stringify(y)}`);
  };
  walk(a, b, pathName);
  return out;
}

async function main(): Promise<void> {
  let url = process.env.BENCH_DATABASE_URL;
  let stop = () => undefined as void;
  if (!url) {
    const dir = values['data-dir'] ?? mkdtempSync(path.join(os.tmpdir(), 'mdw-analytics-bench-'));
    const pg = await startEmbeddedPostgres({ dataDir: dir, database: 'mdw_bench', ephemeral: true });
    url = pg.url;
    stop = () => pg.stop();
  }
  const db = createDatabase(url, 2);
  try {
    await migrate(url);
    const cached = await sql<{ scale: number }>`SELECT scale FROM public.bench_analytics_seed`.execute(db.system).then((r) => r.rows[0]?.scale, () => undefined);
    if (cached !== undefined && cached !== scale) throw new Error(`the database in ${values['data-dir']} is seeded at scale ${cached}, not ${scale}: use another --data-dir`);
    if (!values.reuse && cached === undefined) await seed(db);
    else console.log(`reusing the database seeded at scale ${cached ?? '(unknown)'}`);
    if (values['seed-only']) return;
    // Rollups current before measuring (a reused database may have pending marks).
    await rollups.refreshRollups(db.system, { wait: true });

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
    // As the endpoints ask by default: from the Monday of the week 90 days (a year) ago, until now.
    const monday = (t: number) => {
      const d = new Date(t);
      return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - ((d.getUTCDay() + 6) % 7) * 86_400_000).toISOString();
    };
    // Explicit from/to (a date picker's question) with both edges in mid-week: from the Wednesday
    // noon of the week 90 days ago to last week's Friday noon, so 2 × 4.5 days are read from the
    // facts (the worst is 2 × 7 days less a moment).
    const periods = [
      { label: '90 days', from: monday(now - 90 * 86_400_000), to: new Date(now).toISOString(), openEnded: true },
      { label: '1 year', from: monday(now - 365 * 86_400_000), to: new Date(now).toISOString(), openEnded: true },
      {
        label: '90 days, explicit from/to',
        from: new Date(Date.parse(monday(now - 90 * 86_400_000)) + 2.5 * 86_400_000).toISOString(),
        to: new Date(Date.parse(monday(now)) - 2.5 * 86_400_000).toISOString(),
        openEnded: false,
      },
    ];
    const results: Array<Record<string, unknown>> = [];
    const checks: Array<Record<string, unknown>> = [];
    for (const caller of callers) {
      for (const period of periods) {
        const f = { practiceId: caller.practiceId, from: period.from, to: period.to, openEnded: period.openEnded, labWide: caller.practiceId === null };
        const vs: Variant[] = caller.practiceId === null ? ['rollups', 'practice-rollups', 'facts'] : ['rollups', 'facts'];
        for (const name of Object.keys(variants.rollups) as Question[]) {
          const answers: Record<string, unknown> = {};
          // Side by side: the variants alternate, so all see the same machine load.
          const times: Record<string, number[]> = Object.fromEntries(vs.map((v) => [v, []]));
          await rolledBack(db, caller, async (trx) => {
            for (const v of vs) answers[v] = await variants[v][name](trx, f); // warm
            for (let i = 0; i < runs; i++) {
              for (const v of vs) {
                const t = performance.now();
                await variants[v][name](trx, f);
                times[v]!.push(performance.now() - t);
              }
            }
          });
          for (const v of vs) {
            const row = { variant: v, caller: caller.label, period: period.label, question: name, p50Ms: +pct(times[v]!, 0.5).toFixed(1), p95Ms: +pct(times[v]!, 0.95).toFixed(1) };
            results.push(row);
            console.log(JSON.stringify(row));
          }
          for (const v of vs.filter((x) => x !== 'facts')) {
            const c = compare(answers[v], answers.facts);
            checks.push({ variant: v, caller: caller.label, period: period.label, question: name, maxPercentileRelError: +c.maxRel.toFixed(5), mismatches: c.mismatches });
            if (c.mismatches.length) console.log(`MISMATCH ${v} ${caller.label} ${period.label} ${name}: ${c.mismatches.slice(0, 5).join('; ')}`);
          }
        }
      }
    }

    // Incremental refresh: 200 cases close this week across 20 practices, then the refresh of the
    // weeks they marked; and the lab-wide 90-day turnaround before the refresh (the stale weeks
    // read from the facts). Rolled back.
    const incremental = await rolledBack(db, null, async (trx) => {
      await sql`
        INSERT INTO public.workflow_performance (workflow_template_id, case_id, practice_id, task_performance, completion_rate, created_at)
        SELECT c.workflow_template_id, c.id, c.practice_id, w.task_performance, w.completion_rate, now()
          FROM (SELECT c.*, row_number() OVER (PARTITION BY c.practice_id ORDER BY c.id) AS k FROM public.cases c
                 WHERE NOT EXISTS (SELECT 1 FROM public.workflow_performance x WHERE x.case_id = c.id)) c
          JOIN LATERAL (SELECT task_performance, completion_rate FROM public.workflow_performance LIMIT 1) w ON true
         WHERE c.k <= 10 AND c.practice_id IN (SELECT id FROM public.practices ORDER BY id LIMIT 20)`.execute(trx);
      const marked = await sql<{ n: number }>`SELECT count(DISTINCT (practice_id, week))::int AS n FROM public.analytics_stale_weeks`.execute(trx);
      await sql`SET LOCAL ROLE authenticated`.execute(trx);
      await sql`SELECT set_config('request.jwt.claims', ${JSON.stringify({ sub: callers[0]!.profileId, role: 'authenticated' })}, true)`.execute(trx);
      const f = { practiceId: null, from: periods[0]!.from, to: new Date().toISOString(), openEnded: true, labWide: true };
      let t = performance.now();
      await rollups.turnaround(trx, f);
      const staleMs = performance.now() - t;
      await sql`RESET ROLE`.execute(trx);
      t = performance.now();
      const refreshed = await rollups.refreshRollups(trx, { wait: true });
      const refreshMs = performance.now() - t;
      return { closedCases: 200, staleWeeks: marked.rows[0]!.n, refreshedWeeks: refreshed.weeks, refreshMs: +refreshMs.toFixed(1), labWide90dTurnaroundWithStaleWeeksMs: +staleMs.toFixed(1) };
    });
    console.log(JSON.stringify({ incremental }));

    // Rebuilding every week of the history (what 0065 does on an existing database). Rolled back.
    const rebuild = await rolledBack(db, null, async (trx) => {
      await sql`INSERT INTO public.analytics_stale_weeks (practice_id, week) SELECT DISTINCT practice_id, week FROM public.analytics_weekly_cases`.execute(trx);
      const t = performance.now();
      const r = await rollups.refreshRollups(trx, { wait: true });
      return { weeks: r.weeks, ms: +(performance.now() - t).toFixed(0) };
    });
    console.log(JSON.stringify({ rebuild }));

    console.log('\n| caller | period | question | rollups p50 / p95 ms | per-practice rollups p50 / p95 ms | facts p50 / p95 ms | facts / rollups (p50) | p50/p90 max rel. error |\n|---|---|---|---|---|---|---|---|');
    for (const r of results.filter((x) => x.variant === 'rollups')) {
      const same = (x: Record<string, unknown>) => x.caller === r.caller && x.period === r.period && x.question === r.question;
      const b = results.find((x) => x.variant === 'facts' && same(x))!;
      const pp = results.find((x) => x.variant === 'practice-rollups' && same(x));
      const c = checks.find((x) => x.variant === 'rollups' && same(x))!;
      console.log(`| ${r.caller} | ${r.period} | ${r.question} | ${r.p50Ms} / ${r.p95Ms} | ${pp ? `${pp.p50Ms} / ${pp.p95Ms}` : '-'} | ${b.p50Ms} / ${b.p95Ms} | ${((b.p50Ms as number) / Math.max(0.1, r.p50Ms as number)).toFixed(1)} | ${r.question === 'turnaround' ? c.maxPercentileRelError : '-'} |`);
    }
    const mismatched = checks.filter((c) => (c.mismatches as string[]).length);
    console.log(mismatched.length ? `\n${mismatched.length} answers differ beyond the percentiles (see MISMATCH lines)` : '\nevery rollup answer equals the fact answer (percentiles within the bound above)');
    const out = path.join(__dirname, 'results', `analytics-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(out, JSON.stringify({ scale, cases: CASES, practices: PRACTICES, runs, results, checks, incremental, rebuild }, null, 2));
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
