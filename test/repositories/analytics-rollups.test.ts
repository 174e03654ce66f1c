/**
 * The weekly analytics rollups (0065, src/repositories/analytics.repository.ts) answer what the
 * fact-table path (analytics-facts.repository.ts, exact) answers, on a seeded history of three
 * practices and two templates in early 2018 (a period no other test writes to), with continuous
 * durations so the histograms really approximate: counts, sums and rates equal, p50/p90 within
 * the stated 0.5 %. Periods of whole weeks, with partial edge weeks, inside one week; per
 * practice, lab-wide, per template. Then cases close through the real activity (incremental
 * refresh of the weeks they touched, nothing else), a re-run refresh changes nothing
 * (idempotent), and the rollups' RLS matches the facts'.
 */
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { sql } from 'kysely';
import { createDatabase, type Database, type Db } from '../../src/db/database';
import * as rollups from '../../src/repositories/analytics.repository';
import * as facts from '../../src/repositories/analytics-facts.repository';
import { createCaseActivities } from '../../src/activities/case.activities';
import { clearAlignerTemplate } from '../../src/seed/templates';
import type { PerformanceArgs, TaskPerformance } from '../../src/workflows/case.events';
import { testEnv } from '../support/env';
import { createPracticeFixture, createTemplate, createUser, type PracticeFixture } from '../support/fixtures';

const H = 3_600_000;
const DAY = 86_400_000;
const START = Date.UTC(2018, 0, 1); // a Monday
let database: Database;
let db: Db;
let practices: PracticeFixture[];
let templates: string[];

/** Deterministic pseudo-random numbers (mulberry32): the same history every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function tasksOf(rnd: () => number, reworked: boolean): TaskPerformance[] {
  const ms = (lo: number, hi: number) => Math.round((lo + rnd() * (hi - lo)) * H);
  const judged = () => (rnd() < 0.1 ? null : rnd() < 0.75);
  return [
    { taskId: 'records', name: 'Records review', plannedMs: 4 * H, actualMs: ms(0.5, 12), onTime: judged(), reworks: reworked ? 1 + Math.floor(rnd() * 2) : 0, roles: ['technician'], kind: 'decision', queueMs: rnd() < 0.5 ? ms(0.1, 0.4) : null },
    { taskId: 'approval', name: 'Doctor approval', plannedMs: 2 * H, actualMs: ms(0.2, 30), onTime: judged(), reworks: 0, roles: ['doctor'], kind: 'decision' },
    { taskId: 'attachments', name: 'Attachment template', plannedMs: null, actualMs: ms(0.1, 1), onTime: null, reworks: 0, roles: [], kind: 'automatic' },
    { taskId: 'inspection', name: 'Final inspection', plannedMs: 3 * H, actualMs: rnd() < 0.2 ? null : ms(1, 9), onTime: judged(), reworks: 0, roles: ['technician'], kind: 'decision', queueMs: ms(0.05, 0.5) },
  ];
}

async function newCase(f: PracticeFixture, templateId: string, created: Date): Promise<string> {
  const c = await db
    .insertInto('cases')
    .values({ practice_id: f.practiceId, patient_id: f.patientId, case_number: `RU-${randomUUID().slice(0, 8)}`, title: 'Rollups', case_type: 'active_treatment', workflow_template_id: templateId, created_at: created.toISOString() })
    .returning('id')
    .executeTakeFirstOrThrow();
  return c.id;
}

beforeAll(async () => {
  database = createDatabase(testEnv().databaseUrl, 3);
  db = database.system;
  practices = [await createPracticeFixture(db), await createPracticeFixture(db), await createPracticeFixture(db)];
  templates = [
    await createTemplate(db, clearAlignerTemplate({ name: `Rollups A ${randomUUID().slice(0, 8)}` })),
    await createTemplate(db, clearAlignerTemplate({ name: `Rollups B ${randomUUID().slice(0, 8)}` })),
  ];
  const rnd = prng(11);
  const perf: Array<Record<string, unknown>> = [];
  const holds: Array<Record<string, unknown>> = [];
  const messages: Array<Record<string, unknown>> = [];
  for (let i = 0; i < 160; i++) {
    const f = practices[rnd() < 0.5 ? 0 : rnd() < 0.6 ? 1 : 2]!;
    const templateId = templates[rnd() < 0.7 ? 0 : 1]!;
    const created = new Date(START + rnd() * 70 * DAY);
    const finished = new Date(created.getTime() + (0.5 + rnd() * 20) * DAY);
    const caseId = await newCase(f, templateId, created);
    const reworked = rnd() < 0.2;
    perf.push({
      workflow_template_id: templateId,
      case_id: caseId,
      practice_id: f.practiceId,
      task_performance: JSON.stringify({ outcome: rnd() < 0.85 ? 'completed' : 'cancelled', tasks: tasksOf(rnd, reworked) }),
      completion_rate: [null, '100', '87.5', '50'][Math.floor(rnd() * 4)],
      created_at: finished.toISOString(),
    });
    if (rnd() < 0.25) holds.push({ case_id: caseId, practice_id: f.practiceId, from_state: 'on_hold', to_state: 'planning', duration_minutes: 30 + Math.floor(rnd() * 600), created_at: new Date(created.getTime() + DAY).toISOString() });
    if (reworked) {
      const reason = ['Midline off', 'Attachments missing', 'IPR too deep', null][Math.floor(rnd() * 4)];
      messages.push({
        case_id: caseId,
        practice_id: f.practiceId,
        sender_id: f.members.doctor,
        message_type: 'status_update',
        subject: 'Doctor approval: rework',
        content: reason ? 'x' : '"Doctor approval" changes requested: Wrong arch. Back to "Records review" for rework (rework #1).',
        metadata: JSON.stringify({ taskId: 'approval', reworkTaskId: 'records', decision: rnd() < 0.5 ? 'reject' : 'request_changes', ...(reason ? { reason } : {}) }),
        created_at: new Date(created.getTime() + (0.2 + rnd() * 10) * DAY).toISOString(),
      });
    }
  }
  await db.insertInto('workflow_performance').values(perf as never).execute();
  await db.insertInto('state_analytics').values(holds as never).execute();
  await db.insertInto('case_messages').values(messages as never).execute();
  await rollups.refreshRollups(db, { wait: true });
});
afterAll(() => database.destroy());

const PERIODS: Array<[string, string, string]> = [
  ['whole weeks', '2018-01-01T00:00:00Z', '2018-03-19T00:00:00Z'],
  ['partial edge weeks', '2018-01-03T13:00:00Z', '2018-03-07T08:30:00Z'],
  ['inside one week', '2018-01-09T00:00:00Z', '2018-01-12T00:00:00Z'],
  ['beyond the history', '2017-11-01T00:00:00Z', '2018-06-01T00:00:00Z'],
  ['inverted', '2018-03-01T00:00:00Z', '2018-01-01T00:00:00Z'],
];
const QUESTIONS = ['turnaround', 'weekly', 'rework', 'bottlenecks', 'timeSplit'] as const;

/** Within the histograms' bound (plus the answers' rounding to 0.01 h) for p50/p90; equal otherwise. */
function expectSame(rolled: unknown, exact: unknown, where: string): void {
  const walk = (x: unknown, y: unknown, p: string) => {
    if (typeof y === 'number' && /p(50|90)Hours$/.test(p)) {
      expect(typeof x).toBe('number');
      if (Math.abs((x as number) - y) > rollups.PERCENTILE_RELATIVE_ERROR * Math.abs(y) + 0.006) throw new Error(`${where}${p}: ${String(x)} vs exact ${y}`);
    } else if (typeof y === 'number') {
      if (typeof x !== 'number' || Math.abs(x - y) > 1e-9 * Math.max(1, Math.abs(y))) throw new Error(`${where}${p}: ${String(x)} vs exact ${y}`);
    } else if (Array.isArray(y)) {
      if (!Array.isArray(x) || x.length !== y.length) throw new Error(`${where}${p}: ${JSON.stringify(x)} vs exact ${JSON.stringify(y)}`);
      // Tasks are ordered by p50, which two tasks may swap within the bound: compare by id.
      const byId = (a: unknown[]) => (a.every((v) => v && typeof v === 'object' && 'taskId' in v && 'p50Hours' in v) ? [...a].sort((m, n) => ((m as { taskId: string }).taskId < (n as { taskId: string }).taskId ? -1 : 1)) : a);
      const xs = byId(x);
      byId(y).forEach((v, i) => walk(xs[i], v, `${p}[${i}]`));
    } else if (y && typeof y === 'object') {
      if (!x || typeof x !== 'object') throw new Error(`${where}${p}: ${JSON.stringify(x)} vs exact ${JSON.stringify(y)}`);
      expect(Object.keys(x).sort()).toEqual(Object.keys(y).sort());
      for (const k of Object.keys(y)) walk((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], `${p}.${k}`);
    } else if (x !== y) {
      throw new Error(`${where}${p}: ${JSON.stringify(x)} vs exact ${JSON.stringify(y)}`);
    }
  };
  walk(rolled, exact, '');
}

/** Every question, period, practice (and lab-wide) and template filter: rollups vs facts. */
async function expectRollupsEqualFacts(): Promise<number> {
  let compared = 0;
  for (const [label, from, to] of PERIODS) {
    for (const practiceId of [practices[0]!.practiceId, practices[1]!.practiceId, null]) {
      for (const templateId of [null, templates[1]!]) {
        const f = { practiceId, from, to, templateId };
        for (const q of QUESTIONS) {
          const exact = await facts[q](db, f);
          expectSame(await rollups[q](db, f), exact, `${q} ${label} practice=${practiceId ?? 'all'} template=${templateId ?? 'all'}`);
          compared++;
          // Lab-wide also from the lab-wide sums (0072), as the endpoints read it for lab staff.
          if (practiceId === null) {
            expectSame(await rollups[q](db, { ...f, labWide: true }), exact, `${q} ${label} lab-wide sums template=${templateId ?? 'all'}`);
            compared++;
          }
        }
      }
    }
  }
  return compared;
}

/** The lab-wide rows (0072) of this history's weeks (no other test writes to early 2018). */
const labSnapshot = async () =>
  (
    await sql<{ row: string }>`
      SELECT t::text AS row FROM (
        SELECT 'c' AS k, to_jsonb(c) AS t FROM public.analytics_lab_weekly_cases c WHERE c.week >= '2017-10-01' AND c.week < '2018-07-01'
        UNION ALL SELECT 't', to_jsonb(t) FROM public.analytics_lab_weekly_tasks t WHERE t.week >= '2017-10-01' AND t.week < '2018-07-01'
        UNION ALL SELECT 'r', to_jsonb(r) FROM public.analytics_lab_weekly_reasons r WHERE r.week >= '2017-10-01' AND r.week < '2018-07-01') x(k, t)
      ORDER BY 1`.execute(db)
  ).rows.map((r) => r.row);

/**
 * The lab-wide rows equal the per-practice rows summed (histograms merged bucket by bucket), week
 * by week: compared as the weekly, rework and turnaround inputs the endpoints read.
 */
async function expectLabRowsAreSums(): Promise<void> {
  const { rows } = await sql<{ week: string; lab: string | null; summed: string | null }>`
    WITH p AS (
      SELECT c.week, c.workflow_template_id, sum(c.finished) AS finished, sum(c.completed) AS completed, sum(c.cancelled) AS cancelled,
             sum(c.on_time) AS on_time, sum(c.reworked) AS reworked, round(sum(c.hold_minutes)::numeric, 6) AS hold,
             (SELECT jsonb_object_agg(b, n) FROM (SELECT x.b, sum(x.n) AS n FROM public.analytics_weekly_cases c2
                CROSS JOIN LATERAL unnest(c2.ta_b, c2.ta_n) AS x(b, n) WHERE c2.week = c.week AND c2.workflow_template_id = c.workflow_template_id GROUP BY 1) h) AS hist
        FROM public.analytics_weekly_cases c WHERE c.week >= '2017-10-01' AND c.week < '2018-07-01' GROUP BY 1, 2),
    l AS (
      SELECT week, workflow_template_id, finished, completed, cancelled, on_time, reworked, round(hold_minutes::numeric, 6) AS hold,
             (SELECT jsonb_object_agg(b, n) FROM unnest(ta_b, ta_n) AS x(b, n)) AS hist
        FROM public.analytics_lab_weekly_cases WHERE week >= '2017-10-01' AND week < '2018-07-01')
    SELECT to_char(coalesce(p.week, l.week), 'YYYY-MM-DD') AS week,
           (to_jsonb(l) - 'week' - 'workflow_template_id')::text AS lab, (to_jsonb(p) - 'week' - 'workflow_template_id')::text AS summed
      FROM p FULL JOIN l ON l.week = p.week AND l.workflow_template_id = p.workflow_template_id`.execute(db);
  expect(rows.length).toBeGreaterThan(10);
  for (const r of rows) expect({ week: r.week, row: r.lab }).toEqual({ week: r.week, row: r.summed });
}

const snapshot = async () =>
  (
    await sql<{ row: string }>`
      SELECT t::text AS row FROM (
        SELECT 'c' AS k, to_jsonb(c) AS t FROM public.analytics_weekly_cases c WHERE c.practice_id = ANY (${practices.map((p) => p.practiceId)}::uuid[])
        UNION ALL SELECT 't', to_jsonb(t) FROM public.analytics_weekly_tasks t WHERE t.practice_id = ANY (${practices.map((p) => p.practiceId)}::uuid[])
        UNION ALL SELECT 'r', to_jsonb(r) FROM public.analytics_weekly_reasons r WHERE r.practice_id = ANY (${practices.map((p) => p.practiceId)}::uuid[])) x(k, t)
      ORDER BY 1`.execute(db)
  ).rows.map((r) => r.row);

test('rollup answers equal the fact answers (p50/p90 within 0.5 %) for whole, partial and empty periods', async () => {
  // The history is in the rollups, not in pending marks: the whole weeks really are read from them.
  const stale = await db.selectFrom('analytics_stale_weeks').select('id').where('practice_id', 'in', practices.map((p) => p.practiceId)).execute();
  expect(stale).toEqual([]);
  const weeks = await db.selectFrom('analytics_weekly_cases').select(({ fn }) => fn.countAll<number>().as('n')).where('practice_id', 'in', practices.map((p) => p.practiceId)).executeTakeFirstOrThrow();
  expect(Number(weeks.n)).toBeGreaterThan(20);
  expect(await expectRollupsEqualFacts()).toBe(PERIODS.length * 4 * 2 * QUESTIONS.length);
  await expectLabRowsAreSums();
  // The lab-wide answers really come from the lab-wide rows: change one (rolled back) and they change.
  await db
    .transaction()
    .execute(async (trx) => {
      const f = { practiceId: null, from: PERIODS[0]![1], to: PERIODS[0]![2], labWide: true };
      const before = await rollups.rework(trx, f);
      await sql`UPDATE public.analytics_lab_weekly_cases SET finished = finished + 1000 WHERE week = '2018-01-15'`.execute(trx);
      expect((await rollups.rework(trx, f)).finishedCases).toBe(before.finishedCases + 1000 * (await trx.selectFrom('analytics_lab_weekly_cases').select('week').where(sql<boolean>`week = '2018-01-15'::date`).execute()).length);
      expect((await rollups.rework(trx, { ...f, labWide: false })).finishedCases).toBe(before.finishedCases);
      throw new Error('rollback');
    })
    .catch((e: Error) => {
      if (e.message !== 'rollback') throw e;
    });
  // Until now (the endpoints' default): the current week is read whole, which is the same answer.
  expect(rollups.planPeriod('2018-01-03T13:00:00Z', '2018-01-17T10:00:00Z', true)).toEqual({ roll: { from: '2018-01-08', to: '2018-01-22' }, edges: [{ from: '2018-01-03T13:00:00Z', to: '2018-01-08T00:00:00.000Z' }] });
  for (const p of practices) {
    for (const q of QUESTIONS) {
      const f = { practiceId: p.practiceId, from: '2018-01-03T13:00:00Z', to: new Date().toISOString() };
      expectSame(await rollups[q](db, { ...f, openEnded: true }), await facts[q](db, f), `${q} until now practice=${p.practiceId}`);
    }
  }

}, 120_000);

test('histogram percentiles: within 0.5 % of percentile_cont on 20k continuous values, exact on repeated ones', () => {
  const rnd = prng(7);
  const values = Array.from({ length: 20_000 }, () => Math.exp(rnd() * 14) * 1000); // 1 s … ~14 days, log-uniform
  const buckets = new Map<number, { n: number; s: number }>();
  for (const v of values) {
    const b = Math.ceil(Math.log(v) / Math.log(1.005)); // analytics_bucket() of 0065
    const e = buckets.get(b) ?? { n: 0, s: 0 };
    buckets.set(b, { n: e.n + 1, s: e.s + v });
  }
  const keys = [...buckets.keys()].sort((x, y) => x - y);
  const h = { b: keys, n: keys.map((k) => buckets.get(k)!.n), s: keys.map((k) => buckets.get(k)!.s) };
  const sorted = [...values].sort((x, y) => x - y);
  const exact = (p: number) => {
    const pos = p * (sorted.length - 1);
    const k = Math.floor(pos);
    return sorted[k]! + (pos - k) * ((sorted[k + 1] ?? sorted[k]!) - sorted[k]!);
  };
  let worst = 0;
  for (const p of [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99]) worst = Math.max(worst, Math.abs(rollups.histogramPercentile(h, p)! - exact(p)) / exact(p));
  expect(worst).toBeLessThanOrEqual(rollups.PERCENTILE_RELATIVE_ERROR);
  expect(worst).toBeGreaterThan(0); // really an approximation here
  // Equal values in a bucket: their mean is the value, so percentiles are exact.
  expect(rollups.histogramPercentile({ b: [10, 20], n: [2, 1], s: [48, 48] }, 0.9)).toBeCloseTo(24 + 0.8 * 24, 9);
  expect(rollups.histogramPercentile({ b: [], n: [], s: [] }, 0.5)).toBeNull();
});

test('cases closing through the activity refresh their week only, and answers stay equal before and after', async () => {
  const before = await snapshot();
  const labBefore = await labSnapshot();
  const a = practices[0]!;
  const acts = createCaseActivities({ db });
  const rnd = prng(99);
  // Three cases of practice A finish in the week of 2018-01-15 (already in the rollups).
  for (let i = 0; i < 3; i++) {
    const created = new Date(Date.UTC(2018, 0, 8 + i));
    const caseId = await newCase(a, templates[0]!, created);
    const args: PerformanceArgs = {
      key: `rollups-test/${caseId}`,
      caseId,
      practiceId: a.practiceId,
      templateId: templates[0]!,
      outcome: 'completed',
      tasks: tasksOf(rnd, i === 0),
      completionRate: 100,
      averageTaskMs: null,
      bottleneckTaskIds: [],
      at: new Date(Date.UTC(2018, 0, 16, 9 + i)).toISOString(),
    };
    await new MockActivityEnvironment().run(acts.recordPerformance, args);
  }
  // The activity refreshed A's marked week: no marks left, and only that week's rows changed.
  expect(await db.selectFrom('analytics_stale_weeks').select('week').where('practice_id', '=', a.practiceId).execute()).toEqual([]);
  const after = await snapshot();
  const changed = after.filter((row) => !before.includes(row)).map((row) => JSON.parse(row) as { practice_id: string; week: string });
  expect(changed.length).toBeGreaterThan(0);
  expect([...new Set(changed.map((c) => `${c.practice_id}/${c.week}`))]).toEqual([`${a.practiceId}/2018-01-15`]);
  // …and its lab-wide week with it, nothing else.
  const labChanged = (await labSnapshot()).filter((row) => !labBefore.includes(row)).map((row) => (JSON.parse(row) as { week: string }).week);
  expect(labChanged.length).toBeGreaterThan(0);
  expect([...new Set(labChanged)]).toEqual(['2018-01-15']);
  await expectLabRowsAreSums();
  const week = await db.selectFrom('analytics_weekly_cases').select('finished').where('practice_id', '=', a.practiceId).where(sql<boolean>`week = '2018-01-15'::date`).where('workflow_template_id', '=', templates[0]!).executeTakeFirstOrThrow();
  const exactWeek = await facts.weekly(db, { practiceId: a.practiceId, from: '2018-01-15T00:00:00Z', to: '2018-01-22T00:00:00Z', templateId: templates[0]! });
  expect(week.finished).toBe(exactWeek[0]!.completed + exactWeek[0]!.cancelled);

  // A late rework message (another week) and a hold on a finished case mark their weeks; until a
  // refresh the rollup answers read those weeks from the facts and still equal them.
  const [finishedCase] = (
    await sql<{ case_id: string; week: string }>`
      SELECT case_id, to_char(date_trunc('week', created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS week FROM public.workflow_performance
       WHERE practice_id = ${a.practiceId} AND created_at >= '2018-02-05' AND created_at < '2018-02-12' LIMIT 1`.execute(db)
  ).rows;
  await db.insertInto('state_analytics').values({ case_id: finishedCase!.case_id, practice_id: a.practiceId, from_state: 'on_hold', to_state: 'planning', duration_minutes: 321, created_at: '2018-02-01T00:00:00Z' }).execute();
  await db
    .insertInto('case_messages')
    .values({ case_id: finishedCase!.case_id, practice_id: a.practiceId, sender_id: a.members.doctor, message_type: 'status_update', subject: 'rework', content: 'x', metadata: JSON.stringify({ reworkTaskId: 'records', decision: 'reject', reason: 'Late reason' }), created_at: '2018-02-28T10:00:00Z' })
    .execute();
  const marked = await db.selectFrom('analytics_stale_weeks').select(sql<string>`to_char(week, 'YYYY-MM-DD')`.as('week')).where('practice_id', '=', a.practiceId).orderBy('week').execute();
  expect(marked.map((m) => m.week)).toEqual([finishedCase!.week, '2018-02-26']);
  await expectRollupsEqualFacts();
  expect((await rollups.rework(db, { practiceId: a.practiceId, from: PERIODS[0]![1], to: PERIODS[0]![2] })).reasons).toContainEqual({ decision: 'reject', reason: 'Late reason', count: 1 });

  expect(await rollups.refreshRollups(db, { wait: true })).toEqual({ weeks: expect.any(Number) });
  expect(await db.selectFrom('analytics_stale_weeks').select('id').where('practice_id', '=', a.practiceId).execute()).toEqual([]);
  await expectRollupsEqualFacts();
  await expectLabRowsAreSums();
}, 120_000); // 300 question pairs: 25 s alone on the loaded 2-core machine

test('a re-run refresh is idempotent: recomputing every week gives the same rows, and nothing marked recomputes nothing', async () => {
  await rollups.refreshRollups(db, { wait: true });
  const before = await snapshot();
  const labBefore = await labSnapshot();
  expect(before.length).toBeGreaterThan(0);
  expect(labBefore.length).toBeGreaterThan(0);
  // Every week of these practices marked again (as a retried refresh or a backfill would).
  await sql`
    INSERT INTO public.analytics_stale_weeks (practice_id, week)
    SELECT practice_id, week FROM public.analytics_weekly_cases WHERE practice_id = ANY (${practices.map((p) => p.practiceId)}::uuid[])`.execute(db);
  await sql`
    INSERT INTO public.analytics_stale_weeks (practice_id, week)
    SELECT practice_id, week FROM public.analytics_weekly_cases WHERE practice_id = ANY (${practices.map((p) => p.practiceId)}::uuid[])`.execute(db);
  for (const p of practices) expect((await rollups.refreshRollups(db, { practiceId: p.practiceId, wait: true })).weeks).toBeGreaterThan(0);
  expect(await snapshot()).toEqual(before);
  for (const p of practices) expect(await rollups.refreshRollups(db, { practiceId: p.practiceId, wait: true })).toEqual({ weeks: 0 });
  expect(await snapshot()).toEqual(before);
  expect(await labSnapshot()).toEqual(labBefore);
});

test('RLS on the rollups: a member sees their practice, lab staff every practice, others nothing', async () => {
  const [a, b] = practices as [PracticeFixture, PracticeFixture];
  const labId = await createUser(db, 'rollups-lab', 'technician');
  await db.insertInto('lab_staff').values({ profile_id: labId }).execute();
  const stranger = await createUser(db, 'rollups-nobody');
  const visible = (sub: string) =>
    database.asActor({ sub }, async (trx) =>
      [
        ...new Set(
          (
            await sql<{ practice_id: string }>`
              SELECT practice_id FROM public.analytics_weekly_cases WHERE practice_id = ANY (${practices.map((p) => p.practiceId)}::uuid[])
              UNION SELECT practice_id FROM public.analytics_weekly_tasks WHERE practice_id = ANY (${practices.map((p) => p.practiceId)}::uuid[])
              UNION SELECT practice_id FROM public.analytics_weekly_reasons WHERE practice_id = ANY (${practices.map((p) => p.practiceId)}::uuid[])`.execute(trx)
          ).rows.map((r) => r.practice_id),
        ),
      ].sort(),
    );
  // The lab-wide sums: lab staff only (a sum over practices is other practices' data).
  const labRows = (sub: string) =>
    database.asActor({ sub }, async (trx) =>
      Number(
        (
          await sql<{ n: string }>`
            SELECT (SELECT count(*) FROM public.analytics_lab_weekly_cases WHERE week < '2018-07-01')
                 + (SELECT count(*) FROM public.analytics_lab_weekly_tasks WHERE week < '2018-07-01')
                 + (SELECT count(*) FROM public.analytics_lab_weekly_reasons WHERE week < '2018-07-01') AS n`.execute(trx)
        ).rows[0]!.n,
      ),
    );
  expect(await labRows(labId)).toBeGreaterThan(0);
  expect(await labRows(a.members.owner)).toBe(0);
  expect(await labRows(stranger)).toBe(0);
  await expect(database.asActor({ sub: labId }, (trx) => sql`DELETE FROM public.analytics_lab_weekly_cases`.execute(trx))).rejects.toThrow(/permission denied/);
  expect(await visible(a.members.owner)).toEqual([a.practiceId]);
  expect(await visible(b.members.technician)).toEqual([b.practiceId]);
  expect(await visible(labId)).toEqual(practices.map((p) => p.practiceId).sort());
  expect(await visible(stranger)).toEqual([]);
  // Writing them is the backend's: a member cannot.
  await expect(database.asActor({ sub: a.members.owner }, (trx) => sql`DELETE FROM public.analytics_weekly_cases`.execute(trx))).rejects.toThrow(/permission denied/);
  await expect(database.asActor({ sub: a.members.owner }, (trx) => sql`SELECT public.analytics_refresh_rollups()`.execute(trx))).rejects.toThrow(/permission denied/);
});

test('refreshes of two practices touching one week side by side: the lab-wide week sums both', async () => {
  const [a, b] = practices as [PracticeFixture, PracticeFixture];
  // A week no case had finished in yet (no lab-wide row to lock): without the week lock the second
  // refresh would insert the same lab-wide key again (or sum the first practice's old, empty rows).
  const week = '2018-05-07';
  // A new finished case in that week for each practice: both marked, both refreshes change rows.
  for (const f of [a, b]) {
    const caseId = await newCase(f, templates[0]!, new Date(Date.UTC(2018, 4, 1)));
    await db
      .insertInto('workflow_performance')
      .values({ workflow_template_id: templates[0]!, case_id: caseId, practice_id: f.practiceId, task_performance: JSON.stringify({ outcome: 'completed', tasks: tasksOf(prng(5), false) }), completion_rate: '100', created_at: '2018-05-09T12:00:00Z' })
      .execute();
  }
  const labFinished = async () =>
    (await db.selectFrom('analytics_lab_weekly_cases').select('finished').where(sql<boolean>`week = ${week}::date`).where('workflow_template_id', '=', templates[0]!).executeTakeFirst())?.finished ?? 0;
  expect(await labFinished()).toBe(0);
  // A's refresh holds its transaction open after recomputing; B's refresh of the same week must
  // wait for it and then sum A's new rows (without the week lock it would sum A's old ones).
  let releaseA!: () => void;
  const held = new Promise<void>((r) => (releaseA = r));
  let aDone!: () => void;
  const aRefreshed = new Promise<void>((r) => (aDone = r));
  const txA = db.transaction().execute(async (trx) => {
    expect((await rollups.refreshRollups(trx, { practiceId: a.practiceId, wait: true })).weeks).toBe(1);
    aDone();
    await held;
  });
  await aRefreshed;
  let waitingPid: number | null = null;
  const txB = db.transaction().execute(async (trx) => {
    const pid = (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx)).rows[0]!.pid;
    waitingPid = pid;
    return rollups.refreshRollups(trx, { practiceId: b.practiceId, wait: true });
  });
  // B is blocked on the lab-wide week's lock (an advisory lock), not done.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const w = waitingPid === null ? [] : (await sql<{ w: string }>`SELECT wait_event AS w FROM pg_stat_activity WHERE pid = ${waitingPid} AND wait_event = 'advisory'`.execute(db)).rows;
    if (w.length) break;
    if (Date.now() > deadline) throw new Error('the second refresh never waited for the week lock');
    await new Promise((r) => setTimeout(r, 50));
  }
  releaseA();
  await txA;
  expect((await txB).weeks).toBe(1);
  expect(await labFinished()).toBe(2);
  await expectLabRowsAreSums();
  await expectRollupsEqualFacts();
}, 120_000);
