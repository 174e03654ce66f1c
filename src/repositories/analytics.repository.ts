/**
 * Analytics over what the case workflow records, read from the weekly rollups of 0065 for the
 * whole ISO weeks (Monday, UTC) of a period and from the facts for the partial weeks at its edges
 * and for weeks whose refresh is pending (analytics_stale_weeks), so answers are current. Plain
 * functions taking the handle first; the API runs them under RLS as the caller (the rollups have
 * the facts' policies): a practice member sees their practices, lab staff every client practice.
 *
 * Counts, sums and rates equal the fact-table answers (analytics-facts.repository.ts). p50/p90
 * are read from log-scale histograms: each value counts as the mean of its bucket (ratio 1.005),
 * so a percentile is within 0.5 % of the exact one, and exact when a bucket's values are equal.
 *
 * A "finished" case is one with a workflow_performance row; periods are by finishing time.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db, Tx } from '../db/database';
import type { AnalyticsFilter, Bottleneck, ReworkSummary, TemplateTurnaround, TimeSplit, WeekRow } from './analytics-facts.repository';

export type { AnalyticsFilter, Bottleneck, ReworkSummary, TemplateTurnaround, TimeSplit, WeekRow } from './analytics-facts.repository';

type Handle = Db | Tx;

const HOUR = 3_600_000;
const DAY = 86_400_000;
const hours = (ms: number | string | null): number | null => (ms === null ? null : Math.round((Number(ms) / HOUR) * 100) / 100);
const rate = (a: number, b: number): number | null => (b ? Math.round((a / b) * 10_000) / 10_000 : null);

/** Relative error bound of the percentiles (the histograms' bucket ratio 1.005, minus one). */
export const PERCENTILE_RELATIVE_ERROR = 0.005;

/** A merged histogram: buckets ascending, their counts and the sums of their values. */
export interface Histogram {
  b: number[];
  n: number[];
  s: number[];
}

/**
 * percentile_cont(p) of the values a histogram stands for, each value taken as the mean of its
 * bucket: the same interpolation between the two neighbouring order statistics.
 */
export function histogramPercentile(h: Histogram, p: number): number | null {
  const total = h.n.reduce((a, x) => a + x, 0);
  if (!total) return null;
  const pos = p * (total - 1);
  const k = Math.floor(pos);
  const frac = pos - k;
  const at = (i: number): number => {
    let seen = 0;
    for (let j = 0; j < h.n.length; j++) {
      seen += h.n[j]!;
      if (i < seen) return h.s[j]! / h.n[j]!;
    }
    return h.s[h.s.length - 1]! / h.n[h.n.length - 1]!;
  };
  const lo = at(k);
  return frac === 0 ? lo : lo + frac * (at(k + 1) - lo);
}

interface Plan {
  /** Whole weeks [from, to) as dates (Mondays), read from the rollups; null: none. */
  roll: { from: string; to: string } | null;
  /** Partial weeks read from the facts. */
  edges: Array<{ from: string; to: string }>;
}

const mondayOnOrAfter = (t: number): number => {
  const d = new Date(t);
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const monday = midnight - ((d.getUTCDay() + 6) % 7) * DAY;
  return monday === t ? t : monday + 7 * DAY;
};
const mondayOnOrBefore = (t: number): number => {
  const d = new Date(t);
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  return midnight - ((d.getUTCDay() + 6) % 7) * DAY;
};
const ymd = (t: number) => new Date(t).toISOString().slice(0, 10);

/**
 * Splits a period into the whole weeks the rollups answer and the edges the facts answer. An
 * open-ended period (until now) ends at the next Monday instead: nothing has finished after now,
 * so the current week read whole is the same answer without reading its facts.
 */
export function planPeriod(from: string, to: string, openEnded = false): Plan {
  const a = new Date(from).getTime();
  const z = openEnded ? mondayOnOrAfter(new Date(to).getTime()) : new Date(to).getTime();
  if (openEnded) to = new Date(z).toISOString();
  if (!(a < z)) return { roll: null, edges: [] };
  const ws = mondayOnOrAfter(a);
  const we = mondayOnOrBefore(z);
  if (!(ws < we)) return { roll: null, edges: [{ from, to }] };
  const edges: Plan['edges'] = [];
  if (a < ws) edges.push({ from, to: new Date(ws).toISOString() });
  if (we < z) edges.push({ from: new Date(we).toISOString(), to });
  return { roll: { from: ymd(ws), to: ymd(we) }, edges };
}

type RollupTable = 'analytics_weekly_cases' | 'analytics_weekly_tasks' | 'analytics_weekly_reasons';
const FACTS: Record<RollupTable, string> = {
  analytics_weekly_cases: 'analytics_case_rows',
  analytics_weekly_tasks: 'analytics_task_rows',
  analytics_weekly_reasons: 'analytics_reason_rows',
};

/**
 * The rollup rows of a period: stored rows of its whole weeks that are not stale, and rows computed
 * from the facts (the same SQL function the refresh stores) for the edges and the stale weeks.
 */
function rows(table: RollupTable, f: AnalyticsFilter): RawBuilder<unknown> {
  // Rework reasons count by their message's time, which is not bound by a case's finishing: for
  // them the period ends at `to` as given (their current week comes from the messages).
  const plan = planPeriod(f.from, f.to, table === 'analytics_weekly_reasons' ? false : f.openEnded);
  const tpl = table === 'analytics_weekly_reasons' ? null : (f.templateId ?? null);
  const fn = sql.raw(`public.${FACTS[table]}`);
  const args = (from: RawBuilder<unknown>, to: RawBuilder<unknown>, practice: RawBuilder<unknown>) =>
    table === 'analytics_weekly_reasons' ? sql`${fn}(${from}, ${to}, ${practice})` : sql`${fn}(${from}, ${to}, ${practice}, ${tpl}::uuid)`;
  const parts: RawBuilder<unknown>[] = plan.edges.map((e) => sql`SELECT * FROM ${args(sql`${e.from}::timestamptz`, sql`${e.to}::timestamptz`, sql`${f.practiceId}::uuid`)}`);
  if (plan.roll) {
    const { from, to } = plan.roll;
    parts.push(sql`
      SELECT r.* FROM ${sql.table(`public.${table}`)} r
       WHERE r.week >= ${from}::date AND r.week < ${to}::date
         AND (${f.practiceId}::uuid IS NULL OR r.practice_id = ${f.practiceId}::uuid)
         ${tpl ? sql`AND r.workflow_template_id = ${tpl}::uuid` : sql``}
         AND NOT EXISTS (SELECT 1 FROM public.analytics_stale_weeks s WHERE s.practice_id = r.practice_id AND s.week = r.week)`);
    parts.push(sql`
      SELECT x.* FROM (SELECT DISTINCT s.practice_id, s.week FROM public.analytics_stale_weeks s
                        WHERE s.week >= ${from}::date AND s.week < ${to}::date
                          AND (${f.practiceId}::uuid IS NULL OR s.practice_id = ${f.practiceId}::uuid)) s
       CROSS JOIN LATERAL ${args(sql`s.week::timestamp AT TIME ZONE 'UTC'`, sql`(s.week + 7)::timestamp AT TIME ZONE 'UTC'`, sql`s.practice_id`)} x`);
  }
  if (!parts.length) return sql`SELECT * FROM ${sql.table(`public.${table}`)} WHERE false`;
  return sql.join(parts, sql` UNION ALL `);
}

interface HistRow {
  hb: number[] | null;
  hn: number[] | null;
  hs: number[] | null;
}
const hist = (r: HistRow): Histogram => ({ b: r.hb ?? [], n: r.hn ?? [], s: r.hs ?? [] });

/** Turnaround per template (case created → finished) and per task (activation → done), p50/p90 vs the estimate. */
export async function turnaround(db: Handle, f: AnalyticsFilter): Promise<TemplateTurnaround[]> {
  const templates = await sql<{ template_id: string; name: string | null } & HistRow>`
    WITH c AS (${rows('analytics_weekly_cases', f)}),
    h AS (SELECT c.workflow_template_id, x.b, sum(x.n)::int AS n, sum(x.s) AS s
            FROM c CROSS JOIN LATERAL unnest(c.ta_b, c.ta_n, c.ta_s) AS x(b, n, s) GROUP BY 1, 2)
    SELECT h.workflow_template_id AS template_id, t.name, array_agg(h.b ORDER BY h.b) AS hb, array_agg(h.n ORDER BY h.b) AS hn, array_agg(h.s ORDER BY h.b) AS hs
      FROM h LEFT JOIN public.workflow_templates t ON t.id = h.workflow_template_id
     GROUP BY h.workflow_template_id, t.name`.execute(db);
  const tasks = await sql<{ template_id: string; task_id: string; name: string; runs: number; planned_n: number; planned_ms: number; on_time: number; judged: number } & HistRow>`
    WITH t AS MATERIALIZED (${rows('analytics_weekly_tasks', f)}),
    a AS (SELECT t.workflow_template_id, t.task_id, min(t.name) AS name, sum(t.runs)::int AS runs, sum(t.planned_n)::int AS planned_n,
                 sum(t.planned_ms)::float8 AS planned_ms, sum(t.on_time)::int AS on_time, sum(t.judged)::int AS judged
            FROM t WHERE t.runs > 0 GROUP BY 1, 2),
    h AS (SELECT t.workflow_template_id, t.task_id, x.b, sum(x.n)::int AS n, sum(x.s) AS s
            FROM t CROSS JOIN LATERAL unnest(t.h_b, t.h_n, t.h_s) AS x(b, n, s) GROUP BY 1, 2, 3),
    hh AS (SELECT workflow_template_id, task_id, array_agg(b ORDER BY b) AS hb, array_agg(n ORDER BY b) AS hn, array_agg(s ORDER BY b) AS hs FROM h GROUP BY 1, 2)
    SELECT a.workflow_template_id AS template_id, a.task_id, a.name, a.runs, a.planned_n, a.planned_ms, a.on_time, a.judged, hh.hb, hh.hn, hh.hs
      FROM a LEFT JOIN hh ON hh.workflow_template_id = a.workflow_template_id AND hh.task_id = a.task_id`.execute(db);
  const byTemplate = templates.rows
    .map((r) => ({ r, h: hist(r), cases: (r.hn ?? []).reduce((x, y) => x + y, 0) }))
    .filter((t) => t.cases > 0)
    .sort((x, y) => y.cases - x.cases || (x.r.template_id < y.r.template_id ? -1 : 1));
  return byTemplate.map(({ r, h, cases }) => ({
    templateId: r.template_id,
    templateName: r.name,
    cases,
    p50Hours: hours(histogramPercentile(h, 0.5)),
    p90Hours: hours(histogramPercentile(h, 0.9)),
    tasks: tasks.rows
      .filter((t) => t.template_id === r.template_id)
      .map((t) => ({ t, p50: histogramPercentile(hist(t), 0.5) }))
      .sort((x, y) => (y.p50 ?? 0) - (x.p50 ?? 0) || (x.t.task_id < y.t.task_id ? -1 : 1))
      .map(({ t, p50 }) => ({
        taskId: t.task_id,
        name: t.name,
        runs: t.runs,
        p50Hours: hours(p50),
        p90Hours: hours(histogramPercentile(hist(t), 0.9)),
        estimateHours: t.planned_n ? hours(t.planned_ms / t.planned_n) : null,
        onTimeRate: t.judged ? t.on_time / t.judged : null,
      })),
  }));
}

/** Throughput and on-time rate per ISO week (Monday). On time: no task of the case went overdue. */
export async function weekly(db: Handle, f: AnalyticsFilter): Promise<WeekRow[]> {
  const { rows: weeks } = await sql<{ week: string; completed: number; cancelled: number; on_time: number }>`
    WITH c AS (${rows('analytics_weekly_cases', f)})
    SELECT to_char(c.week, 'YYYY-MM-DD') AS week, sum(c.completed)::int AS completed, sum(c.cancelled)::int AS cancelled, sum(c.on_time)::int AS on_time
      FROM c GROUP BY 1 ORDER BY 1`.execute(db);
  return weeks.map((r) => ({ week: r.week, completed: r.completed, cancelled: r.cancelled, onTime: r.on_time, onTimeRate: rate(r.on_time, r.completed) }));
}

/** Share of finished cases with at least one rework, which tasks were redone, and why (the decisions' reasons). */
export async function rework(db: Handle, f: AnalyticsFilter): Promise<ReworkSummary> {
  const totals = await sql<{ finished: number; reworked: number }>`
    WITH c AS (${rows('analytics_weekly_cases', f)})
    SELECT coalesce(sum(c.finished), 0)::int AS finished, coalesce(sum(c.reworked), 0)::int AS reworked FROM c`.execute(db);
  const byTask = await sql<{ task_id: string; name: string; reworks: number }>`
    WITH t AS (${rows('analytics_weekly_tasks', f)})
    SELECT t.task_id, min(t.name) AS name, sum(t.reworks)::int AS reworks FROM t WHERE t.reworks > 0
     GROUP BY t.task_id ORDER BY 3 DESC, 2, 1 LIMIT 20`.execute(db);
  const reasons = await sql<{ decision: string; reason: string; n: number }>`
    WITH m AS (${rows('analytics_weekly_reasons', f)})
    SELECT m.decision, m.reason, sum(m.count)::int AS n FROM m GROUP BY 1, 2 ORDER BY 3 DESC, 2, 1 LIMIT 20`.execute(db);
  const t = totals.rows[0]!;
  return {
    finishedCases: t.finished,
    reworkedCases: t.reworked,
    reworkRate: rate(t.reworked, t.finished),
    byTask: byTask.rows.map((r) => ({ taskId: r.task_id, name: r.name, reworks: r.reworks })),
    reasons: reasons.rows.map((r) => ({ decision: r.decision, reason: r.reason, count: r.n })),
  };
}

/** Tasks that hold cases up most: total time beyond their estimate, then how often they were late. */
export async function bottlenecks(db: Handle, f: AnalyticsFilter): Promise<Bottleneck[]> {
  const { rows: tasks } = await sql<{ task_id: string; name: string; runs: number; late: number; judged: number; excess: number }>`
    WITH t AS (${rows('analytics_weekly_tasks', f)})
    SELECT t.task_id, min(t.name) AS name, sum(t.runs)::int AS runs, sum(t.judged - t.on_time)::int AS late, sum(t.judged)::int AS judged,
           sum(t.excess_ms)::float8 AS excess
      FROM t WHERE t.runs > 0
     GROUP BY t.task_id
    HAVING sum(t.judged - t.on_time) > 0 OR sum(t.excess_ms) > 0
     ORDER BY excess DESC, late DESC, name LIMIT 20`.execute(db);
  return tasks.map((r) => ({ taskId: r.task_id, name: r.name, runs: r.runs, late: r.late, lateRate: rate(r.late, r.judged), excessHours: hours(r.excess)! }));
}

/**
 * Where the time of finished cases went, by who held the case: the practice (tasks awaiting only
 * practice roles, e.g. the doctor's approval; time on hold), the lab queue (a lab task before
 * someone claimed it), active lab work (after the claim; a lab task nobody claimed counts as
 * active: it was done straight from the queue), and automatic steps.
 */
export async function timeSplit(db: Handle, f: AnalyticsFilter): Promise<TimeSplit> {
  const { rows: split } = await sql<{ cases: number; hold: number; practice: number; lab_queue: number; lab_active: number; automatic: number }>`
    WITH c AS (${rows('analytics_weekly_cases', f)}), t AS (${rows('analytics_weekly_tasks', f)})
    SELECT (SELECT coalesce(sum(c.finished), 0) FROM c)::int AS cases, (SELECT coalesce(sum(c.hold_minutes), 0) FROM c)::float8 AS hold,
           coalesce(sum(t.practice_ms), 0)::float8 AS practice, coalesce(sum(t.lab_queue_ms), 0)::float8 AS lab_queue,
           coalesce(sum(t.lab_active_ms), 0)::float8 AS lab_active, coalesce(sum(t.automatic_ms), 0)::float8 AS automatic
      FROM t`.execute(db);
  const r = split[0]!;
  return {
    cases: r.cases,
    hours: {
      practice: hours(r.practice)!,
      onHold: Math.round((r.hold / 60) * 100) / 100,
      labQueue: hours(r.lab_queue)!,
      labActive: hours(r.lab_active)!,
      automatic: hours(r.automatic)!,
    },
  };
}

export interface RefreshResult {
  /** (practice, week) pairs recomputed; -1: another refresh was running (its marks stay for the next). */
  weeks: number;
}

/**
 * Recomputes the rollups of the weeks marked stale since the last refresh (of one practice, or
 * all), at most `limit` marks per call. Idempotent: the same weeks recompute to the same rows.
 * `wait`: queue behind a running refresh instead of returning -1, for at most `lockTimeoutMs`
 * (then the statement fails and the marks stay for the next refresh).
 */
export async function refreshRollups(
  db: Handle,
  opts: { practiceId?: string | null; limit?: number | null; wait?: boolean; lockTimeoutMs?: number } = {},
): Promise<RefreshResult> {
  const run = async (h: Handle) => {
    if (opts.lockTimeoutMs !== undefined) await sql`SELECT set_config('lock_timeout', ${`${opts.lockTimeoutMs}ms`}, true)`.execute(h);
    const { rows: r } = await sql<{ n: number }>`
      SELECT public.analytics_refresh_rollups(${opts.practiceId ?? null}::uuid, ${opts.limit ?? null}::int, ${opts.wait ?? false}) AS n`.execute(h);
    return { weeks: r[0]!.n };
  };
  // set_config(…, true) lasts until the end of the transaction: give it one of its own.
  return opts.lockTimeoutMs !== undefined && !db.isTransaction ? db.transaction().execute(run) : run(db);
}
