/**
 * Fault-test support: the API and the worker as real child processes (`npm run api` /
 * `npm run worker` entry points), so "the process survives" is observed as an operator would:
 * the process is still running and still answering. Each test file gets a PostgreSQL of its own
 * (the shared test server must not be restarted under the other suites).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
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

/**
 * One HTTP call on a connection of its own; network failures (the API process is gone) come back
 * as status 0.
 *
 * Why not fetch: fetch keeps connections alive and reuses an idle one, and the API's server ends
 * an idle connection after 5 s (Node's keepAliveTimeout; undici drops its side ~2-3 s after a
 * response that says `Keep-Alive: timeout=5`). On a CPU-starved machine (these tests run under
 * nice 15 beside benchmarks) either process can run late: the server's timers phase ends the
 * connection while a request already sent on it sits unread, or the client writes on a connection
 * the server has just ended. The request then fails with UND_ERR_SOCKET ("other side closed")
 * without the API having seen it: a race of HTTP/1.1 keep-alive, not a dead socket of the API's
 * doing, which is what these tests look for. With `agent: false` each request opens its own
 * connection and asks the server to close it (`Connection: close`), so an idle connection is never
 * reused, and a connection failure can only be the API's.
 */
export function http(base: string, method: string, url: string, token?: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Json; headers: Headers }> {
  const payload = body !== undefined ? Buffer.from(JSON.stringify(body)) : undefined;
  return new Promise((resolve) => {
    const fail = (err: Error & { code?: string }) =>
      // Which failure (a refused or reset connection, or no answer within 30 s) is in the body.
      resolve({ status: 0, body: { failure: `${err.name}${err.code ? ` ${err.code}` : ''}` }, headers: new Headers() });
    const req = httpRequest(
      `${base}${url}`,
      {
        method,
        agent: false,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
          ...headers,
        },
        signal: AbortSignal.timeout(30_000),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', fail);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            /* not JSON */
          }
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
          resolve({ status: res.statusCode ?? 0, body: parsed, headers: h });
        });
      },
    );
    req.on('error', fail);
    req.end(payload);
  });
}
