/**
 * Patients. Creating one checks for duplicates within the practice (same normalised name and
 * date of birth, or same email) and answers 409 with the candidates unless confirmDuplicate.
 * A patient has its own profile, created on the system handle after the caller was shown (under
 * RLS) to be a member of the practice. The email a practice keeps for its patient is the
 * practice's own (patients.contact_email, db/migrations/0018): unique within the practice only,
 * so no answer depends on whether another practice, or anyone, uses that address.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Tx } from '../../db/database';
import { createPatient } from '../../repositories/identity.repository';
import { updatePatientProfile } from '../../repositories/patients.repository';
import { ApiError } from '../errors';
import { ctx } from '../context';
import { decodeCursor, encodeCursor, type Cursor, isoReq, page, requireMember, ZDate, ZGender, ZIdParams, ZJsonObject, ZPageQuery, ZTimestamp, ZUuid, ZName, ZText, ZEmail } from '../common';
import { route, type RouteKit } from '../route';
import type { ApiServices } from '../types';
import { z } from '../zod';
import { recordPhiAccess } from '../../repositories/phi-access.repository';

/** Patients without an email get a placeholder address (profiles.email is required and unique). */
const NO_EMAIL_DOMAIN = '@no-email.invalid';

export const ZPatient = z
  .object({
    id: ZUuid,
    practiceId: ZUuid,
    profileId: ZUuid,
    patientNumber: z.string(),
    firstName: z.string(),
    lastName: z.string(),
    fullName: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    dateOfBirth: ZDate.nullable(),
    gender: ZGender.nullable(),
    medicalHistory: ZJsonObject,
    preferences: ZJsonObject,
    emergencyContact: ZJsonObject.nullable(),
    clinicalSummary: z.string().nullable().openapi({ description: "The practice's clinical summary of the patient (free text): embedded for search (`kind=patients`) while AI processing is consented to." }),
    createdAt: ZTimestamp,
    updatedAt: ZTimestamp,
  })
  .openapi('Patient');
export type TPatient = z.infer<typeof ZPatient>;

/**
 * Where a practice keeps a clinical summary of its patient (issue 10 §2): the fourth text the
 * embedding pipeline embeds (db 0030's triggers queue it on insert and change) and search finds.
 */
const ZClinicalSummary = ZText({ max: 10_000 }).openapi({ description: 'Free-text clinical summary; null clears it. Embedded for search while AI processing is consented to.' });

export const ZCreatePatientBody = z
  .object({
    practiceId: ZUuid,
    firstName: ZName(100),
    lastName: ZName(100),
    email: ZEmail.optional(),
    phone: ZText({ max: 50 }).optional(),
    dateOfBirth: ZDate.optional(),
    gender: ZGender.optional(),
    patientNumber: ZName(50).optional(),
    clinicalSummary: ZClinicalSummary.optional(),
    confirmDuplicate: z.boolean().optional().openapi({ description: 'Create even though a likely duplicate exists.' }),
  })
  .openapi('CreatePatientBody');
export type TCreatePatientBody = z.infer<typeof ZCreatePatientBody>;

export const ZUpdatePatientBody = z
  .object({
    firstName: ZName(100).optional(),
    lastName: ZName(100).optional(),
    email: ZEmail.optional(),
    phone: ZText({ max: 50 }).nullable().optional(),
    dateOfBirth: ZDate.nullable().optional(),
    gender: ZGender.nullable().optional(),
    medicalHistory: ZJsonObject.optional(),
    preferences: ZJsonObject.optional(),
    emergencyContact: ZJsonObject.nullable().optional(),
    clinicalSummary: ZClinicalSummary.nullable().optional(),
  })
  .openapi('UpdatePatientBody');
export type TUpdatePatientBody = z.infer<typeof ZUpdatePatientBody>;

export const ZPatientListQuery = ZPageQuery.extend({
  practiceId: ZUuid.optional(),
  q: ZName(100).optional().openapi({ description: 'Part of the name, email or patient number (case-insensitive)' }),
});

export const ZDuplicateCandidate = z.object({
  message: z.string(),
  patientId: ZUuid,
  patientNumber: z.string(),
  fullName: z.string(),
  dateOfBirth: ZDate.nullable(),
  match: z.enum(['name_and_date_of_birth', 'email']),
});

function patientQuery(trx: Tx) {
  return trx
    .selectFrom('patients as pt')
    .innerJoin('profiles as p', 'p.id', 'pt.profile_id')
    .select([
      'pt.id',
      'pt.practice_id',
      'pt.profile_id',
      'pt.patient_number',
      'p.first_name',
      'p.last_name',
      'p.full_name',
      sql<string>`coalesce(pt.contact_email, p.email)`.as('email'),
      'p.phone',
      sql<string | null>`to_char(pt.date_of_birth, 'YYYY-MM-DD')`.as('dob'),
      'pt.gender',
      'pt.medical_history',
      'pt.preferences',
      'pt.emergency_contact',
      'pt.clinical_summary',
      'pt.created_at',
      'pt.updated_at',
      sql<string>`pt.created_at::text`.as('created_at_text'),
    ]);
}
type PatientRow = Awaited<ReturnType<ReturnType<typeof patientQuery>['executeTakeFirstOrThrow']>>;

const toPatient = (r: PatientRow): TPatient => ({
  id: r.id,
  practiceId: r.practice_id,
  profileId: r.profile_id,
  patientNumber: r.patient_number,
  firstName: r.first_name,
  lastName: r.last_name,
  fullName: r.full_name ?? `${r.first_name} ${r.last_name}`,
  email: r.email.endsWith(NO_EMAIL_DOMAIN) ? null : r.email,
  phone: r.phone,
  dateOfBirth: r.dob,
  gender: r.gender,
  medicalHistory: (r.medical_history as Record<string, unknown>) ?? {},
  preferences: (r.preferences as Record<string, unknown>) ?? {},
  emergencyContact: (r.emergency_contact as Record<string, unknown> | null) ?? null,
  clinicalSummary: r.clinical_summary,
  createdAt: isoReq(r.created_at),
  updatedAt: isoReq(r.updated_at),
});

export async function loadPatient(trx: Tx, id: string): Promise<TPatient> {
  const r = await patientQuery(trx).where('pt.id', '=', id).executeTakeFirst();
  if (!r) throw ApiError.notFound('Patient');
  return toPatient(r);
}

const normalisedName = sql<string>`lower(regexp_replace(trim(p.first_name || ' ' || p.last_name), '\\s+', ' ', 'g'))`;
const normalise = (first: string, last: string) => `${first} ${last}`.trim().replace(/\s+/g, ' ').toLowerCase();

async function findDuplicates(trx: Tx, body: TCreatePatientBody): Promise<Array<z.infer<typeof ZDuplicateCandidate>>> {
  const name = normalise(body.firstName, body.lastName);
  const rows = await patientQuery(trx)
    .where('pt.practice_id', '=', body.practiceId)
    .where((eb) => {
      const ors = [];
      if (body.dateOfBirth) ors.push(eb.and([eb(normalisedName, '=', name), eb('pt.date_of_birth', '=', body.dateOfBirth as never)]));
      if (body.email) ors.push(eb(sql`lower(coalesce(pt.contact_email, p.email))`, '=', body.email.toLowerCase()));
      return ors.length ? eb.or(ors) : eb.val(false);
    })
    .limit(20)
    .execute();
  return rows.map((r) => {
    const byEmail = !!body.email && r.email.toLowerCase() === body.email.toLowerCase();
    return {
      message: byEmail ? 'A patient of this practice has this email.' : 'A patient of this practice has this name and date of birth.',
      patientId: r.id,
      patientNumber: r.patient_number,
      fullName: r.full_name ?? `${r.first_name} ${r.last_name}`,
      dateOfBirth: r.dob,
      match: byEmail ? ('email' as const) : ('name_and_date_of_birth' as const),
    };
  });
}

/** One page (limit + 1 rows, to tell whether more follow) of the caller's patients, newest first. */
export function listPatients(trx: Tx, query: { practiceId?: string; q?: string; limit: number }, cursor: Cursor | null) {
  let qb = patientQuery(trx).orderBy('pt.created_at', 'desc').orderBy('pt.id', 'desc').limit(query.limit + 1);
  if (query.practiceId) qb = qb.where('pt.practice_id', '=', query.practiceId);
  if (query.q) {
    // search_patient_ids() checks membership once and uses the trigram index; under RLS
    // PostgreSQL may not use it (ILIKE is not leakproof), so an ILIKE here read every
    // patient of the practice (db/migrations/0013). The rows are still loaded under RLS.
    const ids = sql<string>`(SELECT s.id FROM public.search_patient_ids(${query.q}, ${query.practiceId ?? null}::uuid, ${query.limit + 1}::int,
                             ${cursor?.createdAt ?? null}::timestamptz, ${cursor?.id ?? null}::uuid) s)`;
    qb = qb.where('pt.id', 'in', ids);
  }
  if (cursor) qb = qb.where(sql<boolean>`(pt.created_at, pt.id) < (${cursor.createdAt}::timestamptz, ${cursor.id}::uuid)`);
  return qb.execute();
}

export function patientRoutes(kit: RouteKit, s: ApiServices): void {
  route(kit, {
    method: 'post',
    path: '/patients',
    tags: ['patients'],
    summary: 'Create a patient (409 duplicate_patient with candidates unless confirmDuplicate)',
    body: ZCreatePatientBody,
    status: 201,
    response: ZPatient,
    errors: [404, 409],
    idempotent: true,
    handler: async ({ body }) => {
      const c = ctx();
      const duplicates = await c.db(async (trx) => {
        await requireMember(trx, body.practiceId, 'practiceId');
        return findDuplicates(trx, body);
      });
      const emailTaken = duplicates.some((d) => d.match === 'email');
      if (duplicates.length && (!body.confirmDuplicate || emailTaken)) {
        throw new ApiError(409, 'duplicate_patient', emailTaken ? 'A patient of this practice already has this email.' : 'This patient looks like an existing one; send confirmDuplicate: true to create anyway.', duplicates);
      }
      const created = await s.database.system.transaction().execute(async (trx) => {
        const p = await createPatient(trx, {
          practiceId: body.practiceId,
          // The profile's email is unique across MDW: the patient's own stays with the practice.
          email: `patient-${randomUUID()}${NO_EMAIL_DOMAIN}`,
          contactEmail: body.email?.toLowerCase() ?? null,
          firstName: body.firstName,
          lastName: body.lastName,
          dateOfBirth: body.dateOfBirth ?? null,
          gender: body.gender ?? null,
          patientNumber: body.patientNumber,
        });
        if (body.phone) await trx.updateTable('profiles').set({ phone: body.phone }).where('id', '=', p.profileId).execute();
        if (body.clinicalSummary?.trim()) await trx.updateTable('patients').set({ clinical_summary: body.clinicalSummary }).where('id', '=', p.id).execute();
        return p;
      });
      return c.db((trx) => loadPatient(trx, created.id));
    },
  });

  route(kit, {
    method: 'get',
    path: '/patients',
    tags: ['patients'],
    summary: 'List and search patients (newest first)',
    query: ZPatientListQuery,
    response: page(ZPatient, 'PatientPage'),
    handler: ({ query }) =>
      ctx().db(async (trx) => {
        const cursor = decodeCursor(query.cursor);
        const rows = await listPatients(trx, query, cursor);
        const more = rows.length > query.limit;
        const items = rows.slice(0, query.limit);
        const last = items.at(-1);
        await recordPhiAccess(trx, items.map((r) => r.id), { route: 'GET /patients', resource: query.q ? 'patient_search' : 'patient_list' });
        return { items: items.map(toPatient), nextCursor: more && last ? encodeCursor(last.created_at_text, last.id) : null };
      }),
  });

  route(kit, {
    method: 'get',
    path: '/patients/:id',
    tags: ['patients'],
    summary: 'One patient',
    params: ZIdParams,
    response: ZPatient,
    handler: ({ params }) =>
      ctx().db(async (trx) => {
        const p = await loadPatient(trx, params.id);
        await recordPhiAccess(trx, [p.id], { route: 'GET /patients/{id}', resource: 'patient', resourceId: p.id });
        return p;
      }),
  });

  route(kit, {
    method: 'patch',
    path: '/patients/:id',
    tags: ['patients'],
    summary: 'Update a patient',
    params: ZIdParams,
    body: ZUpdatePatientBody,
    response: ZPatient,
    errors: [409],
    handler: ({ params, body }) => {
      const c = ctx();
      // One transaction as the caller: the patient row and its profile change together or not at
      // all (a failure between two transactions used to keep the birthdate or medical history).
      return c.db(async (trx) => {
        const p = await loadPatient(trx, params.id);
        c.practiceId = p.practiceId;
        const set = {
          ...(body.dateOfBirth !== undefined && { date_of_birth: body.dateOfBirth }),
          ...(body.gender !== undefined && { gender: body.gender }),
          ...(body.medicalHistory !== undefined && { medical_history: JSON.stringify(body.medicalHistory) }),
          ...(body.preferences !== undefined && { preferences: JSON.stringify(body.preferences) }),
          ...(body.emergencyContact !== undefined && { emergency_contact: body.emergencyContact === null ? null : JSON.stringify(body.emergencyContact) }),
          // A blank summary is no summary: nothing to embed, and the pipeline drops its vector.
          ...(body.clinicalSummary !== undefined && { clinical_summary: body.clinicalSummary?.trim() ? body.clinicalSummary : null }),
          // The practice's own copy (0018): changing it can never collide with anyone elsewhere.
          ...(body.email !== undefined && { contact_email: body.email.toLowerCase() }),
        };
        if (Object.keys(set).length) await trx.updateTable('patients').set(set).where('id', '=', params.id).execute();
        // The patient's profile is not the caller's, so RLS lets nobody but the patient update it;
        // update_patient_profile() checks the caller may see the patient and writes it here.
        const changes = { firstName: body.firstName, lastName: body.lastName, phone: body.phone };
        if (!(await updatePatientProfile(trx, params.id, changes))) throw ApiError.notFound('Patient');
        return loadPatient(trx, params.id);
      });
    },
  });
}
