/** Per-test databases on the suite's PostgreSQL: a legacy one (the fixture) and an MDW target. */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { guardClient } from '../../src/db/connection-errors';
import { migrate } from '../../src/db/migrate';
import { dedupPatients } from '../../src/migration/dedup';
import { migrateLegacy, type MigrateLegacyOptions } from '../../src/migration/pipeline';
import { testEnv } from '../support/env';
import { buildLegacyFixture, createDatabase } from '../support/legacy/fixture';

export async function legacyDb(opts: { withOptional?: boolean } = {}): Promise<string> {
  const url = await createDatabase(testEnv().databaseUrl, `legacy_${randomUUID().slice(0, 8)}`);
  await buildLegacyFixture(url, opts);
  return url;
}

export async function targetDb(opts: { migrated?: boolean } = {}): Promise<string> {
  const url = await createDatabase(testEnv().databaseUrl, `target_${randomUUID().slice(0, 8)}`);
  if (opts.migrated !== false) await migrate(url);
  return url;
}

export function run(legacyUrl: string, targetUrl: string, extra: Partial<MigrateLegacyOptions> = {}) {
  return migrateLegacy({ legacyUrl, targetUrl, dedup: dedupPatients, ...extra });
}

/** A short-lived client for assertions. */
export async function query<R extends pg.QueryResultRow = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const c = guardClient(new pg.Client({ connectionString: url }));
  await c.connect();
  try {
    return (await c.query<R>(sql, params)).rows;
  } finally {
    await c.end();
  }
}
