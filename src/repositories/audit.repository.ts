/**
 * The audit of every write (db/migrations/0050): rows are written by a trigger; this module only
 * reads them, under the caller's RLS (a practice's managers see their practice's rows).
 */
import type { Tx } from '../db/database';

export interface AuditEntry {
  id: string;
  table_name: string;
  row_id: string;
  op: string;
  actor_id: string | null;
  actor_kind: string;
  request_id: string | null;
  workflow_id: string | null;
  practice_id: string | null;
  changed: Record<string, [unknown, unknown]>;
  redacted_at: Date | null;
  created_at: Date;
}

/** The history of one record, oldest first. */
export async function listAudit(trx: Tx, table: string, rowId: string, limit: number, afterId?: string): Promise<AuditEntry[]> {
  let q = trx
    .selectFrom('audit_log')
    .select(['id', 'table_name', 'row_id', 'op', 'actor_id', 'actor_kind', 'request_id', 'workflow_id', 'practice_id', 'changed', 'redacted_at', 'created_at'])
    .where('table_name', '=', table)
    .where('row_id', '=', rowId);
  if (afterId) q = q.where('id', '>', afterId as never);
  const rows = await q.orderBy('id').limit(limit).execute();
  return rows as unknown as AuditEntry[];
}
