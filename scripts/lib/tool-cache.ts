/**
 * Where the project caches tools it builds or installs (Temporal CLI, embedded PostgreSQL).
 * Outside the work tree so a fresh clone on the same machine (CI) reuses them; world-readable
 * under /var/cache when running as root, because PostgreSQL runs as an unprivileged user that
 * must be able to execute its binaries.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { config } from '../../src/config';

export const repoRoot = path.resolve(__dirname, '..', '..');

export function cacheDir(): string {
  const dir =
    config().MDW_CACHE_DIR ??
    (process.getuid?.() === 0 ? '/var/cache/mdw' : path.join(os.homedir(), '.cache', 'mdw'));
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function dataDir(): string {
  return path.resolve(repoRoot, config().MDW_DATA_DIR);
}

/** Prints a progress line on stderr (tool builds take minutes the first time). */
export function progress(message: string): void {
  process.stderr.write(`[mdw] ${message}\n`);
}

/**
 * Runs `fn` while holding a directory lock, so two processes (two Jest runs, dev + test) never
 * install the same tool at once. A lock older than `staleMs` is from a killed process.
 */
export async function withLock<T>(name: string, fn: () => Promise<T>, staleMs = 30 * 60_000): Promise<T> {
  const lock = path.join(cacheDir(), `${name}.lock`);
  for (let waited = 0; ; waited += 500) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > staleMs) rmSync(lock, { recursive: true, force: true });
      } catch {
        /* lock vanished meanwhile: retry */
      }
      if (waited % 30_000 === 0 && waited > 0) progress(`waiting for another process installing ${name}…`);
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
