/**
 * Standalone sign-in (deployments on Supabase use Supabase Auth instead): email + password
 * (argon2id) → short-lived access token + opaque refresh token, rotated on every use. Reusing a
 * rotated refresh token revokes all of that person's refresh tokens. Runs on the system handle:
 * nobody is signed in yet, and the credential tables are backend-only.
 */
import { createHash, randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import type { Db, Tx } from '../db/database';
import {
  findCredentialsByEmail,
  insertRefreshToken,
  lockRefreshToken,
  revokeAllRefreshTokens,
  revokeRefreshToken,
  revokeRefreshTokenByHash,
} from '../repositories/auth.repository';

export interface TokenIssuer {
  issueAccessToken(subject: { profileId: string; email: string }): Promise<{ token: string; expiresIn: number }>;
}

export interface Session {
  accessToken: string;
  tokenType: 'bearer';
  expiresIn: number;
  refreshToken: string;
  refreshExpiresAt: Date;
  profileId: string;
}

export class AuthError extends Error {
  constructor(readonly reason: 'invalid_credentials' | 'invalid_refresh_token') {
    super(reason === 'invalid_credentials' ? 'Email or password is wrong.' : 'The refresh token is invalid, expired or revoked.');
  }
}

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

// Verified against when the email is unknown, so both paths cost one argon2 verification.
let dummyHash: Promise<string> | undefined;

export function createAuthService(deps: { system: Db; tokens: TokenIssuer; refreshTtlSeconds: number }) {
  const { system, tokens, refreshTtlSeconds } = deps;

  async function newSession(profileId: string, email: string, db: Db | Tx = system): Promise<Session & { refreshId: string }> {
    const refreshToken = randomBytes(32).toString('base64url');
    const stored = await insertRefreshToken(db, profileId, sha256(refreshToken), refreshTtlSeconds);
    const access = await tokens.issueAccessToken({ profileId, email });
    return { accessToken: access.token, tokenType: 'bearer', expiresIn: access.expiresIn, refreshToken, refreshExpiresAt: stored.expiresAt, profileId, refreshId: stored.id };
  }

  return {
    async login(email: string, password: string): Promise<Session> {
      const cred = await findCredentialsByEmail(system, email);
      if (!cred) {
        dummyHash ??= argon2.hash('not-a-password', { type: argon2.argon2id });
        await argon2.verify(await dummyHash, password).catch(() => false);
        throw new AuthError('invalid_credentials');
      }
      const ok = await argon2.verify(cred.passwordHash, password).catch(() => false);
      if (!ok) throw new AuthError('invalid_credentials');
      const { refreshId: _, ...session } = await newSession(cred.profileId, cred.email);
      return session;
    },

    async refresh(refreshToken: string): Promise<Session> {
      const result = await system.transaction().execute(async (trx) => {
        const row = await lockRefreshToken(trx, sha256(refreshToken));
        if (!row) return { error: true as const };
        if (row.revoked_at) {
          if (row.replaced_by) await revokeAllRefreshTokens(trx, row.profile_id);
          return { error: true as const };
        }
        if (row.expired) return { error: true as const };
        const next = await newSession(row.profile_id, row.email, trx);
        await revokeRefreshToken(trx, row.id, next.refreshId);
        const { refreshId: _, ...session } = next;
        return { session };
      });
      // Thrown outside the transaction so a detected replay's revocation commits.
      if ('error' in result) throw new AuthError('invalid_refresh_token');
      return result.session;
    },

    async logout(refreshToken: string): Promise<void> {
      await revokeRefreshTokenByHash(system, sha256(refreshToken));
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
