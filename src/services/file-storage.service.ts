/**
 * Where uploaded file contents live. The database keeps metadata (case_files) and the storage
 * key; the bytes go through this adapter. `local` (disk under STORAGE_DIR) is the default; an
 * S3-compatible adapter implements the same interface.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export class FileTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`file exceeds ${limit} bytes`);
  }
}

export interface FileStorage {
  /** Stores the stream under `key`; rejects with FileTooLargeError past `maxBytes` (nothing is kept). */
  put(key: string, body: Readable, maxBytes: number): Promise<{ size: number }>;
  /** The content, or null when the key holds nothing. */
  get(key: string): Promise<{ stream: Readable; size: number } | null>;
  delete(key: string): Promise<void>;
}

const SAFE_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

/** Files on local disk under `root`; keys are relative paths (validated: no `..`, no absolute paths). */
export function createLocalFileStorage(root: string): FileStorage {
  const base = path.resolve(root);
  const resolve = (key: string) => {
    if (!SAFE_KEY.test(key) || key.split('/').some((p) => p === '.' || p === '..')) throw new Error(`invalid storage key ${key}`);
    return path.join(base, ...key.split('/'));
  };
  return {
    async put(key, body, maxBytes) {
      const target = resolve(key);
      await mkdir(path.dirname(target), { recursive: true });
      const tmp = `${target}.${process.pid}.${Date.now()}.part`;
      let size = 0;
      const limiter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          size += chunk.length;
          if (size > maxBytes) cb(new FileTooLargeError(maxBytes));
          else cb(null, chunk);
        },
      });
      try {
        await pipeline(body, limiter, createWriteStream(tmp, { flags: 'wx' }));
        await rename(tmp, target);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
      return { size };
    },
    async get(key) {
      const file = resolve(key);
      const s = await stat(file).catch(() => null);
      if (!s?.isFile()) return null;
      return { stream: createReadStream(file), size: s.size };
    },
    async delete(key) {
      await rm(resolve(key), { force: true });
    },
  };
}
