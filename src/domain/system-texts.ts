/**
 * The rule catalogue for the texts the legacy system wrote into `dispatch_record.text` (and that
 * MDW's own status messages resemble). Each rule recognises one kind of system text, with the
 * variations seen in real data (wording, punctuation, case, names, dates, carriers, tracking
 * numbers), and says what it implies for the case's state.
 *
 * Rules are anchored at the start of the text and refuse questions and negations, so that free
 * staff text ("has the case been cancelled?", "do not cancel") never matches: that text is for
 * the intent classifier (src/ai/intent/), or is reported as not understood. Pure, no I/O.
 */
import type { Intent } from '../ai/intent/types';

export interface SystemTextMatch {
  /** What the text implies (see the legacy README's table). */
  intent: Exclude<Intent, 'none' | 'changes_requested'>;
  /** Stable rule id, recorded as evidence. */
  rule: string;
  /** Details the text carries, when it carries them. */
  details: { doctor?: string; carrier?: string; trackingNumber?: string; date?: string };
}

interface Rule {
  id: string;
  intent: SystemTextMatch['intent'];
  pattern: RegExp;
  details?: (m: RegExpMatchArray) => SystemTextMatch['details'];
}

// Matched against the normalised text: lower case, single spaces, curly quotes straightened.
const RULES: readonly Rule[] = [
  {
    id: 'submission-received',
    intent: 'submitted',
    pattern: /^thank you for (?:your|the) case submission\b/,
  },
  {
    id: 'under-review',
    intent: 'under_review',
    pattern: /^(?:your|the) case has been received and is (?:now )?under review\b/,
  },
  {
    id: 'records-requested',
    intent: 'on_hold',
    pattern: /^we need additional records\b|^additional records (?:are )?(?:needed|required)\b/,
  },
  {
    id: 'records-received-resuming',
    intent: 'resume',
    pattern: /^records received ?[-\u2013\u2014,.;:!]? (?:we are )?resuming\b/,
  },
  {
    id: 'plan-ready-for-review',
    intent: 'approval_requested',
    pattern: /^(?:your|the) treatment plan is ready for (?:your )?review\b/,
  },
  {
    id: 'plan-approved',
    intent: 'approved',
    pattern: /^(?:the )?treatment plan (?:has been |was )?approved(?: by (?:dr\.? ?)?([^.,;!]+))?/,
    details: (m) => (m[1] ? { doctor: m[1].trim() } : {}),
  },
  {
    id: 'in-production',
    intent: 'in_production',
    pattern: /^(?:your )?(?:aligners|appliances?|retainers?|order|case) (?:are|is|has been) (?:now )?(?:in production|sent to (?:manufacturing|production))\b|^case sent to (?:manufacturing|production)\b/,
  },
  {
    id: 'final-inspection',
    intent: 'quality_check',
    pattern: /^(?:your )?(?:order|case|aligners) (?:is|are) (?:now )?in (?:final )?quality (?:inspection|control|check)\b/,
  },
  {
    id: 'shipped',
    intent: 'shipped',
    pattern: /^(?:your )?(?:order|case|aligners) (?:has|have) (?:been )?shipped(?: via ([a-z]+))?(?:[,.;:]? ?tracking (?:number|no\.?|#)?:? ?#?([a-z0-9]+))?/,
    details: (m) => ({ ...(m[1] ? { carrier: m[1].toUpperCase() } : {}), ...(m[2] ? { trackingNumber: m[2].toUpperCase() } : {}) }),
  },
  {
    id: 'delivered',
    intent: 'delivered',
    pattern: /^delivered on ([^.;!]+)|^delivery (?:has been )?confirmed\b/,
    details: (m) => (m[1] ? { date: m[1].trim() } : {}),
  },
  {
    id: 'completed',
    intent: 'completed',
    pattern: /^(?:the |this |your )?case (?:has been |is )?completed\b/,
  },
  {
    id: 'cancelled',
    intent: 'cancelled',
    pattern: /^(?:this |the |your )?case (?:has been |was )?cancell?ed\b/,
  },
];

// A question or a negation is never a system text, whatever else it says.
const QUESTION = /\?/;
const NEGATION = /\b(?:not|never|don'?t|do not|no longer|isn'?t|hasn'?t|wasn'?t)\b/;

export function normaliseText(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** The system-text rule that recognises `text`, or null (free text, or not a system text). */
export function matchSystemText(text: string): SystemTextMatch | null {
  const t = normaliseText(text);
  if (t === '' || QUESTION.test(t) || NEGATION.test(t)) return null;
  for (const rule of RULES) {
    const m = t.match(rule.pattern);
    if (m) return { intent: rule.intent, rule: rule.id, details: rule.details?.(m) ?? {} };
  }
  return null;
}
