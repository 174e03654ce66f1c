/**
 * Start-up checks that turn the usual misconfigurations into one line saying what is wrong and
 * how to fix it, instead of a stack trace from deep inside a driver.
 */
import pg from 'pg';
import { guardClient } from './connection-errors';
import { Connection } from '@temporalio/client';

export class PreflightError extends Error {
  override name = 'PreflightError';
}

/** host:port/database of a PostgreSQL URL for error lines (never the password). */
export function where(url: string, fallback = 'DATABASE_URL'): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}/${u.pathname.slice(1)}`;
  } catch {
    return fallback;
  }
}

/** Connects once, and checks that pgvector is available. */
export async function checkDatabase(url: string): Promise<void> {
  const client = guardClient(new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 }));
  try {
    await client.connect();
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { code?: string };
    const reason =
      e.code === 'ECONNREFUSED'
        ? 'nothing is listening there'
        : e.code === 'ENOTFOUND'
          ? 'the host name does not resolve'
          : e.code === '28P01' || e.code === '28000'
            ? 'authentication failed (check user and password)'
            : e.code === '3D000'
              ? 'that database does not exist (create it first)'
              : e.message;
    throw new PreflightError(
      `Cannot connect to PostgreSQL at ${where(url)}: ${reason}. Fix DATABASE_URL, or unset it to use the embedded server (npm run up).`,
    );
  }
  try {
    const r = await client.query(
      "select coalesce((select installed_version from pg_available_extensions where name = 'vector'), (select default_version from pg_available_extensions where name = 'vector')) as v",
    );
    if (!r.rows[0]?.v) {
      throw new PreflightError(
        `PostgreSQL at ${where(url)} has no pgvector extension: install pgvector (>= 0.5, 0.8 recommended) on that server, or unset DATABASE_URL to use the embedded server.`,
      );
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Fails fast when the Temporal frontend does not answer. */
export async function checkTemporal(address: string, namespace: string, timeoutMs: number): Promise<void> {
  let conn: Connection | undefined;
  try {
    conn = await Connection.connect({ address, connectTimeout: timeoutMs });
    await conn.workflowService.describeNamespace({ namespace });
  } catch (err) {
    const msg = (err as Error).message ?? String(err);
    const detail = /namespace/i.test(msg) && /not found/i.test(msg) ? `namespace "${namespace}" does not exist (TEMPORAL_NAMESPACE)` : 'it did not answer';
    throw new PreflightError(
      `Temporal at ${address}: ${detail} within ${timeoutMs / 1000}s. Start it (npm run up starts a dev server) or fix TEMPORAL_ADDRESS.`,
    );
  } finally {
    await conn?.close().catch(() => undefined);
  }
}

/**
 * Refuses an authenticator connection (DATABASE_AUTHENTICATOR_URL) that could leave the roles of
 * its actors: a superuser, a BYPASSRLS role, or a member of one (service_role included). Behind
 * such a login, RLS would rest on there never being an SQL injection.
 */
export async function checkAuthenticator(url: string): Promise<void> {
  const client = guardClient(new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 }));
  try {
    await client.connect();
  } catch (err) {
    throw new PreflightError(`Cannot log in at ${where(url)} with DATABASE_AUTHENTICATOR_URL: ${(err as Error).message}. It must name the role mdw_authenticator (created by the migrations) and its password.`);
  }
  try {
    const r = await client.query<{ user: string; escapes: string[] }>(
      `select session_user as user, array(
         select g.rolname::text from pg_catalog.pg_roles g
         where (g.rolsuper or g.rolbypassrls) and pg_catalog.pg_has_role(session_user, g.oid, 'MEMBER')
         order by 1) as escapes`,
    );
    const { user, escapes } = r.rows[0]!;
    if (escapes.length) {
      throw new PreflightError(
        `DATABASE_AUTHENTICATOR_URL logs in as ${user}, which is or can become ${escapes.join(', ')} (superuser or BYPASSRLS): point it at the role mdw_authenticator (db/README.md, "Login roles and grants").`,
      );
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}
