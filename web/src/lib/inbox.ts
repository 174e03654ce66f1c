/** Inbox ordering and counts (pure, unit-tested). */
import { dueStatus, type DueStatus } from './words';

export interface InboxRow {
  priority: 'low' | 'medium' | 'high' | 'urgent';
  task: { dueAt: string | null; overdue: boolean };
}

const PRIORITY_RANK = { urgent: 0, high: 1, medium: 2, low: 3 } as const;

export type InboxSort = 'due' | 'priority';

/** By due time (no due date last), or by priority then due time. Stable; does not mutate. */
export function sortInbox<T extends InboxRow>(rows: T[], by: InboxSort): T[] {
  const due = (r: T) => (r.task.dueAt ? Date.parse(r.task.dueAt) : Number.POSITIVE_INFINITY);
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => (by === 'priority' ? PRIORITY_RANK[a.r.priority] - PRIORITY_RANK[b.r.priority] : 0) || due(a.r) - due(b.r) || a.i - b.i)
    .map((x) => x.r);
}

export function countByDue<T extends InboxRow>(rows: T[], now: number): Record<DueStatus, number> {
  const counts: Record<DueStatus, number> = { overdue: 0, at_risk: 0, on_time: 0, none: 0 };
  for (const r of rows) counts[dueStatus(r.task.dueAt, r.task.overdue, now)]++;
  return counts;
}
