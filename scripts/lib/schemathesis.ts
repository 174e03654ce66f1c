/**
 * Schemathesis (PyPI) for the suite's OpenAPI conformance run: installed once into a venv in the
 * tool cache, keyed by the hash of tools/schemathesis/requirements.txt (every package pinned
 * exactly, installed with --no-deps, so nothing floats).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cacheDir, progress, repoRoot, withLock } from './tool-cache';

export const SCHEMATHESIS_DIR = path.join(repoRoot, 'tools', 'schemathesis');

/** Installs (once) and returns the path of the `schemathesis` executable. */
export async function ensureSchemathesis(): Promise<string> {
  const requirements = path.join(SCHEMATHESIS_DIR, 'requirements.txt');
  const hash = createHash('sha256').update(readFileSync(requirements)).digest('hex').slice(0, 12);
  const venv = path.join(cacheDir(), `schemathesis-${hash}`);
  const bin = path.join(venv, 'bin', 'schemathesis');
  const stamp = path.join(venv, '.mdw-installed');
  if (!existsSync(stamp)) {
    await withLock('schemathesis', async () => {
      if (existsSync(stamp)) return;
      progress(`installing schemathesis (${path.relative(repoRoot, requirements)}) into ${venv}`);
      run('python3', ['-m', 'venv', '--clear', venv]);
      run(path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', '--no-deps', '-r', requirements]);
      run(bin, ['--version']);
      writeFileSync(stamp, new Date().toISOString());
    });
  }
  return bin;
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${(r.stderr || r.stdout || r.error?.message || '').trim()}`);
}
