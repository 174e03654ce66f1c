/**
 * The CLI's answers to an operator's setting mistakes: one line naming the variable, exit 2.
 * A ConfigError used to reach the catch-all that withholds error texts (they may quote legacy
 * rows), so `mdw ai status` without DATABASE_URL said only "ConfigError#…; its message is withheld".
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
function mdw(args: string[], env: Record<string, string>) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['DATABASE_URL', 'LOG_ERROR_DETAIL'].includes(k)));
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args], { cwd: root, env: { ...clean, ...env }, encoding: 'utf8', timeout: 60_000 });
}

describe('mdw with a setting missing or wrong', () => {
  test.each([['ai', 'status'], ['ai', 'reindex']])('mdw %s %s without DATABASE_URL names it and exits 2', (...args) => {
    const r = mdw(args, {});
    expect(r.stderr).toMatch(/^mdw: Invalid configuration — DATABASE_URL is not set: /m);
    expect(r.stderr).not.toMatch(/withheld/);
    expect(r.status).toBe(2);
  }, 60_000);

  test('an invalid value is named too', () => {
    const r = mdw(['ai', 'status'], { DATABASE_URL: 'postgres://x@127.0.0.1:1/x', AI_PROVIDER: 'cloud' });
    expect(r.stderr).toMatch(/^mdw: Invalid configuration — .*AI_PROVIDER/m);
    expect(r.status).toBe(2);
  }, 60_000);
});
