import { candidateFeatures, explain, feedbackVector, fuse, fuseLegs, FUSION_WITHOUT_FEEDBACK, LEARNED_FEATURES, LEARNED_FUSION, type LearnedFeature, type LinearRanker, WEIGHTED_AS_RANKER } from './fusion';

describe('fuse', () => {
  const lexical = [
    { id: 'a', rank: 0.9, terms: ['aligner'] },
    { id: 'b', rank: 0.3, terms: ['gap'] },
  ];
  const semantic = [
    { id: 'c', similarity: 0.8 },
    { id: 'a', similarity: 0.7 },
    { id: 'd', similarity: 0.4 },
  ];

  it('ranks a document found by both legs first, and keeps both explanations', () => {
    for (const method of ['rrf', 'weighted'] as const) {
      const out = fuse(lexical, semantic, { method, semanticWeight: 0.5, k: 60 });
      expect(out[0]!.id).toBe('a');
      expect(out[0]!.lexical?.terms).toEqual(['aligner']);
      expect(out[0]!.semantic?.similarity).toBe(0.7);
      expect(out.map((h) => h.id).sort()).toEqual(['a', 'b', 'c', 'd']);
    }
  });

  it('follows the weights: all semantic = the vector order', () => {
    const out = fuse(lexical, semantic, { method: 'weighted', semanticWeight: 1, k: 60 });
    expect(out.slice(0, 2).map((h) => h.id)).toEqual(['c', 'a']);
  });

  it('works with one leg empty (lexical fallback)', () => {
    expect(fuse(lexical, []).map((h) => h.id)).toEqual(['a', 'b']);
  });

  it('explains a match in words', () => {
    const [top] = fuse(lexical, semantic, FUSION_WITHOUT_FEEDBACK);
    expect(explain(top!)).toBe('contains "aligner"; similar in meaning (0.70)');
  });

  it('one semantic leg through fuseLegs is fuse', () => {
    for (const method of ['rrf', 'weighted'] as const) {
      const opts = { method, semanticWeight: 0.6, k: 60 };
      expect(fuseLegs(lexical, [semantic], opts)).toEqual(fuse(lexical, semantic, opts));
    }
  });

  it('a dense ensemble shares the semantic weight between its legs, and empty legs take none', () => {
    const other = [
      { id: 'd', similarity: 0.9 },
      { id: 'c', similarity: 0.2 },
    ];
    const opts = { method: 'weighted' as const, semanticWeight: 1, k: 60 };
    // c: 0.5 * 1 (best of leg 1) + 0.5 * 0 (weakest of leg 2); d: 0.5 * 0 + 0.5 * 1; a: 0.5 * 0.75.
    const out = fuseLegs([], [semantic, other], opts);
    expect(out.map((h) => [h.id, Number(h.score.toFixed(3))])).toEqual([
      ['c', 0.5],
      ['d', 0.5],
      ['a', 0.375],
    ]);
    // The first leg that found a hit explains it.
    expect(out.find((h) => h.id === 'd')!.semantic!.similarity).toBe(0.4);
    expect(fuseLegs([], [semantic, []], opts)).toEqual(fuse([], semantic, opts));
  });

  it('max normalisation keeps a flat leg flat', () => {
    const flat = [
      { id: 'x', similarity: 0.81 },
      { id: 'y', similarity: 0.8 },
    ];
    const minmax = fuse([], flat, { method: 'weighted', semanticWeight: 1, k: 60 });
    const max = fuse([], flat, { method: 'weighted', semanticWeight: 1, k: 60, normalize: 'max' });
    expect(minmax[1]!.score).toBe(0);
    expect(max[1]!.score).toBeCloseTo(0.8 / 0.81, 6);
  });
});

describe('learned fusion', () => {
  const lexical = [
    { id: 'a', rank: 8, terms: [] },
    { id: 'b', rank: 2, terms: [] },
  ];
  const semantic = [
    { id: 'c', similarity: 0.8 },
    { id: 'a', similarity: 0.7 },
    { id: 'd', similarity: 0.4 },
  ];
  const at = (f: LearnedFeature) => LEARNED_FEATURES.indexOf(f);

  it('computes each feature from the legs alone, 0 where a leg did not return the candidate', () => {
    const byId = new Map(candidateFeatures(lexical, [semantic], { words: 2 }).map((c) => [c.hit.id, c.x]));
    expect([...byId.keys()].sort()).toEqual(['a', 'b', 'c', 'd']);
    const a = byId.get('a')!;
    expect(a[at('lex')]).toBe(1);
    expect(a[at('sem')]).toBeCloseTo(0.75, 9);
    expect(a[at('lexTop')]).toBe(1);
    expect(a[at('semTop')]).toBeCloseTo(10 / 11, 9);
    expect(a[at('both')]).toBe(1);
    expect(a[at('cos')]).toBe(0.7);
    // A short query (2 words): the short copies equal lex and sem.
    expect(a[at('lexShort')]).toBe(1);
    expect(a[at('semShort')]).toBeCloseTo(0.75, 9);
    const b = byId.get('b')!;
    expect(b[at('lex')]).toBe(0.25);
    expect([b[at('sem')], b[at('semTop')], b[at('semZ')], b[at('cos')], b[at('both')]]).toEqual([0, 0, 0, 0, 0]);
    // z-scores on 0..1: above the leg's mean is above 0.5, below it under 0.5.
    expect(byId.get('c')![at('semZ')]).toBeGreaterThan(0.5);
    expect(byId.get('d')![at('semZ')]).toBeLessThan(0.5);
    const d = byId.get('d')!;
    expect([d[at('lex')], d[at('lexTop')], d[at('lexZ')], d[at('sem')]]).toEqual([0, 0, 0, 0]);
    // A long query: no short copies.
    const long = candidateFeatures(lexical, [semantic], { words: 7 }).find((c) => c.hit.id === 'a')!.x;
    expect([long[at('lexShort')], long[at('semShort')]]).toEqual([0, 0]);
  });

  it("with the weighted method's weights ranks and scores exactly as the weighted method", () => {
    const learned = fuse(lexical, semantic, { method: 'learned', semanticWeight: 0.5, k: 60, ranker: WEIGHTED_AS_RANKER }, { words: 3 });
    const weighted = fuse(lexical, semantic, { method: 'weighted', semanticWeight: 0.5, k: 60 });
    expect(learned.map((h) => [h.id, h.score.toFixed(9)])).toEqual(weighted.map((h) => [h.id, h.score.toFixed(9)]));
    expect(learned.find((h) => h.id === 'a')!.semantic?.similarity).toBe(0.7);
  });

  it('follows its weights, including the query-dependent ones', () => {
    const only = (f: LearnedFeature, w = 1): LinearRanker => ({ ...Object.fromEntries(LEARNED_FEATURES.map((x) => [x, 0])), [f]: w }) as LinearRanker;
    const opts = (ranker: LinearRanker) => ({ method: 'learned' as const, semanticWeight: 0.5, k: 60, ranker });
    expect(fuse(lexical, semantic, opts(only('cos')), { words: 5 })[0]!.id).toBe('c');
    expect(fuse(lexical, semantic, opts(only('lexTop')), { words: 5 })[0]!.id).toBe('a');
    // lexShort weighs only short queries: a long query leaves every score 0 (ties by id).
    const short = { ...only('lexShort'), cos: 0.001 };
    expect(fuse(lexical, semantic, opts(short), { words: 2 }).map((h) => h.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(fuse(lexical, semantic, opts(short), { words: 6 }).map((h) => h.id)).toEqual(['c', 'a', 'd', 'b']);
    expect(() => fuse(lexical, semantic, { method: 'learned', semanticWeight: 0.5, k: 60 })).toThrow(/ranker/);
  });

  it('the checked-in learned fusion has a weight for every feature', () => {
    expect(Object.keys(LEARNED_FUSION.ranker!).sort()).toEqual([...LEARNED_FEATURES].sort());
    for (const f of LEARNED_FEATURES) expect(Number.isFinite(LEARNED_FUSION.ranker![f])).toBe(true);
  });
});

describe('feedbackVector (vector pseudo-relevance feedback)', () => {
  it('moves the query towards the mean of the feedback vectors, in float4 arithmetic (db 0152)', () => {
    const q = feedbackVector([1, 0, 0], [
      [0, 1, 0],
      [0, 0, 1],
    ], 1);
    // q + 1 * (0, 0.5, 0.5), not normalised (cosine distance does not see a scale).
    expect(q).toEqual([1, 0.5, 0.5]);
    // alpha weighs the feedback: a smaller alpha stays nearer the query (in direction).
    const cosToQuery = (v: number[]) => v[0]! / Math.hypot(...v);
    expect(cosToQuery(feedbackVector([1, 0, 0], [[0, 1, 0]], 0.25))).toBeGreaterThan(cosToQuery(feedbackVector([1, 0, 0], [[0, 1, 0]], 1)));
  });

  it('rounds as pgvector does: every element a float, the sum in order, alpha / n rounded once', () => {
    const v = feedbackVector([0.1, 0.2], [[0.3, 1e-8], [0.7, 3], [0.9, 1]], 0.5);
    for (const x of v) expect(Math.fround(x)).toBe(x);
    const f = Math.fround;
    const w = f(0.5 / 3);
    expect(v).toEqual([f(f(0.1) + f(f(f(f(0.3) + f(0.7)) + f(0.9)) * w)), f(f(0.2) + f(f(f(f(1e-8) + 3) + 1) * w))]);
    // Not the float8 result: 0.1 + 0.5 * (0.3 + 0.7 + 0.9) / 3 differs from it in the last bits.
    expect(v[0]).not.toBe(0.1 + (0.5 * (0.3 + 0.7 + 0.9)) / 3);
  });

  it('leaves the query as it is without feedback', () => {
    expect(feedbackVector([0.6, 0.8], [], 0.5)).toEqual([0.6, 0.8]);
  });
});
