/**
 * Types of the executable plan that `compileTemplate` produces from a workflow template.
 *
 * The string unions mirror PostgreSQL enums. They are `as const` objects rather than TS `enum`s
 * so the values are plain strings at runtime (they go through Temporal's JSON payload converter
 * and the database unchanged) and the lists can be used for runtime validation of jsonb data.
 *
 * This file must stay free of I/O and Node built-ins: it is bundled into Temporal workflow code.
 */

// ---------------------------------------------------------------------------------------------
// Domain enums (mirrors of the PostgreSQL enums of the same names)
// ---------------------------------------------------------------------------------------------

/** practice_role */
export const PracticeRole = {
  Owner: 'owner',
  Doctor: 'doctor',
  Technician: 'technician',
  Assistant: 'assistant',
  Admin: 'admin',
} as const;
export type PracticeRole = (typeof PracticeRole)[keyof typeof PracticeRole];
export const PRACTICE_ROLES: readonly PracticeRole[] = Object.values(PracticeRole);

/** task_function_enum: what a task does; decides the default activity and case states. */
export const TaskFunction = {
  Submit: 'submit',
  Review: 'review',
  Approve: 'approve',
  Process: 'process',
  Notify: 'notify',
  Archive: 'archive',
  Scan: 'scan',
  Model: 'model',
  Manufacture: 'manufacture',
  QualityCheck: 'quality_check',
  Ship: 'ship',
} as const;
export type TaskFunction = (typeof TaskFunction)[keyof typeof TaskFunction];
export const TASK_FUNCTIONS: readonly TaskFunction[] = Object.values(TaskFunction);

/** workflow_category_enum */
export const WorkflowCategory = {
  Submission: 'submission',
  Review: 'review',
  Production: 'production',
  QualityCheck: 'quality_check',
  Delivery: 'delivery',
  FollowUp: 'follow_up',
  Scanning: 'scanning',
  Modeling: 'modeling',
  Manufacturing: 'manufacturing',
} as const;
export type WorkflowCategory = (typeof WorkflowCategory)[keyof typeof WorkflowCategory];
export const WORKFLOW_CATEGORIES: readonly WorkflowCategory[] = Object.values(WorkflowCategory);

/** case_state_enum */
export const CaseState = {
  Submitted: 'submitted',
  UnderReview: 'under_review',
  Planning: 'planning',
  Approved: 'approved',
  InProduction: 'in_production',
  QualityCheck: 'quality_check',
  Shipped: 'shipped',
  Delivered: 'delivered',
  Completed: 'completed',
  OnHold: 'on_hold',
  Cancelled: 'cancelled',
} as const;
export type CaseState = (typeof CaseState)[keyof typeof CaseState];
export const CASE_STATES: readonly CaseState[] = Object.values(CaseState);

/** Runtime check for values read from jsonb metadata, where the database enforces nothing. */
export function isCaseState(value: unknown): value is CaseState {
  return typeof value === 'string' && (CASE_STATES as readonly string[]).includes(value);
}

// ---------------------------------------------------------------------------------------------
// Compiler input: one template as loaded from workflow_templates / _tasks / workflow_steps
// ---------------------------------------------------------------------------------------------

/** One workflow_template_tasks row, camelCased; `estimated_duration` already converted to ms. */
export interface TemplateTaskInput {
  id: string;
  taskName: string;
  taskOrder: number;
  functionType: TaskFunction;
  actionName?: string | null;
  textPrompt?: string | null;
  estimatedDurationMs: number | null;
  requiredRoles: PracticeRole[] | null;
  category: WorkflowCategory | null;
  autoTransition: boolean;
  /** null = "the task with the next lower taskOrder"; [] = entry task; else ids in this template. */
  predecessorTasks: string[] | null;
  metadata: Record<string, unknown>;
}

/** One workflow_steps row, camelCased; `estimated_duration` already converted to ms. */
export interface WorkflowStepInput {
  stepOrder: number;
  name: string;
  state: CaseState;
  autoTransition: boolean;
  requiredRoles: PracticeRole[] | null;
  estimatedDurationMs: number | null;
}

export interface TemplateInput {
  id: string;
  version: number;
  name: string;
  caseType: string;
  tasks: TemplateTaskInput[];
  steps?: WorkflowStepInput[];
  /**
   * Ids of tasks that belong to OTHER templates. Only used to tell "you pointed at another
   * template's task" apart from "this id does not exist" in error messages.
   */
  foreignTaskIds?: ReadonlySet<string> | readonly string[];
}

// ---------------------------------------------------------------------------------------------
// Compiler output: the executable plan
// ---------------------------------------------------------------------------------------------

/**
 * How a task gets completed:
 * - automatic: the system runs an activity for its function type and completes it;
 * - external: waits for an outside system (lab machine, carrier) to report completion;
 * - decision: a human with one of `requiredRoles` approves, rejects or requests changes.
 */
export const TaskKind = {
  Automatic: 'automatic',
  External: 'external',
  Decision: 'decision',
} as const;
export type TaskKind = (typeof TaskKind)[keyof typeof TaskKind];

/**
 * One task of a compiled plan. Plain JSON on purpose: plans travel inside Temporal workflow
 * inputs, so they hold no Sets/Maps/classes and no patient data (only template data).
 */
export interface PlanTask {
  id: string;
  name: string;
  order: number;
  functionType: TaskFunction;
  kind: TaskKind;
  category: WorkflowCategory | null;
  /** Who may act on / decide the task. Never null; may be empty for automatic tasks. */
  requiredRoles: PracticeRole[];
  /** Expected duration (SLA) in ms; null = no SLA. */
  estimatedMs: number | null;
  /** State the case enters when the task becomes active; null = keep the current state. */
  entryState: CaseState | null;
  /** State the case enters when the task completes; null = keep the current state. */
  exitState: CaseState | null;
  /** Tasks that must all be done before this one becomes active (plan order). */
  predecessors: string[];
  /** Tasks that list this one as a predecessor (plan order). */
  successors: string[];
  /** Where work restarts when this task is rejected (an ancestor of the task, or itself). */
  reworkTargetId: string;
  /** Tasks to put back to pending when this task is rejected, including itself (by order). */
  reworkResetIds: string[];
  /** Set when the task carries an instruction (metadata.instruction_type). */
  instructionType: string | null;
  actionName: string | null;
}

export interface Plan {
  templateId: string;
  templateVersion: number;
  caseType: string;
  /** Topologically sorted: every task comes after all its predecessors; ties by order. */
  tasks: PlanTask[];
  /** Tasks active as soon as the case starts (plan order). */
  entryTaskIds: string[];
  /** Tasks nothing depends on; the case is finished when all tasks are done (plan order). */
  finalTaskIds: string[];
}

export const TemplateErrorCode = {
  NoTasks: 'no_tasks',
  DuplicateTaskOrder: 'duplicate_task_order',
  DuplicateTaskId: 'duplicate_task_id',
  SelfPredecessor: 'self_predecessor',
  UnknownPredecessor: 'unknown_predecessor',
  CrossTemplatePredecessor: 'cross_template_predecessor',
  Cycle: 'cycle',
  DecisionWithoutRoles: 'decision_without_roles',
  InvalidState: 'invalid_state',
  InvalidReworkTarget: 'invalid_rework_target',
  NegativeDuration: 'negative_duration',
  Unreachable: 'unreachable',
} as const;
export type TemplateErrorCode = (typeof TemplateErrorCode)[keyof typeof TemplateErrorCode];

/** A problem in a template, phrased for the person who edits templates. */
export interface TemplateError {
  code: TemplateErrorCode;
  /** The task the problem is about; null for template-wide problems (no_tasks). */
  taskId: string | null;
  taskName: string | null;
  message: string;
}

export type CompileResult = { ok: true; plan: Plan } | { ok: false; errors: TemplateError[] };
