/**
 * Guards that make a text 'none' before any model sees it: questions, negations, conditionals
 * and hedges. A wrong proposal is worse than none, so these are deliberately broad: a polite
 * request phrased as a question ("could you hold it?") loses its proposal, which costs a click;
 * a question taken for a decision ("has this been approved?") would cost a wrong transition.
 * Pure, no I/O.
 */
import { normaliseText } from '../../domain/system-texts';
import { ACTION_CUES, expandShorthand } from './vocabulary';

export type GuardId = 'question' | 'negation' | 'conditional' | 'hedge' | 'empty';

export interface GuardHit {
  guard: GuardId;
  /** The words that fired it, for the evidence. */
  match: string;
}

// A question mark anywhere, or a sentence that opens like a question.
const QUESTION_MARK = /\?/;
const QUESTION_OPENING =
  /(?:^|[.!;:]\s*)(?:has|have|had|is|are|was|were|did|does|do (?:we|you|they|i)|can we|could we|should|shall|would|will (?:it|this|the|we|you|they)|may we|when|why|what|where|who|which|how|any (?:news|update|word)|wondering|just checking (?:if|whether)|checking (?:if|whether)|can you (?:confirm|tell|check|let)|could you (?:confirm|tell|check|let)|is it ok|ok to)\b/;

// Negation of the action: "do not cancel", "don't hold", "not approved yet", "no need to pause".
// A few negative phrases that do not negate an action ("no changes needed", "no issues") are
// removed first, so that "approved, no changes needed" still approves.
const HARMLESS_NEGATIVES =
  /\b(?:no (?:further |more )?(?:changes?|edits?|issues?|problems?|concerns?|comments?|notes?|modifications?|adjustments?|questions?)(?: (?:needed|required|necessary|from (?:me|us|my side|our side)))?|not a problem|no problem|nothing (?:to change|else)|can't wait|cannot wait)\b/g;
const NEGATION =
  /\b(?:not|never|no|don'?t|dont|do not|does not|doesn'?t|did not|didn'?t|won'?t|will not|cannot|can'?t|shouldn'?t|should not|isn'?t|aren'?t|wasn'?t|haven'?t|hasn'?t|no need|no longer|hold off on|neither|nor|instead of|rather than|undo|revert|retract|disregard|ignore (?:my|the) (?:last|previous)|too early|premature)\b/g;
/** Words before and after a negation in which an action word makes it negate the action. */
const NEGATION_SCOPE = { before: 3, after: 5 };

// Conditionals and future triggers: the action is not for now.
const CONDITIONAL =
  /\b(?:if|unless|once|as soon as|provided(?: that)?|assuming|in case|only when|only after|pending|depending on|subject to|after (?:we|you|they|the|he|she|dr)|when (?:the|we|you|they|he|she|dr|pt|patient|it|new|updated)|until (?:we|you|they|the|he|she|dr|pt|patient|it|new|updated)\b.*\b(?:approve|resume|cancel))\b/;

// Hedges, opinions and plans: someone thinks aloud, nobody decided.
const HEDGE =
  /\b(?:maybe|perhaps|possibly|probably|might|may need|may have to|thinking (?:about|of)|considering|consider|not sure|unsure|we'll see|we will see|to be decided|tbd|let'?s discuss|discuss|will decide|decide later|would like to know|want(?:s)? to know|asked (?:whether|if|about)|inquir|enquir|suggest(?:ing|s)? (?:we|that)|propose (?:we|that)|option(?:s)? (?:to|of)|plan to|planning to|going to|about to|tomorrow|next week|later today|later this week|on monday|on tuesday|on wednesday|on thursday|on friday)\b/;

/**
 * The first guard that fires on `text`, or null. Applied to the whole message: one guarded
 * sentence makes the whole message 'none' (precision over recall).
 */
export function guard(text: string): GuardHit | null {
  const t = normaliseText(text);
  if (t === '' || !/[a-z]/.test(t)) return { guard: 'empty', match: '' };
  const q = t.match(QUESTION_MARK) ?? t.match(QUESTION_OPENING);
  if (q) return { guard: 'question', match: q[0].trim() };
  const n = negatedAction(expandShorthand(t.replace(HARMLESS_NEGATIVES, ' ')));
  if (n) return { guard: 'negation', match: n };
  const c = t.match(CONDITIONAL);
  if (c) return { guard: 'conditional', match: c[0] };
  const h = t.match(HEDGE);
  if (h) return { guard: 'hedge', match: h[0] };
  return null;
}

/**
 * A negation whose neighbourhood holds an action word ("do NOT cancel", "plan not approved",
 * "no need to hold"): the text that fired, or null. A negation elsewhere ("approved, don't forget
 * the attachments on UR3") leaves the action alone.
 */
function negatedAction(t: string): string | null {
  const cues = Object.values(ACTION_CUES);
  // Within one clause: "approved, don't forget the attachments" negates the reminder only.
  for (const clause of t.split(/\s*(?:[,;.:!()]|\s-+\s|\bbut\b)\s*/)) {
    for (const m of clause.matchAll(NEGATION)) {
      const before = clause.slice(0, m.index).split(' ').filter(Boolean).slice(-NEGATION_SCOPE.before).join(' ');
      const after = clause.slice(m.index + m[0].length).split(' ').filter(Boolean).slice(0, NEGATION_SCOPE.after).join(' ');
      const window = `${before} ${m[0]} ${after}`;
      if (cues.some((re) => re.test(window))) return window.trim();
    }
  }
  return null;
}
