/**
 * The copy of the lexical index's statistics that search_lexical()'s prelude reads while it is
 * current (db 0168): refreshed for every partition whose pg_statistic rows or reltuples changed
 * since it was copied (an ANALYZE, autovacuum's or an operator's); a current partition is not
 * written. Searches never wait for it: a stale copy is not used (they read pg_statistic instead).
 */
import { sql } from 'kysely';
import type { Db } from '../db/database';

/** @returns how many partitions were copied again (0: all current, or no pg_statistic access). */
export async function refreshLexicalStats(db: Db): Promise<number> {
  const r = await sql<{ n: number }>`SELECT search_index.refresh_lexical_stats() AS n`.execute(db);
  return r.rows[0]!.n;
}
