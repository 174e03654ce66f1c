/**
 * The one API client: openapi-fetch over the types generated from the API's /openapi.json
 * (schema.d.ts, made by the build), so a changed route breaks `npm run web:build`.
 * Every request carries the session's access token, refreshed shortly before it expires; a 401
 * ends the session and sends the user to sign in, then back to where they were.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';
import { session } from '../lib/session';

export type Schemas = components['schemas'];
export type ApiError = Schemas['Error'];

const auth: Middleware = {
  async onRequest({ request, schemaPath }) {
    if (schemaPath.startsWith('/auth/')) return request;
    const token = await session.accessToken();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ response, schemaPath }) {
    if (response.status === 401 && !schemaPath.startsWith('/auth/')) session.expire();
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: '' });
api.use(auth);
// The refresh call goes through a client without the middleware (it must not wait on itself).
export const authApi = createClient<paths>({ baseUrl: '' });
session.setRefresher(async (refreshToken) => {
  const { data } = await authApi.POST('/auth/refresh', { body: { refreshToken } });
  return data ?? null;
});
