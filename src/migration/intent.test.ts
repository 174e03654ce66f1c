import { createDefaultIntentClassifier } from '../ai/intent';
import { batchClassifier } from './intent';

// The memo of classified texts is bounded: when a batch would overflow it, it is cleared. Texts of
// that batch that were remembered before must be classified again, not answered as missing
// (the 1M-row bench crashed on `undefined` there before the fix).
test('a batch that overflows the memo still gets one result per text, equal to the classifier’s', async () => {
  const lexical = await createDefaultIntentClassifier(null);
  const batch = batchClassifier(lexical, null, 3);
  const first = ['please put the case on hold', 'approved, go ahead'];
  await batch.classifyMany(first);
  const second = ['approved, go ahead', 'ship it today', 'cancel this case please'];
  const results = await batch.classifyMany(second);
  expect(results).toHaveLength(3);
  for (const [i, text] of second.entries()) expect(results[i]).toEqual(await lexical.classify(text));
});
