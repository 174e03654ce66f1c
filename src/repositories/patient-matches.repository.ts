/**
 * The patient-match review queue (db/migrations/0025): pairs of patients that dedup
 * (src/migration/dedup/) graded probable or possible, written by the legacy migration, decided
 * by a person. Plain functions taking `db` first; the caller chooses the transaction and the
 * handle (the migration writes with the privileged handle; the API reads and decides under RLS).
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../db/database';
import type { FieldEvidence, MatchGrade, MatchPair } from '../migration/dedup/types';
import { pairKey } from '../migration/dedup/dedup';

type Handle = Db | Tx;

export type MatchStatus = 'pending' | 'accepted' | 'rejected';

/** A graded pair with the MDW patients its two legacy records live in. */
export interface MatchCandidate {
  pair: MatchPair;
  /** MDW patient of pair.a / pair.b. */
  patientAId: string;
  patientBId: string;
}

export interface UpsertResult {
  inserted: number;
  /** Pending pairs whose evidence was refreshed. */
  updated: number;
  /** Pairs already decided (accepted or rejected): left exactly as they were. */
  decided: number;
}

/**
 * Proposes pairs for review, idempotently: a new pair is inserted as pending; a pending pair
 * gets the new grade, score, evidence and run; a decided pair (rejected above all) is never
 * touched, so a rejected pair is never proposed again. The practice of the pair is read from the
 * patients (NULL when they differ: only lab admins see it).
 * @param db - the privileged handle (or a transaction on it): application roles may not insert.
 */
export async function upsertCandidates(db: Handle, runId: string, candidates: readonly MatchCandidate[]): Promise<UpsertResult> {
  const result: UpsertResult = { inserted: 0, updated: 0, decided: 0 };
  const CHUNK = 500;
  for (let i = 0; i < candidates.length; i += CHUNK) {
    const rows = candidates.slice(i, i + CHUNK).map(({ pair, patientAId, patientBId }) => {
      // The table keeps a < b; MatchPair already does, but a caller's pair may not.
      const swap = pair.a > pair.b;
      return {
        legacy_key_a: swap ? pair.b : pair.a,
        legacy_key_b: swap ? pair.a : pair.b,
        patient_a_id: swap ? patientBId : patientAId,
        patient_b_id: swap ? patientAId : patientBId,
        grade: pair.grade,
        score: String(pair.score),
        evidence: JSON.stringify(pair.evidence),
        note: pair.note ?? null,
        run_id: runId,
      };
    });
    const keys = rows.map((r) => `${r.legacy_key_a}|${r.legacy_key_b}`);
    const before = await db
      .selectFrom('patient_match_reviews')
      .select(['legacy_key_a', 'legacy_key_b', 'status'])
      .where(sql<boolean>`(legacy_key_a || '|' || legacy_key_b) = ANY(${keys}::text[])`)
      .execute();
    const existing = new Map(before.map((r) => [`${r.legacy_key_a}|${r.legacy_key_b}`, r.status]));
    const fresh = rows.filter((r) => existing.get(`${r.legacy_key_a}|${r.legacy_key_b}`) !== 'accepted' && existing.get(`${r.legacy_key_a}|${r.legacy_key_b}`) !== 'rejected');
    result.decided += rows.length - fresh.length;
    if (fresh.length === 0) continue;
    // One statement per chunk; the practice comes from the patients themselves.
    const written = await sql<{ inserted: boolean }>`
      INSERT INTO public.patient_match_reviews
        (legacy_key_a, legacy_key_b, patient_a_id, patient_b_id, practice_id, grade, score, evidence, note, run_id)
      SELECT v.legacy_key_a, v.legacy_key_b, v.patient_a_id, v.patient_b_id,
             CASE WHEN pa.practice_id = pb.practice_id THEN pa.practice_id END,
             v.grade, v.score, v.evidence::jsonb, v.note, v.run_id
        FROM jsonb_to_recordset(${JSON.stringify(fresh)}::jsonb) AS v(
               legacy_key_a text, legacy_key_b text, patient_a_id uuid, patient_b_id uuid,
               grade public.patient_match_grade, score numeric, evidence text, note text, run_id uuid)
        JOIN public.patients pa ON pa.id = v.patient_a_id
        JOIN public.patients pb ON pb.id = v.patient_b_id
      ON CONFLICT (legacy_key_a, legacy_key_b) DO UPDATE
         SET patient_a_id = EXCLUDED.patient_a_id, patient_b_id = EXCLUDED.patient_b_id,
             practice_id = EXCLUDED.practice_id, grade = EXCLUDED.grade, score = EXCLUDED.score,
             evidence = EXCLUDED.evidence, note = EXCLUDED.note, run_id = EXCLUDED.run_id
       -- A pair decided between our read and this write stays decided.
       WHERE patient_match_reviews.status = 'pending'
      RETURNING (xmax = 0) AS inserted`.execute(db);
    for (const w of written.rows) {
      if (w.inserted) result.inserted++;
      else result.updated++;
    }
  }
  return result;
}

/**
 * The pairs people rejected, as dedup's `options.rejectedPairs` wants them ("a|b", a < b).
 * @param db - the privileged handle (the migration reads every practice's pairs).
 */
export async function rejectedPairs(db: Handle): Promise<Set<string>> {
  const rows = await db.selectFrom('patient_match_reviews').select(['legacy_key_a', 'legacy_key_b']).where('status', '=', 'rejected').execute();
  return new Set(rows.map((r) => pairKey(r.legacy_key_a, r.legacy_key_b)));
}

export interface MatchReview {
  id: string;
  legacyKeyA: string;
  legacyKeyB: string;
  patientAId: string | null;
  patientBId: string | null;
  practiceId: string | null;
  grade: MatchGrade;
  score: number;
  evidence: FieldEvidence[];
  note: string | null;
  status: MatchStatus;
  decidedBy: string | null;
  decidedAt: string | null;
  survivorPatientId: string | null;
  mergedPatientId: string | null;
  runId: string;
  createdAt: string;
  /** created_at as PostgreSQL text (microseconds), for keyset cursors. */
  createdAtText: string;
}

function reviewQuery(db: Handle) {
  return db
    .selectFrom('patient_match_reviews as r')
    .select([
      'r.id', 'r.legacy_key_a', 'r.legacy_key_b', 'r.patient_a_id', 'r.patient_b_id', 'r.practice_id', 'r.grade', 'r.score',
      'r.evidence', 'r.note', 'r.status', 'r.decided_by', 'r.decided_at', 'r.survivor_patient_id', 'r.merged_patient_id',
      'r.run_id', 'r.created_at',
      sql<string>`r.created_at::text`.as('created_at_text'),
    ]);
}
type ReviewRow = Awaited<ReturnType<ReturnType<typeof reviewQuery>['executeTakeFirstOrThrow']>>;

const toReview = (r: ReviewRow): MatchReview => ({
  id: r.id,
  legacyKeyA: r.legacy_key_a,
  legacyKeyB: r.legacy_key_b,
  patientAId: r.patient_a_id,
  patientBId: r.patient_b_id,
  practiceId: r.practice_id,
  grade: r.grade,
  score: Number(r.score),
  evidence: r.evidence as unknown as FieldEvidence[],
  note: r.note,
  status: r.status,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at === null ? null : new Date(r.decided_at).toISOString(),
  survivorPatientId: r.survivor_patient_id,
  mergedPatientId: r.merged_patient_id,
  runId: r.run_id,
  createdAt: new Date(r.created_at).toISOString(),
  createdAtText: r.created_at_text,
});

export interface ListFilter {
  status?: MatchStatus;
  grade?: MatchGrade;
  practiceId?: string;
  limit: number;
  /** Keyset: rows strictly after this (created_at, id) in the order newest first. */
  after?: { createdAt: string; id: string } | null;
}

/** One page of reviews, newest first; limit + 1 rows are read so the caller knows if more follow. */
export async function listReviews(db: Handle, f: ListFilter): Promise<{ items: MatchReview[]; more: boolean }> {
  let q = reviewQuery(db).orderBy('r.created_at', 'desc').orderBy('r.id', 'desc').limit(f.limit + 1);
  if (f.status) q = q.where('r.status', '=', f.status);
  if (f.grade) q = q.where('r.grade', '=', f.grade);
  if (f.practiceId) q = q.where('r.practice_id', '=', f.practiceId);
  if (f.after) q = q.where(sql<boolean>`(r.created_at, r.id) < (${f.after.createdAt}::timestamptz, ${f.after.id}::uuid)`);
  const rows = await q.execute();
  return { items: rows.slice(0, f.limit).map(toReview), more: rows.length > f.limit };
}

export async function getReview(db: Handle, id: string, opts: { forUpdate?: boolean } = {}): Promise<MatchReview | null> {
  let q = reviewQuery(db).where('r.id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row ? toReview(row) : null;
}

/** Why a decision cannot be taken; the API maps `code` to its error codes. */
export class MatchDecisionError extends Error {
  constructor(
    readonly code: 'match_decided' | 'cross_practice_merge' | 'patient_gone' | 'not_a_party',
    message: string,
  ) {
    super(message);
    this.name = 'MatchDecisionError';
  }
}

/**
 * Rejects a pending pair: it is never proposed again. Idempotent: rejecting a rejected pair
 * returns it unchanged; an accepted pair cannot be rejected (the merge happened).
 * @param db - a transaction in which the caller's right to decide this row was checked (RLS).
 */
export async function rejectReview(db: Tx, id: string, actorProfileId: string): Promise<MatchReview | null> {
  const review = await getReview(db, id, { forUpdate: true });
  if (!review) return null;
  if (review.status === 'rejected') return review;
  if (review.status === 'accepted') throw new MatchDecisionError('match_decided', 'This pair was accepted and its patients merged; it cannot be rejected.');
  await db.updateTable('patient_match_reviews').set({ status: 'rejected', decided_by: actorProfileId, decided_at: sql`now()` }).where('id', '=', id).execute();
  return getReview(db, id);
}

export interface MergeOutcome {
  survivorPatientId: string;
  mergedPatientId: string;
  casesMoved: number;
  legacyRowsMerged: number;
}

/** SQLSTATEs raised by public.accept_patient_match (db/migrations/0026). */
const MERGE_ERRORS: Record<string, MatchDecisionError['code'] | 'not_found'> = {
  MDM00: 'not_found',
  MDM01: 'match_decided',
  MDM02: 'cross_practice_merge',
  MDM03: 'patient_gone',
  MDM04: 'not_a_party',
};

/**
 * Accepts a pending pair and merges its two MDW patients, in `db`'s transaction, through
 * `public.accept_patient_match` (db/migrations/0026 says what moves where): it checks the caller
 * (lab admin, or owner/admin of the practice of both patients) with the helpers of the RLS
 * policies, because the merge writes legacy_id_map, which no application role may write.
 * Idempotent: accepting an accepted pair returns it with `merge: null`.
 * @param db - a transaction as the deciding actor (claims set).
 * @returns null when the pair does not exist or the caller may not decide it.
 */
export async function acceptReview(db: Tx, id: string, survivorPatientId?: string): Promise<{ review: MatchReview; merge: MergeOutcome | null } | null> {
  let rows: MergeOutcome[];
  try {
    const result = await sql<{ survivor_patient_id: string; merged_patient_id: string; cases_moved: number; legacy_rows_merged: number }>`
      select * from public.accept_patient_match(${id}::uuid, ${survivorPatientId ?? null}::uuid)`.execute(db);
    rows = result.rows.map((r) => ({ survivorPatientId: r.survivor_patient_id, mergedPatientId: r.merged_patient_id, casesMoved: r.cases_moved, legacyRowsMerged: r.legacy_rows_merged }));
  } catch (err) {
    const code = MERGE_ERRORS[(err as { code?: string }).code ?? ''];
    if (code === 'not_found') return null;
    if (code) throw new MatchDecisionError(code, (err as Error).message);
    throw err;
  }
  const review = await getReview(db, id);
  if (!review) return null;
  return { review, merge: rows[0] ?? null };
}
