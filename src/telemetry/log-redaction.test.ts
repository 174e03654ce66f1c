import { inspect } from 'node:util';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger, LogTimestamp, type LogEntry } from '@temporalio/worker';
import { DatabaseError } from 'pg';
import { createErrorRedactor, RedactingLogger } from './log-redaction';
import { MigrationError, migrationFailureLine } from '../db/migrate';
import { createLogger } from '../api/logger';

const NAME = 'Zelda Quinterra';
const EMAIL = 'zelda.quinterra@patients.test';
const KEYS = 'k1:TY+9OhjnIV01y4bL0PVTh47rOaiy51P9gI3/IXozGyo=';
const OTHER_KEYS = 'k2:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

const smtpError = () => Object.assign(new Error(`550 5.1.1 <${EMAIL}>: mailbox of ${NAME} unavailable`), { code: 'EENVELOPE', responseCode: 550, response: `550 <${EMAIL}>` });
const shown = (v: unknown) => inspect(v, { depth: 10 }) + JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x));

test('an error in log metadata becomes class, code, status and a keyed hash; nothing of its text remains', () => {
  const r = createErrorRedactor({ payloadKeys: KEYS });
  const meta = r.meta({ error: smtpError(), durationMs: 3, workflowId: 'case-p-1', activityType: 'manufacture' });
  expect(shown(meta)).not.toContain('Zelda');
  expect(shown(meta)).not.toContain(EMAIL);
  expect(meta).toEqual({ error: { fingerprint: expect.stringMatching(/^Error#[0-9a-f]{10}$/), code: 'EENVELOPE', status: 550 }, durationMs: 3, workflowId: 'case-p-1', activityType: 'manufacture' });
  // Stable: the same failure on every attempt (and in every process sharing the key) has one fingerprint…
  const again = r.meta({ error: smtpError() });
  expect(again.error).toEqual(meta.error);
  // …another message another one, and another key another one (a guess cannot be confirmed without it).
  expect((r.meta({ error: new Error('550 mailbox of someone else unavailable') }).error as { fingerprint: string }).fingerprint).not.toBe((meta.error as { fingerprint: string }).fingerprint);
  expect((createErrorRedactor({ payloadKeys: OTHER_KEYS }).meta({ error: smtpError() }).error as { fingerprint: string }).fingerprint).not.toBe((meta.error as { fingerprint: string }).fingerprint);
});

test('failure types, causes, error text under error keys, and errors from another realm are covered; symbols survive', () => {
  const r = createErrorRedactor({ payloadKeys: KEYS });
  const failure = ApplicationFailure.nonRetryable(`patient ${NAME} refused`, 'SmtpRejected');
  const wrapped = new Error('hook failed', { cause: smtpError() });
  // What a structured clone (the workflow sandbox's log sink) makes of an error: no prototype of ours.
  const cloned = { name: 'TypeError', message: `cannot read ${EMAIL}`, stack: `TypeError: cannot read ${EMAIL}\n    at x (/w.js:1:1)` };
  const ts = 123n;
  const meta = r.meta({ failure, wrapped, nested: { list: [cloned] }, error: `Error: ${NAME} <${EMAIL}>`, caseId: 'c1', [LogTimestamp]: ts });
  expect(shown(meta)).not.toMatch(/Zelda|zelda/);
  expect(meta.failure).toMatchObject({ fingerprint: expect.stringMatching(/^ApplicationFailure#/), type: 'SmtpRejected', nonRetryable: true });
  expect(meta.wrapped).toMatchObject({ fingerprint: expect.stringMatching(/^Error#/), cause: { code: 'EENVELOPE', status: 550 } });
  expect(meta.nested).toEqual({ list: [{ fingerprint: expect.stringMatching(/^TypeError#/) }] });
  expect(meta.error).toEqual({ fingerprint: expect.stringMatching(/^text#[0-9a-f]{10}$/) });
  expect(meta.caseId).toBe('c1');
  expect(meta[LogTimestamp]).toBe(ts);
});

test("a message the SDK built from an error's text loses that text; Core's records keep ids and their own wording only", () => {
  const r = createErrorRedactor({ payloadKeys: KEYS });
  const err = smtpError();
  const msg = r.message(`Error while processing ActivityTask.start: ${err.message}`, { error: err });
  expect(msg).toMatch(/^Error while processing ActivityTask\.start: Error#[0-9a-f]{10}$/);

  const core = { sdkComponent: 'core', target: 'temporalio_sdk_core::worker::workflow', runId: 'run-1', workflow_id: 'case-p-1', failure: `Failure { message: "${NAME}", stack_trace: "" }`, attempt: 2 };
  const out = r.meta(core);
  expect(out).toEqual({ ...core, failure: { fingerprint: expect.stringMatching(/^text#/) } });
  expect(r.message('Failing workflow task', core)).toBe('Failing workflow task');
  expect(r.message(`Error when recording heartbeat: ${EMAIL}`, core)).toMatch(/^Error when recording heartbeat: text#[0-9a-f]{10}$/);
});

test('LOG_ERROR_DETAIL=clear keeps the text (database values still redacted)', () => {
  const r = createErrorRedactor({ detail: 'clear', payloadKeys: KEYS });
  const meta = r.meta({ error: smtpError(), core: `${NAME}` });
  expect((meta.error as Error).message).toContain(NAME);
  expect(r.message(`x: ${EMAIL}`, { error: new Error(EMAIL) })).toBe(`x: ${EMAIL}`);
  expect(r.describe(smtpError())).toContain(EMAIL);
});

test('describe: one line for a CLI, naming the fingerprint and how to see the text', () => {
  const r = createErrorRedactor({ payloadKeys: KEYS });
  const line = r.describe(smtpError());
  expect(line).not.toContain('Zelda');
  expect(line).not.toContain('\n');
  expect(line).toMatch(/^Error#[0-9a-f]{10} \(code EENVELOPE\); .*LOG_ERROR_DETAIL=clear/);
  expect(r.describe(`thrown string ${NAME}`)).toMatch(/^text#[0-9a-f]{10}$/);
});

test('RedactingLogger: what reaches the downstream logger carries fingerprints', () => {
  const entries: LogEntry[] = [];
  const logger = new RedactingLogger(new DefaultLogger('TRACE', (e) => entries.push(e)), createErrorRedactor({ payloadKeys: KEYS }));
  logger.warn('Activity failed', { error: smtpError(), workflowId: 'case-p-1' });
  logger.error('Failed to process Workflow Activation', { error: new TypeError(`x of ${NAME}`), runId: 'r' });
  logger.info('plain');
  expect(entries.map((e) => [e.level, e.message])).toEqual([
    ['WARN', 'Activity failed'],
    ['ERROR', 'Failed to process Workflow Activation'],
    ['INFO', 'plain'],
  ]);
  expect(shown(entries)).not.toContain('Zelda');
  expect(entries[1]!.meta).toMatchObject({ error: { fingerprint: expect.stringMatching(/^TypeError#/) }, runId: 'r' });
});

test("the migration CLI's last line: our words kept, a database error without its values, anything else withheld", () => {
  const r = createErrorRedactor({ payloadKeys: KEYS });
  const describe = (e: unknown) => r.describe(e);
  const dbError = Object.assign(new DatabaseError(`invalid input syntax for type uuid: "${NAME}"`, 0, 'error'), { code: '22P02', severity: 'ERROR' });
  expect(migrationFailureLine(new MigrationError('migration 0078_x.sql failed', dbError), describe)).toMatch(
    /^migration 0078_x\.sql failed: invalid input syntax for type uuid: \[redacted\] \(SQLSTATE 22P02, error#[0-9a-f]{10}\); .*LOG_ERROR_DETAIL=clear/,
  );
  const changed = new MigrationError('migration 0001_a.sql was changed after it was applied (as 0001_b.sql); migrations are forward-only: revert the edit and add a new migration');
  expect(migrationFailureLine(changed, describe)).toBe(changed.summary);
  const other = migrationFailureLine(new Error(`hook said ${EMAIL}`), describe);
  expect(other).toMatch(/^migration failed: Error#[0-9a-f]{10}; /);
  expect(other).not.toContain(EMAIL);
});

test("the API's logger: an error passed alone, or quoted in the line's message, is fingerprinted", () => {
  const lines: string[] = [];
  const log = createLogger('info', { service: 'test' }, { write: (l: string) => void lines.push(l) }, createErrorRedactor({ payloadKeys: KEYS }));
  const err = smtpError();
  log.error(err);
  log.warn({ err, caseId: 'c1' }, `send failed: ${err.message}`);
  expect(lines.join('\n')).not.toContain('Zelda');
  expect(lines.join('\n')).not.toContain(EMAIL);
  const [first, second] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(first).toMatchObject({ err: { fingerprint: r(err), code: 'EENVELOPE', status: 550 } });
  expect(second).toMatchObject({ caseId: 'c1', msg: `send failed: ${r(err)}`, err: { fingerprint: r(err) } });
  function r(e: Error): string {
    return createErrorRedactor({ payloadKeys: KEYS }).fingerprint(e).fingerprint;
  }
});
