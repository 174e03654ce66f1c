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

test('a fixture whose lexical documents lack their postings (written under the replica role) is refused without --migrate and repaired with it', async () => {
  // Runs after the tests above have migrated this database.
  const practice = randomUUID();
  const doc = randomUUID();
  const text = 'crown margin open, crown rescan';
  await withClient(url, async (c) => {
    // As a builder that skips the triggers writes it: tf given, the postings' triggers skipped.
    await c.query(`SET session_replication_role = replica`);
    await c.query(`INSERT INTO search_index.documents (practice_id, kind, id, fts, tf) VALUES ($1, 'message', $2, to_tsvector('english', $3), search_index.term_frequencies(to_tsvector('english', $3)))`, [practice, doc, text]);
  });
  const postings = () =>
    withClient(url, async (c) => Object.fromEntries((await c.query<{ lexeme: string; tf: number; dl: number }>(`SELECT lexeme, tf, dl FROM search_index.postings WHERE id = $1`, [doc])).rows.map((r) => [r.lexeme, [r.tf, r.dl]])));
  expect(await postings()).toEqual({});

  const refused = await migrateCachedFixture(url, '/tmp/some-fixture', false).catch((err: unknown) => err);
  expect(refused).toBeInstanceOf(PendingMigrationsError);
  expect((refused as PendingMigrationsError).pending).toEqual([expect.stringMatching(/^fill search_index\.postings/)]);
  expect(await postings()).toEqual({});

  // The repair vacuums every partition of the postings (the visibility map their index-only scans
  // need). Counted, not read off relallvisible: whether VACUUM may mark a page all-visible depends on
  // the snapshots other sessions of this database hold meanwhile (autovacuum's ANALYZE of the tables
  // the migrations just created), and a clean-clone run once saw 0 of 2 pages marked.
  const vacuums = () =>
    withClient(url, async (c) => (await c.query<{ n: number; parts: number }>(
      `SELECT coalesce(sum(s.vacuum_count), 0)::int AS n, count(*)::int AS parts FROM pg_stat_all_tables s JOIN pg_inherits i ON i.inhrelid = s.relid WHERE i.inhparent = 'search_index.postings'::regclass`)).rows[0]!);
  const before = await vacuums();
  expect(await migrateCachedFixture(url, '/tmp/some-fixture', true)).toEqual([expect.stringMatching(/^fill search_index\.postings/)]);
  expect(await postings()).toEqual({ crown: [2, 4], margin: [1, 4], open: [1, 4], rescan: [1, 4] });
  const after = await vacuums();
  expect(after.parts).toBe(32);
  expect(after.n - before.n).toBeGreaterThanOrEqual(32);
  expect(await migrateCachedFixture(url, '/tmp/some-fixture', false)).toEqual([]);

  // A text rewritten under the replica role leaves stale postings: refused again.
  await withClient(url, async (c) => {
    await c.query(`SET session_replication_role = replica`);
    await c.query(`UPDATE search_index.documents SET fts = to_tsvector('english', 'bracket'), tf = '{"bracket": 1}' WHERE id = $1`, [doc]);
  });
  const stale = await migrateCachedFixture(url, '/tmp/some-fixture', false).catch((err: unknown) => err);
  expect((stale as PendingMigrationsError).pending).toEqual([expect.stringMatching(/^fill search_index\.postings/)]);
  await migrateCachedFixture(url, '/tmp/some-fixture', true);
  expect(await postings()).toEqual({ bracket: [1, 1] });

  // Emptying the documents empties the postings (0160's TRUNCATE trigger).
  await withClient(url, (c) => c.query('TRUNCATE search_index.documents'));
  expect(await withClient(url, async (c) => (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM search_index.postings')).rows[0]!.n)).toBe(0);
}, 120_000);
