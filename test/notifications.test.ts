/**
 * Email notifications (issue 11 §4) end to end: the real worker sends over SMTP to a real SMTP
 * server on loopback (smtp-server), which records what it accepted. Approval requests, overdue,
 * escalations and holds arrive once each with a link and no PHI in the subject; preferences
 * off → nothing, digest → one daily digest; a server that rejects → a failure admins see, with
 * the case workflow going on; a worker killed mid-send → every email still exactly once.
 *
 * One file on purpose: the dispatcher sends every pending delivery of the shared database to
 * this file's SMTP server, so two such files running side by side would take each other's mail.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type express from 'express';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { createApp } from '../src/api/server';
import { recordRisk } from '../src/repositories/case-risk.repository';
import { startWorker } from '../src/worker/worker';
import { clearAlignerTemplate } from '../src/seed/templates';
import { holdUpdate } from '../src/workflows/case.messages';
import { notificationDigestWorkflow, notificationDispatcherWorkflowId } from '../src/workflows/notification.workflow';
import { createHarness, type Harness } from './support/harness';
import { createPracticeFixture, createTemplate, type PracticeFixture } from './support/fixtures';
import { as, caseDriver, recordHistory } from './support/case-driver';
import { waitFor } from './support/wait';
import { call, loadContract, tokenFor } from './api/support';
import { spawnWorkerProcess } from './support/worker-process';
import { setupAndTeardown } from './support/lifecycle';

interface Received {
  to: string;
  subject: string;
  text: string;
  messageId: string;
  deliveryId: string;
}

/** What the SMTP server does with the next messages. */
let behaviour: 'accept' | 'reject' | 'tempfail' | 'hold' = 'accept';
/** 'hold' applies to this recipient's next message only (other files' mail may pass by). */
let holdRecipient = '';
/** 'tempfail' applies to this recipient's next message only: a leftover delivery of an earlier test once took it. */
let tempfailRecipient = '';
const received: Received[] = [];
let onHeld: (() => void) | null = null;
/** Messages whose reply is held, by session: accepted only if the reply goes out. */
const held = new Map<string, { mail: Received; accept: () => void }>();

const smtp = new SMTPServer({
  authOptional: true,
  hideSTARTTLS: true,
  logger: false,
  disableReverseLookup: true,
  onRcptTo(address, _session, cb) {
    if (behaviour === 'reject') return cb(Object.assign(new Error('5.1.1 Mailbox unavailable'), { responseCode: 550 }));
    if (behaviour === 'tempfail' && address.address === tempfailRecipient) {
      behaviour = 'accept';
      return cb(Object.assign(new Error('4.3.0 Try again later'), { responseCode: 451 }));
    }
    cb();
  },
  onData(stream, session, cb) {
    simpleParser(stream)
      .then((m) => {
        const mail: Received = {
          to: session.envelope.rcptTo.map((r) => r.address).join(','),
          subject: m.subject ?? '',
          text: m.text ?? '',
          messageId: m.messageId ?? '',
          deliveryId: String(m.headers.get('x-mdw-delivery') ?? ''),
        };
        if (behaviour === 'hold' && mail.to === holdRecipient) {
          // The reply is held: a real MTA takes responsibility for a message only once it has
          // answered 250, so a client that dies before the answer has not delivered it.
          behaviour = 'accept';
          held.set(session.id, { mail, accept: () => (received.push(mail), cb()) });
          onHeld?.();
          return;
        }
        received.push(mail);
        cb();
      })
      .catch(cb);
  },
  onClose(session) {
    held.delete(session.id);
  },
});

let h: Harness;
let app: express.Express;
let port: number;
let templateFast: string;
let templateSlow: string;
const d = () => caseDriver(h);

const notifyConfig = () => ({
  SMTP_HOST: '127.0.0.1',
  SMTP_PORT: String(port),
  SMTP_FROM: 'MDW <no-reply@mdw.example.test>',
  APP_PUBLIC_URL: 'https://mdw.example.test',
  NOTIFY_POLL_MS: '200',
  NOTIFY_SEND_TIMEOUT_MS: '5000',
  NOTIFY_MAX_ATTEMPTS: '3',
});

const doctorApproval = (name: string, estimatedMinutes: number) =>
  clearAlignerTemplate({
    name,
    tasks: [
      { key: 'intake', name: 'Case intake', order: 10, functionType: 'submit', autoTransition: true, after: [] },
      { key: 'approval', name: 'Doctor approval', order: 20, functionType: 'approve', requiredRoles: ['doctor'], estimatedMinutes, category: 'review' },
    ],
  });

const mailTo = (email: string) => received.filter((m) => m.to === email);
const emailOf = async (profileId: string) => (await h.database.system.selectFrom('profiles').select('email').where('id', '=', profileId).executeTakeFirstOrThrow()).email;
const patientName = async (f: PracticeFixture) =>
  h.database.system.selectFrom('patients as pt').innerJoin('profiles as p', 'p.id', 'pt.profile_id').select(['p.first_name', 'p.last_name']).where('pt.id', '=', f.patientId).executeTakeFirstOrThrow();

setupAndTeardown(async () => {
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  port = (smtp.server.address() as AddressInfo).port;
  h = await createHarness({ worker: false, config: notifyConfig() });
  // Events other test files recorded before this one started are not this file's to send.
  await h.database.system.updateTable('notification_events').set({ fanned_out_at: new Date() }).where('fanned_out_at', 'is', null).execute();
  app = createApp({ config: h.config, database: h.database, temporal: h.client, cases: h.cases });
  await loadContract(app);
  templateFast = await createTemplate(h.database.system, doctorApproval(`Notify fast ${randomUUID().slice(0, 8)}`, 0.02));
  templateSlow = await createTemplate(h.database.system, doctorApproval(`Notify slow ${randomUUID().slice(0, 8)}`, 600));
}, [() => h?.close(), () => new Promise<void>((resolve) => smtp.close(() => resolve()))]);
// Test files share one database, and this file's dispatcher is the only one that sends (the only one
// with an SMTP server): the events other files recorded since the last test would be expanded and
// sent, oldest first, ahead of this test's own. A clean-clone run once waited 60 s for a first email
// behind them. Each test starts with no one else's backlog; events recorded later queue behind its own.
beforeEach(async () => {
  await h.database.system.updateTable('notification_events').set({ fanned_out_at: new Date() }).where('fanned_out_at', 'is', null).execute();
});

describe('with an in-process worker', () => {
  beforeAll(async () => {
    h.worker = await startWorker({ config: h.config, databaseUrl: h.config.DATABASE_URL!, workflowBundlePath: process.env.MDW_TEST_WORKFLOW_BUNDLE, notifications: true });
  });
  afterAll(async () => {
    await h.worker?.stop();
    h.worker = null;
  });
  beforeEach(() => {
    behaviour = 'accept';
  });

  test('approval request, overdue, escalation and hold arrive once each, linked, with no PHI in the subject', async () => {
    const f = await createPracticeFixture(h.database.system);
    const [doctor, owner, admin] = await Promise.all([emailOf(f.members.doctor), emailOf(f.members.owner), emailOf(f.members.admin)]);
    const { handle, caseId } = await d().startCase(f, templateFast);
    const caseRow = await h.database.system.selectFrom('cases').select(['case_number', 'title']).where('id', '=', caseId).executeTakeFirstOrThrow();

    // Approval (1×) → overdue (due after 1.2 s) → escalation to the leads (2×).
    await waitFor(async () => [mailTo(doctor).length, mailTo(owner).length, mailTo(admin).length] as const, ([dr, o, a]) => dr >= 2 && o >= 1 && a >= 1, 30_000, 'approval, overdue, escalation');
    await handle.executeUpdate(holdUpdate, { args: [{ actor: as(f, 'owner'), reason: 'Waiting for new scans of the patient' }] });
    await waitFor(async () => [mailTo(doctor).length, mailTo(admin).length] as const, ([dr, a]) => dr >= 3 && a >= 2, 30_000, 'the hold emails');
    await new Promise((r) => setTimeout(r, 1_000)); // anything extra would arrive now

    const subjects = (email: string) => mailTo(email).map((m) => m.subject).sort();
    const n = caseRow.case_number;
    expect(subjects(doctor)).toEqual([`[MDW] Approval requested: case ${n} - Doctor approval`, `[MDW] On hold, waiting for the practice: case ${n}`, `[MDW] Overdue: case ${n} - Doctor approval`].sort());
    expect(subjects(owner)).toEqual([`[MDW] Escalated: case ${n} - Doctor approval`]); // not told about their own hold
    expect(subjects(admin)).toEqual([`[MDW] Escalated: case ${n} - Doctor approval`, `[MDW] On hold, waiting for the practice: case ${n}`].sort());
    for (const email of [f.members.technician, f.members.assistant]) expect(mailTo(await emailOf(email))).toEqual([]);

    const pt = await patientName(f);
    for (const m of [...mailTo(doctor), ...mailTo(owner), ...mailTo(admin)]) {
      expect(m.text).toContain(`https://mdw.example.test/cases/${caseId}`);
      for (const phi of [pt.first_name, pt.last_name, caseRow.title, 'scans of the patient']) {
        expect(m.subject).not.toContain(phi);
        expect(m.text).not.toContain(phi);
      }
      expect(m.messageId).toBe(`<${m.deliveryId}@mdw.example.test>`);
    }
    const rows = await h.database.system.selectFrom('notification_deliveries').select(['status', 'attempts']).where('case_id', '=', caseId).execute();
    expect(rows).toHaveLength(6);
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
  }, 90_000);

  test('preferences: off sends nothing, digest holds the item for the daily digest; bad input names the field', async () => {
    const f = await createPracticeFixture(h.database.system);
    const doctor = await emailOf(f.members.doctor);
    const token = await tokenFor(h.config, f.members.doctor);
    expect((await call(app, 'get', '/profiles/me/notification-preferences', { token })).body).toEqual({ approval_request: 'on', at_risk: 'on', overdue: 'on', escalation: 'on', on_hold: 'on' });

    for (const [body, field] of [[{ approval_request: 'sometimes', overdue: 'off' }, 'approval_request'], [{ paging: 'on', overdue: 'off' }, 'paging']] as const) {
      const bad = await call(app, 'put', '/profiles/me/notification-preferences', { token, body });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details.map((x: { field: string }) => x.field)).toEqual([field]);
    }
    expect((await call(app, 'get', '/profiles/me/notification-preferences', { token })).body.overdue).toBe('on'); // nothing written

    const put = await call(app, 'put', '/profiles/me/notification-preferences', { token, body: { approval_request: 'off', overdue: 'digest' } });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ approval_request: 'off', at_risk: 'on', overdue: 'digest', escalation: 'on', on_hold: 'on' });

    const { caseId } = await d().startCase(f, templateFast);
    // The escalation (on) reaches the owner last; by then the doctor's events are expanded.
    await waitFor(async () => mailTo(await emailOf(f.members.owner)).length, (x) => x >= 1, 30_000, 'the escalation');
    const events = await h.database.system.selectFrom('notification_events').select(['kind', 'fanned_out_at']).where('case_id', '=', caseId).execute();
    expect(events.map((e) => e.kind).sort()).toEqual(['approval_request', 'escalation', 'overdue']);
    expect(events.every((e) => e.fanned_out_at !== null)).toBe(true);
    const mine = await h.database.system.selectFrom('notification_deliveries').select(['kind', 'status']).where('recipient_id', '=', f.members.doctor).execute();
    expect(mine).toEqual([{ kind: 'overdue', status: 'digest_pending' }]);
    expect(mailTo(doctor)).toEqual([]);

    // The daily digest (its Schedule runs this workflow once a day).
    await h.client.workflow.execute(notificationDigestWorkflow, { workflowId: `notification-digest-test-${randomUUID()}`, taskQueue: h.taskQueue });
    const digest = await waitFor(async () => mailTo(doctor), (m) => m.length >= 1, 20_000, 'the digest');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(mailTo(doctor)).toHaveLength(1);
    const caseNumber = (await h.database.system.selectFrom('cases').select('case_number').where('id', '=', caseId).executeTakeFirstOrThrow()).case_number;
    expect(digest[0]!.subject).toBe('[MDW] Daily digest: 1 notification');
    expect(digest[0]!.text).toContain(`Overdue: case ${caseNumber} - Doctor approval`);
    expect(digest[0]!.text).toContain(`https://mdw.example.test/cases/${caseId}`);
    const after = await h.database.system.selectFrom('notification_deliveries').select(['kind', 'status']).where('recipient_id', '=', f.members.doctor).orderBy('kind').execute();
    expect(after).toEqual([{ kind: 'digest', status: 'sent' }, { kind: 'overdue', status: 'digested' }]);
    // A second run has nothing left to send to this doctor.
    await h.client.workflow.execute(notificationDigestWorkflow, { workflowId: `notification-digest-test-${randomUUID()}`, taskQueue: h.taskQueue });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(mailTo(doctor)).toHaveLength(1);
  }, 90_000);

  test('a server that rejects: the failure is listed for admins, the case and the dispatcher go on', async () => {
    behaviour = 'reject';
    const f = await createPracticeFixture(h.database.system);
    const { handle, caseId } = await d().startCase(f, templateSlow);
    const failed = await waitFor(
      () => h.database.system.selectFrom('notification_deliveries').select(['status', 'last_error', 'attempts']).where('case_id', '=', caseId).execute(),
      (rows) => rows.length === 1 && rows[0]!.status === 'failed',
      30_000,
      'the delivery to fail',
    );
    expect(failed[0]!.last_error).toMatch(/^SMTP 550/);
    expect(failed[0]!.attempts).toBe(1); // a 5xx is not retried

    const owner = await tokenFor(h.config, f.members.owner);
    const list = await call(app, 'get', `/notifications/failures?practiceId=${f.practiceId}`, { token: owner });
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({ kind: 'approval_request', caseId, practiceId: f.practiceId, recipientId: f.members.doctor, attempts: 1, error: expect.stringMatching(/^SMTP 550/) }),
    ]);
    const other = await createPracticeFixture(h.database.system);
    const otherOwner = await tokenFor(h.config, other.members.owner);
    expect((await call(app, 'get', `/notifications/failures?practiceId=${f.practiceId}`, { token: otherOwner })).body.items).toEqual([]);
    expect((await call(app, 'get', '/notifications/failures', { token: await tokenFor(h.config, f.members.doctor) })).status).toBe(403);

    // The case is untouched: its approval still decides, and it completes.
    behaviour = 'accept';
    await d().decide(handle, 'Doctor approval', as(f, 'doctor'));
    expect((await handle.result()).status).toBe('completed');
    const dispatcher = await h.client.workflow.getHandle(notificationDispatcherWorkflowId(h.taskQueue)).describe();
    expect(dispatcher.status.name).toBe('RUNNING');
  }, 90_000);

  test("at risk (lab-seat's recordCaseAtRisk): recorded with the risk event, mailed to whom it names, once", async () => {
    const f = await createPracticeFixture(h.database.system);
    const doctor = await emailOf(f.members.doctor);
    const { caseId, workflowId, handle } = await d().startCase(f, templateSlow);
    await waitFor(async () => mailTo(doctor).length, (x) => x >= 1, 30_000, 'the approval request');
    const v = await d().awaiting(handle, 'Doctor approval');
    const taskId = v.tasks.find((t) => t.name === 'Doctor approval')!.id;
    const event = {
      key: `${workflowId}/risk/1`,
      caseId,
      practiceId: f.practiceId,
      workflowId,
      at: new Date().toISOString(),
      level: 'pool' as const,
      previousLevel: 'at_risk' as const,
      seatDate: '2030-01-01',
      transitDays: 2,
      slackMinutes: 45,
      latestStart: null,
      taskIds: [taskId],
      notifyRoles: ['doctor' as const],
      notifyProfiles: [],
    };
    // What the activity does, twice (a retried activity): one event, one email.
    for (let i = 0; i < 2; i++) await h.database.system.transaction().execute((trx) => recordRisk(trx, event));
    const mails = await waitFor(async () => mailTo(doctor), (m) => m.length >= 2, 30_000, 'the at-risk email');
    await new Promise((r) => setTimeout(r, 1_000));
    const caseNumber = (await h.database.system.selectFrom('cases').select('case_number').where('id', '=', caseId).executeTakeFirstOrThrow()).case_number;
    expect(mailTo(doctor).map((m) => m.subject).sort()).toEqual([`[MDW] Approval requested: case ${caseNumber} - Doctor approval`, `[MDW] At risk: case ${caseNumber} - Doctor approval`]);
    expect(mails.find((m) => m.subject.includes('At risk'))!.text).toContain('escalated to the role pool');
  }, 60_000);

  test('a temporary failure (4xx) is retried and then sent once', async () => {
    const f = await createPracticeFixture(h.database.system);
    const doctor = await emailOf(f.members.doctor);
    tempfailRecipient = doctor;
    behaviour = 'tempfail';
    const { caseId } = await d().startCase(f, templateSlow);
    await waitFor(async () => mailTo(doctor).length, (x) => x >= 1, 30_000, 'the retried email');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(mailTo(doctor)).toHaveLength(1);
    const rows = await h.database.system.selectFrom('notification_deliveries').select(['status', 'attempts']).where('case_id', '=', caseId).execute();
    expect(rows).toEqual([{ status: 'sent', attempts: 2 }]);
    // The dispatcher's history so far (sends, a rejection, a retry, idle timers) replays in CI.
    await recordHistory(h.client.workflow.getHandle(notificationDispatcherWorkflowId(h.taskQueue)), 'notification-dispatcher');
  }, 60_000);
});

describe('with a worker process killed while it sends', () => {
  let child: ChildProcess | undefined;
  const spawnWorker = () => spawnWorkerProcess(h, notifyConfig());
  afterEach(() => child?.kill('SIGKILL'));

  test('every email arrives exactly once', async () => {
    behaviour = 'accept';
    const f = await createPracticeFixture(h.database.system);
    const doctor = await emailOf(f.members.doctor);
    child = await spawnWorker();
    // The second approval request's reply is held; the worker is killed while it waits for it.
    let sent = 0;
    const heldNow = new Promise<void>((resolve) => {
      onHeld = resolve;
    });
    const cases: string[] = [];
    for (let i = 0; i < 4; i++) {
      cases.push((await d().startCase(f, templateSlow)).caseId);
      if (i === 0) {
        await waitFor(async () => mailTo(doctor).length, (x) => x >= 1, 60_000, 'the first email');
        sent = mailTo(doctor).length;
        holdRecipient = doctor;
        behaviour = 'hold';
      }
    }
    await heldNow;
    child.kill('SIGKILL');
    child = await spawnWorker();

    const all = await waitFor(async () => mailTo(doctor), (m) => m.length >= 4, 120_000, 'all four emails');
    await new Promise((r) => setTimeout(r, 2_000));
    expect(sent).toBe(1);
    expect(mailTo(doctor)).toHaveLength(4);
    expect(new Set(all.map((m) => m.deliveryId)).size).toBe(4);
    const rows = await h.database.system.selectFrom('notification_deliveries').select(['case_id', 'status', 'attempts']).where('recipient_id', '=', f.members.doctor).execute();
    expect(rows.map((r) => r.case_id).sort()).toEqual([...cases].sort());
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    // The held one took a second attempt (the first died with its worker).
    expect(rows.map((r) => r.attempts).sort()).toEqual([1, 1, 1, 2]);
  }, 240_000);
});
