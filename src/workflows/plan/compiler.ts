/**
 * Compiles a workflow template (rows of workflow_templates / workflow_template_tasks /
 * workflow_steps) into an executable `Plan`: a validated task DAG with every decision the
 * workflow needs precomputed (kind, case states, SLA, rework reset sets), so the Temporal
 * workflow only walks the graph and never interprets template metadata itself.
 *
 * Pure and deterministic on purpose: it runs inside Temporal workflow code (webpack bundle,
 * replayed on every worker), so no I/O, no clock, no randomness, no Node built-ins. The same
 * template always compiles to the same plan, byte for byte.
 *
 * Semantics are documented for template authors in ./README.md.
 */
import {
  CaseState,
  isCaseState,
  TaskFunction,
  TaskKind,
  TemplateErrorCode,
  WorkflowCategory,
} from './plan.types';
import type {
  CompileResult,
  Plan,
  PlanTask,
  TemplateError,
  TemplateInput,
  TemplateTaskInput,
  WorkflowStepInput,
} from './plan.types';

export type {
  CompileResult,
  Plan,
  PlanTask,
  TemplateError,
  TemplateInput,
  TemplateTaskInput,
  WorkflowStepInput,
} from './plan.types';

/**
 * Case states implied by a task's function when the template says nothing. They encode the
 * usual orthodontic lab flow (submitted → under_review → planning → approved → in_production →
 * quality_check → shipped/delivered) so that most templates need no state metadata at all.
 */
const DEFAULT_STATES: Record<TaskFunction, { entry: CaseState | null; exit: CaseState | null }> = {
  submit: { entry: CaseState.Submitted, exit: null },
  review: { entry: CaseState.UnderReview, exit: null },
  approve: { entry: CaseState.Planning, exit: CaseState.Approved },
  scan: { entry: CaseState.Planning, exit: null },
  model: { entry: CaseState.Planning, exit: null },
  manufacture: { entry: CaseState.InProduction, exit: null },
  quality_check: { entry: CaseState.QualityCheck, exit: null },
  ship: { entry: null, exit: CaseState.Shipped },
  process: { entry: null, exit: null },
  notify: { entry: null, exit: null },
  archive: { entry: null, exit: null },
};

/** Internal working record for one (unique-id) task; never leaves this module. */
interface TaskNode {
  task: TemplateTaskInput;
  /** Position in the (taskOrder, input position) ordering; used for stable sorting. */
  rank: number;
  meta: Record<string, unknown>;
  /** Valid predecessors inside this template (deduplicated). */
  preds: string[];
  succs: string[];
  /** Declared as an entry: `[]`, or `null` on the lowest task_order. */
  isEntry: boolean;
  /** Listed a predecessor that could not be resolved (already reported). */
  brokenPreds: boolean;
}

interface RankedError extends TemplateError {
  rank: number;
}

/**
 * Validates a template and turns it into a `Plan`. Returns every problem found (not only the
 * first) so a template editor can fix them all in one round.
 */
export function compileTemplate(input: TemplateInput): CompileResult {
  const errors: RankedError[] = [];
  const steps = input.steps ?? [];

  let tasks = input.tasks;
  if (tasks.length === 0) {
    if (steps.length === 0) {
      return {
        ok: false,
        errors: [
          {
            code: TemplateErrorCode.NoTasks,
            taskId: null,
            taskName: null,
            message: `Template "${input.name}" (version ${input.version}) has neither tasks nor workflow steps, so a case would have nothing to do.`,
          },
        ],
      };
    }
    tasks = tasksFromSteps(steps);
  }

  const stepByOrder = new Map<number, WorkflowStepInput>();
  for (const step of steps) if (!stepByOrder.has(step.stepOrder)) stepByOrder.set(step.stepOrder, step);

  const foreign = new Set<string>(input.foreignTaskIds ?? []);

  // Sort once by (taskOrder, input position): everything downstream (implicit predecessors,
  // error order, tie-breaks in the topological sort) is then deterministic.
  const sorted = tasks
    .map((task, position) => ({ task, position }))
    .sort((a, b) => a.task.taskOrder - b.task.taskOrder || a.position - b.position)
    .map((entry) => entry.task);

  const fail = (node: { task: TemplateTaskInput; rank: number }, code: TemplateErrorCode, message: string): void => {
    errors.push({ code, taskId: node.task.id, taskName: node.task.taskName, message, rank: node.rank });
  };

  // --- identity: duplicate ids are dropped from the graph (the lower order keeps the id) ---
  const nodes: TaskNode[] = [];
  const byId = new Map<string, TaskNode>();
  sorted.forEach((task, rank) => {
    const existing = byId.get(task.id);
    if (existing) {
      fail({ task, rank }, TemplateErrorCode.DuplicateTaskId,
        `${label(task)} has id ${task.id}, which is already used by ${label(existing.task, false)}.`);
      return;
    }
    const meta = isRecord(task.metadata) ? task.metadata : {};
    const node: TaskNode = { task, rank, meta, preds: [], succs: [], isEntry: false, brokenPreds: false };
    nodes.push(node);
    byId.set(task.id, node);
  });

  const firstByOrder = new Map<number, TaskNode>();
  for (const node of nodes) {
    const first = firstByOrder.get(node.task.taskOrder);
    if (first) {
      fail(node, TemplateErrorCode.DuplicateTaskOrder,
        `${label(node.task)} has the same task order as task "${first.task.taskName}"; each task needs its own order.`);
    } else {
      firstByOrder.set(node.task.taskOrder, node);
    }
  }

  // --- predecessors ---
  const distinctOrders = [...firstByOrder.keys()].sort((a, b) => a - b);
  for (const node of nodes) {
    const declared = node.task.predecessorTasks ?? null;
    if (declared === null) {
      const previousOrder = previousOf(distinctOrders, node.task.taskOrder);
      if (previousOrder === undefined) {
        node.isEntry = true;
      } else {
        // With a duplicate order (already an error) every task at that order is a predecessor,
        // so the rest of validation does not pile up spurious errors.
        node.preds = nodes.filter((n) => n.task.taskOrder === previousOrder).map((n) => n.task.id);
      }
      continue;
    }
    if (declared.length === 0) {
      node.isEntry = true;
      continue;
    }
    for (const predId of unique(declared)) {
      if (predId === node.task.id) {
        node.brokenPreds = true;
        fail(node, TemplateErrorCode.SelfPredecessor,
          `${label(node.task)} lists itself as a predecessor, so it could never start.`);
      } else if (byId.has(predId)) {
        node.preds.push(predId);
      } else if (foreign.has(predId)) {
        node.brokenPreds = true;
        fail(node, TemplateErrorCode.CrossTemplatePredecessor,
          `${label(node.task)} lists predecessor ${predId}, which is a task of another template; predecessors must be tasks of this template.`);
      } else {
        node.brokenPreds = true;
        fail(node, TemplateErrorCode.UnknownPredecessor,
          `${label(node.task)} lists predecessor ${predId} which is not a task of this template.`);
      }
    }
  }
  for (const node of nodes) for (const predId of node.preds) byId.get(predId)?.succs.push(node.task.id);

  const ancestors = computeAncestors(nodes, byId);
  const ancestorsOf = (id: string): ReadonlySet<string> => ancestors.get(id) ?? new Set<string>();

  // --- cycles: a task on a cycle is its own ancestor ---
  const onCycle = new Set(nodes.filter((n) => ancestorsOf(n.task.id).has(n.task.id)).map((n) => n.task.id));
  for (const node of nodes) {
    if (!onCycle.has(node.task.id)) continue;
    const mates = nodes.filter(
      (m) => m !== node && ancestorsOf(node.task.id).has(m.task.id) && ancestorsOf(m.task.id).has(node.task.id),
    );
    fail(node, TemplateErrorCode.Cycle,
      `${label(node.task)} is on a predecessor cycle with ${mates.map((m) => label(m.task, false)).join(', ')}: each waits for the other, so none of them can ever start.`);
  }

  // --- reachability from entry tasks ---
  const reached = new Set<string>();
  const queue = nodes.filter((n) => n.isEntry).map((n) => n.task.id);
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    if (reached.has(id)) continue;
    reached.add(id);
    queue.push(...(byId.get(id)?.succs ?? []));
  }
  for (const node of nodes) {
    // Tasks on a cycle or with a broken predecessor list are already reported with the cause.
    if (reached.has(node.task.id) || onCycle.has(node.task.id) || node.brokenPreds) continue;
    fail(node, TemplateErrorCode.Unreachable,
      `${label(node.task)} can never start: no chain of predecessors leads to it from an entry task (a task with no predecessors).`);
  }

  // --- per-task properties ---
  const compiled = new Map<string, Omit<PlanTask, 'predecessors' | 'successors'>>();
  for (const node of nodes) {
    const { task, meta } = node;
    const kind = kindOf(task, meta);

    const roles = unique(task.requiredRoles ?? []);
    if (kind !== TaskKind.Automatic && roles.length === 0) {
      fail(node, TemplateErrorCode.DecisionWithoutRoles,
        kind === TaskKind.External
          ? `${label(task)} waits for an outside system but has no required roles, so nobody may confirm or override it.`
          : `${label(task)} needs a human decision but has no required roles, so nobody may decide it.`);
    }

    const stepOrder = readOrder(meta['step_order']);
    const step = stepOrder === undefined ? undefined : stepByOrder.get(stepOrder);

    const states = resolveStates(task, meta, step, (message) => fail(node, TemplateErrorCode.InvalidState, message));

    const estimatedMs = task.estimatedDurationMs ?? step?.estimatedDurationMs ?? null;
    if (estimatedMs !== null && !(Number.isFinite(estimatedMs) && estimatedMs >= 0)) {
      fail(node, TemplateErrorCode.NegativeDuration,
        `${label(task)} has an estimated duration of ${String(estimatedMs)} ms${task.estimatedDurationMs === null ? ` (from workflow step ${String(stepOrder)})` : ''}; it must be zero or more.`);
    }

    const reworkTargetId = resolveReworkTarget(node, byId, ancestorsOf, (message) =>
      fail(node, TemplateErrorCode.InvalidReworkTarget, message));

    const instruction = meta['instruction_type'];
    compiled.set(task.id, {
      id: task.id,
      name: task.taskName,
      order: task.taskOrder,
      functionType: task.functionType,
      kind,
      category: task.category ?? null,
      requiredRoles: roles,
      estimatedMs,
      entryState: states.entry,
      exitState: states.exit,
      reworkTargetId,
      reworkResetIds: reworkResetIds(task.id, reworkTargetId, nodes, ancestorsOf),
      instructionType: typeof instruction === 'string' && instruction.trim() !== '' ? instruction : null,
      actionName: task.actionName ?? null,
    });
  }

  if (errors.length > 0) {
    // Stable sort: all problems of one task together, tasks in template order.
    const ordered = errors
      .map((error, position) => ({ error, position }))
      .sort((a, b) => a.error.rank - b.error.rank || a.position - b.position)
      .map(({ error }): TemplateError => ({
        code: error.code,
        taskId: error.taskId,
        taskName: error.taskName,
        message: error.message,
      }));
    return { ok: false, errors: ordered };
  }

  const topo = topologicalOrder(nodes, byId);
  const position = new Map(topo.map((node, index) => [node.task.id, index]));
  const byPlanOrder = (ids: string[]): string[] =>
    [...ids].sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));

  const planTasks: PlanTask[] = topo.map((node) => {
    const base = compiled.get(node.task.id);
    if (!base) throw new Error(`compileTemplate: internal error, task ${node.task.id} was not compiled`);
    return { ...base, predecessors: byPlanOrder(node.preds), successors: byPlanOrder(node.succs) };
  });

  const plan: Plan = {
    templateId: input.id,
    templateVersion: input.version,
    caseType: input.caseType,
    tasks: planTasks,
    entryTaskIds: planTasks.filter((t) => t.predecessors.length === 0).map((t) => t.id),
    finalTaskIds: planTasks.filter((t) => t.successors.length === 0).map((t) => t.id),
  };
  return { ok: true, plan };
}

// ---------------------------------------------------------------------------------------------
// Helpers for the workflow
// ---------------------------------------------------------------------------------------------

/**
 * Ids of the tasks that may become active now: all predecessors are done and the task itself
 * is neither active nor done. Returned in plan order, so activating them in that order is
 * deterministic across workflow replays.
 */
export function readyTasks(plan: Plan, doneIds: readonly string[], activeOrDoneIds: readonly string[]): string[] {
  const done = new Set(doneIds);
  const started = new Set(activeOrDoneIds);
  return plan.tasks
    .filter((t) => !done.has(t.id) && !started.has(t.id) && t.predecessors.every((p) => done.has(p)))
    .map((t) => t.id);
}

/** True when every task of the plan is done (a case is finished only when all branches are). */
export function isComplete(plan: Plan, doneIds: readonly string[]): boolean {
  const done = new Set(doneIds);
  return plan.tasks.every((t) => done.has(t.id));
}

/** The plan task with this id, if any. */
export function findTask(plan: Plan, taskId: string): PlanTask | undefined {
  return plan.tasks.find((t) => t.id === taskId);
}

// ---------------------------------------------------------------------------------------------
// Internals
// ---------------------------------------------------------------------------------------------

/**
 * Legacy templates only have workflow_steps: each step becomes one task of a linear plan, so
 * the workflow has a single execution model. Steps are linked via `step_order` metadata to
 * reuse the normal state/estimate resolution (entry state = the step's state).
 */
function tasksFromSteps(steps: readonly WorkflowStepInput[]): TemplateTaskInput[] {
  return [...steps]
    .sort((a, b) => a.stepOrder - b.stepOrder)
    .map((step) => ({
      id: `step-${step.stepOrder}`,
      taskName: step.name,
      taskOrder: step.stepOrder,
      functionType: step.autoTransition ? TaskFunction.Process : TaskFunction.Review,
      actionName: null,
      textPrompt: null,
      estimatedDurationMs: step.estimatedDurationMs,
      requiredRoles: step.requiredRoles,
      category: null,
      autoTransition: step.autoTransition,
      predecessorTasks: null,
      metadata: { step_order: step.stepOrder },
    }));
}

function kindOf(task: TemplateTaskInput, meta: Record<string, unknown>): TaskKind {
  if (task.autoTransition) return TaskKind.Automatic;
  if (meta['completion'] === 'external') return TaskKind.External;
  return TaskKind.Decision;
}

/**
 * Entry and exit states are resolved independently: explicit metadata wins (JSON null there
 * means "keep the current state", overriding the default), then the linked workflow step
 * (entry only), then the function-type default.
 */
function resolveStates(
  task: TemplateTaskInput,
  meta: Record<string, unknown>,
  step: WorkflowStepInput | undefined,
  report: (message: string) => void,
): { entry: CaseState | null; exit: CaseState | null } {
  const defaults = DEFAULT_STATES[task.functionType] ?? { entry: null, exit: null };
  const defaultExit =
    task.functionType === TaskFunction.Ship && task.category === WorkflowCategory.Delivery
      ? CaseState.Delivered
      : defaults.exit;

  const explicit = (key: 'entry_state' | 'exit_state'): { value: CaseState | null } | undefined => {
    if (!(key in meta) || meta[key] === undefined) return undefined;
    const raw = meta[key];
    if (raw === null) return { value: null };
    if (isCaseState(raw)) return { value: raw };
    report(`${label(task)} has metadata ${key} ${JSON.stringify(raw)}, which is not a case state.`);
    return { value: null };
  };

  let entry: CaseState | null;
  const explicitEntry = explicit('entry_state');
  if (explicitEntry) {
    entry = explicitEntry.value;
  } else if (step) {
    if (isCaseState(step.state)) {
      entry = step.state;
    } else {
      report(`${label(task)} follows workflow step ${step.stepOrder} ("${step.name}"), whose state ${JSON.stringify(step.state)} is not a case state.`);
      entry = null;
    }
  } else {
    entry = defaults.entry;
  }

  const explicitExit = explicit('exit_state');
  const exit = explicitExit ? explicitExit.value : defaultExit;
  return { entry, exit };
}

/**
 * Where work restarts when the task is rejected. Explicit metadata (`rework_task_id`, else
 * `rework_task_order`) must name the task itself or one of its ancestors: rework can only go
 * back upstream. The default is the closest human-relevant direct predecessor (automatic
 * notify/archive tasks only echo what came before them), else the task itself.
 */
function resolveReworkTarget(
  node: TaskNode,
  byId: ReadonlyMap<string, TaskNode>,
  ancestorsOf: (id: string) => ReadonlySet<string>,
  report: (message: string) => void,
): string {
  const { task, meta } = node;
  const self = task.id;
  const rawId = meta['rework_task_id'];
  const rawOrder = meta['rework_task_order'];

  let target: TaskNode | undefined;
  let described: string;
  if (rawId !== undefined && rawId !== null) {
    described = `rework_task_id ${JSON.stringify(rawId)}`;
    target = typeof rawId === 'string' ? byId.get(rawId) : undefined;
  } else if (rawOrder !== undefined && rawOrder !== null) {
    described = `rework_task_order ${JSON.stringify(rawOrder)}`;
    const order = readOrder(rawOrder);
    target = order === undefined ? undefined : [...byId.values()].find((n) => n.task.taskOrder === order);
  } else {
    const candidates = node.preds
      .map((id) => byId.get(id))
      .filter((n): n is TaskNode => n !== undefined && !isEcho(n.task))
      .sort((a, b) => b.task.taskOrder - a.task.taskOrder || a.rank - b.rank);
    return candidates[0]?.task.id ?? self;
  }

  if (!target) {
    report(`${label(task)} has ${described}, which is not a task of this template.`);
    return self;
  }
  if (target.task.id !== self && !ancestorsOf(self).has(target.task.id)) {
    report(`${label(task)} sends rework to ${label(target.task, false)} (${described}), which does not come before it; rework can only go back to the task itself or one of its predecessors (direct or indirect).`);
    return self;
  }
  return target.task.id;
}

/** Automatic notify/archive tasks redo nothing useful, so rework never targets them by default. */
function isEcho(task: TemplateTaskInput): boolean {
  return task.autoTransition && (task.functionType === TaskFunction.Notify || task.functionType === TaskFunction.Archive);
}

/**
 * Everything between the rework target and the rejected task (both included) must run again:
 * the target, every descendant of the target that leads to the rejected task, and the task.
 * Parallel branches that do not lead to the rejected task keep their status.
 */
function reworkResetIds(
  taskId: string,
  targetId: string,
  nodes: readonly TaskNode[],
  ancestorsOf: (id: string) => ReadonlySet<string>,
): string[] {
  const upstream = ancestorsOf(taskId);
  return nodes
    .filter((n) => {
      const id = n.task.id;
      return id === taskId || id === targetId || (upstream.has(id) && ancestorsOf(id).has(targetId));
    })
    .map((n) => n.task.id);
}

/** Transitive predecessors per task (a task on a cycle contains itself). Templates are small. */
function computeAncestors(nodes: readonly TaskNode[], byId: ReadonlyMap<string, TaskNode>): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  for (const node of nodes) {
    const seen = new Set<string>();
    const stack = [...node.preds];
    for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...(byId.get(id)?.preds ?? []));
    }
    result.set(node.task.id, seen);
  }
  return result;
}

/** Kahn's algorithm; among ready tasks the lowest (taskOrder, input position) goes first. */
function topologicalOrder(nodes: readonly TaskNode[], byId: ReadonlyMap<string, TaskNode>): TaskNode[] {
  const pending = new Map(nodes.map((n) => [n.task.id, n.preds.length]));
  const ready = nodes.filter((n) => n.preds.length === 0);
  const order: TaskNode[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => a.rank - b.rank);
    const next = ready.shift() as TaskNode;
    order.push(next);
    for (const succId of next.succs) {
      const left = (pending.get(succId) ?? 0) - 1;
      pending.set(succId, left);
      const succ = byId.get(succId);
      if (left === 0 && succ) ready.push(succ);
    }
  }
  return order;
}

function label(task: TemplateTaskInput, capital = true): string {
  return `${capital ? 'Task' : 'task'} "${task.taskName}" (order ${task.taskOrder})`;
}

function previousOf(sortedOrders: readonly number[], order: number): number | undefined {
  let previous: number | undefined;
  for (const candidate of sortedOrders) {
    if (candidate >= order) break;
    previous = candidate;
  }
  return previous;
}

/** jsonb may hold an order as a number or a numeric string. */
function readOrder(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
