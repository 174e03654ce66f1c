import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { webConsole } from './web-console';

describe('web console at /app', () => {
  let dist: string;
  let app: express.Express;
  beforeAll(() => {
    dist = mkdtempSync(path.join(os.tmpdir(), 'mdw-web-'));
    mkdirSync(path.join(dist, 'assets'));
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>MDW console</title>');
    writeFileSync(path.join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
    app = express();
    app.use('/app', webConsole(dist));
    app.use((_req, res) => void res.status(404).json({ error: { code: 'not_found' } }));
  });
  afterAll(() => rmSync(dist, { recursive: true, force: true }));

  test('hashed assets are served and cached for good', async () => {
    const res = await request(app).get('/app/assets/index-abc123.js').expect(200);
    expect(res.headers['cache-control']).toMatch(/immutable/);
    expect(res.text).toBe('console.log(1)');
  });

  test('a missing asset is a 404, not the page', async () => {
    await request(app).get('/app/assets/nope.js').expect(404);
  });

  test('every page of the browser router gets index.html, never cached', async () => {
    const bare = await request(app).get('/app').expect(301);
    expect(bare.headers.location).toBe('/app/');
    for (const p of ['/app/', '/app/cases/7f9c2d4e-0a55-4c1e-9d0b-6f1a2b3c4d5e', '/app/templates']) {
      const res = await request(app).get(p).expect(200);
      expect(res.text).toContain('MDW console');
      expect(res.headers['cache-control']).toBe('no-cache');
    }
  });

  test('other methods and paths outside /app are not the console’s', async () => {
    await request(app).post('/app/cases').expect(404);
    await request(app).get('/cases').expect(404);
  });

  test('before a build exists, /app says how to make one', async () => {
    const empty = express();
    empty.use('/app', webConsole(path.join(dist, 'missing')));
    const res = await request(empty).get('/app/').expect(503);
    expect(res.text).toMatch(/npm run web:build/);
  });
});
