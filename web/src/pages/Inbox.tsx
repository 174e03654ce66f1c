import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../api/client';
import { isLab, useMe } from '../App';
import { DueBadge, PriorityBadge, StateBadge } from '../components/Badges';
import { useLoad, useTitle } from '../lib/hooks';
import { countByDue, sortInbox, type InboxSort } from '../lib/inbox';
import { ok } from '../lib/result';
import { label, relative } from '../lib/words';

type View = 'mine' | 'roles' | 'lab';
type Priority = 'low' | 'medium' | 'high' | 'urgent';
/** New work appears without a reload. */
const POLL_MS = 10_000;

export function Inbox() {
  useTitle('Inbox');
  const me = useMe();
  const [view, setView] = useState<View>('roles');
  const [priority, setPriority] = useState<Priority | ''>('');
  const [overdueOnly, setOverdueOnly] = useState(false);
  const [sort, setSort] = useState<InboxSort>('due');
  const inbox = useLoad(
    async () =>
      ok(
        await api.GET('/tasks/inbox', {
          params: { query: { view, limit: 100, ...(priority ? { priority } : {}), ...(overdueOnly ? { overdue: 'true' as const } : {}) } },
        }),
      ),
    [view, priority, overdueOnly],
    POLL_MS,
  );
  const now = Date.now();
  const rows = sortInbox(inbox.data?.items ?? [], sort);
  const counts = countByDue(rows, now);
  const views: Array<[View, string]> = [
    ['mine', 'Mine'],
    ['roles', 'My roles'],
    ...(isLab(me) ? ([['lab', 'Lab queue']] as Array<[View, string]>) : []),
  ];

  return (
    <>
      <h1>Inbox</h1>
      <div role="tablist" aria-label="Inbox view" className="tabs">
        {views.map(([v, text]) => (
          <button key={v} role="tab" type="button" aria-selected={view === v} onClick={() => setView(v)}>
            {text}
          </button>
        ))}
      </div>
      <form className="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Priority
          <select value={priority} onChange={(e) => setPriority(e.target.value as Priority | '')}>
            <option value="">Any</option>
            {(['urgent', 'high', 'medium', 'low'] as const).map((p) => (
              <option key={p} value={p}>
                {label(p)}
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={overdueOnly} onChange={(e) => setOverdueOnly(e.target.checked)} /> Overdue only
        </label>
        <label>
          Sort by
          <select value={sort} onChange={(e) => setSort(e.target.value as InboxSort)}>
            <option value="due">Due time</option>
            <option value="priority">Priority</option>
          </select>
        </label>
      </form>
      <p className="counts" aria-live="polite">
        <strong>{rows.length}</strong> tasks · <span className="badge overdue">{counts.overdue} overdue</span> <span className="badge risk">{counts.at_risk} at risk</span>
      </p>
      {inbox.error && (
        <p role="alert" className="error">
          {inbox.error}
        </p>
      )}
      {inbox.loading && !inbox.data ? (
        <p role="status">Loading…</p>
      ) : rows.length === 0 ? (
        <p>Nothing waiting here.</p>
      ) : (
        <table className="list">
          <caption className="sr-only">Tasks waiting</caption>
          <thead>
            <tr>
              <th scope="col">Case</th>
              <th scope="col">Task</th>
              <th scope="col">Practice</th>
              <th scope="col">State</th>
              <th scope="col">Priority</th>
              <th scope="col">Due</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.caseId}:${r.task.id}`}>
                <td>
                  <Link to={`/cases/${r.caseId}`}>
                    {r.caseNumber} · {r.title}
                  </Link>
                </td>
                <td>
                  {r.task.name}
                  {r.assigneeId ? <span className="muted"> (held)</span> : null}
                </td>
                <td>{r.practiceName}</td>
                <td>
                  <StateBadge state={r.state} />
                </td>
                <td>
                  <PriorityBadge priority={r.priority} />
                </td>
                <td>
                  {relative(r.task.dueAt, now)} <DueBadge dueAt={r.task.dueAt} overdue={r.task.overdue} now={now} />
                  {r.atRisk ? <span className="badge risk">Seat date at risk</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
