/**
 * A tiny Express server answering the benchmark questions from the legacy-shaped schema, the way
 * the Django app did: one connection per request from a pool, the requesting user loaded from
 * auth_user on every request (Django's request.user), no RLS. Started as its own process by
 * bench/api-bench.ts; prints one JSON line with its URL.
 *
 *   LEGACY_DATABASE_URL=postgres://… LEGACY_POOL_MAX=100 tsx bench/legacy/server.ts
 *
 * Routes (X-User: legacy auth_user id):
 *   GET  /patients?practice=&q=     GET /dashboard?practice=     GET /orders/:id
 *   GET  /cases/:id                 GET /tasks/inbox            POST /cases/:id/decision
 */
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import pg from 'pg';
import { legacyQueries, loadContentTypes } from './queries';
import { guardPool } from '../../src/db/connection-errors';

const DOCTOR_STATES = ['planning', 'on_hold'];

async function main(): Promise<void> {
  const url = process.env.LEGACY_DATABASE_URL;
  if (!url) throw new Error('set LEGACY_DATABASE_URL');
  const pool = guardPool(new pg.Pool({ connectionString: url, max: Number(process.env.LEGACY_POOL_MAX ?? 100),
    connectionTimeoutMillis: Number(process.env.LEGACY_POOL_WAIT_MS ?? 10_000),
    application_name: 'mdw-bench-legacy' }));
  const q = legacyQueries(pool, await loadContentTypes(pool));

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json());
  const user = async (req: Request, res: Response) => {
    const id = Number(req.get('x-user'));
    const u = Number.isInteger(id) ? (await pool.query('SELECT id, first_name, last_name, is_active FROM legacy.auth_user WHERE id = $1', [id])).rows[0] : undefined;
    if (!u?.is_active) {
      res.status(401).json({ error: 'login required' });
      return null;
    }
    return u as { id: number; first_name: string; last_name: string };
  };
  const h = (fn: (req: Request, res: Response, u: { id: number; first_name: string; last_name: string }) => Promise<unknown>) => async (req: Request, res: Response, next: NextFunction) => {
    try {
      const u = await user(req, res);
      if (!u) return;
      res.json(await fn(req, res, u));
    } catch (err) {
      next(err);
    }
  };
  app.get('/patients', h((req) => q.patientSearch(Number(req.query.practice), String(req.query.q ?? ''))));
  app.get('/dashboard', h((req) => q.dashboard(Number(req.query.practice))));
  app.get('/orders/:id', h((req) => q.orderHistory(Number(req.params.id))));
  app.get('/cases/:id', h((req) => q.caseTimeline(Number(req.params.id))));
  app.get('/tasks/inbox', h((_req, _res, u) => q.taskInbox(u.id, DOCTOR_STATES)));
  app.post('/cases/:id/decision', h((req, _res, u) => q.decision(Number(req.params.id), u.id, u.last_name)));
  app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ error: err.message });
  });

  const server = app.listen(Number(process.env.LEGACY_PORT ?? 0), '127.0.0.1', () => {
    const addr = server.address() as AddressInfo;
    console.log(JSON.stringify({ url: `http://127.0.0.1:${addr.port}` }));
  });
  server.keepAliveTimeout = 65_000;
  const stop = () => {
    server.close();
    server.closeAllConnections();
    void pool.end().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error('legacy server failed:', err);
  process.exit(1);
});
