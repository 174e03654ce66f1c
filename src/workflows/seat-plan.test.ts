import { latestStarts, riskAt } from './seat-plan';
import type { Plan, PlanTask } from './plan/plan.types';
import type { TaskStatus } from './case.messages';

const H = 3_600_000;

/** intake (no estimate) → review 2 h → (design 10 h, print 4 h) → ship 6 h: critical path 18 h. */
function diamond(): Plan {
  const t = (id: string, estimatedH: number | null, predecessors: string[], successors: string[]): PlanTask =>
    ({ id, name: id, order: 0, functionType: 'review', kind: 'decision', category: null, requiredRoles: ['technician'], estimatedMs: estimatedH === null ? null : estimatedH * H, entryState: null, exitState: null, predecessors, successors, reworkTargetId: id, reworkResetIds: [id], instructionType: null, actionName: null }) as PlanTask;
  const tasks = [t('intake', null, [], ['review']), t('review', 2, ['intake'], ['design', 'print']), t('design', 10, ['review'], ['ship']), t('print', 4, ['review'], ['ship']), t('ship', 6, ['design', 'print'], [])];
  return { templateId: 'tpl', templateVersion: 1, caseType: 'x', tasks, entryTaskIds: ['intake'], finalTaskIds: ['ship'] };
}
const statuses = (m: Record<string, TaskStatus>) => (id: string) => m[id] ?? 'pending';
const SEAT = Date.UTC(2030, 0, 10, 9);

test('latest start = seat − transit − remaining critical path, per task, scaled by priority', () => {
  const ls = latestStarts(diamond(), statuses({ intake: 'done', review: 'active' }), 1, SEAT, 24 * H);
  expect(ls.get('intake')).toBeUndefined(); // done
  expect(SEAT - 24 * H - ls.get('review')!).toBe(18 * H); // 2 + max(10, 4) + 6
  expect(SEAT - 24 * H - ls.get('print')!).toBe(10 * H);
  expect(SEAT - 24 * H - ls.get('ship')!).toBe(6 * H);
  // urgent (factor 0.5) halves every estimate
  expect(SEAT - latestStarts(diamond(), statuses({ review: 'active' }), 0.5, SEAT, 0).get('review')!).toBe(9 * H);
});

test('the slack of the active tasks decides the level; it worsens at known moments and clears when the work is done', () => {
  const plan = diamond();
  const active = statuses({ intake: 'done', review: 'active' });
  const latest = SEAT - 18 * H;
  const at = (now: number) => riskAt(plan, active, 1, SEAT, 0, 24 * H, now);
  expect(at(latest - 30 * H)).toMatchObject({ level: 'on_track', slackMs: 30 * H, latestStart: latest, taskIds: ['review'], nextChangeAt: latest - 24 * H + 1 });
  expect(at(latest - 24 * H).level).toBe('on_track');
  expect(at(latest - 24 * H + 1).level).toBe('at_risk');
  expect(at(latest - 12 * H + 1)).toMatchObject({ level: 'pool', nextChangeAt: latest + 1 });
  expect(at(latest)).toMatchObject({ level: 'pool', slackMs: 0 });
  expect(at(latest + 1)).toMatchObject({ level: 'lead', slackMs: -1, nextChangeAt: null });
  // The later parallel branch (print) has more slack: design decides.
  const both = riskAt(plan, statuses({ intake: 'done', review: 'done', design: 'active', print: 'active' }), 1, SEAT, 0, 24 * H, SEAT - 40 * H);
  expect(both).toMatchObject({ taskIds: ['design'], slackMs: 24 * H, level: 'on_track' });
  // Nothing active (finished): on track.
  expect(riskAt(plan, () => 'done', 1, SEAT, 0, 24 * H, SEAT + 100 * H)).toMatchObject({ level: 'on_track', slackMs: null });
});
