/**
 * The real in-process model (weights fetched by global setup from Maven Central): similar texts
 * must score above unrelated ones, vectors are unit length, and nothing is fetched remotely.
 */
import { LOCAL_MODEL_NAMES, LOCAL_MODELS, localModelRoot } from '../../src/ai/models';
import { LocalEmbeddingProvider } from '../../src/ai/providers/local';
import { loadConfig } from '../../src/config';

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);

// The served models (global setup fetches those; eval:search alone fetches the other candidates).
describe.each(LOCAL_MODEL_NAMES.filter((n) => LOCAL_MODELS[n].served))('local provider %s', (name) => {
  const provider = new LocalEmbeddingProvider(name, localModelRoot(loadConfig()));
  afterAll(() => provider.close());

  it('embeds to unit vectors of the declared length, in order', async () => {
    const v = await provider.embed(['upper aligner not seating', 'invoice paid', 'upper aligner not seating']);
    expect(v).toHaveLength(3);
    for (const x of v) {
      expect(x).toHaveLength(provider.dimensions);
      expect(Math.abs(Math.sqrt(dot(x, x)) - 1)).toBeLessThan(1e-3);
    }
    expect(dot(v[0]!, v[2]!)).toBeGreaterThan(0.999);
    expect(provider.model).toBe(`local/${name}`);
  });

  it('scores paraphrases above unrelated texts', async () => {
    const [a, b, c, d] = await provider.embed([
      'The aligners are not tracking: there is a gap between the tray and the incisal edge of the upper incisors.',
      'Patient reports the trays do not fit fully on the front teeth, space visible at the biting edge.',
      'Please send the invoice for the retainer order to the practice accountant.',
      'Bracket debonded on lower left premolar, patient wants an emergency appointment.',
    ]);
    expect(dot(a!, b!)).toBeGreaterThan(dot(a!, c!));
    expect(dot(a!, b!)).toBeGreaterThan(dot(a!, d!));
    expect(dot(b!, a!)).toBeGreaterThan(dot(b!, c!));
  });

  it('gives the same vectors with its threads spinning (LOCAL_EMBEDDING_SPIN=true) as without (the default)', async () => {
    const spinning = new LocalEmbeddingProvider(name, localModelRoot(loadConfig()), { spin: true });
    try {
      const texts = ['Attachment lost on LL4, replace at next visit', 'Elastics class II full time, compliance poor'];
      const [a, b] = [await provider.embed(texts), await spinning.embed(texts)];
      a.forEach((v, i) => expect(dot(v, b[i]!)).toBeGreaterThan(0.9999));
    } finally {
      await spinning.close();
    }
  });

  it('says how to install a missing model instead of downloading it', async () => {
    const missing = new LocalEmbeddingProvider(name, '/nonexistent-model-root');
    await expect(missing.embed(['x'])).rejects.toThrow(/not installed.*ensure-tools/);
  });
});
