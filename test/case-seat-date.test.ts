/**
 * Seat-date back-planning (issue 11, part 3) on the time-skipping test server, so days pass in
 * seconds: a case with a seat appointment goes at risk as its slack shrinks (latest start = seat
 * date − transit − remaining critical path), escalates assignee → role pool → leads, shows in the
 * inbox's at-risk filter and the AtRisk search attribute, and a setSeatDate Update replans it
 * (at risk clears when the date moves out). Through the API, with the real worker and database.
 */
import { caseWorkflowId } from '../src/workflows/case.messages';
import type { caseWorkflow } from '../src/workflows/case.workflow';
import { AtRisk } from '../temporal/search-attributes';
import { createPracticeFixture, type PracticeFixture } from './support/fixtures';
import { recordHistory } from './support/case-driver';
import { startTimeSkippingServer, type TimeSkippingServer } from './support/time-skipping';
import { waitFor } from './support/wait';
import { testConfig } from './support/harness';
import { as, setupApi, tokenFor, type ApiEnv, type Caller } from './api/support';
import { setupAndTeardown } from './support/lifecycle';

const H = 3_600_000;
const DAY = 24 * H;
/** Clear-aligner plan from "Records review" to the end at medium priority: 4 + 24 + 48 + 48 + 8 + 24 h. */
const CRITICAL_PATH = 156 * H;

let clock: TimeSkippingServer;
let env: ApiEnv;
setupAndTeardown(async () => {
  clock = await startTimeSkippingServer(testConfig().TEMPORAL_NAMESPACE);
  env = await setupApi({ config: { TEMPORAL_ADDRESS: clock.address, STORAGE_DIR: `${process.env.MDW_TEST_DIR}/files-seat-${process.pid}` } });
}, [() => env?.close(), () => clock?.close()], { setup: 240_000 });

const member = async (f: PracticeFixture, role: keyof PracticeFixture['members']): Promise<Caller> => as(env.app, await tokenFor(env.h.config, f.members[role]));

const riskEvents = (caseId: string) =>
  env.h.database.system
    .selectFrom('case_risk_events')
    .select(['level', 'previous_level', 'slack_minutes', 'notify_roles', 'notify_profiles', 'seat_date', 'task_ids'])
    .where('case_id', '=', caseId)
    .orderBy('created_at')
    .orderBy('idempotency_key')
    .execute();
const levelsAfter = async (caseId: string, n: number) => waitFor(() => riskEvents(caseId), (rows) => rows.length >= n, 60_000, `${n} risk events`);
const caseRow = (caseId: string) =>
  env.h.database.system.selectFrom('cases').select(['seat_date', 'transit_days', 'at_risk', 'risk_level', 'slack_minutes']).where('id', '=', caseId).executeTakeFirstOrThrow();
const awaitingFlags = async (caseId: string) =>
  (await env.h.database.system.selectFrom('awaiting_tasks').select('at_risk').where('case_id', '=', caseId).execute()).map((r) => r.at_risk);

test('a case with a seat date goes at risk as slack shrinks, escalates, and a seat-date Update replans it', async () => {
  const f = await createPracticeFixture(env.h.database.system);
  const doctor = await member(f, 'doctor');
  const technician = await member(f, 'technician');
  const owner = await member(f, 'owner');

  // Seat in 10 days, 2 days of transit: the first task's latest start is 10 − 2 − 6.5 days = 36 h
  // away, more than the 24 h threshold.
  const t0 = await clock.now();
  const seatDate = new Date(t0 + 10 * DAY).toISOString();
  const created = await doctor.post('/cases', {
    practiceId: f.practiceId,
    patientId: f.patientId,
    title: 'Aligners',
    caseType: 'active_treatment',
    templateId: env.templateId,
    seatDate,
    transitDays: 2,
  });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ seatDate, transitDays: 2, atRisk: false });
  const caseId: string = created.body.id;
  const detail = await waitFor(
    () => doctor.get(`/cases/${caseId}`),
    (r) => r.body.workflow?.tasks.some((t: { name: string; awaitingDecision: boolean }) => t.name === 'Records review' && t.awaitingDecision),
    30_000,
    'Records review to await a decision',
  );
  const seat = detail.body.workflow.seat;
  expect(seat).toMatchObject({ seatDate, transitDays: 2, level: 'on_track', atRisk: false });
  const latestStart = t0 + 10 * DAY - 2 * DAY - CRITICAL_PATH;
  // The task became active a moment after t0; the latest start does not depend on when.
  expect(Date.parse(seat.latestStart)).toBe(latestStart);
  expect(seat.slackMinutes).toBeGreaterThan(35 * 60);
  expect(seat.slackMinutes).toBeLessThanOrEqual(36 * 60);
  expect((await levelsAfter(caseId, 1)).map((e) => e.level)).toEqual(['on_track']);

  const records = detail.body.workflow.tasks.find((t: { name: string }) => t.name === 'Records review').id;
  expect((await technician.post(`/cases/${caseId}/tasks/${records}/claim`)).status).toBe(200);

  // 13 h later the slack is 23 h: at risk, told to the assignee.
  await clock.sleep(13 * H);
  let events = await levelsAfter(caseId, 2);
  expect(events[1]).toMatchObject({ level: 'at_risk', previous_level: 'on_track', notify_roles: [], notify_profiles: [f.members.technician], task_ids: [records] });
  expect(events[1]!.slack_minutes).toBeLessThan(24 * 60);
  expect(await caseRow(caseId)).toMatchObject({ at_risk: true, risk_level: 'at_risk', transit_days: 2 });
  expect(await awaitingFlags(caseId)).toEqual([true]);
  const inbox = async (q: string) => ((await technician.get(`/tasks/inbox?view=mine&${q}`)).body.items as Array<{ caseId: string; atRisk: boolean }>).filter((i) => i.caseId === caseId);
  expect(await inbox('atRisk=true')).toEqual([expect.objectContaining({ caseId, atRisk: true })]);
  expect(await inbox('atRisk=false')).toEqual([]);

  // 12 h more: 11 h of slack, below half the threshold: the role pool.
  await clock.sleep(12 * H);
  events = await levelsAfter(caseId, 3);
  expect(events[2]).toMatchObject({ level: 'pool', previous_level: 'at_risk', notify_roles: ['technician'], notify_profiles: [] });

  // 12 h more: the latest start has passed, the seat date is missed at the planned pace: the leads.
  await clock.sleep(12 * H);
  events = await levelsAfter(caseId, 4);
  expect(events[3]).toMatchObject({ level: 'lead', previous_level: 'pool', notify_roles: ['owner', 'admin'] });
  expect(events[3]!.slack_minutes).toBeLessThan(0);
  expect(await caseRow(caseId)).toMatchObject({ at_risk: true, risk_level: 'lead' });
  const handle = env.h.client.workflow.getHandle<typeof caseWorkflow>(caseWorkflowId(f.practiceId, created.body.caseNumber));
  expect((await handle.describe()).typedSearchAttributes.get(AtRisk)).toBe(true);

  // Refusals: a technician does not book seat appointments; the workflow's clock (37 h ahead of
  // the wall clock here) refuses a date that is already past for the case.
  const wrongRole = await technician.post(`/cases/${caseId}/seat-date`, { seatDate: new Date(t0 + 30 * DAY).toISOString() });
  expect(wrongRole.status).toBe(422);
  expect(wrongRole.body.error.code).toBe('wrong_role');
  const past = await owner.post(`/cases/${caseId}/seat-date`, { seatDate: new Date(Date.now() + H).toISOString() });
  expect(past.status).toBe(422);
  expect(past.body.error.code).toBe('invalid_argument');
  const wallClockPast = await owner.post(`/cases/${caseId}/seat-date`, { seatDate: '2001-01-01T00:00:00Z' });
  expect({ status: wallClockPast.status, details: wallClockPast.body.error.details }).toEqual({ status: 422, details: [expect.objectContaining({ field: 'seatDate' })] });
  expect((await riskEvents(caseId)).length).toBe(4);

  // The practice moves the seat date out by three weeks: the case replans and is on track again.
  const later = new Date((await clock.now()) + 30 * DAY).toISOString();
  const moved = await owner.post(`/cases/${caseId}/seat-date`, { seatDate: later });
  expect(moved.status).toBe(200);
  expect(moved.body.seat).toMatchObject({ seatDate: later, transitDays: 2, level: 'on_track', atRisk: false });
  events = await levelsAfter(caseId, 5);
  expect(events[4]).toMatchObject({ level: 'on_track', previous_level: 'lead', notify_roles: [], notify_profiles: [] });
  expect(events[4]!.seat_date!.toISOString()).toBe(later);
  const row = await waitFor(() => caseRow(caseId), (r) => !r.at_risk, 10_000, 'the case row to clear');
  expect(row).toMatchObject({ risk_level: 'on_track', transit_days: 2 });
  expect(row.seat_date!.toISOString()).toBe(later);
  expect(await awaitingFlags(caseId)).toEqual([false]);
  expect(await inbox('atRisk=true')).toEqual([]);
  // The attribute is upserted in the workflow task after recordCaseAtRisk's, so it can trail the row.
  await waitFor(async () => (await handle.describe()).typedSearchAttributes.get(AtRisk), (v) => v === false, 10_000, 'the AtRisk attribute to clear');
  const message = await env.h.database.system.selectFrom('case_messages').select('subject').where('case_id', '=', caseId).where('subject', '=', 'Seat date moved').executeTakeFirst();
  expect(message).toBeDefined();

  expect((await owner.post(`/cases/${caseId}/cancel`, { reason: 'test over' })).status).toBe(200);
  await handle.result();
  await recordHistory(handle, 'seat-date-at-risk');
}, 240_000);

test('a seat date is validated at creation: in the future (422, a business rule), transit only with a seat date, at most 60 days (400, the schema)', async () => {
  const f = await createPracticeFixture(env.h.database.system);
  const doctor = await member(f, 'doctor');
  const base = { practiceId: f.practiceId, patientId: f.patientId, title: 'Aligners', caseType: 'active_treatment', templateId: env.templateId };
  const past = await doctor.post('/cases', { ...base, seatDate: '2020-01-01T09:00:00Z' });
  expect(past.status).toBe(422);
  expect(past.body.error.details).toEqual([expect.objectContaining({ field: 'seatDate' })]);
  const transitOnly = await doctor.post('/cases', { ...base, transitDays: 3 });
  expect(transitOnly.status).toBe(422);
  expect(transitOnly.body.error.details).toEqual([expect.objectContaining({ field: 'seatDate' })]);
  const tooLong = await doctor.post('/cases', { ...base, seatDate: new Date(Date.now() + 30 * DAY).toISOString(), transitDays: 61 });
  expect(tooLong.status).toBe(400);
  expect(tooLong.body.error.details).toEqual([expect.objectContaining({ field: 'transitDays' })]);
  // Nothing was written for the refused requests.
  expect(await env.h.database.system.selectFrom('cases').select('id').where('practice_id', '=', f.practiceId).execute()).toEqual([]);
});

test('a retried start with the same case number and seat date gets the same case; another seat date is a different request', async () => {
  const f = await createPracticeFixture(env.h.database.system);
  const doctor = await member(f, 'doctor');
  const seatDate = new Date((await clock.now()) + 20 * DAY).toISOString();
  const body = { practiceId: f.practiceId, patientId: f.patientId, title: 'Aligners', caseType: 'active_treatment', templateId: env.templateId, caseNumber: 'SEAT-1', seatDate, transitDays: 1 };
  const first = await doctor.post('/cases', body);
  expect(first.status).toBe(201);
  const again = await doctor.post('/cases', body);
  expect({ status: again.status, id: again.body.id }).toEqual({ status: 201, id: first.body.id });
  const moved = await doctor.post('/cases', { ...body, seatDate: new Date(Date.parse(seatDate) + DAY).toISOString() });
  expect(moved.status).toBe(409);
  expect(moved.body.error).toMatchObject({ code: 'case_number_taken', details: [expect.objectContaining({ field: 'seatDate' })] });
  // The workflow started with the seat plan: its first record says on track (20 − 1 − 6.5 days of slack).
  const [event] = await levelsAfter(first.body.id, 1);
  expect(event).toMatchObject({ level: 'on_track', previous_level: null });
  expect(event!.seat_date!.toISOString()).toBe(seatDate);
});
