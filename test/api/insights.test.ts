/**
 * Recommendations from data on a seeded history with known answers: the daily Schedule per
 * template (triggered here), the case-close hook, and GET /workflow-templates/{id}/insights under
 * RLS. Real API, PostgreSQL and Temporal.
 */
import { randomUUID } from 'node:crypto';
import { createPracticeFixture, createTemplate, type PracticeFixture } from '../support/fixtures';
import { waitFor } from '../support/wait';
import { as, setupApi, tokenFor, type ApiEnv } from './support';
import { clearAlignerTemplate } from '../../src/seed/templates';
import { ensureInsightSchedules, insightScheduleId } from '../../src/ai/recommendations/schedules';
import { templateTasks } from '../../src/repositories/insights.repository';
import { setupAndTeardown } from '../support/lifecycle';

let env: ApiEnv;
setupAndTeardown(async () => {
  env = await setupApi();
}, [() => env?.close()]);

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

/** Closed cases with known task durations (minutes) and reworks, straight into the tables. */
async function seedHistory(f: PracticeFixture, templateId: string, cases: Array<{ records: number; approval: number; reworks: number; outcome?: 'completed' | 'cancelled' }>) {
  const db = env.h.database.system;
  const tasks = await templateTasks(db, templateId);
  const records = tasks.find((t) => t.name === 'Records review')!;
  const approval = tasks.find((t) => t.name === 'Doctor approval')!;
  for (const [i, c] of cases.entries()) {
    const created = new Date(Date.UTC(2026, 5, 1) + i * DAY);
    const closed = new Date(created.getTime() + (c.records + c.approval) * MIN);
    const row = await db
      .insertInto('cases')
      .values({ patient_id: f.patientId, practice_id: f.practiceId, case_number: `H-${randomUUID().slice(0, 8)}`, title: 'history', case_type: 'active_treatment', workflow_template_id: templateId, current_state: c.outcome ?? 'completed', closed_at: closed.toISOString(), created_at: created.toISOString() })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('workflow_performance')
      .values({
        workflow_template_id: templateId,
        case_id: row.id,
        practice_id: f.practiceId,
        task_performance: JSON.stringify({
          outcome: c.outcome ?? 'completed',
          tasks: [
            { taskId: records.taskId, name: records.name, plannedMs: records.estimateMs, actualMs: c.records * MIN, onTime: null, reworks: 0 },
            { taskId: approval.taskId, name: approval.name, plannedMs: approval.estimateMs, actualMs: c.approval * MIN, onTime: null, reworks: c.reworks },
          ],
        }),
        created_at: closed.toISOString(),
      })
      .execute();
  }
}

test('the daily Schedule computes the known recommendations per practice; running cases get similar-case outcomes; GET shows each practice only its own', async () => {
  const db = env.h.database.system;
  const templateId = await createTemplate(db, clearAlignerTemplate({ name: `Insights ${randomUUID().slice(0, 8)}` }));
  const a = await createPracticeFixture(db);
  const b = await createPracticeFixture(db);
  // Records review is estimated at 240 min: 100, 200, 300, 400, 1000 → p50 300, p90 1000, 3 of 5 over.
  await seedHistory(a, templateId, [
    { records: 100, approval: 60, reworks: 0 },
    { records: 200, approval: 60, reworks: 1 },
    { records: 300, approval: 60, reworks: 0 },
    { records: 400, approval: 60, reworks: 2, outcome: 'cancelled' },
    { records: 1000, approval: 60, reworks: 0 },
  ]);
  await seedHistory(b, templateId, [{ records: 10, approval: 10, reworks: 0 }]);
  const running = await db
    .insertInto('cases')
    .values({ patient_id: a.patientId, practice_id: a.practiceId, case_number: `R-${randomUUID().slice(0, 8)}`, title: 'running', case_type: 'active_treatment', workflow_template_id: templateId, current_state: 'planning' })
    .returning('id')
    .executeTakeFirstOrThrow();

  const created = await ensureInsightSchedules(env.h.client, db, env.h.taskQueue);
  try {
    expect(created).toContain(insightScheduleId(templateId));
    // Idempotent for this template (other test files create templates in the same database meanwhile).
    expect(await ensureInsightSchedules(env.h.client, db, env.h.taskQueue)).not.toContain(insightScheduleId(templateId));
    const schedule = env.h.client.schedule.getHandle(insightScheduleId(templateId));
    const described = await schedule.describe();
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'templateInsightsWorkflow', args: [{ templateId }] });
    expect(described.spec.intervals?.[0]?.every).toBe(DAY);
    await schedule.trigger();

    const stored = await waitFor(
      () => db.selectFrom('template_insights').selectAll().where('workflow_template_id', '=', templateId).where('trigger', '=', 'schedule').execute(),
      (rows) => rows.length === 2,
      30_000,
      'the scheduled run',
    );
    const mine = stored.find((r) => r.practice_id === a.practiceId)!.recommendations as Record<string, unknown>;
    expect(mine).toMatchObject({
      casesConsidered: 5,
      outcomes: { completed: 4, cancelled: 1, medianCycleMinutes: 360 },
      durations: [{ name: 'Records review', samples: 5, estimateMinutes: 240, p50Minutes: 300, p90Minutes: 1000, overrunShare: 0.6, suggestedEstimateMinutes: 1005 }],
      queues: [
        { role: 'technician', samples: 5, p50Minutes: 300, p90Minutes: 1000 },
        { role: 'doctor', samples: 5, p50Minutes: 60, p90Minutes: 60 },
      ],
      rework: [{ name: 'Doctor approval', reworks: 3, casesWithRework: 2, share: 0.4 }],
    });

    // The run stores each practice's insights, then its running cases' recommendations: the
    // second practice's insights row can be visible before this case's row is written.
    const analytics = await waitFor(
      () => db.selectFrom('state_analytics').select(['ai_recommendations', 'from_state']).where('case_id', '=', running.id).execute(),
      (rows) => rows.length > 0,
      30_000,
      'the running case’s recommendations',
    );
    expect(analytics).toHaveLength(1);
    // By vector or by case type (another file's embedding pipeline may have embedded these
    // cases meanwhile): either way all five closed cases are the nearest. The vector path is
    // asserted in test/ai/search.test.ts.
    expect(analytics[0]!.ai_recommendations).toMatchObject({ kind: 'similar_case_outcomes', similar: { considered: 5, completed: 4, cancelled: 1, medianReworks: 0 } });

    const ownerA = as(env.app, await tokenFor(env.h.config, a.members.owner));
    const got = await ownerA.get(`/workflow-templates/${templateId}/insights`);
    expect(got.status).toBe(200);
    expect(got.body.items).toHaveLength(1);
    expect(got.body.items[0]).toMatchObject({ practiceId: a.practiceId, source: 'schedule', insights: { casesConsidered: 5 } });
    expect(got.body.items[0].insights.summary[0]).toMatch(/re-estimate to 1005 min/);
    const ownerB = as(env.app, await tokenFor(env.h.config, b.members.owner));
    expect((await ownerB.get(`/workflow-templates/${templateId}/insights`)).body.items.map((i: { practiceId: string }) => i.practiceId)).toEqual([b.practiceId]);
    expect((await ownerB.get(`/workflow-templates/${templateId}/insights?practiceId=${a.practiceId}`)).status).toBe(403);
    expect((await ownerA.get(`/workflow-templates/${randomUUID()}/insights`)).status).toBe(404);
    expect((await ownerA.get(`/workflow-templates/not-a-uuid/insights`)).status).toBe(400);
  } finally {
    for (const id of created) await env.h.client.schedule.getHandle(id).delete().catch(() => undefined);
  }
});

test('a case that closes stores the template’s recommendations with its performance row', async () => {
  const f = await createPracticeFixture(env.h.database.system);
  const doctor = as(env.app, await tokenFor(env.h.config, f.members.doctor));
  const c = await doctor.post('/cases', { practiceId: f.practiceId, patientId: f.patientId, title: 'To cancel', caseType: 'active_treatment', templateId: env.templateId });
  expect(c.status).toBe(201);
  await waitFor(() => doctor.post(`/cases/${c.body.id}/cancel`, { reason: 'duplicate' }), (r) => r.status === 200, 20_000, 'the cancellation');
  const perf = await waitFor(
    () => env.h.database.system.selectFrom('workflow_performance').select('ai_recommendations').where('case_id', '=', c.body.id).executeTakeFirst(),
    (r) => r?.ai_recommendations != null,
    20_000,
    'recommendations on close',
  );
  expect(perf!.ai_recommendations).toMatchObject({ templateId: env.templateId, casesConsidered: 1, outcomes: { cancelled: 1 }, case: { caseId: c.body.id, tasksSlowerThanP90: [] } });
  const live = await doctor.get(`/workflow-templates/${env.templateId}/insights?practiceId=${f.practiceId}`);
  expect(live.body.items[0]).toMatchObject({ practiceId: f.practiceId, source: 'case_closed', insights: { casesConsidered: 1 } });
});
