/**
 * The embedding pipeline's texts/s alone (queue → chunk → embed → write → dequeue, embedQueued as
 * the worker's activity runs it) and the bare model's on the same texts, interleaved round by
 * round in one process so that the machine's load hits both alike: the figure is their ratio.
 * bench:search's part (d) measures the same thing once, after a 10-client run on the 1M fixture;
 * this needs no fixture, no lock and a minute.
 *
 * Its own scratch cluster (`--dir`, created on first use and kept: later runs start in seconds),
 * one database per `--db` (migrated by this checkout's migrations: two checkouts side by side use
 * two names), a new practice, patient and case per run. The bare model embeds the pipeline's own
 * inputs (chunkText + expandOrtho, as embedQueued sends them) in calls of EMBEDDING_BATCH_SIZE,
 * and bench:search's raw texts too (`bareRaw`: its figure of record).
 *
 *   nice -n 15 npx tsx bench/pipeline-throughput.ts [--dir /tmp/<you>-pipeline-pg] [--db pipe_head]
 *       [--texts 512] [--rounds 3] [--batch N] [--steps 1] [--json out.json] [--stop]
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { startEmbeddedPostgres } from '../scripts/lib/embedded-postgres';
import { ensureEmbeddingModel } from '../scripts/lib/embedding-models';
import { embedQueued, embeddingInput } from '../src/ai/pipeline';
import { createEmbeddingProvider } from '../src/ai/providers';
import type { EmbeddingProvider } from '../src/ai/providers/types';
import { chunkText } from '../src/ai/text';
import { loadConfig } from '../src/config';
import { guardClient } from '../src/db/connection-errors';
import { createDatabase } from '../src/db/database';
import { migrate } from '../src/db/migrate';
import * as embeddings from '../src/repositories/embeddings.repository';
import { addMember, createPatient, createPractice, createProfile } from '../src/repositories/identity.repository';

const { values: opt } = parseArgs({
  options: {
    dir: { type: 'string', default: path.join(os.tmpdir(), `mdw-pipeline-pg-${process.getuid?.() ?? 'u'}`) },
    db: { type: 'string', default: 'mdw_pipeline' },
    texts: { type: 'string', default: '512' },
    rounds: { type: 'string', default: '3' },
    batch: { type: 'string' },
    steps: { type: 'string', default: '1' },
    json: { type: 'string' },
    stop: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opt.help) {
  console.log('nice -n 15 npx tsx bench/pipeline-throughput.ts [--dir D] [--db NAME] [--texts 512] [--rounds 3] [--batch N] [--steps 1] [--json F] [--stop]');
  process.exit(0);
}
const positive = (name: string, v: string | undefined, fallback: number) => {
  const n = v === undefined ? fallback : Number(v);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a positive integer (got ${v})`);
    process.exit(2);
  }
  return n;
};
if (!/^[a-z_][a-z0-9_]*$/.test(opt.db!)) {
  console.error(`--db must be a lower-case identifier (got ${opt.db})`);
  process.exit(2);
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

/** A process's CPU time so far in ms: every live thread's /proc/<pid>/task/<tid>/schedstat (ns). */
function cpuMsOf(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // a thread that ended meanwhile
    }
  }
  return ns / 1e6;
}

/** Wall seconds, this process's CPU ms (the model's thread included) and the backends' CPU ms. */
interface Cost {
  wall: number;
  nodeMs: number;
  pgMs: number;
}

const QUERIES_PER_ROUND = 32;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};

/** bare: the pipeline's inputs through the model alone; bareRaw: bench:search's raw texts. */
const PARTS = ['bare', 'pipeline', 'bareRaw'] as const;
type Part = (typeof PARTS)[number];

/** texts/s (wall), the wall ratio (the figure) and CPU ms per text: node (model thread included) and PostgreSQL. */
function rates(c: Record<Part, Cost>, n: number) {
  return {
    bareTextsPerSec: round(n / c.bare.wall),
    bareRawTextsPerSec: round(n / c.bareRaw.wall),
    pipelineTextsPerSec: round(n / c.pipeline.wall),
    pipelineOverBare: round(c.bare.wall / c.pipeline.wall, 3),
    pipelineOverBareRaw: round(c.bareRaw.wall / c.pipeline.wall, 3),
    bareCpuMsPerText: round(c.bare.nodeMs / n, 3),
    pipelineNodeCpuMsPerText: round(c.pipeline.nodeMs / n, 3),
    pipelinePgCpuMsPerText: round(c.pipeline.pgMs / n, 3),
    pipelineOverBareCpu: round(c.bare.nodeMs / (c.pipeline.nodeMs + c.pipeline.pgMs), 3),
  };
}

/** bench:search's (d) texts: six clinical phrases, numbered (so every text is distinct). */
const PHRASES = [
  'Lower incisors crowding, IPR planned before refinement',
  'Patient reports the upper aligner does not seat fully on UR3',
  'Please approve the setup: overjet reduced to 2 mm',
  'Attachment lost on LL4, replace at next visit',
  'Elastics class II full time, compliance poor',
  'Scan received, bite registration unclear on the left',
];

async function main(): Promise<void> {
  const config = loadConfig();
  const N = positive('texts', opt.texts, 512);
  const rounds = positive('rounds', opt.rounds, 3);
  const batch = positive('batch', opt.batch, config.EMBEDDING_BATCH_SIZE);
  const steps = positive('steps', opt.steps, 1);
  if (config.AI_PROVIDER === 'local') await ensureEmbeddingModel(config.LOCAL_EMBEDDING_MODEL);
  const pgs = await startEmbeddedPostgres({ dataDir: opt.dir!, database: opt.db!, ephemeral: true });
  const database = createDatabase(pgs.url, Math.max(2, steps));
  const admin = guardClient(new pg.Client({ connectionString: pgs.url, application_name: 'pipeline-bench-probe' }));
  await admin.connect();
  const backendPids = async () =>
    (await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'mdw' ORDER BY pid`)).rows.map((r) => r.pid);
  const inner = createEmbeddingProvider(config);
  // The pipeline's provider, timed: what of its time is the model's.
  let modelMs = 0;
  let modelCalls = 0;
  const timed: EmbeddingProvider = Object.assign(Object.create(inner) as EmbeddingProvider, {
    async embed(texts: readonly string[]) {
      const t = performance.now();
      try {
        return await inner.embed(texts);
      } finally {
        modelMs += performance.now() - t;
        modelCalls++;
      }
    },
  });
  try {
    await migrate(pgs.url);
    const db = database.system;
    const tag = `${Date.now().toString(36)}-${process.pid}`;
    const practiceId = await createPractice(db, { name: `Pipeline practice ${tag}` });
    const member = await createProfile(db, { email: `pipeline-doctor-${tag}@bench.mdw`, firstName: 'Pipeline', lastName: 'Doctor', role: 'doctor' });
    await addMember(db, practiceId, member, 'doctor');
    const patient = await createPatient(db, { practiceId, email: `pipeline-patient-${tag}@bench.mdw`, firstName: 'Pipeline', lastName: 'Patient' });
    const kase = await db
      .insertInto('cases')
      .values({ practice_id: practiceId, patient_id: patient.id, case_number: `P-${tag}`, title: 'Pipeline case', case_type: 'active_treatment' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await embeddings.ensureActiveModel(db, inner.model, inner.dimensions);
    await sql`DELETE FROM embedding_queue`.execute(db);
    await inner.embed(['warm up']);

    const rows: Record<string, number>[] = [];
    const queryMs: number[] = [];
    const zero = (): Cost => ({ wall: 0, nodeMs: 0, pgMs: 0 });
    const sum = { bare: zero(), bareRaw: zero(), pipeline: zero(), model: 0, texts: 0 };
    for (let r = 0; r < rounds; r++) {
      const texts = Array.from({ length: N }, (_, i) => `${PHRASES[i % PHRASES.length]} (note ${r * N + i}, tray ${i % 40}, ${tag}).`);
      const inputs = texts.flatMap((t) => chunkText(t).map(embeddingInput));
      const measure = async (fn: () => Promise<void>): Promise<Cost> => {
        // The pool's backends before and after: one opened meanwhile counts whole, one closed
        // meanwhile (node-postgres' idle timeout) up to its last reading.
        const before = new Map((await backendPids()).map((p) => [p, cpuMsOf(p)]));
        const n0 = cpuMsOf(process.pid);
        const t0 = performance.now();
        await fn();
        const wall = (performance.now() - t0) / 1000;
        const nodeMs = cpuMsOf(process.pid) - n0;
        let pgMs = 0;
        for (const p of await backendPids()) pgMs += cpuMsOf(p) - (before.get(p) ?? 0);
        return { wall, nodeMs, pgMs };
      };
      const bareOf = (xs: string[]) =>
        measure(async () => {
          for (let i = 0; i < xs.length; i += batch) await inner.embed(xs.slice(i, i + batch));
        });
      await db
        .insertInto('case_messages')
        .values(texts.map((content) => ({ case_id: kase.id, practice_id: practiceId, sender_id: member, content })))
        .execute();
      // --steps N: N step loops side by side (as N workers would run them: claims keep them
      // apart), so that one step's writes overlap another's model call.
      const loop = async () => {
        for (;;) {
          const step = await embedQueued({ db, providers: () => timed }, batch);
          handled += step.handled;
          if (step.handled === 0 || step.backlog === 0) break;
        }
      };
      const pipelineRun = () => measure(async () => void (await Promise.all(Array.from({ length: steps }, loop))));
      let handled = 0;
      const m0 = modelMs;
      const c0 = modelCalls;
      // ABC then CBA, so that a drift in load within a round is shared.
      const cost: Partial<Record<Part, Cost>> = {};
      for (const k of r % 2 === 0 ? PARTS : [...PARTS].reverse()) cost[k] = k === 'pipeline' ? await pipelineRun() : await bareOf(k === 'bare' ? inputs : texts);
      if (handled !== N) throw new Error(`round ${r}: the pipeline handled ${handled} of ${N} texts`);
      // A query's embedding alone (what GET /search waits for; the service's LRU is not here).
      for (let i = 0; i < QUERIES_PER_ROUND; i++) {
        const t0 = performance.now();
        const q = `${PHRASES[i % PHRASES.length]} query ${r} ${i} ${tag}`;
        await (inner.embedQuery ? inner.embedQuery(q) : inner.embed([q]));
        queryMs.push(performance.now() - t0);
      }
      const model = (modelMs - m0) / 1000;
      for (const k of PARTS) {
        sum[k].wall += cost[k]!.wall;
        sum[k].nodeMs += cost[k]!.nodeMs;
        sum[k].pgMs += cost[k]!.pgMs;
      }
      sum.model += model;
      sum.texts += N;
      rows.push({
        round: r + 1,
        ...rates(cost as Record<Part, Cost>, N),
        modelSeconds: round(model, 3),
        modelCalls: modelCalls - c0,
      });
    }
    const stored = Number(
      (await sql<{ n: string }>`SELECT count(*)::text AS n FROM message_embeddings WHERE practice_id = ${practiceId}::uuid AND model = ${inner.model}`.execute(db)).rows[0]!.n,
    );
    const load = os.loadavg().map((x) => round(x, 2));
    const report = {
      cwd: process.cwd(),
      model: inner.model,
      textsPerRound: N,
      rounds,
      batchSize: batch,
      steps,
      stored,
      loadAvg: load,
      ...rates(sum, sum.texts),
      queryEmbeddings: queryMs.length,
      queryEmbedP50Ms: round(pct(queryMs, 0.5), 2),
      queryEmbedP95Ms: round(pct(queryMs, 0.95), 2),
      modelShareOfPipelineWall: round(sum.model / sum.pipeline.wall, 3),
      outsideModelWallMsPerText: round((1000 * (sum.pipeline.wall - sum.model)) / sum.texts, 3),
      perRound: rows,
    };
    console.log(JSON.stringify(report, null, 1));
    if (opt.json) writeFileSync(opt.json, JSON.stringify(report, null, 1) + '\n');
  } finally {
    await (inner as { close?: () => Promise<void> }).close?.();
    await database.destroy();
    await admin.end();
    if (opt.stop) pgs.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
