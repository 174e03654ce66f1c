/**
 * Operating MDW: configuration errors and unreachable dependencies stop start-up with one clear
 * line; the worker reports its health; docker-compose.yml is a valid compose file.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { loadConfig, ConfigError } from '../../src/config';
import { checkDatabase, checkTemporal, PreflightError } from '../../src/db/preflight';
import { startWorker } from '../../src/worker/worker';
import { composeConfig } from '../../scripts/lib/compose-config';
import { freePort } from '../../scripts/lib/embedded-postgres';
import { testConfig } from '../support/harness';
import { testEnv } from '../support/env';

const ROOT = path.resolve(__dirname, '../..');

/** Runs an entry point the way an operator would, with only the given environment. */
function run(entry: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      cwd: ROOT,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('configuration', () => {
  test('a malformed value is refused with the variable named', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: must be a postgres:\/\/ URL/);
    expect(() => loadConfig({ API_PORT: 'eighty' })).toThrow(/API_PORT/);
    expect(() => loadConfig({ TEMPORAL_ADDRESS: 'localhost' })).toThrow(/TEMPORAL_ADDRESS: must be host:port/);
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET: must be at least 32 characters/);
  });

  test('defaults fill what is unset, empty means unset, and the result is frozen', () => {
    const c = loadConfig({ DATABASE_URL: '' });
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.TEMPORAL_ADDRESS).toBe('127.0.0.1:7233');
    expect(c.TEMPORAL_ADDRESS_SET).toBe(false);
    expect(Object.isFrozen(c)).toBe(true);
  });
});

describe('preflight', () => {
  test('a DATABASE_URL where nothing listens names the address and the fix', async () => {
    const port = await freePort();
    const err = await checkDatabase(`postgres://postgres@127.0.0.1:${port}/mdw`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreflightError);
    expect((err as Error).message).toBe(
      `Cannot connect to PostgreSQL at 127.0.0.1:${port}/mdw: nothing is listening there. Fix DATABASE_URL, or unset it to use the embedded server (npm run up).`,
    );
  });

  test('a missing database is reported as such', async () => {
    const url = testEnv().databaseUrl.replace(/\/[^/]+$/, '/no_such_db');
    await expect(checkDatabase(url)).rejects.toThrow(/that database does not exist/);
  });

  test('a Temporal address that does not answer is reported in one line', async () => {
    const port = await freePort();
    await expect(checkTemporal(`127.0.0.1:${port}`, 'default', 1000)).rejects.toThrow(
      new PreflightError(`Temporal at 127.0.0.1:${port}: it did not answer within 1s. Start it (npm run up starts a dev server) or fix TEMPORAL_ADDRESS.`),
    );
  });

  test('the worker process exits with one line, no stack trace, on a bad DATABASE_URL', async () => {
    const r = await run('src/worker/main.ts', { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/mdw' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Cannot connect to PostgreSQL at 127\.0\.0\.1:1\/mdw: nothing is listening there\./)]);
  });

  test('the API process refuses to serve requests over a login that could leave its actors’ roles', async () => {
    const env = { DATABASE_URL: testEnv().databaseUrl, JWT_SECRET: 'x'.repeat(40) };
    const missing = await run('src/api/main.ts', env);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Invalid configuration — DATABASE_AUTHENTICATOR_URL is not set: /)]);
    const privileged = await run('src/api/main.ts', { ...env, DATABASE_AUTHENTICATOR_URL: testEnv().databaseUrl });
    expect(privileged.code).toBe(1);
    expect(privileged.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^DATABASE_AUTHENTICATOR_URL logs in as postgres, which is or can become .*: point it at the role mdw_authenticator/)]);
  });

  test('the worker process names an invalid variable', async () => {
    const r = await run('src/worker/main.ts', { DATABASE_URL: 'not a url', WORKER_MAX_CONCURRENT_ACTIVITIES: '0' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^Invalid configuration — DATABASE_URL: must be a postgres:\/\/ URL.*; WORKER_MAX_CONCURRENT_ACTIVITIES: /);
  });
});

test('the worker health endpoint reports the worker and its database', async () => {
  const config = testConfig();
  const w = await startWorker({ config, databaseUrl: config.DATABASE_URL!, workflowBundlePath: process.env.MDW_TEST_WORKFLOW_BUNDLE, healthPort: 0 });
  try {
    const res = await fetch(w.healthUrl!);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', worker: 'RUNNING', database: 'ok', taskQueue: config.TEMPORAL_TASK_QUEUE, embeddingBacklog: expect.any(Number) });
  } finally {
    await w.stop();
  }
});

describe('docker-compose.yml', () => {
  const file = path.join(ROOT, 'docker-compose.yml');
  const secrets = { POSTGRES_PASSWORD: 'pw', AUTHENTICATOR_PASSWORD: 'apw', JWT_SECRET: 'x'.repeat(40), TEMPORAL_PAYLOAD_KEYS: `k1:${'A'.repeat(43)}=` };

  test('is a valid compose file with the whole deployment', async () => {
    const r = await composeConfig(file, { ...secrets, MDW_WORKERS: '3' });
    expect(r).toMatchObject({ ok: true });
    for (const service of ['postgres:', 'temporal:', 'temporal-ui:', 'setup:', 'api:', 'worker:', 'prometheus:']) expect(r.output).toContain(`\n  ${service}\n`);
    // Payloads encrypted; the UI decodes through the API; Prometheus reads the scrape config.
    expect(r.output).toMatch(/api:[\s\S]*?TEMPORAL_PAYLOAD_KEYS: k1:A{43}=/);
    expect(r.output).toContain('TEMPORAL_CODEC_ENDPOINT: http://localhost:3000/codec');
    expect(r.output).toMatch(/prometheus:[\s\S]*?ops\/prometheus\.yml/);
    expect(r.output).toMatch(/worker:[\s\S]*?replicas: 3/);
    expect(r.output).toContain('image: pgvector/pgvector');
    // Sized for search's ~60-180 relation locks per search (bench/SEARCH.md, session 10).
    expect(r.output).toContain('max_locks_per_transaction=256');
    // Shared buffers in huge pages when the host reserved them (bench/SEARCH.md, session 12).
    expect(r.output).toContain('huge_pages=try');
    expect(r.output).toContain('DB: postgres12');
    // The API's requests log in as the unprivileged authenticator role, not as the owner.
    expect(r.output).toMatch(/api:[\s\S]*?DATABASE_AUTHENTICATOR_URL: postgres:\/\/mdw_authenticator:apw@postgres:5432\/mdw/);
  }, 300_000);

  test('refuses to render without its secrets', async () => {
    const r = await composeConfig(file, {});
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/required variable (POSTGRES_PASSWORD|AUTHENTICATOR_PASSWORD|JWT_SECRET|TEMPORAL_PAYLOAD_KEYS) is missing a value/);
  }, 300_000);
});
