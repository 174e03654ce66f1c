/**
 * API test support: the real app (createApp) over a real harness (PostgreSQL, Temporal, worker),
 * tokens signed like Supabase does (HS256, sub = profile id), and a request helper that checks
 * every response against the app's own OpenAPI document (ajv, JSON Schema 2020-12).
 */
import { randomUUID } from 'node:crypto';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import argon2 from 'argon2';
import type express from 'express';
import { SignJWT } from 'jose';
import request from 'supertest';
import { createApp } from '../../src/api/server';
import type { Config } from '../../src/config';
import { createHarness, testConfig, type Harness } from '../support/harness';
import { createTemplate } from '../support/fixtures';
import { clearAlignerTemplate } from '../../src/seed/templates';

export interface ApiEnv {
  h: Harness;
  app: express.Express;
  templateId: string;
  close(): Promise<void>;
}

export async function setupApi(opts: { config?: Record<string, string> } = {}): Promise<ApiEnv> {
  const h = await createHarness({ config: opts.config });
  try {
    const app = createApp({ config: h.config, database: h.database, temporal: h.client, cases: h.cases });
    const templateId = await createTemplate(h.database.system, clearAlignerTemplate({ name: `Aligners ${randomUUID().slice(0, 8)}` }));
    await loadContract(app);
    return { h, app, templateId, close: () => h.close() };
  } catch (err) {
    // Failed halfway: close the harness here, since the caller never gets it to close.
    await h.close();
    throw err;
  }
}

/** Another app on the same servers with other settings (e.g. a low login limit). */
export function appWith(env: ApiEnv, overrides: Record<string, string>): express.Express {
  const config: Config = { ...testConfig(overrides), DATABASE_URL: env.h.config.DATABASE_URL };
  return createApp({ config, database: env.h.database, temporal: env.h.client, cases: env.h.cases });
}

export async function tokenFor(config: Config, profileId: string, opts: { expiresIn?: string | number; secret?: string; claims?: Record<string, unknown> } = {}): Promise<string> {
  const secret = new TextEncoder().encode(opts.secret ?? config.JWT_SECRET!);
  return new SignJWT({ role: 'authenticated', aud: 'authenticated', ...opts.claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(profileId)
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? '10m')
    .sign(secret);
}

export async function setPassword(env: ApiEnv, profileId: string, password: string): Promise<void> {
  const hash = await argon2.hash(password, { type: argon2.argon2id });
  await env.h.database.system.insertInto('user_credentials').values({ profile_id: profileId, password_hash: hash }).execute();
}

// ---- contract ---------------------------------------------------------------------------------

type Doc = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> };
let doc: Doc | undefined;
let ajv: Ajv2020 | undefined;
const routes: Array<{ template: string; re: RegExp; params: number }> = [];

export async function loadContract(app: express.Express): Promise<Doc> {
  if (doc) return doc;
  const res = await request(app).get('/openapi.json').expect(200);
  doc = res.body as Doc;
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(doc, 'doc');
  for (const template of Object.keys(doc.paths)) {
    const params = (template.match(/\{/g) ?? []).length;
    routes.push({ template, params, re: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`) });
  }
  routes.sort((a, b) => a.params - b.params);
  return doc;
}

const pointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** Validates a response body against the OpenAPI document; throws with ajv's errors. */
export function expectContract(method: string, url: string, status: number, body: unknown, contentType: string | undefined): void {
  if (!doc || !ajv) throw new Error('contract not loaded');
  const path = url.split('?')[0]!;
  const route = routes.find((r) => r.re.test(path) && doc!.paths[r.template]![method.toLowerCase()]);
  if (!route) {
    // Not a documented route (unknown routes answer 404 in the error shape).
    expect(status).toBe(404);
    validate('#/components/schemas/Error', body, `${method} ${path} ${status}`);
    return;
  }
  const op = doc.paths[route.template]![method.toLowerCase()]!;
  const response = op.responses[String(status)];
  if (!response) throw new Error(`${method} ${route.template} answered ${status}, which the OpenAPI document does not list`);
  if (!response.content) {
    expect(body === undefined || body === '' || (typeof body === 'object' && body !== null && Object.keys(body).length === 0)).toBe(true);
    return;
  }
  if (!contentType?.startsWith('application/json')) return; // binary downloads
  validate(`#/paths/${pointer(route.template)}/${method.toLowerCase()}/responses/${status}/content/${pointer('application/json')}/schema`, body, `${method} ${route.template} ${status}`);
}

function validate(ptr: string, body: unknown, what: string): void {
  const fn = ajv!.getSchema(`doc${ptr.replace(/[{}]/g, (c) => encodeURIComponent(c))}`);
  if (!fn) throw new Error(`no schema at ${ptr}`);
  if (!fn(body)) throw new Error(`${what}: response does not match the OpenAPI document: ${ajv!.errorsText(fn.errors)}\n${JSON.stringify(body).slice(0, 1500)}`);
}

// ---- requests ---------------------------------------------------------------------------------

export interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Response = request.Response;

/** One request; the response is checked against the OpenAPI document before it is returned. */
export async function call(app: express.Express, method: 'get' | 'post' | 'patch' | 'put' | 'delete', url: string, opts: CallOptions = {}): Promise<Response> {
  let req = request(app)[method](url);
  if (opts.token) req = req.set('Authorization', `Bearer ${opts.token}`);
  for (const [k, v] of Object.entries(opts.headers ?? {})) req = req.set(k, v);
  const res = opts.body !== undefined ? await req.send(opts.body as object) : await req;
  expectContract(method, url, res.status, res.body, res.headers['content-type']);
  return res;
}

/** A client bound to one caller. */
export function as(app: express.Express, token: string) {
  return {
    get: (url: string, o: Omit<CallOptions, 'token'> = {}) => call(app, 'get', url, { ...o, token }),
    post: (url: string, body?: unknown, o: Omit<CallOptions, 'token' | 'body'> = {}) => call(app, 'post', url, { ...o, body: body ?? {}, token }),
    patch: (url: string, body: unknown, o: Omit<CallOptions, 'token' | 'body'> = {}) => call(app, 'patch', url, { ...o, body, token }),
    delete: (url: string, o: Omit<CallOptions, 'token'> = {}) => call(app, 'delete', url, { ...o, token }),
  };
}
export type Caller = ReturnType<typeof as>;
