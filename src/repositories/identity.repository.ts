/**
 * People and practices: auth users, profiles, practice membership, patients. Used by the API's
 * services, the demo seed, the legacy migration and tests.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../db/database';
import type { PracticeRole } from '../workflows/plan/plan.types';

type Handle = Db | Tx;

export type UserRole = 'doctor' | 'technician' | 'admin' | 'support';

export interface NewProfile {
  email: string;
  firstName: string;
  lastName: string;
  phone?: string | null;
  /** The GLOBAL role; 'admin' is internal lab staff who see every practice. */
  role?: UserRole;
}

/** Creates the auth user and its profile (Supabase keeps both; on plain PostgreSQL we do). */
export async function createProfile(db: Handle, p: NewProfile): Promise<string> {
  const { id } = await db.insertInto('auth.users').values({ email: p.email.trim().toLowerCase() }).returning('id').executeTakeFirstOrThrow();
  await db
    .insertInto('profiles')
    .values({
      id,
      email: p.email.trim().toLowerCase(),
      first_name: p.firstName.trim(),
      last_name: p.lastName.trim(),
      phone: p.phone ?? null,
      role: p.role ?? 'technician',
    })
    .execute();
  return id;
}

export async function createPractice(db: Handle, p: { name: string; email?: string | null; phone?: string | null; settings?: Record<string, unknown> }): Promise<string> {
  const row = await db
    .insertInto('practices')
    .values({ name: p.name, email: p.email ?? null, phone: p.phone ?? null, settings: JSON.stringify(p.settings ?? {}) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function addMember(db: Handle, practiceId: string, profileId: string, role: PracticeRole, practitionerId?: string | null): Promise<string> {
  const row = await db
    .insertInto('practice_members')
    .values({ practice_id: practiceId, profile_id: profileId, role, practitioner_id: practitionerId ?? null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function createPractitioner(db: Handle, profileId: string, p: { licenseNumber?: string | null; specialties?: string[] } = {}): Promise<string> {
  const row = await db
    .insertInto('practitioners')
    .values({ profile_id: profileId, license_number: p.licenseNumber ?? null, specialties: p.specialties ?? null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The caller's role in a practice, or null when not a member. */
export async function practiceRoleOf(db: Handle, practiceId: string, profileId: string): Promise<PracticeRole | null> {
  const row = await db
    .selectFrom('practice_members')
    .select('role')
    .where('practice_id', '=', practiceId)
    .where('profile_id', '=', profileId)
    .executeTakeFirst();
  return (row?.role as PracticeRole | undefined) ?? null;
}

export interface NewPatient {
  practiceId: string;
  email: string;
  firstName: string;
  lastName: string;
  dateOfBirth?: string | null;
  gender?: 'male' | 'female' | 'other' | 'prefer_not_to_say' | null;
  patientNumber?: string;
  /** The email the practice keeps for the patient (patients.contact_email; unique within the practice only). */
  contactEmail?: string | null;
}

/** Creates a patient with its own profile; the patient number is generated when omitted. */
export async function createPatient(db: Handle, p: NewPatient): Promise<{ id: string; profileId: string; patientNumber: string }> {
  const profileId = await createProfile(db, { email: p.email, firstName: p.firstName, lastName: p.lastName, role: 'technician' });
  const patientNumber =
    p.patientNumber ??
    (
      await sql<{ n: string }>`select 'P-' || lpad((count(*) + 1)::text, 6, '0') as n from patients where practice_id = ${p.practiceId}`.execute(db)
    ).rows[0]!.n;
  const row = await db
    .insertInto('patients')
    .values({
      practice_id: p.practiceId,
      profile_id: profileId,
      patient_number: patientNumber,
      date_of_birth: p.dateOfBirth ?? null,
      gender: p.gender ?? null,
      contact_email: p.contactEmail ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, profileId, patientNumber };
}
