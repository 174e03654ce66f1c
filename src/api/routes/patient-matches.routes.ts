/**
 * The patient-match review queue: pairs of patients the legacy migration's dedup graded
 * probable or possible (FHIR $match), each with its per-field evidence. Lab admins see every
 * pair; the owners and admins of a practice see the pairs whose two patients are both theirs
 * (RLS, db/migrations/0025). Accept merges the two patients; reject is permanent (the pair is
 * never proposed again).
 */
import { sql } from 'kysely';
import { acceptReview, getReview, listReviews, MatchDecisionError, type MatchReview, rejectReview } from '../../repositories/patient-matches.repository';
import { ApiError } from '../errors';
import { ctx } from '../context';
import { decodeCursor, encodeCursor, page, ZIdParams, ZPageQuery, ZTimestamp, ZUuid } from '../common';
import { route, type RouteKit } from '../route';
import type { ApiServices } from '../types';
import { z } from '../zod';

const ZGrade = z.enum(['certain', 'probable', 'possible']);
const ZStatus = z.enum(['pending', 'accepted', 'rejected']);

export const ZFieldEvidence = z
  .object({
    field: z.enum(['name', 'email', 'birthdate', 'sex', 'practice', 'cases']),
    outcome: z.enum(['agree', 'partial', 'disagree', 'missing']),
    weight: z.number().openapi({ description: 'Contribution to the score (log2 likelihood ratio): positive for, negative against' }),
    detail: z.string().optional(),
  })
  .openapi('FieldEvidence');

export const ZPatientMatch = z
  .object({
    id: ZUuid,
    legacyKeyA: z.string().openapi({ description: 'Legacy dispatch_patient id of side A' }),
    legacyKeyB: z.string(),
    patientAId: ZUuid.nullable().openapi({ description: 'The MDW patient legacy record A lives in now' }),
    patientBId: ZUuid.nullable(),
    practiceId: ZUuid.nullable().openapi({ description: 'NULL when the two patients belong to different practices' }),
    grade: ZGrade,
    score: z.number(),
    evidence: z.array(ZFieldEvidence),
    note: z.string().nullable(),
    status: ZStatus,
    decidedBy: ZUuid.nullable(),
    decidedAt: ZTimestamp.nullable(),
    survivorPatientId: ZUuid.nullable(),
    mergedPatientId: ZUuid.nullable(),
    runId: ZUuid,
    createdAt: ZTimestamp,
  })
  .openapi('PatientMatch');
export type TPatientMatch = z.infer<typeof ZPatientMatch>;

export const ZPatientMatchListQuery = ZPageQuery.extend({
  status: ZStatus.optional(),
  grade: ZGrade.optional(),
  practiceId: ZUuid.optional(),
});

export const ZAcceptMatchBody = z
  .object({
    survivorPatientId: ZUuid.optional().openapi({ description: 'Which of the two patients survives (default: the one with more cases, then the older)' }),
  })
  .strict()
  .openapi('AcceptPatientMatchBody');

const toApi = ({ createdAtText: _text, ...m }: MatchReview): TPatientMatch => m;

function decisionError(err: unknown): never {
  if (err instanceof MatchDecisionError) {
    if (err.code === 'not_a_party') {
      throw new ApiError(400, 'validation_failed', err.message, [{ field: 'survivorPatientId', message: err.message }]);
    }
    throw new ApiError(409, err.code, err.message);
  }
  throw err;
}

export function patientMatchRoutes(kit: RouteKit, _s: ApiServices): void {
  route(kit, {
    method: 'get',
    path: '/patient-matches',
    tags: ['patient-matches'],
    summary: 'The review queue of possible duplicate patients (newest first)',
    query: ZPatientMatchListQuery,
    response: page(ZPatientMatch, 'PatientMatchPage'),
    handler: ({ query }) =>
      ctx().db(async (trx) => {
        const cursor = decodeCursor(query.cursor);
        const { items, more } = await listReviews(trx, { ...query, after: cursor });
        const last = items.at(-1);
        return { items: items.map(toApi), nextCursor: more && last ? encodeCursor(last.createdAtText, last.id) : null };
      }),
  });

  route(kit, {
    method: 'get',
    path: '/patient-matches/:id',
    tags: ['patient-matches'],
    summary: 'One pair with its evidence',
    params: ZIdParams,
    response: ZPatientMatch,
    handler: ({ params }) =>
      ctx().db(async (trx) => {
        const review = await getReview(trx, params.id);
        if (!review) throw ApiError.notFound('Patient match');
        return toApi(review);
      }),
  });

  route(kit, {
    method: 'post',
    path: '/patient-matches/:id/accept',
    tags: ['patient-matches'],
    summary: 'Accept: merge the two patients (cases, orders, files and projects follow the survivor). Idempotent.',
    params: ZIdParams,
    body: ZAcceptMatchBody,
    response: ZPatientMatch,
    errors: [409],
    handler: ({ params, body }) => {
      const c = ctx();
      return c.db(async (trx) => {
        // Under RLS as the caller: only who may decide this pair can lock it.
        const visible = await getReview(trx, params.id, { forUpdate: true });
        if (!visible) throw ApiError.notFound('Patient match');
        c.practiceId = visible.practiceId;
        // The caller is authorised (above). The merge itself updates legacy_id_map, which no
        // application role may write, so the rest of this one transaction runs as the
        // connection's privileged role.
        await sql`set local role none`.execute(trx);
        const result = await acceptReview(trx, params.id, c.actor!.profileId, body.survivorPatientId).catch(decisionError);
        if (!result) throw ApiError.notFound('Patient match');
        if (result.merge) c.log.info({ match: params.id, ...result.merge }, 'patients merged');
        return toApi(result.review);
      });
    },
  });

  route(kit, {
    method: 'post',
    path: '/patient-matches/:id/reject',
    tags: ['patient-matches'],
    summary: 'Reject: the two are different people; the pair is never proposed again. Idempotent.',
    params: ZIdParams,
    response: ZPatientMatch,
    errors: [409],
    handler: ({ params }) => {
      const c = ctx();
      return c.db(async (trx) => {
        const result = await rejectReview(trx, params.id, c.actor!.profileId).catch(decisionError);
        if (!result) throw ApiError.notFound('Patient match');
        c.practiceId = result.practiceId;
        return toApi(result);
      });
    },
  });
}
