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
  method: 'rrf' | 'weighted';
  /** Weight of the semantic leg (the lexical one gets 1 - this). */
  semanticWeight: number;
  /** RRF's k. */
  k: number;
  /**
   * How the weighted method puts each leg on 0..1: `minmax` (weakest candidate 0, best 1) or
   * `max` (divided by the leg's best, so a leg whose candidates are all alike stays flat).
   */
  normalize?: 'minmax' | 'max';
}

/** Equal weights: with the BM25 lexical leg the tuning half's best (0.7 was best beside ts_rank). */
export const DEFAULT_FUSION: FusionOptions = { method: 'weighted', semanticWeight: 0.5, k: 60 };

export function fuse(lexical: readonly LexicalHit[], semantic: readonly SemanticHit[], opts: FusionOptions = DEFAULT_FUSION): FusedHit[] {
  return fuseLegs(lexical, [semantic], opts);
}

/**
 * Like fuse, with one semantic leg per embedding model (a dense ensemble): the semantic weight is
 * shared equally by the legs that returned candidates. A hit keeps the first leg's similarity
 * that found it (the primary model's, for the explanation).
 */
export function fuseLegs(lexical: readonly LexicalHit[], semanticLegs: ReadonlyArray<readonly SemanticHit[]>, opts: FusionOptions = DEFAULT_FUSION): FusedHit[] {
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
