/**
 * The exact fact-table path of the analytics questions, the reference the weekly rollups
 * (analytics.repository.ts, 0065) are tested and benchmarked against: every request aggregates
 * the facts of the whole period (percentile_cont over every run). Analytics over what the case workflow records: workflow_performance (one row per finished case,
 * its tasks' planned and actual times, reworks, who they waited for and how long they sat in the
 * queue), state_analytics (time in each state, holds) and the rework messages. Plain functions
 * taking the handle first; the API runs them under RLS as the caller, so a practice member sees
 * their practices and lab staff see every client practice.
 *
 * A "finished" case is one with a workflow_performance row; periods are by finishing time.
 * Task-level questions read task_runs (0043), the facts of those rows as plain indexed columns.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../db/database';

type Handle = Db | Tx;

export interface AnalyticsFilter {
  practiceId: string | null;
  from: string;
  to: string;
  templateId?: string | null;
  /**
   * `to` is "now" (the caller gave none): nothing has finished after it yet, so the rollups may
   * read the current week whole instead of its facts (the fact path ignores it).
   */
  openEnded?: boolean;
}

const HOUR = 3_600_000;
const hours = (ms: number | string | null): number | null => (ms === null ? null : Math.round((Number(ms) / HOUR) * 100) / 100);
const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

/** Finished cases in the period: the common CTE of every question. */
const finished = (f: AnalyticsFilter) => sql`
  SELECT wp.case_id, wp.practice_id, wp.workflow_template_id, wp.task_performance, wp.completion_rate, wp.created_at AS finished_at
    FROM public.workflow_performance wp
   WHERE wp.created_at >= ${f.from}::timestamptz AND wp.created_at < ${f.to}::timestamptz
     AND (${f.practiceId}::uuid IS NULL OR wp.practice_id = ${f.practiceId}::uuid)
     AND (${f.templateId ?? null}::uuid IS NULL OR wp.workflow_template_id = ${f.templateId ?? null}::uuid)`;

/** Task facts of finished cases in the period (task_runs, 0043: one row per task, plain columns). */
const runs = (f: AnalyticsFilter) => sql`
  SELECT r.* FROM public.task_runs r
   WHERE r.finished_at >= ${f.from}::timestamptz AND r.finished_at < ${f.to}::timestamptz
     AND (${f.practiceId}::uuid IS NULL OR r.practice_id = ${f.practiceId}::uuid)
     AND (${f.templateId ?? null}::uuid IS NULL OR r.workflow_template_id = ${f.templateId ?? null}::uuid)`;

export interface TemplateTurnaround {
  templateId: string;
  templateName: string | null;
  cases: number;
  p50Hours: number | null;
  p90Hours: number | null;
  tasks: Array<{ taskId: string; name: string; runs: number; p50Hours: number | null; p90Hours: number | null; estimateHours: number | null; onTimeRate: number | null }>;
}

/** Turnaround per template (case created → finished) and per task (activation → done), p50/p90 vs the estimate. */
export async function turnaround(db: Handle, f: AnalyticsFilter): Promise<TemplateTurnaround[]> {
  const templates = await sql<{ template_id: string; name: string | null; cases: number; p50: number | null; p90: number | null }>`
    WITH f AS (${finished(f)})
    SELECT f.workflow_template_id AS template_id, t.name, count(*)::int AS cases,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM f.finished_at - c.created_at) * 1000) AS p50,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM f.finished_at - c.created_at) * 1000) AS p90
      FROM f JOIN public.cases c ON c.id = f.case_id
      LEFT JOIN public.workflow_templates t ON t.id = f.workflow_template_id
     WHERE f.task_performance->>'outcome' = 'completed'
     GROUP BY f.workflow_template_id, t.name
     ORDER BY count(*) DESC, f.workflow_template_id`.execute(db);
  const tasks = await sql<{ template_id: string; task_id: string; name: string; runs: number; p50: number | null; p90: number | null; estimate: number | null; on_time: number | null }>`
    WITH t AS (${runs(f)})
    SELECT t.workflow_template_id AS template_id, t.task_id, min(t.name) AS name, count(*)::int AS runs,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY t.actual_ms) AS p50,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY t.actual_ms) AS p90,
           avg(t.planned_ms) AS estimate,
           avg(CASE WHEN t.on_time THEN 1.0 WHEN NOT t.on_time THEN 0.0 END) AS on_time
      FROM t WHERE t.actual_ms IS NOT NULL
     GROUP BY t.workflow_template_id, t.task_id
     ORDER BY t.workflow_template_id, p50 DESC`.execute(db);
  return templates.rows.map((r) => ({
    templateId: r.template_id,
    templateName: r.name,
    cases: r.cases,
    p50Hours: hours(r.p50),
    p90Hours: hours(r.p90),
    tasks: tasks.rows
      .filter((t) => t.template_id === r.template_id)
      .map((t) => ({ taskId: t.task_id, name: t.name, runs: t.runs, p50Hours: hours(t.p50), p90Hours: hours(t.p90), estimateHours: hours(t.estimate), onTimeRate: num(t.on_time) })),
  }));
}

export interface WeekRow {
  week: string;
  completed: number;
  cancelled: number;
  onTime: number;
  onTimeRate: number | null;
}

/** Throughput and on-time rate per ISO week (Monday). On time: no task of the case went overdue. */
export async function weekly(db: Handle, f: AnalyticsFilter): Promise<WeekRow[]> {
  const { rows } = await sql<{ week: string; completed: number; cancelled: number; on_time: number }>`
    WITH f AS (${finished(f)})
    SELECT to_char(date_trunc('week', f.finished_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS week,
           count(*) FILTER (WHERE f.task_performance->>'outcome' = 'completed')::int AS completed,
           count(*) FILTER (WHERE f.task_performance->>'outcome' = 'cancelled')::int AS cancelled,
           count(*) FILTER (WHERE f.task_performance->>'outcome' = 'completed' AND coalesce(f.completion_rate, 100) = 100)::int AS on_time
      FROM f GROUP BY 1 ORDER BY 1`.execute(db);
  return rows.map((r) => ({ week: r.week, completed: r.completed, cancelled: r.cancelled, onTime: r.on_time, onTimeRate: r.completed ? Math.round((r.on_time / r.completed) * 10_000) / 10_000 : null }));
}

export interface ReworkSummary {
  finishedCases: number;
  reworkedCases: number;
  reworkRate: number | null;
  byTask: Array<{ taskId: string; name: string; reworks: number }>;
  reasons: Array<{ decision: string; reason: string; count: number }>;
}

/** Share of finished cases with at least one rework, which tasks were redone, and why (the decisions' reasons). */
export async function rework(db: Handle, f: AnalyticsFilter): Promise<ReworkSummary> {
  const totals = await sql<{ finished: number; reworked: number }>`
    SELECT (SELECT count(*) FROM (${finished(f)}) f)::int AS finished,
           (SELECT count(DISTINCT t.case_id) FROM (${runs(f)}) t WHERE t.reworks > 0)::int AS reworked`.execute(db);
  const byTask = await sql<{ task_id: string; name: string; reworks: number }>`
    WITH t AS (${runs(f)})
    SELECT t.task_id, min(t.name) AS name, sum(t.reworks)::int AS reworks FROM t WHERE t.reworks > 0
     GROUP BY t.task_id ORDER BY 3 DESC, 2, 1 LIMIT 20`.execute(db);
  // Reasons of the rework decisions made in the period (the workflow's rework messages).
  const reasons = await sql<{ decision: string; reason: string; n: number }>`
    SELECT m.metadata->>'decision' AS decision,
           coalesce(m.metadata->>'reason', substring(m.content FROM ': (.*)\\. Back to "')) AS reason, count(*)::int AS n
      FROM public.case_messages m
     WHERE m.metadata ? 'reworkTaskId'
       AND m.created_at >= ${f.from}::timestamptz AND m.created_at < ${f.to}::timestamptz
       AND (${f.practiceId}::uuid IS NULL OR m.practice_id = ${f.practiceId}::uuid)
     GROUP BY 1, 2 ORDER BY 3 DESC, 2, 1 LIMIT 20`.execute(db);
  const t = totals.rows[0]!;
  return {
    finishedCases: t.finished,
    reworkedCases: t.reworked,
    reworkRate: t.finished ? Math.round((t.reworked / t.finished) * 10_000) / 10_000 : null,
    byTask: byTask.rows.map((r) => ({ taskId: r.task_id, name: r.name, reworks: r.reworks })),
    reasons: reasons.rows.map((r) => ({ decision: r.decision, reason: r.reason, count: r.n })),
  };
}

export interface Bottleneck {
  taskId: string;
  name: string;
  runs: number;
  late: number;
  lateRate: number | null;
  excessHours: number;
}

/** Tasks that hold cases up most: total time beyond their estimate, then how often they were late. */
export async function bottlenecks(db: Handle, f: AnalyticsFilter): Promise<Bottleneck[]> {
  const { rows } = await sql<{ task_id: string; name: string; runs: number; late: number; judged: number; excess: number }>`
    WITH t AS (${runs(f)})
    SELECT t.task_id, min(t.name) AS name, count(*)::int AS runs,
           count(*) FILTER (WHERE t.on_time = false)::int AS late, count(t.on_time)::int AS judged,
           coalesce(sum(greatest(t.actual_ms - t.planned_ms, 0)), 0) AS excess
      FROM t WHERE t.actual_ms IS NOT NULL
     GROUP BY t.task_id
    HAVING count(*) FILTER (WHERE t.on_time = false) > 0 OR coalesce(sum(greatest(t.actual_ms - t.planned_ms, 0)), 0) > 0
     ORDER BY excess DESC, late DESC, name LIMIT 20`.execute(db);
  return rows.map((r) => ({ taskId: r.task_id, name: r.name, runs: r.runs, late: r.late, lateRate: r.judged ? Math.round((r.late / r.judged) * 10_000) / 10_000 : null, excessHours: hours(r.excess)! }));
}

export interface TimeSplit {
  cases: number;
  hours: { practice: number; onHold: number; labQueue: number; labActive: number; automatic: number };
}

/**
 * Where the time of finished cases went, by who held the case: the practice (tasks awaiting only
 * practice roles, e.g. the doctor's approval; time on hold), the lab queue (a lab task before
 * someone claimed it), active lab work (after the claim; a lab task nobody claimed counts as
 * active: it was done straight from the queue), and automatic steps.
 */
export async function timeSplit(db: Handle, f: AnalyticsFilter): Promise<TimeSplit> {
  const { rows } = await sql<{ cases: number; practice: number; lab_queue: number; lab_active: number; automatic: number }>`
    WITH t AS (${runs(f)})
    SELECT (SELECT count(*) FROM (${finished(f)}) f)::int AS cases,
           coalesce(sum(t.actual_ms) FILTER (WHERE t.kind <> 'automatic' AND NOT t.lab), 0) AS practice,
           coalesce(sum(coalesce(t.queue_ms, 0)) FILTER (WHERE t.kind <> 'automatic' AND t.lab), 0) AS lab_queue,
           coalesce(sum(t.actual_ms - coalesce(t.queue_ms, 0)) FILTER (WHERE t.kind <> 'automatic' AND t.lab), 0) AS lab_active,
           coalesce(sum(t.actual_ms) FILTER (WHERE t.kind = 'automatic'), 0) AS automatic
      FROM t WHERE t.actual_ms IS NOT NULL`.execute(db);
  const hold = await sql<{ minutes: number | null }>`
    SELECT sum(s.duration_minutes)::float8 AS minutes
      FROM public.state_analytics s JOIN (${finished(f)}) f ON f.case_id = s.case_id
     WHERE s.from_state = 'on_hold' AND (${f.practiceId}::uuid IS NULL OR s.practice_id = ${f.practiceId}::uuid)`.execute(db);
  const r = rows[0]!;
  return {
    cases: r.cases,
    hours: {
      practice: hours(r.practice)!,
      onHold: Math.round(((hold.rows[0]?.minutes ?? 0) / 60) * 100) / 100,
      labQueue: hours(r.lab_queue)!,
      labActive: hours(r.lab_active)!,
      automatic: hours(r.automatic)!,
    },
  };
}
