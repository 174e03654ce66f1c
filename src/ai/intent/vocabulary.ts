/**
 * Orthodontic staff shorthand and the action words each intent needs. Staff write "pt", "tx",
 * "tp", "ok'd", "lgtm", "mfg": expanding them lets the encoders compare "tp ok'd, go to mfg" with
 * "treatment plan approved, send to manufacturing". The cues are a precision gate: the model may
 * only propose an actionable intent when the text contains one of its action words, so a
 * message that merely resembles an approval ("the approval letter is attached") is not one.
 * Pure, no I/O.
 */
import type { Intent } from './types';

const SHORTHAND: ReadonlyArray<[RegExp, string]> = [
  [/\bpts?\b/g, 'patient'],
  [/\btx\b/g, 'treatment'],
  [/\btp\b/g, 'treatment plan'],
  [/\bok'?d\b|\bokayed\b|\bo\.k\.'?d\b/g, 'approved'],
  [/\blgtm\b/g, 'looks good approved'],
  [/\bgtg\b/g, 'good to go'],
  [/\bmfg\b|\bmanuf\b/g, 'manufacturing'],
  [/\bprod\b/g, 'production'],
  [/\bappt\b/g, 'appointment'],
  [/\bpls\b|\bplz\b/g, 'please'],
  [/\basap\b/g, 'as soon as possible'],
  [/\bthx\b|\bty\b/g, 'thanks'],
  [/\bdr\b\.?/g, 'doctor'],
  [/\bcx\b|\bcxl\b|\bcanx\b/g, 'cancel'],
  [/\bw\/o\b/g, 'without'],
  [/\bw\//g, 'with '],
  [/\bipr\b/g, 'interproximal reduction'],
  [/\bretx\b/g, 're treatment'],
];

export function expandShorthand(normalised: string): string {
  let t = normalised;
  for (const [re, to] of SHORTHAND) t = t.replace(re, to);
  return t.replace(/\s+/g, ' ').trim();
}

/** Intents that can become proposals, and the words one of which the text must contain. */
export const ACTION_CUES: Partial<Record<Intent, RegExp>> = {
  approved: /\b(?:approv\w*|good to go|go ahead|green ?light|sign(?:ed)? off|signed|accept(?:ed)?|proceed\w*|looks good|all good|confirmed? (?:the )?(?:plan|setup|treatment)|happy with|fine by me|ok to (?:print|produce|manufactur\w*|start|fabricate|go)|okay to (?:print|produce|manufactur\w*|start|go)|start (?:printing|production|manufacturing|fabrication)|send (?:it )?to (?:manufacturing|production|print\w*)|release (?:it |the \w+ )?(?:to|for) (?:manufacturing|production|print\w*))\b/,
  on_hold: /\b(?:hold|on hold|pause\w*|freeze|frozen|put (?:it|this|the case|everything)? ?on ice|stop (?:all )?(?:work|production|printing|everything)|halt\w*|suspend\w*|park (?:it|this|the case))\b/,
  resume: /\b(?:resum\w*|unpause\w*|un-pause\w*|restart\w*|reactivat\w*|continue|carry on|back on track|pick (?:it|this|the case) (?:back )?up|take (?:it|this|the case) off hold|off hold|release the hold|lift the hold|remove the hold|restart work|go again|proceed again|re-?open\w*)\b/,
  changes_requested: /\b(?:change (?:the|to|in|on|of)|changes (?:to|in|on)|request(?:ed|ing)? changes|changes requested|make (?:some |a few )?changes|revis\w*|adjust\w*|modif\w*|redo|re-?do|rework\w*|reject\w*|fix|correction|corrections|tweak\w*|update the (?:plan|setup)|re-?plan|more (?:ipr|interproximal reduction|expansion|torque|rotation)|less (?:ipr|interproximal reduction|expansion|torque|rotation))\b/,
  shipped: /\b(?:shipped|ship(?:ping)? (?:out|today)|dispatched|sent out|posted|went out|handed to (?:ups|fedex|dhl|the courier)|tracking)\b/,
  delivered: /\b(?:delivered|arrived|received the (?:aligners|retainers|appliance|package|box|trays|order)|got the (?:aligners|retainers|appliance|package|box|trays|order)|came in|in hand)\b/,
  cancelled: /\b(?:cancel\w*|discontinu\w*|withdraw\w*|terminat\w*|abandon\w*|close (?:the case|it) out|scrap (?:it|this|the case)|drop (?:the case|this case)|void the case|kill the case)\b/,
};

/**
 * Uses of an action word that decide nothing about the case, removed before the cue test: the
 * word as an adjective ("the approved plan is attached", "a cancelled appointment") and an
 * action on someone's own thing ("put her wear on hold").
 */
const NOT_A_DECISION = [
  /\b(?:the|a|an|this|that|your|our|her|his|their|my) (?:approved|cancell?ed|paused|held|resumed|shipped|delivered|pending) \w+/g,
  /\b(?:put|puts|putting|kept|keeps|keep) (?:her|his|their|my) (?:\w+ ){0,2}on hold\b/g,
  /\b(?:her|his|their|my) (?:\w+ ){0,2}(?:on hold|paused)\b/g,
  /\b(?:for|awaiting|pending|waiting for|need|needs|request(?:ing)?|ready for) (?:your |the |doctor'?s? |final )?approval\b/g,
];

/** The action word of `intent` that `text` (model text) uses as a decision, or null. */
export function actionCue(intent: Intent, text: string): string | null {
  const cue = ACTION_CUES[intent];
  if (!cue) return null;
  let t = text;
  for (const re of NOT_A_DECISION) t = t.replace(re, ' ');
  return t.match(cue)?.[0] ?? null;
}

export const PROPOSABLE_INTENTS = ['approved', 'on_hold', 'resume', 'cancelled'] as const;
export type ProposableIntent = (typeof PROPOSABLE_INTENTS)[number];

export function isProposable(i: Intent): i is ProposableIntent {
  return (PROPOSABLE_INTENTS as readonly string[]).includes(i);
}
