/**
 * Notifications (issue 11 §4), the pure part: which case events notify whom, and what the email
 * says. No I/O: the repository records and expands events, the activities send.
 *
 * No PHI in any email: subjects and bodies carry the case number, the template's task name,
 * the kind and a link; never the patient's name, the case's title or anyone's free text (a hold
 * reason, a rejection reason). The link leads to the app, which checks who may read the case.
 */
import type { CaseEvent, CaseRiskEvent } from '../workflows/case.events';
import type { PracticeRole } from '../workflows/plan/plan.types';

export const NOTIFICATION_KINDS = ['approval_request', 'at_risk', 'overdue', 'escalation', 'on_hold'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Per kind: 'on' (email at once), 'off', 'digest' (in the daily digest). Default 'on'. */
export const NOTIFICATION_MODES = ['on', 'off', 'digest'] as const;
export type NotificationMode = (typeof NOTIFICATION_MODES)[number];

/** Lab pools (profiles listed in lab_staff with this global role). */
export type LabPoolRole = 'technician' | 'support' | 'admin';

/** The practice role of templates that the lab's people act as (case.messages LAB_TASK_ROLE). */
const LAB_TASK_ROLE: PracticeRole = 'technician';

/**
 * One thing to tell people about. `recordNotificationEvent(db, event)` writes it to the outbox
 * (idempotent on `key`); the delivery workflow expands the recipients and sends.
 */
export interface NotificationEvent {
  /** Idempotency key: the source event's key (e.g. `<workflowId>/<seq>`) plus a suffix. */
  key: string;
  kind: NotificationKind;
  caseId: string;
  practiceId: string;
  taskId?: string | null;
  /** The template's task name (not PHI). */
  taskName?: string | null;
  /** Who to tell. Empty everywhere = nobody. */
  recipients: {
    /** Explicit people (the assignee). */
    profileIds?: string[];
    /** Members of the case's practice with these roles. */
    practiceRoles?: PracticeRole[];
    /** Lab staff (lab_staff) with these global roles. */
    labRoles?: LabPoolRole[];
  };
  /** Not told about their own action (who put the case on hold). */
  excludeProfileId?: string | null;
  /** Machine-made detail (escalation level, slack minutes): no free text. */
  detail?: Record<string, string | number | boolean | null>;
  /** When it happened (ISO): workflow time, so a retry records the same. */
  at: string;
}

/**
 * The role pools of a task's required roles: the practice's members with those roles and, for
 * the lab's role (technician), the lab's technicians too.
 */
export function rolePools(roles: readonly PracticeRole[]): NotificationEvent['recipients'] {
  return { practiceRoles: [...roles], ...(roles.includes(LAB_TASK_ROLE) ? { labRoles: ['technician' as const] } : {}) };
}

/** Leads of a task: the practice's owners and admins, and lab admins for the lab's tasks. */
function leads(taskRoles: readonly PracticeRole[]): NotificationEvent['recipients'] {
  return { practiceRoles: ['owner', 'admin'], ...(taskRoles.includes(LAB_TASK_ROLE) ? { labRoles: ['admin' as const] } : {}) };
}

const isRoleList = (v: unknown): v is PracticeRole[] => Array.isArray(v) && v.every((r) => typeof r === 'string');
const isIdList = (v: unknown): v is string[] => Array.isArray(v) && v.every((r) => typeof r === 'string');

/**
 * The notifications a persisted case event implies (at most one per event). Derived from what
 * the workflow already records, so the workflow does not change:
 * - an `approval_request` message (a decision task became active): the task's assignee when it
 *   has one, else its role pools;
 * - a message with metadata.kind 'overdue' / 'escalation': the people the workflow named
 *   (notifyProfiles = the assignee, notify = roles; owner/admin escalations also reach lab admins
 *   for the lab's tasks);
 * - a transition to on_hold: the practice's case managers (owner, admin, doctor), not the one
 *   who put it on hold.
 */
export function notificationFor(e: CaseEvent, taskRoles: (taskId: string) => PracticeRole[] | null = () => null): NotificationEvent | null {
  const base = { key: `${e.key}:notify`, caseId: e.caseId, practiceId: e.practiceId, taskId: e.taskId, at: e.at };
  const m = e.message;
  const meta = (m?.metadata ?? {}) as Record<string, unknown>;
  if (m?.type === 'approval_request' && e.taskId) {
    const awaiting = e.awaiting?.tasks.find((t) => t.taskId === e.taskId);
    const roles = isRoleList(meta.roles) ? meta.roles : (awaiting?.roles ?? []);
    return {
      ...base,
      kind: 'approval_request',
      taskName: awaiting?.name ?? taskNameOf(m.subject),
      recipients: awaiting?.assignee ? { profileIds: [awaiting.assignee] } : rolePools(roles),
    };
  }
  if (m && (meta.kind === 'overdue' || meta.kind === 'escalation') && e.taskId) {
    const roles = isRoleList(meta.notify) ? meta.notify : [];
    const profiles = isIdList(meta.notifyProfiles) ? meta.notifyProfiles : [];
    const own = taskRoles(e.taskId) ?? [];
    const toLeads = roles.includes('owner') && roles.includes('admin');
    const recipients: NotificationEvent['recipients'] = toLeads ? leads(own) : { ...rolePools(roles) };
    if (profiles.length) recipients.profileIds = profiles;
    return {
      ...base,
      kind: meta.kind,
      taskName: taskNameOf(m.subject),
      recipients,
      detail: typeof meta.level === 'string' ? { level: meta.level } : {},
    };
  }
  if (e.transition?.to === 'on_hold' && e.transition.from !== 'on_hold') {
    return { ...base, taskId: null, kind: 'on_hold', recipients: { practiceRoles: ['owner', 'admin', 'doctor'] }, excludeProfileId: e.actorId };
  }
  return null;
}

/**
 * The notification of a change of a case's risk against its seat date (recordCaseAtRisk), all
 * of kind 'at_risk' (one preference): the first warning to whom the workflow named (assignees,
 * the roles of unassigned tasks), then, as slack shrinks, the role pools ('pool') and the
 * leads ('lead': the practice's owners/admins and, for lab tasks, lab admins). Back on track:
 * nothing.
 * @param task - the first deciding task's name and roles (from awaiting_tasks), when known.
 */
export function atRiskNotification(e: CaseRiskEvent, task: { name: string | null; roles: PracticeRole[] } | null): NotificationEvent | null {
  if (e.level === 'on_track') return null;
  const roles = e.notifyRoles;
  const recipients: NotificationEvent['recipients'] = e.level === 'lead' && roles.includes('owner') && roles.includes('admin') ? leads(task?.roles ?? []) : rolePools(roles);
  if (e.notifyProfiles.length) recipients.profileIds = [...e.notifyProfiles];
  return {
    key: `${e.key}:notify`,
    kind: 'at_risk',
    caseId: e.caseId,
    practiceId: e.practiceId,
    taskId: e.taskIds[0] ?? null,
    taskName: task?.name ?? null,
    recipients,
    detail: { level: e.level, slackMinutes: e.slackMinutes },
    at: e.at,
  };
}

/** The workflow's subjects are "<task name>: awaiting …", "Overdue: <task name>", "Escalated: <task name>". */
function taskNameOf(subject: string): string {
  const prefixed = /^(?:Overdue|Escalated): (.*)$/.exec(subject);
  if (prefixed) return prefixed[1]!;
  const i = subject.lastIndexOf(': awaiting ');
  return i >= 0 ? subject.slice(0, i) : subject;
}

/** What one email is about. */
export interface NotificationItem {
  kind: NotificationKind;
  caseId: string;
  caseNumber: string;
  taskName: string | null;
  detail: Record<string, unknown>;
  occurredAt: string;
}

export interface Email {
  subject: string;
  text: string;
}

const HEADLINE: Record<NotificationKind, string> = {
  approval_request: 'Approval requested',
  at_risk: 'At risk',
  overdue: 'Overdue',
  escalation: 'Escalated',
  on_hold: 'On hold, waiting for the practice',
};

/** The link to a case in the app. */
export function caseLink(appUrl: string, caseId: string): string {
  return `${appUrl.replace(/\/+$/, '')}/cases/${encodeURIComponent(caseId)}`;
}

/** Subject lines are one line, ASCII-safe in length, whatever a template's task name holds. */
const oneLine = (s: string, max = 80) => {
  const flat = s.replace(/[\r\n\t]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

function line(item: NotificationItem): string {
  const task = item.taskName ? ` - ${oneLine(item.taskName)}` : '';
  return `${HEADLINE[item.kind]}: case ${item.caseNumber}${task}`;
}

/** The email of one notification. */
export function composeEmail(item: NotificationItem, appUrl: string): Email {
  const why: Record<NotificationKind, string> = {
    approval_request: 'A decision is waiting for you.',
    at_risk:
      item.detail.level === 'lead'
        ? 'The case may miss its seat date; escalated to the practice leads.'
        : item.detail.level === 'pool'
          ? 'The case may miss its seat date; escalated to the role pool.'
          : 'The case may miss its seat date: its slack is below the threshold.',
    overdue: 'A task of this case is past its due time.',
    escalation: item.detail.level === 'pool' ? 'An overdue task was escalated to its role pool.' : 'An overdue task was escalated to the practice leads.',
    on_hold: 'The case is on hold and waits for the practice.',
  };
  return {
    subject: `[MDW] ${line(item)}`,
    text: [
      line(item),
      '',
      why[item.kind],
      '',
      `Open the case: ${caseLink(appUrl, item.caseId)}`,
      '',
      'You receive this because of your notification preferences; change them in MDW (profile, notifications).',
    ].join('\n'),
  };
}

/** The daily digest of one person: every item held for it, oldest first. */
export function composeDigest(items: NotificationItem[], appUrl: string): Email {
  const n = items.length;
  return {
    subject: `[MDW] Daily digest: ${n} notification${n === 1 ? '' : 's'}`,
    text: [
      `${n} notification${n === 1 ? '' : 's'} since your last digest:`,
      '',
      ...items.map((i) => `- ${i.occurredAt.slice(0, 16).replace('T', ' ')} UTC  ${line(i)}\n  ${caseLink(appUrl, i.caseId)}`),
      '',
      'You receive this because of your notification preferences; change them in MDW (profile, notifications).',
    ].join('\n'),
  };
}
