/**
 * Serves the staff console's production build (web/dist, `npm run web:build`) at /app: hashed
 * assets cached for a year, every other path under /app answered with index.html (the browser
 * router's pages), never cached, so a new build is picked up on the next load. Before a build
 * exists /app says how to make one (503), instead of a 404 that looks like a wrong address.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import express from 'express';

/** web/dist beside the repository's src/ (the same from src/ through tsx and from a compiled dist/src). */
export const WEB_DIST = path.resolve(__dirname, '..', '..', 'web', 'dist');

export function webConsole(dist: string = WEB_DIST): express.Router {
  const router = express.Router();
  const index = path.join(dist, 'index.html');
  router.use('/assets', express.static(path.join(dist, 'assets'), { immutable: true, maxAge: '365d', index: false, fallthrough: false }));
  router.use(express.static(dist, { index: false, maxAge: 0 }));
  router.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (!existsSync(index)) {
      res.status(503).type('text').send('The console is not built: run `npm run web:build` (npm run up and npm test do it).');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(readFileSync(index));
  });
  return router;
}
