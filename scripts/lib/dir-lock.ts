/**
 * An exclusive, per-process lock on a working folder (a benchmark's cached cluster), so that two
 * runs never share one: they would reuse the same PostgreSQL, drop each other's databases
 * (`DROP DATABASE … WITH (FORCE)`), add each other's server CPU to their figures, and the first
 * to finish would stop the server under the other.
 */
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const DIR_LOCK_FILE = 'run.lock';

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface DirLock {
  /** Removes the lock file if it is still this process's; safe to call twice. */
  release(): void;
}

/**
 * Takes `dir`'s lock (`<dir>/run.lock`, holding the owner's pid), creating the folder if needed.
 * A lock left by a process that no longer exists (killed, crashed) is taken over; the lock is
 * released when this process exits.
 * @returns the lock, or `{ heldBy: pid }` when a live process holds it.
 */
export function tryLockDir(dir: string): DirLock | { heldBy: number } {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, DIR_LOCK_FILE);
  const mine = String(process.pid);
  let holder = NaN;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      // 'wx' fails if the file exists: of two runs starting at once exactly one creates it.
      writeFileSync(file, mine, { flag: 'wx' });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.removeListener('exit', release);
        try {
          if (readFileSync(file, 'utf8') === mine) unlinkSync(file);
        } catch {
          // already gone
        }
      };
      process.on('exit', release);
      return { release };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    try {
      holder = Number(readFileSync(file, 'utf8'));
    } catch {
      continue; // released meanwhile: try again
    }
    if (alive(holder)) return { heldBy: holder };
    try {
      unlinkSync(file); // stale: its process is gone
    } catch {
      // someone else removed it first
    }
  }
  return { heldBy: holder };
}
