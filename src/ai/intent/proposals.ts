/**
 * What a classified intent proposes for a case, given what its workflow can do now. Pure: the
 * situation is read from the database (awaiting_tasks, cases) by the caller. The workflow's
 * validators decide again when the proposal is confirmed, so a stale proposal is refused there,
 * never applied.
 */
import { CASE_MANAGER_ROLES } from '../../workflows/case.messages';
import type { PracticeRole } from '../../workflows/plan/plan.types';
import type { IntentResult } from './types';
import { isProposable, type ProposableIntent } from './vocabulary';

export type ProposalAction = 'approve' | 'hold' | 'resume' | 'cancel';

export interface CaseSituation {
  closed: boolean;
  onHold: boolean;
  /** Decision tasks awaiting people now, with the roles that may decide them. */
  decisionTasks: Array<{ taskId: string; name: string; roles: PracticeRole[] }>;
}

export interface ProposalPlan {
  intent: ProposableIntent;
  action: ProposalAction;
  taskId: string | null;
  allowedRoles: PracticeRole[];
}

/** The proposal for `result` on a case in `situation`, or null when the workflow cannot do it now. */
export function proposalFor(result: Pick<IntentResult, 'intent'>, situation: CaseSituation): ProposalPlan | null {
  const intent = result.intent;
  if (!isProposable(intent) || situation.closed) return null;
  const managers = [...CASE_MANAGER_ROLES];
  switch (intent) {
    case 'approved': {
      // Only when one decision awaits: "approved" on a case with two open decisions names neither.
      if (situation.onHold || situation.decisionTasks.length !== 1) return null;
      const t = situation.decisionTasks[0]!;
      return { intent, action: 'approve', taskId: t.taskId, allowedRoles: t.roles };
    }
    case 'on_hold':
      return situation.onHold ? null : { intent, action: 'hold', taskId: null, allowedRoles: managers };
    case 'resume':
      return situation.onHold ? { intent, action: 'resume', taskId: null, allowedRoles: managers } : null;
    case 'cancelled':
      return { intent, action: 'cancel', taskId: null, allowedRoles: managers };
  }
}

/** Auto-apply opt-in, read from practices.settings.ai.autoApply; anything malformed is off. */
export interface AutoApplySettings {
  intents: ProposableIntent[];
  minConfidence: number;
}

export function autoApplySettings(settings: unknown): AutoApplySettings | null {
  const a = (settings as { ai?: { autoApply?: { intents?: unknown; minConfidence?: unknown } } } | null)?.ai?.autoApply;
  if (!a || !Array.isArray(a.intents) || typeof a.minConfidence !== 'number' || !(a.minConfidence > 0 && a.minConfidence <= 1)) return null;
  const intents = a.intents.filter((i): i is ProposableIntent => typeof i === 'string' && isProposable(i as never));
  return intents.length ? { intents, minConfidence: a.minConfidence } : null;
}
