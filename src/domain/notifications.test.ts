import type { CaseEvent } from '../workflows/case.events';
import { atRiskNotification, caseLink, composeDigest, composeEmail, notificationFor, type NotificationItem } from './notifications';

const base: CaseEvent = {
  key: 'case-p-1/7',
  caseId: 'c1',
  practiceId: 'p1',
  at: '2026-01-02T03:04:05.000Z',
  actorId: 'actor',
  workflowId: 'case-p-1',
  runId: 'r',
  taskId: 't-approve',
};

const approval = (assignee?: string): CaseEvent => ({
  ...base,
  message: { type: 'approval_request', subject: 'Plan approval: awaiting doctor or technician', content: '…', metadata: { taskId: 't-approve', roles: ['doctor', 'technician'] } },
  awaiting: { seq: 7, priority: 'medium', tasks: [{ taskId: 't-approve', name: 'Plan approval', kind: 'decision', roles: ['doctor', 'technician'], dueAt: null, overdue: false, ...(assignee ? { assignee } : {}) }] },
});

describe('notificationFor', () => {
  test('an approval request goes to the role pools of the practice and, for the lab role, the lab', () => {
    expect(notificationFor(approval())).toEqual({
      key: 'case-p-1/7:notify',
      kind: 'approval_request',
      caseId: 'c1',
      practiceId: 'p1',
      taskId: 't-approve',
      taskName: 'Plan approval',
      at: base.at,
      recipients: { practiceRoles: ['doctor', 'technician'], labRoles: ['technician'] },
    });
  });

  test('an assigned approval goes to the assignee alone', () => {
    expect(notificationFor(approval('u-9'))!.recipients).toEqual({ profileIds: ['u-9'] });
  });

  test('overdue goes to whom the workflow named: the assignee, or the roles', () => {
    const assigned: CaseEvent = { ...base, message: { type: 'system_notification', subject: 'Overdue: Model', content: '', metadata: { kind: 'overdue', notify: [], notifyProfiles: ['u-1'] } } };
    expect(notificationFor(assigned)).toMatchObject({ kind: 'overdue', taskName: 'Model', recipients: { profileIds: ['u-1'], practiceRoles: [] } });
    const pool: CaseEvent = { ...base, message: { type: 'system_notification', subject: 'Overdue: Model', content: '', metadata: { kind: 'overdue', notify: ['technician'] } } };
    expect(notificationFor(pool)!.recipients).toEqual({ practiceRoles: ['technician'], labRoles: ['technician'] });
  });

  test("an escalation to the leads of a lab task also reaches lab admins; a practice task's stays in the practice", () => {
    const e: CaseEvent = { ...base, message: { type: 'system_notification', subject: 'Escalated: Model', content: '', metadata: { kind: 'escalation', notify: ['owner', 'admin'], level: 'lead' } } };
    expect(notificationFor(e, () => ['technician'])).toMatchObject({ kind: 'escalation', detail: { level: 'lead' }, recipients: { practiceRoles: ['owner', 'admin'], labRoles: ['admin'] } });
    expect(notificationFor(e, () => ['doctor'])!.recipients).toEqual({ practiceRoles: ['owner', 'admin'] });
  });

  test('a hold tells the practice managers, not the one who put it on hold', () => {
    const e: CaseEvent = { ...base, taskId: null, transition: { from: 'planning', to: 'on_hold', reason: 'patient Jane Roe travels', minutesInPrevious: 1, bottleneck: false } };
    const n = notificationFor(e)!;
    expect(n).toMatchObject({ kind: 'on_hold', excludeProfileId: 'actor', recipients: { practiceRoles: ['owner', 'admin', 'doctor'] } });
    expect(JSON.stringify(n)).not.toContain('Jane'); // the free-text reason is not carried
  });

  test('other events notify nobody', () => {
    expect(notificationFor({ ...base, message: { type: 'status_update', subject: 'Model: claimed', content: '' } })).toBeNull();
    expect(notificationFor({ ...base, transition: { from: 'submitted', to: 'planning', reason: null, minutesInPrevious: 0, bottleneck: false } })).toBeNull();
  });
});

describe('atRiskNotification', () => {
  const risk = { key: 'case-p-1/risk/1', caseId: 'c1', practiceId: 'p1', workflowId: 'case-p-1', at: base.at, seatDate: '2026-02-01', transitDays: 2, slackMinutes: 30, latestStart: null, taskIds: ['t-model'] };
  test('at risk: the assignees and the roles of unassigned tasks; pool: the role pools; lead: the leads (lab admins for lab tasks); on track: nobody', () => {
    const lab = { name: 'Model', roles: ['technician' as const] };
    expect(atRiskNotification({ ...risk, level: 'at_risk', previousLevel: 'on_track', notifyRoles: [], notifyProfiles: ['u-1'] }, lab)).toMatchObject({
      key: 'case-p-1/risk/1:notify',
      kind: 'at_risk',
      taskId: 't-model',
      taskName: 'Model',
      recipients: { practiceRoles: [], profileIds: ['u-1'] },
      detail: { level: 'at_risk', slackMinutes: 30 },
    });
    expect(atRiskNotification({ ...risk, level: 'pool', previousLevel: 'at_risk', notifyRoles: ['technician'], notifyProfiles: [] }, lab)!.recipients).toEqual({ practiceRoles: ['technician'], labRoles: ['technician'] });
    expect(atRiskNotification({ ...risk, level: 'lead', previousLevel: 'pool', notifyRoles: ['owner', 'admin'], notifyProfiles: [] }, lab)!.recipients).toEqual({ practiceRoles: ['owner', 'admin'], labRoles: ['admin'] });
    expect(atRiskNotification({ ...risk, level: 'on_track', previousLevel: 'lead', notifyRoles: [], notifyProfiles: [] }, lab)).toBeNull();
    const m = composeEmail({ kind: 'at_risk', caseId: 'c1', caseNumber: 'C-1', taskName: 'Model', detail: { level: 'lead' }, occurredAt: base.at }, 'http://x');
    expect(m.subject).toBe('[MDW] At risk: case C-1 - Model');
    expect(m.text).toContain('escalated to the practice leads');
  });
});

describe('emails', () => {
  const item: NotificationItem = { kind: 'approval_request', caseId: 'c 1', caseNumber: 'C-0042', taskName: 'Plan\napproval', detail: {}, occurredAt: '2026-01-02T03:04:05.000Z' };

  test('subject: kind, case number and task name on one line; body links to the case', () => {
    const m = composeEmail(item, 'https://app.example.com/');
    expect(m.subject).toBe('[MDW] Approval requested: case C-0042 - Plan approval');
    expect(m.text).toContain('https://app.example.com/cases/c%201');
    expect(caseLink('http://x', 'abc')).toBe('http://x/cases/abc');
  });

  test('a digest lists every item with its link', () => {
    const m = composeDigest([item, { ...item, kind: 'overdue', caseNumber: 'C-7' }], 'http://x');
    expect(m.subject).toBe('[MDW] Daily digest: 2 notifications');
    expect(m.text).toContain('Overdue: case C-7');
    expect(m.text.match(/http:\/\/x\/cases\//g)).toHaveLength(2);
  });
});
