/**
 * An activity that fails on a statement would hand PostgreSQL's error to Temporal as it is: its
 * message and stack (`invalid input syntax for type uuid: "<value>"`) then land in the worker's
 * log and in the workflow history, which keeps it for the namespace's retention and shows it in
 * the UI. Patient data must be in neither, so driver errors leave activities redacted
 * (src/db/redact.ts). Other failures (ApplicationFailure and the like) pass through untouched,
 * and a redacted error is still a plain, retryable error with its SQLSTATE.
 */
import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory } from '@temporalio/worker';
import { isDatabaseError, redactError } from '../db/redact';
import { runWithAuditScope } from '../db/database';

function carriesDatabaseError(err: unknown, depth = 0): boolean {
  if (depth > 8 || !(err instanceof Error)) return false;
  return isDatabaseError(err) || carriesDatabaseError(err.cause, depth + 1);
}

export const redactingActivityInbound: ActivityInboundCallsInterceptor = {
  async execute(input, next) {
    try {
      return await next(input);
    } catch (err) {
      throw carriesDatabaseError(err) ? redactError(err) : err;
    }
  },
};

/** For Worker.create({ interceptors: { activity: [redactingActivityInterceptors] } }). */
export const redactingActivityInterceptors: ActivityInterceptorsFactory = () => ({ inbound: redactingActivityInbound });

/**
 * Activities' writes name their workflow in the audit log (0050 reads `mdw.workflow_id`): the
 * database driver sets it from this scope on each connection the activity uses.
 */
export const auditingActivityInterceptors: ActivityInterceptorsFactory = (ctx) => ({
  inbound: {
    execute: (input, next) => runWithAuditScope({ workflowId: ctx.info.workflowExecution?.workflowId }, () => next(input)),
  },
});
