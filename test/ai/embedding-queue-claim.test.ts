/**
 * Several workers never embed the same queued texts twice (issue 10 §2, db 0089). Every worker
 * process runs the embedding pipeline; a step read the oldest entries with no lock, so two
 * workers embedded each batch twice. A step now claims its entries with a lease: two steps
 * running side by side on one queue send each text to the model once, a crashed worker's
 * entries are taken over when its lease expires, and an entry edited while claimed is free again
 * as soon as its step ends.
 *
 * Its own database on the suite's server: the embedding queue and the active model are global,
 * and the suite's workers run pipelines on the shared database.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createDatabase, type Database } from '../../src/db/database';
import { embeddingInput, embedQueued } from '../../src/ai/pipeline';
import type { EmbeddingProvider } from '../../src/ai/providers/types';
import * as repo from '../../src/repositories/embeddings.repository';
import { chunkText } from '../../src/ai/text';
import { createPracticeFixture, type PracticeFixture } from '../support/fixtures';
import { createScratchDatabase } from '../support/pg-clients';
import { setupAndTeardown } from '../support/lifecycle';

const MODEL = 'test/claim';
let scratch: Awaited<ReturnType<typeof createScratchDatabase>> | undefined;
let database: Database;
let f: PracticeFixture;
const db = () => database.system;

setupAndTeardown(async () => {
  scratch = await createScratchDatabase('mdw_queue_claim');
  database = createDatabase(scratch.url, 6);
  f = await createPracticeFixture(db());
  await repo.ensureActiveModel(db(), MODEL, 3);
}, [() => database?.destroy(), () => scratch?.drop()], { setup: 120_000 });


/** Every input a provider was sent, one entry per time it was sent. */
let sent: string[] = [];
beforeEach(() => (sent = []));

/**
 * A provider that records its inputs and, before answering, runs `during` (a slow model call
 * that lets the other step, an edit, ... happen meanwhile).
 */
const provider = (during: () => Promise<void> = async () => undefined): EmbeddingProvider => ({
  model: MODEL,
  dimensions: 3,
  embed: async (texts) => {
    sent.push(...texts);
    await during();
    return texts.map(() => [1, 0, 0]);
  },
});

async function newCases(n: number, label: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await db()
      .insertInto('cases')
      .values({ practice_id: f.practiceId, patient_id: f.patientId, case_number: `QC-${randomUUID().slice(0, 8)}`, title: `${label} ${i}`, description: `Aligner stage ${i}.`, case_type: 'active_treatment' })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids.push(r.id);
  }
  return ids;
}

/** What the model is sent for these cases (each chunk of each text). */
async function inputsOf(caseIds: string[]): Promise<string[]> {
  const sources = await repo.loadSources(db(), 'case', caseIds);
  return sources.flatMap((s) => chunkText(s.text).map(embeddingInput)).sort();
}

const vectors = async (caseIds: string[]) =>
  (await sql<{ n: number }>`SELECT count(*)::int AS n FROM case_embeddings WHERE case_id = ANY (${caseIds}::uuid[]) AND model = ${MODEL}`.execute(db())).rows[0]!.n;

const queued = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM embedding_queue`.execute(db())).rows[0]!.n;

test('two pipeline steps side by side on one queue send each queued text to the model once', async () => {
  const ids = await newCases(10, 'Parallel');
  const all = (await repo.nextQueued(db(), 100)).length;
  expect(all).toBeGreaterThanOrEqual(10);

  // Each step's model call waits (up to 10 s) until the other step's call has started too, so
  // both are embedding at once: without claims both would have read the same oldest entries.
  let started = 0;
  const bothStarted = async () => {
    started++;
    const until = Date.now() + 10_000;
    while (started < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  };
  const deps = { db: db(), providers: () => provider(bothStarted) };
  const half = Math.ceil(all / 2);
  const [a, b] = await Promise.all([embedQueued(deps, half), embedQueued(deps, half)]);

  expect(started).toBe(2);
  expect(a.handled + b.handled).toBe(all);
  expect(Math.min(a.handled, b.handled)).toBeGreaterThan(0);
  // Each text once: no input twice, and every case's input among them.
  expect(new Set(sent).size).toBe(sent.length);
  expect(sent).toEqual(expect.arrayContaining(await inputsOf(ids)));
  expect(a.embedded + b.embedded).toBe(sent.length);
  expect(await vectors(ids)).toBe(10);
  expect(await queued()).toBe(0);
});

test("a crashed worker's claim holds until its lease expires; then its entries are taken over, and its late dequeue harms nothing", async () => {
  const ids = await newCases(3, 'Crashed');
  const crashed = await repo.claimQueued(db(), 100, 'crashed-worker', 60_000);
  expect(crashed.map((q) => q.source_id).sort()).toEqual([...ids].sort());

  // Claimed: another step finds nothing to do, and the backlog still counts the entries.
  const deps = { db: db(), providers: () => provider() };
  const during = await embedQueued(deps, 10);
  expect(during).toEqual({ handled: 0, embedded: 0, backlog: 3 });
  expect(sent).toEqual([]);

  // The lease runs out (as a minute passing would have it).
  await sql`UPDATE embedding_queue SET claimed_until = clock_timestamp() - interval '1 second' WHERE claimed_by = 'crashed-worker'`.execute(db());
  const after = await embedQueued(deps, 10);
  expect(after).toEqual({ handled: 3, embedded: 3, backlog: 0 });
  expect(sent.sort()).toEqual(await inputsOf(ids));
  expect(await vectors(ids)).toBe(3);

  // The old claimant coming back late: dequeue and release are idempotent.
  await repo.dequeue(db(), crashed);
  await repo.releaseClaims(db(), crashed, 'crashed-worker');
  expect(await queued()).toBe(0);
});

test('an entry edited while its step embeds it stays queued, unclaimed, and the next step takes it at once', async () => {
  const [edited, plain] = await newCases(2, 'Edited');
  const deps = {
    db: db(),
    providers: () => provider(async () => void (await db().updateTable('cases').set({ description: 'Aligner stage 9, refined.' }).where('id', '=', edited!).execute())),
  };
  const first = await embedQueued(deps, 10);
  expect(first.handled).toBe(2);
  expect(first.backlog).toBe(1);
  const left = await sql<{ source_id: string; claimed_by: string | null; claimed_until: Date | null }>`SELECT source_id, claimed_by, claimed_until FROM embedding_queue`.execute(db());
  expect(left.rows).toEqual([{ source_id: edited, claimed_by: null, claimed_until: null }]);

  sent = [];
  const second = await embedQueued({ db: db(), providers: () => provider() }, 10);
  expect(second).toEqual({ handled: 1, embedded: 1, backlog: 0 });
  expect(sent).toEqual(await inputsOf([edited!]));
  expect(await vectors([edited!, plain!])).toBe(2);
});

test('a failed step releases its claim: the retry takes the entries without waiting for the lease', async () => {
  const ids = await newCases(2, 'Failed');
  const failing: EmbeddingProvider = {
    model: MODEL,
    dimensions: 3,
    embed: async () => {
      throw new Error('provider down');
    },
  };
  await expect(embedQueued({ db: db(), providers: () => failing }, 10)).rejects.toThrow('provider down');
  expect(await queued()).toBe(2);
  const retry = await embedQueued({ db: db(), providers: () => provider() }, 10);
  expect(retry).toEqual({ handled: 2, embedded: 2, backlog: 0 });
  expect(await vectors(ids)).toBe(2);
});
