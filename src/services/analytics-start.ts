/**
 * The Temporal Schedule of the analytics rollups' refresh (analyticsRollupsWorkflow), created
 * idempotently: an existing schedule is left alone. Answers never wait for it (the endpoints read
 * stale weeks from the facts); it keeps the share of the facts they read small.
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { analyticsRollupsScheduleId, analyticsRollupsWorkflow } from '../workflows/analytics.workflow';

/** @returns whether the schedule was created now (false: it existed). */
export async function ensureAnalyticsRollupsSchedule(client: Client, taskQueue: string, every: Duration = '2 minutes'): Promise<boolean> {
  try {
    await client.schedule.create({
      scheduleId: analyticsRollupsScheduleId(taskQueue),
      spec: { intervals: [{ every }] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '10 minutes' },
      action: { type: 'startWorkflow', workflowType: analyticsRollupsWorkflow, args: [{}], taskQueue, workflowId: analyticsRollupsScheduleId(taskQueue) },
    });
    return true;
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return false;
    throw err;
  }
}
