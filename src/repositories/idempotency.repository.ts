/**
 * Idempotency-Key bookkeeping (backend-only table: callers pass the system handle).
 * A key is claimed before the request runs (status NULL), completed with the response, and
 * released when the request failed so that a retry can run again.
 */
import type { Db } from '../db/database';

export interface StoredIdempotency {
  requestHash: string;
  method: string;
  path: string;
  statusCode: number | null;
  response: unknown;
}

/** Claims (profileId, key); returns null when claimed now, else the existing record. */
export async function claimIdempotencyKey(db: Db, profileId: string, key: string, method: string, path: string, requestHash: string): Promise<StoredIdempotency | null> {
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({ profile_id: profileId, key, method, path, request_hash: requestHash })
    .onConflict((oc) => oc.columns(['profile_id', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  if (inserted) return null;
  const row = await db
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'method', 'path', 'status_code', 'response'])
    .where('profile_id', '=', profileId)
    .where('key', '=', key)
    .executeTakeFirst();
  // Released between our insert and select: treat as claimed by someone else still running.
  if (!row) return { requestHash: requestHash, method, path, statusCode: null, response: null };
  return { requestHash: row.request_hash, method: row.method, path: row.path, statusCode: row.status_code, response: row.response };
}

export async function completeIdempotencyKey(db: Db, profileId: string, key: string, statusCode: number, response: unknown): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ status_code: statusCode, response: response === undefined ? null : JSON.stringify(response) })
    .where('profile_id', '=', profileId)
    .where('key', '=', key)
    .execute();
}

export async function releaseIdempotencyKey(db: Db, profileId: string, key: string): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('profile_id', '=', profileId).where('key', '=', key).where('status_code', 'is', null).execute();
}
