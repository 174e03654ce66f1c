/**
 * One refresh of the weekly analytics rollups (0065), started every few minutes by its Temporal
 * Schedule (src/services/analytics-start.ts): recomputes the weeks marked stale since the last
 * run, in batches so no transaction holds the refresh lock for long.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { AnalyticsActivities } from '../activities/analytics.activities';

const acts = proxyActivities<AnalyticsActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

export const analyticsRollupsScheduleId = (taskQueue: string) => `analytics-rollups-${taskQueue}`;

export interface AnalyticsRollupsInput {
  /** Stale-week marks per batch (default 2000). */
  batch?: number;
  /** At most this many batches per run (default 50); the next run takes the rest. */
  maxBatches?: number;
}

/** @returns the (practice, week) pairs recomputed; -1 if another refresh was running. */
export async function analyticsRollupsWorkflow(input: AnalyticsRollupsInput = {}): Promise<{ weeks: number }> {
  const batch = input.batch ?? 2000;
  let weeks = 0;
  for (let i = 0; i < (input.maxBatches ?? 50); i++) {
    const r = await acts.refreshAnalyticsRollups({ limit: batch });
    if (r.weeks < 0) return { weeks: i === 0 ? -1 : weeks };
    if (r.weeks === 0) break;
    weeks += r.weeks;
  }
  return { weeks };
}
