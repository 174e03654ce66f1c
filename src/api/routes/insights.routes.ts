/**
 * GET /workflow-templates/{id}/insights: a template's recommendations per practice of the caller
 * (the newest stored by the daily Schedule or a case close), computed from the caller's visible
 * history when nothing is stored yet. Numbers with their evidence; words derived from them.
 */
import { ApiError } from '../errors';
import { ctx } from '../context';
import { isoReq, myPracticeRole, ZIdParams, ZTimestamp, ZUuid } from '../common';
import { route, type RouteKit } from '../route';
import type { ApiServices } from '../types';
import { z } from '../zod';
import * as repo from '../../repositories/insights.repository';
import { computeTemplateInsights } from '../../ai/recommendations/compute';

const ZStats = z.object({ samples: z.number().int(), p50Minutes: z.number(), p90Minutes: z.number() });
export const ZTemplateInsights = z
  .object({
    templateId: ZUuid,
    computedAt: ZTimestamp,
    casesConsidered: z.number().int(),
    outcomes: z.object({ completed: z.number().int(), cancelled: z.number().int(), medianCycleMinutes: z.number().nullable() }),
    durations: z.array(ZStats.extend({ taskId: z.string(), name: z.string(), estimateMinutes: z.number(), overrunShare: z.number(), suggestedEstimateMinutes: z.number() })),
    queues: z.array(ZStats.extend({ role: z.string() })),
    rework: z.array(z.object({ taskId: z.string(), name: z.string(), reworks: z.number().int(), casesWithRework: z.number().int(), share: z.number() })),
    summary: z.array(z.string()),
  })
  .openapi('TemplateInsights');

export function insightRoutes(kit: RouteKit, _s: ApiServices): void {
  route(kit, {
    method: 'get',
    path: '/workflow-templates/:id/insights',
    tags: ['templates'],
    summary: "A template's recommendations from data: overrunning estimates, slowest role queues, rework hot spots",
    params: ZIdParams,
    query: z.object({ practiceId: ZUuid.optional() }),
    response: z
      .object({ items: z.array(z.object({ practiceId: ZUuid, source: z.enum(['schedule', 'case_closed', 'live']), computedAt: ZTimestamp, insights: ZTemplateInsights })) })
      .openapi('TemplateInsightsList'),
    errors: [403],
    handler: ({ params, query }) =>
      ctx().db(async (trx) => {
        const template = await trx.selectFrom('workflow_templates').select('id').where('id', '=', params.id).executeTakeFirst();
        if (!template) throw ApiError.notFound('Template');
        const stored = await repo.latestInsights(trx, params.id, query.practiceId);
        if (stored.length || !query.practiceId) {
          return {
            items: stored.map((r) => ({ practiceId: r.practice_id, source: r.trigger as 'schedule' | 'case_closed', computedAt: isoReq(r.computed_at), insights: r.recommendations as z.input<typeof ZTemplateInsights> })),
          };
        }
        if (!(await myPracticeRole(trx, query.practiceId))) throw new ApiError(403, 'not_a_member', 'Only members of the practice see its insights.');
        const history = await repo.closedCases(trx, params.id, query.practiceId);
        const insights = computeTemplateInsights(params.id, await repo.templateTasks(trx, params.id), history, new Date());
        return { items: [{ practiceId: query.practiceId, source: 'live' as const, computedAt: insights.computedAt, insights }] };
      }),
  });
}
