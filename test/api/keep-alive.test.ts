/**
 * The API server's keep-alive (API_KEEP_ALIVE_TIMEOUT_MS, API_HEADERS_TIMEOUT_MS): an idle
 * connection outlives Node's default 5 s, so a load balancer with a 60 s idle timeout never reuses
 * a socket the server is closing (a 502 race).
 */
import http from 'node:http';
import net, { type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startApi } from '../../src/api/server';
import { createHarness, testConfig, type Harness } from '../support/harness';
import { setupAndTeardown } from '../support/lifecycle';

let h: Harness;
setupAndTeardown(async () => {
  h = await createHarness({ worker: false });
}, [() => h?.close()]);

/** One GET over `agent`; the socket it used and whether that socket had served a request before. */
function get(agent: http.Agent, url: string): Promise<{ status: number; keepAlive: string | undefined; socket: Socket; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, keepAlive: res.headers['keep-alive']?.toString(), socket: req.socket as Socket, reused: req.reusedSocket }));
    });
    req.on('error', reject);
  });
}

async function withApi<T>(overrides: Record<string, string>, fn: (url: string) => Promise<T>): Promise<T> {
  const config = { ...testConfig({ API_PORT: '0', DASHBOARD_REFRESH_MS: '0', ...overrides }), DATABASE_URL: h.config.DATABASE_URL };
  const api = await startApi({ config, database: h.database, temporal: h.client, cases: h.cases });
  try {
    return await fn(api.url);
  } finally {
    await api.stop();
  }
}

test('by default an idle keep-alive connection is still open and reused after 6 s (Node alone closes it at 5 s)', async () => {
  const defaults = testConfig();
  expect(defaults.API_KEEP_ALIVE_TIMEOUT_MS).toBeGreaterThan(60_000);
  expect(defaults.API_HEADERS_TIMEOUT_MS).toBeGreaterThan(defaults.API_KEEP_ALIVE_TIMEOUT_MS);
  await withApi({}, async (url) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await get(agent, `${url}/openapi.json`);
      expect(first.status).toBe(200);
      // The hint a client (Node's agent among them) uses to drop the socket before the server does.
      expect(first.keepAlive).toBe(`timeout=${defaults.API_KEEP_ALIVE_TIMEOUT_MS / 1000}`);
      let closedAt: number | null = null;
      const idleFrom = Date.now();
      first.socket.once('close', () => (closedAt = Date.now() - idleFrom));
      // Idle longer than Node's default keepAliveTimeout (5 s): the point of the test is the wait itself.
      await sleep(6_000);
      expect(closedAt).toBeNull();
      const second = await get(agent, `${url}/openapi.json`);
      expect(second.status).toBe(200);
      expect(second.reused).toBe(true);
      expect(second.socket).toBe(first.socket);
    } finally {
      agent.destroy();
    }
  });
});

test('API_KEEP_ALIVE_TIMEOUT_MS reaches the server: with 1 s it announces timeout=1 and closes the idle connection itself', async () => {
  await withApi({ API_KEEP_ALIVE_TIMEOUT_MS: '1000', API_HEADERS_TIMEOUT_MS: '2000' }, async (url) => {
    // A raw socket: Node's agent would drop the connection itself a second before the announced timeout.
    const { hostname, port } = new URL(url);
    const socket = net.connect(Number(port), hostname.replace(/^\[|\]$/g, ''));
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    // Resolves when the server ends the connection, however long a loaded machine takes to deliver it.
    const ended = new Promise<void>((resolve, reject) => {
      socket.once('end', () => resolve());
      socket.once('error', reject);
    });
    try {
      socket.write(`GET /openapi.json HTTP/1.1\r\nHost: ${hostname}\r\nConnection: keep-alive\r\n\r\n`);
      await ended;
      expect(received).toMatch(/^HTTP\/1\.1 200 /);
      expect(received).toMatch(/\r\nKeep-Alive: timeout=1\r\n/i);
      expect(received).not.toMatch(/\r\nConnection: close\r\n/i);
    } finally {
      socket.destroy();
    }
  });
});

test('a headers timeout not above the keep-alive timeout is refused at start-up, naming the variable', () => {
  expect(() => testConfig({ API_KEEP_ALIVE_TIMEOUT_MS: '65000', API_HEADERS_TIMEOUT_MS: '65000' })).toThrow(/API_HEADERS_TIMEOUT_MS: must be greater than API_KEEP_ALIVE_TIMEOUT_MS \(65000\)/);
  expect(() => testConfig({ API_KEEP_ALIVE_TIMEOUT_MS: 'soon' })).toThrow(/API_KEEP_ALIVE_TIMEOUT_MS/);
});
