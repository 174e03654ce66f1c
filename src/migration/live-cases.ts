/**
 * Live legacy cases (neither completed nor cancelled) get their workflow started at the
 * position their reconstructed state implies, through the case service (one workflow id per
 * case number, so a re-run never starts a second one). The workflow already resumes from a
 * snapshot (its continue-as-new input), so the position travels as one: tasks before it done,
 * the task at it active, a hold carried over. No workflow code changes.
 */
import type { Db } from '../db/database';
import { compileStoredTemplate } from '../repositories/templates.repository';
import type { CaseService } from '../services/case.service';
import { caseWorkflowId, SYSTEM_PROFILE_ID, type CaseSnapshot, type Priority, type TaskRuntime } from '../workflows/case.messages';
import type { CaseState, Plan } from '../workflows/plan/plan.types';
import type { LiveCase } from './pipeline';

/** The case lifecycle in order; a position is found by comparing ranks. */
const RANK: Record<CaseState, number> = {
  submitted: 0,
  under_review: 1,
  planning: 2,
  approved: 3,
  in_production: 4,
  quality_check: 5,
  shipped: 6,
  delivered: 7,
  completed: 8,
  on_hold: -1,
  cancelled: -1,
};

/**
 * The task a case in `state` is at: the last task (plan order) whose entry state the case has
 * reached, or the one after the last task whose exit state it has passed, whichever is later.
 * Tasks before it are done. @returns the index into plan.tasks.
 */
export function positionIndex(plan: Plan, state: CaseState): number {
  const r = RANK[state];
  let entry = 0;
  let exitNext = 0;
  plan.tasks.forEach((t, i) => {
    if (t.entryState && RANK[t.entryState] >= 0 && RANK[t.entryState] <= r) entry = i;
    if (t.exitState && RANK[t.exitState] >= 0 && RANK[t.exitState] <= r) exitNext = i + 1;
  });
  return Math.min(Math.max(entry, exitNext), plan.tasks.length - 1);
}

export function startSnapshot(plan: Plan, c: Pick<LiveCase, 'state' | 'since' | 'resumeState' | 'createdAt' | 'priority'>): CaseSnapshot {
  const onHold = c.state === 'on_hold';
  const positionState = (onHold ? (c.resumeState ?? 'submitted') : c.state) as CaseState;
  const at = plan.tasks.length ? positionIndex(plan, positionState) : -1;
  const since = Date.parse(c.since);
  const tasks: Record<string, TaskRuntime> = {};
  plan.tasks.forEach((t, i) => {
    tasks[t.id] = {
      status: i < at ? 'done' : i === at ? 'active' : 'pending',
      activatedAt: i <= at ? since : null,
      // Due times are not invented for migrated positions: SLAs start with the next task.
      dueAt: null,
      completedAt: i < at ? since : null,
      overdue: false,
      escalated: false,
      reworks: 0,
    };
  });
  return {
    status: 'active',
    state: c.state as CaseState,
    stateSince: since,
    priority: c.priority as Priority,
    hold: onHold ? { reason: 'on hold in the legacy system', by: SYSTEM_PROFILE_ID, since, resumeState: positionState } : null,
    tasks,
    decisions: [],
    reworkCount: 0,
    seq: 0,
    recentUpdates: [],
    startedAt: Date.parse(c.createdAt),
  };
}

/** Starts each live case's workflow; failures are reported per case, never fatal. */
export function createLiveCaseStarter(deps: { db: Db; cases: CaseService }) {
  return async (live: LiveCase[]) => {
    const outcomes: Array<{ caseId: string; ok: boolean; detail: string }> = [];
    for (const c of live) {
      try {
        const compiled = await compileStoredTemplate(deps.db, c.templateId);
        if (!compiled?.ok) {
          outcomes.push({ caseId: c.caseId, ok: false, detail: `template ${c.templateId} does not compile` });
          continue;
        }
        const snapshot = startSnapshot(compiled.plan, c);
        // The workflow id is set only now: the workers' start-up sweep starts cases that have one
        // but no workflow, and would start them at the beginning instead of at their position.
        await deps.db
          .updateTable('cases')
          .set({ workflow_id: caseWorkflowId(c.practiceId, c.caseNumber) })
          .where('id', '=', c.caseId)
          .where('workflow_id', 'is', null)
          .execute();
        // The case row exists (written by the migration): start its workflow with the row's own
        // fields, so the case service's "same number, different request" check sees a retry.
        const row = await deps.db
          .selectFrom('cases')
          .select(['title', 'description', 'priority', 'assigned_practitioner_id', 'metadata'])
          .where('id', '=', c.caseId)
          .executeTakeFirstOrThrow();
        const started = await deps.cases.startCase({
          practiceId: c.practiceId,
          patientId: c.patientId,
          createdBy: SYSTEM_PROFILE_ID,
          title: row.title,
          description: row.description,
          priority: (row.priority ?? 'medium') as Priority,
          assignedPractitionerId: row.assigned_practitioner_id,
          metadata: (row.metadata as Record<string, unknown> | null) ?? {},
          caseType: c.caseType,
          caseNumber: c.caseNumber,
          templateId: c.templateId,
          startFrom: snapshot,
        });
        const task = compiled.plan.tasks.find((t) => snapshot.tasks[t.id]?.status === 'active');
        outcomes.push({ caseId: c.caseId, ok: true, detail: `${started.workflowId} at "${task?.name ?? '-'}" (${c.state})` });
      } catch (err) {
        outcomes.push({ caseId: c.caseId, ok: false, detail: (err as Error).message });
      }
    }
    // Their inbox rows, from each workflow's view (the service's backfill for pre-0014 cases).
    await deps.cases.backfillAwaitingTasks(live.length + 10).catch(() => 0);
    return outcomes;
  };
}
