/**
 * Patient consent (db/migrations/0030): an append-only history per patient and kind; the latest
 * version is in force. Plain functions in the caller's transaction, so RLS decides who may read
 * and record (members of the patient's practice, and recorded_by must be the caller).
 */
import { sql } from 'kysely';
import type { Tx } from '../db/database';
import type { ConsentKind } from '../db/schema.generated';

export const CONSENT_KINDS = ['treatment', 'lab_sharing', 'ai_processing', 'communications'] as const satisfies readonly ConsentKind[];

export interface ConsentRow {
  id: string;
  patient_id: string;
  practice_id: string;
  kind: ConsentKind;
  granted: boolean;
  version: number;
  policy_version: string | null;
  recorded_by: string;
  recorded_at: Date;
  note: string | null;
}

/** Every record of the patient, newest first per kind. */
export async function listConsents(trx: Tx, patientId: string): Promise<ConsentRow[]> {
  return trx
    .selectFrom('patient_consents')
    .select(['id', 'patient_id', 'practice_id', 'kind', 'granted', 'version', 'policy_version', 'recorded_by', 'recorded_at', 'note'])
    .where('patient_id', '=', patientId)
    .orderBy('recorded_at', 'desc')
    .orderBy('version', 'desc')
    .execute();
}

/**
 * Appends a version. The database numbers it, stamps it and fills the practice (trigger
 * patient_consent_defaults, which also serialises concurrent records of one patient); an
 * ai_processing withdrawal deletes the patient's embeddings and queued texts in this same
 * transaction (trigger apply_ai_consent), and a grant queues them again.
 */
export async function recordConsent(
  trx: Tx,
  c: { patientId: string; practiceId: string; kind: ConsentKind; granted: boolean; recordedBy: string; policyVersion?: string | null; note?: string | null },
): Promise<ConsentRow> {
  return trx
    .insertInto('patient_consents')
    .values({
      patient_id: c.patientId,
      // The trigger sets it again from the patient row (the one source of truth).
      practice_id: c.practiceId,
      kind: c.kind,
      granted: c.granted,
      version: 1, // numbered by the trigger
      policy_version: c.policyVersion ?? null,
      recorded_by: c.recordedBy,
      note: c.note ?? null,
    })
    .returning(['id', 'patient_id', 'practice_id', 'kind', 'granted', 'version', 'policy_version', 'recorded_by', 'recorded_at', 'note'])
    .executeTakeFirstOrThrow();
}

/** Whether the patient's texts may be embedded now (no record: yes). */
export async function aiProcessingAllowed(trx: Tx, patientId: string): Promise<boolean> {
  const r = await sql<{ ok: boolean }>`SELECT public.ai_processing_allowed(${patientId}::uuid) AS ok`.execute(trx);
  return r.rows[0]?.ok ?? true;
}
