/** Standalone sign-in: login, refresh (rotating), logout. Supabase deployments use Supabase Auth. */
import { AuthError, type Session } from '../../services/auth.service';
import { ApiError } from '../errors';
import { route, type RouteKit } from '../route';
import type { ApiServices } from '../types';
import { ZEmail, ZText } from '../common';
import { z } from '../zod';

export const ZLoginBody = z.object({ email: ZEmail, password: ZText({ min: 1, max: 1000 }) }).openapi('LoginBody');
export type TLoginBody = z.infer<typeof ZLoginBody>;
export const ZRefreshBody = z.object({ refreshToken: ZText({ min: 20, max: 200 }) }).openapi('RefreshBody');
export type TRefreshBody = z.infer<typeof ZRefreshBody>;
export const ZSession = z
  .object({
    accessToken: z.string(),
    tokenType: z.literal('bearer'),
    expiresIn: z.number().int().openapi({ description: 'Seconds until the access token expires.' }),
    refreshToken: z.string(),
    refreshExpiresAt: z.string().openapi({ format: 'date-time' }),
    profileId: z.uuid(),
  })
  .openapi('Session');
export type TSession = z.infer<typeof ZSession>;

const toSession = (s: Session): TSession => ({ ...s, refreshExpiresAt: s.refreshExpiresAt.toISOString() });

export function authRoutes(kit: RouteKit, s: ApiServices): void {
  route(kit, {
    method: 'post',
    path: '/auth/login',
    tags: ['auth'],
    summary: 'Sign in with email and password',
    description: 'Answers a short-lived access token and an opaque refresh token. Attempts are limited per email and IP.',
    auth: false,
    body: ZLoginBody,
    response: ZSession,
    errors: [401, 429],
    handler: async ({ body, req }) => {
      s.loginLimiter.hit(`${body.email.toLowerCase()}|${req.ip ?? ''}`);
      try {
        return toSession(await s.authService.login(body.email, body.password));
      } catch (err) {
        if (err instanceof AuthError) throw ApiError.unauthorized(err.message, 'invalid_credentials');
        throw err;
      }
    },
  });

  route(kit, {
    method: 'post',
    path: '/auth/refresh',
    tags: ['auth'],
    summary: 'Exchange a refresh token for a new session (the old refresh token is revoked)',
    auth: false,
    body: ZRefreshBody,
    response: ZSession,
    errors: [401],
    handler: async ({ body }) => {
      try {
        return toSession(await s.authService.refresh(body.refreshToken));
      } catch (err) {
        if (err instanceof AuthError) throw ApiError.unauthorized(err.message, 'invalid_token');
        throw err;
      }
    },
  });

  route(kit, {
    method: 'post',
    path: '/auth/logout',
    tags: ['auth'],
    summary: 'Revoke a refresh token',
    auth: false,
    body: ZRefreshBody,
    handler: async ({ body }) => {
      await s.authService.logout(body.refreshToken);
    },
  });
}
