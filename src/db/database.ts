/**
 * Database handles. Two kinds, never confused:
 * - `system`: the privileged handle (table owner / service role; RLS does not apply). Workers,
 *   migrations, seeds and system jobs use it, by that name, so privileged access is visible in code.
 * - `asActor(claims, fn)`: a transaction as the `authenticated` role with `request.jwt.claims`
 *   set, exactly as PostgREST/Supabase do, so the schema's RLS policies decide what is visible.
 */
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.generated';
import type { Config } from '../config';

// int8 (counts, file sizes) as JS numbers: our values stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));
// numeric (money) stays a string: exact decimal arithmetic is done in SQL or with integers of cents.

export type Db = Kysely<DB>;
export type Tx = Transaction<DB>;

/** JWT claims as Supabase would set them; `sub` is the profile id. */
export interface ActorClaims {
  sub: string;
  role?: 'authenticated';
  email?: string;
  [claim: string]: unknown;
}

export interface Database {
  system: Db;
  pool: pg.Pool;
  asActor<T>(claims: ActorClaims, fn: (trx: Tx) => Promise<T>): Promise<T>;
  destroy(): Promise<void>;
}

export interface PoolLimits {
  max?: number;
  /** Wait for a free connection at most this long, then fail (the API answers 503). */
  waitMs?: number;
  /** Server-side statement_timeout for every connection of the pool. */
  statementTimeoutMs?: number;
}

export function createDatabase(connectionString: string, limits: number | PoolLimits = {}): Database {
  const { max = 10, waitMs, statementTimeoutMs } = typeof limits === 'number' ? { max: limits } : limits;
  const pool = new pg.Pool({
    connectionString,
    max,
    application_name: 'mdw',
    ...(waitMs ? { connectionTimeoutMillis: waitMs } : {}),
    ...(statementTimeoutMs ? { statement_timeout: statementTimeoutMs } : {}),
  });
  // An idle client that errors (server restart) must not crash the process.
  pool.on('error', () => undefined);
  const system = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    system,
    pool,
    asActor: (claims, fn) => asActor(system, claims, fn),
    destroy: () => system.destroy(),
  };
}

/** Runs `fn` in a transaction under RLS as the given actor. */
export async function asActor<T>(db: Db, claims: ActorClaims, fn: (trx: Tx) => Promise<T>): Promise<T> {
  const json = JSON.stringify({ role: 'authenticated', ...claims });
  return db.transaction().execute(async (trx) => {
    // One round trip; both settings are transaction-local (is_local = true).
    await sql`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${json}, true)`.execute(trx);
    return fn(trx);
  });
}

/** pgvector's text form; parameters are sent as text and cast by `::vector`. */
export function toVector(values: readonly number[]): string {
  return `[${values.join(',')}]`;
}

/** The pool limits a process configures (DATABASE_POOL_MAX, _WAIT_MS, _STATEMENT_TIMEOUT_MS). */
export function poolLimits(config: Config): PoolLimits {
  return { max: config.DATABASE_POOL_MAX, waitMs: config.DATABASE_POOL_WAIT_MS, statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS };
}
