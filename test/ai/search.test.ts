/**
 * The AI layer end to end on the real system: the API writes texts, database triggers queue
 * them, the pipeline workflow embeds them with the real local model, and GET /search finds them
 * under RLS. Also: the provider down (lexical fallback, said), bad input, consent withdrawal,
 * similar cases, the backlog in the worker's health.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type express from 'express';
import request from 'supertest';
import { createApp } from '../../src/api/server';
import { startWorker, type MdwWorker } from '../../src/worker/worker';
import { createHarness, type Harness } from '../support/harness';
import { clearAlignerTemplate } from '../../src/seed/templates';
import { createPracticeFixture, createTemplate, type PracticeFixture } from '../support/fixtures';
import { waitFor } from '../support/wait';
import { as, loadContract, tokenFor, type Caller } from '../api/support';
import { activeModel } from '../../src/repositories/embeddings.repository';
import { refreshTemplateInsights } from '../../src/ai/recommendations/refresh';
import { embeddingReindexWorkflow, embeddingReindexWorkflowId } from '../../src/workflows/embedding.workflow';
import { setupAndTeardown } from '../support/lifecycle';
import { createScratchDatabase } from '../support/pg-clients';
import { testEnv } from '../support/env';
// The embedding pipeline embeds with the local model on 2 shared cores: minutes on a loaded machine.
jest.setTimeout(300_000);

let h: Harness;
let worker: MdwWorker;
let app: express.Express;
let a: PracticeFixture;
let b: PracticeFixture;
let doctorA: Caller;
let doctorB: Caller;
let templateId: string;

let scratch: Awaited<ReturnType<typeof createScratchDatabase>> | undefined;
setupAndTeardown(async () => {
  // Its own database: the reindex test switches the active model and deletes the old model's
  // vectors, which on the shared database changed what every other file embedding texts or
  // swapping the model saw meanwhile; and its pipeline no longer drains the texts they leave.
  scratch = await createScratchDatabase('mdw_ai_search');
  const authenticator = new URL(testEnv().authenticatorUrl);
  authenticator.pathname = new URL(scratch.url).pathname;
  // A generous query-embedding deadline: the API's first query loads the model (seconds on a busy CI machine).
  h = await createHarness({
    worker: false,
    config: { DATABASE_URL: scratch.url, DATABASE_AUTHENTICATOR_URL: authenticator.toString(), EMBEDDING_POLL_MS: '200', EMBEDDING_BATCH_SIZE: '16', SEARCH_EMBED_TIMEOUT_MS: '60000', STORAGE_DIR: `${testEnv().dir}/files-ai-search-${process.pid}` },
  });
  worker = await startWorker({ config: h.config, databaseUrl: h.config.DATABASE_URL!, workflowBundlePath: process.env.MDW_TEST_WORKFLOW_BUNDLE, healthPort: 0, embeddingPipeline: true });
  h.worker = worker;
  app = createApp({ config: h.config, database: h.database, temporal: h.client, cases: h.cases });
  await loadContract(app);
  templateId = await createTemplate(h.database.system, clearAlignerTemplate({ name: `AI ${randomUUID().slice(0, 8)}` }));
  a = await createPracticeFixture(h.database.system);
  b = await createPracticeFixture(h.database.system);
  doctorA = as(app, await tokenFor(h.config, a.members.doctor));
  doctorB = as(app, await tokenFor(h.config, b.members.doctor));
}, [() => h?.close(), () => scratch?.drop()], { setup: 180_000 });

const db = () => h.database.system;
async function embeddedMessage(messageId: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from message_embeddings where message_id = ${messageId}::uuid`.execute(db());
  return r.rows[0]!.n;
}
async function queued(kind: string, id: string): Promise<boolean> {
  const r = await sql`select 1 from embedding_queue where kind = ${kind} and source_id = ${id}::uuid`.execute(db());
  return r.rows.length > 0;
}
async function newCase(caller: Caller, f: PracticeFixture, title: string, description: string) {
  const r = await caller.post('/cases', { practiceId: f.practiceId, patientId: f.patientId, title, description, caseType: 'active_treatment', templateId });
  expect(r.status).toBe(201);
  return r.body as { id: string };
}

test('post a message → its embedding appears → search finds it by meaning, never another practice’s texts', async () => {
  const caseA = await newCase(doctorA, a, 'Upper aligners', 'Series 2 of 30, attachments placed on premolars.');
  const caseB = await newCase(doctorB, b, 'Upper aligners', 'Series 2 of 30, attachments placed on premolars.');
  const mine = (await doctorA.post(`/cases/${caseA.id}/messages`, { content: 'The trays are not fully seated: there is a visible gap between the aligner and the incisal edge of the upper front teeth.' })).body;
  await doctorA.post(`/cases/${caseA.id}/messages`, { content: 'Invoice for the retainer order was sent to the accountant.' });
  // Practice B writes the very words A will search for.
  const theirs = (await doctorB.post(`/cases/${caseB.id}/messages`, { content: 'Aligners not tracking, the aligner does not fit the incisors.' })).body;
  expect(mine.id && theirs.id).toBeTruthy();

  await waitFor(() => embeddedMessage(mine.id), (n) => n > 0, 60_000, 'the message to be embedded');
  await waitFor(() => embeddedMessage(theirs.id), (n) => n > 0, 60_000, 'B’s message to be embedded');
  const model = await activeModel(db());
  const row = await sql<{ model: string; dims: number }>`select model, vector_dims(embedding) as dims from message_embeddings where message_id = ${mine.id}::uuid`.execute(db());
  expect(row.rows[0]).toEqual({ model: model!.model, dims: model!.dimensions });

  const r = await doctorA.get(`/search?q=${encodeURIComponent('aligners not tracking')}&kind=messages`);
  expect(r.status).toBe(200);
  expect(r.body.mode).toBe('hybrid');
  expect(r.body.degraded).toBeNull();
  expect(r.body.results[0].id).toBe(mine.id);
  expect(r.body.results[0].why.similarity).toBeGreaterThan(0.3);
  expect(r.body.results[0].why.summary).toMatch(/similar in meaning/);
  expect(r.body.results[0].snippet).toContain('gap between the aligner');
  const ids = (r.body.results as { id: string; practiceId: string }[]).map((x) => x.id);
  expect(ids).not.toContain(theirs.id);
  expect((r.body.results as { practiceId: string }[]).every((x) => x.practiceId === a.practiceId)).toBe(true);

  // B finds its own message by the same words, and never A's.
  const rb = await doctorB.get(`/search?q=${encodeURIComponent('gap between tray and incisal edge')}`);
  expect(rb.status).toBe(200);
  expect(rb.body.results.map((x: { id: string }) => x.id)).toContain(theirs.id);
  expect(rb.body.results.map((x: { id: string }) => x.id)).not.toContain(mine.id);
  expect(rb.body.results.every((x: { practiceId: string }) => x.practiceId === b.practiceId)).toBe(true);
});

test('an edited case is re-embedded; an unchanged one costs nothing', async () => {
  const c = await newCase(doctorA, a, 'Class II elastics', 'Patient wears elastics 12 hours a day.');
  await waitFor(async () => (await sql<{ n: number }>`select count(*)::int as n from case_embeddings where case_id = ${c.id}::uuid`.execute(db())).rows[0]!.n, (n) => n === 1, 60_000, 'case embedding');
  const before = await sql<{ h: string; u: Date }>`select content_hash as h, updated_at as u from case_embeddings where case_id = ${c.id}::uuid`.execute(db());
  await sql`update cases set description = 'Patient stopped wearing elastics; overjet increased to 6mm.' where id = ${c.id}::uuid`.execute(db());
  const after = await waitFor(
    () => sql<{ h: string; t: string }>`select content_hash as h, content_text as t from case_embeddings where case_id = ${c.id}::uuid`.execute(db()),
    (r) => r.rows[0]?.h !== before.rows[0]!.h,
    60_000,
    're-embedding',
  );
  expect(after.rows[0]!.t).toContain('overjet increased');
  // A re-queued, unchanged text: dequeued without a new write.
  const stamp = await sql<{ u: Date }>`select updated_at as u from case_embeddings where case_id = ${c.id}::uuid`.execute(db());
  await sql`insert into embedding_queue (kind, source_id, practice_id) values ('case', ${c.id}::uuid, ${a.practiceId}::uuid) on conflict do nothing`.execute(db());
  await waitFor(() => queued('case', c.id), (q) => !q, 60_000, 'dequeue');
  const again = await sql<{ u: Date }>`select updated_at as u from case_embeddings where case_id = ${c.id}::uuid`.execute(db());
  expect(again.rows[0]!.u).toEqual(stamp.rows[0]!.u);
});

test('similar past cases come with their outcomes', async () => {
  const past = await newCase(doctorA, a, 'Lower retainer cracked', 'Essix retainer cracked at the lower left molar after 8 months; remake requested.');
  await newCase(doctorA, a, 'New patient consultation', 'Crowding of the upper arch, considering clear aligners.');
  const now = await newCase(doctorA, a, 'Broken retainer', 'The lower vacuum formed retainer split near the molars, patient needs a replacement.');
  for (const id of [past.id, now.id]) {
    await waitFor(async () => (await sql<{ n: number }>`select count(*)::int as n from case_embeddings where case_id = ${id}::uuid`.execute(db())).rows[0]!.n, (n) => n > 0, 60_000, 'case embedding');
  }
  const r = await doctorA.get(`/cases/${now.id}/similar?limit=3`);
  expect(r.status).toBe(200);
  expect(r.body.basis).toBe('embedding');
  expect(r.body.results[0].id).toBe(past.id);
  expect(r.body.results[0]).toMatchObject({ caseNumber: expect.any(String), outcome: expect.any(String), reworkCount: expect.any(Number) });
  expect(r.body.results.map((x: { id: string }) => x.id)).not.toContain(now.id);
  expect((await doctorB.get(`/cases/${now.id}/similar`)).status).toBe(404);
});

test('bad input: empty, blank, wordless and over-long queries and unknown kinds answer 400 naming the field', async () => {
  // Blank, punctuation only, a zero-width space only: no words to search for.
  for (const q of ['', '%20%20', '%3F%3F!', '%E2%80%8B']) {
    const r = await doctorA.get(`/search?q=${q}`);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_failed');
    expect(r.body.error.details[0].field).toBe('query.q');
  }
  const long = await doctorA.get(`/search?q=${'a'.repeat(h.config.SEARCH_MAX_QUERY_CHARS + 1)}`);
  expect(long.status).toBe(400);
  expect(long.body.error.message).toMatch(/too long: at most 500 characters/);
  const kind = await doctorA.get('/search?q=retainer&kind=invoices');
  expect(kind.status).toBe(400);
  expect(kind.body.error.details[0].field).toBe('query.kind');
  expect((await doctorA.get('/search?q=retainer&limit=0')).status).toBe(400);
});

test('provider down: search answers from full text, says so, never 500', async () => {
  const c = await newCase(doctorA, a, 'Debonded bracket', 'Bracket on UR3 came off during lunch.');
  const failing = createApp({
    config: h.config,
    database: h.database,
    temporal: h.client,
    cases: h.cases,
    embeddingProviders: () => ({ model: 'x', dimensions: 384, embed: () => Promise.reject(new Error('connection refused')) }),
  });
  const caller = as(failing, await tokenFor(h.config, a.members.doctor));
  const r = await caller.get('/search?q=bracket%20came%20off&kind=cases');
  expect(r.status).toBe(200);
  expect(r.body.mode).toBe('lexical');
  expect(r.body.degraded).toEqual({ reason: 'provider_unavailable', message: expect.stringContaining('connection refused') });
  expect(r.body.results[0].id).toBe(c.id);
  expect(r.body.results[0].why.terms).toEqual(expect.arrayContaining(['bracket']));
});

test('consent withdrawn through the API: the patient’s embeddings are deleted and new texts are not embedded; granted again: embedded again', async () => {
  const c = await newCase(doctorA, a, 'Consent case', 'Open bite, tongue thrust habit noted.');
  const m1 = (await doctorA.post(`/cases/${c.id}/messages`, { content: 'Tongue crib discussed with parents.' })).body;
  await waitFor(() => embeddedMessage(m1.id), (n) => n > 0, 60_000, 'embedding before withdrawal');

  const withdrawn = await doctorA.post(`/patients/${a.patientId}/consents`, { kind: 'ai_processing', granted: false, policyVersion: 'v1', note: 'withdrawn by phone' });
  expect(withdrawn.status).toBe(201);
  expect(await embeddedMessage(m1.id)).toBe(0);
  // Search finds the text by its words only: no vector of it is left to match.
  const found = await doctorA.get(`/search?q=${encodeURIComponent('tongue crib discussed')}&kind=messages`);
  expect(found.status).toBe(200);
  const hit = found.body.results.find((x: { id: string }) => x.id === m1.id);
  expect(hit?.why.similarity ?? null).toBeNull();
  const caseRows = await sql<{ n: number }>`select count(*)::int as n from case_embeddings e join cases c on c.id = e.case_id where c.patient_id = ${a.patientId}::uuid`.execute(db());
  expect(caseRows.rows[0]!.n).toBe(0);

  const m2 = (await doctorA.post(`/cases/${c.id}/messages`, { content: 'Patient reports the crib is uncomfortable.' })).body;
  // The pipeline takes it off the queue without embedding it.
  await waitFor(() => queued('message', m2.id), (q) => !q, 60_000, 'the withdrawn text to leave the queue');
  expect(await embeddedMessage(m2.id)).toBe(0);

  const versions = await sql<{ version: number; granted: boolean }>`select version, granted from patient_consents where patient_id = ${a.patientId}::uuid and kind = 'ai_processing' order by version`.execute(db());
  expect(versions.rows).toEqual([{ version: 1, granted: false }]);

  const granted = await doctorA.post(`/patients/${a.patientId}/consents`, { kind: 'ai_processing', granted: true });
  expect(granted.body).toMatchObject({ version: 2, granted: true });
  await waitFor(() => embeddedMessage(m2.id), (n) => n > 0, 60_000, 'embedding after consent granted again');
});

test('a patient’s clinical summary and a project’s notes, written through the API, are embedded and found by kind under RLS; a cleared summary loses its vector', async () => {
  const patientVectors = async (id: string) => (await sql<{ n: number }>`select count(*)::int as n from patient_embeddings where patient_id = ${id}::uuid`.execute(db())).rows[0]!.n;
  const projectVectors = async (id: string) => (await sql<{ n: number }>`select count(*)::int as n from project_embeddings where project_id = ${id}::uuid`.execute(db())).rows[0]!.n;
  const summary = 'Class II division 2 with a deep bite, retroclined upper centrals; grinds her teeth at night (bruxism).';
  const mine = await doctorA.post('/patients', { practiceId: a.practiceId, firstName: 'Vera', lastName: `Summary${randomUUID().slice(0, 6)}`, clinicalSummary: summary });
  expect(mine.status).toBe(201);
  const theirs = await doctorB.post('/patients', { practiceId: b.practiceId, firstName: 'Otto', lastName: `Summary${randomUUID().slice(0, 6)}`, clinicalSummary: summary });
  expect(theirs.status).toBe(201);

  const c = await newCase(doctorA, a, 'Expander', 'Rapid palatal expander planned.');
  const upload = await request(app)
    .post(`/cases/${c.id}/projects?name=${encodeURIComponent('Expander design')}&projectType=document&fileName=rpe.pdf&notes=${encodeURIComponent('Hyrax appliance banded on the first molars, screw turned twice a day for the crossbite.')}`)
    .set('Authorization', `Bearer ${await tokenFor(h.config, a.members.doctor)}`)
    .set('Content-Type', 'application/pdf')
    .send(Buffer.from('%PDF-1.4 expander'));
  expect(upload.status).toBe(201);
  expect(upload.body.metadata).toEqual({ notes: expect.stringContaining('Hyrax') });

  await waitFor(() => patientVectors(mine.body.id), (n) => n > 0, 60_000, 'the clinical summary to be embedded');
  await waitFor(() => patientVectors(theirs.body.id), (n) => n > 0, 60_000, 'B’s clinical summary to be embedded');
  await waitFor(() => projectVectors(upload.body.id), (n) => n > 0, 60_000, 'the project to be embedded');
  const stored = await sql<{ t: string }>`select content_text as t from project_embeddings where project_id = ${upload.body.id}::uuid`.execute(db());
  expect(stored.rows[0]!.t).toContain('Hyrax appliance');

  const patients = await doctorA.get(`/search?q=${encodeURIComponent('grinding teeth while asleep')}&kind=patients`);
  expect(patients.status).toBe(200);
  expect(patients.body.mode).toBe('hybrid');
  expect(patients.body.results.map((x: { id: string }) => x.id)).toEqual([mine.body.id]);
  expect(patients.body.results[0].why.similarity).toBeGreaterThan(0.3);
  const projects = await doctorA.get(`/search?q=${encodeURIComponent('palatal expansion appliance')}&kind=projects`);
  expect(projects.status).toBe(200);
  expect(projects.body.results[0]).toMatchObject({ kind: 'project', id: upload.body.id, caseId: c.id });
  expect(projects.body.results[0].snippet).toContain('Hyrax');

  // Cleared: the vector goes with the text, so the summary is no longer found by its meaning.
  const cleared = await doctorA.patch(`/patients/${mine.body.id}`, { clinicalSummary: null });
  expect(cleared.status).toBe(200);
  await waitFor(() => patientVectors(mine.body.id), (n) => n === 0, 60_000, 'the cleared summary’s vector to be deleted');
  expect(await queued('patient', mine.body.id)).toBe(false);
  expect(await patientVectors(theirs.body.id)).toBeGreaterThan(0);
  const after = await doctorA.get(`/search?q=${encodeURIComponent('grinding teeth while asleep')}&kind=patients`);
  expect(after.body.results.map((x: { id: string }) => x.id)).not.toContain(mine.body.id);
});

test('the worker’s health reports the embedding backlog', async () => {
  const res = await fetch(worker.healthUrl!);
  const body = (await res.json()) as { embeddingBacklog: number | null };
  expect(typeof body.embeddingBacklog).toBe('number');
});

test('reindex with another model: built in the background, then search switches; no index or query mixes models', async () => {
  const before = (await activeModel(db()))!;
  const next = before.model === 'local/all-minilm-l6-v2-q' ? 'local/bge-small-en-v1.5-q' : 'local/all-minilm-l6-v2-q';
  const c = await newCase(doctorA, a, 'Reindex probe', 'Upper left lateral incisor peg shaped, composite build-up before aligners.');
  await waitFor(async () => (await sql<{ n: number }>`select count(*)::int as n from case_embeddings where case_id = ${c.id}::uuid`.execute(db())).rows[0]!.n, (n) => n > 0, 60_000, 'case embedding');

  const handle = await h.client.workflow.start(embeddingReindexWorkflow, {
    workflowId: embeddingReindexWorkflowId(h.taskQueue),
    taskQueue: h.taskQueue,
    args: [{ model: next, batchSize: 64 }],
  });
  await handle.result();
  const now = (await activeModel(db()))!;
  expect(now.model).toBe(next);
  const models = await sql<{ model: string; state: string }>`select model, state from embedding_models order by created_at`.execute(db());
  expect(models.rows).toEqual(expect.arrayContaining([{ model: before.model, state: 'retired' }, { model: next, state: 'active' }]));
  // The old model's vectors and indexes are gone; the new model's cover the texts.
  const old = await sql<{ n: number }>`select count(*)::int as n from case_embeddings where model = ${before.model}`.execute(db());
  expect(old.rows[0]!.n).toBe(0);
  const idx = await sql<{ indexname: string }>`select indexname from pg_indexes where indexdef like ${`%'${before.model}'%`}`.execute(db());
  expect(idx.rows).toEqual([]);
  const mine = await sql<{ model: string }>`select model from case_embeddings where case_id = ${c.id}::uuid`.execute(db());
  expect(mine.rows).toEqual([{ model: next }]);

  const r = await waitFor(
    () => doctorA.get(`/search?q=${encodeURIComponent('peg lateral build up')}&kind=cases`),
    (x) => x.body.model === next,
    10_000,
    'search to use the new model',
  );
  expect(r.body.mode).toBe('hybrid');
  expect(r.body.results[0].id).toBe(c.id);
}, 180_000);

test('recommendations: a running case gets the outcomes of its nearest closed cases by the search’s vectors', async () => {
  const closed = [
    ['near', 'Aligners not seating', 'Upper aligners not tracking, visible gap at the incisal edges of the front teeth; refinement scan requested.'],
    ['invoice', 'Invoice query', 'Question about the invoice for the retainer order, payment was sent last week.'],
    ['retainer', 'Broken retainer', 'Lower bonded retainer wire snapped on the canine, needs rebonding.'],
  ] as const;
  const ids = new Map<string, string>();
  for (const [key, title, description] of closed) {
    const row = await db()
      .insertInto('cases')
      .values({ patient_id: a.patientId, practice_id: a.practiceId, case_number: `S-${randomUUID().slice(0, 8)}`, title, description, case_type: key === 'near' ? 'refinement' : 'active_treatment', workflow_template_id: templateId, current_state: 'completed', closed_at: new Date().toISOString() })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids.set(key, row.id);
    await db().insertInto('workflow_performance').values({ workflow_template_id: templateId, case_id: row.id, practice_id: a.practiceId, task_performance: JSON.stringify({ outcome: 'completed', tasks: [] }) }).execute();
  }
  const running = await db()
    .insertInto('cases')
    .values({ patient_id: a.patientId, practice_id: a.practiceId, case_number: `S-${randomUUID().slice(0, 8)}`, title: 'Trays not fitting', description: 'The aligners do not fit the upper incisors: a gap between the aligner and the incisal edge.', case_type: 'active_treatment', workflow_template_id: templateId, current_state: 'planning' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const all = [...ids.values(), running.id];
  await waitFor(async () => (await sql<{ n: number }>`select count(distinct case_id)::int as n from case_embeddings where case_id = any(${all}::uuid[])`.execute(db())).rows[0]!.n, (n) => n === all.length, 60_000, 'the cases to be embedded');

  await refreshTemplateInsights(db(), templateId, `search-test-${randomUUID()}`, new Date());
  const rows = await db().selectFrom('state_analytics').select('ai_recommendations').where('case_id', '=', running.id).execute();
  const similar = (rows.at(-1)!.ai_recommendations as { similar: { method: string; cases: Array<{ caseId: string; similarity: number }> } }).similar;
  expect(similar.method).toBe('embedding');
  // The nearest is the other tracking case, although its case type differs; similarities descend.
  expect(similar.cases[0]!.caseId).toBe(ids.get('near'));
  const sims = similar.cases.map((c) => c.similarity);
  expect([...sims].sort((x, y) => y - x)).toEqual(sims);
  expect(sims[0]!).toBeGreaterThan(sims.at(-1)!);
});
