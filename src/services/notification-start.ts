/**
 * Starts email notifications on a task queue: the dispatcher workflow (idempotent: a running one
 * is kept) and the daily digest Schedule (kept if it exists). Without SMTP_HOST nothing starts
 * and the caller logs that deliveries are disabled.
 */
import { Connection, ScheduleAlreadyRunning, ScheduleOverlapPolicy, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Config } from '../config';
import { temporalClient } from '../temporal/data-converter';
import {
  notificationDigestScheduleId,
  notificationDigestWorkflow,
  notificationDispatcherWorkflow,
  notificationDispatcherWorkflowId,
} from '../workflows/notification.workflow';

/** @returns whether deliveries are enabled (SMTP_HOST set). */
export async function startNotifications(config: Config): Promise<boolean> {
  if (!config.SMTP_HOST) return false;
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    const client = temporalClient(config, connection); // payloads encrypted like every other client's
    try {
      // NOTIFY_POLL_MS, NOTIFY_SEND_TIMEOUT_MS and NOTIFY_MAX_ATTEMPTS are its input: a running
      // dispatcher keeps the values it started with (terminate it to apply new ones).
      await client.workflow.start(notificationDispatcherWorkflow, {
        workflowId: notificationDispatcherWorkflowId(config.TEMPORAL_TASK_QUEUE),
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        args: [{ batchSize: 20, idleMs: config.NOTIFY_POLL_MS, sendTimeoutMs: config.NOTIFY_SEND_TIMEOUT_MS, maxAttempts: config.NOTIFY_MAX_ATTEMPTS }],
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    try {
      await client.schedule.create({
        scheduleId: notificationDigestScheduleId(config.TEMPORAL_TASK_QUEUE),
        spec: { calendars: [{ hour: config.NOTIFY_DIGEST_HOUR_UTC, minute: 0 }] },
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '6 hours' },
        action: { type: 'startWorkflow', workflowType: notificationDigestWorkflow, args: [], taskQueue: config.TEMPORAL_TASK_QUEUE, workflowId: notificationDigestScheduleId(config.TEMPORAL_TASK_QUEUE) },
      });
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    }
    return true;
  } finally {
    await connection.close();
  }
}
