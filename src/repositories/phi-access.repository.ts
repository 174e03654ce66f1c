/**
 * PHI access log (db/migrations/0051): what a request read, per patient. Plain functions taking
 * the caller's transaction first, so the entry commits with the read or not at all.
 */
import { sql } from 'kysely';
import type { Tx } from '../db/database';

export interface PhiRead {
  /** The route template, e.g. 'GET /patients/{id}'. */
  route: string;
  /** What was read: patient, case, file, message, dashboard, ... */
  resource: string;
  resourceId?: string | null;
}

/**
 * Records that the caller (auth.uid()) read these patients: one INSERT for all of them (a search
 * page of 50 patients is one statement). The practice is the patient's own, looked up under the
 * caller's RLS, so only patients the caller can see are recorded. The request id comes from the
 * transaction's `mdw.request_id` (set at BEGIN by the database driver).
 */
export async function recordPhiAccess(trx: Tx, patientIds: ReadonlyArray<string | null | undefined>, read: PhiRead): Promise<void> {
  const ids = [...new Set(patientIds.filter((id): id is string => !!id))];
  if (!ids.length) return;
  const r = await sql`
    INSERT INTO public.phi_access_log (actor_id, patient_id, practice_id, route, resource, resource_id, request_id)
    SELECT auth.uid(), p.id, p.practice_id, ${read.route}, ${read.resource}, ${read.resourceId ?? null},
           nullif(current_setting('mdw.request_id', true), '')
      FROM public.patients p
     WHERE p.id = ANY(${ids}::uuid[])`.execute(trx);
  // Lab staff see no patients row (0040), so nothing was written for them above: their reads go
  // through record_lab_phi_access() (0047). Members reading their own patients never get here.
  if (Number(r.numAffectedRows ?? 0) < ids.length) {
    await sql`SELECT public.record_lab_phi_access(${ids}::uuid[], ${read.route}, ${read.resource}, ${read.resourceId ?? null})`.execute(trx);
  }
}

export interface PhiAccessEntry {
  id: string;
  actor_id: string;
  patient_id: string;
  practice_id: string;
  route: string;
  resource: string;
  resource_id: string | null;
  request_id: string | null;
  accessed_at: Date;
}

/** One patient's accounting of disclosures, newest first (RLS: managers and internal admins). */
export async function listPhiAccess(trx: Tx, patientId: string, limit: number, before?: { at: string; id: string } | null): Promise<PhiAccessEntry[]> {
  let q = trx.selectFrom('phi_access_log').selectAll().where('patient_id', '=', patientId);
  if (before) q = q.where(sql<boolean>`(accessed_at, id) < (${before.at}::timestamptz, ${before.id}::bigint)`);
  const rows = await q.orderBy('accessed_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows as unknown as PhiAccessEntry[];
}

/** As recordPhiAccess, for reads that know cases rather than patients (files, messages). */
export async function recordCaseAccess(trx: Tx, caseIds: ReadonlyArray<string>, read: PhiRead): Promise<void> {
  const ids = [...new Set(caseIds)];
  if (!ids.length) return;
  // The cases' patients as the caller sees the cases (lab staff see cases, not patients rows).
  const rows = await trx.selectFrom('cases').select('patient_id').where('id', 'in', ids).execute();
  await recordPhiAccess(trx, rows.map((r) => r.patient_id), read);
}

/**
 * A search page's reads (GET /search): its cases' patients, then the patients it shows, as
 * recordCaseAccess() and recordPhiAccess() would write them, in one statement (db 0136's
 * record_search_phi_access(), which the one-round-trip search calls inside its own statement).
 */
export async function recordSearchAccess(trx: Tx, caseIds: ReadonlyArray<string>, patientIds: ReadonlyArray<string>, read: PhiRead): Promise<void> {
  if (!caseIds.length && !patientIds.length) return;
  await sql`SELECT public.record_search_phi_access(${[...caseIds]}::uuid[], ${[...patientIds]}::uuid[], ${read.route}, ${read.resource})`.execute(trx);
}
