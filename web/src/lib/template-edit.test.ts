import { errorsByTask, splitList, toDefinition } from './template-edit';

const task = (id: string, key: string, order: number, preds: string[] | null, extra: Record<string, unknown> = {}) => ({
  id,
  key,
  name: key.toUpperCase(),
  order,
  functionType: 'review',
  requiredRoles: ['technician' as const],
  estimatedMinutes: 240.0,
  category: null,
  autoTransition: false,
  predecessorTaskIds: preds,
  reworkTo: null,
  actionName: null,
  textPrompt: null,
  metadata: {},
  ...extra,
});

test('a saved template becomes a definition keyed by task keys, implicit order made explicit', () => {
  const def = toDefinition({
    id: 't',
    familyId: 'f',
    version: 2,
    name: 'Flow',
    description: null,
    caseType: 'refinement',
    practiceId: null,
    active: true,
    supersededBy: null,
    createdAt: '2026-01-01T00:00:00Z',
    tasks: [task('id-c', 'check', 30, ['id-a', 'id-b'], { reworkTo: 'a', metadata: { completion: 'external' } }), task('id-a', 'a', 10, []), task('id-b', 'b', 20, null)],
  });
  expect(def.tasks.map((t) => [t.key, t.after])).toEqual([
    ['a', []],
    ['b', ['a']],
    ['check', ['a', 'b']],
  ]);
  expect(def.tasks[2]).toMatchObject({ reworkTo: 'a', metadata: { completion: 'external' }, estimatedMinutes: 240 });
});

test('errors by task key; template-wide errors under the empty key', () => {
  const m = errorsByTask([
    { code: 'x', taskId: 'check', taskName: 'Check', message: 'one' },
    { code: 'y', taskId: 'check', taskName: 'Check', message: 'two' },
    { code: 'z', taskId: null, taskName: null, message: 'whole' },
  ]);
  expect(m.get('check')).toEqual(['one', 'two']);
  expect(m.get('')).toEqual(['whole']);
});

test('splitList', () => {
  expect(splitList(' a, b ,,c ')).toEqual(['a', 'b', 'c']);
  expect(splitList('')).toEqual([]);
});
