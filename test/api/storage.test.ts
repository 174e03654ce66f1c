/**
 * File storage adapters: the S3 adapter against a local S3-compatible server (s3rver speaks the
 * S3 wire protocol on loopback), and the local-disk adapter, through the same interface.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import S3rver from 's3rver';
import { ConfigError } from '../../src/config';
import { createFileStorage, createLocalFileStorage, createS3FileStorage, FileTooLargeError, type FileStorage } from '../../src/services/file-storage.service';
import { testConfig } from '../support/harness';
import { setupAndTeardown } from '../support/lifecycle';

let s3: S3rver;
let dir: string;
let endpoint: string;

setupAndTeardown(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'mdw-s3-'));
  // Port 0: the kernel's free port, read back once listening (a port found free first could be
  // taken by another process before S3rver listens, and S3rver then never resolves).
  s3 = new S3rver({ port: 0, address: '127.0.0.1', directory: dir, silent: true, configureBuckets: [{ name: 'mdw-files', configs: [] }] });
  const { port } = await s3.run();
  endpoint = `http://127.0.0.1:${port}`;
}, [() => s3?.close(), () => dir && rmSync(dir, { recursive: true, force: true })]);

const text = async (r: Readable) => {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
};

describe.each([
  ['s3', () => createS3FileStorage({ bucket: 'mdw-files', endpoint, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true })],
  ['local', () => createLocalFileStorage(path.join(dir, 'local'))],
] as const)('%s storage', (_name, make) => {
  let storage: FileStorage;
  beforeAll(() => {
    storage = make();
  });

  test('stores, reads back and deletes a file', async () => {
    const put = await storage.put('cases/c1/scan.stl', Readable.from([Buffer.from('solid '), Buffer.from('scan')]), 1024);
    expect(put.size).toBe(10);
    const got = await storage.get('cases/c1/scan.stl');
    expect(got?.size).toBe(10);
    expect(await text(got!.stream)).toBe('solid scan');
    await storage.delete('cases/c1/scan.stl');
    expect(await storage.get('cases/c1/scan.stl')).toBeNull();
  });

  test('refuses a file over the limit and keeps nothing of it', async () => {
    await expect(storage.put('cases/c1/big.bin', Readable.from([Buffer.alloc(600, 1), Buffer.alloc(600, 2)]), 1000)).rejects.toBeInstanceOf(FileTooLargeError);
    expect(await storage.get('cases/c1/big.bin')).toBeNull();
  });

  test('deletes a folder: every object under the prefix, nothing beside it', async () => {
    for (const key of ['p1/c9/a', 'p1/c9/b', 'p1/c90/c']) await storage.put(key, Readable.from([Buffer.from(key)]), 100);
    expect(await storage.deletePrefix('p1/c9/')).toBe(2);
    expect(await storage.get('p1/c9/a')).toBeNull();
    expect(await storage.get('p1/c9/b')).toBeNull();
    expect(await text((await storage.get('p1/c90/c'))!.stream)).toBe('p1/c90/c');
    expect(await storage.deletePrefix('p1/c9/')).toBe(0);
    await expect(storage.deletePrefix('../')).rejects.toThrow(/invalid storage prefix/);
  });

  test('refuses keys that could escape their folder', async () => {
    await expect(storage.put('../etc/passwd', Readable.from([Buffer.from('x')]), 10)).rejects.toThrow(/invalid storage key/);
  });
});

// The race a CI run hit (test/api/projects.test.ts saw one file too many): pipeline() rejected at
// the limit before the .part file was open, put() removed it before its open had run, and the open
// then created it for good. Before the fix about one upload in 200-400 left one (this test failed 2 runs in 3 with 600); any is a failure.
test('local storage: an upload refused over the limit leaves no partial file behind, however early it fails', async () => {
  const root = path.join(dir, 'partial');
  const storage = createLocalFileStorage(root);
  let n = 0;
  const server = http.createServer((req, res) => {
    storage.put(`p/c/k${n++}`, req, 100).then(
      () => res.writeHead(201).end(),
      (err: unknown) => res.writeHead(err instanceof FileTooLargeError ? 413 : 500).end(),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const body = Buffer.alloc(684, 7);
  const left: string[][] = [];
  try {
    for (let i = 0; i < 1000 && left.length === 0; i++) {
      // Chunked, as a client streaming a file: counted while it is written.
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, method: 'POST', headers: { 'Transfer-Encoding': 'chunked' } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode!));
        });
        req.on('error', reject);
        for (let k = 0; k < body.length; k += 40) req.write(body.subarray(k, k + 40));
        req.end();
      });
      expect(status).toBe(413);
      const files = readdirSync(root, { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
      if (files.length > 0) left.push(files.map((d) => d.name));
    }
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  expect(left).toEqual([]);
}, 120_000);

test('STORAGE_DRIVER=s3 without a bucket stops with the variable named', () => {
  expect(() => createFileStorage(testConfig({ STORAGE_DRIVER: 's3' }))).toThrow(ConfigError);
  expect(() => createFileStorage(testConfig({ STORAGE_DRIVER: 's3' }))).toThrow(/S3_BUCKET is not set/);
});
