/**
 * The per-request context (AsyncLocalStorage): request id, logger, and once authenticated the
 * actor with a database handle already scoped to it (`db(trx => …)` runs under RLS as the
 * caller). Privileged work uses `database.system`, by that name, elsewhere.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';
import type { ActorClaims, Tx } from '../db/database';

export interface RequestActor {
  /** profiles.id (`sub`). */
  profileId: string;
  claims: ActorClaims;
}

export interface RequestContext {
  requestId: string;
  log: Logger;
  actor: RequestActor | null;
  /** The practice the request is about, when known (for logs). */
  practiceId: string | null;
  /** Runs `fn` in a transaction as the actor under RLS; throws 401 without an actor. */
  db<T>(fn: (trx: Tx) => Promise<T>): Promise<T>;
  /** One statement (values inlined as literals) as the actor in one round trip, its own transaction (Database.asActorStatement). */
  dbStatement<R>(statement: string): Promise<R[]>;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithContext<T>(ctx: RequestContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

/** The current request's context, or undefined outside a request. */
export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

/** The current request's context; throws when called outside a request (a programming error). */
export function ctx(): RequestContext {
  const c = storage.getStore();
  if (!c) throw new Error('no request context');
  return c;
}
