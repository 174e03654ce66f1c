import { countByDue, sortInbox, type InboxRow } from './inbox';

const row = (id: string, priority: InboxRow['priority'], dueAt: string | null, overdue = false) => ({ id, priority, task: { dueAt, overdue } });

describe('inbox', () => {
  const rows = [row('a', 'low', '2026-01-03T00:00:00Z'), row('b', 'urgent', null), row('c', 'high', '2026-01-02T00:00:00Z'), row('d', 'urgent', '2026-01-05T00:00:00Z')];
  test('by due time: soonest first, no due date last', () => {
    expect(sortInbox(rows, 'due').map((r) => r.id)).toEqual(['c', 'a', 'd', 'b']);
  });
  test('by priority, then due time', () => {
    expect(sortInbox(rows, 'priority').map((r) => r.id)).toEqual(['d', 'b', 'c', 'a']);
  });
  test('does not reorder the input', () => {
    sortInbox(rows, 'due');
    expect(rows.map((r) => r.id)).toEqual(['a', 'b', 'c', 'd']);
  });
  test('counts overdue and at-risk work', () => {
    const now = Date.parse('2026-01-02T12:00:00Z');
    expect(countByDue(rows, now)).toEqual({ overdue: 1, at_risk: 1, on_time: 1, none: 1 });
  });
});
