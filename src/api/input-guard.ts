/**
 * Input rules every route shares, applied at the edge before any route, authentication or
 * database work:
 * - No string, object key, query value or path parameter may contain U+0000. PostgreSQL cannot
 *   store it in text (22021) or jsonb (22P05), so it used to surface as a 500 from deep inside a
 *   handler, even for callers who should have been refused with 403. Refused with 400
 *   `validation_failed` naming the field; never stripped, because silently changing clinical
 *   text is worse than asking the client to fix it.
 * - A JSON body nests at most MAX_JSON_DEPTH arrays/objects deep. Deeper bodies parse, but
 *   later recursion over them (JSON.stringify, zod, pino) throws RangeError: 400 `malformed_json`.
 * - A body whose Content-Encoding does not decode (declared gzip, but isn't) is the client's
 *   error: 400 `malformed_body` (see toApiError).
 */
import type { RequestHandler } from 'express';
import { ApiError } from './errors';

/** Arrays/objects may nest this deep in a JSON body (the deepest schema we accept needs ~5). */
export const MAX_JSON_DEPTH = 64;

/** The documented rule, quoted in the OpenAPI description and in error messages. */
export const INPUT_RULES =
  `Every string, object key, query parameter and path parameter must not contain U+0000 (NUL): such requests are refused with 400 validation_failed naming the field. ` +
  `JSON bodies may nest arrays and objects at most ${MAX_JSON_DEPTH} levels deep (400 malformed_json).`;

/** How a field is named in `details[].field`: body fields bare (as zod names them), others prefixed. */
function fieldName(prefix: string | undefined, path: Array<string | number>): string {
  const p = path.map((s) => String(s).replace(/\0/g, '\\u0000')).join('.');
  return [prefix, p].filter(Boolean).join('.') || prefix || '(root)';
}

export interface Finding {
  kind: 'nul' | 'depth';
  path: Array<string | number>;
}

/**
 * The first NUL (in a string or an object key) or the first container nested deeper than
 * maxDepth in a parsed JSON value. Iterative, so a hostile depth cannot overflow the stack.
 */
export function inspect(value: unknown, maxDepth = MAX_JSON_DEPTH): Finding | null {
  const stack: Array<{ v: unknown; path: Array<string | number>; depth: number }> = [{ v: value, path: [], depth: 0 }];
  while (stack.length) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\0')) return { kind: 'nul', path };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > maxDepth) return { kind: 'depth', path };
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: [...path, i], depth: depth + 1 });
    } else {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i]!;
        if (k.includes('\0')) return { kind: 'nul', path: [...path, k] };
        stack.push({ v: (v as Record<string, unknown>)[k], path: [...path, k], depth: depth + 1 });
      }
    }
  }
  return null;
}

/** Throws the 400 for a value of `where` (body, query, params) that breaks the rules. */
export function assertCleanInput(value: unknown, where: 'body' | 'query' | 'params'): void {
  const found = inspect(value);
  if (!found) return;
  const field = fieldName(where === 'body' ? undefined : where, found.path);
  if (found.kind === 'depth') {
    throw new ApiError(400, 'malformed_json', `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels (at ${field}).`, [{ field, message: `nests deeper than ${MAX_JSON_DEPTH} levels` }]);
  }
  throw new ApiError(400, 'validation_failed', `${field} must not contain U+0000 (NUL).`, [{ field, message: 'must not contain U+0000 (NUL)' }]);
}

/** After the body parser, before every route: the body and the query string. */
export const inputGuard: RequestHandler = (req, _res, next) => {
  assertCleanInput(req.body, 'body');
  assertCleanInput(req.query, 'query');
  next();
};
