import { createDefaultIntentClassifier, guard, type ModelIntentClassifier } from './index';
import { INTENT_EXAMPLES } from './examples';
import { EVAL_SET } from '../../../scripts/eval/intent-labelled';
import { normaliseText } from '../../domain/system-texts';

let classifier: ModelIntentClassifier;
beforeAll(async () => {
  classifier = await createDefaultIntentClassifier();
});

describe('guards', () => {
  it.each([
    ['has this been approved yet?', 'question'],
    ['did the doctor approve the plan', 'question'],
    ['do NOT cancel, keep the case going', 'negation'],
    ["don't approve yet, I want to see the new scan", 'negation'],
    ['no need to hold the case', 'negation'],
    ['cancelling is not an option', 'negation'],
    ['if the scan is fine we can approve', 'conditional'],
    ['once the new records arrive, resume the case', 'conditional'],
    ['we might have to put the case on hold', 'hedge'],
    ['', 'empty'],
  ])('%s → %s', (text, id) => {
    expect(guard(text)?.guard).toBe(id);
  });

  it('a negation elsewhere in the message leaves the action alone', () => {
    expect(guard("approved, don't forget the attachments on UR3")).toBeNull();
    expect(guard('Approved, no changes needed.')).toBeNull();
  });
});

describe('intent classifier', () => {
  it.each([
    'has this been approved yet?',
    'do NOT cancel, keep the case going',
    'if the scan is fine we can approve',
    'the patient cancelled today’s appointment',
    'the approved plan is attached for reference',
    'patient put her wear on hold during the flu',
    'awaiting approval from the doctor',
    'Your password was changed.',
  ])('hard negative: "%s" is none', async (text) => {
    const r = await classifier.classify(text);
    expect(r.intent).toBe('none');
    expect(r.evidence.length).toBeGreaterThan(0);
  });

  it.each([
    ['plan approved, send to mfg', 'approved'],
    ['please put the case on hold, the patient needs a root canal', 'on_hold'],
    ['pt is back, please resume the case', 'resume'],
    ['please cancel this case, patient moved away', 'cancelled'],
  ])('free text: "%s" → %s, by the model with its nearest examples as evidence', async (text, intent) => {
    const r = await classifier.classify(text);
    expect(r).toMatchObject({ intent, source: 'model' });
    expect(r.confidence).toBeGreaterThanOrEqual(classifier.threshold);
    expect(r.evidence.some((e) => e.startsWith('nearest: '))).toBe(true);
  });

  it('system texts are matched by rules, with the rule as evidence', async () => {
    const r = await classifier.classify('Treatment plan approved by Dr. Alvarez.');
    expect(r).toMatchObject({ intent: 'approved', source: 'rule', confidence: 0.99 });
    expect(r.evidence).toContain('rule: plan-approved');
  });

  it('an intent without its action word is refused by the gate', async () => {
    // Close in wording to the hold examples, but says nothing about holding the case.
    const r = await classifier.classify('patient is travelling for two months');
    expect(r.intent).toBe('none');
  });

  it('the evaluation set and the examples share no text', () => {
    const bank = new Set(INTENT_EXAMPLES.map((x) => normaliseText(x.text)));
    expect(EVAL_SET.filter((x) => bank.has(normaliseText(x.text)))).toEqual([]);
    expect(EVAL_SET.length).toBeGreaterThanOrEqual(200);
    expect(EVAL_SET.filter((x) => x.hardNegative).length).toBeGreaterThanOrEqual(60);
  });
});
