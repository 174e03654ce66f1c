/**
 * Message intent in the application: classify posted messages, attach proposals, confirm or
 * dismiss them, and auto-apply where a practice opted in.
 *
 * Classification runs synchronously after the message is committed, inside the POST request,
 * and can never fail or undo the post: every error is caught and logged, and a classification
 * that takes longer than the budget (AI_INTENT_BUDGET_MS) is abandoned. Why synchronous: it is
 * cheap (rules and guards in microseconds; the model is one embedding and a dot product with a
 * few hundred examples, ~2 ms for the lexical encoder), and the poster sees the proposal in the
 * response at once. A message that failed classification simply has no proposal; POST
 * /ai/intent and the migration reuse the same classifier.
 */
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Db } from '../db/database';
import type { ModelIntentClassifier } from '../ai/intent';
import { autoApplySettings, proposalFor } from '../ai/intent/proposals';
import type { IntentResult } from '../ai/intent/types';
import * as repo from '../repositories/intent-proposals.repository';
import { cancelUpdate, decideUpdate, holdUpdate, resumeUpdate, type Actor, type CaseView, type MessageEvidence } from '../workflows/case.messages';

export interface IntentServiceDeps {
  system: Db;
  temporal: Client;
  /** Built on first use (encoding the examples takes a moment). */
  classifier: () => Promise<ModelIntentClassifier>;
  log: Logger;
  /** How long a posted message's classification may take before it is abandoned. */
  budgetMs: number;
}

export interface PostedMessage {
  messageId: string;
  caseId: string;
  practiceId: string;
  workflowId: string | null;
  content: string;
  /** The sender as the workflow's actor; null when not a member (nothing auto-applies then). */
  sender: Actor | null;
}

export interface ClassifiedMessage {
  intent: (IntentResult & { model: string | null }) | null;
  proposal: repo.ProposalRow | null;
}

class BudgetExceeded extends Error {}

const excerpt = (s: string, n = 200) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function createIntentService(deps: IntentServiceDeps) {
  let built: Promise<ModelIntentClassifier> | null = null;
  const classifier = () => {
    built ??= deps.classifier().catch((err: unknown) => {
      built = null; // try again next time
      throw err;
    });
    return built;
  };

  async function classify(text: string): Promise<IntentResult & { model: string | null }> {
    const c = await classifier();
    const r = await c.classify(text);
    return { ...r, model: r.source === 'model' ? c.models.join('+') : null };
  }

  /** Runs the Update a proposal stands for, as `actor`, with the message as evidence. */
  async function apply(p: repo.ProposalRow & { content: string }, workflowId: string, actor: Actor, mode: MessageEvidence['mode']): Promise<CaseView> {
    const evidence: MessageEvidence = { messageId: p.message_id, proposalId: p.id, intent: p.intent, confidence: Number(p.confidence), mode };
    const handle = deps.temporal.workflow.getHandle(workflowId);
    const updateId = `proposal-${p.id}`;
    const why = `${mode === 'auto_applied' ? 'Auto-applied' : 'Confirmed'} from message: "${excerpt(p.content)}"`;
    switch (p.action) {
      case 'approve':
        return handle.executeUpdate(decideUpdate, { args: [{ taskId: p.task_id!, decision: 'approve', actor, reason: why, evidence }], updateId });
      case 'hold':
        return handle.executeUpdate(holdUpdate, { args: [{ actor, reason: why, evidence }], updateId });
      case 'resume':
        return handle.executeUpdate(resumeUpdate, { args: [{ actor, note: why, evidence }], updateId });
      case 'cancel':
        return handle.executeUpdate(cancelUpdate, { args: [{ actor, reason: why, evidence }], updateId });
      default:
        throw new Error(`unknown proposal action ${p.action}`);
    }
  }

  return {
    classify,

    /** Warms the classifier (API start-up), so the first message does not pay for it. */
    warm: () => classifier().then(() => undefined),

    /**
     * Classifies a committed message, records the result, attaches a proposal when the workflow
     * can act on it now, and auto-applies it when the practice opted in. Never throws.
     */
    async onMessagePosted(m: PostedMessage): Promise<ClassifiedMessage> {
      let timer: NodeJS.Timeout | undefined;
      try {
        const budget = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new BudgetExceeded(`classification took longer than ${deps.budgetMs} ms`)), deps.budgetMs);
        });
        const intent = await Promise.race([classify(m.content), budget]);
        clearTimeout(timer);
        await repo.setMessageIntent(deps.system, m.messageId, intent);
        const situation = await repo.caseSituation(deps.system, m.caseId);
        const plan = situation && m.workflowId ? proposalFor(intent, situation) : null;
        if (!plan) return { intent, proposal: null };
        let proposal = await repo.insertProposal(deps.system, { ...plan, messageId: m.messageId, caseId: m.caseId, practiceId: m.practiceId, confidence: intent.confidence, evidence: intent.evidence, model: intent.model });

        const practice = await deps.system.selectFrom('practices').select('settings').where('id', '=', m.practiceId).executeTakeFirst();
        const auto = autoApplySettings(practice?.settings);
        if (auto && m.sender && proposal.status === 'pending' && auto.intents.includes(plan.intent) && intent.confidence >= auto.minConfidence) {
          try {
            await apply({ ...proposal, content: m.content }, m.workflowId!, m.sender, 'auto_applied');
            proposal = (await repo.decideProposal(deps.system, proposal.id, 'auto_applied', m.sender.profileId, 'auto-applied (practice opt-in)')) ?? proposal;
            deps.log.info({ proposalId: proposal.id, caseId: m.caseId, intent: plan.intent }, 'proposal auto-applied');
          } catch (err) {
            // The workflow refused (e.g. the sender's role may not do this): a person decides.
            const why = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
            await repo.noteProposal(deps.system, proposal.id, `auto-apply refused: ${why}`);
            proposal = { ...proposal, outcome: `auto-apply refused: ${why}` };
          }
        }
        return { intent, proposal };
      } catch (err) {
        clearTimeout(timer);
        deps.log.warn({ err, messageId: m.messageId }, 'message intent classification failed; the message stands without a proposal');
        return { intent: null, proposal: null };
      }
    },

    /** Confirms a pending proposal as `actor`: the workflow's validators decide (422 when they refuse). */
    async confirm(p: repo.ProposalRow & { content: string }, workflowId: string, actor: Actor): Promise<{ proposal: repo.ProposalRow; view: CaseView }> {
      const view = await apply(p, workflowId, actor, 'confirmed');
      // A concurrent confirmation ran the same Update id (applied once); either way it is confirmed.
      const proposal = (await repo.decideProposal(deps.system, p.id, 'confirmed', actor.profileId, null)) ?? (await repo.getProposal(deps.system, p.case_id, p.id))!;
      return { proposal, view };
    },

    async dismiss(p: repo.ProposalRow, actor: Actor, note: string | null): Promise<repo.ProposalRow | undefined> {
      return repo.decideProposal(deps.system, p.id, 'dismissed', actor.profileId, note);
    },
  };
}

export type IntentService = ReturnType<typeof createIntentService>;
