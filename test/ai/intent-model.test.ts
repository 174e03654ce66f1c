/**
 * The intent classifier as the API builds it by default: the lexical encoder beside the real
 * local embedding model (weights fetched by global setup), at the threshold calibrated for the
 * pair. Hard negatives stay 'none'; clear instructions become intents, with the model named.
 */
import { createDefaultIntentClassifier, THRESHOLDS, type ModelIntentClassifier } from '../../src/ai/intent';
import { LocalEmbeddingProvider } from '../../src/ai/providers/local';
import { localModelRoot } from '../../src/ai/models';
import { loadConfig } from '../../src/config';

const config = loadConfig();
const provider = new LocalEmbeddingProvider(config.LOCAL_EMBEDDING_MODEL, localModelRoot(config));
let classifier: ModelIntentClassifier;
beforeAll(async () => {
  classifier = await createDefaultIntentClassifier(provider, (err) => {
    throw err;
  });
}, 180_000);
afterAll(() => provider.close());

test('both encoders at the calibrated threshold', () => {
  expect(classifier.models).toEqual(['mdw-lexical-tfidf-4096', `local/${config.LOCAL_EMBEDDING_MODEL}`]);
  expect(classifier.threshold).toBe(THRESHOLDS.withEmbeddings);
});

test.each([
  'has this been approved yet?',
  'do NOT cancel, keep the case going',
  'if the scan is fine we can approve',
  'we cancelled the patient’s cleaning appointment',
  'the approved plan is attached for reference',
])('hard negative: "%s" is none', async (text) => {
  expect((await classifier.classify(text)).intent).toBe('none');
});

test.each([
  ['plan approved, send to mfg', 'approved'],
  ['please put the case on hold, the patient needs a root canal', 'on_hold'],
  ['pt is back, please resume the case', 'resume'],
  ['please cancel this case, patient moved away', 'cancelled'],
])('"%s" → %s', async (text, intent) => {
  const r = await classifier.classify(text);
  expect(r).toMatchObject({ intent, source: 'model' });
  expect(r.evidence[0]).toContain(`local/${config.LOCAL_EMBEDDING_MODEL}`);
});
