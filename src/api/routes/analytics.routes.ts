/**
 * Analytics people can read (issue 11): turnaround, weekly throughput and on-time rate, rework,
 * bottlenecks and where the time went, per practice or (for lab staff, or across a member's own
 * practices) without one. Thin over src/repositories/analytics.repository.ts (weekly rollups for
 * whole weeks, the facts for the rest), under RLS as the caller: the policies decide which
 * practices count.
 */
import * as analytics from '../../repositories/analytics.repository';
import { ApiError } from '../errors';
import { ctx } from '../context';
import { myLabRole, myPracticeRole, ZUuid } from '../common';
import { route, type RouteKit } from '../route';
import type { ApiServices } from '../types';
import { z } from '../zod';
import type { Tx } from '../../db/database';

const DAY = 86_400_000;

export const ZAnalyticsQuery = z
  .object({
    practiceId: ZUuid.optional().openapi({ description: 'one practice; omitted: every practice the caller sees (lab staff: lab-wide)' }),
    templateId: ZUuid.optional(),
    from: z.iso.datetime({ offset: true }).optional().openapi({ description: 'cases finished at or after; default the Monday (UTC) of the week 90 days before `to`, so the period is whole weeks (read from the weekly rollups)' }),
    to: z.iso.datetime({ offset: true }).optional().openapi({ description: 'cases finished before; default now (the current week so far)' }),
  });
// No from < to check: the document cannot state it, and an empty or inverted range simply has no
// finished cases in it (an empty answer, not an error).
type TAnalyticsQuery = z.infer<typeof ZAnalyticsQuery>;

const ZRate = z.number().min(0).max(1).nullable();
const ZHours = z.number().nullable();

const ZPeriod = z.object({ practiceId: ZUuid.nullable(), from: z.string(), to: z.string() });

export const ZTurnaround = z
  .object({
    period: ZPeriod,
    templates: z.array(
      z.object({
        templateId: ZUuid,
        templateName: z.string().nullable(),
        cases: z.number().int(),
        p50Hours: ZHours,
        p90Hours: ZHours,
        tasks: z.array(z.object({ taskId: z.string(), name: z.string(), runs: z.number().int(), p50Hours: ZHours, p90Hours: ZHours, estimateHours: ZHours, onTimeRate: ZRate })),
      }),
    ),
  })
  .openapi('AnalyticsTurnaround');
export const ZWeekly = z
  .object({ period: ZPeriod, weeks: z.array(z.object({ week: z.string(), completed: z.number().int(), cancelled: z.number().int(), onTime: z.number().int(), onTimeRate: ZRate })) })
  .openapi('AnalyticsWeekly');
export const ZRework = z
  .object({
    period: ZPeriod,
    finishedCases: z.number().int(),
    reworkedCases: z.number().int(),
    reworkRate: ZRate,
    byTask: z.array(z.object({ taskId: z.string(), name: z.string(), reworks: z.number().int() })),
    reasons: z.array(z.object({ decision: z.string(), reason: z.string(), count: z.number().int() })),
  })
  .openapi('AnalyticsRework');
export const ZBottlenecks = z
  .object({
    period: ZPeriod,
    tasks: z.array(z.object({ taskId: z.string(), name: z.string(), runs: z.number().int(), late: z.number().int(), lateRate: ZRate, excessHours: z.number() })),
  })
  .openapi('AnalyticsBottlenecks');
export const ZTimeSplit = z
  .object({
    period: ZPeriod,
    cases: z.number().int(),
    hours: z.object({ practice: z.number(), onHold: z.number(), labQueue: z.number(), labActive: z.number(), automatic: z.number() }),
  })
  .openapi('AnalyticsTimeSplit');

/** The filter of a request: a named practice must be the caller's (or the caller lab staff), else 404. */
async function filterFor(trx: Tx, q: TAnalyticsQuery): Promise<analytics.AnalyticsFilter> {
  const lab = await myLabRole(trx);
  if (q.practiceId && !lab && !(await myPracticeRole(trx, q.practiceId))) throw ApiError.notFound('Practice');
  if (q.practiceId) ctx().practiceId = q.practiceId;
  const to = q.to ? new Date(q.to) : new Date();
  const from = q.from ? new Date(q.from) : weekStart(new Date(to.getTime() - 90 * DAY));
  // Lab staff see every practice (the rollups' RLS, is_lab_staff()): without a practice their
  // answer is the lab-wide sum, read from 0072's tables, which only they may read.
  return { practiceId: q.practiceId ?? null, from: from.toISOString(), to: to.toISOString(), templateId: q.templateId ?? null, openEnded: !q.to, labWide: !q.practiceId && lab !== null };
}
/** Monday 00:00 UTC of the week of `d`: default periods are whole weeks, which the rollups answer alone. */
const weekStart = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - ((d.getUTCDay() + 6) % 7) * DAY);
const period = (f: analytics.AnalyticsFilter) => ({ practiceId: f.practiceId, from: f.from, to: f.to });

export function analyticsRoutes(kit: RouteKit, _s: ApiServices): void {
  const common = { method: 'get' as const, tags: ['analytics'], query: ZAnalyticsQuery, errors: [404] };
  route(kit, {
    ...common,
    path: '/analytics/turnaround',
    summary: 'Turnaround per template and per task: p50/p90 actual vs the estimate (read from log-scale histograms: within 0.5 %)',
    response: ZTurnaround,
    handler: ({ query }) =>
      ctx().db(async (trx) => {
        const f = await filterFor(trx, query);
        return { period: period(f), templates: await analytics.turnaround(trx, f) };
      }),
  });
  route(kit, {
    ...common,
    path: '/analytics/weekly',
    summary: 'Throughput and on-time rate per week (on time: no task went overdue)',
    response: ZWeekly,
    handler: ({ query }) =>
      ctx().db(async (trx) => {
        const f = await filterFor(trx, query);
        return { period: period(f), weeks: await analytics.weekly(trx, f) };
      }),
  });
  route(kit, {
    ...common,
    path: '/analytics/rework',
    summary: 'Rework rate, the tasks redone and the reasons given',
    response: ZRework,
    handler: ({ query }) =>
      ctx().db(async (trx) => {
        const f = await filterFor(trx, query);
        return { period: period(f), ...(await analytics.rework(trx, f)) };
      }),
  });
  route(kit, {
    ...common,
    path: '/analytics/bottlenecks',
    summary: 'Tasks that hold cases up most: time beyond the estimate, late rate',
    response: ZBottlenecks,
    handler: ({ query }) =>
      ctx().db(async (trx) => {
        const f = await filterFor(trx, query);
        return { period: period(f), tasks: await analytics.bottlenecks(trx, f) };
      }),
  });
  route(kit, {
    ...common,
    path: '/analytics/time-split',
    summary: 'Where the time went: the practice (incl. on hold), the lab queue, active lab work, automatic steps',
    response: ZTimeSplit,
    handler: ({ query }) =>
      ctx().db(async (trx) => {
        const f = await filterFor(trx, query);
        return { period: period(f), ...(await analytics.timeSplit(trx, f)) };
      }),
  });
}
