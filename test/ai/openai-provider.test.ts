/**
 * The OpenAI-compatible provider against a local HTTP server speaking the embeddings wire
 * format: success, 429 with Retry-After, 500, timeouts, malformed answers. Each failure is an
 * EmbeddingProviderError the pipeline retries; none yields vectors.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenAIEmbeddingProvider } from '../../src/ai/providers/openai';
import { EmbeddingProviderError } from '../../src/ai/providers/errors';

type Handler = (body: { model: string; input: string[]; encoding_format?: string; dimensions?: number }, res: http.ServerResponse) => void;
let handler: Handler;
let server: http.Server;
let baseURL: string;
const requests: { auth?: string; body: unknown }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw);
      requests.push({ auth: req.headers.authorization, body });
      handler(body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise((r) => server.close(r)));
beforeEach(() => (requests.length = 0));

const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};
const vectors = (input: string[], dims: number) => input.map((_, i) => ({ object: 'embedding', index: i, embedding: Array.from({ length: dims }, (_, j) => (j === i ? 3 : 0)) }));
const provider = (extra: Partial<{ OPENAI_TIMEOUT_MS: number; OPENAI_EMBEDDING_DIMENSIONS: number }> = {}) =>
  new OpenAIEmbeddingProvider({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: baseURL, EMBEDDING_MODEL: 'text-embedding-3-small', OPENAI_TIMEOUT_MS: 2_000, OPENAI_EMBEDDING_DIMENSIONS: 8, ...extra });

async function failure(p: Promise<unknown>): Promise<EmbeddingProviderError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EmbeddingProviderError);
  return err as EmbeddingProviderError;
}

test('sends the wire format and returns normalised vectors in input order', async () => {
  handler = (body, res) => json(res, 200, { object: 'list', model: body.model, data: vectors(body.input, 8).reverse(), usage: { prompt_tokens: 1, total_tokens: 1 } });
  const p = provider();
  const out = await p.embed(['a', 'b']);
  expect(out).toEqual([
    [1, 0, 0, 0, 0, 0, 0, 0],
    [0, 1, 0, 0, 0, 0, 0, 0],
  ]);
  expect(requests[0]).toEqual({ auth: 'Bearer sk-test', body: { model: 'text-embedding-3-small', input: ['a', 'b'], encoding_format: 'float', dimensions: 8 } });
  expect(p.model).toBe('openai/text-embedding-3-small@8');
  expect(p.dimensions).toBe(8);
});

test('429 with Retry-After: rate_limited with the delay, and no SDK-side retry', async () => {
  handler = (_b, res) => json(res, 429, { error: { message: 'slow down', type: 'rate_limit' } }, { 'retry-after': '7' });
  const err = await failure(provider().embed(['a']));
  expect(err.failure).toBe('rate_limited');
  expect(err.retryAfterMs).toBe(7_000);
  expect(requests).toHaveLength(1);
});

test('500: unavailable (retried by the activity)', async () => {
  handler = (_b, res) => json(res, 500, { error: { message: 'boom' } });
  const err = await failure(provider().embed(['a']));
  expect(err.failure).toBe('unavailable');
  expect(err.message).toMatch(/answered 500/);
});

test('a server that does not answer in time: timeout', async () => {
  handler = () => undefined; // never answers
  const err = await failure(provider({ OPENAI_TIMEOUT_MS: 300 }).embed(['a']));
  expect(err.failure).toBe('timeout');
  expect(err.message).toMatch(/timed out after 300 ms/);
});

test('malformed answers are refused whole, with what was wrong', async () => {
  const cases: Array<[string, Handler]> = [
    ['no data array', (_b, res) => json(res, 200, { object: 'list' })],
    ['1 vectors for 2 texts', (b, res) => json(res, 200, { data: vectors(b.input, 8).slice(1) })],
    ['3 dimensions, expected 8', (b, res) => json(res, 200, { data: vectors(b.input, 3) })],
    ['non-finite', (b, res) => json(res, 200, { data: vectors(b.input, 8).map((v) => ({ ...v, embedding: v.embedding.map(() => 'x') })) })],
    ['', (_b, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"data": [');
    }],
  ];
  for (const [why, h] of cases) {
    handler = h;
    const err = await failure(provider().embed(['a', 'b']));
    expect(err.failure).toBe('malformed');
    expect(err.message).toContain(why);
  }
});

test('a refused request (401) is reported as rejected', async () => {
  handler = (_b, res) => json(res, 401, { error: { message: 'bad key' } });
  const err = await failure(provider().embed(['a']));
  expect(err.failure).toBe('rejected');
});
