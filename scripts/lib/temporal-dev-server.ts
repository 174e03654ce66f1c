/**
 * The real Temporal server for development and tests: the Temporal CLI's dev server (with its
 * Web UI), built from source once with `go install` because no binary download is possible here.
 * Custom search attributes are registered at start from `temporal/search-attributes.ts`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, symlinkSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { config } from '../../src/config';
import { searchAttributeCliPairs } from '../../temporal/search-attributes';
import { freePort, portIsFree } from './embedded-postgres';
import { cacheDir, progress, repoRoot, withLock } from './tool-cache';

export const TEMPORAL_CLI_VERSION = 'v1.5.1';

function onPath(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() || undefined : undefined;
}

/**
 * Finds a Temporal CLI: `TEMPORAL_CLI`, then `temporal` on PATH, then the project's cache;
 * builds the pinned version into the cache when none exists (minutes, once per machine).
 */
export async function ensureTemporalCli(): Promise<string> {
  const explicit = config().TEMPORAL_CLI;
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`TEMPORAL_CLI=${explicit} does not exist: fix the path or unset it`);
    return explicit;
  }
  const fromPath = onPath('temporal');
  if (fromPath) return fromPath;

  const dir = path.join(cacheDir(), `temporal-${TEMPORAL_CLI_VERSION}`);
  const cli = path.join(dir, 'temporal');
  if (!existsSync(cli)) {
    await withLock('temporal-cli', async () => {
      if (existsSync(cli)) return;
      if (!onPath('go')) throw new Error('Go is needed once to build the Temporal CLI: install Go ≥1.23, or set TEMPORAL_CLI to an existing binary');
      progress(`building Temporal CLI ${TEMPORAL_CLI_VERSION} with go install into ${dir} (first time only, several minutes)…`);
      mkdirSync(dir, { recursive: true });
      const build = spawn('go', ['install', '-v', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], {
        env: { ...process.env, GOBIN: dir },
        stdio: ['ignore', 'inherit', 'pipe'],
      });
      let count = 0;
      build.stderr.on('data', (chunk: Buffer) => {
        // `go install -v` names each package as it compiles: a count is progress enough.
        count += chunk.toString().split('\n').filter(Boolean).length;
        if (count % 100 < 3) progress(`  …${count} packages`);
      });
      const code = await new Promise<number | null>((resolve) => build.on('close', resolve));
      if (code !== 0 || !existsSync(cli)) throw new Error(`go install of the Temporal CLI failed (exit ${code})`);
      progress('Temporal CLI built');
    });
  }
  // A stable path inside the work tree for people who want to run `temporal workflow list`.
  const link = path.join(repoRoot, '.tools', 'temporal');
  try {
    mkdirSync(path.dirname(link), { recursive: true });
    if (existsSync(link)) unlinkSync(link);
    symlinkSync(cli, link);
  } catch {
    /* read-only tree: the cache path still works */
  }
  return cli;
}

export interface DevServer {
  address: string;
  uiUrl: string | null;
  cli: string;
  pid: number;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  /** SQLite file that keeps workflows across restarts; omitted = in memory. */
  dbFile?: string;
  port?: number;
  uiPort?: number;
  headless?: boolean;
  logFile?: string;
  /** Keep running after this process exits (Jest global setup hands it to teardown). */
  detached?: boolean;
}

/** Waits until the frontend answers a real RPC, not just an open port. */
export async function waitForTemporal(address: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const conn = await Connection.connect({ address, connectTimeout: 2000 });
      try {
        await conn.workflowService.describeNamespace({ namespace: config().TEMPORAL_NAMESPACE });
        return;
      } finally {
        await conn.close();
      }
    } catch (err) {
      last = err;
      await sleep(250);
    }
  }
  throw new Error(`Temporal at ${address} did not become ready within ${timeoutMs / 1000}s: ${String(last)}`);
}

export async function startTemporalDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const cli = await ensureTemporalCli();
  const pick = async (wanted?: number) => (wanted && (await portIsFree(wanted)) ? wanted : freePort());
  const port = await pick(opts.port);
  const uiPort = opts.headless ? undefined : await pick(opts.uiPort);
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--namespace', config().TEMPORAL_NAMESPACE, '--log-level', 'warn'];
  if (opts.dbFile) args.push('--db-filename', opts.dbFile);
  if (uiPort) args.push('--ui-port', String(uiPort));
  else args.push('--headless');
  for (const pair of searchAttributeCliPairs()) args.push('--search-attribute', pair);

  const out = opts.logFile ? openSync(opts.logFile, 'a') : 'ignore';
  const child: ChildProcess = spawn(cli, args, { stdio: ['ignore', out, out], detached: opts.detached ?? false });
  if (opts.detached) child.unref();
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) =>
      reject(new Error(`Temporal dev server exited (code ${code})${opts.logFile ? `: ${tail(opts.logFile)}` : ''}`)),
    ),
  );
  exited.catch(() => undefined);
  const address = `127.0.0.1:${port}`;
  // A cold machine can take far longer than the SDK helpers' 5 s to open SQLite and the UI.
  await Promise.race([waitForTemporal(address, 120_000), exited]);

  return {
    address,
    uiUrl: uiPort ? `http://127.0.0.1:${uiPort}` : null,
    cli,
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const done = await Promise.race([new Promise((r) => child.once('exit', r)).then(() => true), sleep(10_000).then(() => false)]);
      if (!done) child.kill('SIGKILL');
    },
  };
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-5).join(' | ');
  } catch {
    return '';
  }
}
