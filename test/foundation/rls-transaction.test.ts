/**
 * What the RLS helpers (`user_practice_ids()`, `is_internal_admin()`, `lab_role()`: db 0003, 0040)
 * answer when the facts they read change INSIDE one transaction: each statement sees the caller's
 * memberships, global role, lab roster and claims as they are at that statement, never as an earlier
 * statement of the same transaction saw them. A helper that cached its answer per transaction (or
 * per plan) would have to keep all of this; bench/SEARCH.md (session 10, s-rls) measured what the
 * helpers cost and why none is cached.
 *
 * The transactions run on the owner's handle and switch between the owner (who grants and revokes:
 * `set_config('role', 'none', true)`) and `authenticated` with a user's claims (as asActor does at
 * BEGIN), statement by statement. Every practice and person here is this file's own.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createDatabase, type Database, type Tx } from '../../src/db/database';
import { addMember } from '../../src/repositories/identity.repository';
import { testEnv } from '../support/env';
import { createPracticeFixture, createUser, type PracticeFixture } from '../support/fixtures';

let database: Database;
let a: PracticeFixture;
let b: PracticeFixture;
let globalAdmin: string;

async function seedCase(f: PracticeFixture): Promise<void> {
  const c = await database.system
    .insertInto('cases')
    .values({ patient_id: f.patientId, practice_id: f.practiceId, case_number: `C-${randomUUID().slice(0, 6)}`, title: 'RLS in one transaction', case_type: 'retention' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await database.system.insertInto('case_messages').values({ case_id: c.id, practice_id: f.practiceId, sender_id: f.members.doctor, content: 'hello' }).execute();
}

/** The next statements run as `authenticated` with these claims (null: no claims at all). */
async function actAs(trx: Tx, sub: string | null, role = 'authenticated'): Promise<void> {
  await sql`select set_config('role', ${role}, true), set_config('request.jwt.claims', ${sub ? JSON.stringify({ sub, role: 'authenticated' }) : ''}, true)`.execute(trx);
}

/** The next statements run as the owner (RLS does not apply), the claims unchanged. */
async function asOwner(trx: Tx): Promise<void> {
  await sql`select set_config('role', 'none', true)`.execute(trx);
}

/** Which of A and B the current role sees, per table ('A', 'B'), in one statement. */
async function seen(trx: Tx): Promise<Record<'cases' | 'case_messages' | 'patients', string[]>> {
  const r = await sql<{ t: 'cases' | 'case_messages' | 'patients'; p: string }>`
    select 'cases' as t, practice_id::text as p from public.cases where practice_id in (${a.practiceId}, ${b.practiceId})
    union select 'case_messages', practice_id::text from public.case_messages where practice_id in (${a.practiceId}, ${b.practiceId})
    union select 'patients', practice_id::text from public.patients where practice_id in (${a.practiceId}, ${b.practiceId})`.execute(trx);
  const out = { cases: [] as string[], case_messages: [] as string[], patients: [] as string[] };
  for (const row of r.rows) out[row.t].push(row.p === a.practiceId ? 'A' : 'B');
  for (const k of Object.keys(out) as (keyof typeof out)[]) out[k].sort();
  return out;
}

const all = (...v: string[]) => ({ cases: v, case_messages: v, patients: v });

beforeAll(async () => {
  database = createDatabase(testEnv().databaseUrl, 4, { authenticatorUrl: testEnv().authenticatorUrl });
  a = await createPracticeFixture(database.system, `RLS-tx A ${randomUUID().slice(0, 6)}`);
  b = await createPracticeFixture(database.system, `RLS-tx B ${randomUUID().slice(0, 6)}`);
  await seedCase(a);
  await seedCase(b);
  globalAdmin = await createUser(database.system, 'rls-tx-admin', 'admin');
});
afterAll(() => database.destroy());

test('a membership granted, then revoked, inside one transaction is seen by the next statement', async () => {
  const person = await createUser(database.system, 'rls-tx-joiner');
  const steps = await database.system.transaction().execute(async (trx) => {
    const out = [];
    await actAs(trx, person);
    out.push(await seen(trx));
    await asOwner(trx);
    await sql`insert into public.practice_members (profile_id, practice_id, role) values (${person}, ${b.practiceId}, 'doctor')`.execute(trx);
    await actAs(trx, person);
    out.push(await seen(trx));
    await asOwner(trx);
    await sql`delete from public.practice_members where profile_id = ${person} and practice_id = ${b.practiceId}`.execute(trx);
    await actAs(trx, person);
    out.push(await seen(trx));
    return out;
  });
  expect(steps).toEqual([all(), all('B'), all()]);
});

test('the same through a prepared statement past its fifth run (a cached generic plan)', async () => {
  const person = await createUser(database.system, 'rls-tx-prepared');
  const name = `rls_tx_${randomUUID().replace(/-/g, '')}`;
  // One connection, so PREPARE and EXECUTE meet; DEALLOCATE before it returns to the pool.
  const steps = await database.system.transaction().execute(async (trx) => {
    const count = async () => Number((await sql<{ n: string }>`execute ${sql.raw(name)}`.execute(trx)).rows[0]!.n);
    await sql.raw(`prepare ${name} as select count(*) as n from public.cases where practice_id = '${b.practiceId}'::uuid`).execute(trx);
    try {
      await actAs(trx, person);
      const out = [];
      for (let i = 0; i < 6; i++) out.push(await count());
      await asOwner(trx);
      await sql`insert into public.practice_members (profile_id, practice_id, role) values (${person}, ${b.practiceId}, 'assistant')`.execute(trx);
      await actAs(trx, person);
      out.push(await count());
      await asOwner(trx);
      await sql`delete from public.practice_members where profile_id = ${person}`.execute(trx);
      await actAs(trx, person);
      out.push(await count());
      return out;
    } finally {
      await sql.raw(`deallocate ${name}`).execute(trx);
    }
  });
  expect(steps).toEqual([0, 0, 0, 0, 0, 0, 1, 0]);
});

test('a membership granted inside a savepoint that is rolled back is gone at the next statement', async () => {
  const person = await createUser(database.system, 'rls-tx-savepoint');
  const steps = await database.system.transaction().execute(async (trx) => {
    const out = [];
    await sql`savepoint grant_b`.execute(trx);
    await sql`insert into public.practice_members (profile_id, practice_id, role) values (${person}, ${b.practiceId}, 'doctor')`.execute(trx);
    await actAs(trx, person);
    out.push(await seen(trx));
    await sql`rollback to savepoint grant_b`.execute(trx);
    // The rollback also undid set_config's role and claims made after the savepoint.
    await actAs(trx, person);
    out.push(await seen(trx));
    return out;
  });
  expect(steps).toEqual([all('B'), all()]);
});

test('a practice admin adds someone inside their own request; the newcomer’s claims see the practice at the next statement', async () => {
  const newcomer = await createUser(database.system, 'rls-tx-newcomer');
  const steps = await database.asActor({ sub: a.members.admin }, async (trx) => {
    const out = [];
    // The claims switched as PostgREST's pre-request hook or an injected set_config would.
    await actAs(trx, newcomer);
    out.push(await seen(trx));
    await actAs(trx, a.members.admin);
    await addMember(trx, a.practiceId, newcomer, 'assistant');
    await actAs(trx, newcomer);
    out.push(await seen(trx));
    return out;
  });
  expect(steps).toEqual([all(), all('A')]);
});

test('claims switched to another user inside one transaction decide the next statement', async () => {
  const outsider = await createUser(database.system, 'rls-tx-outsider');
  const steps = await database.asActor({ sub: a.members.doctor }, async (trx) => {
    const out = [await seen(trx)];
    for (const sub of [b.members.technician, outsider, globalAdmin, null, a.members.owner]) {
      await actAs(trx, sub);
      out.push(await seen(trx));
    }
    return out;
  });
  expect(steps).toEqual([all('A'), all('B'), all(), all('A', 'B'), all(), all('A')]);
});

test('the global admin role granted, then revoked, inside one transaction is seen by the next statement', async () => {
  const doctor = (await createPracticeFixture(database.system, `RLS-tx C ${randomUUID().slice(0, 6)}`)).members.doctor;
  const steps = await database.system.transaction().execute(async (trx) => {
    const out = [];
    await actAs(trx, doctor);
    out.push(await seen(trx));
    await asOwner(trx);
    await sql`update public.profiles set role = 'admin' where id = ${doctor}`.execute(trx);
    await actAs(trx, doctor);
    out.push(await seen(trx));
    await asOwner(trx);
    await sql`update public.profiles set role = 'technician' where id = ${doctor}`.execute(trx);
    await actAs(trx, doctor);
    out.push(await seen(trx));
    return out;
  });
  expect(steps).toEqual([all(), all('A', 'B'), all()]);
});

test('lab staff listed, then unlisted, inside one transaction: cases and messages of every practice, never patients', async () => {
  const tech = await createUser(database.system, 'rls-tx-lab', 'technician');
  const steps = await database.system.transaction().execute(async (trx) => {
    const out = [];
    await actAs(trx, tech);
    out.push(await seen(trx));
    await asOwner(trx);
    await sql`insert into public.lab_staff (profile_id) values (${tech})`.execute(trx);
    await actAs(trx, tech);
    out.push(await seen(trx));
    await asOwner(trx);
    await sql`delete from public.lab_staff where profile_id = ${tech}`.execute(trx);
    await actAs(trx, tech);
    out.push(await seen(trx));
    return out;
  });
  expect(steps).toEqual([all(), { cases: ['A', 'B'], case_messages: ['A', 'B'], patients: [] }, all()]);
});

test('a membership revoked by another session is seen by the next statement of a transaction already under way', async () => {
  const person = await createUser(database.system, 'rls-tx-concurrent');
  await addMember(database.system, b.practiceId, person, 'doctor');
  const steps = await database.system.transaction().execute(async (trx) => {
    await actAs(trx, person);
    const before = await seen(trx);
    // Another connection of the pool, its own (autocommitted) transaction: read committed.
    await sql`delete from public.practice_members where profile_id = ${person}`.execute(database.system);
    return [before, await seen(trx)];
  });
  expect(steps).toEqual([all('B'), all()]);
});

test('service_role bypasses RLS whatever the claims say', async () => {
  const outsider = await createUser(database.system, 'rls-tx-service');
  const steps = await database.system.transaction().execute(async (trx) => {
    const out = [];
    for (const sub of [a.members.doctor, outsider, null]) {
      await actAs(trx, sub, 'service_role');
      out.push(await seen(trx));
    }
    return out;
  });
  expect(steps).toEqual([all('A', 'B'), all('A', 'B'), all('A', 'B')]);
});
