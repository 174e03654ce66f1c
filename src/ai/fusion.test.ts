import { explain, fuse } from './fusion';

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
});
