/**
 * Back-planning from the seat appointment (issue 11, part 3). Pure: bundled into the case
 * workflow and unit-tested on its own (seat-plan.test.ts).
 *
 * A task's latest start = seat date − transit − the remaining critical path from the task's
 * start to the end of the plan (its own estimate plus the longest chain of estimates after it,
 * each scaled by priority as due times are). Slack = the earliest latest start among the active
 * tasks − now: how long the case may wait before the seat date can no longer be met at the
 * planned pace. Rework loops are not planned for (they are not planned work).
 */
import type { Plan } from './plan/plan.types';
import type { TaskStatus } from './case.messages';

export const RISK_LEVELS = ['on_track', 'at_risk', 'pool', 'lead'] as const;
/**
 * on_track: slack ≥ the threshold. at_risk: below it (told: the active tasks' assignees, else
 * their role pools). pool: below half of it (the role pools). lead: no slack left, the seat date
 * is missed at the planned pace (the practice's owner and admins). Escalation grows as slack
 * shrinks, as the overdue ladder does (assignee → pool → leads).
 */
export type RiskLevel = (typeof RISK_LEVELS)[number];

export const DAY_MS = 86_400_000;

export interface Risk {
  level: RiskLevel;
  /** The earliest latest start of the active tasks (ms), null when no task is active. */
  latestStart: number | null;
  /** latestStart − now (ms), null when no task is active. */
  slackMs: number | null;
  /** The active tasks whose latest start is the earliest (the ones that decide the slack). */
  taskIds: string[];
  /** When the level next gets worse if nothing changes (ms), null at the last level. */
  nextChangeAt: number | null;
}

/**
 * Latest start of every task that is not done.
 * @param factor - the priority's SLA factor (PRIORITY_SLA_FACTOR)
 */
export function latestStarts(plan: Plan, status: (taskId: string) => TaskStatus, factor: number, seatMs: number, transitMs: number): Map<string, number> {
  // Remaining critical path from each task's start; plan.tasks is topologically sorted, so in
  // reverse every successor is known before its predecessors.
  const remaining = new Map<string, number>();
  for (let i = plan.tasks.length - 1; i >= 0; i--) {
    const t = plan.tasks[i]!;
    if (status(t.id) === 'done') continue;
    const own = t.estimatedMs === null ? 0 : Math.round(t.estimatedMs * factor);
    const after = t.successors.reduce((m, id) => Math.max(m, remaining.get(id) ?? 0), 0);
    remaining.set(t.id, own + after);
  }
  const out = new Map<string, number>();
  for (const [id, rcp] of remaining) out.set(id, seatMs - transitMs - rcp);
  return out;
}

/** The case's risk at `now` from the latest starts of its active tasks. */
export function riskAt(plan: Plan, status: (taskId: string) => TaskStatus, factor: number, seatMs: number, transitMs: number, thresholdMs: number, now: number): Risk {
  const ls = latestStarts(plan, status, factor, seatMs, transitMs);
  const active = plan.tasks.filter((t) => status(t.id) === 'active').map((t) => ({ id: t.id, at: ls.get(t.id)! }));
  if (active.length === 0) return { level: 'on_track', latestStart: null, slackMs: null, taskIds: [], nextChangeAt: null };
  const latestStart = Math.min(...active.map((a) => a.at));
  const slackMs = latestStart - now;
  const half = Math.floor(thresholdMs / 2);
  const level: RiskLevel = slackMs >= thresholdMs ? 'on_track' : slackMs >= half ? 'at_risk' : slackMs >= 0 ? 'pool' : 'lead';
  // The first moment the slack falls below the level's floor.
  const floor = level === 'on_track' ? thresholdMs : level === 'at_risk' ? half : level === 'pool' ? 0 : null;
  const nextChangeAt = floor === null ? null : latestStart - floor + 1;
  return { level, latestStart, slackMs, taskIds: active.filter((a) => a.at === latestStart).map((a) => a.id), nextChangeAt };
}
