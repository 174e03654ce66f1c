/**
 * Hybrid ranking: fuses the lexical (full-text) and the semantic (vector) candidate lists.
 * Pure, so the evaluation (`npm run eval:search`) tunes exactly what the API runs.
 *
 * Two methods: reciprocal rank fusion (ranks only) and a weighted sum of normalised scores
 * (keeps how far ahead a candidate is). The defaults are the evaluation's best on its tuning
 * half (see src/ai/README.md).
 */
export interface LexicalHit {
  id: string;
  /** ts_rank of the OR query. */
  rank: number;
  terms: string[];
}

export interface SemanticHit {
  id: string;
  /** Cosine similarity of the best chunk (1 = same direction). */
  similarity: number;
}

export interface FusedHit {
  id: string;
  score: number;
  lexical: LexicalHit | null;
  semantic: SemanticHit | null;
}

export interface FusionOptions {
  /**
   * `rrf`, `weighted` (a weighted sum of normalised scores) or `learned` (a linear model over
   * per-candidate features, `ranker`).
   */
  method: 'rrf' | 'weighted' | 'learned';
  /** Weight of the semantic leg (the lexical one gets 1 - this). */
  semanticWeight: number;
  /** RRF's k. */
  k: number;
  /**
   * How the weighted method puts each leg on 0..1: `minmax` (weakest candidate 0, best 1) or
   * `max` (divided by the leg's best, so a leg whose candidates are all alike stays flat).
   */
  normalize?: 'minmax' | 'max';
  /** The learned method's weights (required by it, ignored by the others). */
  ranker?: LinearRanker;
}

/** What fusion may know of the query besides the legs' candidates. */
export interface QueryContext {
  /** Words of the query as typed (before the vocabulary expansion). */
  words: number;
}

/**
 * Per-candidate features of the learned fusion, each computed from the two legs' candidates
 * alone (no extra query): every one is 0 for a candidate that leg did not return.
 * - `lex`, `sem`: the leg's score normalised as the weighted method does (BM25 / best BM25;
 *   cosine min–max over the leg's candidates);
 * - `lexTop`, `semTop`: a reciprocal of the leg's rank, 10 / (10 + rank), 1 for the first;
 * - `both`: 1 when both legs returned the candidate;
 * - `semZ`: the cosine's z-score among the leg's candidates (how far it stands out), clipped
 *   to ±3 and mapped onto 0..1;
 * - `lexShort`, `semShort`: `lex` and `sem` again for queries of at most 3 words, 0 otherwise
 *   (a query-dependent weighting: keyword-like queries may lean on one leg, sentences on the other);
 * - `lexZ`: BM25's z-score among the leg's candidates, like `semZ`;
 * - `cos`: the raw cosine (absolute, not relative to this query's candidates).
 */
export const LEARNED_FEATURES = ['lex', 'sem', 'lexTop', 'semTop', 'both', 'semZ', 'lexShort', 'semShort', 'lexZ', 'cos'] as const;
export type LearnedFeature = (typeof LEARNED_FEATURES)[number];
export type LinearRanker = Readonly<Record<LearnedFeature, number>>;
/** Words at most this many make a query "short" (`lexShort`, `semShort`). */
export const SHORT_QUERY_WORDS = 3;

/** The weighted method's equal weights as a linear ranker (the learned fit's starting point). */
export const WEIGHTED_AS_RANKER: LinearRanker = { lex: 0.5, sem: 0.5, lexTop: 0, semTop: 0, both: 0, semZ: 0, lexShort: 0, semShort: 0, lexZ: 0, cos: 0 };

/**
 * Every candidate of the two legs with its feature vector (in LEARNED_FEATURES' order). With
 * several semantic legs (a dense ensemble) each semantic feature is their mean.
 */
export function candidateFeatures(
  lexical: readonly LexicalHit[],
  semanticLegs: ReadonlyArray<readonly SemanticHit[]>,
  query: QueryContext,
): Array<{ hit: FusedHit; x: number[] }> {
  const byId = new Map<string, { hit: FusedHit; x: number[] }>();
  const get = (id: string) => {
    let c = byId.get(id);
    if (!c) byId.set(id, (c = { hit: { id, score: 0, lexical: null, semantic: null }, x: LEARNED_FEATURES.map(() => 0) }));
    return c;
  };
  const short = query.words <= SHORT_QUERY_WORDS ? 1 : 0;
  const maxRank = Math.max(0, ...lexical.map((l) => l.rank));
  const z = zScores(lexical.map((l) => l.rank));
  lexical.forEach((l, i) => {
    const c = get(l.id);
    c.hit.lexical = l;
    const lex = maxRank > 0 ? l.rank / maxRank : 0;
    c.x[0] = lex;
    c.x[2] = 10 / (10 + i);
    c.x[6] = short * lex;
    c.x[8] = z[i]!;
  });
  const legs = semanticLegs.filter((l) => l.length > 0);
  for (const semantic of legs) {
    const sims = semantic.map((s) => s.similarity);
    const lo = Math.min(...sims);
    const hi = Math.max(...sims);
    const z = zScores(sims);
    semantic.forEach((s, i) => {
      const c = get(s.id);
      c.hit.semantic ??= s;
      const sem = hi > lo ? (s.similarity - lo) / (hi - lo) : 1;
      c.x[1]! += sem / legs.length;
      c.x[3]! += 10 / (10 + i) / legs.length;
      c.x[5]! += z[i]! / legs.length;
      c.x[7]! += (short * sem) / legs.length;
      c.x[9]! += s.similarity / legs.length;
    });
  }
  for (const c of byId.values()) c.x[4] = c.hit.lexical && c.hit.semantic ? 1 : 0;
  return [...byId.values()];
}

/**
 * The learned fusion: pairwise logistic (L2 0.01) over LEARNED_FEATURES, fitted on the tuning
 * half of the original 36 queries by `npm run fit:search-fusion -- --candidates
 * bench/results/search-candidates.json` (bge-small-en-v1.5 int8 + BM25). Not the default: it
 * does not beat the weighted method held out or cross-validated (src/ai/README.md).
 */
export const LEARNED_FUSION: FusionOptions = {
  method: 'learned',
  semanticWeight: 0.5,
  k: 60,
  ranker: { lex: 0.262, sem: 0.0537, lexTop: 0.2634, semTop: 0.1294, both: 0.0162, semZ: 0.0523, lexShort: 0.0263, semShort: 0.0221, lexZ: 0.1701, cos: 0.0044 },
};

/**
 * Each value's z-score among `values`, clipped to ±3 and mapped onto 0..1 (z = -3 is 0, the
 * mean 0.5), so that a candidate the leg did not return (0) counts as its weakest.
 */
function zScores(values: readonly number[]): number[] {
  const mean = values.reduce((a, b) => a + b, 0) / (values.length || 1);
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length || 1));
  return values.map((v) => (sd > 0 ? (Math.max(-3, Math.min(3, (v - mean) / sd)) + 3) / 6 : 0.5));
}

/** A candidate's score under a linear ranker. */
export function linearScore(ranker: LinearRanker, x: readonly number[]): number {
  return LEARNED_FEATURES.reduce((s, f, i) => s + ranker[f] * x[i]!, 0);
}

/**
 * 0.8 to the semantic leg, with vector pseudo-relevance feedback (DEFAULT_FEEDBACK; session 6):
 * the tuning half's best of eval:search-query-side (0.799 vs 0.791 for 0.6 without feedback),
 * and no held-out split below it (src/ai/README.md). Without feedback 0.6 was the tuning half's
 * best for bge-small int8 + BM25 with ORTHO_GLOSSARY (session 5; `FUSION_WITHOUT_FEEDBACK`),
 * equal weights (0.5) before the glossary, 0.7 beside ts_rank before BM25.
 */
export const DEFAULT_FUSION: FusionOptions = { method: 'weighted', semanticWeight: 0.8, k: 60 };
/** Session 5's default, the fusion to use when the search runs without feedback. */
export const FUSION_WITHOUT_FEEDBACK: FusionOptions = { method: 'weighted', semanticWeight: 0.6, k: 60 };

/**
 * Vector pseudo-relevance feedback (Rocchio on embeddings): the semantic leg is searched again
 * with q' = q + alpha * (mean of the vectors of the first fused page's best `k` texts), normalised,
 * and fused again with the same lexical leg. The first page's best texts carry the clinical words
 * a lay or shorthand query lacks; no model call, one more semantic query.
 */
export interface FeedbackOptions {
  k: number;
  alpha: number;
  /**
   * The second semantic leg without a second HNSW walk (db 0106): the first walk fetches `pool` ×
   * the candidates' nearest chunks (at least its usual overfetch) and the second leg scores that
   * pool against q'. Absent or null: a second walk with q' (session 6).
   */
  pool?: number | null;
}
/**
 * k 3, alpha 0.5: the tuning half's best (k 3-5, alpha 0.25-1; src/ai/README.md). pool 1.2 (session
 * 7, db 0106): the second leg rescores the first walk's 1.2 × CANDIDATES chunks (the walk's usual LIMIT, so
 * the first leg is unchanged) instead of walking again: nDCG@10 equal on every split of eval:search,
 * and at 1M the same top 10 as a second walk in 60 of 60 searches (bench/SEARCH.md, session 7).
 */
export const DEFAULT_FEEDBACK: FeedbackOptions = { k: 3, alpha: 0.5, pool: 1.2 };

/**
 * q + alpha * mean(feedback), in float4 arithmetic as search_page() computes it with pgvector's
 * operators (db 0152): the feedback vectors summed in order (each sum rounded to a float), times
 * alpha / n (rounded once to a float), plus q, each element rounded to a float (Math.fround: a
 * float's sum or product computed as a double and rounded once is the float operation's result).
 * Not normalised: the semantic leg compares by cosine distance, which a scale does not change (and
 * pgvector's l2_normalize() sums the squares in an order TypeScript cannot reproduce). The query
 * itself when there is no feedback.
 */
export function feedbackVector(query: readonly number[], feedback: ReadonlyArray<readonly number[]>, alpha: number): number[] {
  if (feedback.length === 0) return [...query];
  const f = Math.fround;
  const w = f(alpha / feedback.length);
  const sum = feedback[0]!.map(f);
  for (const v of feedback.slice(1)) for (let i = 0; i < sum.length; i++) sum[i] = f(sum[i]! + f(v[i]!));
  return query.map((x, i) => f(f(x) + f(sum[i]! * w)));
}

export function fuse(lexical: readonly LexicalHit[], semantic: readonly SemanticHit[], opts: FusionOptions = DEFAULT_FUSION, query: QueryContext = { words: Number.POSITIVE_INFINITY }): FusedHit[] {
  return fuseLegs(lexical, [semantic], opts, query);
}

/**
 * Like fuse, with one semantic leg per embedding model (a dense ensemble): the semantic weight is
 * shared equally by the legs that returned candidates. A hit keeps the first leg's similarity
 * that found it (the primary model's, for the explanation).
 */
export function fuseLegs(
  lexical: readonly LexicalHit[],
  semanticLegs: ReadonlyArray<readonly SemanticHit[]>,
  opts: FusionOptions = DEFAULT_FUSION,
  query: QueryContext = { words: Number.POSITIVE_INFINITY },
): FusedHit[] {
  if (opts.method === 'learned') {
    if (!opts.ranker) throw new Error('the learned fusion needs its ranker (weights)');
    const ranker = opts.ranker;
    return candidateFeatures(lexical, semanticLegs, query)
      .map(({ hit, x }) => ({ ...hit, score: linearScore(ranker, x) }))
      .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
  }
  const byId = new Map<string, FusedHit>();
  const get = (id: string) => {
    let h = byId.get(id);
    if (!h) byId.set(id, (h = { id, score: 0, lexical: null, semantic: null }));
    return h;
  };
  const legs = semanticLegs.filter((l) => l.length > 0);
  const w = opts.semanticWeight;
  const wLeg = legs.length ? w / legs.length : 0;
  if (opts.method === 'rrf') {
    lexical.forEach((l, i) => {
      const h = get(l.id);
      h.lexical = l;
      h.score += (1 - w) / (opts.k + i + 1);
    });
    for (const semantic of legs) {
      semantic.forEach((s, i) => {
        const h = get(s.id);
        h.semantic ??= s;
        h.score += wLeg / (opts.k + i + 1);
      });
    }
  } else {
    // Lexical ranks are relative to this query's best; similarities are taken between the
    // weakest and the best candidate of their leg, so every leg spans 0..1.
    const maxRank = Math.max(0, ...lexical.map((l) => l.rank));
    for (const l of lexical) {
      const h = get(l.id);
      h.lexical = l;
      h.score += maxRank > 0 ? (1 - w) * (l.rank / maxRank) : 0;
    }
    for (const semantic of legs) {
      const sims = semantic.map((s) => s.similarity);
      const lo = opts.normalize === 'max' ? 0 : Math.min(...sims);
      const hi = Math.max(...sims);
      for (const s of semantic) {
        const h = get(s.id);
        h.semantic ??= s;
        h.score += wLeg * (hi > lo ? (s.similarity - lo) / (hi - lo) : 1);
      }
    }
  }
  return [...byId.values()].sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
}

/** Why a result matched, in words for the person searching. */
export function explain(hit: FusedHit): string {
  const parts: string[] = [];
  if (hit.lexical) parts.push(hit.lexical.terms.length ? `contains ${hit.lexical.terms.map((t) => `"${t}"`).join(', ')}` : 'matches words of the query');
  if (hit.semantic) parts.push(`similar in meaning (${hit.semantic.similarity.toFixed(2)})`);
  return parts.join('; ');
}
