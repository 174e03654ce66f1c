/**
 * The case workflow's public surface: its input, updates and query. The API and tests import
 * these definitions, so names and argument types have one source. Pure: bundled into workflows.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CaseState, Plan, PracticeRole } from './plan/plan.types';
import type { RiskLevel } from './seat-plan';

export const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** The profile MDW acts as when no person does (migrations seed it). */
export const SYSTEM_PROFILE_ID = '00000000-0000-0000-0000-000000000001';

/**
 * Who asks. `practiceRole` is the caller's role in the case's practice, resolved by the API from
 * practice_members; 'system' is the role of integrations and MDW itself.
 */
export interface Actor {
  profileId: string;
  practiceRole: PracticeRole | 'system';
  /**
   * Set when the actor acts as lab staff (db: lab_role()), not as a member of the case's
   * practice: a lab technician or lab admin then acts with practiceRole 'technician' (the lab's
   * role in templates), and a lab admin also leads the tasks awaiting that role.
   */
  lab?: LabRole;
}

export const LAB_ROLES = ['technician', 'support', 'admin'] as const;
export type LabRole = (typeof LAB_ROLES)[number];
/** The practice role of templates that the lab's people act as. */
export const LAB_TASK_ROLE: PracticeRole = 'technician';

export interface CaseWorkflowOptions {
  /** Continue-as-new when history grows past this many events (Temporal also suggests it). */
  historyLimit?: number;
}

/** Workflow input: ids and codes only, never patient-identifying data. */
export interface CaseWorkflowInput {
  caseId: string;
  practiceId: string;
  caseNumber: string;
  caseType: string;
  priority: Priority;
  plan: Plan;
  options?: CaseWorkflowOptions;
  /** The seat appointment the case plans backward from, when the practice gave one at creation. */
  seat?: SeatPlan;
  /** Set by continue-as-new: the state carried over from the previous run. */
  snapshot?: CaseSnapshot;
}

export const TASK_STATUSES = ['pending', 'active', 'done'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export interface TaskRuntime {
  status: TaskStatus;
  activatedAt: number | null;
  dueAt: number | null;
  completedAt: number | null;
  overdue: boolean;
  escalated: boolean;
  /** Times the task was sent back for rework. */
  reworks: number;
  /** The profile the task is assigned to (claimed or assigned); absent = the role pool. */
  assignee?: string | null;
  /** An overdue assigned task was escalated to its role pool (the ladder's middle step). */
  poolNotified?: boolean;
  /** When the current activation was first claimed or assigned (analytics: queue vs active work). */
  claimedAt?: number | null;
}

export const DECISIONS = ['approve', 'reject', 'request_changes'] as const;
export type DecisionKind = (typeof DECISIONS)[number];

export interface DecisionRecord {
  taskId: string;
  decision: DecisionKind | 'complete';
  by: string;
  role: Actor['practiceRole'];
  at: number;
  reason: string | null;
  /** The exact project version the decision was about (projects.id of that version). */
  projectVersionId?: string;
}

/**
 * One version of a 3D project (projects rows chained by parent_project_id): the project is the
 * chain's first row, the version one row of it. Ids and numbers only.
 */
export interface ProjectVersionRef {
  /** The chain's first row: the project's identity across versions. */
  projectId: string;
  /** The version's own row. */
  versionId: string;
  version: number;
}

/** An approval that pinned a project version, still in force. */
export interface ApprovalPin extends ProjectVersionRef {
  taskId: string;
}

export type CaseStatus = 'active' | 'completed' | 'cancelled';

/** Everything the workflow knows; carried across continue-as-new. */
export interface CaseSnapshot {
  status: CaseStatus;
  state: CaseState;
  stateSince: number;
  priority: Priority;
  hold: { reason: string; by: string; since: number; resumeState: CaseState } | null;
  tasks: Record<string, TaskRuntime>;
  decisions: DecisionRecord[];
  reworkCount: number;
  /** Sequence for idempotency keys of persisted events. */
  seq: number;
  /** Recently applied update ids, so a repeat changes nothing even after continue-as-new. */
  recentUpdates: string[];
  startedAt: number;
  /** The seat appointment and the last risk level recorded; absent for cases without one. */
  seat?: SeatState | null;
  /** Approvals pinned to a project version; a newer version of that project reopens them. */
  pins?: ApprovalPin[];
  /** The newest version number seen per project (projectId): an approval of an older one is refused. */
  latestVersions?: Record<string, number>;
}

/**
 * The seat appointment (issue 11, part 3): when the patient is seated, the shipping time to the
 * practice, and the slack below which the case is at risk (CASE_AT_RISK_SLACK_HOURS when the case
 * started; a setSeatDate Update keeps it).
 */
export interface SeatPlan {
  /** ISO timestamp. */
  seatDate: string;
  /** Whole days of transit to the practice (0-60). */
  transitDays: number;
  atRiskSlackMs: number;
}
export interface SeatState extends SeatPlan {
  /** The level last recorded (recordCaseAtRisk); null before the first record. */
  level: RiskLevel | null;
  /** Risk events recorded so far: the idempotency key of the next one. */
  events: number;
  /** The seat date changed: record the level at the next review even if it is the same. */
  replan?: boolean;
}

/** The default at-risk threshold: one working day of slack (config CASE_AT_RISK_SLACK_HOURS). */
export const DEFAULT_AT_RISK_SLACK_MS = 24 * 3_600_000;
/** Practice roles that set or move the seat appointment (the front desk books it, too). */
export const SEAT_DATE_ROLES: readonly PracticeRole[] = ['owner', 'admin', 'doctor', 'assistant'];

export interface TaskView {
  id: string;
  name: string;
  kind: string;
  functionType: string;
  status: TaskStatus;
  awaitingDecision: boolean;
  requiredRoles: PracticeRole[];
  dueAt: string | null;
  overdue: boolean;
  reworks: number;
  assigneeId: string | null;
}

/** The live picture of a case: the query's answer and every update's result. */
export interface CaseView {
  caseId: string;
  status: CaseStatus;
  state: CaseState;
  priority: Priority;
  onHold: boolean;
  holdReason: string | null;
  overdue: boolean;
  rolesAwaited: PracticeRole[];
  tasks: TaskView[];
  /** The most recent decisions (at most 50; the full history is in case_states and messages). */
  decisions: Array<Omit<DecisionRecord, 'at'> & { at: string }>;
  reworkCount: number;
  /** Present when the case has a seat appointment. */
  seat?: SeatView;
}

export interface SeatView {
  seatDate: string;
  transitDays: number;
  /** The earliest latest start of the active tasks; null when none is active. */
  latestStart: string | null;
  /** Minutes between now and latestStart (negative: the seat date is missed at the planned pace). */
  slackMinutes: number | null;
  level: RiskLevel;
  atRisk: boolean;
}

/**
 * Why a change was made: the case message whose intent proposed it (src/ai/intent/). Recorded in
 * case_states.metadata.evidence of the transition it causes, so the audit trail shows which
 * message, which proposal, how confident, and whether a person confirmed it or the practice's
 * auto-apply did (the actor is the person either way).
 */
export interface MessageEvidence {
  messageId: string;
  proposalId: string;
  intent: string;
  confidence: number;
  mode: 'confirmed' | 'auto_applied';
}

export interface DecideArgs {
  taskId: string;
  decision: DecisionKind;
  actor: Actor;
  reason?: string;
  evidence?: MessageEvidence;
  /** The project version decided on (resolved and checked by the API); an approval pins it. */
  projectVersion?: ProjectVersionRef;
}
/** A new version of a project of the case was uploaded. */
export interface ProjectVersionAddedArgs {
  actor: Actor;
  project: ProjectVersionRef;
}
export interface CompleteTaskArgs {
  taskId: string;
  actor: Actor;
  note?: string;
}
export interface HoldArgs {
  actor: Actor;
  reason: string;
  evidence?: MessageEvidence;
}
export interface ResumeArgs {
  actor: Actor;
  note?: string;
  evidence?: MessageEvidence;
}
export interface CancelArgs {
  actor: Actor;
  reason: string;
  evidence?: MessageEvidence;
}
export interface SetSeatDateArgs {
  actor: Actor;
  /** ISO timestamp, in the future. */
  seatDate: string;
  /** Whole days of transit to the practice; unchanged when omitted (0 for a first seat date). */
  transitDays?: number;
  /** The at-risk threshold for a case that had no seat date yet (the API sends its config's). */
  atRiskSlackMs?: number;
}
export interface ChangePriorityArgs {
  actor: Actor;
  priority: Priority;
}

export const ASSIGN_ACTIONS = ['claim', 'assign', 'release'] as const;
export type AssignAction = (typeof ASSIGN_ACTIONS)[number];
/**
 * claim: the actor takes an unassigned task awaiting their role. assign: a lead (practice owner
 * or admin; a lab admin for the lab's role) gives it to `assignee` (reassigns when assigned).
 * release: the assignee or a lead puts it back into the role pool.
 */
export interface AssignArgs {
  taskId: string;
  actor: Actor;
  action: AssignAction;
  /** For 'assign': who, and the role they act as in the case's practice (resolved by the API). */
  assignee?: { profileId: string; role: PracticeRole };
}

export const decideUpdate = defineUpdate<CaseView, [DecideArgs]>('decide');
export const completeTaskUpdate = defineUpdate<CaseView, [CompleteTaskArgs]>('completeTask');
export const holdUpdate = defineUpdate<CaseView, [HoldArgs]>('hold');
export const resumeUpdate = defineUpdate<CaseView, [ResumeArgs]>('resume');
export const cancelUpdate = defineUpdate<CaseView, [CancelArgs]>('cancel');
export const changePriorityUpdate = defineUpdate<CaseView, [ChangePriorityArgs]>('changePriority');
export const assignTaskUpdate = defineUpdate<CaseView, [AssignArgs]>('assignTask');
export const setSeatDateUpdate = defineUpdate<CaseView, [SetSeatDateArgs]>('setSeatDate');
export const caseViewQuery = defineQuery<CaseView>('caseView');
/**
 * A project version was uploaded: approvals pinned to an older version of that project go back
 * up for decision (with the tasks after them).
 */
export const projectVersionAddedUpdate = defineUpdate<CaseView, [ProjectVersionAddedArgs]>('projectVersionAdded');

/** Failure types a validator or handler may answer with; the API maps them to 422 codes. */
export const CaseRefusal = {
  WrongRole: 'WrongRole',
  TaskNotAwaitingDecision: 'TaskNotAwaitingDecision',
  UnknownTask: 'UnknownTask',
  CaseOnHold: 'CaseOnHold',
  CaseNotOnHold: 'CaseNotOnHold',
  CaseFinished: 'CaseFinished',
  ReasonRequired: 'ReasonRequired',
  InvalidArgument: 'InvalidArgument',
  TaskAssigned: 'TaskAssigned',
  TaskNotAssigned: 'TaskNotAssigned',
  VersionSuperseded: 'VersionSuperseded',
} as const;
export type CaseRefusal = (typeof CaseRefusal)[keyof typeof CaseRefusal];

/** Practice roles that may hold, resume, cancel and reprioritise a case. */
export const CASE_MANAGER_ROLES: readonly PracticeRole[] = ['owner', 'admin', 'doctor'];

/** Practice roles that lead (assign, reassign, release) any task of their practice's cases. */
export const LEAD_ROLES: readonly PracticeRole[] = ['owner', 'admin'];

/** May `actor` assign or release a task that awaits `requiredRoles`? */
export function isLead(actor: Actor, requiredRoles: readonly PracticeRole[]): boolean {
  if (actor.practiceRole === 'system') return true;
  if (actor.lab === 'admin' && requiredRoles.includes(LAB_TASK_ROLE)) return true;
  return LEAD_ROLES.includes(actor.practiceRole);
}

export function caseWorkflowId(practiceId: string, caseNumber: string): string {
  return `case-${practiceId}-${caseNumber}`;
}

/** Due times scale with priority: an urgent case's tasks are due in half the estimate. */
export const PRIORITY_SLA_FACTOR: Record<Priority, number> = { low: 1.5, medium: 1, high: 0.75, urgent: 0.5 };
