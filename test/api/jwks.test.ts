/**
 * Asymmetric tokens (RS256/ES256) verified against a JWKS URL (JWT_JWKS_URL), end to end: a real
 * HTTP server on 127.0.0.1 serves the key set, the real app fetches it through jose, and the
 * accepted tokens act under RLS like HS256 ones. HS256 from JWT_SECRET keeps working alongside.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import { createPracticeFixture, createUser, type PracticeFixture } from '../support/fixtures';
import { appWith, as, call, setupApi, tokenFor, type ApiEnv } from './support';
import { setupAndTeardown } from '../support/lifecycle';

interface SigningKey {
  alg: 'RS256' | 'ES256';
  kid: string;
  privateKey: KeyLike;
}

let env: ApiEnv;
let jwksServer: Server;
let jwksRequests = 0;
let rsa: SigningKey;
let ec: SigningKey;
let rsaPublicJwk: JWK;
let practice: PracticeFixture;
let other: PracticeFixture;

async function servedKey(alg: 'RS256' | 'ES256', kid: string): Promise<{ key: SigningKey; jwk: JWK }> {
  const { publicKey, privateKey } = await generateKeyPair(alg);
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { key: { alg, kid, privateKey }, jwk };
}

setupAndTeardown(async () => {
  const r = await servedKey('RS256', 'rsa-1');
  const e = await servedKey('ES256', 'ec-1');
  rsa = r.key;
  ec = e.key;
  rsaPublicJwk = r.jwk;
  const body = JSON.stringify({ keys: [r.jwk, e.jwk] });
  jwksServer = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/.well-known/jwks.json') {
      jwksRequests++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    jwksServer.once('error', reject);
    jwksServer.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = jwksServer.address() as AddressInfo;
  env = await setupApi({ config: { JWT_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json` } });
  practice = await createPracticeFixture(env.h.database.system);
  other = await createPracticeFixture(env.h.database.system);
}, [
  () => env?.close(),
  async () => {
    if (!jwksServer) return;
    // jose fetches through Node's keep-alive agent: drop idle sockets so close() returns.
    jwksServer.closeAllConnections();
    await new Promise<void>((resolve) => jwksServer.close(() => resolve()));
  },
]);

/** A token as an external identity provider would sign it; `sub` and `exp` unless left out. */
function signed(key: { alg: string; kid: string; privateKey: KeyLike }, opts: { sub?: string | null; exp?: number | string; claims?: Record<string, unknown> } = {}): Promise<string> {
  let jwt = new SignJWT({ ...opts.claims }).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' }).setIssuedAt();
  if (opts.sub !== null) jwt = jwt.setSubject(opts.sub ?? practice.members.doctor);
  jwt = jwt.setExpirationTime(opts.exp ?? '10m');
  return jwt.sign(key.privateKey);
}

async function expectRejected(token: string, message?: RegExp): Promise<void> {
  const res = await as(env.app, token).get('/me');
  expect(res.status).toBe(401);
  expect(res.body).toEqual({ error: { code: 'invalid_token', message: expect.any(String), details: null } });
  expect(res.headers['www-authenticate']).toBe('Bearer');
  if (message) expect(res.body.error.message).toMatch(message);
}

test('an RS256 token signed with the served key is accepted and acts as its subject under RLS', async () => {
  const token = await signed(rsa);
  const me = await as(env.app, token).get('/me');
  expect(me.status).toBe(200);
  expect(me.body.profile.id).toBe(practice.members.doctor);
  expect(me.body.memberships).toEqual([expect.objectContaining({ practiceId: practice.practiceId, role: 'doctor' })]);
  // The key came from the JWKS server.
  expect(jwksRequests).toBeGreaterThanOrEqual(1);

  // RLS: the practice's own patient is visible, another practice's is not there at all.
  const caller = as(env.app, token);
  const own = await caller.get(`/patients/${practice.patientId}`);
  expect(own.status).toBe(200);
  expect(own.body.id).toBe(practice.patientId);
  const foreign = await caller.get(`/patients/${other.patientId}`);
  expect(foreign.status).toBe(404);
  expect(foreign.body.error.code).toBe('not_found');
});

test('an ES256 token from the same key set is accepted too', async () => {
  const token = await signed(ec, { sub: other.members.owner, claims: { role: 'authenticated', aud: 'authenticated' } });
  const me = await as(env.app, token).get('/me');
  expect(me.status).toBe(200);
  expect(me.body.profile.id).toBe(other.members.owner);
  expect(me.body.memberships).toEqual([expect.objectContaining({ practiceId: other.practiceId, role: 'owner' })]);
  expect((await as(env.app, token).get(`/patients/${other.patientId}`)).status).toBe(200);
  expect((await as(env.app, token).get(`/patients/${practice.patientId}`)).status).toBe(404);
});

test('a token signed by another key under a served kid answers 401', async () => {
  const impostorRsa = (await servedKey('RS256', rsa.kid)).key;
  await expectRejected(await signed(impostorRsa));
  const impostorEc = (await servedKey('ES256', ec.kid)).key;
  await expectRejected(await signed(impostorEc));
  // A kid the set does not have, and a served kid used with the other algorithm.
  await expectRejected(await signed({ ...rsa, kid: 'unknown-kid' }));
  await expectRejected(await signed({ ...rsa, kid: ec.kid }));
});

test('an expired RS256 token answers 401 saying so', async () => {
  await expectRejected(await signed(rsa, { exp: Math.floor(Date.now() / 1000) - 60 }), /expired/);
});

test('an RS256 token without sub, without exp, with a non-uuid sub or a non-user role answers 401', async () => {
  await expectRejected(await signed(rsa, { sub: null }));
  const noExp = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: rsa.kid }).setSubject(practice.members.doctor).setIssuedAt().sign(rsa.privateKey);
  await expectRejected(noExp);
  await expectRejected(await signed(rsa, { sub: 'not-a-uuid' }), /subject/);
  await expectRejected(await signed(rsa, { claims: { role: 'service_role' } }));
  await expectRejected(await signed(rsa, { claims: { aud: 'someone-else' } }), /audience/);
});

test('HS256 tokens from JWT_SECRET still work alongside; the public key is no HMAC secret', async () => {
  const hs = await tokenFor(env.h.config, practice.members.technician);
  const me = await as(env.app, hs).get('/me');
  expect(me.status).toBe(200);
  expect(me.body.profile.id).toBe(practice.members.technician);
  expect(me.body.memberships).toEqual([expect.objectContaining({ practiceId: practice.practiceId, role: 'technician' })]);
  await expectRejected(await tokenFor(env.h.config, practice.members.technician, { secret: JSON.stringify(rsaPublicJwk) }));
  const none = await call(env.app, 'get', '/me');
  expect(none.status).toBe(401);
  expect(none.body.error.code).toBe('unauthorized');
});

test('without JWT_JWKS_URL an RS256 token is refused and HS256 is unaffected', async () => {
  const hsOnly = appWith(env, {});
  const res = await as(hsOnly, await signed(rsa)).get('/me');
  expect(res.status).toBe(401);
  expect(res.body.error.code).toBe('invalid_token');
  expect(res.body.error.message).toMatch(/RS256/);
  const user = await createUser(env.h.database.system, 'hsonly');
  expect((await as(hsOnly, await tokenFor(env.h.config, user)).get('/me')).status).toBe(200);
});

test('an unreachable key server answers 503 with Retry-After, not 401: an outage must not sign users out', async () => {
  // A port that was just free: nothing listens there.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const down = appWith(env, { JWT_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json` });
  const res = await as(down, await signed(rsa)).get('/me');
  expect(res.status).toBe(503);
  expect(res.body).toEqual({ error: { code: 'service_unavailable', message: expect.stringMatching(/signing keys/i), details: null } });
  expect(res.headers['retry-after']).toBeDefined();
});

test('with JWT_ACCEPTED_ISSUERS only those issuers and our own (JWT_ISSUER) are accepted', async () => {
  const strict = appWith(env, { JWT_JWKS_URL: env.h.config.JWT_JWKS_URL!, JWT_ACCEPTED_ISSUERS: 'https://idp.example/, https://other.example/' });
  expect((await as(strict, await signed(rsa, { claims: { iss: 'https://idp.example/' } })).get('/me')).status).toBe(200);
  expect((await as(strict, await signed(ec, { claims: { iss: 'https://other.example/' } })).get('/me')).status).toBe(200);
  const foreign = await as(strict, await signed(rsa, { claims: { iss: 'https://evil.example/' } })).get('/me');
  expect(foreign.status).toBe(401);
  expect(foreign.body.error).toMatchObject({ code: 'invalid_token', message: expect.stringMatching(/issuer/) });
  expect((await as(strict, await signed(rsa)).get('/me')).status).toBe(401); // no iss at all
  // HS256: our own issuer passes (what /auth/login issues), an unlisted one does not.
  const user = await createUser(env.h.database.system, 'issuer-check');
  expect((await as(strict, await tokenFor(env.h.config, user, { claims: { iss: env.h.config.JWT_ISSUER } })).get('/me')).status).toBe(200);
  expect((await as(strict, await tokenFor(env.h.config, user, { claims: { iss: 'https://evil.example/' } })).get('/me')).status).toBe(401);
});
