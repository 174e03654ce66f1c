import { explain, fuse, fuseLegs } from './fusion';

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
    const [top] = fuse(lexical, semantic);
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
