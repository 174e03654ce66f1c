/**
 * Credentials and refresh tokens (backend-only tables: callers pass the system handle).
 * Refresh tokens are stored as sha256 hashes; the token itself is never stored.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../db/database';

type Handle = Db | Tx;

export async function findCredentialsByEmail(db: Handle, email: string): Promise<{ profileId: string; email: string; passwordHash: string } | null> {
  const row = await db
    .selectFrom('profiles as p')
    .innerJoin('user_credentials as c', 'c.profile_id', 'p.id')
    .select(['p.id', 'p.email', 'c.password_hash'])
    .where(sql`lower(p.email)`, '=', email.trim().toLowerCase())
    .executeTakeFirst();
  return row ? { profileId: row.id, email: row.email, passwordHash: row.password_hash } : null;
}

export async function setPassword(db: Handle, profileId: string, passwordHash: string): Promise<void> {
  await db
    .insertInto('user_credentials')
    .values({ profile_id: profileId, password_hash: passwordHash })
    .onConflict((oc) => oc.column('profile_id').doUpdateSet({ password_hash: passwordHash }))
    .execute();
}

export async function insertRefreshToken(db: Handle, profileId: string, tokenHash: string, ttlSeconds: number): Promise<{ id: string; expiresAt: Date }> {
  const row = await db
    .insertInto('refresh_tokens')
    .values({ profile_id: profileId, token_hash: tokenHash, expires_at: sql`now() + make_interval(secs => ${ttlSeconds})` })
    .returning(['id', 'expires_at'])
    .executeTakeFirstOrThrow();
  return { id: row.id, expiresAt: row.expires_at };
}

export async function lockRefreshToken(trx: Tx, tokenHash: string) {
  return trx
    .selectFrom('refresh_tokens as t')
    .innerJoin('profiles as p', 'p.id', 't.profile_id')
    .select(['t.id', 't.profile_id', 't.revoked_at', 't.replaced_by', sql<boolean>`t.expires_at <= now()`.as('expired'), 'p.email'])
    .where('t.token_hash', '=', tokenHash)
    .forUpdate('t')
    .executeTakeFirst();
}

export async function revokeRefreshToken(db: Handle, id: string, replacedBy: string | null): Promise<void> {
  await db.updateTable('refresh_tokens').set({ revoked_at: sql`coalesce(revoked_at, now())`, replaced_by: replacedBy }).where('id', '=', id).execute();
}

export async function revokeRefreshTokenByHash(db: Handle, tokenHash: string): Promise<void> {
  await db.updateTable('refresh_tokens').set({ revoked_at: sql`now()` }).where('token_hash', '=', tokenHash).where('revoked_at', 'is', null).execute();
}

/** Revokes every live refresh token of a profile (a rotated token was replayed: assume theft). */
export async function revokeAllRefreshTokens(db: Handle, profileId: string): Promise<void> {
  await db.updateTable('refresh_tokens').set({ revoked_at: sql`now()` }).where('profile_id', '=', profileId).where('revoked_at', 'is', null).execute();
}
