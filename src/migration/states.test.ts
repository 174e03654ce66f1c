import type { ClassifiedText, RecordInput } from './states';
import { classifyText, messageTypeFor, reconstruct } from './states';
import { positionIndex, startSnapshot } from './live-cases';
import { compileTemplate } from '../workflows/plan/compiler';
import type { TemplateTaskInput } from '../workflows/plan/plan.types';

const T0 = Date.parse('2024-01-01T00:00:00Z');
let n = 0;
async function records(...texts: string[]): Promise<RecordInput[]> {
  return Promise.all(texts.map(async (t, i) => ({ id: ++n, at: T0 + (i + 1) * 3_600_000, classified: await classifyText(t) })));
}

describe('state history from record texts', () => {
  test('the whole life of a case', async () => {
    const h = reconstruct(
      T0,
      await records(
        'Thank you for your case submission. We will proceed with planning.',
        'Your case has been received and is under review by our clinical team.',
        'Your treatment plan is ready for review. Please approve or request changes.',
        'Treatment plan approved by Dr. Alice Wong.',
        'Case sent to manufacturing.',
        'Your order is in final quality inspection.',
        'Your order has shipped via FedEx, tracking number 7777',
        'Delivery confirmed.',
        'Case completed. Thank you for choosing us!',
      ),
    );
    expect(h.transitions.map((t) => `${t.from}>${t.to}`)).toEqual([
      'submitted>planning',
      'planning>under_review',
      'under_review>planning',
      'planning>approved',
      'approved>in_production',
      'in_production>quality_check',
      'quality_check>shipped',
      'shipped>delivered',
      'delivered>completed',
    ]);
    expect(h.state).toBe('completed');
    expect(h.closedAt).toBe(T0 + 9 * 3_600_000);
  });

  test('"records received, resuming" returns to the state the case left', async () => {
    const h = reconstruct(T0, await records('Case sent to manufacturing.', 'We need additional records before we can continue: please upload x.', 'Records received, resuming your case.'));
    expect(h.transitions.map((t) => t.to)).toEqual(['in_production', 'on_hold', 'in_production']);
    expect(h.resumeState).toBeNull();
  });

  test('on hold remembers what to resume to', async () => {
    const h = reconstruct(T0, await records('Your case has been received and is under review.', 'We need additional records before we can continue: please upload x.'));
    expect(h).toMatchObject({ state: 'on_hold', resumeState: 'under_review' });
  });

  test('an approval request keeps planning and is remembered until the decision', async () => {
    const h = reconstruct(T0, await records('Thank you for your case submission.', 'Your treatment plan is ready for review.'));
    expect(h).toMatchObject({ state: 'planning', awaitingApproval: true });
    expect(h.transitions).toHaveLength(1);
  });

  test('free staff text is not understood without a classifier, and changes nothing', async () => {
    const r = await records('plan looks good, approved, send to mfg', 'has the case been cancelled?', 'do not cancel');
    expect(r.map((x) => x.classified)).toEqual([null, null, null]);
    expect(reconstruct(T0, r)).toMatchObject({ state: 'submitted', transitions: [] });
    expect(messageTypeFor(null)).toBe('general');
  });

  test('with a classifier, free text is classified; a closed case stays closed', async () => {
    const classifier = { classify: async () => ({ intent: 'approved' as const, confidence: 0.9, source: 'model' as const, evidence: ['nearest: approved'] }) };
    const c = (await classifyText('plan looks good, approved, send to mfg', classifier)) as ClassifiedText;
    expect(c).toEqual({ intent: 'approved', source: 'model', evidence: ['nearest: approved'], confidence: 0.9, model: 'classifier' });
    expect(messageTypeFor(c)).toBe('general');
    const h = reconstruct(T0, [...(await records('Case cancelled.')), { id: 999, at: T0 + 10 * 3_600_000, classified: c }]);
    expect(h.state).toBe('cancelled');
    // On an open case the classified transition carries the model and its confidence.
    const open = reconstruct(T0, [{ id: 5, at: T0 + 3_600_000, classified: c }]);
    expect(open.transitions).toEqual([{ recordId: 5, from: 'submitted', to: 'approved', at: T0 + 3_600_000, evidence: ['nearest: approved'], classified: { model: 'classifier', confidence: 0.9 } }]);
  });

  test("the classifier's guards are free text too: a question is not understood and never a status update", async () => {
    const guardAnswer = { intent: 'none' as const, confidence: 0.99, source: 'rule' as const, evidence: ['guard: question ("?")'] };
    const c = (await classifyText('can we approve this?', { model: 'm', classify: async () => guardAnswer })) as ClassifiedText;
    expect(c).toMatchObject({ intent: 'none', source: 'model', model: 'm' });
    expect(messageTypeFor(c)).toBe('general');
    expect(reconstruct(T0, [{ id: 1, at: T0 + 1, classified: c }]).transitions).toEqual([]);
  });
});

describe('start position of a live case', () => {
  const task = (id: string, order: number, functionType: TemplateTaskInput['functionType'], roles: string[] = [], auto = false): TemplateTaskInput => ({
    id,
    taskName: id,
    taskOrder: order,
    functionType,
    estimatedDurationMs: null,
    requiredRoles: roles as never,
    category: null,
    autoTransition: auto,
    predecessorTasks: order === 1 ? [] : null,
    metadata: {},
  });
  const compiled = compileTemplate({
    id: 't',
    version: 1,
    name: 'std',
    caseType: 'active_treatment',
    tasks: [
      task('intake', 1, 'submit', [], true),
      task('review', 2, 'review', ['technician']),
      task('design', 3, 'model', ['technician']),
      task('approval', 4, 'approve', ['doctor']),
      task('make', 5, 'manufacture', ['technician']),
      task('qc', 6, 'quality_check', ['technician']),
      task('ship', 7, 'ship', ['technician']),
      task('close', 8, 'notify', [], true),
    ],
  });
  if (!compiled.ok) throw new Error('template');
  const plan = compiled.plan;
  const at = (state: Parameters<typeof positionIndex>[1]) => plan.tasks[positionIndex(plan, state)]!.id;

  test.each([
    ['submitted', 'intake'],
    ['under_review', 'review'],
    ['planning', 'approval'],
    ['approved', 'make'],
    ['in_production', 'make'],
    ['quality_check', 'qc'],
    ['shipped', 'close'],
  ] as const)('%s → %s', (state, task) => expect(at(state)).toBe(task));

  test('on hold: positioned where it will resume, with the hold carried over', () => {
    const s = startSnapshot(plan, { state: 'on_hold', resumeState: 'in_production', since: '2024-01-05T00:00:00Z', createdAt: '2024-01-01T00:00:00Z', priority: 'high' });
    expect(s.hold).toMatchObject({ resumeState: 'in_production' });
    expect(s.state).toBe('on_hold');
    expect(Object.entries(s.tasks).filter(([, t]) => t.status === 'active').map(([id]) => id)).toEqual(['make']);
    expect(Object.values(s.tasks).filter((t) => t.status === 'done')).toHaveLength(4);
  });
});
