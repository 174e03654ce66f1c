/**
 * Surviving a database that goes away (restart, failover, `pg_terminate_backend`, outage).
 *
 * node-postgres emits `'error'` on a client whose connection dies. pg.Pool listens on IDLE
 * clients only: a client checked out (inside a transaction, or between the statements of a
 * Kysely query) has no listener, so the event became an uncaught exception that ended the
 * process. Every pool and client therefore gets a permanent listener (`guardPool`,
 * `guardClient`); the failing query still rejects, the pool drops the broken client on release
 * (it is no longer queryable) and opens a new connection for the next caller.
 *
 * `isDatabaseUnavailable` tells an outage from a bad request, so the API answers 503 with
 * Retry-After instead of 500.
 */
import type pg from 'pg';

/** Called with each connection-level error; the default ignores it (the query rejects anyway). */
export type ConnectionErrorHandler = (err: Error) => void;

const ignore: ConnectionErrorHandler = () => undefined;

/** Keeps a pool's clients from crashing the process when their connection dies. */
export function guardPool(pool: pg.Pool, onError: ConnectionErrorHandler = ignore): pg.Pool {
  pool.on('error', (err) => onError(err));
  // 'connect' fires once per new client, before any caller gets it.
  pool.on('connect', (client) => guardClient(client, onError));
  return pool;
}

/** The same for a single pg.Client (migrations, preflight, scripts). */
export function guardClient<C extends pg.ClientBase>(client: C, onError: ConnectionErrorHandler = ignore): C {
  client.on('error', (err) => onError(err));
  return client;
}

/** Socket-level failures: nothing answers, or the connection broke. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);

/**
 * SQLSTATEs meaning "the server cannot serve you right now", not "your statement is wrong":
 * class 08 (connection exception), 57P01 admin_shutdown (pg_terminate_backend, fast shutdown),
 * 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up, shutting down, recovery),
 * 57P05 idle_session_timeout, 53300 too_many_connections, 53400 configuration_limit_exceeded.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '57P05', '53300', '53400']);

/** Errors node-postgres raises itself, without a code, for a dead or dying connection. */
const DEAD_CONNECTION = /Connection terminated|not queryable|Connection is closed|timeout exceeded when trying to connect|the database system is (starting up|shutting down|in recovery mode)/i;

/** True when `err` (or an error it wraps) says the database is unreachable or went away. */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string') {
    if (NETWORK_CODES.has(e.code) || UNAVAILABLE_SQLSTATES.has(e.code) || /^08[0-9A-Z]{3}$/.test(e.code)) return true;
  }
  if (typeof e.message === 'string' && DEAD_CONNECTION.test(e.message)) return true;
  // Node's happy-eyeballs connect fails with an AggregateError of one error per address.
  if (Array.isArray(e.errors) && e.errors.some((x) => isDatabaseUnavailable(x, depth + 1))) return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}
