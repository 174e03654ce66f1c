import { computeTemplateInsights, percentile, similarCaseOutcomes, type ClosedCase, type TemplateTask } from './compute';

const MIN = 60_000;
const tasks: TemplateTask[] = [
  { taskId: 'records', name: 'Records review', roles: ['technician'], estimateMs: 60 * MIN },
  { taskId: 'approval', name: 'Doctor approval', roles: ['doctor'], estimateMs: 120 * MIN },
];
// Records review: 30, 40, 50, 70, 200 min against 60 → p50 50, p90 200 → re-estimate to 210.
// Doctor approval: 100 min every time, within its 120-min estimate; reworked in 2 of 5 cases.
const actualRecords = [30, 40, 50, 70, 200];
const history: ClosedCase[] = actualRecords.map((m, i) => ({
  caseId: `c${i}`,
  caseType: i < 4 ? 'active_treatment' : 'retention',
  outcome: i === 1 ? 'cancelled' : 'completed',
  startedAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(),
  closedAt: new Date(Date.UTC(2026, 0, 1 + i) + (m + 100) * MIN).toISOString(),
  tasks: [
    { taskId: 'records', name: 'Records review', plannedMs: 60 * MIN, actualMs: m * MIN, reworks: 0 },
    { taskId: 'approval', name: 'Doctor approval', plannedMs: 120 * MIN, actualMs: 100 * MIN, reworks: i % 2 },
  ],
}));

test('nearest-rank percentiles', () => {
  expect(percentile([1, 2, 3, 4, 5], 50)).toBe(3);
  expect(percentile([1, 2, 3, 4, 5], 90)).toBe(5);
  expect(percentile([7], 90)).toBe(7);
  expect(() => percentile([], 50)).toThrow();
});

test('a seeded history gives the known durations, queues, rework and outcomes', () => {
  const r = computeTemplateInsights('t1', tasks, history, new Date('2026-02-01T00:00:00Z'));
  expect(r.casesConsidered).toBe(5);
  expect(r.durations).toEqual([
    { taskId: 'records', name: 'Records review', samples: 5, estimateMinutes: 60, p50Minutes: 50, p90Minutes: 200, overrunShare: 0.4, suggestedEstimateMinutes: 210 },
  ]);
  expect(r.queues).toEqual([
    { role: 'technician', samples: 5, p50Minutes: 50, p90Minutes: 200 },
    { role: 'doctor', samples: 5, p50Minutes: 100, p90Minutes: 100 },
  ]);
  expect(r.rework).toEqual([{ taskId: 'approval', name: 'Doctor approval', reworks: 2, casesWithRework: 2, share: 0.4 }]);
  expect(r.outcomes).toEqual({ completed: 4, cancelled: 1, medianCycleMinutes: 150 });
  expect(r.summary[0]).toBe('"Records review" takes 50 min at the median and 200 min at p90 against an estimate of 60 min (40 % of 5 cases over); re-estimate to 210 min.');
});

test('fewer than three samples make no duration finding', () => {
  expect(computeTemplateInsights('t1', tasks, history.slice(0, 2), new Date()).durations).toEqual([]);
});

test('similar cases: the most recent closed cases of the same case type, with their outcomes', () => {
  const s = similarCaseOutcomes('active_treatment', history, 3);
  expect(s).toMatchObject({ method: 'template+case_type', considered: 3, completed: 2, cancelled: 1, medianReworks: 1 });
  expect(s.cases.map((c) => c.caseId)).toEqual(['c3', 'c2', 'c1']);
  expect(s.cases[0]).toEqual({ caseId: 'c3', outcome: 'completed', cycleMinutes: 170, reworks: 1 });
});

test('similar cases by vector: the nearest closed cases whatever their type, with their similarity; without vectors, the case-type fallback', () => {
  const sim = new Map([
    ['c4', 0.91],
    ['c0', 0.83],
    ['c2', 0.42],
  ]);
  const s = similarCaseOutcomes('active_treatment', history, 2, sim);
  expect(s.method).toBe('embedding');
  expect(s.cases.map((c) => [c.caseId, c.similarity])).toEqual([
    ['c4', 0.91],
    ['c0', 0.83],
  ]);
  expect(s).toMatchObject({ considered: 2, completed: 2, cancelled: 0 });
  // No closed case has a vector: same as no similarity at all.
  expect(similarCaseOutcomes('active_treatment', history, 3, new Map([['elsewhere', 0.9]]))).toEqual(similarCaseOutcomes('active_treatment', history, 3));
});
