/**
 * Debian's Chromium for the console's browser tests (web/e2e). Playwright's own browser download
 * cannot work here (no internet, only package registries), so the suite drives the system's
 * `chromium` through `executablePath`. Installed once with apt-get when missing (root only: CI and
 * the dev machines run as root); apt keeps the package in its own cache.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { progress, withLock } from './tool-cache';

/** Where Debian's package puts the browser (the wrapper script sets its flags and libraries). */
export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

function found(): string | null {
  return CHROMIUM_CANDIDATES.find((p) => existsSync(p)) ?? null;
}

/** Installs (once) and returns the path of the Chromium executable. */
export async function ensureChromium(): Promise<string> {
  const have = found();
  if (have) return have;
  if (process.getuid?.() !== 0) {
    throw new Error('Chromium is missing: install it with `sudo apt-get install -y chromium` (the browser tests drive Debian\'s chromium)');
  }
  return withLock('chromium', async () => {
    const again = found();
    if (again) return again;
    progress('installing chromium (apt-get) for the console\'s browser tests…');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    let r = spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'chromium', 'fonts-dejavu-core'], { encoding: 'utf8', env });
    if (r.status !== 0) {
      // A fresh machine has no package lists yet.
      run('apt-get', ['update', '-q'], env);
      r = spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'chromium', 'fonts-dejavu-core'], { encoding: 'utf8', env });
    }
    if (r.status !== 0) throw new Error(`apt-get install chromium failed (${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`);
    const path = found();
    if (!path) throw new Error('apt-get installed chromium but no executable is at ' + CHROMIUM_CANDIDATES.join(' or '));
    return path;
  });
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${(r.stderr || r.stdout || r.error?.message || '').trim()}`);
}

if (require.main === module) {
  ensureChromium().then(
    (p) => progress(`chromium: ${p}`),
    (err: unknown) => {
      console.error((err as Error).message);
      process.exit(1);
    },
  );
}
