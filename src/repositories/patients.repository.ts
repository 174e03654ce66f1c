/**
 * Patient writes that must run in the caller's RLS transaction (see db/migrations/0019).
 */
import { sql } from 'kysely';
import type { Tx } from '../db/database';

export interface PatientProfileChanges {
  firstName?: string;
  lastName?: string;
  phone?: string | null;
}

/**
 * Changes the profile fields of a patient the caller may see, in the caller's transaction (so
 * the patient row and its profile change together or not at all).
 * @returns false when the patient is not visible to the caller (nothing was changed).
 */
export async function updatePatientProfile(trx: Tx, patientId: string, changes: PatientProfileChanges): Promise<boolean> {
  const json: Record<string, string | null> = {};
  if (changes.firstName !== undefined) json.first_name = changes.firstName;
  if (changes.lastName !== undefined) json.last_name = changes.lastName;
  if (changes.phone !== undefined) json.phone = changes.phone;
  if (!Object.keys(json).length) return true;
  const { rows } = await sql<{ ok: boolean }>`select public.update_patient_profile(${patientId}::uuid, ${JSON.stringify(json)}::jsonb) as ok`.execute(trx);
  return rows[0]?.ok === true;
}
