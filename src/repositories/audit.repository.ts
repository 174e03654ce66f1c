/**
 * The audit of every write (db/migrations/0050): rows are written by a trigger; this module only
 * reads them, under the caller's RLS (a practice's managers see their practice's rows).
 */
import { sql } from 'kysely';
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

/**
 * The patients whose data one record's audit shows, so that reading it is in the PHI access log:
 * the patient row itself, the patient a profile belongs to (names live on profiles), or the
 * patient the record was inserted for (patient_id, or case_id → the case's patient, from its
 * INSERT entry, as erasure_redact_audit() finds a patient's children). Under the caller's RLS.
 */
export async function auditedPatients(trx: Tx, table: string, rowId: string): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    SELECT p.id::text AS id FROM public.patients p WHERE ${table} = 'patients' AND p.id::text = ${rowId}
    UNION
    SELECT p.id::text FROM public.patients p WHERE ${table} = 'profiles' AND p.profile_id::text = ${rowId}
    UNION
    SELECT coalesce(a.changed -> 'patient_id' ->> 1, c.patient_id::text)
      FROM public.audit_log a
      LEFT JOIN public.cases c ON c.id::text = a.changed -> 'case_id' ->> 1
     WHERE a.table_name = ${table} AND a.row_id = ${rowId} AND a.op = 'INSERT' AND ${table} <> 'patients'`.execute(trx);
  return rows.map((r) => r.id).filter((id) => id && /^[0-9a-f-]{36}$/i.test(id));
}
