/** Activities of the lexical statistics copy (db 0168): thin over search-stats.repository.ts. */
import type { Db } from '../db/database';
import { refreshLexicalStats } from '../repositories/search-stats.repository';

export function createSearchStatsActivities({ db }: { db: Db }) {
  return {
    /** Copies the statistics of the partitions whose statistics changed. Idempotent. */
    async refreshLexicalStats(): Promise<{ partitions: number }> {
      return { partitions: await refreshLexicalStats(db) };
    },
  };
}

export type SearchStatsActivities = ReturnType<typeof createSearchStatsActivities>;
