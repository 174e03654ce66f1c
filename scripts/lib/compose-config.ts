/**
 * Validates docker-compose.yml without a Docker engine: tools/compose-config is a tiny Go
 * program around compose-go, the loader `docker compose config` uses. Built once into the cache.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { cacheDir, progress, repoRoot, withLock } from './tool-cache';

export async function ensureComposeConfig(): Promise<string> {
  const src = path.join(repoRoot, 'tools', 'compose-config');
  const hash = createHash('sha256');
  for (const f of ['go.mod', 'go.sum', 'main.go']) hash.update(readFileSync(path.join(src, f)));
  const bin = path.join(cacheDir(), `compose-config-${hash.digest('hex').slice(0, 12)}`);
  if (!existsSync(bin)) {
    await withLock('compose-config', async () => {
      if (existsSync(bin)) return;
      progress('building tools/compose-config (compose-go validator, once)…');
      const r = spawnSync('go', ['build', '-o', bin, '.'], { cwd: src, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`go build of tools/compose-config failed: ${r.stderr}`);
    });
  }
  return bin;
}

/** Runs `docker compose config` semantics on a file with the given variables. */
export async function composeConfig(file: string, env: Record<string, string>): Promise<{ ok: boolean; output: string }> {
  const bin = await ensureComposeConfig();
  const r = spawnSync(bin, [file, ...Object.entries(env).map(([k, v]) => `${k}=${v}`)], { encoding: 'utf8' });
  return { ok: r.status === 0, output: r.status === 0 ? r.stdout : r.stderr };
}
