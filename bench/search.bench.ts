/**
 * Search benchmark (issue 10 §3 "Speed"): the semantic leg of GET /search at scale, under RLS, on
 * an ephemeral PostgreSQL started here.
 *
 *   (a) load: N message embeddings across P practices (COPY), one member per practice
 *   (b) index builds: the production partial HNSW index (src/repositories/embeddings.repository.ts)
 *       and the design's baseline, ivfflat lists = 100, both timed
 *   (c) latency and recall: the same tenant-filtered queries, run by members of one practice as
 *       `authenticated` with their JWT claims (RLS), at C concurrent clients, per method:
 *         - hnsw: the production query (search.repository.ts semantic(): iterative scan, ef_search 100)
 *         - hnsw, iterative scan off: what the tenant filter does to plain HNSW
 *         - ivfflat lists=100 (probes 1, the default, and --probes), iterative scan on
 *       recall@10 of each against the exact answer (the same query with index scans off).
 *       Methods run in interleaved rounds (A B C … A B C) so that machine load hits all alike.
 *   (d) the embedding pipeline's texts/s with the configured local model (src/ai/pipeline.ts),
 *       side by side with the bare model on the same texts.
 *
 * The vectors of (a)–(c) are synthetic (the model would take hours for 1M texts on 2 cores):
 * 384 dimensions like bge-small, drawn around 64 themes × 32 sub-topics plus noise, so that
 * neighbourhoods have structure (uniform random vectors are a pathological case for ANN indexes).
 * A measurement, not a test: nothing asserts a timing.
 *
 *   npm run bench:search                                   # 1,000,000 vectors, 100 practices, 10 clients
 *   npm run bench:search -- --vectors 100000 --queries 100 # a quick run
 *   npm run bench:search -- --help
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { RawNode, sql, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type RootOperationNode, type UnknownRow } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { startEmbeddedPostgres } from '../scripts/lib/embedded-postgres';
import { ensureEmbeddingModel } from '../scripts/lib/embedding-models';
import { loadConfig } from '../src/config';
import { guardClient } from '../src/db/connection-errors';
import { AUTHENTICATOR_ROLE, createDatabase, urlAs, type Database, type Tx } from '../src/db/database';
import { migrate } from '../src/db/migrate';
import { embedQueued } from '../src/ai/pipeline';
import { createEmbeddingProvider } from '../src/ai/providers';
import { addMember, createPatient, createPractice, createProfile } from '../src/repositories/identity.repository';
import * as embeddings from '../src/repositories/embeddings.repository';
import { CANDIDATES, semantic } from '../src/repositories/search.repository';

const HELP = `npm run bench:search -- [options]
  --vectors N        message embeddings to load (default 1000000)
  --practices N      practices they spread over, equally (default 100)
  --clients N        concurrent searching clients (default 10)
  --queries N        distinct tenant-filtered queries per round (default 200)
  --rounds N         interleaved rounds of every method (default 2)
  --probes N         ivfflat probes of the second ivfflat setting (default 10)
  --pipeline-texts N texts for the pipeline's texts/s, 0 to skip (default 256)
  --out DIR          where the JSON report goes (default bench/results); --no-write to print only`;

const { values: opt } = parseArgs({
  options: {
    vectors: { type: 'string', default: '1000000' },
    practices: { type: 'string', default: '100' },
    clients: { type: 'string', default: '10' },
    queries: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '2' },
    probes: { type: 'string', default: '10' },
    'pipeline-texts': { type: 'string', default: '256' },
    out: { type: 'string', default: path.resolve(__dirname, 'results') },
    'no-write': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opt.help) {
  console.log(HELP);
  process.exit(0);
}
const int = (k: 'vectors' | 'practices' | 'clients' | 'queries' | 'rounds' | 'probes' | 'pipeline-texts', min = 1) => {
  const v = Number(opt[k]);
  if (!Number.isInteger(v) || v < min) {
    console.error(`--${k} must be an integer ≥ ${min} (got ${opt[k]})`);
    process.exit(2);
  }
  return v;
};
const VECTORS = int('vectors');
const PRACTICES = int('practices');
const CLIENTS = int('clients');
const QUERIES = int('queries');
const ROUNDS = int('rounds');
const PROBES = int('probes');
const PIPELINE_TEXTS = int('pipeline-texts', 0);
if (VECTORS < PRACTICES * 10) {
  console.error('--vectors must be at least 10 per practice');
  process.exit(2);
}

const DIMS = 384;
const MODEL = 'bench/synthetic-384';
const CASES_PER_PRACTICE = 20;
const K = 10;

// ---------------------------------------------------------------------------------------------
// Synthetic vectors: a seeded generator, so that every run (and every method) sees the same data.
// ---------------------------------------------------------------------------------------------
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const THEMES = 64;
const SUBTOPICS = 32;
const structure = (() => {
  const rnd = mulberry32(42);
  const unit = () => Array.from({ length: DIMS }, () => rnd() * 2 - 1);
  const themes = Array.from({ length: THEMES }, unit);
  const subs = Array.from({ length: THEMES * SUBTOPICS }, (_, i) => {
    const u = unit();
    return themes[Math.floor(i / SUBTOPICS)]!.map((t, d) => t + 0.8 * u[d]!);
  });
  return subs;
})();
/**
 * A point near a random sub-topic, as small integers: cosine distance ignores length, and short
 * integers are exact in halfvec and cheap to COPY.
 */
function syntheticVector(rnd: () => number): number[] {
  const base = structure[Math.floor(rnd() * structure.length)]!;
  return base.map((b) => Math.round((b + 0.9 * (rnd() * 2 - 1)) * 40));
}

const messageId = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))]!;
};
const round = (x: number, d = 2) => Number(x.toFixed(d));

interface Practice {
  id: string;
  member: string;
  cases: string[];
}

async function copyRows(client: pg.Client, statement: string, rows: () => Generator<string>): Promise<void> {
  const stream = client.query(copyFrom(statement));
  await pipeline(Readable.from(rows(), { objectMode: false }), stream);
}

/** (a) practices with a member, a patient and cases; messages and their embeddings by COPY. */
async function load(url: string, database: Database): Promise<{ practices: Practice[]; seconds: number }> {
  const db = database.system;
  const practices: Practice[] = [];
  for (let p = 0; p < PRACTICES; p++) {
    const id = await createPractice(db, { name: `Bench practice ${p}` });
    const member = await createProfile(db, { email: `bench-doctor-${p}@bench.mdw`, firstName: 'Bench', lastName: `Doctor ${p}`, role: 'doctor' });
    await addMember(db, id, member, 'doctor');
    const patient = await createPatient(db, { practiceId: id, email: `bench-patient-${p}@bench.mdw`, firstName: 'Bench', lastName: `Patient ${p}` });
    const cases = await db
      .insertInto('cases')
      .values(Array.from({ length: CASES_PER_PRACTICE }, (_, c) => ({ practice_id: id, patient_id: patient.id, case_number: `B-${p}-${c}`, title: `Bench case ${c}`, case_type: 'active_treatment' as const })))
      .returning('id')
      .execute();
    practices.push({ id, member, cases: cases.map((c) => c.id) });
  }
  await sql`DELETE FROM embedding_queue`.execute(db);
  await sql`INSERT INTO embedding_models (model, dimensions, state, activated_at) VALUES (${MODEL}, ${DIMS}, 'active', now())`.execute(db);

  const t0 = performance.now();
  const client = guardClient(new pg.Client({ connectionString: url }));
  await client.connect();
  try {
    // The load is the benchmark's fixture, not what it measures: no queue, audit or FK triggers.
    await client.query(`SET session_replication_role = replica`);
    const BATCH = 2_000;
    await copyRows(client, 'COPY case_messages (id, case_id, practice_id, sender_id, content) FROM STDIN', function* () {
      for (let i = 0; i < VECTORS; i += BATCH) {
        let chunk = '';
        for (let j = i; j < Math.min(VECTORS, i + BATCH); j++) {
          const p = practices[j % PRACTICES]!;
          chunk += `${messageId(j)}\t${p.cases[Math.floor(j / PRACTICES) % CASES_PER_PRACTICE]}\t${p.id}\t${p.member}\tSynthetic bench message ${j}\n`;
        }
        yield chunk;
      }
    });
    const rnd = mulberry32(7);
    await copyRows(client, 'COPY message_embeddings (message_id, practice_id, content_text, embedding, model, content_hash, chunk) FROM STDIN', function* () {
      for (let i = 0; i < VECTORS; i += BATCH) {
        let chunk = '';
        for (let j = i; j < Math.min(VECTORS, i + BATCH); j++) {
          chunk += `${messageId(j)}\t${practices[j % PRACTICES]!.id}\tSynthetic bench message ${j}\t[${syntheticVector(rnd).join(',')}]\t${MODEL}\th${j}\t0\n`;
        }
        if (i % 100_000 === 0) process.stdout.write(`  loaded ${i.toLocaleString('en')} / ${VECTORS.toLocaleString('en')}\r`);
        yield chunk;
      }
    });
    process.stdout.write('\n');
    await client.query('ANALYZE case_messages');
    await client.query('ANALYZE message_embeddings');
  } finally {
    await client.end();
  }
  return { practices, seconds: (performance.now() - t0) / 1000 };
}

/** (b) both indexes, each timed on its own connection with the same memory and parallelism. */
async function buildIndexes(url: string): Promise<{ hnswSeconds: number; ivfflatSeconds: number; hnswMB: number; ivfflatMB: number }> {
  const one = createDatabase(url, 1);
  try {
    await sql`SET maintenance_work_mem = '3GB'`.execute(one.system);
    await sql`SET max_parallel_maintenance_workers = 1`.execute(one.system);
    let t0 = performance.now();
    // The production index, created exactly as the pipeline creates it for a model.
    await embeddings.ensureModelIndexes(one.system, MODEL, DIMS);
    const hnswSeconds = (performance.now() - t0) / 1000;
    t0 = performance.now();
    // The design's baseline: ivfflat, lists = 100, on vector (the design's type), same model filter.
    await sql`CREATE INDEX IF NOT EXISTS bench_message_embeddings_ivfflat ON message_embeddings
      USING ivfflat ((embedding::vector(${sql.lit(DIMS)})) vector_cosine_ops) WITH (lists = 100) WHERE model = ${sql.lit(MODEL)}`.execute(one.system);
    const ivfflatSeconds = (performance.now() - t0) / 1000;
    const size = async (name: string) => Number((await sql<{ b: string }>`SELECT pg_relation_size(${name}::regclass)::text AS b`.execute(one.system)).rows[0]!.b) / 2 ** 20;
    return {
      hnswSeconds,
      ivfflatSeconds,
      hnswMB: round(await size(embeddings.hnswIndexName('message_embeddings', MODEL))),
      ivfflatMB: round(await size('bench_message_embeddings_ivfflat')),
    };
  } finally {
    await one.destroy();
  }
}

interface Query {
  practice: Practice;
  vector: number[];
}

type Method = {
  name: string;
  run(trx: Tx, q: Query): Promise<string[]>;
};

const vecLit = (v: readonly number[]) => `[${v.join(',')}]`;

/**
 * The exact answer: the production query's ordering with index scans off, so no vector index
 * can serve it; sequential scans are discouraged too, so that the practice's rows are read
 * through the practice_id btree (bitmap scan) rather than the whole table.
 */
async function exact(trx: Tx, q: Query): Promise<string[]> {
  await sql`SET LOCAL enable_indexscan = off`.execute(trx);
  await sql`SET LOCAL enable_seqscan = off`.execute(trx);
  const r = await sql<{ id: string }>`SELECT message_id AS id FROM message_embeddings e
     WHERE e.model = ${MODEL}
     ORDER BY e.embedding::halfvec(${sql.lit(DIMS)}) <=> ${vecLit(q.vector)}::halfvec(${sql.lit(DIMS)}) LIMIT ${K}`.execute(trx);
  return r.rows.map((x) => x.id);
}

const model = { model: MODEL, dimensions: DIMS };
const methods: Method[] = [
  {
    // What GET /search runs per kind: CANDIDATES nearest, of which the page shows the first 10.
    name: 'hnsw (production: iterative scan, ef_search 100)',
    run: async (trx, q) => (await semantic(trx, 'message', model, q.vector, CANDIDATES)).slice(0, K).map((x) => x.id),
  },
  {
    name: 'hnsw, iterative scan off (ef_search 40)',
    run: async (trx, q) => {
      await sql`SET LOCAL hnsw.iterative_scan = off`.execute(trx);
      const r = await sql<{ id: string }>`SELECT message_id AS id FROM message_embeddings e WHERE e.model = ${sql.lit(MODEL)}
         ORDER BY e.embedding::halfvec(${sql.lit(DIMS)}) <=> ${vecLit(q.vector)}::halfvec(${sql.lit(DIMS)}) LIMIT ${K}`.execute(trx);
      return r.rows.map((x) => x.id);
    },
  },
  // The per-practice exact scan as a method of its own: recall 1 by definition, and its
  // latency says whether a tenant this small needs a vector index at all.
  { name: 'exact: no vector index (practice rows via btree)', run: exact },
  ...[1, PROBES].map(
    (probes): Method => ({
      name: `ivfflat lists=100 (design baseline), probes ${probes}, iterative scan`,
      run: async (trx, q) => {
        await sql`SET LOCAL ivfflat.probes = ${sql.lit(probes)}`.execute(trx);
        await sql`SET LOCAL ivfflat.iterative_scan = relaxed_order`.execute(trx);
        const r = await sql<{ id: string }>`SELECT message_id AS id FROM message_embeddings e WHERE e.model = ${sql.lit(MODEL)}
           ORDER BY e.embedding::vector(${sql.lit(DIMS)}) <=> ${vecLit(q.vector)}::vector(${sql.lit(DIMS)}) LIMIT ${CANDIDATES}`.execute(trx);
        return r.rows.slice(0, K).map((x) => x.id);
      },
    }),
  ),
];

/**
 * A method's plan (to show which index served it): its statements run with EXPLAIN prefixed by a
 * Kysely plugin, so the plan is of exactly the SQL the method sends, as the same actor.
 */
class ExplainPlugin implements KyselyPlugin {
  readonly plans: string[] = [];
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const node = args.node;
    if (RawNode.is(node) && /^\s*(WITH|SELECT)/i.test(node.sqlFragments[0] ?? '')) {
      return RawNode.create([`EXPLAIN (COSTS OFF) ${node.sqlFragments[0]}`, ...node.sqlFragments.slice(1)], node.parameters);
    }
    return node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const rows = args.result.rows as Array<Record<string, unknown>>;
    if (rows.length && 'QUERY PLAN' in rows[0]!) {
      this.plans.push(rows.map((r) => String(r['QUERY PLAN'])).join('\n'));
      return { rows: [] };
    }
    return args.result;
  }
}

async function planOf(database: Database, m: Method, q: Query): Promise<string> {
  const plugin = new ExplainPlugin();
  await database.asActor({ sub: q.practice.member }, (trx) => m.run(trx.withPlugin(plugin), q));
  return plugin.plans.join('\n');
}

async function measure(database: Database, queries: Query[], truth: string[][], m: Method): Promise<{ latencies: number[]; recall: number[] }> {
  const latencies: number[] = [];
  const recall: number[] = new Array<number>(queries.length);
  let next = 0;
  const client = async () => {
    for (;;) {
      const i = next++;
      if (i >= queries.length) return;
      const q = queries[i]!;
      const t0 = performance.now();
      const ids = await database.asActor({ sub: q.practice.member }, (trx) => m.run(trx, q));
      latencies.push(performance.now() - t0);
      const want = new Set(truth[i]);
      recall[i] = want.size ? ids.filter((id) => want.has(id)).length / want.size : 1;
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  return { latencies, recall };
}

/** (d) The pipeline (queue → chunk → embed → write → dequeue) vs the bare model, same texts. */
async function pipelineThroughput(database: Database, practice: Practice): Promise<Record<string, number | string> | null> {
  if (PIPELINE_TEXTS === 0) return null;
  const config = loadConfig();
  if (config.AI_PROVIDER === 'local') await ensureEmbeddingModel(config.LOCAL_EMBEDDING_MODEL);
  const provider = createEmbeddingProvider(config);
  const db = database.system;
  try {
    await sql`UPDATE embedding_models SET state = 'retired' WHERE state = 'active'`.execute(db);
    await embeddings.ensureActiveModel(db, provider.model, provider.dimensions);
    await sql`DELETE FROM embedding_queue`.execute(db);
    const phrases = ['Lower incisors crowding, IPR planned before refinement', 'Patient reports the upper aligner does not seat fully on UR3', 'Please approve the setup: overjet reduced to 2 mm', 'Attachment lost on LL4, replace at next visit', 'Elastics class II full time, compliance poor', 'Scan received, bite registration unclear on the left'];
    const texts = Array.from({ length: PIPELINE_TEXTS }, (_, i) => `${phrases[i % phrases.length]} (note ${i}, tray ${i % 40}).`);
    // Warm the model up (first call loads it), outside both timings.
    await provider.embed(['warm up']);
    let t0 = performance.now();
    for (let i = 0; i < texts.length; i += config.EMBEDDING_BATCH_SIZE) await provider.embed(texts.slice(i, i + config.EMBEDDING_BATCH_SIZE));
    const bareSeconds = (performance.now() - t0) / 1000;
    await db
      .insertInto('case_messages')
      .values(texts.map((content) => ({ case_id: practice.cases[0]!, practice_id: practice.id, sender_id: practice.member, content })))
      .execute();
    t0 = performance.now();
    let handled = 0;
    for (;;) {
      const step = await embedQueued({ db, providers: () => provider }, config.EMBEDDING_BATCH_SIZE);
      handled += step.handled;
      if (step.backlog === 0) break;
    }
    const pipelineSeconds = (performance.now() - t0) / 1000;
    const stored = Number((await sql<{ n: string }>`SELECT count(*)::text AS n FROM message_embeddings WHERE model = ${provider.model}`.execute(db)).rows[0]!.n);
    return {
      model: provider.model,
      texts: texts.length,
      batchSize: config.EMBEDDING_BATCH_SIZE,
      handled,
      stored,
      bareModelTextsPerSec: round(texts.length / bareSeconds, 1),
      pipelineTextsPerSec: round(texts.length / pipelineSeconds, 1),
      pipelineOverBare: round(bareSeconds / pipelineSeconds, 2),
    };
  } finally {
    await (provider as { close?: () => Promise<void> }).close?.();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mdw-search-bench-'));
  const started = new Date();
  console.log(`search benchmark: ${VECTORS.toLocaleString('en')} vectors, ${PRACTICES} practices, ${CLIENTS} clients, ${QUERIES} queries × ${ROUNDS} rounds`);
  const pgs = await startEmbeddedPostgres({ dataDir: dir, database: 'mdw_search_bench', ephemeral: true });
  const database = createDatabase(pgs.url, { max: CLIENTS + 2 }, { authenticatorUrl: urlAs(pgs.url, AUTHENTICATOR_ROLE) });
  const stop = () => {
    pgs.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    stop();
    process.exit(130);
  });
  try {
    await migrate(pgs.url);
    const { practices, seconds: loadSeconds } = await load(pgs.url, database);
    console.log(`(a) loaded in ${loadSeconds.toFixed(1)} s`);
    const build = await buildIndexes(pgs.url);
    console.log(`(b) hnsw built in ${build.hnswSeconds.toFixed(1)} s (${build.hnswMB} MB), ivfflat in ${build.ivfflatSeconds.toFixed(1)} s (${build.ivfflatMB} MB)`);
    await sql`ANALYZE message_embeddings`.execute(database.system);

    const rnd = mulberry32(99);
    const queries: Query[] = Array.from({ length: QUERIES }, () => ({ practice: practices[Math.floor(rnd() * practices.length)]!, vector: syntheticVector(rnd) }));
    let t0 = performance.now();
    const truth: string[][] = [];
    for (const q of queries) truth.push(await database.asActor({ sub: q.practice.member }, (trx) => exact(trx, q)));
    const exactMsPerQuery = (performance.now() - t0) / queries.length;
    if (truth.some((t) => t.length !== K)) throw new Error('the exact answer has fewer than 10 rows: RLS or the load is wrong');
    // Everything a member saw belongs to their practice (RLS), checked once on the truth.
    const foreign = await sql<{ n: number }>`SELECT count(*)::int AS n FROM message_embeddings e JOIN (VALUES ${sql.join(
      queries.flatMap((q, i) => truth[i]!.map((id) => sql`(${id}::uuid, ${q.practice.id}::uuid)`)),
    )}) AS t(id, practice) ON t.id = e.message_id WHERE e.practice_id <> t.practice`.execute(database.system);
    if (foreign.rows[0]!.n !== 0) throw new Error('a member saw another practice’s rows');
    console.log(`(c) exact answers: ${exactMsPerQuery.toFixed(1)} ms per query (sequential)`);

    const plans: Record<string, string> = {};
    for (const m of methods) plans[m.name] = await planOf(database, m, queries[0]!);

    const results = new Map<string, { latencies: number[]; recall: number[] }>();
    // One warm-up pass per method (caches), then interleaved measured rounds.
    for (const m of methods) await measure(database, queries.slice(0, Math.min(20, QUERIES)), truth, m);
    t0 = performance.now();
    for (let r = 0; r < ROUNDS; r++) {
      for (const m of methods) {
        const res = await measure(database, queries, truth, m);
        const acc = results.get(m.name) ?? { latencies: [], recall: [] };
        acc.latencies.push(...res.latencies);
        acc.recall.push(...res.recall);
        results.set(m.name, acc);
      }
    }
    const measureSeconds = (performance.now() - t0) / 1000;
    const table = methods.map((m) => {
      const r = results.get(m.name)!;
      return {
        method: m.name,
        samples: r.latencies.length,
        p50Ms: round(pct(r.latencies, 0.5)),
        p95Ms: round(pct(r.latencies, 0.95)),
        p99Ms: round(pct(r.latencies, 0.99)),
        recallAt10: round(r.recall.reduce((a, b) => a + b, 0) / r.recall.length, 3),
        minRecall: round(Math.min(...r.recall), 2),
        indexInPlan: /hnsw/.test(plans[m.name]!) ? 'hnsw' : /ivfflat/.test(plans[m.name]!) ? 'ivfflat' : /Bitmap/.test(plans[m.name]!) ? 'btree (practice)' : 'none',
      };
    });
    console.table(table);
    const prod = table[0]!;
    const ivf = table.find((t) => t.method.startsWith('ivfflat'))!;
    const ex = table.find((t) => t.method.startsWith('exact'))!;

    const pipelineReport = await pipelineThroughput(database, practices[0]!);
    if (pipelineReport) console.log('(d) pipeline', pipelineReport);

    const report = {
      startedAt: started.toISOString(),
      synthetic: true,
      scale: { vectors: VECTORS, practices: PRACTICES, perPracticeFilter: `${round(100 / PRACTICES, 2)} %`, dims: DIMS, type: 'halfvec' },
      clients: CLIENTS,
      queries: QUERIES,
      rounds: ROUNDS,
      machine: { cpus: os.cpus().length, loadAverage: os.loadavg().map((x) => round(x)) },
      loadSeconds: round(loadSeconds, 1),
      indexBuild: { ...build, hnswSeconds: round(build.hnswSeconds, 1), ivfflatSeconds: round(build.ivfflatSeconds, 1), maintenanceWorkMem: '3GB', parallelWorkers: 1 },
      exactMsPerQuery: round(exactMsPerQuery),
      search: table,
      ratios: { p95IvfflatOverHnsw: round(ivf.p95Ms / prod.p95Ms), p95ExactOverHnsw: round(ex.p95Ms / prod.p95Ms), recallHnsw: prod.recallAt10, recallIvfflat: ivf.recallAt10 },
      measureSeconds: round(measureSeconds, 1),
      plans,
      pipeline: pipelineReport,
    };
    if (!opt['no-write']) {
      mkdirSync(opt.out, { recursive: true });
      const file = path.join(opt.out, `search-${started.toISOString().replace(/[:.]/g, '-')}.json`);
      writeFileSync(file, JSON.stringify(report, null, 2));
      console.log(`wrote ${file}`);
    }
  } finally {
    await database.destroy();
    stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
