/**
 * The API's requests log in as mdw_authenticator (migration 0017), which can become only anon or
 * authenticated: SQL inside an actor's transaction cannot leave the actor's role, so RLS does not
 * rest on there never being an SQL injection.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { AUTHENTICATOR_ROLE, createDatabase, type Database, type Tx } from '../../src/db/database';
import { checkAuthenticator } from '../../src/db/preflight';
import { testEnv } from '../support/env';
import { createPracticeFixture, type PracticeFixture } from '../support/fixtures';

let database: Database;
let a: PracticeFixture;
let b: PracticeFixture;

beforeAll(async () => {
  const env = testEnv();
  database = createDatabase(env.databaseUrl, 2, { authenticatorUrl: env.authenticatorUrl });
  a = await createPracticeFixture(database.system, 'Authenticator A');
  b = await createPracticeFixture(database.system, 'Authenticator B');
});
afterAll(() => database.destroy());

/** Runs `escape` and then `after` in one transaction of a member of A; the first error, or the rows. */
async function inActorTx(escape: string, after = 'select current_user::text as who'): Promise<{ rows?: unknown[]; code?: string; message?: string }> {
  try {
    const rows = await database.asActor({ sub: a.members.doctor }, async (trx: Tx) => {
      await sql.raw(escape).execute(trx);
      return (await sql.raw(after).execute(trx)).rows;
    });
    return { rows };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { code: e.code, message: e.message };
  }
}

test('actor transactions log in as mdw_authenticator: no superuser, no BYPASSRLS, no inheritance', async () => {
  const r = await database.asActor({ sub: a.members.doctor }, (trx) =>
    sql<{ session: string; current: string; rolsuper: boolean; rolbypassrls: boolean; rolinherit: boolean; service: boolean }>`
      select session_user::text as session, current_user::text as current, r.rolsuper, r.rolbypassrls, r.rolinherit,
             pg_has_role(session_user, 'service_role', 'MEMBER') as service
      from pg_roles r where r.rolname = session_user`.execute(trx),
  );
  expect(r.rows[0]).toEqual({ session: AUTHENTICATOR_ROLE, current: 'authenticated', rolsuper: false, rolbypassrls: false, rolinherit: false, service: false });
});

test('SET ROLE service_role, SET ROLE postgres and SET SESSION AUTHORIZATION fail inside an actor transaction', async () => {
  for (const escape of ['set role service_role', 'set local role service_role', 'set role postgres', "select set_config('role', 'service_role', true)", 'set session authorization postgres']) {
    const r = await inActorTx(escape);
    expect({ escape, code: r.code }).toEqual({ escape, code: '42501' });
    expect(r.message).toMatch(/permission denied to set (role|session authorization)/);
  }
});

test('RESET ROLE inside an actor transaction lands on anon, which may read nothing', async () => {
  expect(await inActorTx('reset role')).toEqual({ rows: [{ who: 'anon' }] });
  const read = await inActorTx('reset role', `select count(*)::int as n from patients where practice_id = '${b.practiceId}'`);
  expect(read.code).toBe('42501');
  expect(read.message).toMatch(/permission denied for table patients/);
  // Becoming the login role itself gains nothing either: it inherits no privileges.
  const login = await inActorTx(`set role ${AUTHENTICATOR_ROLE}`, 'select count(*)::int as n from cases');
  expect(login.code).toBe('42501');
});

test('RLS still holds on that connection: A sees its patient, not B’s', async () => {
  const seen = await database.asActor({ sub: a.members.doctor }, (trx) =>
    trx.selectFrom('patients').select('practice_id').where('id', 'in', [a.patientId, b.patientId]).execute(),
  );
  expect(seen.map((p) => p.practice_id)).toEqual([a.practiceId]);
});

test('the session outside any actor transaction is anon', async () => {
  const client = await database.actorPool.connect();
  try {
    expect((await client.query('select current_user::text as who')).rows).toEqual([{ who: 'anon' }]);
  } finally {
    client.release();
  }
});

test('start-up refuses an authenticator URL that logs in as a privileged role, and accepts mdw_authenticator', async () => {
  await expect(checkAuthenticator(testEnv().databaseUrl)).rejects.toThrow(/DATABASE_AUTHENTICATOR_URL logs in as postgres, which is or can become .*postgres.*: point it at the role mdw_authenticator/);
  await expect(checkAuthenticator(testEnv().authenticatorUrl)).resolves.toBeUndefined();
});

test('the migration refuses an mdw_authenticator that was made a member of service_role', async () => {
  const admin = new pg.Client({ connectionString: testEnv().databaseUrl });
  await admin.connect();
  try {
    const migration = readFileSync(path.resolve(__dirname, '..', '..', 'db', 'migrations', '0017_authenticator_role.sql'), 'utf8');
    await admin.query('begin');
    await admin.query(`grant service_role to ${AUTHENTICATOR_ROLE}`);
    await expect(admin.query(migration)).rejects.toThrow(/role mdw_authenticator is or can become service_role/);
  } finally {
    await admin.query('rollback').catch(() => undefined);
    await admin.end();
  }
});
