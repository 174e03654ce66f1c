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
