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

/**
 * Accepts a pending pair and merges its two MDW patients, all in `db`'s transaction:
 * - the survivor is `survivorPatientId` if given (one of the two), else the patient with more
 *   cases, then the older one;
 * - the merged patient's cases move to the survivor, and with them (they hang off cases) their
 *   orders, files, projects, messages and states; its embeddings are dropped (they describe it);
 * - the survivor's missing birthdate and gender are taken from the merged patient;
 * - other review rows that name the merged patient now name the survivor; a pending pair whose
 *   two sides are now one patient is accepted with a note;
 * - legacy_id_map rows that pointed at the merged patient become disposition 'merged', target
 *   the survivor, with a reason naming the survivor and the review;
 * - the merged patient row is deleted (nothing references it any more; its profile stays: a
 *   profile is a person's login and may be referenced by messages). The review keeps both ids.
 * Idempotent: accepting an accepted pair returns it. Patients of two practices are refused:
 * merging them would move one practice's cases into another's.
 * @param db - a privileged transaction in which the caller's right to decide this row was checked.
 */
export async function acceptReview(db: Tx, id: string, actorProfileId: string, survivorPatientId?: string): Promise<{ review: MatchReview; merge: MergeOutcome | null } | null> {
  const review = await getReview(db, id, { forUpdate: true });
  if (!review) return null;
  if (review.status === 'accepted') return { review, merge: null };
  if (review.status === 'rejected') throw new MatchDecisionError('match_decided', 'This pair was rejected; a rejected pair is never merged.');
  if (!review.patientAId || !review.patientBId) throw new MatchDecisionError('patient_gone', 'One of the two patients no longer exists.');
  if (survivorPatientId !== undefined && survivorPatientId !== review.patientAId && survivorPatientId !== review.patientBId) {
    throw new MatchDecisionError('not_a_party', 'The survivor must be one of the two patients of the pair.');
  }
  const patients = await db
    .selectFrom('patients as p')
    .select(['p.id', 'p.practice_id', 'p.created_at', (eb) => eb.selectFrom('cases').select(eb.fn.countAll<number>().as('n')).whereRef('cases.patient_id', '=', 'p.id').as('cases')])
    .where('p.id', 'in', [review.patientAId, review.patientBId])
    .orderBy('p.id')
    .forUpdate()
    .execute();
  const a = patients.find((p) => p.id === review.patientAId);
  const b = patients.find((p) => p.id === review.patientBId);
  if (!a || !b) throw new MatchDecisionError('patient_gone', 'One of the two patients no longer exists.');
  if (a.practice_id !== b.practice_id) {
    throw new MatchDecisionError('cross_practice_merge', 'The two patients belong to different practices; merging them would move one practice\'s cases into another\'s.');
  }
  let survivor = a;
  let merged = b;
  if (a.id === b.id) {
    // Both legacy records already live in one patient (merged through another pair).
    await db.updateTable('patient_match_reviews').set({ status: 'accepted', decided_by: actorProfileId, decided_at: sql`now()`, survivor_patient_id: a.id }).where('id', '=', id).execute();
    return { review: (await getReview(db, id)) as MatchReview, merge: null };
  }
  if (survivorPatientId !== undefined) {
    if (survivorPatientId === b.id) [survivor, merged] = [b, a];
  } else if (Number(b.cases) > Number(a.cases) || (Number(b.cases) === Number(a.cases) && new Date(b.created_at) < new Date(a.created_at))) {
    [survivor, merged] = [b, a];
  }

  const moved = await db.updateTable('cases').set({ patient_id: survivor.id }).where('patient_id', '=', merged.id).executeTakeFirst();
  await db.deleteFrom('patient_embeddings').where('patient_id', '=', merged.id).execute();
  await db
    .updateTable('patients')
    .set({
      date_of_birth: sql`coalesce(date_of_birth, (SELECT m.date_of_birth FROM public.patients m WHERE m.id = ${merged.id}))`,
      gender: sql`coalesce(gender, (SELECT m.gender FROM public.patients m WHERE m.id = ${merged.id}))`,
    })
    .where('id', '=', survivor.id)
    .execute();

  await db.updateTable('patient_match_reviews').set({ patient_a_id: survivor.id }).where('patient_a_id', '=', merged.id).execute();
  await db.updateTable('patient_match_reviews').set({ patient_b_id: survivor.id }).where('patient_b_id', '=', merged.id).execute();
  await db
    .updateTable('patient_match_reviews')
    .set({ status: 'accepted', decided_by: actorProfileId, decided_at: sql`now()`, survivor_patient_id: survivor.id, note: sql`concat_ws('; ', note, ${`merged through review ${id}`}::text)` })
    .where('status', '=', 'pending')
    .where('id', '!=', id)
    .whereRef('patient_a_id', '=', 'patient_b_id')
    .execute();

  const survivorKey = survivor.id === review.patientAId ? review.legacyKeyA : review.legacyKeyB;
  const legacy = await db
    .updateTable('legacy_id_map')
    .set({
      disposition: 'merged',
      target_id: survivor.id,
      reason: `merged into patient ${survivor.id} (legacy patient ${survivorKey}) by review ${id}`,
    })
    .where('target_table', '=', 'patients')
    .where('target_id', '=', merged.id)
    .executeTakeFirst();

  await db.deleteFrom('patients').where('id', '=', merged.id).execute();
  await db
    .updateTable('patient_match_reviews')
    .set({ status: 'accepted', decided_by: actorProfileId, decided_at: sql`now()`, survivor_patient_id: survivor.id, merged_patient_id: merged.id })
    .where('id', '=', id)
    .execute();
  return {
    review: (await getReview(db, id)) as MatchReview,
    merge: { survivorPatientId: survivor.id, mergedPatientId: merged.id, casesMoved: Number(moved.numUpdatedRows), legacyRowsMerged: Number(legacy.numUpdatedRows) },
  };
}
