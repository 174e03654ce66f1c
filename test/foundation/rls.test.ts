/**
 * Tenant isolation by PostgreSQL row-level security, exercised through the same `asActor`
 * handle the API uses (role `authenticated`, `request.jwt.claims` set).
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createDatabase, type Database } from '../../src/db/database';
import { addMember } from '../../src/repositories/identity.repository';
import { testEnv } from '../support/env';
import { createPracticeFixture, createUser, type PracticeFixture } from '../support/fixtures';

let database: Database;
let a: PracticeFixture;
let b: PracticeFixture;
let globalAdmin: string;
let outsider: string;
const TABLES = ['patients', 'cases', 'case_messages', 'case_states', 'orders', 'practice_members', 'practices'] as const;

async function seedCase(f: PracticeFixture): Promise<void> {
  const db = database.system;
  const c = await db
    .insertInto('cases')
    .values({ patient_id: f.patientId, practice_id: f.practiceId, case_number: `C-${randomUUID().slice(0, 6)}`, title: 'RLS', case_type: 'retention' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('case_messages').values({ case_id: c.id, practice_id: f.practiceId, sender_id: f.members.doctor, content: 'hello' }).execute();
  await db.insertInto('case_states').values({ case_id: c.id, practice_id: f.practiceId, to_state: 'submitted', changed_by: f.members.doctor }).execute();
  await db.insertInto('orders').values({ case_id: c.id, practice_id: f.practiceId, order_number: `O-${randomUUID().slice(0, 6)}` }).execute();
}

/** Practice ids visible per table to a profile, as the API would query them. */
async function visible(profileId: string): Promise<Record<string, string[]>> {
  return database.asActor({ sub: profileId }, async (trx) => {
    const out: Record<string, string[]> = {};
    for (const t of TABLES) {
      const col = t === 'practices' ? 'id' : 'practice_id';
      const rows = await sql<{ p: string }>`select distinct ${sql.ref(col)}::text as p from ${sql.table(t)} where ${sql.ref(col)} in (${a.practiceId}, ${b.practiceId})`.execute(trx);
      out[t] = rows.rows.map((r) => (r.p === a.practiceId ? 'A' : 'B')).sort();
    }
    return out;
  });
}

const only = (...v: string[]) => Object.fromEntries(TABLES.map((t) => [t, v]));

beforeAll(async () => {
  // Actor transactions on the API's own login role (mdw_authenticator), as in production.
  database = createDatabase(testEnv().databaseUrl, 4, { authenticatorUrl: testEnv().authenticatorUrl });
  a = await createPracticeFixture(database.system, 'Practice A');
  b = await createPracticeFixture(database.system, 'Practice B');
  await seedCase(a);
  await seedCase(b);
  globalAdmin = await createUser(database.system, 'internal-admin', 'admin');
  outsider = await createUser(database.system, 'outsider');
});
afterAll(() => database.destroy());

test('a member of practice A sees A’s rows and none of B’s', async () => {
  expect(await visible(a.members.doctor)).toEqual(only('A'));
  expect(await visible(b.members.technician)).toEqual(only('B'));
});

test('a member whose practice role is admin (or owner) still sees nothing of B', async () => {
  expect(await visible(a.members.admin)).toEqual(only('A'));
  expect(await visible(a.members.owner)).toEqual(only('A'));
});

test('only a profile whose global role is admin sees both practices', async () => {
  expect(await visible(globalAdmin)).toEqual(only('A', 'B'));
});

test('a signed-in user with no practice sees none of them', async () => {
  expect(await visible(outsider)).toEqual(only());
});

test('anon sees nothing: its queries are refused', async () => {
  await expect(
    database.system.transaction().execute(async (trx) => {
      await sql`set local role anon`.execute(trx);
      return sql`select count(*) from cases`.execute(trx);
    }),
  ).rejects.toThrow(/permission denied/);
});

test('a member cannot write rows into another practice', async () => {
  await expect(
    database.asActor({ sub: a.members.doctor }, (trx) =>
      trx
        .insertInto('cases')
        .values({ patient_id: b.patientId, practice_id: b.practiceId, case_number: 'X-1', title: 'intrusion', case_type: 'retention' })
        .execute(),
    ),
  ).rejects.toThrow(/row-level security|violates/);
  const leaked = await database.system.selectFrom('cases').select('id').where('case_number', '=', 'X-1').execute();
  expect(leaked).toHaveLength(0);
});

test('a practice admin manages members of their own practice only', async () => {
  const newcomer = await createUser(database.system, 'newcomer');
  await database.asActor({ sub: a.members.admin }, (trx) => addMember(trx, a.practiceId, newcomer, 'assistant'));
  await expect(database.asActor({ sub: a.members.admin }, (trx) => addMember(trx, b.practiceId, newcomer, 'assistant'))).rejects.toThrow(
    /row-level security/,
  );
  await expect(database.asActor({ sub: a.members.technician }, (trx) => addMember(trx, a.practiceId, outsider, 'assistant'))).rejects.toThrow(
    /row-level security/,
  );
});

test('RLS is enabled and forced on every table holding practice data', async () => {
  const r = await sql<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>`
    select c.relname, c.relrowsecurity, c.relforcerowsecurity
      from pg_class c join pg_attribute a on a.attrelid = c.oid
     where c.relnamespace = 'public'::regnamespace and c.relkind = 'r' and a.attname = 'practice_id' and not a.attisdropped`.execute(database.system);
  expect(r.rows.length).toBeGreaterThan(15);
  expect(r.rows.filter((x) => !x.relrowsecurity || !x.relforcerowsecurity).map((x) => x.relname)).toEqual([]);
});

test('asActor sets role and claims in the BEGIN round trip, escaped, and only for its own transaction', async () => {
  const email = String.raw`o'brien\x@example.com`; // a quote and a backslash must survive the literal
  const seen = await database.asActor({ sub: a.members.doctor, email }, async (trx) => {
    const inside = (await sql<{ who: string; claims: string }>`select current_user as who, current_setting('request.jwt.claims') as claims`.execute(trx)).rows[0]!;
    // A transaction the handler opens on the system handle is not the actor's.
    const system = await database.system.transaction().execute(async (s) => (await sql<{ who: string }>`select current_user as who`.execute(s)).rows[0]!.who);
    return { ...inside, system };
  });
  expect(seen.who).toBe('authenticated');
  expect(JSON.parse(seen.claims)).toMatchObject({ sub: a.members.doctor, email, role: 'authenticated' });
  expect(seen.system).not.toBe('authenticated');
  // Nothing leaks to the pooled connection after the transaction.
  const after = await sql<{ who: string; claims: string | null }>`select current_user as who, current_setting('request.jwt.claims', true) as claims`.execute(database.system);
  expect(after.rows[0]!.who).not.toBe('authenticated');
  expect(after.rows[0]!.claims || null).toBeNull();
});

test('asActor rolls back what the actor wrote when the handler throws', async () => {
  const marker = `rollback-${randomUUID()}`;
  await expect(
    database.asActor({ sub: a.members.doctor }, async (trx) => {
      await trx.insertInto('case_messages').values({ case_id: (await trx.selectFrom('cases').select('id').where('practice_id', '=', a.practiceId).executeTakeFirstOrThrow()).id, practice_id: a.practiceId, sender_id: a.members.doctor, content: marker }).execute();
      throw new Error('handler failed');
    }),
  ).rejects.toThrow('handler failed');
  const left = await database.system.selectFrom('case_messages').select('id').where('content', '=', marker).execute();
  expect(left).toEqual([]);
});
