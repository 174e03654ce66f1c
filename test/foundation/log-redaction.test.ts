/**
 * Failing statements must not put their values (patient data) into the logs: not the bound
 * parameters PostgreSQL quotes into messages, not the row it echoes in `detail`.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createDatabase, type Database } from '../../src/db/database';
import { createLogger } from '../../src/api/logger';
import { createProfile } from '../../src/repositories/identity.repository';
import { redactError } from '../../src/db/redact';
import { testEnv } from '../support/env';
import { createPracticeFixture, type PracticeFixture } from '../support/fixtures';

let database: Database;
let f: PracticeFixture;
beforeAll(async () => {
  database = createDatabase(testEnv().databaseUrl, 2);
  f = await createPracticeFixture(database.system, 'Log redaction');
});
afterAll(() => database.destroy());

const SECRET = `Zelda Quinterra ${randomUUID().slice(0, 6)}`;

async function failure(run: () => Promise<unknown>): Promise<Error> {
  try {
    await run();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the statement to fail');
}

/** The API's logger writing into an array; returns the line logged for `err`. */
function logged(err: unknown): string {
  const lines: string[] = [];
  const log = createLogger('info', { service: 'test' }, { write: (l: string) => void lines.push(l) });
  log.child({ requestId: 'r1' }).error({ err }, 'unhandled error');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

test('a bound parameter that fails to parse (22P02) is not in the log line, and the line still says what failed', async () => {
  const err = await failure(() => sql`select ${SECRET}::uuid`.execute(database.system));
  expect(err.message).toContain(SECRET); // what PostgreSQL sends: the value is in the message
  const line = logged(err);
  expect(line).not.toContain(SECRET);
  expect(line).not.toContain('Zelda');
  const e = (JSON.parse(line) as { err: Record<string, unknown> }).err;
  expect(e).toMatchObject({ code: '22P02', message: 'invalid input syntax for type uuid: [redacted]', type: 'DatabaseError' });
  expect(e.where).toBeUndefined();
  expect(String(e.stack)).toMatch(/^error: invalid input syntax for type uuid: \[redacted\]\n/);
});

test('the row PostgreSQL echoes in detail (unique and not-null violations) is not in the log line', async () => {
  const email = `zelda-${randomUUID().slice(0, 6)}@patients.test`;
  await createProfile(database.system, { email, firstName: 'Zelda', lastName: SECRET, role: 'technician' });
  const dup = await failure(() => createProfile(database.system, { email: email.toUpperCase(), firstName: 'Zelda', lastName: SECRET, role: 'technician' }));
  expect((dup as { detail?: string }).detail).toContain(email);
  const dupLine = logged(dup);
  expect(dupLine.toLowerCase()).not.toContain(email);
  expect(JSON.parse(dupLine).err).toMatchObject({ code: '23505', constraint: expect.stringMatching(/^profiles_email/) });

  const notNull = await failure(() => sql`insert into patients (practice_id, patient_number, medical_history) values (${f.practiceId}, ${null}, ${JSON.stringify({ note: SECRET })})`.execute(database.system));
  expect((notNull as { detail?: string }).detail).toContain(SECRET);
  const line = logged(notNull);
  expect(line).not.toContain(SECRET);
  expect(JSON.parse(line).err).toMatchObject({ code: '23502', table: 'patients' });
});

test('a wrapped driver error (cause) is redacted too, and the original error is left untouched', async () => {
  const inner = await failure(() => sql`select ${SECRET}::int`.execute(database.system));
  const outer = new Error('activity failed', { cause: inner });
  const line = logged(outer);
  expect(line).not.toContain(SECRET);
  expect(line).toContain('invalid input syntax for type integer: [redacted]');
  expect(inner.message).toContain(SECRET);
  expect(redactError('not an error')).toBe('not an error');
});
