/**
 * One durable workflow per case. It interprets the plan compiled from the case's workflow
 * template: tasks whose predecessors are done become active, automatic tasks run activities,
 * decision and external tasks wait for Workflow Updates, SLAs raise overdue flags and
 * escalations, and every change is persisted by activities with idempotency keys.
 *
 * All state changes run one at a time under `serialized()`, so an update handler that awaits a
 * persistence activity never interleaves with the main loop or another handler.
 *
 * Changing this file: running cases replay their history against the new code. A change that
 * alters the commands a case emits (activities, timers, search-attribute upserts, their order)
 * goes behind `patched('<change-id>')`, with new histories recorded (`npm run histories:record`);
 * the replay test of test/histories/ fails CI otherwise.
 */
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  currentUpdateInfo,
  workflowInfo,
  allHandlersFinished,
} from '@temporalio/workflow';
import type { createCaseActivities } from '../activities/case.activities';
import * as SA from '../../temporal/search-attributes';
import {
  CASE_MANAGER_ROLES,
  CaseRefusal,
  PRIORITY_SLA_FACTOR,
  SYSTEM_PROFILE_ID,
  assignTaskUpdate,
  cancelUpdate,
  caseViewQuery,
  isLead,
  changePriorityUpdate,
  completeTaskUpdate,
  decideUpdate,
  holdUpdate,
  projectVersionAddedUpdate,
  resumeUpdate,
  SEAT_DATE_ROLES,
  DEFAULT_AT_RISK_SLACK_MS,
  setSeatDateUpdate,
  type Actor,
  type ApprovalPin,
  type AssignArgs,
  type CaseSnapshot,
  type CaseView,
  type CaseWorkflowInput,
  type DecisionKind,
  type MessageEvidence,
  type SeatView,
  type ProjectVersionRef,
  type TaskRuntime,
} from './case.messages';
import { DAY_MS, riskAt, type Risk } from './seat-plan';
import { InstructionStatus, type AwaitingTask, type CaseEvent, type TaskPerformance } from './case.events';
import { isComplete, readyTasks } from './plan/compiler';
import type { CaseState, PlanTask, PracticeRole } from './plan/plan.types';

type Activities = ReturnType<typeof createCaseActivities>;

/**
 * Short database writes: retried until they succeed (never lose a transition). The timeout is
 * also how long a write stays stuck on a worker that died, so it is kept short.
 */
const db = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
/**
 * The same writes as local activities: they run in the worker that runs the workflow task, so
 * a staff decision does not wait for two task dispatches (bench/README.md: ~9× a bare update
 * with a regular activity). Idempotency keys make a re-run after a worker crash harmless.
 */
const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
/**
 * Internal automatic tasks (notify, archive, process: bookkeeping in our own database) as local
 * activities; production steps go through hooks an integration may replace with slow calls to
 * lab machines or carriers, so they stay regular activities with heartbeats.
 */
const localWork = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
const LOCAL_FUNCTIONS: ReadonlySet<string> = new Set(['notify', 'archive', 'process']);
/** Automatic task hooks (integrations may call out): longer timeout, still retried. */
const work = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

const DEFAULT_HISTORY_LIMIT = 10_000;
/** Patch id: case events and internal automatic tasks run as local activities. */
const LOCAL_PERSISTENCE = 'local-persistence';
/**
 * Also persists a change of the awaiting tasks that no event carried (flushAwaiting), so
 * awaiting_tasks (the inbox) is always current.
 */
const AWAITING_TASKS = 'awaiting-tasks';
/**
 * Decisions kept in the workflow (all are in case_states / messages). Every update result and
 * continue-as-new input carries them: unbounded, they grow history quadratically.
 */
/**
 * Patch id: an update may carry the message that proposed it (evidence), recorded with the
 * transition. Checked only when an update carries evidence, which no recorded history does.
 */
const MESSAGE_EVIDENCE = 'message-evidence';

/**
 * Persists cases.due_at (the planned completion: the remaining critical path) and is_overdue
 * (any active task overdue) with every event that changes them. Before, due_at was never set and
 * is_overdue stayed true after the late task was done.
 */
const DEADLINES = 'deadlines';
/**
 * Patch id: seat appointment back-planning (issue 11, part 3): risk levels recorded through
 * recordCaseAtRisk, the AtRisk search attribute, and a timer for the next level. Only cases with
 * a seat date reach it, so cases without one emit exactly the commands they did before.
 */
const SEAT_DATE = 'seat-date';
/**
 * Patch id: a decision may pin the project version it decided on (decision record, case_states
 * metadata), and a newer version of that project reopens a pinned approval. Only reached by an
 * update that carries a project version or announces one, which no earlier history has.
 */
const PROJECT_VERSIONS = 'project-versions';
const DECISIONS_KEPT = 50;
const RECENT_UPDATES_KEPT = 50;

export async function caseWorkflow(input: CaseWorkflowInput): Promise<CaseView> {
  const { plan } = input;
  const info = workflowInfo();
  const taskById = new Map(plan.tasks.map((t) => [t.id, t]));
  const s: CaseSnapshot = input.snapshot ?? newSnapshot(input);
  if (!input.snapshot && input.seat) s.seat = { ...input.seat, level: null, events: 0 };

  // ---- serialisation: one state change at a time -------------------------------------------
  let busy = false;
  async function serialized<T>(fn: () => Promise<T>): Promise<T> {
    await condition(() => !busy);
    busy = true;
    try {
      return await fn();
    } finally {
      busy = false;
    }
  }

  // ---- persistence ---------------------------------------------------------------------------
  let persistedAwaiting = '';
  let persistedDeadline = '';
  async function persist(e: Omit<CaseEvent, 'key' | 'caseId' | 'practiceId' | 'at' | 'workflowId' | 'runId' | 'awaiting'>): Promise<void> {
    s.seq += 1;
    const tasks = awaitingTasks();
    const fingerprint = awaitingFingerprint(tasks);
    const awaitingChanged = fingerprint !== persistedAwaiting;
    persistedAwaiting = fingerprint;
    // Cases started before this change persist through regular activities (their histories say so).
    const persistCaseEvent = patched(LOCAL_PERSISTENCE) ? local.persistCaseEvent : db.persistCaseEvent;
    let caseFields = e.caseFields;
    if (s.status === 'active' && patched(DEADLINES)) {
      const due = plannedCompletion(Date.now());
      const deadline = { dueAt: due === null ? null : new Date(due).toISOString(), isOverdue: isOverdue() };
      const fingerprint = JSON.stringify(deadline);
      if (fingerprint !== persistedDeadline) {
        persistedDeadline = fingerprint;
        caseFields = { ...deadline, ...e.caseFields };
      }
    }
    await persistCaseEvent({
      key: `${info.workflowId}/${s.seq}`,
      caseId: input.caseId,
      practiceId: input.practiceId,
      at: new Date(Date.now()).toISOString(),
      workflowId: info.workflowId,
      runId: info.runId,
      ...e,
      ...(caseFields ? { caseFields } : {}),
      ...(awaitingChanged ? { awaiting: { seq: s.seq, priority: s.priority, tasks } } : {}),
    });
  }

  /**
   * The planned completion: the latest earliest-finish over the remaining plan. An active task
   * finishes at its due time (now once overdue: it is late, not planned); a pending task starts
   * when its last predecessor finishes and takes its estimate scaled by priority. null when no
   * task has an estimate (no SLA to plan with).
   */
  function plannedCompletion(now: number): number | null {
    if (!plan.tasks.some((t) => t.estimatedMs !== null)) return null;
    const finish = new Map<string, number>();
    let end = now;
    for (const t of plan.tasks) {
      const r = rt(t.id);
      let at: number;
      if (r.status === 'done') at = now;
      else if (r.status === 'active') at = r.dueAt !== null && r.dueAt > now ? r.dueAt : now;
      else {
        const start = t.predecessors.reduce((m, p) => Math.max(m, finish.get(p) ?? now), now);
        at = start + (t.estimatedMs === null ? 0 : Math.round(t.estimatedMs * PRIORITY_SLA_FACTOR[s.priority]));
      }
      finish.set(t.id, at);
      end = Math.max(end, at);
    }
    return end;
  }

  /**
   * Persists the awaiting tasks when they changed but no event carried them (an external task
   * completed in place, with an automatic task next). Called once at the end of each change, so
   * the usual path (the next task's activation persists them) costs no extra event.
   */
  async function flushAwaiting(): Promise<void> {
    if (s.status === 'active' && awaitingFingerprint(awaitingTasks()) !== persistedAwaiting && patched(AWAITING_TASKS)) {
      await persist({ actorId: SYSTEM_PROFILE_ID, taskId: null });
    }
  }

  /**
   * `late`: the transition ends a task that took longer than its estimate (a bottleneck). Only the
   * caller knows: entering a task says nothing about the time spent in the previous state.
   */
  async function moveTo(to: CaseState, actorId: string, reason: string | null, taskId: string | null, extra: Partial<CaseEvent> = {}, late = false) {
    if (s.hold && to !== 'on_hold' && to !== 'completed' && to !== 'cancelled') {
      // On hold the case stays on_hold; the state it returns to on resume moves instead.
      s.hold.resumeState = to;
      to = s.state;
    }
    if (to === s.state) {
      if (extra.message || extra.instruction || extra.caseFields) await persist({ actorId, taskId, ...extra });
      return;
    }
    const now = Date.now();
    const elapsed = now - s.stateSince;
    const from = s.state;
    s.state = to;
    s.stateSince = now;
    await persist({
      actorId,
      taskId,
      ...extra,
      transition: { from, to, reason, minutesInPrevious: Math.round(elapsed / 60_000), bottleneck: late },
    });
    syncSearchAttributes();
  }

  /** Upserts only what changed: every upsert is a history event. */
  let upserted = '';
  function syncSearchAttributes(): void {
    const values = { state: s.state, priority: s.priority, overdue: isOverdue(), roles: rolesAwaited() };
    const fingerprint = JSON.stringify(values);
    if (fingerprint === upserted) return;
    upserted = fingerprint;
    upsertSearchAttributes([
      { key: SA.CaseState, value: values.state },
      { key: SA.CasePriority, value: values.priority },
      { key: SA.Overdue, value: values.overdue },
      { key: SA.AwaitingRoles, value: values.roles },
    ]);
  }

  // ---- derived views -------------------------------------------------------------------------
  const rt = (id: string): TaskRuntime => s.tasks[id]!;
  const doneIds = () => plan.tasks.filter((t) => rt(t.id).status === 'done').map((t) => t.id);
  const startedIds = () => plan.tasks.filter((t) => rt(t.id).status !== 'pending').map((t) => t.id);
  const awaiting = (t: PlanTask) => t.kind !== 'automatic' && rt(t.id).status === 'active';
  const isOverdue = () => plan.tasks.some((t) => rt(t.id).status === 'active' && rt(t.id).overdue);
  function rolesAwaited(): PracticeRole[] {
    if (s.status !== 'active' || s.hold) return [];
    const roles = new Set<PracticeRole>();
    for (const t of plan.tasks) if (awaiting(t)) t.requiredRoles.forEach((r) => roles.add(r));
    return [...roles].sort();
  }
  const awaitingFingerprint = (tasks: AwaitingTask[]) => JSON.stringify([s.priority, tasks]);
  function awaitingTasks(): AwaitingTask[] {
    if (s.status !== 'active' || s.hold) return [];
    return plan.tasks.filter(awaiting).map((t) => ({
      taskId: t.id,
      name: t.name,
      kind: t.kind as AwaitingTask['kind'],
      roles: t.requiredRoles,
      dueAt: rt(t.id).dueAt === null ? null : new Date(rt(t.id).dueAt!).toISOString(),
      overdue: rt(t.id).overdue,
      // Only when assigned: the awaiting fingerprint of cases without assignees stays as it was.
      ...(rt(t.id).assignee ? { assignee: rt(t.id).assignee! } : {}),
    }));
  }
  function view(): CaseView {
    return {
      caseId: input.caseId,
      status: s.status,
      state: s.state,
      priority: s.priority,
      onHold: s.hold !== null,
      holdReason: s.hold?.reason ?? null,
      overdue: isOverdue(),
      rolesAwaited: rolesAwaited(),
      tasks: plan.tasks.map((t) => ({
        id: t.id,
        name: t.name,
        kind: t.kind,
        functionType: t.functionType,
        status: rt(t.id).status,
        awaitingDecision: awaiting(t) && s.status === 'active' && !s.hold,
        requiredRoles: t.requiredRoles,
        dueAt: rt(t.id).dueAt === null ? null : new Date(rt(t.id).dueAt!).toISOString(),
        overdue: rt(t.id).overdue,
        reworks: rt(t.id).reworks,
        assigneeId: rt(t.id).assignee ?? null,
      })),
      decisions: s.decisions.map((d) => ({ ...d, at: new Date(d.at).toISOString() })),
      reworkCount: s.reworkCount,
      ...(s.seat ? { seat: seatView() } : {}),
    };
  }

  // ---- seat appointment: back-planning and risk ------------------------------------------------
  function risk(now: number): Risk {
    const seat = s.seat!;
    if (s.status !== 'active') return { level: 'on_track', latestStart: null, slackMs: null, taskIds: [], nextChangeAt: null };
    return riskAt(plan, (id) => rt(id).status, PRIORITY_SLA_FACTOR[s.priority], Date.parse(seat.seatDate), seat.transitDays * DAY_MS, seat.atRiskSlackMs, now);
  }
  function seatView(): SeatView {
    const r = risk(Date.now());
    return {
      seatDate: s.seat!.seatDate,
      transitDays: s.seat!.transitDays,
      latestStart: r.latestStart === null ? null : new Date(r.latestStart).toISOString(),
      slackMinutes: r.slackMs === null ? null : Math.floor(r.slackMs / 60_000),
      level: r.level,
      atRisk: r.level !== 'on_track',
    };
  }
  /** When the risk level next worsens (a timer of the main loop); null without a seat date. */
  function nextRiskChange(): number | null {
    if (!s.seat || s.status !== 'active') return null;
    return risk(Date.now()).nextChangeAt;
  }
  /**
   * Records the risk level when it changed (or the seat date did: level null): one
   * recordCaseAtRisk activity, which notifications hang on, and the AtRisk search attribute.
   */
  async function reviewRisk(): Promise<void> {
    if (!s.seat || !patched(SEAT_DATE)) return;
    const seat = s.seat;
    const now = Date.now();
    const r = risk(now);
    if (r.level === seat.level && !seat.replan) return;
    seat.replan = false;
    const previous = seat.level;
    const wasAtRisk = previous !== null && previous !== 'on_track';
    seat.level = r.level;
    seat.events += 1;
    const active = plan.tasks.filter((t) => r.taskIds.includes(t.id));
    const assignees = active.map((t) => rt(t.id).assignee).filter((a): a is string => !!a);
    const poolRoles = [...new Set(active.flatMap((t) => t.requiredRoles))].sort();
    const unassignedRoles = [...new Set(active.filter((t) => !rt(t.id).assignee).flatMap((t) => t.requiredRoles))].sort();
    const notify =
      r.level === 'at_risk'
        ? { roles: unassignedRoles, profiles: assignees }
        : r.level === 'pool'
          ? { roles: poolRoles, profiles: [] }
          : r.level === 'lead'
            ? { roles: ['owner', 'admin'] as PracticeRole[], profiles: [] }
            : { roles: [], profiles: [] };
    await db.recordCaseAtRisk({
      key: `${info.workflowId}/risk/${seat.events}`,
      caseId: input.caseId,
      practiceId: input.practiceId,
      workflowId: info.workflowId,
      at: new Date(now).toISOString(),
      level: r.level,
      previousLevel: previous,
      seatDate: seat.seatDate,
      transitDays: seat.transitDays,
      slackMinutes: r.slackMs === null ? null : Math.floor(r.slackMs / 60_000),
      latestStart: r.latestStart === null ? null : new Date(r.latestStart).toISOString(),
      taskIds: r.taskIds,
      notifyRoles: notify.roles,
      notifyProfiles: notify.profiles,
    });
    const atRisk = r.level !== 'on_track';
    if (atRisk !== wasAtRisk || previous === null) upsertSearchAttributes([{ key: SA.AtRisk, value: atRisk }]);
  }

  // ---- task life cycle -----------------------------------------------------------------------
  const dueFor = (t: PlanTask, from: number) =>
    t.estimatedMs === null ? null : from + Math.round(t.estimatedMs * PRIORITY_SLA_FACTOR[s.priority]);

  const running = new Map<string, CancellationScope>();
  let cancelRequested = false;

  /** Activates every task whose predecessors are all done. Called after each change. */
  async function advance(): Promise<void> {
    while (s.status === 'active' && !s.hold) {
      const ready = readyTasks(plan, doneIds(), startedIds()).map((id) => taskById.get(id)!);
      if (ready.length === 0) break;
      for (const t of ready) await activate(t);
    }
    if (s.status === 'active' && isComplete(plan, doneIds())) await finish('completed', SYSTEM_PROFILE_ID, null);
  }

  async function activate(t: PlanTask): Promise<void> {
    const now = Date.now();
    Object.assign(rt(t.id), { status: 'active', activatedAt: now, dueAt: dueFor(t, now), completedAt: null, overdue: false, escalated: false });
    if (rt(t.id).poolNotified) rt(t.id).poolNotified = false;
    // A task still assigned from an earlier round (rework) is in its assignee's hands at once.
    if (rt(t.id).assignee || rt(t.id).claimedAt) rt(t.id).claimedAt = rt(t.id).assignee ? now : null;
    const extra: Partial<CaseEvent> = {};
    if (t.instructionType) extra.instruction = { type: t.instructionType, status: InstructionStatus.InProgress, notes: null };
    if (t.kind !== 'automatic') {
      extra.message = {
        type: t.kind === 'decision' ? 'approval_request' : 'status_update',
        subject: `${t.name}: awaiting ${t.requiredRoles.join(' or ')}`,
        content: `Task "${t.name}" is waiting for ${t.kind === 'decision' ? 'a decision' : 'completion'} by ${t.requiredRoles.join(' or ')}.`,
        metadata: { taskId: t.id, roles: t.requiredRoles },
      };
    }
    await moveTo(t.entryState ?? s.state, SYSTEM_PROFILE_ID, `task "${t.name}" started`, t.id, extra);
    syncSearchAttributes(); // roles awaited change even when the state does not
    if (t.kind === 'automatic') startAutomatic(t);
  }

  function startAutomatic(t: PlanTask): void {
    const scope = new CancellationScope();
    running.set(t.id, scope);
    const runner = patched(LOCAL_PERSISTENCE) && LOCAL_FUNCTIONS.has(t.functionType) ? localWork : work;
    scope
      .run(() =>
        runner.runAutomaticTask({
          key: `${info.workflowId}/task/${t.id}/${rt(t.id).reworks}`,
          caseId: input.caseId,
          practiceId: input.practiceId,
          taskId: t.id,
          taskName: t.name,
          functionType: t.functionType,
          actionName: t.actionName,
          at: new Date(Date.now()).toISOString(),
        }),
      )
      .then(
        () =>
          serialized(async () => {
            await complete(t, { profileId: SYSTEM_PROFILE_ID, practiceRole: 'system' }, 'complete', null);
            await flushAwaiting();
          }),
        (err) => {
          if (!isCancellation(err)) throw err;
        },
      )
      .finally(() => running.delete(t.id))
      .catch((err) => log.error('automatic task failed', { taskId: t.id, error: String(err) }));
  }

  /** The evidence an update carries, recorded from the patch on. */
  const evidenceOf = (e: MessageEvidence | undefined): Partial<CaseEvent> => (e && patched(MESSAGE_EVIDENCE) ? { evidence: { ...e } } : {});

  async function complete(
    t: PlanTask,
    actor: Actor,
    decision: DecisionKind | 'complete',
    reason: string | null,
    evidence: Partial<CaseEvent> = {},
    pin?: ProjectVersionRef,
  ): Promise<void> {
    if (s.status !== 'active' || rt(t.id).status !== 'active') return;
    s.decisions.push({ taskId: t.id, decision, by: actor.profileId, role: actor.practiceRole, at: Date.now(), reason, ...(pin ? { projectVersionId: pin.versionId } : {}) });
    if (pin && decision === 'approve') {
      // The approval holds for this version only; a newer one reopens it (projectVersionAdded).
      s.pins = [...(s.pins ?? []).filter((p) => p.taskId !== t.id), { taskId: t.id, ...pin }];
    }
    if (s.decisions.length > DECISIONS_KEPT) s.decisions.shift();
    if (decision === 'reject' || decision === 'request_changes') {
      await rework(t, actor, decision, reason ?? '');
      return advance();
    }
    const dueAt = rt(t.id).dueAt;
    const late = dueAt !== null && Date.now() > dueAt;
    Object.assign(rt(t.id), { status: 'done', completedAt: Date.now() });
    const extra: Partial<CaseEvent> = { ...evidence, ...(pin ? { projectVersion: { ...pin } } : {}) };
    if (t.instructionType) extra.instruction = { type: t.instructionType, status: InstructionStatus.Done, notes: reason };
    const why = decision === 'approve' ? `"${t.name}" approved` : `"${t.name}" completed`;
    await moveTo(t.exitState ?? s.state, actor.profileId, reason ? `${why}: ${reason}` : why, t.id, extra, late);
    syncSearchAttributes();
    await advance();
  }

  async function rework(t: PlanTask, actor: Actor, decision: DecisionKind, reason: string): Promise<void> {
    s.reworkCount += 1;
    for (const id of t.reworkResetIds) {
      const r = rt(id);
      running.get(id)?.cancel();
      Object.assign(r, { status: 'pending', activatedAt: null, dueAt: null, completedAt: null, overdue: false, escalated: false });
      if (r.poolNotified) r.poolNotified = false;
    }
    rt(t.reworkTargetId).reworks += 1;
    const target = taskById.get(t.reworkTargetId)!;
    const label = decision === 'reject' ? 'rejected' : 'changes requested';
    await persist({
      actorId: actor.profileId,
      taskId: t.id,
      message: {
        type: 'status_update',
        subject: `${t.name}: ${label}`,
        content: `"${t.name}" ${label}: ${reason}. Back to "${target.name}" for rework (rework #${s.reworkCount}).`,
        metadata: { taskId: t.id, reworkTaskId: target.id, decision, reason },
      },
      ...(t.instructionType ? { instruction: { type: t.instructionType, status: InstructionStatus.Rejected, notes: reason } } : {}),
    });
    await moveTo(target.entryState ?? s.state, actor.profileId, `${label}: ${reason}`, t.id);
  }

  /**
   * A newer version of a pinned project arrived after `t` approved an older one: the approval is
   * not carried over. `t` and every task after it that started go back to pending, and advance()
   * activates `t` again (its predecessors are done), awaiting a new decision.
   */
  async function reopen(t: PlanTask, pin: ApprovalPin, next: ProjectVersionRef, actor: Actor): Promise<void> {
    if (rt(t.id).status !== 'done') return; // reset meanwhile (rework): already awaiting again
    const after = new Set<string>();
    const queue = [...t.successors];
    while (queue.length) {
      const id = queue.shift()!;
      if (after.has(id)) continue;
      after.add(id);
      queue.push(...taskById.get(id)!.successors);
    }
    for (const id of [t.id, ...plan.tasks.map((x) => x.id).filter((x) => after.has(x))]) {
      const r = rt(id);
      if (r.status === 'pending') continue;
      running.get(id)?.cancel();
      Object.assign(r, { status: 'pending', activatedAt: null, dueAt: null, completedAt: null, overdue: false, escalated: false });
      if (r.poolNotified) r.poolNotified = false;
    }
    await persist({
      actorId: actor.profileId,
      taskId: t.id,
      message: {
        type: 'status_update',
        subject: `${t.name}: approval reopened`,
        content: `Version ${next.version} of a project was uploaded after "${t.name}" approved version ${pin.version}; the approval is not carried over and is back up for decision.`,
        metadata: { taskId: t.id, kind: 'approval_reopened', projectId: pin.projectId, approvedVersionId: pin.versionId, newVersionId: next.versionId },
      },
    });
  }

  async function finish(outcome: 'completed' | 'cancelled', actorId: string, reason: string | null, evidence: Partial<CaseEvent> = {}): Promise<void> {
    s.status = outcome;
    for (const scope of running.values()) scope.cancel();
    const voided = outcome === 'cancelled' ? plan.tasks.filter((t) => t.instructionType && rt(t.id).status === 'active') : [];
    for (const t of voided) {
      await persist({ actorId, taskId: t.id, instruction: { type: t.instructionType!, status: InstructionStatus.Void, notes: reason } });
    }
    s.hold = null;
    await moveTo(outcome, actorId, reason ?? (outcome === 'completed' ? 'all tasks done' : null), null, {
      message: {
        type: 'system_notification',
        subject: outcome === 'completed' ? 'Case completed' : 'Case cancelled',
        content: outcome === 'completed' ? 'Case completed.' : `Case cancelled: ${reason ?? ''}`,
      },
      caseFields: { closed: true, isOverdue: false, dueAt: null },
      ...evidence,
    });
    await db.recordPerformance(performance(outcome));
  }

  function performance(outcome: 'completed' | 'cancelled') {
    const tasks: TaskPerformance[] = plan.tasks.map((t) => {
      const r = rt(t.id);
      const actual = r.completedAt !== null && r.activatedAt !== null ? r.completedAt - r.activatedAt : null;
      const planned = t.estimatedMs;
      const queueMs = actual !== null && r.claimedAt && r.activatedAt !== null ? Math.min(actual, Math.max(0, r.claimedAt - r.activatedAt)) : null;
      return {
        taskId: t.id,
        name: t.name,
        plannedMs: planned,
        actualMs: actual,
        onTime: actual === null || planned === null ? null : !r.overdue,
        reworks: r.reworks,
        roles: t.requiredRoles,
        kind: t.kind,
        queueMs,
      };
    });
    const judged = tasks.filter((t) => t.onTime !== null);
    const durations = tasks.map((t) => t.actualMs).filter((d): d is number => d !== null);
    return {
      key: `${info.workflowId}/performance`,
      caseId: input.caseId,
      practiceId: input.practiceId,
      templateId: plan.templateId,
      outcome,
      tasks,
      completionRate: judged.length ? Math.round((judged.filter((t) => t.onTime).length / judged.length) * 10_000) / 100 : null,
      averageTaskMs: durations.length ? Math.round(durations.reduce((a, b) => a + b, 0) / durations.length) : null,
      bottleneckTaskIds: plan.tasks.filter((t) => rt(t.id).overdue || rt(t.id).escalated).map((t) => t.id),
      at: new Date(Date.now()).toISOString(),
    };
  }

  // ---- SLA -----------------------------------------------------------------------------------
  /** The next moment an active task becomes overdue (1× estimate) or escalates (2×). */
  function nextDeadline(): number | null {
    if (s.status !== 'active' || s.hold) return null;
    let next: number | null = null;
    for (const t of plan.tasks) {
      const r = rt(t.id);
      if (r.status !== 'active' || r.dueAt === null || r.activatedAt === null) continue;
      const at = !r.overdue ? r.dueAt : poolDue(r) ? poolAt(r) : !r.escalated ? r.activatedAt + 2 * (r.dueAt - r.activatedAt) : null;
      if (at !== null && (next === null || at < next)) next = at;
    }
    return next;
  }

  /**
   * The escalation ladder of an assigned task: overdue (1×) goes to the assignee, 1.5× to the
   * role pool, 2× to the owner and admins. An unassigned task skips the middle step. Only cases
   * with an assignee take the extra step, and assignment did not exist before it, so recorded
   * histories never reach it (no patch needed).
   */
  const poolDue = (r: TaskRuntime) => r.overdue && !!r.assignee && !r.poolNotified && !r.escalated;
  const poolAt = (r: TaskRuntime) => r.activatedAt! + Math.round(1.5 * (r.dueAt! - r.activatedAt!));

  async function checkSla(): Promise<void> {
    const now = Date.now();
    for (const t of plan.tasks) {
      const r = rt(t.id);
      if (r.status !== 'active' || r.dueAt === null || r.activatedAt === null) continue;
      if (!r.overdue && now >= r.dueAt) {
        r.overdue = true;
        const assignee = r.assignee ?? null;
        await persist({
          actorId: SYSTEM_PROFILE_ID,
          taskId: t.id,
          bottleneck: { state: s.state, minutesWaiting: Math.round((now - r.activatedAt) / 60_000), taskId: t.id },
          message: {
            type: 'system_notification',
            subject: `Overdue: ${t.name}`,
            content: assignee
              ? `Task "${t.name}" is past its due time; its assignee please act.`
              : `Task "${t.name}" is past its due time; ${t.requiredRoles.join(', ') || 'the lab'} please act.`,
            metadata: assignee ? { taskId: t.id, notify: [], notifyProfiles: [assignee], kind: 'overdue' } : { taskId: t.id, notify: t.requiredRoles, kind: 'overdue' },
          },
          caseFields: { isOverdue: true },
        });
        syncSearchAttributes();
      }
      if (poolDue(r) && now >= poolAt(r)) {
        r.poolNotified = true;
        await persist({
          actorId: SYSTEM_PROFILE_ID,
          taskId: t.id,
          message: {
            type: 'system_notification',
            subject: `Escalated: ${t.name}`,
            content: `Task "${t.name}" has waited one and a half times its estimate with its assignee; escalated to ${t.requiredRoles.join(', ')}.`,
            metadata: { taskId: t.id, notify: t.requiredRoles, kind: 'escalation', level: 'pool' },
          },
        });
      }
      if (r.overdue && !r.escalated && now >= r.activatedAt + 2 * (r.dueAt - r.activatedAt)) {
        r.escalated = true;
        await persist({
          actorId: SYSTEM_PROFILE_ID,
          taskId: t.id,
          message: {
            type: 'system_notification',
            subject: `Escalated: ${t.name}`,
            content: `Task "${t.name}" has waited twice its estimate; escalated to the practice owner and admins.`,
            metadata: { taskId: t.id, notify: ['owner', 'admin'], kind: 'escalation', ...(r.assignee ? { level: 'lead' } : {}) },
          },
        });
      }
    }
  }

  // ---- handlers ------------------------------------------------------------------------------
  function refuse(type: CaseRefusal, message: string): never {
    throw ApplicationFailure.nonRetryable(message, type);
  }
  function requireActive(): void {
    if (s.status !== 'active') refuse(CaseRefusal.CaseFinished, `The case is ${s.status}; it accepts no more changes.`);
  }
  function requireTaskAwaiting(taskId: string, actor: Actor, kinds: PlanTask['kind'][]): PlanTask {
    requireActive();
    if (s.hold) refuse(CaseRefusal.CaseOnHold, `The case is on hold (${s.hold.reason}); resume it first.`);
    const t = taskById.get(taskId) ?? refuse(CaseRefusal.UnknownTask, `Task ${taskId} is not part of this case's plan.`);
    if (!kinds.includes(t.kind) || rt(t.id).status !== 'active') {
      refuse(CaseRefusal.TaskNotAwaitingDecision, `Task "${t.name}" is not awaiting ${kinds.includes('decision') ? 'a decision' : 'completion'} (it is ${rt(t.id).status}).`);
    }
    if (!(actor.practiceRole === 'system' && t.kind === 'external') && !t.requiredRoles.includes(actor.practiceRole as PracticeRole)) {
      refuse(CaseRefusal.WrongRole, `Task "${t.name}" must be decided by ${t.requiredRoles.join(' or ')}; you are ${actor.practiceRole}.`);
    }
    const assignee = rt(t.id).assignee;
    if (assignee && assignee !== actor.profileId && !isLead(actor, t.requiredRoles)) {
      refuse(CaseRefusal.TaskAssigned, `Task "${t.name}" is assigned to someone else; ask them or a lead to release it.`);
    }
    return t;
  }
  function requireManager(actor: Actor, what: string): void {
    if (actor.practiceRole !== 'system' && !CASE_MANAGER_ROLES.includes(actor.practiceRole)) {
      refuse(CaseRefusal.WrongRole, `Only ${CASE_MANAGER_ROLES.join(', ')} may ${what} a case; you are ${actor.practiceRole}.`);
    }
  }
  /**
   * Runs an update body once per update id. Temporal already deduplicates ids within a run; the
   * ids kept in the snapshot extend that across continue-as-new.
   */
  const seenUpdate = () => {
    const id = currentUpdateInfo()?.id;
    return id !== undefined && s.recentUpdates.includes(id);
  };
  async function once(body: () => Promise<void>): Promise<CaseView> {
    if (seenUpdate()) return view();
    await serialized(async () => {
      await body();
      await flushAwaiting();
    });
    const id = currentUpdateInfo()?.id;
    if (id) {
      s.recentUpdates.push(id);
      if (s.recentUpdates.length > RECENT_UPDATES_KEPT) s.recentUpdates.shift();
    }
    return view();
  }

  setHandler(caseViewQuery, view);

  /** An older version than one the case has seen cannot be decided on. */
  function requireCurrentVersion(pv: ProjectVersionRef | undefined): void {
    const latest = pv ? s.latestVersions?.[pv.projectId] : undefined;
    if (pv && latest !== undefined && pv.version < latest) {
      refuse(CaseRefusal.VersionSuperseded, `Version ${pv.version} of the project is superseded by version ${latest}; decide on the newest.`);
    }
  }
  setHandler(
    decideUpdate,
    ({ taskId, decision, actor, reason, evidence, projectVersion }) =>
      once(async () => {
        const t = requireTaskAwaiting(taskId, actor, ['decision']); // re-check: state may have moved while queued
        requireCurrentVersion(projectVersion);
        const pin = projectVersion && patched(PROJECT_VERSIONS) ? projectVersion : undefined;
        await complete(t, actor, decision, reason?.trim() || null, evidenceOf(evidence), pin);
      }),
    {
      validator: ({ taskId, decision, actor, reason, projectVersion }) => {
        if (seenUpdate()) return;
        if (decision !== 'approve' && !reason?.trim()) refuse(CaseRefusal.ReasonRequired, `A reason is required to ${decision.replace('_', ' ')}.`);
        requireTaskAwaiting(taskId, actor, ['decision']);
        requireCurrentVersion(projectVersion);
      },
    },
  );

  setHandler(
    projectVersionAddedUpdate,
    ({ project, actor }) =>
      once(async () => {
        requireActive();
        if (!patched(PROJECT_VERSIONS)) return;
        const seen = s.latestVersions?.[project.projectId];
        if (seen === undefined || project.version > seen) s.latestVersions = { ...(s.latestVersions ?? {}), [project.projectId]: project.version };
        const stale = (s.pins ?? []).filter((p) => p.projectId === project.projectId && p.version < project.version);
        if (!stale.length) return;
        s.pins = (s.pins ?? []).filter((p) => !stale.includes(p));
        for (const pin of stale) await reopen(taskById.get(pin.taskId)!, pin, project, actor);
        await advance();
      }),
    { validator: (_args: unknown) => void (seenUpdate() || requireActive()) },
  );

  setHandler(
    completeTaskUpdate,
    ({ taskId, actor, note }) =>
      once(async () => {
        const t = requireTaskAwaiting(taskId, actor, ['external']);
        await complete(t, actor, 'complete', note?.trim() || null);
      }),
    { validator: ({ taskId, actor }) => void (seenUpdate() || requireTaskAwaiting(taskId, actor, ['external'])) },
  );

  const validateAssign = ({ taskId, actor, action, assignee }: AssignArgs): PlanTask => {
    requireActive();
    const t = taskById.get(taskId) ?? refuse(CaseRefusal.UnknownTask, `Task ${taskId} is not part of this case's plan.`);
    if (t.kind === 'automatic' || rt(t.id).status !== 'active') {
      refuse(CaseRefusal.TaskNotAwaitingDecision, `Task "${t.name}" is not awaiting people (it is ${t.kind === 'automatic' ? 'automatic' : rt(t.id).status}).`);
    }
    const current = rt(t.id).assignee ?? null;
    const lead = isLead(actor, t.requiredRoles);
    if (action === 'claim') {
      if (!t.requiredRoles.includes(actor.practiceRole as PracticeRole)) {
        refuse(CaseRefusal.WrongRole, `Task "${t.name}" is for ${t.requiredRoles.join(' or ')}; you are ${actor.practiceRole}.`);
      }
      if (current && current !== actor.profileId) refuse(CaseRefusal.TaskAssigned, `Task "${t.name}" is already assigned to someone else.`);
    } else if (action === 'assign') {
      if (!lead) refuse(CaseRefusal.WrongRole, `Only a lead (practice owner or admin; a lab admin for lab tasks) assigns tasks; you are ${actor.practiceRole}.`);
      if (!assignee) refuse(CaseRefusal.InvalidArgument, 'Whom to assign the task to is missing.');
      if (!t.requiredRoles.includes(assignee.role)) {
        refuse(CaseRefusal.WrongRole, `Task "${t.name}" is for ${t.requiredRoles.join(' or ')}; the assignee is ${assignee.role}.`);
      }
    } else if (action === 'release') {
      if (!current) refuse(CaseRefusal.TaskNotAssigned, `Task "${t.name}" is not assigned.`);
      if (current !== actor.profileId && !lead) refuse(CaseRefusal.WrongRole, `Only the assignee or a lead releases task "${t.name}".`);
    } else {
      refuse(CaseRefusal.InvalidArgument, `Unknown action "${String(action)}".`);
    }
    return t;
  };
  setHandler(
    assignTaskUpdate,
    (args) =>
      once(async () => {
        const t = validateAssign(args); // re-check: a concurrent claim may have won while this one queued
        const to = args.action === 'claim' ? args.actor.profileId : args.action === 'assign' ? args.assignee!.profileId : null;
        if ((rt(t.id).assignee ?? null) === to) return;
        rt(t.id).assignee = to;
        if (to && !rt(t.id).claimedAt) rt(t.id).claimedAt = Date.now();
        const what = args.action === 'claim' ? 'claimed' : args.action === 'assign' ? 'assigned' : 'released to the role pool';
        await persist({
          actorId: args.actor.profileId,
          taskId: t.id,
          message: {
            type: 'status_update',
            subject: `${t.name}: ${what}`,
            content: `Task "${t.name}" ${what}.`,
            metadata: { taskId: t.id, assignment: args.action, assignee: to },
          },
        });
      }),
    { validator: (args) => void (seenUpdate() || validateAssign(args)) },
  );

  const validateHold = ({ actor, reason }: { actor: Actor; reason: string }) => {
    if (seenUpdate()) return;
    requireActive();
    requireManager(actor, 'hold');
    if (s.hold) refuse(CaseRefusal.CaseOnHold, `The case is already on hold (${s.hold.reason}).`);
    if (!reason?.trim()) refuse(CaseRefusal.ReasonRequired, 'A reason is required to put a case on hold.');
  };
  setHandler(
    holdUpdate,
    ({ actor, reason, evidence }) =>
      once(async () => {
        validateHold({ actor, reason });
        s.hold = { reason: reason.trim(), by: actor.profileId, since: Date.now(), resumeState: s.state };
        await moveTo('on_hold', actor.profileId, reason.trim(), null, evidenceOf(evidence));
      }),
    { validator: validateHold },
  );

  const validateResume = ({ actor }: { actor: Actor }) => {
    if (seenUpdate()) return;
    requireActive();
    requireManager(actor, 'resume');
    if (!s.hold) refuse(CaseRefusal.CaseNotOnHold, 'The case is not on hold.');
  };
  setHandler(
    resumeUpdate,
    ({ actor, note, evidence }) =>
      once(async () => {
        validateResume({ actor });
        const { since, resumeState } = s.hold!;
        const paused = Date.now() - since;
        // Time on hold does not count against SLAs: shift the clocks of active tasks.
        for (const t of plan.tasks) {
          const r = rt(t.id);
          if (r.status === 'active' && r.activatedAt !== null) {
            r.activatedAt += paused;
            if (r.dueAt !== null) r.dueAt += paused;
          }
        }
        s.hold = null;
        await moveTo(resumeState, actor.profileId, note?.trim() || 'resumed', null, evidenceOf(evidence));
        await advance();
      }),
    { validator: validateResume },
  );

  const validateCancel = ({ actor, reason }: { actor: Actor; reason: string }) => {
    if (seenUpdate()) return;
    requireActive();
    requireManager(actor, 'cancel');
    if (!reason?.trim()) refuse(CaseRefusal.ReasonRequired, 'A reason is required to cancel a case.');
  };
  setHandler(
    cancelUpdate,
    ({ actor, reason, evidence }) =>
      once(async () => {
        validateCancel({ actor, reason });
        cancelRequested = true;
        await finish('cancelled', actor.profileId, reason.trim(), evidenceOf(evidence));
      }),
    { validator: validateCancel },
  );

  const validatePriority = ({ actor, priority }: { actor: Actor; priority: string }) => {
    if (seenUpdate()) return;
    requireActive();
    requireManager(actor, 'reprioritise');
    if (!(priority in PRIORITY_SLA_FACTOR)) refuse(CaseRefusal.InvalidArgument, `Unknown priority "${priority}".`);
  };
  setHandler(
    changePriorityUpdate,
    ({ actor, priority }) =>
      once(async () => {
        validatePriority({ actor, priority });
        if (priority === s.priority) return;
        const old = s.priority;
        s.priority = priority;
        for (const t of plan.tasks) {
          const r = rt(t.id);
          if (r.status === 'active' && r.activatedAt !== null && !r.overdue) r.dueAt = dueFor(t, r.activatedAt);
        }
        await persist({
          actorId: actor.profileId,
          taskId: null,
          message: { type: 'status_update', subject: 'Priority changed', content: `Priority changed from ${old} to ${priority}; due times moved.` },
          caseFields: { priority },
        });
        syncSearchAttributes();
      }),
    { validator: validatePriority },
  );

  const validateSeatDate = ({ actor, seatDate, transitDays, atRiskSlackMs }: { actor: Actor; seatDate: string; transitDays?: number; atRiskSlackMs?: number }) => {
    if (seenUpdate()) return;
    requireActive();
    if (actor.practiceRole !== 'system' && !SEAT_DATE_ROLES.includes(actor.practiceRole)) {
      refuse(CaseRefusal.WrongRole, `Only ${SEAT_DATE_ROLES.join(', ')} set the seat date; you are ${actor.practiceRole}.`);
    }
    const at = typeof seatDate === 'string' ? Date.parse(seatDate) : NaN;
    if (!Number.isFinite(at)) refuse(CaseRefusal.InvalidArgument, `The seat date "${String(seatDate)}" is not a date and time.`);
    if (at <= Date.now()) refuse(CaseRefusal.InvalidArgument, 'The seat date must be in the future.');
    if (transitDays !== undefined && (!Number.isInteger(transitDays) || transitDays < 0 || transitDays > 60)) {
      refuse(CaseRefusal.InvalidArgument, 'transitDays must be a whole number of days from 0 to 60.');
    }
    if (atRiskSlackMs !== undefined && (!Number.isFinite(atRiskSlackMs) || atRiskSlackMs < 0)) refuse(CaseRefusal.InvalidArgument, 'atRiskSlackMs must be ≥ 0.');
  };
  setHandler(
    setSeatDateUpdate,
    (args) =>
      once(async () => {
        validateSeatDate(args); // re-check: the case may have closed while this one queued
        const seatDate = new Date(Date.parse(args.seatDate)).toISOString();
        const transitDays = args.transitDays ?? s.seat?.transitDays ?? 0;
        const old = s.seat ?? null;
        if (old && old.seatDate === seatDate && old.transitDays === transitDays) return;
        // replan: the next review records the replanned level even when it is the same.
        s.seat = {
          seatDate,
          transitDays,
          atRiskSlackMs: old?.atRiskSlackMs ?? args.atRiskSlackMs ?? DEFAULT_AT_RISK_SLACK_MS,
          level: old?.level ?? null,
          events: old?.events ?? 0,
          replan: true,
        };
        await persist({
          actorId: args.actor.profileId,
          taskId: null,
          message: {
            type: 'status_update',
            subject: old ? 'Seat date moved' : 'Seat date set',
            content: old
              ? `Seat date moved from ${old.seatDate} to ${seatDate} (transit ${transitDays} days); the case replans.`
              : `Seat date set to ${seatDate} (transit ${transitDays} days).`,
            metadata: { seatDate, transitDays, previousSeatDate: old?.seatDate ?? null },
          },
        });
      }),
    { validator: validateSeatDate },
  );

  // ---- main loop -----------------------------------------------------------------------------
  if (!input.snapshot) {
    await serialized(advance);
  } else {
    // Resumed by continue-as-new: restart automatic tasks that were in flight.
    for (const t of plan.tasks) if (t.kind === 'automatic' && rt(t.id).status === 'active' && s.status === 'active' && !s.hold) startAutomatic(t);
  }

  const historyLimit = input.options?.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  const wantsNewRun = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= historyLimit;
  let lastSeq = s.seq;

  while (s.status === 'active') {
    if (s.seat) await serialized(reviewRisk);
    const deadline = earliest(nextDeadline(), nextRiskChange());
    const changed = () => s.seq !== lastSeq || s.status !== 'active' || cancelRequested;
    const woke = deadline === null ? await condition(changed).then(() => true) : await condition(changed, Math.max(1, deadline - Date.now()));
    lastSeq = s.seq;
    if (!woke) await serialized(checkSla);
    if (s.status === 'active' && wantsNewRun()) {
      await condition(() => !busy && running.size === 0 && allHandlersFinished());
      if (s.status !== 'active') break;
      for (const scope of running.values()) scope.cancel();
      await continueAsNew<typeof caseWorkflow>({ ...input, snapshot: s });
    }
  }
  // finish() may still be persisting (it runs under serialized() from an automatic task).
  await condition(() => !busy && allHandlersFinished());
  // A closed case is no longer at risk.
  if (s.seat) await serialized(reviewRisk);
  return view();
}

function earliest(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

function newSnapshot(input: CaseWorkflowInput): CaseSnapshot {
  const now = Date.now();
  const tasks: Record<string, TaskRuntime> = {};
  for (const t of input.plan.tasks) {
    tasks[t.id] = { status: 'pending', activatedAt: null, dueAt: null, completedAt: null, overdue: false, escalated: false, reworks: 0 };
  }
  return {
    status: 'active',
    state: 'submitted',
    stateSince: now,
    priority: input.priority,
    hold: null,
    tasks,
    decisions: [],
    reworkCount: 0,
    seq: 0,
    recentUpdates: [],
    startedAt: now,
  };
}
