/**
 * Reconstructs a case's state history from its dispatch_record texts, in time order. The
 * legacy system had no state column: a case's state is whatever its latest state-bearing
 * message implies (shared/legacy/README.md). Pure, no I/O.
 */
import type { Intent, IntentClassifier, IntentResult } from '../ai/intent/types';
import { matchSystemText } from '../domain/system-texts';
import type { CaseState } from '../workflows/plan/plan.types';

export interface ClassifiedText {
  intent: Intent;
  source: 'rule' | 'model';
  evidence: string[];
  /** Free text only: the classifier's confidence and model (recorded with the transition). */
  confidence?: number;
  model?: string;
}

/** A system text the rule catalogue knows, or null. */
export function matchRule(text: string): ClassifiedText | null {
  const m = matchSystemText(text);
  return m ? { intent: m.intent, source: 'rule', evidence: [m.rule] } : null;
}

/**
 * The classifier's answer on free text. Its guards (questions, negations, hedges) and every
 * answer below its threshold come back as 'none': not understood, never guessed. Everything the
 * classifier says is 'model' here, guards included: only the rule catalogue makes system texts.
 */
export function fromClassifier(r: IntentResult, model: string): ClassifiedText {
  return { intent: r.intent, source: 'model', evidence: r.evidence, confidence: r.confidence, model };
}

/** Rules first; free text goes to the classifier when there is one; otherwise null (not understood). */
export async function classifyText(text: string, classifier?: IntentClassifier & { model?: string }): Promise<ClassifiedText | null> {
  const rule = matchRule(text);
  if (rule || !classifier) return rule;
  return fromClassifier(await classifier.classify(text), classifier.model ?? 'classifier');
}

export interface RecordInput {
  id: number;
  /** Instant, ms since epoch. */
  at: number;
  /** null when neither the rules nor a classifier understood the text. */
  classified: ClassifiedText | null;
}

export interface Transition {
  recordId: number;
  from: CaseState;
  to: CaseState;
  at: number;
  evidence: string[];
  /** The free-text classification that made this transition (absent for system texts). */
  classified?: { model: string; confidence: number };
}

export interface CaseHistory {
  transitions: Transition[];
  state: CaseState;
  /** When the case entered `state` (ms); the case's creation when nothing changed it. */
  since: number;
  /** Set while on hold: the state a "resuming" message returns to. */
  resumeState: CaseState | null;
  /** Completed or cancelled: when. */
  closedAt: number | null;
  /** An approval request is outstanding (planning, waiting for the doctor). */
  awaitingApproval: boolean;
}

const DIRECT: Partial<Record<Intent, CaseState>> = {
  submitted: 'planning', // "we will proceed with planning": submitted → planning
  under_review: 'under_review',
  approved: 'approved',
  in_production: 'in_production',
  quality_check: 'quality_check',
  shipped: 'shipped',
  delivered: 'delivered',
  completed: 'completed',
  cancelled: 'cancelled',
  changes_requested: 'planning',
};

/** The message type a record becomes in case_messages. */
export function messageTypeFor(c: ClassifiedText | null): 'status_update' | 'approval_request' | 'general' {
  if (!c || c.source !== 'rule') return 'general';
  return c.intent === 'approval_requested' ? 'approval_request' : 'status_update';
}

/**
 * Walks the records (sorted by time, then id) from `submitted` at the case's creation.
 * A closed case stays closed: later messages are kept as messages but change nothing.
 */
export function reconstruct(createdAt: number, records: readonly RecordInput[]): CaseHistory {
  const h: CaseHistory = { transitions: [], state: 'submitted', since: createdAt, resumeState: null, closedAt: null, awaitingApproval: false };
  const move = (r: RecordInput, to: CaseState) => {
    if (to === h.state) return;
    const c = r.classified;
    h.transitions.push({
      recordId: r.id,
      from: h.state,
      to,
      at: r.at,
      evidence: c?.evidence ?? [],
      ...(c?.source === 'model' ? { classified: { model: c.model ?? 'classifier', confidence: c.confidence ?? 0 } } : {}),
    });
    h.state = to;
    h.since = r.at;
  };
  for (const r of records) {
    const c = r.classified;
    if (!c || c.intent === 'none') continue;
    if (h.state === 'completed' || h.state === 'cancelled') continue;
    if (c.intent === 'on_hold') {
      if (h.state !== 'on_hold') h.resumeState = h.state;
      move(r, 'on_hold');
    } else if (c.intent === 'resume') {
      if (h.state === 'on_hold') {
        move(r, h.resumeState ?? 'submitted');
        h.resumeState = null;
      }
    } else if (c.intent === 'approval_requested') {
      // An approval request keeps (or puts) the case in planning.
      if (h.state === 'submitted' || h.state === 'under_review') move(r, 'planning');
      h.awaitingApproval = true;
      continue;
    } else {
      const to = DIRECT[c.intent];
      if (!to) continue;
      if (h.state === 'on_hold') h.resumeState = null;
      move(r, to);
    }
    if (c.intent !== 'on_hold' && c.intent !== 'resume') h.awaitingApproval = false;
    // move() changed h.state behind TypeScript's narrowing.
    const now = h.state as CaseState;
    if (now === 'completed' || now === 'cancelled') h.closedAt = r.at;
  }
  return h;
}
