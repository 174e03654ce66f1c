/** Activities of the recommendations (src/ai/recommendations/): thin over refresh.ts. */
import type { Db } from '../db/database';
import { refreshTemplateInsights, type RefreshResult } from '../ai/recommendations/refresh';

export function createInsightActivities({ db }: { db: Db }) {
  return {
    /** Recomputes one template's insights; `key` makes a retried run write nothing twice. */
    async refreshTemplateInsights(args: { templateId: string; key: string; at: string }): Promise<RefreshResult> {
      return refreshTemplateInsights(db, args.templateId, args.key, new Date(args.at));
    },
  };
}

export type InsightActivities = ReturnType<typeof createInsightActivities>;
