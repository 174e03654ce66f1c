/**
 * Notifications benchmark (issue 11 §4): what the outbox costs the case's hot path, and what
 * exactly-once sending costs over a bare SMTP send, each side by side with its baseline,
 * interleaved ABAB in one run on an ephemeral PostgreSQL and a loopback SMTP server started here.
 *
 *   (a) persisting a case event: an approval request (message + awaiting task + outbox row) vs
 *       the same event as a status update (no outbox row), one transaction each
 *   (b) sending: the sendNotification activity (lock the delivery, compose, SMTP, mark sent, in
 *       one transaction) vs nodemailer's sendMail of the same email alone, to the same server
 *   (c) fan-out: events expanded into deliveries (a practice with 5 doctors), per event
 *
 * A measurement, not a test: nothing here asserts a timing.
 *
 *   npm run bench:notifications -- --events 400 --sends 200
 */
import { mkdtempSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { MockActivityEnvironment } from '@temporalio/testing';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../src/config';
import { createDatabase } from '../src/db/database';
import { migrate } from '../src/db/migrate';
import { addMember, createPatient, createPractice, createProfile } from '../src/repositories/identity.repository';
import { persist } from '../src/repositories/case-events.repository';
import { fanOutEvents, pendingDeliveryIds } from '../src/repositories/notifications.repository';
import { createNotificationActivities, smtpTransport } from '../src/activities/notification.activities';
import type { CaseEvent } from '../src/workflows/case.events';
import { startEmbeddedPostgres } from '../scripts/lib/embedded-postgres';

const { values: opt } = parseArgs({ options: { events: { type: 'string', default: '400' }, sends: { type: 'string', default: '200' } } });
const n = (k: keyof typeof opt) => {
  const v = Number(opt[k]);
  if (!Number.isInteger(v) || v < 2) throw new Error(`--${k} must be an integer of at least 2`);
  return v;
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;
const fmt = (x: number) => x.toFixed(2);

async function main(): Promise<void> {
  const smtp = new SMTPServer({ authOptional: true, hideSTARTTLS: true, logger: false, disableReverseLookup: true, onData: (s, _x, cb) => s.on('end', () => cb()).resume() });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  const port = (smtp.server.address() as AddressInfo).port;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mdw-notify-bench-'));
  const pg = await startEmbeddedPostgres({ dataDir: dir, database: 'mdw_notify_bench', ephemeral: true });
  const database = createDatabase(pg.url, 4);
  const config = loadConfig({ DATABASE_URL: pg.url, SMTP_HOST: '127.0.0.1', SMTP_PORT: String(port), SMTP_FROM: 'MDW <bench@mdw.invalid>' });
  try {
    await migrate(pg.url);
    const db = database.system;
    const practiceId = await createPractice(db, { name: 'Bench practice' });
    for (let i = 0; i < 5; i++) {
      const doctor = await createProfile(db, { email: `bench-doctor-${i}@bench.mdw`, firstName: 'Bench', lastName: `Doctor${i}`, role: 'doctor' });
      await addMember(db, practiceId, doctor, 'doctor');
    }
    const patient = await createPatient(db, { practiceId, email: 'bench-patient@bench.mdw', firstName: 'Bench', lastName: 'Patient' });
    const caseId = (
      await db.insertInto('cases').values({ practice_id: practiceId, patient_id: patient.id, case_number: 'C-BENCH', title: 'Bench case', case_type: 'active_treatment' }).returning('id').executeTakeFirstOrThrow()
    ).id;

    // (a) the hot path
    const event = (i: number, notify: boolean): CaseEvent => ({
      key: `bench-${randomUUID()}/${i}`,
      caseId,
      practiceId,
      at: new Date().toISOString(),
      actorId: '00000000-0000-0000-0000-000000000001',
      workflowId: 'bench',
      runId: 'bench',
      taskId: 'approval',
      message: { type: notify ? 'approval_request' : 'status_update', subject: 'Doctor approval: awaiting doctor', content: 'Task "Doctor approval" is waiting.', metadata: { taskId: 'approval', roles: ['doctor'] } },
      awaiting: { seq: i + 1, priority: 'medium', tasks: [{ taskId: 'approval', name: 'Doctor approval', kind: 'decision', roles: ['doctor'], dueAt: null, overdue: false }] },
    });
    const hot = { outbox: [] as number[], baseline: [] as number[] };
    const events = n('events');
    for (let i = 0; i < events * 2 + 20; i++) {
      const notify = i % 2 === 0;
      const t0 = performance.now();
      await db.transaction().execute((trx) => persist(trx, event(i, notify)));
      const ms = performance.now() - t0;
      if (i >= 20) (notify ? hot.outbox : hot.baseline).push(ms); // the first 20: warm-up
    }

    // (c) fan-out of the recorded events (each: 5 doctors)
    const outboxed = await db.selectFrom('notification_events').select((eb) => eb.fn.countAll<string>().as('n')).where('fanned_out_at', 'is', null).executeTakeFirstOrThrow();
    const f0 = performance.now();
    let handled = 0;
    for (let k; (k = await fanOutEvents(db, { limit: 100, maxAgeMs: 3600_000 })) > 0; ) handled += k;
    const fanMs = performance.now() - f0;

    // (b) sending, ABAB: the activity (exactly once) vs a bare sendMail
    const acts = createNotificationActivities({ db, config });
    const env = new MockActivityEnvironment({ attempt: 1 });
    const bare = smtpTransport(config)!;
    const ids = await pendingDeliveryIds(db, n('sends'));
    const send = { activity: [] as number[], bare: [] as number[] };
    for (let i = 0; i < ids.length; i++) {
      let t0 = performance.now();
      await env.run(acts.sendNotification, ids[i]!);
      send.activity.push(performance.now() - t0);
      t0 = performance.now();
      await bare.sendMail({ from: config.SMTP_FROM, to: 'bench-doctor-0@bench.mdw', subject: '[MDW] Approval requested: case C-BENCH - Doctor approval', text: 'Open the case: http://127.0.0.1:3000/cases/x' });
      send.bare.push(performance.now() - t0);
    }

    const row = (name: string, a: number[], b: number[]) =>
      `| ${name} | ${fmt(median(a))} / ${fmt(p95(a))} | ${fmt(median(b))} / ${fmt(p95(b))} | ${(median(a) / median(b)).toFixed(2)}× |`;
    console.log(`\nNotifications benchmark: ${events} events per side, ${ids.length} sends per side (ms, median / p95)\n`);
    console.log('| what | with | baseline | ratio (median) |');
    console.log('| --- | --- | --- | --- |');
    console.log(row('(a) persist a case event: approval request + outbox row vs status update', hot.outbox, hot.baseline));
    console.log(row('(b) send one email: activity (lock, send, mark sent) vs bare sendMail', send.activity, send.bare));
    console.log(`\n(c) fan-out: ${handled} of ${outboxed.n} events into ${handled * 5} deliveries in ${fanMs.toFixed(0)} ms (${(fanMs / Math.max(1, handled)).toFixed(2)} ms per event)`);
    bare.close();
  } finally {
    await database.destroy();
    pg.stop();
    await new Promise<void>((r) => smtp.close(() => r()));
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
