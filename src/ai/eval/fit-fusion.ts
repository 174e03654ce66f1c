/**
 * Fits the learned fusion (fusion.ts, `method: 'learned'`): a linear ranker over per-candidate
 * features, trained on labelled queries, and k-fold cross-validation over queries to show
 * whether it generalises. Pure (no I/O): `npm run eval:search` calls it on the candidates it
 * reads, and `npm run fit:search-fusion` on a saved candidates file.
 *
 * Two fits, both starting from nothing but the training queries:
 * - `coordinateAscent` (as RankLib's): from the weighted method's equal weights, one weight at a
 *   time moves by the step that raises the training queries' mean nDCG@10 most, while the gain is
 *   worth it (`minGain`). Optimises the metric itself; with few queries it can overfit.
 * - `pairwiseLogistic` (RankNet with a linear scorer): for every pair of a query's candidates of
 *   different grades, the logistic loss of scoring the better one lower, weighted by the gain
 *   difference, plus an L2 penalty; gradient descent. Smooth, so it overfits less.
 */
import { candidateFeatures, LEARNED_FEATURES, type LexicalHit, type LinearRanker, type SemanticHit, WEIGHTED_AS_RANKER } from '../fusion';
import type { Split } from './search-set';

export const K = 10;

/** `--candidates <file>`: what fit-fusion-cli.ts reads. */
export interface CandidatesFile {
  queries: Array<{
    q: string;
    split: Split;
    bm25: ReadonlyArray<readonly [key: string, rank: number]>;
    tsRank: ReadonlyArray<readonly [key: string, rank: number]>;
    semantic: Record<string, ReadonlyArray<readonly [key: string, similarity: number]>>;
    /** The default feedback's second semantic leg per model (DEFAULT_FEEDBACK; session 11, s-frontier). */
    feedback?: Record<string, ReadonlyArray<readonly [key: string, similarity: number]>>;
  }>;
}


export interface TrainingQuery {
  lexical: readonly LexicalHit[];
  semantic: ReadonlyArray<readonly SemanticHit[]>;
  words: number;
  /** A candidate's relevance grade (0 = not relevant). */
  grade: (id: string) => number;
  /** Grades of every relevant document of the set (found by a leg or not): nDCG's ideal. */
  ideal: readonly number[];
}

/** A query's candidates as a feature matrix, in id order (so a stable sort breaks ties as fuse does). */
export interface Prepared {
  ids: string[];
  x: number[][];
  grades: number[];
  idealDcg: number;
}

const dcg = (g: readonly number[]) => g.slice(0, K).reduce((s, r, i) => s + (2 ** r - 1) / Math.log2(i + 2), 0);

export function prepare(q: TrainingQuery): Prepared {
  const cands = candidateFeatures(q.lexical, q.semantic, { words: q.words }).sort((a, b) => a.hit.id.localeCompare(b.hit.id));
  return {
    ids: cands.map((c) => c.hit.id),
    x: cands.map((c) => c.x),
    grades: cands.map((c) => q.grade(c.hit.id)),
    idealDcg: dcg([...q.ideal].sort((a, b) => b - a)),
  };
}

export function toRanker(w: readonly number[]): LinearRanker {
  return Object.fromEntries(LEARNED_FEATURES.map((f, i) => [f, Number(w[i]!.toFixed(4))])) as unknown as LinearRanker;
}

export function fromRanker(r: LinearRanker): number[] {
  return LEARNED_FEATURES.map((f) => r[f]);
}

/** nDCG@10 of one query under weights `w`. */
export function ndcgOf(p: Prepared, w: readonly number[]): number {
  if (p.idealDcg === 0) return 0;
  const scored = p.x.map((x, i) => ({ i, s: x.reduce((a, v, j) => a + v * w[j]!, 0) }));
  scored.sort((a, b) => b.s - a.s || a.i - b.i);
  return dcg(scored.slice(0, K).map((c) => p.grades[c.i]!)) / p.idealDcg;
}

export const meanNdcg = (ps: readonly Prepared[], w: readonly number[]) => ps.reduce((s, p) => s + ndcgOf(p, w), 0) / ps.length;

const l1 = (w: number[]) => {
  const n = w.reduce((s, v) => s + Math.abs(v), 0);
  return n > 0 ? w.map((v) => v / n) : w;
};

export interface CoordinateAscentOptions {
  /** Steps tried for each weight (on weights whose absolute values sum to 1). */
  steps?: readonly number[];
  passes?: number;
  /** A move must raise the training mean nDCG@10 by more than this. */
  minGain?: number;
  /** Features that may move (the others keep their starting weight). */
  features?: readonly string[];
}

export function coordinateAscent(ps: readonly Prepared[], opts: CoordinateAscentOptions = {}): number[] {
  const steps = opts.steps ?? [-0.3, -0.15, -0.08, -0.04, 0.04, 0.08, 0.15, 0.3];
  const movable = LEARNED_FEATURES.map((f) => !opts.features || opts.features.includes(f));
  let w = fromRanker(WEIGHTED_AS_RANKER);
  let best = meanNdcg(ps, w);
  for (let pass = 0; pass < (opts.passes ?? 10); pass++) {
    let moved = false;
    for (let i = 0; i < w.length; i++) {
      if (!movable[i]) continue;
      let cand: { w: number[]; m: number } | undefined;
      for (const d of steps) {
        const t = l1(w.map((v, j) => (j === i ? v + d : v)));
        const m = meanNdcg(ps, t);
        if (m > best + (opts.minGain ?? 0.002) && (!cand || m > cand.m)) cand = { w: t, m };
      }
      if (cand) {
        w = cand.w;
        best = cand.m;
        moved = true;
      }
    }
    if (!moved) break;
  }
  return w;
}

export interface PairwiseOptions {
  /** L2 penalty on the weights. */
  lambda?: number;
  iterations?: number;
  learningRate?: number;
  features?: readonly string[];
}

export function pairwiseLogistic(ps: readonly Prepared[], opts: PairwiseOptions = {}): number[] {
  const dims = LEARNED_FEATURES.length;
  const mask = LEARNED_FEATURES.map((f) => (!opts.features || opts.features.includes(f) ? 1 : 0));
  // Per query: the feature differences of its ordered pairs and their weights (gain difference),
  // each query weighing the same in total.
  const pairs: Array<{ d: number[]; weight: number }> = [];
  for (const p of ps) {
    const own: Array<{ d: number[]; weight: number }> = [];
    // Only the candidates that compete for the top 10: the first 30 of either leg (lexTop,
    // semTop > 0.25); the rest would slow the fit without changing the ranking's head.
    const head = (k: number) => p.x[k]![2]! > 0.25 || p.x[k]![3]! > 0.25;
    for (let i = 0; i < p.ids.length; i++) {
      for (let j = 0; j < p.ids.length; j++) {
        if (p.grades[i]! <= p.grades[j]! || !head(j)) continue;
        own.push({ d: p.x[i]!.map((v, k) => (v - p.x[j]![k]!) * mask[k]!), weight: 2 ** p.grades[i]! - 2 ** p.grades[j]! });
      }
    }
    const total = own.reduce((s, q) => s + q.weight, 0);
    for (const q of own) pairs.push({ d: q.d, weight: q.weight / total / ps.length });
  }
  const lambda = opts.lambda ?? 0.01;
  const lr = opts.learningRate ?? 4;
  const w = fromRanker(WEIGHTED_AS_RANKER).map((v, k) => v * mask[k]!);
  for (let it = 0; it < (opts.iterations ?? 200); it++) {
    const grad = w.map((v) => 2 * lambda * v);
    for (const { d, weight } of pairs) {
      const margin = d.reduce((s, v, k) => s + v * w[k]!, 0);
      // d/dw log(1 + e^-m) = -d * sigmoid(-m)
      const g = -weight / (1 + Math.exp(margin));
      for (let k = 0; k < dims; k++) grad[k]! += g * d[k]!;
    }
    for (let k = 0; k < dims; k++) w[k]! -= lr * grad[k]! * mask[k]!;
  }
  return l1(w);
}

/** The weighted method's semantic weight that scores best on `ps`, as weights. */
export function bestWeighted(ps: readonly Prepared[], grid = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8]): number[] {
  let best = { w: fromRanker(WEIGHTED_AS_RANKER), m: -1 };
  for (const s of grid) {
    const w = fromRanker({ ...WEIGHTED_AS_RANKER, lex: 1 - s, sem: s });
    const m = meanNdcg(ps, w);
    if (m > best.m + 1e-9) best = { w, m };
  }
  return best.w;
}

/** A seeded shuffle (mulberry32), so that folds are the same on every run. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export interface CrossValidation {
  /** Mean nDCG@10 over every query, each scored by the model fitted without its fold; per repeat. */
  repeats: number[];
  mean: number;
  /** Standard deviation of the repeats' means. */
  sd: number;
  /** Lowest and highest fold mean over every repeat. */
  foldRange: [number, number];
}

/**
 * k-fold cross-validation over queries, repeated with `repeats` seeded shuffles: every query is
 * scored by weights fitted on the other folds only.
 */
export function crossValidate(ps: readonly Prepared[], fit: (train: Prepared[]) => number[], k = 6, repeats = 3): CrossValidation {
  const means: number[] = [];
  let lo = Infinity;
  let hi = -Infinity;
  for (let r = 0; r < repeats; r++) {
    const order = shuffled(
      ps.map((_, i) => i),
      r + 1,
    );
    let sum = 0;
    for (let f = 0; f < k; f++) {
      const test = order.filter((_, i) => i % k === f);
      const train = order.filter((_, i) => i % k !== f).map((i) => ps[i]!);
      const w = fit(train);
      const m = test.reduce((s, i) => s + ndcgOf(ps[i]!, w), 0);
      sum += m;
      lo = Math.min(lo, m / test.length);
      hi = Math.max(hi, m / test.length);
    }
    means.push(sum / ps.length);
  }
  const mean = means.reduce((a, b) => a + b, 0) / means.length;
  const sd = Math.sqrt(means.reduce((a, b) => a + (b - mean) ** 2, 0) / means.length);
  return { repeats: means, mean, sd, foldRange: [lo, hi] };
}
