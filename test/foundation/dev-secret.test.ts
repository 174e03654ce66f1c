/** `npm run up`'s JWT secret: random per data folder, kept there, private, never in the repository. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureJwtSecret, ensurePayloadKey, JWT_SECRET_FILE, PAYLOAD_KEY_FILE } from '../../scripts/lib/dev-secret';
import { parseKeyRing } from '../../src/temporal/key-ring';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'mdw-secret-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

test('a data folder gets its own random secret, kept in the folder and reused by the next start', () => {
  const a = tmp();
  const first = ensureJwtSecret(path.join(a, '.data'));
  expect(first.length).toBeGreaterThanOrEqual(32);
  expect(ensureJwtSecret(path.join(a, '.data'))).toBe(first);
  expect(readFileSync(path.join(a, '.data', JWT_SECRET_FILE), 'utf8').trim()).toBe(first);
  expect(statSync(path.join(a, '.data', JWT_SECRET_FILE)).mode & 0o777).toBe(0o600);
  expect(ensureJwtSecret(tmp())).not.toBe(first);
});

test('a secret file that is too short is refused, not used', () => {
  const d = tmp();
  writeFileSync(path.join(d, JWT_SECRET_FILE), 'short\n');
  expect(() => ensureJwtSecret(d)).toThrow(/fewer than 32 characters/);
});

test('scripts/dev.ts carries no JWT secret of its own', () => {
  const src = readFileSync(path.resolve(__dirname, '..', '..', 'scripts', 'dev.ts'), 'utf8');
  expect(src).toMatch(/ensureJwtSecret\(/);
  expect(src).not.toMatch(/JWT_SECRET[^\n]*['"`][^'"`\n]{16,}['"`]/);
});

test('a data folder gets its own Temporal payload key, a valid one-key ring, reused by the next start', () => {
  const a = tmp();
  const ring = ensurePayloadKey(a);
  expect(parseKeyRing(ring)).toHaveLength(1);
  expect(ensurePayloadKey(a)).toBe(ring);
  expect(statSync(path.join(a, PAYLOAD_KEY_FILE)).mode & 0o777).toBe(0o600);
  expect(ensurePayloadKey(tmp())).not.toBe(ring);
});
