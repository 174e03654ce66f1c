/** Sign-in, tokens, and the error shape at the edge. */
import request from 'supertest';
import { createUser } from '../support/fixtures';
import { appWith, as, call, setPassword, setupApi, tokenFor, type ApiEnv } from './support';
import { setupAndTeardown } from '../support/lifecycle';

let env: ApiEnv;
setupAndTeardown(async () => {
  env = await setupApi();
}, [() => env?.close()]);

async function userWithPassword(password = 'correct horse battery') {
  const id = await createUser(env.h.database.system, 'login');
  const p = await env.h.database.system.selectFrom('profiles').select('email').where('id', '=', id).executeTakeFirstOrThrow();
  await setPassword(env, id, password);
  return { id, email: p.email, password };
}

test('login answers an access token that works and a refresh token stored only as a hash', async () => {
  const u = await userWithPassword();
  const res = await call(env.app, 'post', '/auth/login', { body: { email: u.email.toUpperCase(), password: u.password } });
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ tokenType: 'bearer', profileId: u.id, expiresIn: env.h.config.ACCESS_TOKEN_TTL_SECONDS });

  const me = await as(env.app, res.body.accessToken).get('/me');
  expect(me.status).toBe(200);
  expect(me.body.profile.id).toBe(u.id);

  const stored = await env.h.database.system.selectFrom('refresh_tokens').select('token_hash').where('profile_id', '=', u.id).execute();
  expect(stored).toHaveLength(1);
  expect(stored[0]!.token_hash).not.toBe(res.body.refreshToken);
  expect(stored[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
});

test('a wrong password or an unknown email answers 401 invalid_credentials', async () => {
  const u = await userWithPassword();
  const wrong = await call(env.app, 'post', '/auth/login', { body: { email: u.email, password: 'nope' } });
  expect(wrong.status).toBe(401);
  expect(wrong.body.error.code).toBe('invalid_credentials');
  const unknown = await call(env.app, 'post', '/auth/login', { body: { email: 'nobody-here@test.mdw', password: 'nope' } });
  expect(unknown.status).toBe(401);
  expect(unknown.body.error.code).toBe('invalid_credentials');
});

test('refresh rotates the token; replaying the old one fails and revokes the new one', async () => {
  const u = await userWithPassword();
  const login = await call(env.app, 'post', '/auth/login', { body: { email: u.email, password: u.password } });
  const first = login.body.refreshToken as string;

  const r1 = await call(env.app, 'post', '/auth/refresh', { body: { refreshToken: first } });
  expect(r1.status).toBe(200);
  expect(r1.body.refreshToken).not.toBe(first);
  expect((await as(env.app, r1.body.accessToken).get('/me')).status).toBe(200);

  const replay = await call(env.app, 'post', '/auth/refresh', { body: { refreshToken: first } });
  expect(replay.status).toBe(401);
  expect(replay.body.error.code).toBe('invalid_token');
  // The replay revoked the whole family: the rotated token is dead too.
  const afterReplay = await call(env.app, 'post', '/auth/refresh', { body: { refreshToken: r1.body.refreshToken } });
  expect(afterReplay.status).toBe(401);
});

test('logout revokes the refresh token', async () => {
  const u = await userWithPassword();
  const login = await call(env.app, 'post', '/auth/login', { body: { email: u.email, password: u.password } });
  const out = await call(env.app, 'post', '/auth/logout', { body: { refreshToken: login.body.refreshToken } });
  expect(out.status).toBe(204);
  const again = await call(env.app, 'post', '/auth/refresh', { body: { refreshToken: login.body.refreshToken } });
  expect(again.status).toBe(401);
});

test('login attempts are limited per email and IP (429 with Retry-After)', async () => {
  const app = appWith(env, { LOGIN_MAX_ATTEMPTS_PER_MINUTE: '3' });
  const u = await userWithPassword();
  for (let i = 0; i < 3; i++) expect((await call(app, 'post', '/auth/login', { body: { email: u.email, password: 'bad' } })).status).toBe(401);
  const limited = await call(app, 'post', '/auth/login', { body: { email: u.email, password: u.password } });
  expect(limited.status).toBe(429);
  expect(limited.body.error.code).toBe('too_many_requests');
  expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  // Another email from the same IP is counted separately.
  const other = await userWithPassword();
  expect((await call(app, 'post', '/auth/login', { body: { email: other.email, password: other.password } })).status).toBe(200);
});

test('a bad signature, an expired token, a non-user token or no token answers 401', async () => {
  const id = await createUser(env.h.database.system, 'tok');
  const badSig = await tokenFor(env.h.config, id, { secret: 'another-secret-another-secret-another-0' });
  const expired = await tokenFor(env.h.config, id, { expiresIn: Math.floor(Date.now() / 1000) - 60 });
  const anon = await tokenFor(env.h.config, id, { claims: { role: 'anon' } });
  for (const token of [badSig, expired, anon, 'not-a-jwt']) {
    const res = await as(env.app, token).get('/me');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('invalid_token');
    expect(res.headers['www-authenticate']).toBe('Bearer');
  }
  expect((await as(env.app, expired).get('/me')).body.error.message).toMatch(/expired/);
  const none = await call(env.app, 'get', '/me');
  expect(none.status).toBe(401);
  expect(none.body.error.code).toBe('unauthorized');
  expect((await as(env.app, await tokenFor(env.h.config, id)).get('/me')).status).toBe(200);
});

test('malformed JSON is 400, a body over the limit 413, invalid fields are named, unknown routes 404', async () => {
  const token = await tokenFor(env.h.config, await createUser(env.h.database.system, 'edge'));
  const malformed = await request(env.app).post('/patients').set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/json').send('{"practiceId": ');
  expect(malformed.status).toBe(400);
  expect(malformed.body.error.code).toBe('malformed_json');

  const big = await request(env.app).post('/auth/login').set('Content-Type', 'application/json').send(JSON.stringify({ email: 'a@b.cd', password: 'x'.repeat(1_100_000) }));
  expect(big.status).toBe(413);
  expect(big.body.error.code).toBe('payload_too_large');

  const invalid = await as(env.app, token).post('/patients', { practiceId: 'nope', firstName: '', lastName: 'X', dateOfBirth: '1990-13-45' });
  expect(invalid.status).toBe(400);
  expect(invalid.body.error.code).toBe('validation_failed');
  expect(invalid.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['dateOfBirth', 'firstName', 'practiceId']);

  const badId = await as(env.app, token).get('/cases/not-a-uuid');
  expect(badId.status).toBe(400);
  expect(badId.body.error.details[0].field).toBe('params.id');

  const unknown = await as(env.app, token).get('/no/such/route');
  expect(unknown.status).toBe(404);
  expect(unknown.body.error.code).toBe('not_found');
  expect(unknown.headers['x-request-id']).toBeTruthy();
});

test('health reports PostgreSQL and Temporal; docs and the OpenAPI document are served', async () => {
  const health = await call(env.app, 'get', '/health');
  expect(health.status).toBe(200);
  expect(health.body).toEqual({ status: 'ok', checks: { database: 'up', temporal: 'up' } });
  const docs = await request(env.app).get('/docs');
  expect(docs.status).toBe(200);
  expect(docs.text).toContain('/cases/{id}/tasks/{taskId}/decision');
});

test('an unexpected error answers 500 without internals, with the request id', async () => {
  const { createApp } = await import('../../src/api/server');
  const broken = createApp({
    config: env.h.config,
    database: { ...env.h.database, asActor: () => Promise.reject(new Error('connection string postgres://secret@db')) },
    temporal: env.h.client,
    cases: env.h.cases,
  });
  const token = await tokenFor(env.h.config, await createUser(env.h.database.system, 'boom'));
  const res = await request(broken).get('/me').set('Authorization', `Bearer ${token}`).set('X-Request-Id', 'req-boom-1');
  expect(res.status).toBe(500);
  expect(res.body).toEqual({ error: { code: 'internal_error', message: 'Internal server error.', details: null } });
  expect(res.headers['x-request-id']).toBe('req-boom-1');
  expect(JSON.stringify(res.body)).not.toContain('secret');
});

test('an exhausted connection pool answers 503 with Retry-After instead of queueing forever', async () => {
  const { createApp } = await import('../../src/api/server');
  const { createDatabase } = await import('../../src/db/database');
  const tiny = createDatabase(env.h.config.DATABASE_URL!, { max: 1, waitMs: 200 });
  const held = await tiny.pool.connect(); // the only connection, busy elsewhere
  try {
    const app = createApp({ config: env.h.config, database: tiny, temporal: env.h.client, cases: env.h.cases });
    const token = await tokenFor(env.h.config, await createUser(env.h.database.system, 'busy'));
    const res = await request(app).get('/me').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.body.error.code).toBe('service_unavailable');
  } finally {
    held.release();
    await tiny.destroy();
  }
});
