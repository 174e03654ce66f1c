/**
 * One Temporal Schedule per active workflow template: the daily recommendations run
 * (templateInsightsWorkflow). Created idempotently: an existing schedule is left alone.
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import type { Db } from '../../db/database';
import type { templateInsightsWorkflow } from '../../workflows/insights.workflow';

export const insightScheduleId = (templateId: string) => `template-insights-${templateId}`;

/** @returns the ids of the schedules created now (existing ones are not counted). */
export async function ensureInsightSchedules(client: Client, db: Db, taskQueue: string, every: Duration = '1 day'): Promise<string[]> {
  const templates = await db.selectFrom('workflow_templates').select('id').where('active', '=', true).execute();
  const created: string[] = [];
  for (const { id } of templates) {
    try {
      await client.schedule.create({
        scheduleId: insightScheduleId(id),
        spec: { intervals: [{ every }] },
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
        action: { type: 'startWorkflow', workflowType: 'templateInsightsWorkflow' as unknown as typeof templateInsightsWorkflow, args: [{ templateId: id }], taskQueue, workflowId: `template-insights-${id}` },
      });
      created.push(insightScheduleId(id));
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    }
  }
  return created;
}
