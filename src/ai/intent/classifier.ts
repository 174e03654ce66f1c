/**
 * Message intent: what workflow change a text implies. Four stages, the first that decides wins:
 *
 * 1. System texts (the legacy system's and MDW's own) are matched by rules
 *    (src/domain/system-texts.ts): exact, confidence 0.99.
 * 2. Guards (./guards.ts): questions, negated actions, conditionals and hedges are 'none'.
 * 3. The model: nearest labelled examples (./examples.ts) over one or more encoders (a sentence
 *    embedding model when configured, and always the lexical encoder), a similarity-weighted
 *    vote of the k nearest per encoder, averaged over encoders by weight.
 * 4. Precision gates: an intent needs one of its action words (./vocabulary.ts) and a vote share
 *    above the threshold, which `npm run eval:intent` calibrates by leave-one-out on the examples
 *    for precision (a wrong proposal is worse than none).
 *
 * Pure apart from the encoders it is given; the same classifier serves the API (message
 * proposals, POST /ai/intent) and the legacy migration (free-text states).
 */
import { matchSystemText, normaliseText } from '../../domain/system-texts';
import type { EmbeddingProvider } from '../providers/types';
import { guard } from './guards';
import type { SparseEmbeddingProvider, SparseVector } from './lexical-encoder';
import type { Intent, IntentClassifier, IntentResult } from './types';
import { ACTION_CUES, actionCue, expandShorthand } from './vocabulary';

export interface LabelledExample {
  text: string;
  intent: Intent;
}

export interface WeightedEncoder {
  provider: EmbeddingProvider;
  weight: number;
}

export interface IntentClassifierOptions {
  encoders: readonly WeightedEncoder[];
  examples: readonly LabelledExample[];
  /** Neighbours per encoder. @default 5 */
  k?: number;
  /** Minimum vote share for an intent. @default DEFAULT_THRESHOLD */
  threshold?: number;
}

/**
 * Calibrated by `npm run eval:intent` (leave-one-out over the examples): the lowest share at
 * which the model's actionable answers stay >= 98 % precise (0.981 for the lexical encoder
 * alone; see THRESHOLDS in ./index.ts for the other encoder sets).
 */
export const DEFAULT_THRESHOLD = 0.95;
/** Texts longer than this are cut before encoding: intent lives in the first lines. */
const MAX_MODEL_CHARS = 1000;
/** Sharpens the vote towards the closest neighbours. */
const SIM_POWER = 3;

export interface ModelVote {
  intent: Intent;
  share: number;
  /** The nearest examples of the first encoder, for the evidence. */
  nearest: Array<{ text: string; intent: Intent; similarity: number }>;
}

export interface ModelIntentClassifier extends IntentClassifier {
  readonly threshold: number;
  /** Model ids of the encoders, in order. */
  readonly models: string[];
  /** The raw vote, before the gates (used by calibration). */
  vote(text: string, exclude?: number): Promise<ModelVote>;
  /** The whole pipeline with example `exclude` left out and another threshold (calibration). */
  classifyWith(text: string, opts: { exclude?: number; threshold?: number }): Promise<IntentResult>;
}

const dot = (a: readonly number[], b: readonly number[]) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

const sparseDot = (a: readonly number[], b: readonly number[], nz: readonly number[]) => {
  let s = 0;
  for (const i of nz) s += a[i]! * b[i]!;
  return s;
};

/**
 * The examples' vectors of a sparse encoder by dimension: for each dimension, the examples with
 * a non-zero entry there and that entry.
 */
type Postings = Map<number, { ex: number[]; val: number[] }>;

function postingsOf(bank: readonly SparseVector[]): Postings {
  const out: Postings = new Map();
  bank.forEach((v, e) => {
    for (let j = 0; j < v.idx.length; j++) {
      let p = out.get(v.idx[j]!);
      if (!p) out.set(v.idx[j]!, (p = { ex: [], val: [] }));
      p.ex.push(e);
      p.val.push(v.val[j]!);
    }
  });
  return out;
}

const isSparse = (p: EmbeddingProvider): p is SparseEmbeddingProvider => typeof (p as Partial<SparseEmbeddingProvider>).embedSparse === 'function';

/**
 * Similarities of a sparse query to every example, through the postings: only the examples
 * sharing a dimension with the query are touched. Each example's sum is added up in ascending
 * dimension order, as the dense dot product does (its other terms are exact zeros), so the
 * numbers are the same bit for bit.
 */
function sparseSims(q: { idx: number[]; val: number[] }, postings: Postings, n: number): Float64Array {
  const sims = new Float64Array(n);
  for (let j = 0; j < q.idx.length; j++) {
    const p = postings.get(q.idx[j]!);
    if (!p) continue;
    const qv = q.val[j]!;
    for (let m = 0; m < p.ex.length; m++) sims[p.ex[m]!]! += qv * p.val[m]!;
  }
  return sims;
}

/**
 * The k largest similarities, ties in example order: the first k of a stable sort by similarity
 * descending (what the dense path does), without sorting them all.
 */
function topK(sims: Float64Array, k: number): Array<{ i: number; s: number }> {
  const top: Array<{ i: number; s: number }> = [];
  for (let i = 0; i < sims.length; i++) {
    const s = sims[i]!;
    if (top.length === k && !(s > top[k - 1]!.s)) continue;
    let at = top.length;
    while (at > 0 && s > top[at - 1]!.s) at--;
    top.splice(at, 0, { i, s });
    if (top.length > k) top.pop();
  }
  return top;
}

/** The text the model sees: normalised, shorthand expanded, cut. */
export function modelText(text: string): string {
  return expandShorthand(normaliseText(text)).slice(0, MAX_MODEL_CHARS);
}

/** Encodes the examples once; `classify` then costs one embedding per encoder. */
export async function createIntentClassifier(opts: IntentClassifierOptions): Promise<ModelIntentClassifier> {
  const k = opts.k ?? 5;
  const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
  const examples = opts.examples;
  if (opts.encoders.length === 0) throw new Error('the intent classifier needs at least one encoder');
  const exampleTexts = examples.map((x) => modelText(x.text));
  // A sparse encoder (the lexical one) scores a text through postings: a few dozen terms instead
  // of a 4,096-long vector per text and example (the migration classifies every free text), and
  // keeps no dense vector of its examples.
  const postings = opts.encoders.map((e) => (isSparse(e.provider) ? postingsOf(e.provider.embedSparse(exampleTexts)) : null));
  const banks = await Promise.all(opts.encoders.map((e, ei) => (postings[ei] ? [] : e.provider.embed(exampleTexts))));
  const totalWeight = opts.encoders.reduce((a, e) => a + e.weight, 0);

  async function vote(text: string, exclude = -1): Promise<ModelVote> {
    const t = modelText(text);
    const shares = new Map<Intent, number>();
    let nearest: ModelVote['nearest'] = [];
    for (const [ei, enc] of opts.encoders.entries()) {
      let top: Array<{ i: number; s: number }>;
      const post = postings[ei];
      if (post && isSparse(enc.provider)) {
        const sims = sparseSims(enc.provider.embedSparse([t])[0]!, post, examples.length);
        if (exclude >= 0 && exclude < sims.length) sims[exclude] = -Infinity;
        top = topK(sims, k);
      } else {
        const [q] = await enc.provider.embed([t]);
        if (!q || q.length !== enc.provider.dimensions) throw new Error(`encoder ${enc.provider.model} returned a malformed vector`);
        // The lexical encoder's vectors are sparse: summing over the query's non-zero entries gives
        // the same dot product (the skipped terms are all 0) at a fraction of the cost.
        const nz: number[] = [];
        for (let d = 0; d < q.length; d++) if (q[d] !== 0) nz.push(d);
        const sims = banks[ei]!.map((v, i) => ({ i, s: i === exclude ? -Infinity : nz.length < q.length / 4 ? sparseDot(q, v, nz) : dot(q, v) }));
        sims.sort((a, b) => b.s - a.s);
        top = sims.slice(0, k);
      }
      const weights = top.map((x) => Math.max(0, x.s) ** SIM_POWER);
      const sum = weights.reduce((a, b) => a + b, 0);
      if (sum > 0) {
        top.forEach((x, j) => {
          const intent = examples[x.i]!.intent;
          shares.set(intent, (shares.get(intent) ?? 0) + (enc.weight / totalWeight) * (weights[j]! / sum));
        });
      }
      if (ei === 0) nearest = top.slice(0, 3).map((x) => ({ text: examples[x.i]!.text, intent: examples[x.i]!.intent, similarity: Math.round(x.s * 1000) / 1000 }));
    }
    // Only intents whose action word the text uses compete with 'none': "pt is back, resume
    // treatment" may be resume or nothing, never a cancellation that merely shares its words.
    const allowed = (i: Intent) => i === 'none' || !ACTION_CUES[i] || actionCue(i, t) !== null;
    const total = [...shares].filter(([i]) => allowed(i)).reduce((a, [, s]) => a + s, 0);
    let best: Intent = 'none';
    let share = 0;
    for (const [intent, raw] of shares) {
      if (!allowed(intent) || total === 0) continue;
      const s = raw / total;
      if (s > share) {
        best = intent;
        share = s;
      }
    }
    return { intent: best, share: Math.round(share * 1000) / 1000, nearest };
  }

  /** Applies the gates to a vote. */
  function decide(text: string, v: ModelVote, threshold: number): IntentResult {
    const evidence = v.nearest.map((n) => `nearest: "${n.text}" (${n.intent}, ${n.similarity})`);
    const model = opts.encoders.map((e) => e.provider.model).join('+');
    if (v.intent === 'none') return { intent: 'none', confidence: v.share, source: 'model', evidence: [`model ${model}: none (share ${v.share})`, ...evidence] };
    const cue = ACTION_CUES[v.intent];
    const m = cue ? actionCue(v.intent, modelText(text)) : null;
    if (cue && !m) {
      return { intent: 'none', confidence: v.share, source: 'model', evidence: [`gate: no action word for ${v.intent}`, `model ${model}: ${v.intent} (share ${v.share})`, ...evidence] };
    }
    if (v.share < threshold) {
      return { intent: 'none', confidence: v.share, source: 'model', evidence: [`gate: ${v.intent} share ${v.share} below threshold ${threshold}`, ...evidence] };
    }
    return { intent: v.intent, confidence: v.share, source: 'model', evidence: [`model ${model}: ${v.intent} (share ${v.share})`, ...(m ? [`action word: "${m}"`] : []), ...evidence] };
  }

  async function classifyWith(text: string, o: { exclude?: number; threshold?: number }): Promise<IntentResult> {
    const rule = matchSystemText(text);
    if (rule) return { intent: rule.intent, confidence: 0.99, source: 'rule', evidence: [`rule: ${rule.rule}`, ...Object.entries(rule.details).map(([k2, v]) => `${k2}: ${v}`)] };
    const g = guard(text);
    if (g) return { intent: 'none', confidence: 0.99, source: 'rule', evidence: [`guard: ${g.guard}${g.match ? ` ("${g.match}")` : ''}`] };
    return decide(text, await vote(text, o.exclude), o.threshold ?? threshold);
  }

  return {
    threshold,
    models: opts.encoders.map((e) => e.provider.model),
    vote,
    classifyWith,
    classify: (text: string) => classifyWith(text, {}),
  };
}
