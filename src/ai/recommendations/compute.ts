/**
 * Recommendations from a template's history: numbers first, words derived from them. Pure: the
 * caller loads the closed cases (workflow_performance rows) and the template's tasks.
 *
 * - Durations: per task, p50 and p90 of the actual duration (activation to completion) over the
 *   recent closed cases, against the estimate; a task whose p50 or p90 exceeds its estimate by
 *   more than 10 % gets a re-estimate suggestion (the p90, rounded up to 15 minutes, so nine
 *   cases in ten finish within it).
 * - Queues: per role, p50 and p90 of how long tasks awaiting that role waited, longest first.
 * - Rework: tasks sent back for rework, by share of cases.
 * - Similar cases: for a running case, the outcomes of the most recent closed cases with the same
 *   template and case type (the method is named in the result).
 */

export interface TaskPerf {
  taskId: string;
  name: string;
  plannedMs: number | null;
  actualMs: number | null;
  reworks: number;
}

export interface ClosedCase {
  caseId: string;
  caseType: string;
  outcome: 'completed' | 'cancelled';
  startedAt: string;
  closedAt: string;
  tasks: TaskPerf[];
}

export interface TemplateTask {
  taskId: string;
  name: string;
  roles: string[];
  estimateMs: number | null;
}

export interface DurationFinding {
  taskId: string;
  name: string;
  samples: number;
  estimateMinutes: number;
  p50Minutes: number;
  p90Minutes: number;
  /** Share of cases whose actual duration exceeded the estimate. */
  overrunShare: number;
  suggestedEstimateMinutes: number;
}

export interface QueueFinding {
  role: string;
  samples: number;
  p50Minutes: number;
  p90Minutes: number;
}

export interface ReworkFinding {
  taskId: string;
  name: string;
  reworks: number;
  casesWithRework: number;
  share: number;
}

export interface TemplateInsights {
  templateId: string;
  computedAt: string;
  casesConsidered: number;
  outcomes: { completed: number; cancelled: number; medianCycleMinutes: number | null };
  durations: DurationFinding[];
  queues: QueueFinding[];
  rework: ReworkFinding[];
  /** Sentences made from the numbers above (a chat model may rephrase them, never the numbers). */
  summary: string[];
}

export interface SimilarCaseOutcomes {
  /**
   * `embedding`: the closed cases nearest to the running one by the search's vectors (cosine of
   * the cases' title and description in the active model); `template+case_type`: the most recent
   * closed cases of the same case type, when the running case has no vector (not embedded yet,
   * or AI consent withdrawn) or no closed case has one.
   */
  method: 'embedding' | 'template+case_type';
  caseType: string;
  considered: number;
  completed: number;
  cancelled: number;
  medianCycleMinutes: number | null;
  medianReworks: number | null;
  cases: Array<{ caseId: string; outcome: string; cycleMinutes: number; reworks: number; similarity?: number }>;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('percentile of nothing');
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

const minutes = (ms: number) => Math.round((ms / 60_000) * 10) / 10;
const sortAsc = (xs: number[]) => [...xs].sort((a, b) => a - b);
const cycleMs = (c: ClosedCase) => Date.parse(c.closedAt) - Date.parse(c.startedAt);
const OVERRUN_MARGIN = 1.1;
const MIN_SAMPLES = 3;

export function computeTemplateInsights(templateId: string, tasks: readonly TemplateTask[], history: readonly ClosedCase[], now: Date): TemplateInsights {
  const byTask = new Map(tasks.map((t) => [t.taskId, t]));
  const durations: DurationFinding[] = [];
  const queueSamples = new Map<string, number[]>();
  const rework: ReworkFinding[] = [];

  for (const t of tasks) {
    const perf = history.flatMap((c) => c.tasks.filter((x) => x.taskId === t.taskId));
    const actual = sortAsc(perf.map((x) => x.actualMs).filter((x): x is number => x !== null));
    if (t.roles.length && actual.length) for (const r of t.roles) queueSamples.set(r, [...(queueSamples.get(r) ?? []), ...actual]);
    const estimate = t.estimateMs ?? perf.find((x) => x.plannedMs !== null)?.plannedMs ?? null;
    if (estimate !== null && estimate > 0 && actual.length >= MIN_SAMPLES) {
      const p50 = percentile(actual, 50);
      const p90 = percentile(actual, 90);
      if (p50 > estimate * OVERRUN_MARGIN || p90 > estimate * OVERRUN_MARGIN) {
        durations.push({
          taskId: t.taskId,
          name: t.name,
          samples: actual.length,
          estimateMinutes: minutes(estimate),
          p50Minutes: minutes(p50),
          p90Minutes: minutes(p90),
          overrunShare: Math.round((actual.filter((a) => a > estimate).length / actual.length) * 100) / 100,
          suggestedEstimateMinutes: Math.ceil(p90 / 60_000 / 15) * 15,
        });
      }
    }
    const withRework = perf.filter((x) => x.reworks > 0);
    if (withRework.length) {
      rework.push({
        taskId: t.taskId,
        name: byTask.get(t.taskId)?.name ?? t.name,
        reworks: withRework.reduce((a, x) => a + x.reworks, 0),
        casesWithRework: withRework.length,
        share: Math.round((withRework.length / history.length) * 100) / 100,
      });
    }
  }

  const queues: QueueFinding[] = [...queueSamples]
    .map(([role, xs]) => {
      const s = sortAsc(xs);
      return { role, samples: s.length, p50Minutes: minutes(percentile(s, 50)), p90Minutes: minutes(percentile(s, 90)) };
    })
    .sort((a, b) => b.p90Minutes - a.p90Minutes || b.p50Minutes - a.p50Minutes);
  durations.sort((a, b) => b.p90Minutes / b.estimateMinutes - a.p90Minutes / a.estimateMinutes);
  rework.sort((a, b) => b.share - a.share || b.reworks - a.reworks);

  const cycles = sortAsc(history.map(cycleMs).filter((x) => Number.isFinite(x) && x >= 0));
  const outcomes = {
    completed: history.filter((c) => c.outcome === 'completed').length,
    cancelled: history.filter((c) => c.outcome === 'cancelled').length,
    medianCycleMinutes: cycles.length ? minutes(percentile(cycles, 50)) : null,
  };

  const summary: string[] = [];
  for (const d of durations) {
    summary.push(`"${d.name}" takes ${d.p50Minutes} min at the median and ${d.p90Minutes} min at p90 against an estimate of ${d.estimateMinutes} min (${Math.round(d.overrunShare * 100)} % of ${d.samples} cases over); re-estimate to ${d.suggestedEstimateMinutes} min.`);
  }
  const q = queues[0];
  if (q) summary.push(`The ${q.role} queue waits longest: ${q.p50Minutes} min at the median, ${q.p90Minutes} min at p90 (${q.samples} tasks).`);
  for (const r of rework.slice(0, 3)) summary.push(`"${r.name}" went back for rework in ${Math.round(r.share * 100)} % of cases (${r.casesWithRework} of ${history.length}, ${r.reworks} reworks).`);

  return { templateId, computedAt: now.toISOString(), casesConsidered: history.length, outcomes, durations, queues, rework, summary };
}

/**
 * Outcomes of the closed cases most like a running one.
 * @param similarity - cosine similarity of each closed case (that has a vector) to the running
 *   case; when given and not empty, the nearest cases are taken, whatever their case type
 */
export function similarCaseOutcomes(caseType: string, history: readonly ClosedCase[], limit = 10, similarity?: ReadonlyMap<string, number>): SimilarCaseOutcomes {
  const byVector = similarity !== undefined && history.some((c) => similarity.has(c.caseId));
  const like = byVector
    ? history.filter((c) => similarity.has(c.caseId)).sort((a, b) => similarity.get(b.caseId)! - similarity.get(a.caseId)! || a.caseId.localeCompare(b.caseId)).slice(0, limit)
    : [...history].filter((c) => c.caseType === caseType).sort((a, b) => Date.parse(b.closedAt) - Date.parse(a.closedAt)).slice(0, limit);
  const cycles = sortAsc(like.map(cycleMs));
  const reworks = sortAsc(like.map((c) => c.tasks.reduce((a, t) => a + t.reworks, 0)));
  return {
    method: byVector ? 'embedding' : 'template+case_type',
    caseType,
    considered: like.length,
    completed: like.filter((c) => c.outcome === 'completed').length,
    cancelled: like.filter((c) => c.outcome === 'cancelled').length,
    medianCycleMinutes: cycles.length ? minutes(percentile(cycles, 50)) : null,
    medianReworks: reworks.length ? percentile(reworks, 50) : null,
    cases: like.map((c) => ({
      caseId: c.caseId,
      outcome: c.outcome,
      cycleMinutes: minutes(cycleMs(c)),
      reworks: c.tasks.reduce((a, t) => a + t.reworks, 0),
      ...(byVector ? { similarity: Number(similarity.get(c.caseId)!.toFixed(4)) } : {}),
    })),
  };
}
