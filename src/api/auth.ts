/**
 * Bearer tokens, Supabase-compatible: HS256 signed with JWT_SECRET (what Supabase Auth and our
 * own /auth/login issue), and optionally RS256/ES256 verified against JWT_JWKS_URL. `sub` is the
 * profile id; the claims are handed to PostgreSQL as `request.jwt.claims`, so RLS decides.
 */
import { createSecretKey } from 'node:crypto';
import type { Request } from 'express';
import { createRemoteJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { required, type Config } from '../config';
import type { ActorClaims } from '../db/database';
import { ApiError } from './errors';
import { ctx } from './context';
import { z } from './zod';
import { currentAuditScope } from '../db/database';

const ZUuidSub = z.uuid();

export interface Authenticator {
  /** Verifies the request's bearer token and puts the actor in the request context. */
  authenticate(req: Request): Promise<ActorClaims>;
  verify(token: string): Promise<ActorClaims>;
  issueAccessToken(subject: { profileId: string; email: string }): Promise<{ token: string; expiresIn: number }>;
}

export function createAuthenticator(config: Config): Authenticator {
  const secret = new TextEncoder().encode(required(config, 'JWT_SECRET', 'the API verifies and signs access tokens with it'));
  // The same key as a KeyObject, made once: given the bytes, jose makes one per verification
  // (createSecretKey on every request; session 12, s-api, bench/SEARCH.md).
  const verifyKey = createSecretKey(secret);
  const jwks = config.JWT_JWKS_URL ? createRemoteJWKSet(new URL(config.JWT_JWKS_URL)) : null;
  // Our own tokens always carry JWT_ISSUER; others are checked only when a list is configured.
  const accepted = config.JWT_ACCEPTED_ISSUERS?.split(',').map((i) => i.trim()).filter(Boolean);
  const issuer = accepted?.length ? { issuer: [config.JWT_ISSUER, ...accepted] } : {};

  async function verify(token: string): Promise<ActorClaims> {
    let payload: JWTPayload;
    try {
      const { alg } = decodeProtectedHeader(token);
      if (alg === 'HS256') {
        ({ payload } = await jwtVerify(token, verifyKey, { algorithms: ['HS256'], requiredClaims: ['sub', 'exp'], ...issuer }));
      } else if (jwks && (alg === 'RS256' || alg === 'ES256')) {
        ({ payload } = await jwtVerify(token, jwks, { algorithms: ['RS256', 'ES256'], requiredClaims: ['sub', 'exp'], ...issuer }).catch((err: unknown) => {
          // The key server timing out or unreachable says nothing about the token: answering
          // 401 would sign users out during an identity-provider outage. 503: retry shortly.
          if (err instanceof joseErrors.JWKSTimeout || !(err instanceof joseErrors.JOSEError)) {
            ctx().log.error({ err, jwks: config.JWT_JWKS_URL }, 'cannot fetch the signing keys');
            throw new ApiError(503, 'service_unavailable', 'Signing keys are unavailable; retry shortly.', null, { 'retry-after': '5' });
          }
          throw err;
        }));
      } else {
        throw ApiError.unauthorized(`Token algorithm ${alg ?? 'none'} is not accepted.`, 'invalid_token');
      }
    } catch (err) {
      if (err instanceof ApiError) throw err;
      if (err instanceof joseErrors.JWTExpired) throw ApiError.unauthorized('The token has expired.', 'invalid_token');
      if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === 'iss') throw ApiError.unauthorized('The token is from an issuer that is not accepted.', 'invalid_token');
      throw ApiError.unauthorized('The token is invalid.', 'invalid_token');
    }
    if (!ZUuidSub.safeParse(payload.sub).success) throw ApiError.unauthorized('The token has no valid subject.', 'invalid_token');
    // Supabase also signs anon/service_role tokens with the same secret: only users act here.
    if (payload.role !== undefined && payload.role !== 'authenticated') throw ApiError.unauthorized('Only user tokens are accepted.', 'invalid_token');
    const aud = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (aud.length > 0 && !aud.includes('authenticated')) throw ApiError.unauthorized('The token is for another audience.', 'invalid_token');
    return { ...payload, sub: payload.sub!, role: 'authenticated' };
  }

  return {
    verify,
    async authenticate(req) {
      const header = req.get('authorization');
      const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
      if (!m) throw ApiError.unauthorized('Send a bearer token (Authorization: Bearer <token>).');
      const claims = await verify(m[1]!);
      const c = ctx();
      c.actor = { profileId: claims.sub, claims };
      // Writes on the system handle for this caller are audited as theirs (0050: mdw.actor_id).
      const scope = currentAuditScope();
      if (scope) scope.actorId = claims.sub;
      c.log = c.log.child({ actor: claims.sub });
      return claims;
    },
    async issueAccessToken({ profileId, email }) {
      const expiresIn = config.ACCESS_TOKEN_TTL_SECONDS;
      const token = await new SignJWT({ role: 'authenticated', email })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(profileId)
        .setIssuer(config.JWT_ISSUER)
        .setAudience('authenticated')
        .setIssuedAt()
        .setExpirationTime(`${expiresIn}s`)
        .sign(secret);
      return { token, expiresIn };
    },
  };
}
