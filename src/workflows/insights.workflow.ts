/**
 * The daily recommendations run of one workflow template, started by its Temporal Schedule
 * (src/ai/recommendations/schedules.ts). One activity: the numbers come from the database.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { InsightActivities } from '../activities/insights.activities';

const acts = proxyActivities<InsightActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10 },
});

export interface TemplateInsightsInput {
  templateId: string;
}

export async function templateInsightsWorkflow(input: TemplateInsightsInput) {
  const info = workflowInfo();
  // The schedule gives each run its own workflow id: one set of rows per run, even when retried.
  return acts.refreshTemplateInsights({ templateId: input.templateId, key: `${info.workflowId}/${info.runId}`, at: new Date(Date.now()).toISOString() });
}
