/**
 * Overload behaviour of the API's database access: a bounded queue for connections (more
 * requests answer 503 + Retry-After at once) and no work for a client that already left.
 * One app with a pool of ONE connection, which the test holds to make the queue form.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createApp } from '../../src/api/server';
import { createDatabase, type Database } from '../../src/db/database';
import { testConfig } from '../support/harness';
import { createPracticeFixture, type PracticeFixture } from '../support/fixtures';
import { waitFor } from '../support/wait';
import { setupApi, tokenFor, type ApiEnv } from './support';

let env: ApiEnv;
let database: Database;
let f: PracticeFixture;
let setup: Promise<void> | undefined;
beforeAll(() => {
  setup = (async () => {
    env = await setupApi();
    database = createDatabase(env.h.config.DATABASE_URL!, { max: 1, waitMs: 30_000 });
    f = await createPracticeFixture(env.h.database.system);
  })();
  return setup;
});
afterAll(async () => {
  // A beforeAll that timed out on a loaded machine leaves its setup running: wait for it, so the
  // harness it finishes (worker, Temporal connection, pools) is closed too, instead of keeping
  // the jest worker process alive; and a missing one must not stop the other from closing.
  await setup?.catch(() => undefined);
  await database?.destroy();
  await env?.close();
}, 180_000);

test('beyond DATABASE_POOL_QUEUE_MAX waiting requests the API answers 503 at once; a request whose client left while queued does nothing', async () => {
  const config = { ...testConfig({ DATABASE_POOL_QUEUE_MAX: '1' }), DATABASE_URL: env.h.config.DATABASE_URL };
  const app = createApp({ config, database, temporal: env.h.client, cases: env.h.cases });
  const auth = { authorization: `Bearer ${await tokenFor(config, f.members.assistant)}` };
  const lastName = `Gone${randomUUID().slice(0, 8)}`;

  // A real listening server, so the test can see when the server has noticed a client leaving.
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const connections = () => new Promise<number>((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));

  const held = await database.pool.connect(); // the pool's only connection
  let released = false;
  try {
    // 1. A create queues for the connection; its client gives up after 500 ms.
    const abandoned = fetch(`${base}/patients`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', connection: 'close' },
      body: JSON.stringify({ practiceId: f.practiceId, firstName: 'Ann', lastName }),
      signal: AbortSignal.timeout(500),
    }).then(
      () => 'answered',
      (err: Error) => (err.name === 'TimeoutError' ? 'client timeout' : err.name),
    );
    await waitFor(async () => database.pool.waitingCount, (n) => n === 1, 5_000, 'the create queued for a connection');

    // 2. The queue is full: the next request is refused at once, with Retry-After.
    const refused = await request(app).get(`/patients/${f.patientId}`).set(auth);
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual({ error: { code: 'service_unavailable', message: expect.any(String), details: null } });
    expect(refused.headers['retry-after']).toBe('1');

    expect(await abandoned).toBe('client timeout');
    await waitFor(connections, (n) => n === 0, 5_000, 'the server to see the client leave');
    held.release();
    released = true;
    // 3. The abandoned create got the connection after its client left and skipped its work.
    await waitFor(async () => database.pool.waitingCount + (database.pool.totalCount - database.pool.idleCount), (n) => n === 0, 5_000, 'the queue drained');
    const created = await env.h.database.system.selectFrom('profiles').select('id').where('last_name', '=', lastName).execute();
    expect(created).toEqual([]);

    // 4. With the queue drained, requests are served again.
    const ok = await request(app).get(`/patients/${f.patientId}`).set(auth);
    expect(ok.status).toBe(200);
  } finally {
    if (!released) held.release();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
