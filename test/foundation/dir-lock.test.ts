/** scripts/lib/dir-lock.ts: one run at a time per benchmark folder (bench/migrate-profile.ts --dir). */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DIR_LOCK_FILE, tryLockDir } from '../../scripts/lib/dir-lock';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'mdw-dirlock-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

test('a folder is locked once: a second taker is told who holds it, and gets it after release', () => {
  const d = path.join(tmp(), 'nested', 'cluster');
  const first = tryLockDir(d);
  if ('heldBy' in first) throw new Error('first lock refused');
  expect(readFileSync(path.join(d, DIR_LOCK_FILE), 'utf8')).toBe(String(process.pid));
  expect(tryLockDir(d)).toEqual({ heldBy: process.pid });
  first.release();
  expect(existsSync(path.join(d, DIR_LOCK_FILE))).toBe(false);
  first.release(); // twice is harmless
  const again = tryLockDir(d);
  expect('release' in again).toBe(true);
  if ('release' in again) again.release();
});

test('a lock held by another live process is refused; one left by a dead process is taken over', async () => {
  const d = tmp();
  const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    writeFileSync(path.join(d, DIR_LOCK_FILE), String(sleeper.pid));
    expect(tryLockDir(d)).toEqual({ heldBy: sleeper.pid });
  } finally {
    sleeper.kill('SIGKILL');
    await new Promise((resolve) => sleeper.once('exit', resolve));
  }
  // The same pid, its process gone: stale.
  const taken = tryLockDir(d);
  expect('release' in taken).toBe(true);
  expect(readFileSync(path.join(d, DIR_LOCK_FILE), 'utf8')).toBe(String(process.pid));
  if ('release' in taken) taken.release();
});

test('a process that exits without releasing removes its lock', () => {
  const d = tmp();
  const lib = path.resolve(__dirname, '..', '..', 'scripts', 'lib', 'dir-lock.ts');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', `const l = require(${JSON.stringify(lib)}).tryLockDir(${JSON.stringify(d)}); console.log('release' in l ? 'locked' : 'refused')`], { encoding: 'utf8' });
  expect(r.stdout.trim()).toBe('locked');
  expect(existsSync(path.join(d, DIR_LOCK_FILE))).toBe(false);
});

test("bench/migrate-profile.ts --help says its folder is locked per run and what the default does", () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '..', '..', 'bench', 'migrate-profile.ts'), '--help'], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/One run at a time per --dir/);
  expect(r.stdout).toMatch(/\/tmp\/mdw-migprof-XXXXXX/);
});
