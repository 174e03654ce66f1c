/**
 * 405 with `Allow` for a path the API serves with other methods (RFC 9110 §15.5.6), instead of
 * the 404 an unknown path gets. The methods come from the OpenAPI document, so `Allow` lists
 * exactly what the document declares for that path (plus HEAD wherever GET is served, which
 * Express answers by itself).
 */
import type { RequestHandler } from 'express';
import { ApiError } from './errors';

interface PathMethods {
  re: RegExp;
  params: number;
  allow: string;
  methods: Set<string>;
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** Matchers for the document's paths: `{param}` is one path segment, as in Express. */
export function pathMethods(doc: { paths?: object }): PathMethods[] {
  return Object.entries((doc.paths ?? {}) as Record<string, object>).map(([template, ops]) => {
    const methods = new Set(Object.keys(ops).filter((m) => HTTP_METHODS.has(m)).map((m) => m.toUpperCase()));
    if (methods.has('GET')) methods.add('HEAD');
    const source = template
      .split('/')
      .map((seg) => (/^\{[^}]+\}$/.test(seg) ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    // Express matches case-insensitively and ignores one trailing slash.
    return { re: new RegExp(`^${source}/?$`, 'i'), methods, allow: [...methods].join(', '), params: (template.match(/\{/g) ?? []).length };
  })
    // `/workflow-templates/validate` is its own path, not `/workflow-templates/{id}`: literal first.
    .sort((a, b) => a.params - b.params);
}

/**
 * Mounted before the routes, so that the path the document means decides (Express would route
 * `GET /workflow-templates/validate` to `/workflow-templates/:id` and answer 400):
 * - OPTIONS on a known path: 204 with `Allow` (CORS preflights are answered earlier by the cors
 *   middleware when origins are configured);
 * - a method the path does not declare: 405 with `Allow`;
 * - anything else (a declared method, an unknown path): on to the routes and the 404 handler.
 */
export function methodRouting(doc: { paths?: object }): RequestHandler {
  const table = pathMethods(doc);
  return (req, res, next) => {
    const hit = table.find((p) => p.re.test(req.path));
    if (!hit || hit.methods.has(req.method)) return next();
    if (req.method === 'OPTIONS') {
      res.setHeader('Allow', `${hit.allow}, OPTIONS`);
      res.status(204).end();
      return;
    }
    throw new ApiError(405, 'method_not_allowed', `${req.method} is not supported on ${req.path}; use ${hit.allow}.`, null, { Allow: hit.allow });
  };
}
