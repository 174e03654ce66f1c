/**
 * The one error type of the HTTP edge and the one middleware that turns anything thrown into the
 * one error shape `{ error: { code, message, details } }`. Handlers never catch: they throw an
 * `ApiError`, or let a known error (zod, Temporal update refusal, PostgreSQL) bubble up here.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { z } from './zod';
import { CaseServiceError } from '../services/case.service';
import { TemplateInvalidError } from '../repositories/templates.repository';
import { CaseRefusal } from '../workflows/case.messages';
import { currentContext, type RequestContext } from './context';
import { RequestAbortedError } from '../db/database';
import { isDatabaseUnavailable } from '../db/connection-errors';

export const ERROR_CODES = [
  'bad_request',
  'validation_failed',
  'malformed_json',
  'unauthorized',
  'invalid_token',
  'invalid_credentials',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'conflict',
  'duplicate_patient',
  'email_in_use',
  'idempotency_in_progress',
  'idempotency_key_reused',
  'payload_too_large',
  'unsupported_media_type',
  'too_many_requests',
  'template_invalid',
  'no_template',
  'case_number_taken',
  'case_closed',
  'last_owner',
  'not_a_member',
  'service_unavailable',
  'internal_error',
  'proposal_not_pending',
  // workflow refusals (snake_case of CaseRefusal)
  'wrong_role',
  'task_not_awaiting_decision',
  'unknown_task',
  'case_on_hold',
  'case_not_on_hold',
  'case_finished',
  'reason_required',
  'invalid_argument',
  // patient-match review queue
  'match_decided',
  'cross_practice_merge',
  'patient_gone',
  'task_assigned',
  'task_not_assigned',
  // erasure refusals (issue 12 §3)
  'legal_hold',
  'case_in_production',
  'retention_period',
  'hold_lifted',
  'erasure_in_progress',
  // 3D projects (issue 11 section 6)
  'version_superseded',
  'invalid_status_transition',
  'invalid_stl',
  // the Temporal codec endpoint
  'payload_undecryptable',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const ZErrorDetail = z.object({ field: z.string().optional(), message: z.string() }).catchall(z.unknown());
export const ZError = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      details: z.array(ZErrorDetail).nullable(),
    }),
  })
  .openapi('Error');
export type TError = z.infer<typeof ZError>;

/** What every failing request answers with. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details: Array<Record<string, unknown>> | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /**
   * @param field - the body field that carried the id (ids in bodies): named in `details`, so the
   *   client knows which reference is unknown to it.
   */
  static notFound(what = 'Resource', field?: string): ApiError {
    return new ApiError(404, 'not_found', `${what} not found.`, field ? [{ field, message: `no ${what.toLowerCase()} with this id is visible to you` }] : null);
  }
  static forbidden(message = 'You are not allowed to do this.'): ApiError {
    return new ApiError(403, 'forbidden', message);
  }
  static unauthorized(message = 'Authentication required.', code: ErrorCode = 'unauthorized'): ApiError {
    return new ApiError(401, code, message, null, { 'WWW-Authenticate': 'Bearer' });
  }
}

/** `a.b` names the field a zod issue is about; the root is `(body)`. */
export function zodDetails(err: z.ZodError, prefix?: string): Array<{ field: string; message: string }> {
  // An unknown key of a strict object is named as the field, one detail per key.
  const issues = err.issues.flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys.map((k) => ({ path: [...i.path, k], message: 'Unknown field.' })) : [i]));
  return issues.map((i) => {
    const path = i.path.map(String).join('.');
    return { field: [prefix, path].filter(Boolean).join('.') || prefix || '(root)', message: i.message };
  });
}

const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
const refusals = new Set<string>(Object.values(CaseRefusal));

/** Maps the errors of libraries to ApiErrors; unknown errors stay unknown (500). */
export function toApiError(err: unknown): ApiError | null {
  if (err instanceof ApiError) return err;
  if (err instanceof z.ZodError) return new ApiError(400, 'validation_failed', 'The request is invalid.', zodDetails(err));
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure && cause.type && refusals.has(cause.type)) {
      return new ApiError(422, snake(cause.type) as ErrorCode, cause.message);
    }
  }
  if (err instanceof WorkflowNotFoundError) return new ApiError(409, 'case_closed', 'The case workflow is no longer running.');
  if (err instanceof CaseServiceError) {
    const status = err.code === 'template_not_found' ? 404 : err.code === 'case_number_taken' ? 409 : 422;
    const code: ErrorCode = err.code === 'template_not_found' ? 'not_found' : err.code;
    return new ApiError(status, code, err.message, err.details ? err.details.map((d) => ({ ...d })) : null);
  }
  if (err instanceof TemplateInvalidError) {
    return new ApiError(422, 'template_invalid', 'The workflow template is invalid.', err.errors.map((e) => ({ ...e, field: e.taskName ?? undefined })));
  }
  const e = err as { type?: string; status?: number; code?: string; message?: string } | null;
  // pg.Pool gave up waiting for a free connection (DATABASE_POOL_WAIT_MS): bounded overload.
  if (err instanceof Error && /timeout exceeded when trying to connect/i.test(err.message)) {
    return new ApiError(503, 'service_unavailable', 'The service is overloaded; retry shortly.', null, { 'retry-after': '1' });
  }
  // PostgreSQL unreachable, restarting, or our connection ended: an outage, not a bug. Clients
  // retry; the pool reconnects by itself once the server is back.
  // (Not body-parser's own errors: its `request.aborted` carries ECONNABORTED, the client's doing.)
  if (!e?.type && isDatabaseUnavailable(err)) {
    return new ApiError(503, 'service_unavailable', 'The database is unavailable; retry shortly.', null, { 'retry-after': '2' });
  }
  // body-parser / raw-body errors
  if (e?.type === 'entity.parse.failed') return new ApiError(400, 'malformed_json', 'The request body is not valid JSON.');
  if (e?.type === 'entity.too.large') return new ApiError(413, 'payload_too_large', 'The request body is too large.');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return new ApiError(415, 'unsupported_media_type', 'Unsupported body encoding.');
  // A body whose Content-Encoding does not decode (declared gzip but isn't): zlib's error,
  // wrapped by body-parser with status 400 and no type.
  if (typeof e?.code === 'string' && /^(Z_|ERR_ZLIB|ERR__?ZSTD|ERR_BROTLI)/.test(e.code)) {
    return new ApiError(400, 'bad_request', 'The request body does not match its Content-Encoding.', [{ field: 'Content-Encoding', message: 'body does not decode' }]);
  }
  // PostgreSQL: RLS refusals and constraint violations are the caller's problem, not ours.
  if (typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) {
    switch (e.code) {
      case '57014': // statement_timeout
      case '53300': // too_many_connections
        return new ApiError(503, 'service_unavailable', 'The service is overloaded; retry shortly.', null, { 'retry-after': '1' });
      case '42501':
        return ApiError.forbidden();
      case '23505':
        return new ApiError(409, 'conflict', 'A record with these values already exists.');
      case '23503':
        return new ApiError(409, 'conflict', 'A referenced record does not exist.');
      case '22021': // character_not_in_repertoire (NUL in text): the edge refuses it first
      case '22P05': // untranslatable_character (\u0000 in jsonb): likewise
      case '23514':
      case '22P02':
      case '22007':
      case '22008':
      case '22003':
        return new ApiError(400, 'bad_request', 'A value is out of range or malformed.');
    }
  }
  return null;
}

export const errorMiddleware: ErrorRequestHandler = (err, _req, res, _next) => {
  const ctx = (res.locals.ctx as RequestContext | undefined) ?? currentContext();
  if (err instanceof RequestAbortedError) {
    // The client left while the request queued: nobody reads an answer, and nothing was done.
    ctx?.log.info({ requestId: ctx.requestId }, 'client gone before its request began; skipped');
    if (!res.headersSent) res.status(499).end();
    return;
  }
  const api = toApiError(err);
  if (!api) {
    ctx?.log.error({ err, requestId: ctx.requestId }, 'unhandled error');
    if (!res.headersSent) res.status(500).json({ error: { code: 'internal_error', message: 'Internal server error.', details: null } });
    return;
  }
  if (res.headersSent) return;
  if (api.status >= 500) ctx?.log.error({ err, requestId: ctx.requestId }, api.message);
  for (const [k, v] of Object.entries(api.headers)) res.setHeader(k, v);
  res.status(api.status).json({ error: { code: api.code, message: api.message, details: api.details } });
};

export const notFoundHandler: RequestHandler = (req) => {
  throw new ApiError(404, 'not_found', `No route for ${req.method} ${req.path}.`);
};
