/**
 * Database.asActorStatement (session 8, GET /search in one round trip): BEGIN with the role and
 * claims, one statement and COMMIT sent together. It must be exactly asActor's RLS: the same
 * session and current role, the same claims, the same rows; and a failing statement must leave
 * nothing behind on the pooled connection (no open transaction, no role, no claims).
 */
import { sql } from 'kysely';
import { AUTHENTICATOR_ROLE, createDatabase, type Database } from '../../src/db/database';
import { sqlLiteral } from '../../src/repositories/search.repository';
import { testEnv } from '../support/env';
import { createPracticeFixture, type PracticeFixture } from '../support/fixtures';

let database: Database;
let a: PracticeFixture;
let b: PracticeFixture;

beforeAll(async () => {
  const env = testEnv();
  // One connection: the statement after a failure runs on the connection that failed.
  database = createDatabase(env.databaseUrl, 1, { authenticatorUrl: env.authenticatorUrl });
  a = await createPracticeFixture(database.system, 'Actor statement A');
  b = await createPracticeFixture(database.system, 'Actor statement B');
});
afterAll(() => database.destroy());

const WHO = `select session_user::text as session, current_user::text as current,
  current_setting('request.jwt.claims', true)::json ->> 'sub' as sub,
  (select array_agg(p.id::text order by p.id) from public.practices p) as practices,
  (select count(*) from public.patients)::int as patients`;

test('one round trip sees what asActor sees: role, claims and the practices RLS lets through', async () => {
  for (const member of [a.members.doctor, b.members.owner]) {
    const want = (await database.asActor({ sub: member }, (trx) => sql.raw(WHO).execute(trx))).rows;
    const got = await database.asActorStatement({ sub: member }, WHO);
    expect(got).toEqual(want);
    expect(got[0]).toMatchObject({ session: AUTHENTICATOR_ROLE, current: 'authenticated', sub: member });
  }
  // Not vacuous: each member sees their own practice and not the other one.
  const [ra] = await database.asActorStatement<{ practices: string[] }>({ sub: a.members.doctor }, WHO);
  expect(ra!.practices).toContain(a.practiceId);
  expect(ra!.practices).not.toContain(b.practiceId);
});

test('a failing statement rejects with its error and leaves the connection clean', async () => {
  const state = async () =>
    (await database.actorPool.query<{ current: string; claims: string | null }>(`select current_user::text as current, nullif(current_setting('request.jwt.claims', true), '') as claims`)).rows[0];
  // The connection's own state outside any actor transaction (the authenticator's default role).
  const before = await state();
  expect(before).toEqual({ current: expect.not.stringMatching(/^authenticated$/) as unknown, claims: null });
  await expect(database.asActorStatement({ sub: a.members.doctor }, 'select 1 / 0')).rejects.toMatchObject({ code: '22012' });
  // The pool's only connection: no transaction left open (an aborted one would refuse this), the
  // role and the claims were local to the rolled-back transaction.
  expect(await state()).toEqual(before);
  expect(await database.asActorStatement({ sub: a.members.doctor }, 'select 1 as one')).toEqual([{ one: 1 }]);
});

test('an aborted request does not run its statement', async () => {
  const gone = new AbortController();
  gone.abort();
  await expect(database.asActorStatement({ sub: a.members.doctor }, 'select 1', { signal: gone.signal })).rejects.toThrow('request aborted');
});

test('sqlLiteral inlines a value as exactly the value node-postgres sends as a parameter (quotes, backslashes, arrays)', async () => {
  const values: [unknown, string][] = [
    // Nothing to escape (session 9: quoted without escapeLiteral's copy): the query vector, terms.
    ['[0.012,-0.5,1e-7]', 'text'],
    [['retainer', 'upper', '6'], 'text[]'],
    ['', 'text'],
    ["it's", 'text'],
    ['back\\slash \\\\ and \'quote\'', 'text'],
    [['plain', 'with "double" quotes', 'back\\slash', "it's", 'comma,brace}{', ''], 'text[]'],
    [1.2, 'float8'],
    [0.1 + 0.2, 'float8'],
    [40, 'int'],
    [null, 'uuid'],
  ];
  for (const [v, type] of values) {
    const r = await database.pool.query<{ same: boolean }>(`select ${sqlLiteral(v)}::${type} is not distinct from $1::${type} as same`, [v]);
    expect({ v, same: r.rows[0]!.same }).toEqual({ v, same: true });
  }
});
