import { ALL_QUERIES, ORIGINAL_BY_DOCUMENT, relevance, SEARCH_DOCS, SEARCH_QUERIES, SEARCH_QUERIES_BLIND3, SEARCH_QUERIES_BLIND4 } from './search-set';

describe('the labelled search set', () => {
  const keys = new Set(SEARCH_DOCS.map((d) => d.key));

  it.each([
    ['blind3', SEARCH_QUERIES_BLIND3],
    ['blind4', SEARCH_QUERIES_BLIND4],
  ])('%s judges existing documents only, with at least one document of grade 2 per query', (_name, queries) => {
    expect(queries.length).toBeGreaterThanOrEqual(40);
    for (const q of queries) {
      const graded = Object.entries(q.grades ?? {});
      expect(graded.length).toBeGreaterThan(0);
      for (const [key, g] of graded) {
        expect(keys.has(key) ? key : `${q.q}: unknown document ${key}`).toBe(key);
        expect([1, 2]).toContain(g);
      }
      expect(graded.some(([, g]) => g === 2)).toBe(true);
    }
  });

  it('per-document grades replace the topic-level ones: an unnamed document of the topic is 0', () => {
    const q = SEARCH_QUERIES_BLIND3.find((x) => x.q === 'patient lost aligner 12')!;
    const doc = (key: string) => SEARCH_DOCS.find((d) => d.key === key)!;
    expect(relevance(q, doc('lost_aligner-0'))).toBe(2);
    expect(relevance(q, doc('lost_aligner-3'))).toBe(1);
    expect(relevance(q, doc('tracking-0'))).toBe(0);
    // Without per-document grades the topic decides.
    expect(relevance({ q: 'x', topic: 'tracking', related: ['refinement'] }, doc('refinement-0'))).toBe(1);
  });

  it('no query text appears twice across the splits', () => {
    const texts = ALL_QUERIES.map(({ q }) => q.q.toLowerCase());
    expect(ALL_QUERIES.filter((x) => x.split === 'blind3').length).toBe(SEARCH_QUERIES_BLIND3.length);
    expect(ALL_QUERIES.filter((x) => x.split === 'blind4').length).toBe(SEARCH_QUERIES_BLIND4.length);
    expect(new Set(texts).size).toBe(texts.length);
  });

  it('the second judgement of the original 36 covers each of them, existing documents only, a grade 2 each', () => {
    expect(Object.keys(ORIGINAL_BY_DOCUMENT).sort()).toEqual(SEARCH_QUERIES.map((q) => q.q).sort());
    for (const [q, grades] of Object.entries(ORIGINAL_BY_DOCUMENT)) {
      for (const key of Object.keys(grades)) expect(keys.has(key) ? key : `${q}: unknown document ${key}`).toBe(key);
      expect(Object.values(grades)).toContain(2);
    }
  });
});
