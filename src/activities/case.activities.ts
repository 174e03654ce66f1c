/**
 * Activities of the case workflow: thin over the case-event repository. At-least-once safe:
 * every write carries an idempotency key derived from the workflow's event key, and uses
 * `INSERT … ON CONFLICT DO NOTHING`, so a retry after a lost acknowledgement writes nothing twice.
 */
import { activityInfo, heartbeat, log } from '@temporalio/activity';
import type { Db } from '../db/database';
import type { AutomaticTaskArgs, CaseEvent, CaseRiskEvent, PerformanceArgs } from '../workflows/case.events';
import { SYSTEM_PROFILE_ID } from '../workflows/case.messages';
import type { TaskFunction } from '../workflows/plan/plan.types';
import * as caseEvents from '../repositories/case-events.repository';
import { recordRisk } from '../repositories/case-risk.repository';
import { insightsOnCaseClosed } from '../ai/recommendations/refresh';
import { refreshRollups } from '../repositories/analytics.repository';

/** What an automatic production step did, in words for the case's message thread. */
export interface HookResult {
  summary: string;
  reference?: string;
}

/**
 * Production steps (scan, model, manufacture, quality_check, ship) and `process` record their
 * work through these hooks. An integration (a lab machine, a carrier API) replaces them.
 */
export type ProductionHooks = Partial<Record<TaskFunction, (args: AutomaticTaskArgs) => Promise<HookResult>>>;

export const defaultHooks: ProductionHooks = {
  process: async (a) => ({ summary: `"${a.taskName}" processed.` }),
  scan: async (a) => ({ summary: `Scan step "${a.taskName}" recorded.` }),
  model: async (a) => ({ summary: `3D model step "${a.taskName}" recorded.` }),
  manufacture: async (a) => ({ summary: `Manufacturing step "${a.taskName}" recorded.` }),
  quality_check: async (a) => ({ summary: `Quality check "${a.taskName}" recorded.` }),
  ship: async (a) => ({ summary: `Shipping step "${a.taskName}" recorded.` }),
};

export interface CaseActivityDeps {
  db: Db;
  hooks?: ProductionHooks;
}

export function createCaseActivities({ db, hooks = defaultHooks }: CaseActivityDeps) {
  return {
    /** Persists one workflow event (transition, message, instruction, analytics) atomically. */
    async persistCaseEvent(event: CaseEvent): Promise<void> {
      await db.transaction().execute((trx) => caseEvents.persist(trx, event));
    },

    /** Runs the automatic task for a function type and records what it did. */
    async runAutomaticTask(args: AutomaticTaskArgs): Promise<HookResult> {
      // Production hooks may take long: regular activities heartbeat; local ones cannot.
      if (!activityInfo().isLocal) heartbeat();
      let result: HookResult;
      if (args.functionType === 'notify') {
        result = { summary: args.actionName ? `Notification: ${args.actionName}` : `Notification for "${args.taskName}".` };
      } else if (args.functionType === 'archive') {
        await caseEvents.archiveCase(db, args.caseId, args.at);
        result = { summary: 'Case archived.' };
      } else {
        const hook = hooks[args.functionType] ?? defaultHooks.process!;
        result = await hook(args);
      }
      await caseEvents.persist(db, {
        key: args.key,
        caseId: args.caseId,
        practiceId: args.practiceId,
        at: args.at,
        actorId: SYSTEM_PROFILE_ID,
        workflowId: '',
        runId: '',
        taskId: args.taskId,
        message: {
          type: args.functionType === 'notify' ? 'system_notification' : 'status_update',
          subject: args.taskName,
          content: result.summary,
          metadata: { taskId: args.taskId, functionType: args.functionType, ...(result.reference ? { reference: result.reference } : {}) },
        },
      });
      return result;
    },

    /**
     * Writes workflow_performance once per case outcome, then the template's recommendations as
     * of this close (issue 10 §5) and the practice's analytics rollups (issue 11 §5). Those are
     * advisory: their failure is logged, never blocks the case's completion.
     */
    async recordPerformance(args: PerformanceArgs): Promise<void> {
      await caseEvents.recordPerformance(db, args);
      try {
        await insightsOnCaseClosed(db, args);
      } catch (err) {
        log.warn('recommendations on case close failed', { caseId: args.caseId, error: err }); // fingerprinted by the worker's logger
      }
      // The practice's weekly analytics rollups, now rather than at the next scheduled refresh
      // (0065). Advisory like the above: behind a refresh that takes longer than a few seconds
      // this gives up, and the schedule takes the marks.
      try {
        await refreshRollups(db, { practiceId: args.practiceId, limit: 100, wait: true, lockTimeoutMs: 5000 });
      } catch (err) {
        log.warn('analytics rollups on case close failed', { caseId: args.caseId, error: err }); // fingerprinted by the worker's logger
      }
    },

    /**
     * A case's risk level against its seat appointment changed (at risk, escalated, cleared):
     * records the event, the case's seat columns and the inbox flag in one transaction. The one
     * activity call per change that notifications hang on (event.notifyRoles / notifyProfiles).
     * @returns whether this delivery wrote the event (false: a retry of a written one)
     */
    async recordCaseAtRisk(event: CaseRiskEvent): Promise<boolean> {
      return db.transaction().execute((trx) => recordRisk(trx, event));
    },
  };
}

export type CaseActivities = ReturnType<typeof createCaseActivities>;
