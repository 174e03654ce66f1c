/**
 * Idempotency-Key bookkeeping (backend-only table: callers pass the system handle).
 * A key is claimed before the request runs (status NULL), completed with the response, and
 * released when the request failed so that a retry can run again. A claim older than the
 * caller's TTL is stale (its request died without completing or releasing it, db/migrations/0016)
 * and is taken over by the next identical request.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database';

export interface StoredIdempotency {
  requestHash: string;
  method: string;
  path: string;
  statusCode: number | null;
  response: unknown;
  /** While still running: milliseconds until the claim becomes stale. */
  staleInMs: number;
}

/** A claim this request holds; `token` identifies it (a successor's claim has another). */
export interface IdempotencyClaim {
  token: string;
}

/**
 * Claims (profileId, key): a new key, or a stale claim of the same request (status NULL, claimed
 * more than `staleAfterMs` ago). Returns the claim, or the existing record when someone else
 * holds the key or it is completed.
 */
export async function claimIdempotencyKey(
  db: Db,
  profileId: string,
  key: string,
  method: string,
  path: string,
  requestHash: string,
  staleAfterMs: number,
): Promise<IdempotencyClaim | StoredIdempotency> {
  // ON CONFLICT DO UPDATE locks the row: of concurrent retries exactly one takes a stale claim
  // over; the others re-check the WHERE against its fresh claimed_at and get no row.
  const claimed = await db
    .insertInto('idempotency_keys')
    .values({ profile_id: profileId, key, method, path, request_hash: requestHash, claimed_at: sql`now()` })
    .onConflict((oc) =>
      oc
        .columns(['profile_id', 'key'])
        .doUpdateSet({ claimed_at: sql`now()` })
        .where('idempotency_keys.status_code', 'is', null)
        .where('idempotency_keys.request_hash', '=', requestHash)
        .where(sql<boolean>`coalesce(idempotency_keys.claimed_at, idempotency_keys.created_at) < now() - make_interval(secs => ${staleAfterMs / 1000})`),
    )
    .returning(sql<string>`claimed_at::text`.as('token'))
    .executeTakeFirst();
  if (claimed) return { token: claimed.token };
  const row = await db
    .selectFrom('idempotency_keys')
    .select([
      'request_hash',
      'method',
      'path',
      'status_code',
      'response',
      sql<number>`greatest(0, extract(epoch from coalesce(claimed_at, created_at) + make_interval(secs => ${staleAfterMs / 1000}) - now()) * 1000)::float8`.as('stale_in_ms'),
    ])
    .where('profile_id', '=', profileId)
    .where('key', '=', key)
    .executeTakeFirst();
  // Released between our insert and select: treat as claimed by someone else still running.
  if (!row) return { requestHash, method, path, statusCode: null, response: null, staleInMs: 1000 };
  return { requestHash: row.request_hash, method: row.method, path: row.path, statusCode: row.status_code, response: row.response, staleInMs: row.stale_in_ms };
}

export function isClaim(r: IdempotencyClaim | StoredIdempotency): r is IdempotencyClaim {
  return 'token' in r;
}

/**
 * Stores the response. Also when a successor took the claim over meanwhile: both ran the same
 * request, and for the requests this protects (Workflow Updates under the key's id, case
 * creation by case number) both got the same outcome.
 */
export async function completeIdempotencyKey(db: Db, profileId: string, key: string, statusCode: number, response: unknown): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ status_code: statusCode, response: response === undefined ? null : JSON.stringify(response) })
    .where('profile_id', '=', profileId)
    .where('key', '=', key)
    .execute();
}

/** Releases this request's claim so a retry runs again; a successor's claim is left alone. */
export async function releaseIdempotencyKey(db: Db, profileId: string, key: string, claim: IdempotencyClaim): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('profile_id', '=', profileId)
    .where('key', '=', key)
    .where('status_code', 'is', null)
    .where(sql<boolean>`claimed_at = ${claim.token}::timestamptz`)
    .execute();
}
