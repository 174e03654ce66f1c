/**
 * Email notifications as workflows: one dispatcher per task queue drains the outbox (events the
 * case activities recorded) into deliveries and sends them one at a time; a daily Schedule runs
 * the digest. The case workflow is untouched: a failing mail server fails deliveries (listed
 * for admins), never a case.
 */
import { ActivityFailure, ApplicationFailure, continueAsNew, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { NotificationActivities } from '../activities/notification.activities';

const acts = proxyActivities<NotificationActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export interface NotificationDispatcherInput {
  /** Deliveries per step. */
  batchSize: number;
  /** Pause when nothing is waiting. */
  idleMs: number;
  /** One send attempt's limit (NOTIFY_SEND_TIMEOUT_MS). */
  sendTimeoutMs: number;
  /** Attempts before a delivery is given up (NOTIFY_MAX_ATTEMPTS). */
  maxAttempts: number;
}

/** Steps before continue-as-new keeps the history short. */
const STEPS_PER_RUN = 200;

export const notificationDispatcherWorkflowId = (taskQueue: string) => `notification-dispatcher-${taskQueue}`;
export const notificationDigestScheduleId = (taskQueue: string) => `notification-digest-${taskQueue}`;

/**
 * Sends pending deliveries forever. One at a time: an SMTP server accepts a message before the
 * sender can record it, and sequential sends keep that window to one message per crash.
 */
export async function notificationDispatcherWorkflow(input: NotificationDispatcherInput): Promise<void> {
  const mail = proxyActivities<NotificationActivities>({
    startToCloseTimeout: input.sendTimeoutMs,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: input.maxAttempts },
  });
  for (let i = 0; i < STEPS_PER_RUN; i++) {
    const ids = await acts.nextDeliveries(input.batchSize);
    for (const id of ids) {
      try {
        await mail.sendNotification(id);
      } catch (err) {
        // Rejected, disabled, or out of attempts: the delivery is failed, the dispatcher goes on.
        await acts.recordDeliveryFailure({ id, error: failureText(err) });
      }
    }
    if (ids.length < input.batchSize) await sleep(input.idleMs);
  }
  await continueAsNew<typeof notificationDispatcherWorkflow>(input);
}

function failureText(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) return cause.message || cause.type || 'failed';
  return cause instanceof Error ? cause.message : String(cause);
}

/** The daily digest (started by its Schedule): gathers held items per person. */
export async function notificationDigestWorkflow(): Promise<number> {
  // The Schedule gives each run its own workflow id: one digest per person and run, even retried.
  return acts.prepareDigests({ key: workflowInfo().workflowId });
}
