/**
 * One declaration per route: its zod schemas register the route with Express AND with the
 * OpenAPI registry, so the document cannot drift from what the handler accepts. The wrapper
 * parses params, query and body (400 naming the fields), authenticates, applies the
 * Idempotency-Key protocol to POSTs that opt in, and sends the handler's result.
 */
import type { Request, Response, Router } from 'express';
import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import { ApiError, ZError, zodDetails } from './errors';
import { assertCleanInput } from './input-guard';
import { ctx, runWithContext, type RequestContext } from './context';
import type { Authenticator } from './auth';
import type { Idempotency } from './idempotency';
import { z } from './zod';

type Schema = z.ZodType;
type Infer<S> = S extends z.ZodType ? z.output<S> : undefined;
type Result<R> = R extends z.ZodType ? z.input<R> : void;

export type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

export interface RouteDef<P extends Schema | undefined, Q extends Schema | undefined, B extends Schema | undefined, R extends Schema | undefined> {
  method: Method;
  /** Express syntax (`/cases/:id`); the OpenAPI path is derived (`/cases/{id}`). */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  /** Whether a bearer token is required. @default true */
  auth?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  /** A body that is not JSON (file upload): content types accepted, documented as binary. */
  rawBody?: string[];
  /** Success status. @default 200 (204 when there is no response schema) */
  status?: number;
  response?: R;
  /** A non-JSON success response (file download): its content type. */
  rawResponse?: string;
  responseDescription?: string;
  /** Error statuses this route may answer besides the common ones. */
  errors?: number[];
  /** Other documented responses with their own body (e.g. 503 of /health). */
  altResponses?: Record<number, { description: string; schema: Schema }>;
  /** POST only: honour the Idempotency-Key header (a retry returns the first result). */
  idempotent?: boolean;
  handler: (input: { params: Infer<P>; query: Infer<Q>; body: Infer<B>; req: Request; res: Response }) => Promise<Result<R>>;
}

const errorText: Record<number, string> = {
  400: 'Invalid input; `details` names the fields. No string, key or parameter may contain U+0000; JSON nests at most 64 levels.',
  401: 'Missing, invalid or expired token.',
  403: 'Not allowed.',
  404: 'Not found (also for resources of other practices).',
  409: 'Conflict.',
  413: 'Payload too large.',
  415: 'Unsupported media type.',
  422: 'Refused by a business rule (code says which).',
  429: 'Too many attempts.',
  500: 'Unexpected error.',
  503: 'Overloaded, or a dependency (database, Temporal, signing keys) is unavailable; retry after Retry-After seconds.',
};

export interface RouteKit {
  router: Router;
  registry: OpenAPIRegistry;
  auth: Authenticator;
  idempotency: Idempotency;
}

/** Registers one route on `kit.router` and in `kit.registry`. */
export function route<P extends Schema | undefined = undefined, Q extends Schema | undefined = undefined, B extends Schema | undefined = undefined, R extends Schema | undefined = undefined>(
  kit: RouteKit,
  def: RouteDef<P, Q, B, R>,
): void {
  const needsAuth = def.auth !== false;
  const status = def.status ?? (def.response || def.rawResponse ? 200 : 204);
  document(kit.registry, def, needsAuth, status);

  kit.router[def.method](def.path, (req: Request, res: Response) => runWithContext(res.locals.ctx as RequestContext, () => handle(req, res)));

  async function handle(req: Request, res: Response): Promise<void> {
    const c = ctx();
    // Body and query were checked by inputGuard before any route; path parameters exist only here.
    assertCleanInput(req.params, 'params');
    if (needsAuth) await kit.auth.authenticate(req);
    const params = parse(def.params, req.params, 'params');
    const query = parse(def.query, req.query, 'query');
    let body: unknown = undefined;
    if (def.body) {
      if (!req.is('application/json')) {
        throw new ApiError(415, 'unsupported_media_type', 'Send the body as application/json.');
      }
      body = parse(def.body, req.body, 'body');
    }
    const run = async () => {
      const result = await def.handler({ params, query, body, req, res } as never);
      // A handler may choose another status (e.g. 503 with a health body).
      return { status: res.statusCode !== 200 ? res.statusCode : status, body: result as unknown };
    };
    const key = req.get('Idempotency-Key');
    const outcome = def.idempotent && key !== undefined && c.actor ? await kit.idempotency.run(c.actor.profileId, key, req, run) : await run();
    if (res.headersSent) return;
    if (outcome.body === undefined || outcome.status === 204) res.status(outcome.status).end();
    else res.status(outcome.status).json(outcome.body);
  }
}

function parse(schema: Schema | undefined, value: unknown, where: string): unknown {
  if (!schema) return undefined;
  const r = schema.safeParse(value ?? {});
  if (!r.success) {
    const details = zodDetails(r.error, where === 'body' ? undefined : where);
    throw new ApiError(400, 'validation_failed', `Invalid ${where}: ${details.map((d) => `${d.field} ${d.message}`).join('; ')}`, details);
  }
  return r.data;
}

function document(registry: OpenAPIRegistry, def: RouteDef<Schema | undefined, Schema | undefined, Schema | undefined, Schema | undefined>, needsAuth: boolean, status: number): void {
  const responses: RouteConfig['responses'] = {};
  responses[status] = def.rawResponse
    ? { description: def.responseDescription ?? 'The content.', content: { [def.rawResponse]: { schema: z.string().openapi({ format: 'binary' }) } } }
    : def.response
      ? { description: def.responseDescription ?? 'OK', content: { 'application/json': { schema: def.response } } }
      : { description: def.responseDescription ?? 'No content.' };
  // Any route may be overloaded (pool wait) or lose a dependency: 503 with Retry-After.
  // Every request passes the body parser and the input rules first, whatever the route reads:
  // malformed JSON, NUL or too deep (400), too large (413), an unsupported charset or
  // Content-Encoding, or a body route sent another media type (415).
  const errs = new Set<number>([400, 413, 415, 500, 503, ...(def.errors ?? [])]);
  if (needsAuth) errs.add(401);
  if (def.params) errs.add(404);
  if (def.idempotent) errs.add(409).add(422);
  for (const s of [...errs].sort()) {
    responses[s] = { description: errorText[s] ?? 'Error.', content: { 'application/json': { schema: ZError } } };
  }
  for (const [s, alt] of Object.entries(def.altResponses ?? {})) {
    responses[s] = { description: alt.description, content: { 'application/json': { schema: alt.schema } } };
  }
  const request: RouteConfig['request'] = {};
  if (def.params) request.params = def.params as never;
  if (def.query) request.query = def.query as never;
  if (def.body) request.body = { required: true, content: { 'application/json': { schema: def.body } } };
  if (def.rawBody) {
    request.body = { required: true, content: Object.fromEntries(def.rawBody.map((t) => [t, { schema: z.string().openapi({ format: 'binary' }) }])) };
  }
  if (def.idempotent) {
    request.headers = z.object({
      'Idempotency-Key': z
        .string()
        .regex(/^[\x21-\x7e]{1,200}$/)
        .optional()
        .openapi({ description: 'A retried request with the same key returns the first result. 1-200 visible ASCII characters.' }),
    });
  }
  registry.registerPath({
    method: def.method,
    path: def.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}'),
    summary: def.summary,
    description: def.description,
    tags: def.tags,
    security: needsAuth ? [{ bearerAuth: [] }] : [],
    request,
    responses,
  });
}
