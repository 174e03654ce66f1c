/**
 * Message intent end to end: posted messages are classified, proposals attach when the case's
 * workflow can act, a person confirms one (a Workflow Update as that person, the message as
 * evidence, the workflow's validators checking the role) or dismisses it, and a practice may opt
 * in to auto-apply. Real API, PostgreSQL and Temporal.
 */
import { createPracticeFixture, type PracticeFixture } from '../support/fixtures';
import { waitFor } from '../support/wait';
import { as, setupApi, tokenFor, type ApiEnv, type Caller } from './support';
import { setupAndTeardown } from '../support/lifecycle';

let env: ApiEnv;
setupAndTeardown(async () => {
  env = await setupApi();
}, [() => env?.close()]);

type Role = keyof PracticeFixture['members'];
async function practice() {
  const f = await createPracticeFixture(env.h.database.system);
  const callers = {} as Record<Role, Caller>;
  for (const role of Object.keys(f.members) as Role[]) callers[role] = as(env.app, await tokenFor(env.h.config, f.members[role]));
  return { f, ...callers };
}

async function newCase(p: Awaited<ReturnType<typeof practice>>): Promise<string> {
  const r = await p.doctor.post('/cases', { practiceId: p.f.practiceId, patientId: p.f.patientId, title: 'Aligners', caseType: 'active_treatment', templateId: env.templateId });
  expect(r.status).toBe(201);
  return r.body.id as string;
}

// A case walks up to three tasks through its workflow before a proposal can exist; each step is a
// workflow task and an activity on a loaded 2-core machine (one wait of 20 s timed out once at load
// 17, session 10), so the file's tests get room for several slow steps.
jest.setTimeout(120_000);

/** Waits until the task is persisted as awaiting (what proposals are computed from). */
async function awaiting(caseId: string, name: string): Promise<string> {
  const row = await waitFor(
    () => env.h.database.system.selectFrom('awaiting_tasks').select(['task_id', 'task_name']).where('case_id', '=', caseId).where('task_name', '=', name).executeTakeFirst(),
    (r) => r !== undefined,
    45_000,
    `"${name}" awaiting`,
  );
  return row!.task_id;
}

async function toDoctorApproval(p: Awaited<ReturnType<typeof practice>>, id: string): Promise<string> {
  for (const name of ['Records review', 'Treatment plan design']) {
    const task = await awaiting(id, name);
    expect((await p.technician.post(`/cases/${id}/tasks/${task}/decision`, { decision: 'approve' })).status).toBe(200);
  }
  return awaiting(id, 'Doctor approval');
}

const statesOf = (caseId: string) =>
  env.h.database.system.selectFrom('case_states').select(['to_state', 'changed_by', 'metadata']).where('case_id', '=', caseId).orderBy('created_at').execute();

test('POST /ai/intent classifies without saving; empty and over-long texts answer 400 naming the field', async () => {
  const p = await practice();
  const q = await p.assistant.post('/ai/intent', { text: 'has this been approved yet?' });
  expect(q.status).toBe(200);
  expect(q.body).toMatchObject({ intent: 'none', source: 'rule', proposable: false });
  expect(q.body.evidence[0]).toMatch(/^guard: question/);

  const hold = await p.assistant.post('/ai/intent', { text: 'please put the case on hold, the patient is travelling' });
  expect(hold.body).toMatchObject({ intent: 'on_hold', source: 'model', proposable: true });
  expect(hold.body.model).toMatch(/lexical/);

  const empty = await p.assistant.post('/ai/intent', { text: '   ' });
  expect(empty.status).toBe(400);
  expect(empty.body.error.details[0].field).toBe('text');
  const long = await p.assistant.post('/ai/intent', { text: 'a'.repeat(5001) });
  expect(long.status).toBe(400);
  expect(long.body.error.details[0]).toMatchObject({ field: 'text', message: expect.stringMatching(/longer than 5000/) });
  const missing = await p.assistant.post('/ai/intent', {});
  expect(missing.status).toBe(400);
  const anonymous = await as(env.app, '').post('/ai/intent', { text: 'approved' });
  expect(anonymous.status).toBe(401);
});

test('a proposal to approve: a technician cannot confirm the doctor’s approval (422), the doctor can; audited with the message as evidence', async () => {
  const p = await practice();
  const id = await newCase(p);
  const approval = await toDoctorApproval(p, id);

  // A question proposes nothing.
  const question = await p.technician.post(`/cases/${id}/messages`, { content: 'has this been approved yet?' });
  expect(question.status).toBe(201);
  expect(question.body).toMatchObject({ intent: { intent: 'none' }, proposal: null });

  const posted = await p.assistant.post(`/cases/${id}/messages`, { content: 'Dr. says plan approved, send to mfg' });
  expect(posted.status).toBe(201);
  expect(posted.body.intent).toMatchObject({ intent: 'approved', source: 'model' });
  const proposal = posted.body.proposal;
  expect(proposal).toMatchObject({ action: 'approve', taskId: approval, allowedRoles: ['doctor'], status: 'pending', messageId: posted.body.id });
  const meta = await env.h.database.system.selectFrom('case_messages').select('metadata').where('id', '=', posted.body.id).executeTakeFirstOrThrow();
  expect((meta.metadata as { intent: { intent: string } }).intent.intent).toBe('approved');

  const before = (await statesOf(id)).length;
  const refused = await p.technician.post(`/cases/${id}/proposals/${proposal.id}/confirm`);
  expect(refused.status).toBe(422);
  expect(refused.body.error.code).toBe('wrong_role');
  expect((await statesOf(id)).length).toBe(before);
  expect((await p.technician.get(`/cases/${id}/proposals?status=pending`)).body.items.map((x: { id: string }) => x.id)).toEqual([proposal.id]);

  const confirmed = await p.doctor.post(`/cases/${id}/proposals/${proposal.id}/confirm`);
  expect(confirmed.status).toBe(200);
  expect(confirmed.body.proposal).toMatchObject({ status: 'confirmed', decidedBy: p.f.members.doctor });
  expect(confirmed.body.case.decisions).toContainEqual(expect.objectContaining({ taskId: approval, decision: 'approve', by: p.f.members.doctor, role: 'doctor' }));
  const approved = (await statesOf(id)).find((s) => (s.metadata as { evidence?: unknown }).evidence);
  expect(approved).toMatchObject({ to_state: 'approved', changed_by: p.f.members.doctor });
  expect((approved!.metadata as { evidence: unknown }).evidence).toEqual({ messageId: posted.body.id, proposalId: proposal.id, intent: 'approved', confidence: proposal.confidence, mode: 'confirmed' });

  const again = await p.doctor.post(`/cases/${id}/proposals/${proposal.id}/confirm`);
  expect(again.status).toBe(409);
  expect(again.body.error.code).toBe('proposal_not_pending');
});

test('dismissal: only a role that could confirm may dismiss; a dismissed proposal cannot be confirmed; nothing is applied by default', async () => {
  const p = await practice();
  const id = await newCase(p);
  await awaiting(id, 'Records review');
  const posted = await p.doctor.post(`/cases/${id}/messages`, { content: 'please put the case on hold, patient needs a filling first' });
  expect(posted.body.proposal).toMatchObject({ action: 'hold', status: 'pending', allowedRoles: ['owner', 'admin', 'doctor'] });
  // Auto-apply is off by default: the case is not on hold.
  expect((await env.h.database.system.selectFrom('cases').select('current_state').where('id', '=', id).executeTakeFirstOrThrow()).current_state).not.toBe('on_hold');

  const byAssistant = await p.assistant.post(`/cases/${id}/proposals/${posted.body.proposal.id}/dismiss`, {});
  expect(byAssistant.status).toBe(422);
  expect(byAssistant.body.error.code).toBe('wrong_role');
  const dismissed = await p.owner.post(`/cases/${id}/proposals/${posted.body.proposal.id}/dismiss`, { note: 'filling already done' });
  expect(dismissed.status).toBe(200);
  expect(dismissed.body).toMatchObject({ status: 'dismissed', decidedBy: p.f.members.owner, outcome: 'filling already done' });
  const confirm = await p.owner.post(`/cases/${id}/proposals/${posted.body.proposal.id}/confirm`);
  expect(confirm.status).toBe(409);
  expect((await statesOf(id)).some((s) => s.to_state === 'on_hold')).toBe(false);

  // Another practice's member sees neither the case nor its proposals.
  const other = await practice();
  expect((await other.owner.get(`/cases/${id}/proposals`)).status).toBe(404);
  expect((await other.owner.post(`/cases/${id}/proposals/${posted.body.proposal.id}/confirm`)).status).toBe(404);
});

test('a malformed auto-apply opt-in is refused with 400 naming the field, and nothing is stored', async () => {
  const p = await practice();
  const settings = async () => (await p.owner.get(`/practices/${p.f.practiceId}`)).body.settings;
  const before = await settings();
  for (const [autoApply, field] of [
    [{ intents: ['on_hold'], minConfidence: 'high' }, 'settings.ai.autoApply.minConfidence'],
    [{ intents: ['on_hold'], minConfidence: 7 }, 'settings.ai.autoApply.minConfidence'],
    [{ intents: ['approve'], minConfidence: 0.9 }, 'settings.ai.autoApply.intents.0'],
    [{ intents: [], minConfidence: 0.9 }, 'settings.ai.autoApply.intents'],
    [{ intents: ['on_hold'] }, 'settings.ai.autoApply.minConfidence'],
    [{ intents: ['on_hold'], minConfidence: 0.9, everything: true }, 'settings.ai.autoApply.everything'],
  ] as const) {
    const r = await p.owner.patch(`/practices/${p.f.practiceId}`, { settings: { theme: 'dark', ai: { autoApply } } });
    expect({ autoApply, status: r.status, code: r.body.error?.code, field: r.body.error?.details?.[0]?.field }).toEqual({ autoApply, status: 400, code: 'validation_failed', field });
  }
  expect((await p.owner.patch(`/practices/${p.f.practiceId}`, { settings: { ai: 'on' } })).body.error.details[0].field).toBe('settings.ai');
  expect(await settings()).toEqual(before);
  // Valid, or absent: stored as sent.
  const ok = await p.owner.patch(`/practices/${p.f.practiceId}`, { settings: { theme: 'dark', ai: { autoApply: { intents: ['on_hold', 'resume'], minConfidence: 0.95 } } } });
  expect(ok.status).toBe(200);
  expect((await p.owner.patch(`/practices/${p.f.practiceId}`, { settings: { theme: 'light', ai: {} } })).status).toBe(200);
});

test('auto-apply is opt-in per practice and intent; it acts as the sender, so the workflow still checks the role', async () => {
  const p = await practice();
  const optIn = await p.owner.patch(`/practices/${p.f.practiceId}`, { settings: { ai: { autoApply: { intents: ['on_hold', 'resume'], minConfidence: 0.9 } } } });
  expect(optIn.status).toBe(200);
  const id = await newCase(p);
  await awaiting(id, 'Records review');

  // A technician may not hold a case: the proposal stays for a person, with the refusal noted.
  const byTech = await p.technician.post(`/cases/${id}/messages`, { content: 'please put the case on hold, the patient is travelling' });
  expect(byTech.body.proposal).toMatchObject({ action: 'hold', status: 'pending', outcome: expect.stringMatching(/auto-apply refused/) });
  await p.owner.post(`/cases/${id}/proposals/${byTech.body.proposal.id}/dismiss`, {});

  const byDoctor = await p.doctor.post(`/cases/${id}/messages`, { content: 'please put the case on hold, patient is pregnant' });
  expect(byDoctor.status).toBe(201);
  expect(byDoctor.body.proposal).toMatchObject({ action: 'hold', status: 'auto_applied', decidedBy: p.f.members.doctor });
  const held = (await statesOf(id)).find((s) => s.to_state === 'on_hold');
  expect(held).toMatchObject({ changed_by: p.f.members.doctor });
  expect((held!.metadata as { evidence: { mode: string; messageId: string } }).evidence).toMatchObject({ mode: 'auto_applied', messageId: byDoctor.body.id });

  // Cancel is not opted in: proposed, not applied.
  const cancel = await p.doctor.post(`/cases/${id}/messages`, { content: 'please cancel this case, the patient moved away' });
  expect(cancel.body.proposal).toMatchObject({ action: 'cancel', status: 'pending' });
  expect((await env.h.database.system.selectFrom('cases').select('current_state').where('id', '=', id).executeTakeFirstOrThrow()).current_state).toBe('on_hold');
});
