/**
 * Temporal's time-skipping test server, for tests in which days pass in seconds (seat dates,
 * at-risk escalation). The TypeScript SDK's `TestWorkflowEnvironment.createTimeSkipping` downloads
 * it from GitHub at run time, which fails offline; the same server ships on Maven Central as
 * `io.temporal:temporal-test-server` (Java). We fetch it and its runtime dependencies once into
 * the tool cache, exactly the jars pinned with their sha256 in tools/temporal-test-server/jars.txt
 * (resolved from tools/temporal-test-server/pom.xml), and run it with the machine's `java` (≥ 11).
 *
 * We start it ourselves rather than through createTimeSkipping's `existing-path` executable: the
 * SDK gives the server 5 s to answer, and the JVM took 4.3 s to listen on an idle machine here.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { config } from '../../src/config';
import { freePort } from './embedded-postgres';
import { cacheDir, progress, repoRoot, withLock } from './tool-cache';

export const TEST_SERVER_VERSION = '1.38.0';
const JARS_FILE = path.join(repoRoot, 'tools', 'temporal-test-server', 'jars.txt');

interface PinnedJar {
  path: string;
  sha256: string;
}

function pinnedJars(): PinnedJar[] {
  return readFileSync(JARS_FILE, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [p, sha256] = l.split(/\s+/);
      if (!p || !sha256 || !/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`${path.relative(repoRoot, JARS_FILE)}: bad line "${l}"`);
      return { path: p, sha256 };
    });
}

/**
 * Downloads (once) the pinned jars, checks every sha256, and writes a launcher script.
 * @returns the launcher's path: `<launcher> <port>` runs the server on that port.
 */
export async function ensureTemporalTestServer(): Promise<string> {
  const jars = pinnedJars();
  const hash = createHash('sha256').update(readFileSync(JARS_FILE)).digest('hex').slice(0, 12);
  const dir = path.join(cacheDir(), `temporal-test-server-${TEST_SERVER_VERSION}-${hash}`);
  const launcher = path.join(dir, 'temporal-test-server');
  if (existsSync(launcher)) return launcher;
  await withLock('temporal-test-server', async () => {
    if (existsSync(launcher)) return;
    const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
    if (java.status !== 0) throw new Error('java (≥ 11) is needed to run the Temporal test server: install a JRE (e.g. apt-get install openjdk-17-jre-headless)');
    const lib = path.join(dir, 'lib');
    mkdirSync(lib, { recursive: true });
    progress(`fetching the Temporal test server ${TEST_SERVER_VERSION} (${jars.length} jars) into ${dir}`);
    const repo = config().MAVEN_REPOSITORY_URL.replace(/\/+$/, '');
    for (const jar of jars) {
      const file = path.join(lib, path.basename(jar.path));
      if (existsSync(file) && sha256(readFileSync(file)) === jar.sha256) continue;
      const res = await fetch(`${repo}/${jar.path}`);
      if (!res.ok) throw new Error(`${repo}/${jar.path}: HTTP ${res.status}`);
      const body = Buffer.from(await res.arrayBuffer());
      const actual = sha256(body);
      if (actual !== jar.sha256) throw new Error(`${jar.path} has sha256 ${actual}, expected ${jar.sha256}: refusing it`);
      writeFileSync(`${file}.part`, body);
      renameSync(`${file}.part`, file);
    }
    // Written last: its presence means every jar is in place.
    writeFileSync(`${launcher}.part`, `#!/bin/sh\nexec java -XX:TieredStopAtLevel=1 -Xss512k -cp '${lib}/*' io.temporal.testserver.TestServer "$@"\n`);
    chmodSync(`${launcher}.part`, 0o755);
    renameSync(`${launcher}.part`, launcher);
  });
  return launcher;
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

export interface TestServer {
  address: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts the time-skipping test server on a free loopback port and waits until it answers an RPC
 * (up to `readyTimeoutMs`: a JVM on a loaded machine takes far longer than the SDK's 5 s).
 * Time skipping starts locked: time passes as on the wall clock until a client sleeps
 * (TestService `unlockTimeSkippingWithSleep`) or awaits a result through a time-skipping client.
 */
export async function startTemporalTestServer(opts: { logFile?: string; readyTimeoutMs?: number } = {}): Promise<TestServer> {
  const launcher = await ensureTemporalTestServer();
  const port = await freePort();
  const out = opts.logFile ? openSync(opts.logFile, 'a') : 'ignore';
  const child: ChildProcess = spawn(launcher, [String(port)], { stdio: ['ignore', out, out] });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the Temporal test server exited (code ${code})`))));
  exited.catch(() => undefined);
  const address = `127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const done = await Promise.race([new Promise((r) => child.once('exit', r)).then(() => true), sleep(10_000).then(() => false)]);
    if (!done) child.kill('SIGKILL');
  };
  try {
    await Promise.race([waitForServer(address, opts.readyTimeoutMs ?? 120_000), exited]);
  } catch (err) {
    await stop();
    throw err;
  }
  return { address, pid: child.pid!, stop };
}

async function waitForServer(address: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const conn = await Connection.connect({ address, connectTimeout: 2000 });
      try {
        await conn.workflowService.getSystemInfo({});
        return;
      } finally {
        await conn.close();
      }
    } catch (err) {
      last = err;
      await sleep(250);
    }
  }
  throw new Error(`the Temporal test server at ${address} did not answer within ${timeoutMs / 1000}s: ${String(last)}`);
}
