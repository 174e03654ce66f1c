/**
 * Message intent at the HTTP edge: the dry run for ops (POST /ai/intent), a case's proposals,
 * and confirming or dismissing one. Confirmation is a Workflow Update as the caller, with the
 * message as evidence: the workflow's validators do the role check (a technician cannot confirm
 * a doctor's approval: 422 wrong_role) and refuse stale proposals (422 from the workflow).
 */
import { ApiError } from '../errors';
import { ctx } from '../context';
import { decodeCursor, encodeCursor, iso, isoReq, myPracticeRole, page, ZIdParams, ZPageQuery, ZPracticeRole, ZTimestamp, ZUuid } from '../common';
import { route, type RouteKit } from '../route';
import type { ApiServices } from '../types';
import { z } from '../zod';
import { loadCase, ZCaseView } from './cases.routes';
import * as repo from '../../repositories/intent-proposals.repository';
import { isProposable } from '../../ai/intent/vocabulary';
import type { Actor } from '../../workflows/case.messages';

const INTENTS = ['submitted', 'under_review', 'approval_requested', 'approved', 'changes_requested', 'on_hold', 'resume', 'in_production', 'quality_check', 'shipped', 'delivered', 'completed', 'cancelled', 'none'] as const;

export const ZIntentResult = z
  .object({
    intent: z.enum(INTENTS),
    confidence: z.number().min(0).max(1),
    source: z.enum(['rule', 'model']),
    evidence: z.array(z.string()),
    model: z.string().nullable(),
  })
  .openapi('IntentResult');

export const ZProposal = z
  .object({
    id: ZUuid,
    messageId: ZUuid,
    caseId: ZUuid,
    intent: z.enum(['approved', 'on_hold', 'resume', 'cancelled']),
    action: z.enum(['approve', 'hold', 'resume', 'cancel']),
    taskId: z.string().nullable(),
    allowedRoles: z.array(ZPracticeRole),
    confidence: z.number(),
    evidence: z.array(z.string()),
    model: z.string().nullable(),
    status: z.enum(['pending', 'confirmed', 'dismissed', 'auto_applied', 'failed']),
    decidedBy: ZUuid.nullable(),
    decidedAt: ZTimestamp.nullable(),
    outcome: z.string().nullable(),
    createdAt: ZTimestamp,
  })
  .openapi('IntentProposal');
export type TProposal = z.input<typeof ZProposal>;

export const toProposal = (r: repo.ProposalRow): TProposal => ({
  id: r.id,
  messageId: r.message_id,
  caseId: r.case_id,
  intent: r.intent as TProposal['intent'],
  action: r.action as TProposal['action'],
  taskId: r.task_id,
  allowedRoles: r.allowed_roles,
  confidence: Number(r.confidence),
  evidence: Array.isArray(r.evidence) ? (r.evidence as string[]) : [],
  model: r.model,
  status: r.status as TProposal['status'],
  decidedBy: r.decided_by,
  decidedAt: iso(r.decided_at),
  outcome: r.outcome,
  createdAt: isoReq(r.created_at),
});

const ZProposalParams = z.object({ id: ZUuid, proposalId: ZUuid });
export const ZIntentBody = z
  .object({ text: z.string().trim().min(1, 'text is empty').max(5000, 'text is longer than 5000 characters') })
  .openapi('IntentDryRunBody');

/** The case, the caller as the workflow's Actor, and the proposal (all under RLS). */
async function proposalContext(caseId: string, proposalId: string) {
  const c = ctx();
  return c.db(async (trx) => {
    const row = await loadCase(trx, caseId);
    const role = await myPracticeRole(trx, row.practice_id);
    if (!role) throw new ApiError(403, 'not_a_member', 'Only members of the practice act on its cases.');
    const proposal = await repo.getProposal(trx, caseId, proposalId);
    if (!proposal) throw ApiError.notFound('Proposal');
    if (proposal.status !== 'pending') throw new ApiError(409, 'proposal_not_pending', `The proposal is already ${proposal.status}.`);
    const actor: Actor = { profileId: c.actor!.profileId, practiceRole: role };
    return { workflowId: row.workflow_id, actor, proposal };
  });
}

export function intentRoutes(kit: RouteKit, s: ApiServices): void {
  route(kit, {
    method: 'post',
    path: '/ai/intent',
    tags: ['ai'],
    summary: 'Classify a text without saving it (dry run for ops)',
    description: 'The intent the text implies, its confidence and evidence (rule, guard, or nearest labelled examples), and whether it could become a proposal.',
    body: ZIntentBody,
    response: ZIntentResult.extend({ proposable: z.boolean() }).openapi('IntentDryRun'),
    handler: async ({ body }) => {
      const r = await s.intent.classify(body.text);
      return { ...r, proposable: isProposable(r.intent) };
    },
  });

  route(kit, {
    method: 'get',
    path: '/cases/:id/proposals',
    tags: ['ai'],
    summary: "A case's proposals from message intent, newest first, keyset-paginated",
    description: 'Pages of `limit` (default 25, at most 100), newest first; follow `nextCursor` (null on the last page) to see them all.',
    params: ZIdParams,
    query: ZPageQuery.extend({ status: z.enum(['pending', 'confirmed', 'dismissed', 'auto_applied', 'failed']).optional() }),
    response: page(ZProposal, 'IntentProposalPage'),
    handler: ({ params, query }) =>
      ctx().db(async (trx) => {
        await loadCase(trx, params.id);
        const { items, more } = await repo.listProposals(trx, params.id, { status: query.status, limit: query.limit, after: decodeCursor(query.cursor) });
        const last = items.at(-1);
        return { items: items.map(toProposal), nextCursor: more && last ? encodeCursor(last.created_at_text, last.id) : null };
      }),
  });

  route(kit, {
    method: 'post',
    path: '/cases/:id/proposals/:proposalId/confirm',
    tags: ['ai'],
    summary: 'Confirm a proposal: the workflow change it names, with the caller as actor and the message as evidence',
    description: '422 when the workflow refuses (wrong_role, task_not_awaiting_decision, case_on_hold, …); 409 proposal_not_pending once decided.',
    params: ZProposalParams,
    response: z.object({ proposal: ZProposal, case: ZCaseView }).openapi('IntentProposalConfirmed'),
    errors: [403, 409, 422],
    handler: async ({ params }) => {
      const { workflowId, actor, proposal } = await proposalContext(params.id, params.proposalId);
      if (!workflowId) throw new ApiError(409, 'case_closed', 'The case has no workflow.');
      const r = await s.intent.confirm(proposal, workflowId, actor);
      return { proposal: toProposal(r.proposal), case: r.view };
    },
  });

  route(kit, {
    method: 'post',
    path: '/cases/:id/proposals/:proposalId/dismiss',
    tags: ['ai'],
    summary: 'Dismiss a proposal (a role that could confirm it)',
    params: ZProposalParams,
    body: z.object({ note: z.string().trim().max(1000).optional() }).openapi('IntentProposalDismissBody'),
    response: ZProposal,
    errors: [403, 409, 422],
    handler: async ({ params, body }) => {
      const { actor, proposal } = await proposalContext(params.id, params.proposalId);
      if (actor.practiceRole === 'system' || !proposal.allowed_roles.includes(actor.practiceRole)) {
        throw new ApiError(422, 'wrong_role', `Only ${proposal.allowed_roles.join(' or ')} may dismiss this proposal; you are ${actor.practiceRole}.`);
      }
      const r = await s.intent.dismiss(proposal, actor, body.note ?? null);
      if (!r) throw new ApiError(409, 'proposal_not_pending', 'The proposal was decided meanwhile.');
      return toProposal(r);
    },
  });
}
