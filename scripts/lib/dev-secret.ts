/**
 * The development JWT secret of one data folder. `npm run up` signs and verifies tokens with it.
 * It is random per data folder (never shipped in the repository, where anyone could read it and
 * sign tokens for any user of a running instance), kept beside the data it protects so tokens
 * stay valid across restarts, and readable by its owner only.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const JWT_SECRET_FILE = 'jwt-secret';

/**
 * Reads the data folder's secret, creating it on first use.
 * @param dataDir - the folder `npm run up` keeps its data in (`.data/` by default).
 * @returns a 43-character base64url secret (256 random bits).
 */
export function ensureJwtSecret(dataDir: string): string {
  const file = path.join(dataDir, JWT_SECRET_FILE);
  mkdirSync(dataDir, { recursive: true });
  try {
    // 'wx': fails if the file exists, so two processes starting at once never overwrite each other.
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < 32) throw new Error(`${file} holds no usable secret (fewer than 32 characters): delete it and restart to generate a new one`);
  // The file may predate this process or come from a copied folder: keep it private either way.
  chmodSync(file, 0o600);
  return secret;
}

export const PAYLOAD_KEY_FILE = 'temporal-payload-key';

/**
 * `npm run up`'s Temporal payload key ring (TEMPORAL_PAYLOAD_KEYS): one random AES-256 key per
 * data folder, kept beside the Temporal database whose payloads it encrypts (losing it makes
 * those histories unreadable), readable by its owner only.
 * @returns `dev-<8 hex>:<base64 key>`.
 */
export function ensurePayloadKey(dataDir: string): string {
  const file = path.join(dataDir, PAYLOAD_KEY_FILE);
  mkdirSync(dataDir, { recursive: true });
  try {
    writeFileSync(file, `dev-${randomBytes(4).toString('hex')}:${randomBytes(32).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  chmodSync(file, 0o600);
  return readFileSync(file, 'utf8').trim();
}
