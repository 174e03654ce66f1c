/**
 * The search benches open cached fixtures (the shared cache or a --dir copy) and apply this
 * checkout's pending migrations to them only with --migrate (bench/fixture-migrations.ts): without
 * it they stop with a line naming what is pending, and the database is left as it was.
 */
import { randomUUID } from 'node:crypto';
import { migrateCachedFixture, pendingMigrations, PendingMigrationsError } from '../../bench/fixture-migrations';
import { readMigrations } from '../../src/db/migrate';
import { testEnv } from '../support/env';
import { withClient } from '../support/pg-clients';
import { setupAndTeardown } from '../support/lifecycle';

// An empty database of its own: the suite's shared one is migrated, and this one must not be.
const name = `mdw_fixture_mig_${randomUUID().slice(0, 8)}`;
let url: string;
setupAndTeardown(async () => {
  await withClient(testEnv().databaseUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const u = new URL(testEnv().databaseUrl);
  u.pathname = `/${name}`;
  url = u.toString();
}, [() => withClient(testEnv().databaseUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))]);

const schemaMigrations = () => withClient(url, async (c) => (await c.query<{ t: string | null }>(`SELECT to_regclass('public.schema_migrations')::text AS t`)).rows[0]!.t);

test('a migrated database has nothing pending', async () => {
  expect(await pendingMigrations(testEnv().databaseUrl)).toEqual([]);
  expect(await migrateCachedFixture(testEnv().databaseUrl, '(the suite database)', false)).toEqual([]);
});

test('without --migrate a fixture that lacks migrations is refused, named and untouched; with it, migrated', async () => {
  const all = readMigrations().map((m) => m.name);
  expect(await pendingMigrations(url)).toEqual(all);

  const refused = await migrateCachedFixture(url, '/tmp/some-fixture', false).catch((err: unknown) => err);
  expect(refused).toBeInstanceOf(PendingMigrationsError);
  expect((refused as PendingMigrationsError).pending).toEqual(all);
  expect((refused as Error).message).toContain(`the fixture in /tmp/some-fixture lacks ${all.length} migration(s) of this checkout: ${all[0]}, `);
  expect((refused as Error).message).toContain(all.at(-1)!);
  expect((refused as Error).message).toMatch(/Nothing was changed\. Re-run with --migrate/);
  expect(await schemaMigrations()).toBeNull();

  expect(await migrateCachedFixture(url, '/tmp/some-fixture', true)).toEqual(all);
  expect(await pendingMigrations(url)).toEqual([]);
}, 300_000);

test('a fixture whose lexical documents lack tf (built before session 11) is refused without --migrate and repaired with it', async () => {
  // Runs after the test above has migrated this database.
  const practice = randomUUID();
  const doc = randomUUID();
  await withClient(url, async (c) => {
    // As the old builder wrote them: the replica role skips the trigger that fills tf.
    await c.query(`SET session_replication_role = replica`);
    await c.query(`INSERT INTO search_index.documents (practice_id, kind, id, fts) VALUES ($1, 'message', $2, to_tsvector('english', 'crown margin open, crown rescan'))`, [practice, doc]);
  });
  const tf = () => withClient(url, async (c) => (await c.query<{ tf: unknown; want: unknown }>(`SELECT tf, search_index.term_frequencies(fts) AS want FROM search_index.documents WHERE id = $1`, [doc])).rows[0]!);
  expect((await tf()).tf).toBeNull();

  const refused = await migrateCachedFixture(url, '/tmp/some-fixture', false).catch((err: unknown) => err);
  expect(refused).toBeInstanceOf(PendingMigrationsError);
  expect((refused as PendingMigrationsError).pending).toEqual([expect.stringMatching(/^fill search_index\.documents\.tf/)]);
  expect((await tf()).tf).toBeNull();

  expect(await migrateCachedFixture(url, '/tmp/some-fixture', true)).toEqual([expect.stringMatching(/^fill search_index\.documents\.tf/)]);
  const after = await tf();
  expect(after.tf).toEqual(after.want);
  expect(after.tf).toMatchObject({ crown: 2 });
  expect(await migrateCachedFixture(url, '/tmp/some-fixture', false)).toEqual([]);
}, 120_000);
