/**
 * Where uploaded file contents live. The database keeps metadata (case_files) and the storage
 * key; the bytes go through this adapter. `local` (disk under STORAGE_DIR) is the default; an
 * S3-compatible adapter implements the same interface.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { required, type Config } from '../config';

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
  /**
   * Deletes every object whose key starts with `prefix` (a folder such as `<practice>/<case>/`,
   * ending in '/'), including objects no row names any more (an upload whose row never landed).
   * @returns how many objects were deleted.
   */
  deletePrefix(prefix: string): Promise<number>;
}

/** Counts bytes through a stream and fails it past `maxBytes`. */
function sizeLimiter(maxBytes: number): Transform & { size: () => number } {
  let size = 0;
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      if (size > maxBytes) cb(new FileTooLargeError(maxBytes));
      else cb(null, chunk);
    },
  });
  return Object.assign(t, { size: () => size });
}

const SAFE_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

/** A folder prefix: a safe key followed by '/'. */
const checkPrefix = (prefix: string) => {
  if (!prefix.endsWith('/') || !SAFE_KEY.test(prefix.slice(0, -1)) || prefix.split('/').some((p) => p === '.' || p === '..')) throw new Error(`invalid storage prefix ${prefix}`);
  return prefix;
};

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
      const limiter = sizeLimiter(maxBytes);
      const out = createWriteStream(tmp, { flags: 'wx' });
      try {
        await pipeline(body, limiter, out);
        await rename(tmp, target);
      } catch (err) {
        // pipeline() rejects as soon as a stream fails, which can be before the file is even open:
        // its open and close are still queued behind us. Removed before they run, the .part file
        // would be created afterwards and outlive the upload (a CI run saw one), so wait for close.
        if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
        await rm(tmp, { force: true });
        throw err;
      }
      return { size: limiter.size() };
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
    async deletePrefix(prefix) {
      const dir = resolve(checkPrefix(prefix).slice(0, -1));
      const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
      await rm(dir, { recursive: true, force: true });
      return entries.filter((e) => e.isFile() && !e.name.endsWith('.part')).length;
    },
  };
}

/**
 * Files in an S3-compatible bucket. Uploads stream through the size limit into a multipart
 * upload (lib-storage), which is aborted when the limit is passed, so nothing partial is kept.
 */
export function createS3FileStorage(opts: {
  bucket: string;
  endpoint?: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
}): FileStorage {
  const client = new S3Client({
    region: opts.region,
    endpoint: opts.endpoint,
    forcePathStyle: opts.forcePathStyle,
    ...(opts.accessKeyId && opts.secretAccessKey ? { credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey } } : {}),
  });
  const check = (key: string) => {
    if (!SAFE_KEY.test(key) || key.split('/').some((p) => p === '.' || p === '..')) throw new Error(`invalid storage key ${key}`);
    return key;
  };
  return {
    async put(key, body, maxBytes) {
      const limiter = sizeLimiter(maxBytes);
      const upload = new Upload({ client, params: { Bucket: opts.bucket, Key: check(key), Body: body.pipe(limiter) } });
      const failed = new Promise<never>((_, reject) => {
        limiter.once('error', reject);
        body.once('error', reject);
      });
      try {
        await Promise.race([upload.done(), failed]);
      } catch (err) {
        await upload.abort().catch(() => undefined);
        throw err;
      }
      return { size: limiter.size() };
    },
    async get(key) {
      try {
        const r = await client.send(new GetObjectCommand({ Bucket: opts.bucket, Key: check(key) }));
        return { stream: r.Body as Readable, size: Number(r.ContentLength ?? 0) };
      } catch (err) {
        if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return null;
        throw err;
      }
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: opts.bucket, Key: check(key) }));
    },
    async deletePrefix(prefix) {
      let deleted = 0;
      // Listing restarts from the top each round: what was deleted is no longer listed.
      for (;;) {
        const page = await client.send(new ListObjectsV2Command({ Bucket: opts.bucket, Prefix: checkPrefix(prefix), MaxKeys: 1000 }));
        const keys = (page.Contents ?? []).map((o) => o.Key!).filter(Boolean);
        if (keys.length === 0) return deleted;
        const r = await client.send(new DeleteObjectsCommand({ Bucket: opts.bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }));
        if (r.Errors?.length) throw new Error(`storage refused to delete ${r.Errors.length} object(s) under ${prefix}: ${r.Errors[0]!.Code ?? 'error'}`);
        deleted += keys.length;
      }
    },
  };
}

/** The storage STORAGE_DRIVER selects. */
export function createFileStorage(config: Config): FileStorage {
  if (config.STORAGE_DRIVER === 'local') return createLocalFileStorage(config.STORAGE_DIR);
  return createS3FileStorage({
    bucket: required(config, 'S3_BUCKET', 'STORAGE_DRIVER=s3 stores files in that bucket'),
    endpoint: config.S3_ENDPOINT,
    region: config.S3_REGION,
    accessKeyId: config.S3_ACCESS_KEY_ID,
    secretAccessKey: config.S3_SECRET_ACCESS_KEY,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
  });
}
