import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { guardClient } from '../../src/db/connection-errors';
import { migrate } from '../../src/db/migrate';
import { testEnv } from './env';

/** One guarded connection for `fn`, ended whatever happens. */
export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = guardClient(new pg.Client({ connectionString: url }));
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function asAdmin(statement: string): Promise<void> {
  await withClient(testEnv().databaseUrl, (c) => c.query(statement));
}

/**
 * A migrated database of its own on the suite's server, for a file whose assertions read a
 * whole table (the embedding queue, its backlog) that other files write to in the shared one.
 * `drop()` ends its connections (FORCE) and removes it.
 */
export async function createScratchDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomUUID().slice(0, 8)}`;
  await asAdmin(`CREATE DATABASE "${name}"`);
  const u = new URL(testEnv().databaseUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  await migrate(url);
  return { url, drop: () => asAdmin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
