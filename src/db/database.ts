/**
 * Database handles. Two kinds, never confused:
 * - `system`: the privileged handle (table owner / service role; RLS does not apply). Workers,
 *   migrations, seeds and system jobs use it, by that name, so privileged access is visible in code.
 * - `asActor(claims, fn)`: a transaction as the `authenticated` role with `request.jwt.claims`
 *   set, exactly as PostgREST/Supabase do, so the schema's RLS policies decide what is visible.
 *   Given an `authenticatorUrl`, actor transactions run on a pool of their own that logs in as
 *   `mdw_authenticator` (db/README.md "Login roles"): a role that can only become anon or
 *   authenticated, so SQL inside an actor's transaction can never RESET or SET its way to a
 *   privileged role.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { CompiledQuery, Kysely, PostgresDialect, PostgresDriver, type QueryResult, type DatabaseConnection, type Driver, type PostgresDialectConfig, type Transaction, type TransactionSettings } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.generated';
import type { Config } from '../config';
import { guardPool, type ConnectionErrorHandler } from './connection-errors';
import { createSlowQueryRecorder, type SlowQueryOptions, type SlowQueryRecorder } from './slow-queries';

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

export interface ActorOptions {
  /** Aborted when nobody waits for the answer any more (the HTTP client went away). */
  signal?: AbortSignal;
}

/** The transaction was not begun: its signal was aborted while it waited for a connection. */
export class RequestAbortedError extends Error {
  constructor() {
    super('request aborted before its transaction began');
    this.name = 'RequestAbortedError';
  }
}

export interface Database {
  system: Db;
  pool: pg.Pool;
  /** The pool actor transactions wait on: the authenticator's, or `pool` when there is none. */
  actorPool: pg.Pool;
  asActor<T>(claims: ActorClaims, fn: (trx: Tx) => Promise<T>, opts?: ActorOptions): Promise<T>;
  /**
   * One statement as the actor in one round trip: the role and claims (as asActor) and
   * the statement sent as one simple-protocol string, which PostgreSQL runs as one implicit
   * transaction; its rows. The statement's values must be inlined as literals (the simple
   * protocol has no parameters; see search.repository.ts sqlLiteral). Session 8: GET /search's one
   * statement without the two extra round trips of a Kysely transaction (session 10: without
   * BEGIN and COMMIT; since db 0136 the statement also writes the page's PHI access log, which
   * commits with it). Not timed by the slow-query log.
   */
  asActorStatement<R>(claims: ActorClaims, statement: string, opts?: ActorOptions): Promise<R[]>;
  destroy(): Promise<void>;
}

export interface PoolLimits {
  max?: number;
  /** Wait for a free connection at most this long, then fail (the API answers 503). */
  waitMs?: number;
  /** Server-side statement_timeout for every connection of the pool. */
  statementTimeoutMs?: number;
  /** Close a connection idle this long (0: never); unset: node-postgres' 10 s. */
  idleMs?: number;
  /** Told about each connection the server ended (restart, pg_terminate_backend); default: ignored. */
  onConnectionError?: ConnectionErrorHandler;
}

/** The login role of actor transactions, created by migration 0017. */
export const AUTHENTICATOR_ROLE = 'mdw_authenticator';

/** `url` with its user replaced by `user` (and no password): for servers that trust loopback. */
export function urlAs(url: string, user: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = '';
  return u.toString();
}

export interface DatabaseOptions {
  /** Where actor transactions log in (as mdw_authenticator); unset: on the system pool. */
  authenticatorUrl?: string;
  /** Record statements over a threshold in query_performance_log (issue 12 §5). */
  slowQueries?: SlowQueryOptions;
}

export function createDatabase(connectionString: string, limits: number | PoolLimits = {}, opts: DatabaseOptions = {}): Database {
  const { max = 10, waitMs, statementTimeoutMs, idleMs, onConnectionError } = typeof limits === 'number' ? { max: limits } : limits;
  // A client whose connection the server ends (restart, failover, pg_terminate_backend) must not
  // crash the process, idle or checked out: its query fails, the pool replaces it.
  const pool = guardPool(
    new pg.Pool({
      connectionString,
      max,
      application_name: 'mdw',
      ...(waitMs ? { connectionTimeoutMillis: waitMs } : {}),
      ...(statementTimeoutMs ? { statement_timeout: statementTimeoutMs } : {}),
      ...(idleMs !== undefined ? { idleTimeoutMillis: idleMs } : {}),
    }),
    onConnectionError,
  );
  const slow = opts.slowQueries ? createSlowQueryRecorder(pool, opts.slowQueries) : null;
  const system = new Kysely<DB>({ dialect: new ActorAwarePostgresDialect({ pool }, slow) });
  let actorPool = pool;
  let actors = system;
  if (opts.authenticatorUrl) {
    actorPool = guardPool(new pg.Pool({ ...pool.options, connectionString: opts.authenticatorUrl }), onConnectionError);
    actors = new Kysely<DB>({ dialect: new ActorAwarePostgresDialect({ pool: actorPool }, slow) });
  }
  return {
    system,
    pool,
    actorPool,
    asActor: (claims, fn, o) => asActor(actors, claims, fn, o),
    asActorStatement: (claims, statement, o) => asActorStatement(actorPool, claims, statement, o),
    destroy: async () => {
      if (actors !== system) await actors.destroy();
      await system.destroy();
    },
  };
}

/**
 * The actor whose transaction is about to begin. Taken (once) by the driver's BEGIN, so a
 * transaction opened later inside `fn` on the system handle never inherits the actor.
 */
interface PendingActor {
  claimsJson: string;
  taken: boolean;
  signal?: AbortSignal;
}
const pendingActor = new AsyncLocalStorage<PendingActor>();

/**
 * Why the current code writes: the API request or the workflow it runs for. The audit trigger
 * (0050) reads them as `mdw.request_id` / `mdw.workflow_id`, so every audited row names its cause.
 */
export interface AuditScope {
  requestId?: string;
  workflowId?: string;
  /** The signed-in caller, for writes on the system handle made on their behalf (sign-in, creating people). */
  actorId?: string;
}
const auditScope = new AsyncLocalStorage<AuditScope>();

/** The current scope, to complete (e.g. with the actor once the request is authenticated). */
export function currentAuditScope(): AuditScope | undefined {
  return auditScope.getStore();
}

/** Runs `fn` with writes attributed to `scope` (see AuditScope). */
export function runWithAuditScope<T>(scope: AuditScope, fn: () => T): T {
  return auditScope.run(scope, fn);
}

/** The settings a connection carries, so that an unchanged scope costs no round trip. */
const connectionScope = new WeakMap<DatabaseConnection, string>();
const scopeKey = (s: AuditScope | undefined) => `${s?.requestId ?? ''}\u0000${s?.workflowId ?? ''}\u0000${s?.actorId ?? ''}`;

/**
 * PostgresDriver whose BEGIN for an actor also sets the role and claims, in one simple-protocol
 * round trip (`begin; select set_config(…)`), instead of BEGIN and then a second statement: every
 * API request is such a transaction, and on loopback round trips are a large part of its cost.
 */
class ActorAwarePostgresDriver extends PostgresDriver {
  readonly #slow: SlowQueryRecorder | null;
  constructor(config: PostgresDialectConfig, slow: SlowQueryRecorder | null) {
    super(config);
    this.#slow = slow;
  }

  /** Times each statement of `connection` (once per connection) for the slow-query log. */
  #timed(connection: DatabaseConnection): void {
    const slow = this.#slow;
    if (!slow || timedConnections.has(connection)) return;
    timedConnections.add(connection);
    const run = connection.executeQuery.bind(connection);
    connection.executeQuery = async <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
      const started = performance.now();
      let rows: number | null = null;
      try {
        const result = await run<R>(query);
        rows = result.numAffectedRows !== undefined ? Number(result.numAffectedRows) : result.rows.length;
        return result;
      } finally {
        const ms = performance.now() - started;
        if (ms >= slow.thresholdMs) {
          const scope = auditScope.getStore();
          const actor = pendingActor.getStore();
          const actorId = actor ? (JSON.parse(actor.claimsJson) as { sub?: string }).sub : scope?.actorId;
          slow.record(query.sql, ms, rows, { actorId, requestId: scope?.requestId, workflowId: scope?.workflowId });
        }
      }
    };
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const scope = auditScope.getStore();
    const actor = pendingActor.getStore();
    const connection = await super.acquireConnection();
    this.#timed(connection);
    // An actor transaction sets its scope locally at BEGIN (no extra round trip); other work sets
    // it on the session when it differs from what the connection last carried.
    if (actor && !actor.taken) return connection;
    const key = scopeKey(scope);
    if ((connectionScope.get(connection) ?? scopeKey(undefined)) !== key) {
      try {
        await connection.executeQuery(
          CompiledQuery.raw(`select set_config('mdw.request_id', $1, false), set_config('mdw.workflow_id', $2, false), set_config('mdw.actor_id', $3, false)`, [
            scope?.requestId ?? '',
            scope?.workflowId ?? '',
            scope?.actorId ?? '',
          ]),
        );
      } catch (err) {
        await this.releaseConnection(connection as Parameters<PostgresDriver['releaseConnection']>[0]);
        throw err;
      }
      connectionScope.set(connection, key);
    }
    return connection;
  }

  override async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const actor = pendingActor.getStore();
    if (!actor || actor.taken || settings.isolationLevel || settings.accessMode) return super.beginTransaction(connection, settings);
    actor.taken = true;
    // A request whose client left while it queued for a connection does no work at all: under
    // overload the queue then drains at once instead of serving answers nobody reads.
    if (actor.signal?.aborted) throw new RequestAbortedError();
    // Both settings are transaction-local (is_local = true). No parameters: a multi-statement
    // string must use the simple protocol, so the claims go in as an escaped literal.
    await connection.executeQuery(CompiledQuery.raw(actorBegin(actor.claimsJson)));
  }
}

class ActorAwarePostgresDialect extends PostgresDialect {
  readonly #config: PostgresDialectConfig;
  readonly #slow: SlowQueryRecorder | null;
  constructor(config: PostgresDialectConfig, slow: SlowQueryRecorder | null = null) {
    super(config);
    this.#config = config;
    this.#slow = slow;
  }
  override createDriver(): Driver {
    return new ActorAwarePostgresDriver(this.#config, this.#slow);
  }
}

const timedConnections = new WeakSet<DatabaseConnection>();

/**
 * Runs `fn` in a transaction under RLS as the given actor: role `authenticated` and
 * `request.jwt.claims`, both local to the transaction, as PostgREST does. `db` must come from
 * createDatabase (its driver sets the actor at BEGIN).
 */
export async function asActor<T>(db: Db, claims: ActorClaims, fn: (trx: Tx) => Promise<T>, opts: ActorOptions = {}): Promise<T> {
  if (opts.signal?.aborted) throw new RequestAbortedError();
  const actor: PendingActor = { claimsJson: JSON.stringify({ role: 'authenticated', ...claims }), taken: false, signal: opts.signal };
  return pendingActor.run(actor, () =>
    db.transaction().execute(async (trx) => {
      if (!actor.taken) throw new Error('asActor needs a handle from createDatabase (its driver sets the actor at BEGIN)');
      return fn(trx);
    }),
  );
}

/**
 * The role and claims of `claims`, local to the current transaction. The settings are made in the
 * statement's WHERE clause, one set_config() after another (each returns its new value, never
 * NULL, so every `IS NULL` is false and OR goes on to the next): a statement of no columns and no
 * rows, so neither the server nor the driver describes, sends and parses four columns and a row
 * echoing the claims on every actor transaction (session 12, s-api, bench/SEARCH.md).
 */
function actorSettings(claimsJson: string): string {
  return `select where set_config('role', 'authenticated', true) is null or set_config('request.jwt.claims', ${pg.escapeLiteral(claimsJson)}, true) is null or set_config('mdw.request_id', ${pg.escapeLiteral(auditScope.getStore()?.requestId ?? '')}, true) is null or set_config('mdw.workflow_id', '', true) is null`;
}

/** BEGIN as `claims` (role and claims local to the transaction, as the driver's BEGIN sets them). */
function actorBegin(claimsJson: string): string {
  return `begin; ${actorSettings(claimsJson)}`;
}

async function asActorStatement<R>(pool: pg.Pool, claims: ActorClaims, statement: string, opts: ActorOptions = {}): Promise<R[]> {
  if (opts.signal?.aborted) throw new RequestAbortedError();
  const claimsJson = JSON.stringify({ role: 'authenticated', ...claims });
  const client = await pool.connect();
  if (opts.signal?.aborted) {
    client.release();
    throw new RequestAbortedError();
  }
  let broken: Error | undefined;
  try {
    // The settings and the statement, one result each, without BEGIN and COMMIT: PostgreSQL runs
    // the statements of one simple-protocol string as one implicit transaction, so the
    // transaction-local role and claims hold for the statement and end with it, as asActor's do at
    // COMMIT. Two results to parse instead of four, and two statements fewer for the backend
    // (session 10, bench/SEARCH.md).
    const results = (await client.query(`${actorSettings(claimsJson)}; ${statement}`)) as unknown as pg.QueryResult[];
    return results[1]!.rows as R[];
  } catch (err) {
    // An error the server reports ends the implicit transaction there (rolled back, role and
    // claims gone) before the connection is ready again; any other failure (the connection lost,
    // a reply the driver could not read) drops the connection instead of trusting its state.
    if (!(err instanceof pg.DatabaseError)) broken = err as Error;
    throw err;
  } finally {
    client.release(broken);
  }
}

/** pgvector's text form; parameters are sent as text and cast by `::vector`. */
export function toVector(values: readonly number[]): string {
  return `[${values.join(',')}]`;
}

/** The pool limits a process configures (DATABASE_POOL_MAX, _WAIT_MS, _IDLE_MS, DATABASE_STATEMENT_TIMEOUT_MS). */
export function poolLimits(config: Config): PoolLimits {
  return { max: config.DATABASE_POOL_MAX, waitMs: config.DATABASE_POOL_WAIT_MS, idleMs: config.DATABASE_POOL_IDLE_MS, statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS };
}
