/**
 * Analytics on a seeded history with known answers (issue 11, part 5): a period in 2020 that no
 * other test writes to, two practices, one template of our own.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { guardClient } from '../../src/db/connection-errors';
import { ensureAnalyticsRollupsSchedule } from '../../src/services/analytics-start';
import { analyticsRollupsScheduleId } from '../../src/workflows/analytics.workflow';
import { waitFor } from '../support/wait';
import { recordHistory } from '../support/case-driver';
import { clearAlignerTemplate } from '../../src/seed/templates';
import { createPracticeFixture, createTemplate, createUser, type PracticeFixture } from '../support/fixtures';
import { as, setupApi, tokenFor, type ApiEnv, type Caller } from './support';
import { setupAndTeardown } from '../support/lifecycle';

let env: ApiEnv;
let a: PracticeFixture;
let b: PracticeFixture;
let templateId: string;
let lab: Caller;
const H = 3_600_000;
let refreshLock: pg.Client | undefined;
/** Ends the lock's session (its lock goes with it), once. */
const endRefreshLock = async () => {
  const c = refreshLock;
  refreshLock = undefined;
  await c?.end();
};
const PERIOD = 'from=2020-03-02T00:00:00Z&to=2020-03-16T00:00:00Z';

interface Task {
  name: string;
  plannedH: number | null;
  actualH: number | null;
  onTime: boolean | null;
  roles: string[];
  kind: string;
  queueH?: number | null;
  reworks?: number;
}
const records = (actualH: number | null, onTime: boolean | null, queueH: number | null = null, reworks = 0): Task => ({ name: 'Records review', plannedH: 4, actualH, onTime, roles: ['technician'], kind: 'decision', queueH, reworks });
const approval = (actualH: number, onTime: boolean): Task => ({ name: 'Doctor approval', plannedH: 2, actualH, onTime, roles: ['doctor'], kind: 'decision' });
const auto = (): Task => ({ name: 'Attachment template', plannedH: null, actualH: 0.5, onTime: null, roles: [], kind: 'automatic' });

async function finishedCase(f: PracticeFixture, created: string, finished: string, outcome: 'completed' | 'cancelled', completionRate: number | null, tasks: Task[]): Promise<string> {
  const db = env.h.database.system;
  const c = await db
    .insertInto('cases')
    .values({ practice_id: f.practiceId, patient_id: f.patientId, case_number: `AN-${randomUUID().slice(0, 8)}`, title: 'Seeded', case_type: 'active_treatment', workflow_template_id: templateId, created_at: created, closed_at: finished, current_state: outcome })
    .returning('id')
    .executeTakeFirstOrThrow();
  const perf = tasks.map((t, i) => ({
    taskId: `task-${t.name}`,
    name: t.name,
    plannedMs: t.plannedH === null ? null : t.plannedH * H,
    actualMs: t.actualH === null ? null : t.actualH * H,
    onTime: t.onTime,
    reworks: t.reworks ?? 0,
    roles: t.roles,
    kind: t.kind,
    queueMs: t.queueH === null || t.queueH === undefined ? null : t.queueH * H,
    i,
  }));
  await db
    .insertInto('workflow_performance')
    .values({ workflow_template_id: templateId, case_id: c.id, practice_id: f.practiceId, task_performance: JSON.stringify({ outcome, tasks: perf }), completion_rate: completionRate === null ? null : String(completionRate), created_at: finished })
    .execute();
  return c.id;
}

async function reworkMessage(f: PracticeFixture, caseId: string, at: string, decision: string, reason: string | null, content = 'x'): Promise<void> {
  await env.h.database.system
    .insertInto('case_messages')
    .values({
      case_id: caseId,
      practice_id: f.practiceId,
      sender_id: f.members.doctor,
      message_type: 'status_update',
      subject: 'Doctor approval: rework',
      content,
      metadata: JSON.stringify({ taskId: 'task-Doctor approval', reworkTaskId: 'task-Records review', decision, ...(reason ? { reason } : {}) }),
      created_at: at,
    })
    .execute();
}

setupAndTeardown(async () => {
  env = await setupApi();
  const db = env.h.database.system;
  // A refresh of every practice (another file's, e.g. test/repositories/analytics-rollups) between
  // seeding and the "stale weeks" check below would consume this history's marks first. It takes
  // the refresh lock of 0066 exclusively: holding it shared (as per-practice refreshes do) holds
  // such refreshes off until the check is done, and lets per-practice ones run.
  refreshLock = guardClient(new pg.Client({ connectionString: env.h.config.DATABASE_URL }));
  await refreshLock.connect();
  await refreshLock.query('SELECT pg_advisory_lock_shared(4627165, 0)');
  templateId = await createTemplate(db, clearAlignerTemplate({ name: `Analytics ${randomUUID().slice(0, 8)}` }));
  a = await createPracticeFixture(db);
  b = await createPracticeFixture(db);
  const a1 = await finishedCase(a, '2020-03-02T00:00:00Z', '2020-03-03T00:00:00Z', 'completed', 50, [records(2, true, 1), approval(10, false), auto()]);
  const a2 = await finishedCase(a, '2020-03-02T00:00:00Z', '2020-03-04T00:00:00Z', 'completed', 100, [records(4, true, null, 1), approval(1, true), auto()]);
  const a3 = await finishedCase(a, '2020-03-09T00:00:00Z', '2020-03-10T00:00:00Z', 'completed', 50, [records(6, false, 2), approval(2, true), auto()]);
  await finishedCase(a, '2020-03-09T00:00:00Z', '2020-03-10T06:00:00Z', 'cancelled', null, [records(null, null)]);
  const b1 = await finishedCase(b, '2020-03-09T00:00:00Z', '2020-03-11T00:00:00Z', 'completed', 100, [records(3, true), approval(1, true)]);
  // Outside the period: must not count.
  await finishedCase(a, '2020-02-01T00:00:00Z', '2020-02-02T00:00:00Z', 'completed', 0, [records(40, false, 30)]);

  await db.insertInto('state_analytics').values({ case_id: a1, practice_id: a.practiceId, from_state: 'on_hold', to_state: 'planning', duration_minutes: 120, created_at: '2020-03-02T12:00:00Z' }).execute();
  await reworkMessage(a, a2, '2020-03-03T00:00:00Z', 'request_changes', 'Midline off');
  await reworkMessage(a, a3, '2020-03-09T10:00:00Z', 'reject', 'Midline off');
  // A message from before the reason was in the metadata: read from the content.
  await reworkMessage(a, a3, '2020-03-09T11:00:00Z', 'request_changes', null, '"Doctor approval" changes requested: Attachments missing. Back to "Records review" for rework (rework #2).');
  await reworkMessage(b, b1, '2020-03-09T11:00:00Z', 'reject', 'Wrong arch');

  // The weeks of this history now come from the weekly rollups (0065), not the facts: refreshed
  // by the worker, through the Schedule's workflow.
  try {
    expect((await db.selectFrom('analytics_stale_weeks').select('id').where('practice_id', 'in', [a.practiceId, b.practiceId]).execute()).length).toBeGreaterThan(0);
  } finally {
    await endRefreshLock();
  }
  expect(await ensureAnalyticsRollupsSchedule(env.h.client, env.h.taskQueue, '1 hour')).toBe(true);
  const schedule = env.h.client.schedule.getHandle(analyticsRollupsScheduleId(env.h.taskQueue));
  try {
    expect(await ensureAnalyticsRollupsSchedule(env.h.client, env.h.taskQueue, '1 hour')).toBe(false); // kept, not duplicated
    expect((await schedule.describe()).action).toMatchObject({ type: 'startWorkflow', workflowType: 'analyticsRollupsWorkflow' });
    await schedule.trigger();
    await waitFor(() => db.selectFrom('analytics_stale_weeks').select('id').where('practice_id', 'in', [a.practiceId, b.practiceId]).execute(), (rows) => rows.length === 0, 60_000, 'the scheduled refresh');
    const started = (await schedule.describe()).info.recentActions[0]!.action.workflow;
    const run = env.h.client.workflow.getHandle(started.workflowId, started.firstExecutionRunId);
    expect((await run.result()).weeks).toBeGreaterThan(0);
    await recordHistory(run, 'encrypted/analytics-rollups');
  } finally {
    await schedule.delete();
  }
  const rolled = await db.selectFrom('analytics_weekly_cases').select([sql<string>`to_char(week, 'YYYY-MM-DD')`.as('week'), 'finished']).where('practice_id', '=', a.practiceId).orderBy('week').execute();
  expect(rolled.map((r) => [r.week, r.finished])).toEqual([['2020-01-27', 1], ['2020-03-02', 2], ['2020-03-09', 2]]);
  // …and their lab-wide sums (0072), which lab staff's lab-wide questions below read: B joins 2020-03-09.
  const labRolled = await db.selectFrom('analytics_lab_weekly_cases').select([sql<string>`to_char(week, 'YYYY-MM-DD')`.as('week'), 'finished']).where('workflow_template_id', '=', templateId).orderBy('week').execute();
  expect(labRolled.map((r) => [r.week, r.finished])).toEqual([['2020-01-27', 1], ['2020-03-02', 2], ['2020-03-09', 3]]);
  expect(await db.selectFrom('analytics_stale_weeks').select('id').where('practice_id', 'in', [a.practiceId, b.practiceId]).execute()).toEqual([]);

  const techId = await createUser(db, 'lab-analyst', 'technician');
  await db.insertInto('lab_staff').values({ profile_id: techId }).execute();
  lab = as(env.app, await tokenFor(env.h.config, techId));
  // endRefreshLock first: if seeding failed, a lock left held would stall other files' refreshes.
}, [endRefreshLock, () => env?.close()]);

const ownerOf = async (f: PracticeFixture) => as(env.app, await tokenFor(env.h.config, f.members.owner));

test('turnaround per template and task: p50/p90 vs the estimate', async () => {
  const res = await (await ownerOf(a)).get(`/analytics/turnaround?practiceId=${a.practiceId}&${PERIOD}`);
  expect(res.status).toBe(200);
  const [t] = res.body.templates;
  expect(res.body.templates).toHaveLength(1);
  expect(t).toMatchObject({ templateId, cases: 3, p50Hours: 24, p90Hours: 43.2 });
  expect(t.tasks).toEqual([
    { taskId: 'task-Records review', name: 'Records review', runs: 3, p50Hours: 4, p90Hours: 5.6, estimateHours: 4, onTimeRate: expect.closeTo(2 / 3, 5) },
    { taskId: 'task-Doctor approval', name: 'Doctor approval', runs: 3, p50Hours: 2, p90Hours: 8.4, estimateHours: 2, onTimeRate: expect.closeTo(2 / 3, 5) },
    { taskId: 'task-Attachment template', name: 'Attachment template', runs: 3, p50Hours: 0.5, p90Hours: 0.5, estimateHours: null, onTimeRate: null },
  ]);
});

test('throughput and on-time rate per week', async () => {
  const res = await (await ownerOf(a)).get(`/analytics/weekly?practiceId=${a.practiceId}&${PERIOD}`);
  expect(res.body.weeks).toEqual([
    { week: '2020-03-02', completed: 2, cancelled: 0, onTime: 1, onTimeRate: 0.5 },
    { week: '2020-03-09', completed: 1, cancelled: 1, onTime: 0, onTimeRate: 0 },
  ]);
  // Lab-wide, B's on-time case joins the second week.
  const labWide = await lab.get(`/analytics/weekly?${PERIOD}`);
  expect(labWide.body.weeks).toEqual([
    { week: '2020-03-02', completed: 2, cancelled: 0, onTime: 1, onTimeRate: 0.5 },
    { week: '2020-03-09', completed: 2, cancelled: 1, onTime: 1, onTimeRate: 0.5 },
  ]);
});

test('rework rate and reasons', async () => {
  const res = await (await ownerOf(a)).get(`/analytics/rework?practiceId=${a.practiceId}&${PERIOD}`);
  expect(res.body).toMatchObject({ finishedCases: 4, reworkedCases: 1, reworkRate: 0.25, byTask: [{ taskId: 'task-Records review', name: 'Records review', reworks: 1 }] });
  expect(res.body.reasons).toEqual(
    expect.arrayContaining([
      { decision: 'request_changes', reason: 'Midline off', count: 1 },
      { decision: 'reject', reason: 'Midline off', count: 1 },
      { decision: 'request_changes', reason: 'Attachments missing', count: 1 },
    ]),
  );
  expect(res.body.reasons).toHaveLength(3);
  expect((await lab.get(`/analytics/rework?${PERIOD}`)).body.reasons).toContainEqual({ decision: 'reject', reason: 'Wrong arch', count: 1 });
});

test('bottlenecks: time beyond the estimate, then late rate', async () => {
  const res = await (await ownerOf(a)).get(`/analytics/bottlenecks?practiceId=${a.practiceId}&${PERIOD}`);
  expect(res.body.tasks).toEqual([
    { taskId: 'task-Doctor approval', name: 'Doctor approval', runs: 3, late: 1, lateRate: expect.closeTo(1 / 3, 3), excessHours: 8 },
    { taskId: 'task-Records review', name: 'Records review', runs: 3, late: 1, lateRate: expect.closeTo(1 / 3, 3), excessHours: 2 },
  ]);
});

test('where the time went: practice, on hold, lab queue, active lab work', async () => {
  const res = await (await ownerOf(a)).get(`/analytics/time-split?practiceId=${a.practiceId}&${PERIOD}`);
  expect(res.body).toMatchObject({ cases: 4, hours: { practice: 13, onHold: 2, labQueue: 3, labActive: 9, automatic: 1.5 } });
});

test('who sees what: a member their practices, lab staff every practice, others nothing', async () => {
  const ownerB = await ownerOf(b);
  const denied = await ownerB.get(`/analytics/weekly?practiceId=${a.practiceId}&${PERIOD}`);
  expect(denied.status).toBe(404);
  // Without a practice, a member's figures are their own practices'.
  expect((await ownerB.get(`/analytics/time-split?${PERIOD}`)).body.cases).toBe(1);
  expect((await lab.get(`/analytics/time-split?practiceId=${a.practiceId}&${PERIOD}`)).body.cases).toBe(4);
  expect((await lab.get(`/analytics/turnaround?${PERIOD}`)).body.templates[0]).toMatchObject({ templateId, cases: 4 });
  const stranger = as(env.app, await tokenFor(env.h.config, await createUser(env.h.database.system, 'nobody')));
  expect((await stranger.get(`/analytics/time-split?${PERIOD}`)).body.cases).toBe(0);

  // An inverted range is empty, not an error (the document cannot state from < to); a malformed
  // date is a 400 naming the field.
  const inverted = await lab.get('/analytics/weekly?from=2020-03-10T00:00:00Z&to=2020-03-01T00:00:00Z');
  expect(inverted.status).toBe(200);
  expect(JSON.stringify(inverted.body)).not.toMatch(/"cases":[1-9]/);
  const bad = await lab.get('/analytics/weekly?from=yesterday');
  expect(bad.status).toBe(400);
  expect(bad.body.error.details[0].field).toBe('query.from');
});
