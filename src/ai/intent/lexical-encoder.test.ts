import { createIntentClassifier } from './classifier';
import { INTENT_EXAMPLES } from './examples';
import { lexicalEncoder } from './index';
import { EVAL_SET } from '../../../scripts/eval/intent-labelled';
import type { EmbeddingProvider } from '../providers/types';

const texts = [...EVAL_SET.map((x) => x.text), 'note 12345', '', '!!!', 'hold hold hold hold', 'Your order has shipped via UPS, tracking number 1Z999'];

describe('lexical encoder, sparse', () => {
  it('embedSparse gives the non-zero entries of embed, dimensions ascending', async () => {
    const enc = lexicalEncoder();
    const dense = await enc.embed(texts);
    const sparse = enc.embedSparse(texts);
    dense.forEach((v, t) => {
      const idx = v.flatMap((x, d) => (x !== 0 ? [d] : []));
      expect(sparse[t]!.idx).toEqual(idx);
      expect(sparse[t]!.val).toEqual(idx.map((d) => v[d]));
    });
    // The scratch vector is reset between texts: the same text twice, the same vector.
    expect(enc.embedSparse(['plan approved', 'plan approved'])[1]).toEqual(enc.embedSparse(['plan approved'])[0]);
  });

  it('the classifier scores a sparse encoder through postings with the same answers as the dense dot products', async () => {
    const sparse = lexicalEncoder();
    // The same encoder without embedSparse: the classifier takes the dense path.
    const denseOnly: EmbeddingProvider = { model: sparse.model, dimensions: sparse.dimensions, embed: (x) => sparse.embed(x) };
    const a = await createIntentClassifier({ encoders: [{ provider: sparse, weight: 1 }], examples: INTENT_EXAMPLES, threshold: 0.95 });
    const b = await createIntentClassifier({ encoders: [{ provider: denseOnly, weight: 1 }], examples: INTENT_EXAMPLES, threshold: 0.95 });
    for (const t of texts) expect(await a.classify(t)).toEqual(await b.classify(t));
    // Leave-one-out (calibration) excludes the example itself in both paths.
    for (let i = 0; i < INTENT_EXAMPLES.length; i += 7) expect(await a.vote(INTENT_EXAMPLES[i]!.text, i)).toEqual(await b.vote(INTENT_EXAMPLES[i]!.text, i));
  });
});
