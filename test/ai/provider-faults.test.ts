/**
 * A failing OpenAI-compatible provider under the real embedding pipeline (issue 10 §1): the
 * `openai` provider against a loopback server that answers 429 + Retry-After, 500s, malformed
 * bodies and hangs, mixed with good answers, and then goes away altogether for a while. The
 * pipeline workflow's activity is retried by Temporal, and no embedding job is lost: the backlog
 * drains to zero and every text (every chunk of a long one) has exactly the vector the server
 * computes for it.
 *
 * Its own database on the suite's server: the embedding queue and the active model are global,
 * and this file's model must not meet search.test.ts's.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { AUTHENTICATOR_ROLE, createDatabase, urlAs, type Database } from '../../src/db/database';
import { startWorker, type MdwWorker } from '../../src/worker/worker';
import { chunkText } from '../../src/ai/text';
import { embeddingInput } from '../../src/ai/pipeline';
import { embeddingPipelineWorkflowId } from '../../src/workflows/embedding.workflow';
import { Client, Connection } from '@temporalio/client';
import { testConfig } from '../support/harness';
import { createScratchDatabase } from '../support/pg-clients';
import { createPracticeFixture } from '../support/fixtures';
import { waitFor } from '../support/wait';
import { setupAndTeardown } from '../support/lifecycle';

const DIMS = 8;
type Mode = 'ok' | '429' | '500' | 'hang' | 'malformed';
/** The first answers fail in every way once, then every other request fails (429, 500 in turn). */
const SCRIPT: Mode[] = ['429', '500', 'hang', 'malformed'];
let outage = false;
let requestNo = 0;
const seen: Record<Mode, number> = { ok: 0, '429': 0, '500': 0, hang: 0, malformed: 0 };
const embeddedInputs: string[] = [];

/** What the server answers for a text: a fixed function of it, so the test can check each stored vector. */
function vectorOf(text: string): number[] {
  const h = createHash('sha256').update(text).digest();
  return Array.from({ length: DIMS }, (_, i) => h[i]! - 127.5);
}
const normalise = (v: number[]) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};

let server: http.Server;
let baseURL: string;
let scratch: Awaited<ReturnType<typeof createScratchDatabase>> | undefined;
let database: Database;
let worker: MdwWorker;
let connection: Connection;
let taskQueue: string;

setupAndTeardown(async () => {
  server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const n = requestNo++;
      const mode: Mode = outage ? '500' : (SCRIPT[n] ?? (n % 2 === 1 ? (n % 4 === 1 ? '429' : '500') : 'ok'));
      seen[mode]++;
      const body = JSON.parse(raw) as { input: string[] };
      const json = (status: number, b: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(b));
      };
      switch (mode) {
        case '429':
          return json(429, { error: { message: 'rate limited', type: 'rate_limit' } }, { 'retry-after': '1' });
        case '500':
          return json(500, { error: { message: 'internal error' } });
        case 'hang':
          return; // never answers: the provider's timeout ends the attempt
        case 'malformed':
          return json(200, { data: body.input.map((_, i) => ({ index: i, embedding: [1, 2] })) });
        case 'ok':
          embeddedInputs.push(...body.input);
          return json(200, { object: 'list', data: body.input.map((t, i) => ({ object: 'embedding', index: i, embedding: vectorOf(t) })) });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;

  scratch = await createScratchDatabase('mdw_provider_faults');
  const url = scratch.url;
  const config = testConfig({
    DATABASE_URL: url,
    DATABASE_AUTHENTICATOR_URL: urlAs(url, AUTHENTICATOR_ROLE),
    AI_PROVIDER: 'openai',
    OPENAI_BASE_URL: baseURL,
    OPENAI_API_KEY: 'sk-test',
    EMBEDDING_MODEL: 'fake-embed',
    OPENAI_EMBEDDING_DIMENSIONS: String(DIMS),
    OPENAI_TIMEOUT_MS: '1000',
    EMBEDDING_BATCH_SIZE: '8',
    EMBEDDING_POLL_MS: '200',
  });
  database = createDatabase(url, 4);
  worker = await startWorker({ config, databaseUrl: url, workflowBundlePath: process.env.MDW_TEST_WORKFLOW_BUNDLE, healthPort: 0, embeddingPipeline: true });
  connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  taskQueue = config.TEMPORAL_TASK_QUEUE;
}, [
  () => worker?.stop(),
  () => connection?.close(),
  () => database?.destroy(),
  async () => {
    if (!server) return;
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  },
  () => scratch?.drop(),
], { setup: 120_000 });

const db = () => database.system;
const backlog = async () => (await sql<{ n: number }>`select count(*)::int as n from embedding_queue`.execute(db())).rows[0]!.n;

/** Every message's chunks, each with the vector the server computes for what the model is sent. */
async function assertEveryTextHasItsVector(ids: string[]) {
  const msgs = await sql<{ id: string; content: string }>`select id, content from case_messages where id = any(${ids}::uuid[])`.execute(db());
  expect(msgs.rows).toHaveLength(ids.length);
  for (const m of msgs.rows) {
    const chunks = chunkText(m.content);
    const rows = await sql<{ chunk: number; v: string; model: string }>`select chunk, embedding::text as v, model from message_embeddings where message_id = ${m.id}::uuid order by chunk`.execute(db());
    expect(rows.rows.map((r) => r.chunk)).toEqual(chunks.map((_, i) => i));
    rows.rows.forEach((r, i) => {
      expect(r.model).toBe(`openai/fake-embed@${DIMS}`);
      const want = normalise(vectorOf(embeddingInput(chunks[i]!)));
      (JSON.parse(r.v) as number[]).forEach((x, d) => expect(x).toBeCloseTo(want[d]!, 2));
    });
  }
}

test('429 + Retry-After, 500s, hangs and malformed answers: Temporal retries the activity, the backlog drains, every text has its vector', async () => {
  const f = await createPracticeFixture(db());
  const c = await db().insertInto('cases').values({ practice_id: f.practiceId, patient_id: f.patientId, case_number: 'F-1', title: 'Provider faults', case_type: 'active_treatment' }).returning('id').executeTakeFirstOrThrow();
  const long = Array.from({ length: 600 }, (_, i) => `word${i}`).join(' ');
  const rows = Array.from({ length: 40 }, (_, i) => ({ case_id: c.id, practice_id: f.practiceId, sender_id: f.members.doctor, content: i === 0 ? long : `Message ${i}: attachment check on tooth ${11 + (i % 8)}.` }));
  const ids = (await db().insertInto('case_messages').values(rows).returning('id').execute()).map((r) => r.id);
  expect(chunkText(long).length).toBeGreaterThan(1);

  await waitFor(backlog, (n) => n === 0, 120_000, 'the backlog to drain');
  await assertEveryTextHasItsVector(ids);
  // Every failure mode really happened, and only good answers were stored.
  for (const mode of ['429', '500', 'hang', 'malformed'] as const) expect(seen[mode]).toBeGreaterThan(0);

  // The retries are Temporal's: the pipeline's history shows activity attempts beyond the first.
  const client = new Client({ connection });
  const history = await client.workflow.getHandle(embeddingPipelineWorkflowId(taskQueue)).fetchHistory();
  const attempts = (history.events ?? []).map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 0);
  expect(Math.max(...attempts)).toBeGreaterThan(1);
  const failures = (history.events ?? []).filter((e) => e.activityTaskFailedEventAttributes || e.activityTaskTimedOutEventAttributes);
  // Retries within one activity leave no failed event until the last attempt: none ran out.
  expect(failures).toEqual([]);
}, 180_000);

test('the provider away altogether: texts wait in the backlog, none is lost, and they drain when it returns', async () => {
  const f = await createPracticeFixture(db());
  const c = await db().insertInto('cases').values({ practice_id: f.practiceId, patient_id: f.patientId, case_number: 'F-2', title: 'Outage', case_type: 'active_treatment' }).returning('id').executeTakeFirstOrThrow();
  await waitFor(backlog, (n) => n === 0, 60_000, 'the case to be embedded');
  outage = true;
  const failedBefore = seen['500'];
  const rows = Array.from({ length: 12 }, (_, i) => ({ case_id: c.id, practice_id: f.practiceId, sender_id: f.members.doctor, content: `During the outage ${i}: elastics class II.` }));
  const ids = (await db().insertInto('case_messages').values(rows).returning('id').execute()).map((r) => r.id);
  await waitFor(async () => seen['500'] - failedBefore, (n) => n >= 2, 30_000, 'the pipeline to meet the outage twice');
  expect(await backlog()).toBe(12);
  // What operators watch says the same while the provider is away: the worker's /health and /metrics.
  const health = (await (await fetch(worker.healthUrl!)).json()) as { embeddingBacklog: number | null };
  expect(health.embeddingBacklog).toBe(12);
  const metrics = await (await fetch(worker.healthUrl!.replace(/\/health$/, '/metrics'))).text();
  expect(metrics).toMatch(/^mdw_embedding_backlog 12$/m);
  const stored = await sql<{ n: number }>`select count(*)::int as n from message_embeddings where message_id = any(${ids}::uuid[])`.execute(db());
  expect(stored.rows[0]!.n).toBe(0);

  outage = false;
  await waitFor(backlog, (n) => n === 0, 120_000, 'the backlog to drain after the outage');
  await assertEveryTextHasItsVector(ids);
}, 240_000);
