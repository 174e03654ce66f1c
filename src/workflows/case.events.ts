/**
 * What the case workflow asks its activities to persist. Pure types shared by the workflow and
 * the activities; every event carries an idempotency key so a retried activity writes nothing twice.
 */
import type { CaseState, PracticeRole, TaskFunction } from './plan/plan.types';

export const MESSAGE_TYPES = ['general', 'status_update', 'question', 'instruction', 'approval_request', 'system_notification'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** dispatch_instruction / instruction_states status codes. */
export const InstructionStatus = { Pending: 0, InProgress: 1, Done: 2, Rejected: 3, Void: 9 } as const;
export type InstructionStatus = (typeof InstructionStatus)[keyof typeof InstructionStatus];

/** A task waiting for people (external or decision), as the inbox lists it. */
export interface AwaitingTask {
  taskId: string;
  name: string;
  kind: 'external' | 'decision';
  roles: PracticeRole[];
  dueAt: string | null;
  overdue: boolean;
  /** The assignee's profile id; absent while the task is in the role pool. */
  assignee?: string;
}

export interface CaseEvent {
  /** Unique per event: `<workflowId>/<seq>`; parts of the event derive their own keys from it. */
  key: string;
  caseId: string;
  practiceId: string;
  /** Workflow time of the event (ISO), so a retry writes the same timestamps. */
  at: string;
  actorId: string;
  workflowId: string;
  runId: string;
  taskId: string | null;
  transition?: {
    from: CaseState | null;
    to: CaseState;
    reason: string | null;
    minutesInPrevious: number | null;
    bottleneck: boolean;
  };
  /** Analytics without a state change (a task found overdue). */
  bottleneck?: { state: CaseState; minutesWaiting: number; taskId: string };
  message?: { type: MessageType; subject: string; content: string; metadata?: Record<string, unknown> };
  instruction?: { type: string; status: InstructionStatus; notes: string | null };
  /**
   * The tasks awaiting people after this event (none while on hold or closed), sent when they or
   * the priority changed; written to awaiting_tasks unless a later event (higher seq) already was.
   */
  awaiting?: { seq: number; priority: string; tasks: AwaitingTask[] };
  /** The project version a decision pinned (case_states.metadata.projectVersion). */
  projectVersion?: { projectId: string; versionId: string; version: number };
  /** The message that proposed this change (case_states.metadata.evidence). */
  evidence?: Record<string, unknown>;
  /** New values for cases.is_overdue / cases.due_at / cases.priority, when they change. */
  caseFields?: { isOverdue?: boolean; dueAt?: string | null; priority?: string; closed?: boolean };
}

export interface AutomaticTaskArgs {
  key: string;
  caseId: string;
  practiceId: string;
  taskId: string;
  taskName: string;
  functionType: TaskFunction;
  actionName: string | null;
  at: string;
}

export interface TaskPerformance {
  taskId: string;
  name: string;
  plannedMs: number | null;
  actualMs: number | null;
  onTime: boolean | null;
  reworks: number;
  /** Who the task waited for (empty for automatic tasks): analytics split the time by it. */
  roles?: PracticeRole[];
  kind?: 'automatic' | 'external' | 'decision';
  /** Of actualMs, the time before someone claimed (or was assigned) the task; null if nobody did. */
  queueMs?: number | null;
}

export interface PerformanceArgs {
  key: string;
  caseId: string;
  practiceId: string;
  templateId: string;
  outcome: 'completed' | 'cancelled';
  tasks: TaskPerformance[];
  completionRate: number | null;
  averageTaskMs: number | null;
  bottleneckTaskIds: string[];
  at: string;
}

/**
 * A change of a case's risk level against its seat appointment (recordCaseAtRisk): written to
 * case_risk_events, cases (seat_date, transit_days, risk_level, at_risk, slack_minutes) and the
 * inbox flag of its awaiting tasks. Ids and codes only: notifications are built from it.
 */
export interface CaseRiskEvent {
  /** `<workflowId>/risk/<n>`. */
  key: string;
  caseId: string;
  practiceId: string;
  workflowId: string;
  /** Workflow time (ISO). */
  at: string;
  level: 'on_track' | 'at_risk' | 'pool' | 'lead';
  previousLevel: 'on_track' | 'at_risk' | 'pool' | 'lead' | null;
  seatDate: string;
  transitDays: number;
  slackMinutes: number | null;
  latestStart: string | null;
  /** The active tasks that decide the slack. */
  taskIds: string[];
  /** Who is told: roles (of the case's practice, or the lab's technician role) and profiles. */
  notifyRoles: PracticeRole[];
  notifyProfiles: string[];
}
