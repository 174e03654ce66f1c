import { LEARNED_FEATURES } from '../fusion';
import { crossValidate, fromRanker, meanNdcg, ndcgOf, pairwiseLogistic, prepare, type TrainingQuery } from './fit-fusion';

/**
 * Synthetic queries where the lexical leg returns only non-relevant documents (scored high) and
 * the semantic leg ranks the relevant ones first: the weighted method's equal weights let the
 * lexical matches crowd the relevant ones out of the top 10; a fit must learn to trust the
 * semantic leg.
 */
function query(seed: number): TrainingQuery {
  const ids = Array.from({ length: 30 }, (_, i) => `q${seed}-d${String(i).padStart(2, '0')}`);
  const relevant = new Set(ids.slice(0, 3));
  return {
    lexical: ids.slice(3, 18).map((id, i) => ({ id, rank: 20 - i, terms: [] })),
    semantic: [ids.map((id, i) => ({ id, similarity: 0.9 - i * 0.01 }))],
    words: 4,
    grade: (id) => (relevant.has(id) ? 2 : 0),
    ideal: [2, 2, 2],
  };
}

describe('fit-fusion', () => {
  const qs = Array.from({ length: 12 }, (_, i) => prepare(query(i)));

  it('scores nDCG@10 of a weight vector', () => {
    const semanticOnly = LEARNED_FEATURES.map((f) => (f === 'sem' ? 1 : 0));
    const lexicalOnly = LEARNED_FEATURES.map((f) => (f === 'lex' ? 1 : 0));
    expect(ndcgOf(qs[0]!, semanticOnly)).toBeCloseTo(1, 9);
    expect(ndcgOf(qs[0]!, lexicalOnly)).toBe(0);
  });

  it('pairwise logistic learns to trust the leg that ranks the relevant documents first', () => {
    const w = pairwiseLogistic(qs, { lambda: 0.001 });
    const start = meanNdcg(qs, fromRanker({ ...Object.fromEntries(LEARNED_FEATURES.map((f) => [f, 0])), lex: 0.5, sem: 0.5 } as never));
    expect(meanNdcg(qs, w)).toBeCloseTo(1, 9);
    expect(start).toBeLessThan(0.9);
    expect(w[LEARNED_FEATURES.indexOf('lex')]!).toBeLessThan(w[LEARNED_FEATURES.indexOf('sem')]!);
  });

  it('cross-validation scores every query with weights fitted without it', () => {
    const seen: number[] = [];
    const cv = crossValidate(qs, (train) => {
      seen.push(train.length);
      return pairwiseLogistic(train, { lambda: 0.001, iterations: 50 });
    }, 4, 2);
    expect(seen).toEqual([9, 9, 9, 9, 9, 9, 9, 9]);
    expect(cv.repeats).toHaveLength(2);
    expect(cv.mean).toBeCloseTo(1, 6);
    expect(cv.foldRange[0]).toBeLessThanOrEqual(cv.foldRange[1]);
  });
});
