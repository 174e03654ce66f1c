/**
 * Builds the staff console (web/) for the API to serve at /app:
 *   1. the API's OpenAPI document, dumped in-process (scripts/openapi.ts) → web/openapi.json
 *   2. its TypeScript types (openapi-typescript) → web/src/api/schema.d.ts
 *   3. a type check of web/ against them: a changed or removed route fails here, not in a browser
 *   4. the Vite production build → web/dist
 * Cached: skipped when nothing it reads changed since the last build (the hash of the inputs is
 * kept in web/dist/.build-hash), so `npm test` on a fresh clone builds once and then takes a second.
 * `--force` rebuilds anyway.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { progress, repoRoot } from './lib/tool-cache';

const web = path.join(repoRoot, 'web');
const dist = path.join(web, 'dist');
const stamp = path.join(dist, '.build-hash');

/** Everything the build reads: the console's sources, the API's sources (the document), the lock file. */
function inputsHash(): string {
  const h = createHash('sha256');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      if (name === 'schema.d.ts' || name.endsWith('.test.ts')) continue;
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else h.update(path.relative(repoRoot, p)).update(readFileSync(p));
    }
  };
  walk(path.join(web, 'src'));
  walk(path.join(repoRoot, 'src'));
  for (const f of ['web/index.html', 'web/vite.config.ts', 'web/tsconfig.json', 'package-lock.json', 'scripts/openapi.ts', 'scripts/build-web.ts']) {
    h.update(f).update(readFileSync(path.join(repoRoot, f)));
  }
  return h.digest('hex');
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`console build failed at: ${cmd} ${args.join(' ')}`);
    process.exit(r.status ?? 1);
  }
}

function main(): void {
  const hash = inputsHash();
  if (!process.argv.includes('--force') && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) {
    progress('console: web/dist is current');
    return;
  }
  progress('console: generating the API client from /openapi.json and building web/ …');
  const bin = (name: string) => path.join(repoRoot, 'node_modules', '.bin', name);
  run(bin('tsx'), ['scripts/openapi.ts', 'web/openapi.json']);
  run(bin('openapi-typescript'), ['web/openapi.json', '-o', 'web/src/api/schema.d.ts', '--silent']);
  run(bin('tsc'), ['--noEmit', '-p', 'web/tsconfig.json']);
  run(bin('vite'), ['build', '--logLevel', 'warn', '--config', 'web/vite.config.ts']);
  writeFileSync(stamp, hash);
  progress('console: built web/dist');
}

main();
