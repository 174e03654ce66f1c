import { dueStatus, label } from '../lib/words';

export function DueBadge({ dueAt, overdue, now }: { dueAt: string | null | undefined; overdue: boolean; now: number }) {
  const s = dueStatus(dueAt, overdue, now);
  if (s === 'overdue') return <span className="badge overdue">Overdue</span>;
  if (s === 'at_risk') return <span className="badge risk">At risk</span>;
  return null;
}

export function PriorityBadge({ priority }: { priority: string }) {
  return <span className={`badge prio-${priority}`}>{label(priority)}</span>;
}

export function StateBadge({ state }: { state: string }) {
  return <span className="badge state">{label(state)}</span>;
}
