/**
 * The Temporal Schedule of the lexical statistics copy's refresh (lexicalStatsWorkflow, db 0168),
 * created idempotently: an existing schedule is left alone. Autovacuum ANALYZEs a partition after
 * ~10 % of its rows changed; until the next run its searches read pg_statistic (exact, slower).
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { lexicalStatsScheduleId, lexicalStatsWorkflow } from '../workflows/search-stats.workflow';

/** @returns whether the schedule was created now (false: it existed). */
export async function ensureLexicalStatsSchedule(client: Client, taskQueue: string, every: Duration = '5 minutes'): Promise<boolean> {
  try {
    await client.schedule.create({
      scheduleId: lexicalStatsScheduleId(taskQueue),
      spec: { intervals: [{ every }] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '10 minutes' },
      action: { type: 'startWorkflow', workflowType: lexicalStatsWorkflow, args: [], taskQueue, workflowId: lexicalStatsScheduleId(taskQueue) },
    });
    return true;
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return false;
    throw err;
  }
}
