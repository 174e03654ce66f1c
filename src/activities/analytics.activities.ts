/** Activities of the analytics rollups (0065): thin over analytics.repository.ts refreshRollups. */
import type { Db } from '../db/database';
import { refreshRollups, type RefreshResult } from '../repositories/analytics.repository';

export function createAnalyticsActivities({ db }: { db: Db }) {
  return {
    /**
     * Recomputes the rollups of up to `limit` stale-week marks. Idempotent: a retry recomputes
     * the same weeks from the facts. Queues behind a running refresh for up to a minute, then
     * fails (and is retried).
     */
    async refreshAnalyticsRollups(args: { limit: number }): Promise<RefreshResult> {
      return refreshRollups(db, { limit: args.limit, wait: true, lockTimeoutMs: 60_000 });
    },
  };
}

export type AnalyticsActivities = ReturnType<typeof createAnalyticsActivities>;
