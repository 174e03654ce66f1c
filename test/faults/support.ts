/**
 * Fault-test support: the API and the worker as real child processes (`npm run api` /
 * `npm run worker` entry points), so "the process survives" is observed as an operator would:
 * the process is still running and still answering. Each test file gets a PostgreSQL of its own
 * (the shared test server must not be restarted under the other suites).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../scripts/lib/embedded-postgres';
import { AUTHENTICATOR_ROLE, urlAs } from '../../src/db/database';
import { migrate } from '../../src/db/migrate';
import { TEST_PAYLOAD_KEYS, testEnv } from '../support/env';

const root = path.resolve(__dirname, '..', '..');

export interface Proc {
  child: ChildProcess;
  /** Everything it printed, for the failure message. */
  output(): string;
  /** Exit code or signal once it ended; null while it runs. */
  exited(): string | null;
  stop(): Promise<void>;
}

/** A private PostgreSQL (migrated), in the run's temp folder. */
export async function privatePostgres(name: string): Promise<EmbeddedPostgres> {
  const dir = path.join(testEnv().dir, `${name}-${randomUUID().slice(0, 8)}`);
  const pg = await startEmbeddedPostgres({ dataDir: dir, database: 'mdw_faults', ephemeral: true });
  await migrate(pg.url);
  return pg;
}

/**
 * Starts `entry` (relative to the repository) with tsx and waits for a stdout JSON line whose
 * `msg` is `ready`; returns the process and that line.
 */
export async function startProcess(entry: string, env: Record<string, string>, ready: string, timeoutMs = 90_000): Promise<{ proc: Proc; line: Record<string, unknown> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, entry)], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let exit: string | null = null;
  const ended = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = signal ?? String(code);
      resolve();
    }),
  );
  const proc: Proc = {
    child,
    output: () => out.slice(-6000),
    exited: () => exit,
    async stop() {
      if (exit === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await ended;
      clearTimeout(timer);
    },
  };
  const line = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} did not start in ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      for (const l of out.split('\n')) {
        if (!l.startsWith('{')) continue;
        try {
          const parsed = JSON.parse(l) as Record<string, unknown>;
          if (parsed.msg === ready) {
            clearTimeout(timer);
            resolve(parsed);
            return;
          }
        } catch {
          /* not JSON: a log line */
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    void ended.then(() => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited (${exit}) before it was ready:\n${out}`));
    });
  });
  // Keep collecting output after start-up.
  return { proc, line };
}

/** The environment of an API and a worker against `databaseUrl`, on a task queue of their own. */
export function processEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  const env = testEnv();
  return {
    DATABASE_URL: databaseUrl,
    DATABASE_AUTHENTICATOR_URL: urlAs(databaseUrl, AUTHENTICATOR_ROLE),
    TEMPORAL_ADDRESS: env.temporalAddress,
    TEMPORAL_TASK_QUEUE: `faults-${randomUUID()}`,
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    API_PORT: '0',
    LOG_LEVEL: 'warn',
    DASHBOARD_REFRESH_MS: '0',
    WORKER_SHUTDOWN_GRACE_MS: '2000',
    // Claims left by requests the outage broke go stale quickly, so retries can resolve them.
    IDEMPOTENCY_CLAIM_TTL_MS: '3000',
    WORKFLOW_BUNDLE_PATH: process.env.MDW_TEST_WORKFLOW_BUNDLE ?? '',
    TEMPORAL_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
    ...extra,
  };
}

/** A response body as tests read it (like supertest's `res.body`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** One HTTP call; network failures (the API process is gone) come back as status 0. */
export async function http(base: string, method: string, url: string, token?: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Json; headers: Headers }> {
  try {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  } catch (err) {
    // Which failure (a refused or reset connection, or no answer within 30 s) is in the body.
    const e = err as Error & { cause?: { code?: string } };
    return { status: 0, body: { failure: `${e.name}${e.cause?.code ? ` ${e.cause.code}` : ''}` }, headers: new Headers() };
  }
}
