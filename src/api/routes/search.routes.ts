/**
 * Search: GET /search (hybrid full-text + semantic over cases, messages, projects, patients'
 * clinical summaries) and GET /cases/{id}/similar (similar past cases and how they ended).
 * Everything is read under the caller's RLS; the query's embedding is computed outside the
 * transaction, and a provider failure degrades to full-text search, said in the response.
 */
import { ApiError } from '../errors';
import { ctx } from '../context';
import { isoReq, iso, ZIdParams, ZTimestamp, ZUuid, ZCaseState, ZCaseType } from '../common';
import { route, type RouteKit } from '../route';
import type { ApiServices } from '../types';
import { z } from '../zod';
import type { TextKind } from '../../ai/text';
import { recordCaseAccess } from '../../repositories/phi-access.repository';
import { SEARCH_READ } from '../../services/search.service';

const PLURAL: Record<string, TextKind> = { cases: 'case', messages: 'message', projects: 'project', patients: 'patient' };
/** What `kind` admits, stated in the document too. */
const KIND_PATTERN = /^(cases|messages|projects|patients)(,(cases|messages|projects|patients))*$/;

export const ZSearchResult = z
  .object({
    kind: z.enum(['case', 'message', 'project', 'patient']),
    id: ZUuid,
    practiceId: ZUuid,
    caseId: ZUuid.nullable(),
    title: z.string(),
    score: z.number().openapi({ description: 'Fused score, higher is better; comparable within one response only.' }),
    snippet: z.string(),
    why: z.object({
      summary: z.string().openapi({ example: 'contains "aligner"; similar in meaning (0.71)' }),
      terms: z.array(z.string()),
      lexicalRank: z.number().nullable(),
      similarity: z.number().nullable().openapi({ description: 'Cosine similarity of the best-matching chunk.' }),
    }),
    createdAt: ZTimestamp,
  })
  .openapi('SearchResult');

export const ZSearchResponse = z
  .object({
    query: z.string(),
    mode: z.enum(['hybrid', 'lexical']),
    model: z.string().nullable().openapi({ description: 'Embedding model of the semantic leg.' }),
    degraded: z
      .object({ reason: z.enum(['no_model', 'provider_unavailable']), message: z.string() })
      .nullable()
      .openapi({ description: 'Set when the semantic leg could not run: results are full-text only.' }),
    results: z.array(ZSearchResult),
  })
  .openapi('SearchResponse');

export const ZSimilarCase = z
  .object({
    id: ZUuid,
    caseNumber: z.string(),
    title: z.string(),
    caseType: ZCaseType,
    outcome: ZCaseState.openapi({ description: 'Current (for closed cases: final) state.' }),
    closedAt: ZTimestamp.nullable(),
    daysOpen: z.number().nullable(),
    reworkCount: z.number().int(),
    similarity: z.number(),
    createdAt: ZTimestamp,
  })
  .openapi('SimilarCase');

export function searchRoutes(kit: RouteKit, s: ApiServices): void {
  const maxChars = s.config.SEARCH_MAX_QUERY_CHARS;
  const ZSearchQuery = z.object({
    q: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(maxChars, `is too long: at most ${maxChars} characters`)
      // Punctuation or invisible characters alone (trim() keeps U+200B) carry no words to match:
      // an empty query in effect, which would otherwise answer texts "similar in meaning" to nothing.
      .refine((v) => /[\p{L}\p{N}]/u.test(v), 'must contain a letter or a digit')
      .openapi({ description: 'Natural language or keywords; ortho shorthand (pt, IPR, UR3, OB/OJ) is understood.' }),
    kind: z
      .string()
      .regex(KIND_PATTERN, 'must be one or more of cases, messages, projects, patients, comma-separated')
      .optional()
      .transform((v, c) => {
        const parts = (v ?? 'cases,messages,projects,patients').split(',').map((x) => x.trim());
        const bad = parts.filter((p) => !(p in PLURAL));
        if (bad.length || parts.length === 0) {
          c.addIssue({ code: 'custom', message: `must be one or more of cases, messages, projects, patients (got ${bad.join(', ') || 'nothing'})` });
          return z.NEVER;
        }
        return [...new Set(parts.map((p) => PLURAL[p]!))];
      })
      .openapi({ type: 'string', pattern: KIND_PATTERN.source, description: 'cases, messages, projects or patients (comma-separated for several); default all.' }),
    limit: z.coerce.number().int().min(1).max(50).default(10),
    practiceId: ZUuid.optional().openapi({ description: 'Only this practice (default: all of the caller\u2019s).' }),
  });

  route(kit, {
    method: 'get',
    path: '/search',
    tags: ['search'],
    summary: 'Hybrid search over cases, messages, projects and clinical summaries',
    description:
      'Full-text (OR of the words, ranked) and semantic (embedding, cosine) search fused into one ranking. Only the caller\u2019s practices are searched. ' +
      'When the embedding model is unavailable the answer is full-text only and `degraded` says so.',
    query: ZSearchQuery,
    response: ZSearchResponse,
    handler: async ({ query }) => {
      // Titles, snippets and clinical summaries are patient data: each result is a read of its
      // patient, recorded by the search in its own statement (db 0136), committed with the read.
      const r = await s.search.search(
        (fn) => ctx().db(fn),
        { q: query.q, kinds: query.kind, limit: query.limit, practiceId: query.practiceId, audit: SEARCH_READ },
        (statement) => ctx().dbStatement(statement),
      );
      if (r.degraded?.reason === 'provider_unavailable') ctx().log.warn({ degraded: r.degraded.reason }, 'search degraded to full-text'); // its message quotes the provider's error, which may echo the query
      return { query: query.q, ...r, results: r.results.map((x) => ({ ...x, createdAt: isoReq(x.createdAt) })) };
    },
  });

  route(kit, {
    method: 'get',
    path: '/cases/:id/similar',
    tags: ['search'],
    summary: 'Similar past cases of the same practice, with their outcomes',
    params: ZIdParams,
    query: z.object({ limit: z.coerce.number().int().min(1).max(50).default(5) }),
    response: z.object({ basis: z.enum(['embedding', 'text', 'none']), model: z.string().nullable(), results: z.array(ZSimilarCase) }).openapi('SimilarCases'),
    errors: [404],
    handler: async ({ params, query }) =>
      ctx().db(async (trx) => {
        const own = await trx.selectFrom('cases').select(['id', 'practice_id']).where('id', '=', params.id).executeTakeFirst();
        if (!own) throw ApiError.notFound('Case');
        const r = await s.search.similarCases(trx, own.id, own.practice_id, query.limit);
        await recordCaseAccess(trx, r.results.map((o) => o.id), { route: 'GET /cases/{id}/similar', resource: 'similar_cases', resourceId: own.id });
        return {
          basis: r.basis,
          model: r.model,
          results: r.results.map((o) => ({
            id: o.id,
            caseNumber: o.case_number,
            title: o.title,
            caseType: o.case_type as z.infer<typeof ZCaseType>,
            outcome: o.current_state as z.infer<typeof ZCaseState>,
            closedAt: iso(o.closed_at),
            daysOpen: o.days_open,
            reworkCount: o.rework_count,
            similarity: o.similarity,
            createdAt: isoReq(o.created_at),
          })),
        };
      }),
  });
}
