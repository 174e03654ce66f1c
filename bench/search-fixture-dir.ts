import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { cacheDir } from '../scripts/lib/tool-cache';

/**
 * The directory of bench:search's cached fixture of these texts (`realistic-<N>x<P>-<key>`, eval31's
 * `<N>x<P>-<key>`): `dir` when given, else the largest cached one (the benchmark of record's scale).
 * Exits with a line that says how to build it when there is none. Shared by the search benches that
 * read the cached database rather than build it.
 */
export function cachedSearchFixtureDir(fixture: 'realistic' | 'eval31', dir?: string): string {
  if (dir) return dir;
  const root = path.join(cacheDir(), 'bench-search');
  const found = (existsSync(root) ? readdirSync(root).filter((d) => existsSync(path.join(root, d, 'fixture.json'))) : [])
    .filter((d) => d.startsWith('realistic-') === (fixture === 'realistic'))
    .map((d) => ({ d, n: Number(d.replace(/^realistic-/, '').split('x')[0]) }));
  found.sort((a, b) => b.n - a.n);
  if (!found[0]) {
    console.error(`no bench:search ${fixture} fixture: run \`npm run bench:search -- --fixture ${fixture} --build-only\` first`);
    process.exit(2);
  }
  return path.join(root, found[0].d);
}
