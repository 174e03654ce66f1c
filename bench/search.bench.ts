/**
 * Search benchmark (issue 10 §3 "Speed"): GET /search's SQL at scale, under RLS, on an embedded
 * PostgreSQL whose loaded and indexed database is cached between runs.
 *
 *   (a) load: N message embeddings across P practices (COPY), one member per practice; the
 *       messages carry realistic orthodontic text (the eval set's documents), so the lexical leg
 *       does real work
 *   (b) index builds: the production partial HNSW index (src/repositories/embeddings.repository.ts)
 *       on the partitioned message_embeddings (db 0063: one graph per partition), and the
 *       design's baseline, ivfflat lists = 100, on an unpartitioned copy of the same rows (the
 *       design's table), both timed; with --flat-hnsw also one HNSW graph over that copy (what
 *       production ran before 0063)
 *   (c) latency and recall: the same queries, run by members of one practice as `authenticated`
 *       with their JWT claims (RLS), at C concurrent clients, per method:
 *         - semantic(): search.repository.ts's semantic leg, exactly as GET /search runs it
 *         - GET /search: the whole SQL of the search service (lexical leg, semantic leg, result
 *           rows, fusion) with the query vector given (the model call is measured in (d))
 *         - exact: the practice's rows without a vector index (also the recall truth)
 *         - ivfflat lists=100 on the unpartitioned copy, probes 1 (default) and --probes
 *       recall@10 of each against the exact answer. Methods run in interleaved rounds
 *       (A B C … A B C) so that machine load hits all alike.
 *   (d) the embedding pipeline's texts/s with the configured local model (src/ai/pipeline.ts),
 *       side by side with the bare model (on the raw texts, and on the pipeline's own inputs), and
 *       what a query embedding costs uncached and cached
 *       (the search service's LRU), in a scratch database of the same server.
 *
 * The vectors are synthetic (the model would take hours for 1M texts on 2 cores): 384 dimensions
 * like bge-small, drawn around 64 themes × 32 sub-topics plus noise, so that neighbourhoods have
 * structure (uniform random vectors are a pathological case for ANN indexes).
 * A measurement, not a test: nothing asserts a timing.
 *
 * Cache: (a)+(b) are kept in <tool cache>/bench-search/<vectors>x<practices>-<key>, the key a hash
 * of the generator's parameters (not the schema), so a rerun starts in seconds; other fixtures of
 * the same scale (an older generator) are deleted. Pending migrations are applied to a cached
 * fixture, as to a production database; only an edited, already-applied migration rebuilds it.
 * --rebuild forces a build. The measured database is otherwise only read; (d) uses a scratch
 * database.
 *
 *   npm run bench:search                                   # 1,000,000 vectors, 100 practices, 10 clients
 *   npm run bench:search -- --vectors 100000 --queries 100 # a quick run
 *   npm run bench:search -- --help
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { RawNode, sql, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type RootOperationNode, type UnknownRow } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { PGSERVER_VERSION, copyCluster, startEmbeddedPostgres, type EmbeddedPostgres } from '../scripts/lib/embedded-postgres';
import { ensureEmbeddingModel } from '../scripts/lib/embedding-models';
import { cacheDir } from '../scripts/lib/tool-cache';
import { loadConfig } from '../src/config';
import { guardClient } from '../src/db/connection-errors';
import { AUTHENTICATOR_ROLE, createDatabase, urlAs, type Database, type Tx } from '../src/db/database';
import { migrate } from '../src/db/migrate';
import { embedQueued, embeddingInput } from '../src/ai/pipeline';
import { createEmbeddingProvider } from '../src/ai/providers';
import type { EmbeddingProvider } from '../src/ai/providers/types';
import { SEARCH_DOCS, SEARCH_QUERIES } from '../src/ai/eval/search-set';
import { REALISTIC_TEXT_VERSION, realisticMessage } from './realistic-messages';
import { chunkText, expandOrtho } from '../src/ai/text';
import { addMember, createPatient, createPractice, createProfile } from '../src/repositories/identity.repository';
import * as embeddings from '../src/repositories/embeddings.repository';
import { CANDIDATES, HNSW_EF_SEARCH, semantic } from '../src/repositories/search.repository';
import { createSearchService, SEARCH_READ, type SearchService } from '../src/services/search.service';
import { recordCaseAccess, recordPhiAccess } from '../src/repositories/phi-access.repository';
import { withClient } from '../test/support/pg-clients';
import { migrateCachedFixture, refreshLexicalStats, runBench } from './fixture-migrations';
import { postmasterPid, sampleWaitEvents, startLoadProbe, type LoadSample } from './search-load-probes';

const HELP = `npm run bench:search -- [options]
  --fixture F        the messages' texts: realistic (Zipf-like vocabulary, bench/realistic-messages.ts;
                     the default) or eval31 (each practice's texts are 31 eval documents repeated); the
                     vectors are the same in both
  --vectors N        message embeddings to load (default 1000000)
  --practices N      practices they spread over, equally (default 100)
  --clients N        concurrent searching clients (default 10)
  --queries N        distinct tenant-filtered queries per round (default 200)
  --rounds N         interleaved rounds of every method (default 2; 6 with --quick)
  --probes N         ivfflat probes of the second ivfflat setting (default 10)
  --pipeline-texts N texts for the pipeline's texts/s, 0 to skip (default 256)
  --shared-buffers S the server's shared_buffers (default 4GB: the HNSW graphs and the hot heap fit)
  --effective-cache-size S  the planner's effective_cache_size (default 12GB)
  --max-locks-per-transaction N  the server's max_locks_per_transaction, on PostgreSQL 18 also its
                     fast-path lock slots per backend (default 256 since session 10; 64 is PostgreSQL's)
  --huge-pages M     the server's huge_pages: on, off or try (default try). With on or try and run as root,
                     the bench reserves the huge pages the server maps (vm.nr_hugepages) before starting
                     it and gives them back when it stops it; when it cannot, try runs on 4 kB pages and
                     the report says so (server.huge_pages_status). Session 12 (s-huge): 2 MB pages cut
                     the server's CPU per search by 12 % at 10 clients, 4-10 % one search at a time
                     (bench/SEARCH.md "Session 12 (s-huge)")
  --no-prewarm       skip pg_prewarm of the searched indexes and tables at start (measure a cold server)
  --ef-search LIST   extra semantic() methods at these hnsw.ef_search values, e.g. 20,40,64 (default none)
  --admission LIST   extra GET /search methods with admission control at these concurrencies (the
                     service's SEARCH_CONCURRENCY: at most N searches in the database, the rest queue
                     FIFO, the wait inside each latency), same clients and pool (default 4,6: GET /search's
                     default since session 9 and one below it; with --quick 1,2,3,4,5,6,8, where 1 is
                     the database's CPU per search one at a time in the same run; 0: none)
  --quick            only the production GET /search, without and with admission control (--admission),
                     in more rounds: no exact truth, recall, older paths, ivfflat or pipeline (the
                     admission sweep in about a minute of measuring); every run reports, per method,
                     p95 per round (min / median / max: the spread), CPU per search of the server, of
                     this process and of the rest of the machine, and this process's event loop
  --decompose        (session 11) split each latency of the production GET /search and its admission
                     settings into parts: the API's work before the statement, the wait for admission,
                     the statement's way to the backend, the backend's execution (its CPU and run-queue
                     wait from /proc/<pid>/schedstat), the result's way back (commit, send, this
                     process's event loop, the driver's parse), the API's work after; p50 / p95 of each
                     and where the slowest 5 % lose their time. The statement is wrapped in one SELECT
                     that adds the backend's timestamps; an undecomposed admission-6 method runs beside
                     it as the control of that overhead
  --soak LIST        after the measured rounds, run these admission settings (0: no limit) for
                     --soak-seconds each while sampling the backends' wait events (pg_stat_activity
                     every 10 ms) and, with --perf, recording the whole machine (default none)
  --soak-seconds N   seconds per --soak setting (default 20)
  --perf DIR         with --soak: \`perf record -a -g\` of each soak into DIR/<setting>.data (perf report
                     -i … --no-children --sort comm,dso,sym); it perturbs, so rounds run without it
  --flat-hnsw        also build and measure one HNSW graph over the unpartitioned copy (29 min at 1M)
  --rebuild          rebuild the cached database even if present
  --build-only       build (or check) the cached database, measure nothing
  --dir DIR          measure this copy of a cached fixture directory instead (e.g. one migrated to a new
                     layout); it is never built, derived or removed
  --migrate          apply this checkout's pending migrations to the cached fixture (or --dir): without
                     it a fixture that lacks some stops the run with a line naming them (it is changed
                     for good, for every later run: migrate a copy, --dir)
  --out DIR          where the JSON report goes (default bench/results); --no-write to print only`;

const { values: opt } = parseArgs({
  options: {
    fixture: { type: 'string', default: 'realistic' },
    vectors: { type: 'string', default: '1000000' },
    practices: { type: 'string', default: '100' },
    clients: { type: 'string', default: '10' },
    queries: { type: 'string', default: '200' },
    rounds: { type: 'string' },
    probes: { type: 'string', default: '10' },
    'pipeline-texts': { type: 'string', default: '256' },
    'flat-hnsw': { type: 'boolean', default: false },
    'shared-buffers': { type: 'string', default: '4GB' },
    'effective-cache-size': { type: 'string', default: '12GB' },
    'max-locks-per-transaction': { type: 'string', default: '256' },
    'huge-pages': { type: 'string', default: 'try' },
    'no-prewarm': { type: 'boolean', default: false },
    'ef-search': { type: 'string', default: '' },
    admission: { type: 'string' },
    quick: { type: 'boolean', default: false },
    decompose: { type: 'boolean', default: false },
    soak: { type: 'string', default: '' },
    'soak-seconds': { type: 'string', default: '20' },
    perf: { type: 'string' },
    rebuild: { type: 'boolean', default: false },
    migrate: { type: 'boolean', default: false },
    'build-only': { type: 'boolean', default: false },
    dir: { type: 'string' },
    out: { type: 'string', default: path.resolve(__dirname, 'results') },
    'no-write': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opt.help) {
  console.log(HELP);
  process.exit(0);
}
const QUICK = opt.quick;
const DECOMPOSE = opt.decompose;
opt.rounds ??= QUICK ? '6' : '2';
opt.admission ??= QUICK ? '1,2,3,4,5,6,8' : '4,6';
const int = (k: 'vectors' | 'practices' | 'clients' | 'queries' | 'rounds' | 'probes' | 'pipeline-texts' | 'soak-seconds', min = 1) => {
  const v = Number(opt[k]);
  if (!Number.isInteger(v) || v < min) {
    console.error(`--${k} must be an integer ≥ ${min} (got ${opt[k]})`);
    process.exit(2);
  }
  return v;
};
if (opt.fixture !== 'realistic' && opt.fixture !== 'eval31') {
  console.error(`--fixture must be realistic or eval31 (got ${opt.fixture})`);
  process.exit(2);
}
const FIXTURE: 'realistic' | 'eval31' = opt.fixture;
const VECTORS = int('vectors');
const PRACTICES = int('practices');
const CLIENTS = int('clients');
const QUERIES = int('queries');
const ROUNDS = int('rounds');
const PROBES = int('probes');
const PIPELINE_TEXTS = QUICK ? 0 : int('pipeline-texts', 0);
const SOAK = opt.soak ? opt.soak.split(',').map(Number) : [];
const SOAK_SECONDS = int('soak-seconds');
if (SOAK.some((x) => !Number.isInteger(x) || x < 0)) {
  console.error(`--soak must be admission settings, comma-separated integers ≥ 0 (0: no limit; got ${opt.soak})`);
  process.exit(2);
}
if (opt.perf && !SOAK.length) {
  console.error('--perf records the soaks: give --soak too (e.g. --soak 0,6)');
  process.exit(2);
}
const FLAT_HNSW = opt['flat-hnsw'];
const EF_SWEEP = opt['ef-search'] ? opt['ef-search'].split(',').map(Number) : [];
const ADMISSION = opt.admission.split(',').map(Number).filter((x) => x !== 0);
if (ADMISSION.some((x) => !Number.isInteger(x) || x < 1)) {
  console.error(`--admission must be positive integers, comma-separated, or 0 (got ${opt.admission})`);
  process.exit(2);
}
if (!['on', 'off', 'try'].includes(opt['huge-pages'])) {
  console.error(`--huge-pages must be on, off or try (got ${opt['huge-pages']})`);
  process.exit(2);
}
if (EF_SWEEP.some((x) => !Number.isInteger(x) || x < 1 || x > 1000)) {
  console.error(`--ef-search must be a comma-separated list of integers 1..1000 (got ${opt['ef-search']})`);
  process.exit(2);
}
/**
 * The server as production would size it for this data (docker-compose.yml): shared buffers that
 * hold the 1M fixture's partition graphs (1.1 GB) and the hot heap and lexical index, rather than
 * the embedded default of 256 MB, which made the graphs come from the OS cache.
 */
const SERVER_SETTINGS: Record<string, string> = {
  shared_buffers: opt['shared-buffers'],
  effective_cache_size: opt['effective-cache-size'],
  // Session 10: a search locks 62 relations once its connection's plans are built (up to 176
  // before), in groups of 16 fast-path slots by oid of the 64 PostgreSQL 18 derives from the
  // default max_locks_per_transaction; 16-19 of them (65-112 early) went through the shared
  // lock manager, the only LWLock wait at 10 clients (1.1 % of active backend samples). 256 gives
  // 256 slots (bench/SEARCH.md "Session 10 (s-contend)"; docker-compose.yml sets the same).
  max_locks_per_transaction: opt['max-locks-per-transaction'],
  // Session 12 (s-huge): shared_buffers in 2 MB pages, as a tuned server with this much of them has
  // (fewer TLB misses in the graph walks and heap reads); reserved by startEmbeddedPostgres as root.
  huge_pages: opt['huge-pages'],
};
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

/** COPY's text format: backslash, tab and newline escaped. */
const esc = (x: string) => x.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');


async function copyRows(client: pg.Client, statement: string, rows: () => Generator<string>): Promise<void> {
  const stream = client.query(copyFrom(statement));
  await pipeline(Readable.from(rows(), { objectMode: false }), stream);
}

// ---------------------------------------------------------------------------------------------
// The cached fixture: (a) and (b), keyed by everything that shapes them.
// ---------------------------------------------------------------------------------------------
/** Bump when load() or buildIndexes() change what they build. */
const FIXTURE_VERSION = 3;
const FLAT = 'bench_flat_message_embeddings';
const FLAT_IVFFLAT = 'bench_flat_ivfflat';
const FLAT_HNSW_INDEX = 'bench_flat_hnsw';

interface Fixture {
  key: string;
  builtAt: string;
  practices: Practice[];
  loadSeconds: number;
  build: Record<string, number>;
  /** The eval31 fixture this one's database was copied from (rewriteTexts). */
  derivedFrom?: string;
}

/**
 * The fixture's identity: what the generator builds, not the schema. A schema change reaches a
 * cached fixture as it reaches production: its pending migrations are applied to the loaded data
 * (openFixture), which every migration must handle anyway. Only an edit of an already-applied
 * migration (refused by the runner's checksum) forces a rebuild.
 */
function fixtureKey(fixture = FIXTURE): string {
  const h = createHash('sha256');
  const shape = { FIXTURE_VERSION, VECTORS, PRACTICES, DIMS, MODEL, CASES_PER_PRACTICE, THEMES, SUBTOPICS, PGSERVER_VERSION };
  // eval31's key is the one it had before --fixture existed, so its cached database stays valid.
  h.update(JSON.stringify(fixture === 'eval31' ? shape : { ...shape, FIXTURE: fixture, REALISTIC_TEXT_VERSION }));
  return h.digest('hex').slice(0, 16);
}

/**
 * A fixture's directory name up to its key: eval31's as before --fixture existed (other fixtures of
 * its scale are stale), the realistic one's starting with `realistic-`, so neither deletes the other.
 */
function fixturePrefix(): string {
  return `${FIXTURE === 'realistic' ? 'realistic-' : ''}${VECTORS}x${PRACTICES}-`;
}

/**
 * An index definition to recreate on a partitioned table: pg_get_indexdef() of a partitioned index
 * says `ON ONLY`, which creates the parent's index alone (invalid, no partition indexes), so the
 * lexical index had no GIN after a build (the eval31 fixture got its own from 0076's migration).
 */
const wholeIndex = (def: string) => def.replace(/ ON ONLY /, ' ON ');

/**
 * The lexical index (db 0076) refilled from case_messages, as its triggers would have kept it (the
 * builders copy under the replica role, which skips them): its secondary indexes dropped, the rows
 * inserted with tf as the production writers give it (0102; the trigger that fills a missing one is
 * skipped too), the GIN and btrees built after, then the postings rebuilt from them (0160). Shared
 * by load() and rewriteTexts() (which empties the index first: its messages' texts, hence their
 * fts, are new).
 */
async function refillLexicalIndex(client: pg.Client): Promise<void> {
  const indexed = await client.query<{ name: string; def: string }>(
    `SELECT c.relname AS name, pg_get_indexdef(x.indexrelid) AS def FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
      WHERE x.indrelid = 'search_index.documents'::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)`,
  );
  for (const x of indexed.rows) await client.query(`DROP INDEX search_index.${pg.escapeIdentifier(x.name)}`);
  await client.query(`INSERT INTO search_index.documents (practice_id, kind, id, fts, tf)
    SELECT practice_id, 'message', id, fts, search_index.term_frequencies(fts) FROM case_messages WHERE fts IS NOT NULL ORDER BY practice_id ON CONFLICT DO NOTHING`);
  for (const x of indexed.rows) await client.query(wholeIndex(x.def));
  // The postings (db 0160) from the documents as their triggers, skipped here too, would have kept
  // them: emptied, filled, primary key built after. Their visibility map is the caller's VACUUM's.
  await client.query(`SELECT search_index.postings_rebuild()`);
}

/** eval31's message j: the eval set's documents in turn, each practice's 10,000 being 31 of them. */
const eval31Text = (j: number) => {
  const d = SEARCH_DOCS[(j * 7919) % SEARCH_DOCS.length]!;
  return { subject: d.title ?? '', content: `${d.text} (note ${j})` };
};

/**
 * The realistic fixture from a copy of eval31's (same scale): its messages' texts rewritten
 * (case_messages, then the lexical index refilled from them, as load() fills it). The practices,
 * cases, embeddings (vectors and chunk texts) and their indexes are eval31's, which is what load()
 * builds for the realistic fixture too, so both ways give the same fixture (but for the random
 * practice ids), and copying skips the HNSW build (23 min of CPU at 1M).
 */
async function rewriteTexts(url: string): Promise<void> {
  const client = guardClient(new pg.Client({ connectionString: url }));
  await client.connect();
  try {
    await client.query(`SET session_replication_role = replica`);
    await client.query(`SET maintenance_work_mem = '1GB'`);
    const secondary = async (table: string) =>
      (
        await client.query<{ name: string; def: string }>(
          `SELECT c.relname AS name, pg_get_indexdef(x.indexrelid) AS def FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
            WHERE x.indrelid = $1::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)`,
          [table],
        )
      ).rows;
    const messages = await secondary('public.case_messages');
    for (const x of messages) await client.query(`DROP INDEX public.${pg.escapeIdentifier(x.name)}`);
    await client.query(`CREATE TEMP TABLE bench_texts (id uuid, subject text, content text)`);
    const BATCH = 2_000;
    await copyRows(client, 'COPY bench_texts (id, subject, content) FROM STDIN', function* () {
      for (let i = 0; i < VECTORS; i += BATCH) {
        let chunk = '';
        for (let j = i; j < Math.min(VECTORS, i + BATCH); j++) {
          const t = realisticMessage(j);
          chunk += `${messageId(j)}\t${esc(t.subject)}\t${esc(t.content)}\n`;
        }
        yield chunk;
      }
    });
    const n = await client.query(`UPDATE case_messages m SET subject = t.subject, content = t.content FROM bench_texts t WHERE m.id = t.id`);
    if (n.rowCount !== VECTORS) throw new Error(`rewrote ${n.rowCount} messages of ${VECTORS}`);
    // A compact heap, as a COPY leaves it (the update left every old version behind).
    await client.query(`VACUUM FULL case_messages`);
    for (const x of messages) await client.query(x.def);
    await client.query(`TRUNCATE search_index.documents`);
    await refillLexicalIndex(client);
    await client.query('VACUUM (ANALYZE) case_messages');
    await client.query('VACUUM (ANALYZE) search_index.documents');
    await client.query('VACUUM (ANALYZE) search_index.postings');
  } finally {
    await client.end();
  }
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
    await client.query(`SET maintenance_work_mem = '1GB'`);
    // case_messages' secondary indexes (the fts GIN above all) are built once after the COPY,
    // which is several times faster than maintaining them row by row.
    const secondary = await client.query<{ name: string; def: string }>(
      `SELECT c.relname AS name, pg_get_indexdef(x.indexrelid) AS def FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
        WHERE x.indrelid = 'public.case_messages'::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)`,
    );
    for (const x of secondary.rows) await client.query(`DROP INDEX public.${pg.escapeIdentifier(x.name)}`);
    const BATCH = 2_000;
    // Message j of practice j % P: a practice's rows are spread over the table, as when many
    // practices write at once. Texts are the eval set's documents, so term frequencies are real.
    // --fixture realistic: a Zipf-like vocabulary (bench/realistic-messages.ts); the embeddings'
    // rows (vectors and chunk texts) are eval31's in both fixtures (see deriveRealistic).
    const text = (j: number) => (FIXTURE === 'realistic' ? realisticMessage(j) : eval31Text(j));
    await copyRows(client, 'COPY case_messages (id, case_id, practice_id, sender_id, subject, content) FROM STDIN', function* () {
      for (let i = 0; i < VECTORS; i += BATCH) {
        let chunk = '';
        for (let j = i; j < Math.min(VECTORS, i + BATCH); j++) {
          const p = practices[j % PRACTICES]!;
          const t = text(j);
          chunk += `${messageId(j)}\t${p.cases[Math.floor(j / PRACTICES) % CASES_PER_PRACTICE]}\t${p.id}\t${p.member}\t${esc(t.subject)}\t${esc(t.content)}\n`;
        }
        yield chunk;
      }
    });
    for (const x of secondary.rows) await client.query(x.def);
    await refillLexicalIndex(client);
    // The design's table for the baseline: the same rows (the same seeded generator), unpartitioned,
    // in load order, with the same RLS policies as message_embeddings.
    await client.query(`CREATE TABLE ${FLAT} (LIKE message_embeddings INCLUDING DEFAULTS)`);
    for (const table of ['message_embeddings', FLAT]) {
      const rnd = mulberry32(7);
      await copyRows(client, `COPY ${table} (message_id, practice_id, content_text, embedding, model, content_hash, chunk) FROM STDIN`, function* () {
        for (let i = 0; i < VECTORS; i += BATCH) {
          let chunk = '';
          for (let j = i; j < Math.min(VECTORS, i + BATCH); j++) {
            chunk += `${messageId(j)}\t${practices[j % PRACTICES]!.id}\t${esc(eval31Text(j).content)}\t[${syntheticVector(rnd).join(',')}]\t${MODEL}\th${j}\t0\n`;
          }
          if (i % 100_000 === 0) process.stdout.write(`  ${table}: ${i.toLocaleString('en')} / ${VECTORS.toLocaleString('en')}\r`);
          yield chunk;
        }
      });
      process.stdout.write('\n');
    }
    await client.query(`ALTER TABLE ${FLAT} ADD PRIMARY KEY (id)`);
    await client.query(`CREATE INDEX ON ${FLAT} (practice_id)`);
    await client.query(`ALTER TABLE ${FLAT} ENABLE ROW LEVEL SECURITY`);
    await client.query(`ALTER TABLE ${FLAT} FORCE ROW LEVEL SECURITY`);
    const policies = await client.query<{ policyname: string; permissive: string; cmd: string; roles: string[]; qual: string | null; with_check: string | null }>(
      `SELECT policyname, permissive, cmd, roles::text[] AS roles, qual, with_check FROM pg_policies WHERE schemaname = 'public' AND tablename = 'message_embeddings'`,
    );
    for (const x of policies.rows) {
      await client.query(
        `CREATE POLICY ${pg.escapeIdentifier(x.policyname)} ON ${FLAT} AS ${x.permissive} FOR ${x.cmd} TO ${x.roles.map((r) => pg.escapeIdentifier(r)).join(', ')}` +
          (x.qual ? ` USING (${x.qual})` : '') +
          (x.with_check ? ` WITH CHECK (${x.with_check})` : ''),
      );
    }
    await client.query('ANALYZE case_messages');
    await client.query('ANALYZE search_index.documents');
    await client.query('ANALYZE message_embeddings');
    await client.query(`ANALYZE ${FLAT}`);
  } finally {
    await client.end();
  }
  return { practices, seconds: (performance.now() - t0) / 1000 };
}

/** (b) the indexes, each timed on one connection with the same memory and parallelism. */
async function buildIndexes(url: string, which: { production: boolean; ivfflat: boolean; flatHnsw: boolean }): Promise<Record<string, number>> {
  const one = createDatabase(url, 1);
  const out: Record<string, number> = {};
  const size = async (name: string) => {
    // A partitioned index has no storage of its own: sum its partitions' (a plain index is its own tree's only leaf).
    const r = await sql<{ b: string }>`SELECT coalesce((SELECT sum(pg_relation_size(relid)) FROM pg_partition_tree(${name}::regclass)), 0)
      + CASE WHEN (SELECT relkind FROM pg_class WHERE oid = ${name}::regclass) = 'i' THEN pg_relation_size(${name}::regclass) ELSE 0 END AS b`.execute(one.system);
    return round(Number(r.rows[0]!.b) / 2 ** 20);
  };
  try {
    await sql`SET maintenance_work_mem = '3GB'`.execute(one.system);
    await sql`SET max_parallel_maintenance_workers = 1`.execute(one.system);
    if (which.production) {
      const t0 = performance.now();
      // The production index, created exactly as the pipeline creates it for a model.
      await embeddings.ensureModelIndexes(one.system, MODEL, DIMS);
      out.hnswSeconds = round((performance.now() - t0) / 1000, 1);
      out.hnswMB = await size(embeddings.hnswIndexName('message_embeddings', MODEL));
    }
    if (which.ivfflat) {
      const t0 = performance.now();
      // The design's baseline: ivfflat, lists = 100, on vector (the design's type), same model filter.
      await sql`CREATE INDEX IF NOT EXISTS ${sql.id(FLAT_IVFFLAT)} ON ${sql.table(FLAT)}
        USING ivfflat ((embedding::vector(${sql.lit(DIMS)})) vector_cosine_ops) WITH (lists = 100) WHERE model = ${sql.lit(MODEL)}`.execute(one.system);
      out.ivfflatSeconds = round((performance.now() - t0) / 1000, 1);
      out.ivfflatMB = await size(FLAT_IVFFLAT);
    }
    if (which.flatHnsw) {
      const t0 = performance.now();
      // What production ran before 0063: one graph over every practice's vectors.
      await sql`CREATE INDEX IF NOT EXISTS ${sql.id(FLAT_HNSW_INDEX)} ON ${sql.table(FLAT)}
        USING hnsw ((embedding::halfvec(${sql.lit(DIMS)})) halfvec_cosine_ops) WHERE model = ${sql.lit(MODEL)}`.execute(one.system);
      out.flatHnswSeconds = round((performance.now() - t0) / 1000, 1);
      out.flatHnswMB = await size(FLAT_HNSW_INDEX);
    }
    await sql`ANALYZE message_embeddings`.execute(one.system);
    await sql`ANALYZE ${sql.table(FLAT)}`.execute(one.system);
  } finally {
    await one.destroy();
  }
  return out;
}

/** Starts the server on the cached fixture, building it first when missing (or --rebuild). */
async function openFixture(): Promise<{ pgs: EmbeddedPostgres; database: Database; fixture: Fixture; cached: boolean; dir: string; migrated: string[] }> {
  const key = fixtureKey();
  const root = path.join(cacheDir(), 'bench-search');
  const name = `${fixturePrefix()}${key}`;
  const dir = opt.dir ? path.resolve(opt.dir) : path.join(root, name);
  const stamp = path.join(dir, 'fixture.json');
  if (opt.dir && !existsSync(stamp)) {
    console.error(`--dir ${opt.dir} is not a cached fixture (no fixture.json): copy one of ${root}`);
    process.exit(2);
  }
  mkdirSync(root, { recursive: true });
  // Fixtures of this scale for another generator are stale: they only take disk space.
  for (const other of opt.dir ? [] : readdirSync(root)) {
    if (other !== name && other.startsWith(fixturePrefix())) {
      console.log(`removing stale fixture ${other}`);
      rmSync(path.join(root, other), { recursive: true, force: true });
    }
  }
  // The eval31 fixture of this scale, which a realistic one is derived from when it exists.
  const eval31Name = `${VECTORS}x${PRACTICES}-${fixtureKey('eval31')}`;
  const wasRunning = existsSync(path.join(root, eval31Name, 'pgdata', 'postmaster.pid'));
  let cached = existsSync(stamp) && (!opt.rebuild || opt.dir !== undefined);
  if (!cached) rmSync(dir, { recursive: true, force: true });
  let pgs = await startEmbeddedPostgres({ dataDir: dir, database: 'mdw_search_bench', ephemeral: true, settings: SERVER_SETTINGS, reserveHugePages: true });
  let fixture: Fixture;
  let migrated: string[] = [];
  if (cached) {
    fixture = JSON.parse(readFileSync(stamp, 'utf8')) as Fixture;
    console.log(`(a)(b) cached fixture ${dir} (built ${fixture.builtAt})`);
    try {
      const t0 = performance.now();
      migrated = await migrateCachedFixture(pgs.url, dir, opt.migrate, (line) => console.log(`(a) ${line}`));
      if (migrated.length) {
        // New or rewritten tables (a backfilled projection, say) need statistics, and a visibility
        // map for index-only scans, before anything is measured: what autovacuum gives a
        // production database soon after a migration.
        await withClient(pgs.url, (c) => c.query('VACUUM (ANALYZE)'));
        console.log(`(a) ${migrated.length} pending migration(s) applied to the cached fixture in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      }
    } catch (err) {
      // An applied migration was edited (the runner refuses it): the fixture's schema is not the
      // code's any more, and only a rebuild can say what the edited file builds.
      if (opt.dir || !/was changed after it was applied/.test((err as Error).message)) {
        pgs.stop();
        throw err;
      }
      console.log(`(a) ${(err as Error).message.split(';')[0]}: rebuilding the fixture`);
      pgs.stop();
      rmSync(dir, { recursive: true, force: true });
      pgs = await startEmbeddedPostgres({ dataDir: dir, database: 'mdw_search_bench', ephemeral: true, settings: SERVER_SETTINGS, reserveHugePages: true });
      cached = false;
    }
  }
  // A server left running by an interrupted run keeps its old settings: restart it with ours.
  const sb = await withClient(pgs.url, (c) =>
    c.query<{ same: boolean; now: string }>(
      `SELECT pg_size_bytes(current_setting('shared_buffers')) = pg_size_bytes($1) AND current_setting('huge_pages') = $2 AS same, current_setting('shared_buffers') || ', huge_pages ' || current_setting('huge_pages') AS now`,
      [SERVER_SETTINGS.shared_buffers, SERVER_SETTINGS.huge_pages],
    ),
  );
  if (!sb.rows[0]!.same) {
    console.log(`(a) the server runs with shared_buffers ${sb.rows[0]!.now}: restarting it with ${SERVER_SETTINGS.shared_buffers}, huge_pages ${SERVER_SETTINGS.huge_pages}`);
    pgs.stop();
    pgs = await startEmbeddedPostgres({ dataDir: dir, database: 'mdw_search_bench', ephemeral: true, settings: SERVER_SETTINGS, reserveHugePages: true });
  }
  if (!cached && FIXTURE === 'realistic' && existsSync(path.join(root, eval31Name, 'fixture.json'))) {
    // Derived from eval31's cached database (rewriteTexts): minutes instead of the 40 of a build.
    pgs.stop();
    rmSync(dir, { recursive: true, force: true });
    const t0 = performance.now();
    console.log(`(a) deriving the realistic fixture from ${eval31Name}`);
    const source = await startEmbeddedPostgres({ dataDir: path.join(root, eval31Name), database: 'mdw_search_bench', ephemeral: true, settings: SERVER_SETTINGS, reserveHugePages: true });
    try {
      await copyCluster(source.url, dir);
    } finally {
      // A server that was running before (another run's) is left as it was.
      if (!wasRunning) source.stop();
    }
    pgs = await startEmbeddedPostgres({ dataDir: dir, database: 'mdw_search_bench', ephemeral: true, settings: SERVER_SETTINGS, reserveHugePages: true });
    migrated = (await migrate(pgs.url)).applied;
    await rewriteTexts(pgs.url);
    const from = JSON.parse(readFileSync(path.join(root, eval31Name, 'fixture.json'), 'utf8')) as Fixture;
    fixture = { ...from, key, builtAt: new Date().toISOString(), loadSeconds: round((performance.now() - t0) / 1000, 1), derivedFrom: eval31Name };
    console.log(`(a) derived in ${fixture.loadSeconds} s`);
    writeFileSync(stamp, JSON.stringify(fixture));
    cached = true;
  }
  const database = createDatabase(pgs.url, { max: CLIENTS + 2 }, { authenticatorUrl: urlAs(pgs.url, AUTHENTICATOR_ROLE) });
  if (!cached) {
    console.log(`(a) building fixture in ${dir}`);
    await migrate(pgs.url);
    const { practices, seconds } = await load(pgs.url, database);
    console.log(`(a) loaded in ${seconds.toFixed(1)} s`);
    const build = await buildIndexes(pgs.url, { production: true, ivfflat: true, flatHnsw: false });
    console.log(`(b) indexes`, build);
    // What an operator runs after a large import (`mdw ai partitions`, db 0115): every practice
    // past 5,000 vectors gets its own partition and graph. db 0116 did it for fixtures cached
    // before 0115; a fixture built after migrating has its rows in the shared hash partitions
    // until this runs (≈ 6 min at 1M).
    const t0 = performance.now();
    const owned = await embeddings.ownLargePractices(database.system);
    await withClient(pgs.url, (c) => c.query('VACUUM (ANALYZE)'));
    console.log(`(b) ${owned} practice(s) given their own partition in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    fixture = { key, builtAt: new Date().toISOString(), practices, loadSeconds: round(seconds, 1), build };
    // Written last: a fixture without it is incomplete and is rebuilt.
    writeFileSync(stamp, JSON.stringify(fixture));
  }
  fixture = fixture!;
  // After every ANALYZE above (a build, a derivation, a migration's VACUUM (ANALYZE)): the copy of
  // the statistics search_lexical()'s prelude reads (db 0168), as the worker's Schedule keeps it.
  await refreshLexicalStats(pgs.url, (line) => console.log(`(a) ${line}`));
  if (FLAT_HNSW && fixture.build.flatHnswSeconds === undefined) {
    console.log('(b) building one HNSW graph over the unpartitioned copy (--flat-hnsw)');
    Object.assign(fixture.build, await buildIndexes(pgs.url, { production: false, ivfflat: false, flatHnsw: true }));
    writeFileSync(stamp, JSON.stringify(fixture));
  }
  return { pgs, database, fixture, cached, dir, migrated };
}

interface Query {
  practice: Practice;
  vector: number[];
  text: string;
}

type Method = {
  name: string;
  /** Whether recall@10 against the exact answer means anything for this method. */
  recall: boolean;
  /** One statement sequence in the member's transaction (its plan can be shown)… */
  tx?: (trx: Tx, q: Query) => Promise<string[]>;
  /** …or a whole service call that opens its own transaction. */
  whole?: (q: Query) => Promise<string[]>;
  /** The production search only: the locks one search holds (locksOfOneSearch). */
  locks?: (q: Query) => Promise<Locks>;
  /** --decompose: where each search's latency went (searchParts()), appended by `whole`. */
  parts?: SearchParts[];
};
type Locks = { relations: number; fastPath: number; lockManager: number; other: number };

const vecLit = (v: readonly number[]) => `[${v.join(',')}]`;

/**
 * The exact answer: the practice's rows (its partition, pruned by the explicit filter), each row's
 * distance computed below an OFFSET 0 subquery so that no vector index can order them: a
 * sequential scan and a top-N sort. Before session 9 this was `SET LOCAL enable_indexscan = off`
 * and an ORDER BY on the distance: on PostgreSQL 18 that leaves the HNSW index scan in the plan,
 * marked "Disabled: true" (EXPLAIN, search-exact, session 9), so the "exact" method and the recall
 * truth were a walk with LIMIT 10 (0.2 ms, 362 buffers, against 11 ms for the scan).
 */
async function exact(trx: Tx, q: Query): Promise<string[]> {
  await sql`SELECT set_config('max_parallel_workers_per_gather', '0', true)`.execute(trx);
  const r = await sql<{ id: string }>`SELECT s.id FROM (
       SELECT message_id AS id, e.embedding::halfvec(${sql.lit(DIMS)}) <=> ${vecLit(q.vector)}::halfvec(${sql.lit(DIMS)}) AS distance FROM message_embeddings e
        WHERE e.model = ${MODEL} AND e.practice_id = ${q.practice.id}::uuid OFFSET 0) s
     ORDER BY s.distance, s.id LIMIT ${K}`.execute(trx);
  return r.rows.map((x) => x.id);
}

const model = { model: MODEL, dimensions: DIMS };

// ---------------------------------------------------------------------------------------------
// Session 11 (s-tail, --decompose): where one search's latency goes at 10 clients.
// ---------------------------------------------------------------------------------------------

/** One search's latency in consecutive parts (ms); their sum is its latency. */
export interface SearchParts {
  /** The service's work before admission and building the statement (spelling, terms, vector, SQL text). */
  apiBefore: number;
  /** Waiting for an admission slot (FIFO), as the service's admission reports it. */
  admission: number;
  /** From handing the statement to the driver to the backend starting it: the pool, the socket, the backend's wake-up. */
  toBackend: number;
  /** The backend from the statement's start to its last row (statement_timestamp() to clock_timestamp()). */
  backend: number;
  /** From the backend's last row to the driver's result here: executor end, commit, the reply, this process's event loop, the parse. */
  fromBackend: number;
  /** The service's work on the rows (the page as GET /search shows it). */
  apiAfter: number;
  total: number;
  /** Of the whole round trip, the backend's time on a CPU and runnable but waiting for one (/proc/<pid>/schedstat). */
  backendCpu: number | null;
  backendRunQueue: number | null;
  /** The measured round it ran in (set by measure()): are the slowest bunched in a few rounds (the machine's speed) or spread? */
  round?: number;
}

/** The backends' schedstat (ns on a CPU, ns runnable waiting) when last read, by pid: a pooled backend is idle between its searches. */
const lastSched = new Map<number, [number, number]>();
function schedDelta(pid: number): [number, number] | null {
  let now: [number, number];
  try {
    const f = readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ');
    now = [Number(f[0]), Number(f[1])];
  } catch {
    return null;
  }
  const before = lastSched.get(pid);
  lastSched.set(pid, now);
  return before ? [(now[0] - before[0]) / 1e6, (now[1] - before[1]) / 1e6] : null;
}

/**
 * PostgreSQL's clock (clock_timestamp(), epoch ms) minus this process's (performance.timeOrigin +
 * performance.now()): the two count from different origins and the monotonic clock drifts from the
 * wall clock, so measure() sets it again before every round of a decomposed method, from the
 * fastest of five round trips (error at most half of it, ~0.1 ms).
 */
let clockOffsetMs = 0;
async function calibrateClock(database: Database): Promise<void> {
  let best = { rtt: Infinity, offset: 0 };
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const r = await sql<{ t: number }>`SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS t`.execute(database.system);
    const t1 = performance.now();
    if (t1 - t0 < best.rtt) best = { rtt: t1 - t0, offset: r.rows[0]!.t - (performance.timeOrigin + (t0 + t1) / 2) };
  }
  clockOffsetMs = best.offset;
}
const pgClock = (t: number) => performance.timeOrigin + t + clockOffsetMs;

/**
 * The admission's report for the search about to send its statement: the service calls its
 * onAdmitted hook and then, synchronously, builds the statement and calls the bench's statement
 * function, so no other search can come between (taken once; a missing report stops the run
 * rather than attribute another search's wait).
 */
let admitted: number | null = null;
const onAdmitted = (ms: number) => {
  admitted = ms;
};

/**
 * The statement function of a decomposed search: the service's statement wrapped in one SELECT
 * that adds the backend's start (statement_timestamp(): the string's first statement, the claims,
 * shares it) and its clock at each row (the last row's: the end of the work) and its pid; the
 * rows are returned as they came, with three columns more that the service ignores.
 */
function decomposedStatement(database: Database, member: string, rec: { wait: number; tStmt: number; tResult: number; pg0: number; pg1: number; cpu: [number, number] | null }) {
  return async <R>(text: string): Promise<R[]> => {
    if (admitted === null) throw new Error('--decompose: a statement without its admission report (has search.service changed how it admits?)');
    rec.wait = admitted;
    admitted = null;
    rec.tStmt = performance.now();
    const rows = await database.asActorStatement<Record<string, unknown>>(
      { sub: member },
      `SELECT w.*, (extract(epoch FROM statement_timestamp()) * 1000)::float8 AS bench_t0, (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS bench_t1, pg_backend_pid() AS bench_pid FROM (${text}) w`,
    );
    rec.tResult = performance.now();
    const last = rows[rows.length - 1];
    if (last) {
      rec.pg0 = last.bench_t0 as number;
      rec.pg1 = Math.max(...rows.map((r) => r.bench_t1 as number));
      rec.cpu = schedDelta(last.bench_pid as number);
    }
    return rows as R[];
  };
}

/** p50 / p95 of each part, and each part's mean over every search and over the slowest 5 %: where the tail loses its time. */
function summariseParts(parts: SearchParts[]) {
  const keys = ['apiBefore', 'admission', 'toBackend', 'backend', 'fromBackend', 'apiAfter', 'total', 'backendCpu', 'backendRunQueue'] as const;
  const p95Total = pct(parts.map((x) => x.total), 0.95);
  const slow = parts.filter((x) => x.total >= p95Total);
  const mean = (xs: (number | null)[]) => {
    const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
    return v.length ? round(v.reduce((a, b) => a + b, 0) / v.length) : null;
  };
  const of = (k: (typeof keys)[number], xs: SearchParts[]) => xs.map((x) => x[k]).filter((x): x is number => x !== null && Number.isFinite(x));
  // Pearson correlation of a part with the search's latency, over the searches that have both.
  const corr = (k: (typeof keys)[number]) => {
    const xs = parts.filter((x) => x[k] !== null && Number.isFinite(x[k]));
    if (xs.length < 3) return null;
    const ma = xs.reduce((a, x) => a + x[k]!, 0) / xs.length;
    const mb = xs.reduce((a, x) => a + x.total, 0) / xs.length;
    const cov = xs.reduce((a, x) => a + (x[k]! - ma) * (x.total - mb), 0);
    const va = xs.reduce((a, x) => a + (x[k]! - ma) ** 2, 0);
    const vb = xs.reduce((a, x) => a + (x.total - mb) ** 2, 0);
    return va && vb ? round(cov / Math.sqrt(va * vb)) : null;
  };
  // The slowest 5 % per measured round: evenly spread (searches / rounds each) or bunched in the slow rounds.
  const rounds = [...new Set(parts.map((x) => x.round ?? 0))].sort((a, b) => a - b);
  return {
    searches: parts.length,
    slowest: slow.length,
    slowestPerRound: rounds.map((r) => slow.filter((x) => (x.round ?? 0) === r).length).join(' / '),
    parts: Object.fromEntries(
      keys.map((k) => [
        k,
        { p50: of(k, parts).length ? round(pct(of(k, parts), 0.5)) : null, p95: of(k, parts).length ? round(pct(of(k, parts), 0.95)) : null, mean: mean(parts.map((x) => x[k])), slowest5Mean: mean(slow.map((x) => x[k])), corrWithTotal: k === 'total' ? 1 : corr(k) },
      ]),
    ),
  };
}

/**
 * The measured methods; with `quick`, only the production GET /search and its admission settings
 * (those the API chooses between), in that order.
 */
function methodsFor(database: Database, admission: readonly number[] = ADMISSION, quick = QUICK): Method[] {
  // The search service as the API builds it, except that the query vector is the query's
  // synthetic one (a model call per query is (d)'s subject) and nothing is cached.
  const byText = new Map<string, number[]>();
  const provider: EmbeddingProvider = {
    model: MODEL,
    dimensions: DIMS,
    embed: (texts) => Promise.resolve(texts.map((t) => byText.get(t)!)),
    embedQuery: (t) => Promise.resolve(byText.get(t)!),
  };
  const service = createSearchService({ system: database.system, providers: () => provider, embedTimeoutMs: 60_000, queryCacheSize: 0, onAdmitted });
  // The same search with the lexical leg ranked by ts_rank (before BM25 became the default), side by side.
  const tsRankService = createSearchService({ system: database.system, providers: () => provider, embedTimeoutMs: 60_000, queryCacheSize: 0, lexicalRanking: 'ts_rank' });
  // The search as it ran before session 5, side by side: BM25 scoring every match (db 0077) and the
  // semantic leg fetching 2 × LIMIT nearest chunks.
  const beforeService = createSearchService({
    system: database.system,
    providers: () => provider,
    embedTimeoutMs: 60_000,
    queryCacheSize: 0,
    lexicalRanking: 'bm25_exact',
    semanticOverfetch: 2,
  });
  // The same search with the lexical leg through 0084's common-terms function (before db 0104; same ranking), side by side.
  const before0104Service = createSearchService({ system: database.system, providers: () => provider, embedTimeoutMs: 60_000, queryCacheSize: 0, lexicalRanking: 'bm25_0084' });
  // The same search as separate statements (scope, each leg, rows: as before session 6, db 0098), side by side.
  const separateService = createSearchService({ system: database.system, providers: () => provider, embedTimeoutMs: 60_000, queryCacheSize: 0, statements: 'separate' });
  // Session 8: the production search with admission control (SEARCH_CONCURRENCY), side by side.
  const withLimit = admission.map((n) => ({ n, service: createSearchService({ system: database.system, providers: () => provider, embedTimeoutMs: 60_000, queryCacheSize: 0, concurrency: n, onAdmitted }) }));
  // Session 10 (s-knobs): the API's default admission (6) at session 9's sizes (50 candidates per
  // leg, hnsw.ef_search 40; now CANDIDATES 35 and ef_search 42), side by side.
  const session9Sizes = createSearchService({ system: database.system, providers: () => provider, embedTimeoutMs: 60_000, queryCacheSize: 0, concurrency: 6, candidates: 50, efSearch: 40 });
  // One whole search as GET /search runs it, as the practice's member (the query's vector answered
  // by the bench's provider through byText); oneTrip: BEGIN with the claims, search_page() and
  // COMMIT as one string, as production sends it since session 8. Since session 10 the one-trip
  // methods (production and admission control) also write the page's PHI access log in the same
  // statement, as GET /search does (db 0136); before, the bench left out the route's second
  // transaction that wrote it. The other methods are the search alone, as before.
  const wholeSearch = (svc: SearchService, oneTrip = false, audit = oneTrip, parts?: SearchParts[]) => async (q: Query): Promise<string[]> => {
    byText.set(expandOrtho(q.text), q.vector);
    if (parts && oneTrip) {
      // --decompose: the same call, its statement sent through decomposedStatement().
      const t0 = performance.now();
      const rec = { wait: NaN, tStmt: NaN, tResult: NaN, pg0: NaN, pg1: NaN, cpu: null as [number, number] | null };
      const r = await svc.search((fn) => database.asActor({ sub: q.practice.member }, fn), { q: q.text, kinds: ['message'], limit: K, audit: audit ? SEARCH_READ : undefined }, decomposedStatement(database, q.practice.member, rec));
      const tEnd = performance.now();
      if (r.mode !== 'hybrid') throw new Error(`search answered ${r.mode}: ${r.degraded?.message}`);
      const toBackend = rec.pg0 - pgClock(rec.tStmt);
      const fromBackend = pgClock(rec.tResult) - rec.pg1;
      parts.push({
        apiBefore: rec.tStmt - t0 - rec.wait,
        admission: rec.wait,
        toBackend,
        backend: rec.pg1 - rec.pg0,
        fromBackend,
        apiAfter: tEnd - rec.tResult,
        total: tEnd - t0,
        backendCpu: rec.cpu?.[0] ?? null,
        backendRunQueue: rec.cpu?.[1] ?? null,
      });
      return r.results.map((x) => x.id);
    }
    const r = await svc.search(
      (fn) => database.asActor({ sub: q.practice.member }, fn),
      { q: q.text, kinds: ['message'], limit: K, audit: audit ? SEARCH_READ : undefined },
      oneTrip ? (text) => database.asActorStatement({ sub: q.practice.member }, text) : undefined,
    );
    if (r.mode !== 'hybrid') throw new Error(`search answered ${r.mode}: ${r.degraded?.message}`);
    return r.results.map((x) => x.id);
  };
  const productionParts: SearchParts[] = [];
  const production: Method = {
    // As GET /search sends it since session 8: BEGIN with the claims, search_page() and COMMIT in one round trip.
    name: 'GET /search SQL: lexical (BM25) + semantic + rows + PHI log (production)',
    recall: false,
    whole: wholeSearch(service, true, true, DECOMPOSE ? productionParts : undefined),
    parts: DECOMPOSE ? productionParts : undefined,
    locks: (q) => {
      byText.set(expandOrtho(q.text), q.vector);
      return locksOfOneSearch(database, q, service);
    },
  };
  // Admission control: the same clients and pool, at most n searches in the database at once;
  // each latency runs from the client's call, its wait in the queue included.
  const withAdmission = withLimit.map(
    ({ n, service: svc }): Method => {
      const parts: SearchParts[] | undefined = DECOMPOSE ? [] : undefined;
      return {
        name: `GET /search SQL (production) with admission control: ${n} at a time, the rest queue FIFO (SEARCH_CONCURRENCY=${n})`,
        recall: false,
        whole: wholeSearch(svc, true, true, parts),
        parts,
      };
    },
  );
  // --decompose: the API's default admission without the decomposition's wrapper, beside the decomposed ones (its overhead).
  const undecomposed: Method[] = DECOMPOSE
    ? withLimit
        .filter(({ n }) => n === 6)
        .map(({ n, service: svc }) => ({ name: `GET /search SQL (production) with admission control ${n}, not decomposed (--decompose's control)`, recall: false, whole: wholeSearch(svc, true) }))
    : [];
  // Session 10 (s-phi): the figure of record before and since, side by side, at the API's default admission (6).
  const phiComparisons: Method[] = withLimit
    .filter(({ n }) => n === 6)
    .flatMap(({ n, service: svc }): Method[] => [
      {
        name: `GET /search SQL (production) with admission control ${n}, without its PHI log (the figure of record before session 10)`,
        recall: false,
        whole: wholeSearch(svc, true, false),
      },
      {
        // The route before session 10: the admitted search, then the page's log in a second transaction (outside admission).
        name: `GET /search as the route ran before session 10: admission control ${n}, then its PHI log in a second transaction`,
        recall: false,
        whole: async (q: Query) => {
          byText.set(expandOrtho(q.text), q.vector);
          const r = await svc.search((fn) => database.asActor({ sub: q.practice.member }, fn), { q: q.text, kinds: ['message'], limit: K }, (text) => database.asActorStatement({ sub: q.practice.member }, text));
          if (r.mode !== 'hybrid') throw new Error(`search answered ${r.mode}: ${r.degraded?.message}`);
          const caseIds = [...new Set(r.results.map((x) => x.caseId).filter((id): id is string => !!id))];
          const patientIds = r.results.filter((x) => x.kind === 'patient').map((x) => x.id);
          if (caseIds.length || patientIds.length) {
            await database.asActor({ sub: q.practice.member }, async (trx) => {
              await recordCaseAccess(trx, caseIds, SEARCH_READ);
              await recordPhiAccess(trx, patientIds, SEARCH_READ);
            });
          }
          return r.results.map((x) => x.id);
        },
      },
    ]);
  if (quick) return [production, ...withAdmission, ...undecomposed, ...phiComparisons];
  const all: Method[] = [
    {
      // What GET /search runs per kind: CANDIDATES nearest, of which the page shows the first 10.
      name: `semantic(): practice partition, HNSW, iterative scan, ef_search ${HNSW_EF_SEARCH} (production)`,
      recall: true,
      tx: async (trx, q) => (await semantic(trx, 'message', model, q.vector, CANDIDATES)).slice(0, K).map((x) => x.id),
    },
    {
      name: 'semantic() as before session 5: LIMIT 2 × candidates',
      recall: true,
      tx: async (trx, q) => (await semantic(trx, 'message', model, q.vector, CANDIDATES, undefined, undefined, undefined, 2)).slice(0, K).map((x) => x.id),
    },
    // The same semantic leg at other hnsw.ef_search values (--ef-search): recall against latency.
    ...EF_SWEEP.map(
      (ef): Method => ({
        name: `semantic() with hnsw.ef_search ${ef} (production: ${HNSW_EF_SEARCH})`,
        recall: true,
        tx: async (trx, q) => (await semantic(trx, 'message', model, q.vector, CANDIDATES, undefined, undefined, ef)).slice(0, K).map((x) => x.id),
      }),
    ),
    production,
    {
      // What this bench measured as production before session 10: the search without the page's PHI log.
      name: 'GET /search SQL (production) without its PHI log (the production method before session 10)',
      recall: false,
      whole: wholeSearch(service, true, false),
    },
    {
      name: 'GET /search SQL as before session 8: three round trips (BEGIN with the claims, search_page(), COMMIT)',
      recall: false,
      whole: wholeSearch(service),
    },
    ...withAdmission,
    ...undecomposed,
    {
      name: 'GET /search SQL (production) with admission control 6, at session 9\'s sizes: 50 candidates, ef_search 40',
      recall: false,
      whole: wholeSearch(session9Sizes, true),
    },
    ...phiComparisons,
    {
      name: 'GET /search SQL, lexical leg as before 0104 (0084 common terms; same pages)',
      recall: false,
      whole: wholeSearch(before0104Service),
    },
    {
      name: 'GET /search SQL as before session 6: separate statements (scope, legs, rows)',
      recall: false,
      whole: wholeSearch(separateService),
    },
    {
      name: 'GET /search SQL as before session 5: BM25 scoring every match (0077), semantic LIMIT 2×',
      recall: false,
      whole: wholeSearch(beforeService),
    },
    {
      name: 'GET /search SQL, lexical leg ranked by ts_rank instead of BM25',
      recall: false,
      whole: wholeSearch(tsRankService),
    },
    // The per-practice exact scan as a method of its own: recall 1 by definition, and its
    // latency says whether a tenant this small needs a vector index at all.
    { name: 'exact: practice rows, no vector index', recall: true, tx: exact },
    ...[1, PROBES].map(
      (probes): Method => ({
        name: `ivfflat lists=100 on the unpartitioned table (design baseline), probes ${probes}, iterative scan`,
        recall: true,
        tx: async (trx, q) => {
          await sql`SET LOCAL ivfflat.probes = ${sql.lit(probes)}`.execute(trx);
          await sql`SET LOCAL ivfflat.iterative_scan = relaxed_order`.execute(trx);
          const r = await sql<{ id: string }>`SELECT message_id AS id FROM ${sql.table(FLAT)} e WHERE e.model = ${sql.lit(MODEL)}
             ORDER BY e.embedding::vector(${sql.lit(DIMS)}) <=> ${vecLit(q.vector)}::vector(${sql.lit(DIMS)}) LIMIT ${CANDIDATES}`.execute(trx);
          return r.rows.slice(0, K).map((x) => x.id);
        },
      }),
    ),
  ];
  if (FLAT_HNSW) {
    all.push({
      name: 'hnsw, one graph over the unpartitioned table (before 0063), iterative scan, ef_search 100',
      recall: true,
      tx: async (trx, q) => {
        await sql`SET LOCAL hnsw.iterative_scan = relaxed_order`.execute(trx);
        await sql`SET LOCAL hnsw.ef_search = 100`.execute(trx);
        const r = await sql<{ id: string }>`SELECT message_id AS id FROM ${sql.table(FLAT)} e WHERE e.model = ${sql.lit(MODEL)}
           ORDER BY e.embedding::halfvec(${sql.lit(DIMS)}) <=> ${vecLit(q.vector)}::halfvec(${sql.lit(DIMS)}) LIMIT ${CANDIDATES * 2}`.execute(trx);
        return r.rows.slice(0, K).map((x) => x.id);
      },
    });
  }
  return all;
}

/**
 * A method's plan (to show which index served it): its statements run with EXPLAIN prefixed by a
 * Kysely plugin, so the plan is of exactly the SQL the method sends, as the same actor.
 */
class ExplainPlugin implements KyselyPlugin {
  readonly plans: string[] = [];
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const node = args.node;
    if (RawNode.is(node) && /^\s*(WITH|SELECT)/i.test(node.sqlFragments[0] ?? '') && !/user_practice_ids/.test(node.sqlFragments.join(''))) {
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
  if (!m.tx) return '(several statements: see the methods above)';
  const plugin = new ExplainPlugin();
  await database.asActor({ sub: q.practice.member }, (trx) => m.tx!(trx.withPlugin(plugin), q));
  return plugin.plans.join('\n');
}

/** Context switches of the whole machine so far (/proc/stat ctxt; null where there is none). */
function contextSwitches(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith('ctxt '));
    return line ? Number(line.split(' ')[1]) : null;
  } catch {
    return null;
  }
}

/** The server's postmaster (set once the fixture is open), whose processes' CPU measure() reads. */
let serverPid: number | null = null;

interface Measured {
  latencies: number[];
  recall: number[];
  seconds: number;
  switches: number | null;
  load: LoadSample;
}

async function measure(database: Database, queries: Query[], truth: string[][], m: Method): Promise<Measured> {
  if (m.parts) {
    await calibrateClock(database);
    // Other methods ran searches on the same pooled backends since: the first search on each backend in this round has no delta.
    lastSched.clear();
  }
  const started = performance.now();
  const ctxt0 = contextSwitches();
  const probe = startLoadProbe(serverPid);
  const latencies: number[] = [];
  const recall: number[] = new Array<number>(queries.length);
  let next = 0;
  const client = async () => {
    for (;;) {
      const i = next++;
      if (i >= queries.length) return;
      const q = queries[i]!;
      const t0 = performance.now();
      const ids = m.tx ? await database.asActor({ sub: q.practice.member }, (trx) => m.tx!(trx, q)) : await m.whole!(q);
      latencies.push(performance.now() - t0);
      const want = new Set(truth[i]);
      recall[i] = want.size ? ids.filter((id) => want.has(id)).length / want.size : 1;
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  const ctxt1 = contextSwitches();
  const load = probe.stop(latencies.length);
  return { latencies, recall, seconds: (performance.now() - started) / 1000, switches: ctxt0 === null || ctxt1 === null ? null : ctxt1 - ctxt0, load };
}

/**
 * Runs `m` with CLIENTS closed-loop clients for `seconds` (the queries over and over) while
 * sampling the backends' wait events and, with `perfFile`, recording the whole machine with
 * `perf record -a -g` (started before, stopped after, so the file covers the soak only).
 */
async function soak(database: Database, url: string, queries: Query[], m: Method, seconds: number, perfFile?: string) {
  let perf: ChildProcess | undefined;
  if (perfFile) {
    perf = spawn('perf', ['record', '-a', '-g', '-F', '499', '-o', perfFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    // perf prints nothing until it stops: give it a moment to open its ring buffers.
    await new Promise((res) => setTimeout(res, 1000));
  }
  const waits = sampleWaitEvents(url, 'mdw');
  const latencies: number[] = [];
  const t0 = performance.now();
  const ctxt0 = contextSwitches();
  const probe = startLoadProbe(serverPid);
  let next = 0;
  const client = async () => {
    while (performance.now() - t0 < seconds * 1000) {
      const q = queries[next++ % queries.length]!;
      const t = performance.now();
      await m.whole!(q);
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  const ctxt1 = contextSwitches();
  const load = probe.stop(latencies.length);
  const wall = (performance.now() - t0) / 1000;
  const waitEvents = await waits.stop();
  if (perf) {
    const exited = new Promise((res) => perf!.once('exit', res));
    perf.kill('SIGINT');
    await exited;
  }
  return {
    method: m.name,
    seconds: round(wall, 1),
    searches: latencies.length,
    p50Ms: round(pct(latencies, 0.5)),
    p95Ms: round(pct(latencies, 0.95)),
    perSecond: round(latencies.length / wall, 1),
    ctxSwitchesPerSearch: ctxt0 === null || ctxt1 === null ? null : Math.round((ctxt1 - ctxt0) / latencies.length),
    ...load,
    waitEvents,
    perfFile: perfFile ?? null,
  };
}

/**
 * Relation locks one production search holds at its end (pg_locks of its own backend before COMMIT), split
 * into fast-path and lock-manager ones: PostgreSQL 18 gives a backend as many fast-path slots as
 * max_locks_per_transaction (64 by default, in groups of 16); relations past them take the shared
 * lock manager's partition locks, which is where concurrent searches would contend.
 */
async function locksOfOneSearch(database: Database, q: Query, svc: SearchService): Promise<Locks> {
  const out = { relations: 0, fastPath: 0, lockManager: 0, other: 0 };
  await svc.search(
    (fn) => database.asActor({ sub: q.practice.member }, fn),
    { q: q.text, kinds: ['message'], limit: K },
    (text) =>
      database.asActor({ sub: q.practice.member }, async (trx) => {
        const rows = (await sql.raw(text).execute(trx)).rows;
        const l = await sql<{ relation: boolean; fastpath: boolean; n: number }>`SELECT locktype = 'relation' AS relation, fastpath, count(*)::int AS n
          FROM pg_locks WHERE pid = pg_backend_pid() AND relation IS DISTINCT FROM 'pg_catalog.pg_locks'::regclass GROUP BY 1, 2`.execute(trx);
        for (const x of l.rows) {
          if (x.relation) out.relations += x.n;
          if (x.relation && x.fastpath) out.fastPath += x.n;
          else if (x.relation) out.lockManager += x.n;
          else out.other += x.n;
        }
        return rows as never[];
      }),
  );
  return out;
}

/** The server settings that shape a search's latency, as the server reports them. */
async function serverSettings(url: string): Promise<Record<string, string>> {
  const names = ['shared_buffers', 'huge_pages', 'huge_pages_status', 'effective_cache_size', 'max_locks_per_transaction', 'work_mem', 'random_page_cost', 'max_parallel_workers_per_gather', 'jit', 'fsync', 'synchronous_commit', 'max_connections'];
  const r = await withClient(url, (c) => c.query<{ name: string; setting: string }>(`SELECT name, current_setting(name) AS setting FROM unnest($1::text[]) AS name`, [names]));
  return Object.fromEntries(r.rows.map((x) => [x.name, x.setting]));
}

/**
 * Loads what the measured searches read into shared buffers before the warm-up (pg_prewarm), most
 * important first, up to 90 % of shared_buffers: the production HNSW graphs, the lexical index
 * (search_index.documents: heap, GIN and btrees; the postings' primary keys), the message embeddings' heap (the semantic leg
 * reads content_text), case_messages (result rows), then the design's ivfflat baseline (index,
 * then table). A production server reaches this state after its first minutes of traffic; the
 * bench measures that warm, correctly sized server, not a cold start.
 */
async function prewarm(url: string): Promise<{ relations: number; mb: number; skippedMb: number; seconds: number }> {
  return withClient(url, async (c) => {
    const t0 = performance.now();
    await c.query('CREATE EXTENSION IF NOT EXISTS pg_prewarm');
    const budget = Number((await c.query<{ b: string }>(`SELECT pg_size_bytes(current_setting('shared_buffers')) * 0.9 AS b`)).rows[0]!.b);
    const rels = await c.query<{ rel: string; bytes: string }>(`
      -- In the order the production search reads them: the HNSW graphs, the postings' keys (the lexical
      -- ranking's index-only scans since db 0164), the embeddings' heap; the documents (the lexical
      -- leg's fallbacks and the older methods) after them.
      WITH parts(parent, prio) AS (VALUES ('message_embeddings'::regclass, 3), ('search_index.documents'::regclass, 4)),
      rels AS (
        SELECT i.indexrelid AS oid, 1 AS prio FROM pg_partition_tree('message_embeddings') h JOIN pg_index i ON i.indrelid = h.relid
          JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
         WHERE h.isleaf AND am.amname = 'hnsw'
        UNION ALL SELECT h.relid, p.prio FROM parts p, pg_partition_tree(p.parent) h WHERE h.isleaf
        UNION ALL SELECT i.indexrelid, 4 FROM pg_inherits h JOIN pg_index i ON i.indrelid = h.inhrelid
         WHERE h.inhparent = 'search_index.documents'::regclass
        -- The postings' primary keys (db 0160): the lexical ranking's index-only scans (db 0164).
        UNION ALL SELECT i.indexrelid, 2 FROM pg_partition_tree(to_regclass('search_index.postings')) h JOIN pg_index i ON i.indrelid = h.relid
         WHERE h.isleaf
        UNION ALL SELECT 'case_messages'::regclass, 5
        UNION ALL SELECT 'case_messages_pkey'::regclass, 5
        UNION ALL SELECT '${FLAT_IVFFLAT}'::regclass, 6
        UNION ALL SELECT '${FLAT}'::regclass, 7
      )
      SELECT oid::regclass::text AS rel, pg_relation_size(oid) AS bytes FROM rels ORDER BY prio, oid::regclass::text`);
    let used = 0;
    let skipped = 0;
    let n = 0;
    for (const r of rels.rows) {
      const bytes = Number(r.bytes);
      if (used + bytes > budget) {
        skipped += bytes;
        continue;
      }
      await c.query(`SELECT pg_prewarm($1::regclass)`, [r.rel]);
      used += bytes;
      n++;
    }
    return { relations: n, mb: Math.round(used / 2 ** 20), skippedMb: Math.round(skipped / 2 ** 20), seconds: round((performance.now() - t0) / 1000, 1) };
  });
}

/**
 * (d) The pipeline (queue → chunk → embed → write → dequeue) vs the bare model, same texts; and a
 * query embedding uncached and cached. In a scratch database of the same server, so that the
 * measured fixture is never written to.
 */
async function pipelineThroughput(pgs: EmbeddedPostgres): Promise<Record<string, number | string> | null> {
  if (PIPELINE_TEXTS === 0) return null;
  const config = loadConfig();
  if (config.AI_PROVIDER === 'local') await ensureEmbeddingModel(config.LOCAL_EMBEDDING_MODEL);
  const scratchName = 'mdw_search_pipeline';
  const admin = guardClient(new pg.Client({ connectionString: pgs.url.replace(/\/[^/]+$/, '/postgres') }));
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${scratchName} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${scratchName}`);
  const url = pgs.url.replace(/\/[^/]+$/, `/${scratchName}`);
  const provider = createEmbeddingProvider(config);
  const scratch = createDatabase(url, 2);
  try {
    await migrate(url);
    const db = scratch.system;
    const practiceId = await createPractice(db, { name: 'Pipeline practice' });
    const member = await createProfile(db, { email: 'pipeline-doctor@bench.mdw', firstName: 'Pipeline', lastName: 'Doctor', role: 'doctor' });
    await addMember(db, practiceId, member, 'doctor');
    const patient = await createPatient(db, { practiceId, email: 'pipeline-patient@bench.mdw', firstName: 'Pipeline', lastName: 'Patient' });
    const kase = await db.insertInto('cases').values({ practice_id: practiceId, patient_id: patient.id, case_number: 'P-1', title: 'Pipeline case', case_type: 'active_treatment' }).returning('id').executeTakeFirstOrThrow();
    await embeddings.ensureActiveModel(db, provider.model, provider.dimensions);
    await sql`DELETE FROM embedding_queue`.execute(db);
    const phrases = ['Lower incisors crowding, IPR planned before refinement', 'Patient reports the upper aligner does not seat fully on UR3', 'Please approve the setup: overjet reduced to 2 mm', 'Attachment lost on LL4, replace at next visit', 'Elastics class II full time, compliance poor', 'Scan received, bite registration unclear on the left'];
    const texts = Array.from({ length: PIPELINE_TEXTS }, (_, i) => `${phrases[i % phrases.length]} (note ${i}, tray ${i % 40}).`);
    // Warm the model up (first call loads it), outside both timings.
    await provider.embed(['warm up']);
    let t0 = performance.now();
    for (let i = 0; i < texts.length; i += config.EMBEDDING_BATCH_SIZE) await provider.embed(texts.slice(i, i + config.EMBEDDING_BATCH_SIZE));
    const bareSeconds = (performance.now() - t0) / 1000;
    // The bare model on what the pipeline sends it (chunkText + expandOrtho: ~1.6x the characters),
    // beside the figure above on the raw texts (session 11, s-pipe): the ratio a pipeline with no
    // cost outside the model would reach.
    const inputs = texts.flatMap((t) => chunkText(t).map(embeddingInput));
    t0 = performance.now();
    for (let i = 0; i < inputs.length; i += config.EMBEDDING_BATCH_SIZE) await provider.embed(inputs.slice(i, i + config.EMBEDDING_BATCH_SIZE));
    const bareInputsSeconds = (performance.now() - t0) / 1000;
    await db
      .insertInto('case_messages')
      .values(texts.map((content) => ({ case_id: kase.id, practice_id: practiceId, sender_id: member, content })))
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

    // A query's vector through the search service: the first time (a model call), then again (its LRU).
    const service = createSearchService({ system: db, providers: () => provider, embedTimeoutMs: 60_000 });
    await service.embedQuery('warm up the active model lookup');
    const uncached: number[] = [];
    const cachedMs: number[] = [];
    for (const { q } of SEARCH_QUERIES) {
      const text = expandOrtho(q);
      let t = performance.now();
      if (!(await service.embedQuery(text)).vector) throw new Error('query embedding failed');
      uncached.push(performance.now() - t);
      t = performance.now();
      await service.embedQuery(text);
      cachedMs.push(performance.now() - t);
    }
    return {
      model: provider.model,
      texts: texts.length,
      batchSize: config.EMBEDDING_BATCH_SIZE,
      handled,
      stored,
      bareModelTextsPerSec: round(texts.length / bareSeconds, 1),
      pipelineTextsPerSec: round(texts.length / pipelineSeconds, 1),
      pipelineOverBare: round(bareSeconds / pipelineSeconds, 2),
      bareModelSameInputsTextsPerSec: round(texts.length / bareInputsSeconds, 1),
      pipelineOverBareSameInputs: round(bareInputsSeconds / pipelineSeconds, 2),
      queryEmbeddings: uncached.length,
      queryEmbedUncachedP50Ms: round(pct(uncached, 0.5)),
      queryEmbedUncachedP95Ms: round(pct(uncached, 0.95)),
      queryEmbedCachedP95Ms: round(pct(cachedMs, 0.95), 3),
    };
  } finally {
    await (provider as { close?: () => Promise<void> }).close?.();
    await scratch.destroy();
    await admin.query(`DROP DATABASE IF EXISTS ${scratchName} WITH (FORCE)`);
    await admin.end();
  }
}

async function main(): Promise<void> {
  const started = new Date();
  console.log(`search benchmark (${FIXTURE} fixture): ${VECTORS.toLocaleString('en')} vectors, ${PRACTICES} practices, ${CLIENTS} clients, ${QUERIES} queries × ${ROUNDS} rounds`);
  const t00 = performance.now();
  const { pgs, database, fixture, cached, dir, migrated } = await openFixture();
  const fixtureSeconds = (performance.now() - t00) / 1000;
  // The lexical leg reads the lexical index (db 0076): a fixture whose index misses messages would
  // measure a search that finds little.
  const inIndex = await sql<{ n: number }>`SELECT count(*)::int AS n FROM search_index.documents WHERE kind = 'message'`.execute(database.system);
  if (inIndex.rows[0]!.n !== VECTORS) throw new Error(`the lexical index holds ${inIndex.rows[0]!.n} messages of ${VECTORS}`);
  process.once('SIGINT', () => {
    pgs.stop();
    process.exit(130);
  });
  try {
    if (opt['build-only']) {
      console.log(`fixture ready in ${fixtureSeconds.toFixed(1)} s (${cached ? 'cached' : 'built'}): ${dir}`);
      return;
    }
    const practices = fixture.practices;
    const rnd = mulberry32(99);
    const queries: Query[] = Array.from({ length: QUERIES }, (_, i) => ({
      practice: practices[Math.floor(rnd() * practices.length)]!,
      vector: syntheticVector(rnd),
      text: SEARCH_QUERIES[i % SEARCH_QUERIES.length]!.q,
    }));
    serverPid = postmasterPid(path.join(dir, 'pgdata'));
    let t0 = performance.now();
    const truth: string[][] = [];
    // --quick measures no recall: no truth (the production search's pages are tested elsewhere).
    for (const q of queries) truth.push(QUICK ? [] : await database.asActor({ sub: q.practice.member }, (trx) => exact(trx, q)));
    const exactMsPerQuery = (performance.now() - t0) / queries.length;
    if (!QUICK) {
      if (truth.some((t) => t.length !== K)) throw new Error('the exact answer has fewer than 10 rows: RLS or the load is wrong');
      // Everything a member saw belongs to their practice (RLS), checked once on the truth.
      const foreign = await sql<{ n: number }>`SELECT count(*)::int AS n FROM message_embeddings e JOIN (VALUES ${sql.join(
        queries.flatMap((q, i) => truth[i]!.map((id) => sql`(${id}::uuid, ${q.practice.id}::uuid)`)),
      )}) AS t(id, practice) ON t.id = e.message_id WHERE e.practice_id <> t.practice`.execute(database.system);
      if (foreign.rows[0]!.n !== 0) throw new Error('a member saw another practice’s rows');
      console.log(`(c) exact answers: ${exactMsPerQuery.toFixed(1)} ms per query (sequential)`);
    }

    // huge_pages_status says whether the shared memory got them; hugePages what the reservation did.
    const server = { ...(await serverSettings(pgs.url)), ...(pgs.hugePages ? { hugePages: pgs.hugePages.message } : {}) };
    console.log('(c) server settings', server);
    const prewarmed = opt['no-prewarm'] ? null : await prewarm(pgs.url);
    if (prewarmed) console.log(`(c) prewarmed ${prewarmed.relations} relations, ${prewarmed.mb} MB in ${prewarmed.seconds} s (${prewarmed.skippedMb} MB did not fit)`);

    const methods = methodsFor(database);
    const plans: Record<string, string> = {};
    for (const m of methods) plans[m.name] = await planOf(database, m, queries[0]!);

    const results = new Map<string, { latencies: number[]; recall: number[]; seconds: number; switches: number | null; rounds: Measured[] }>();
    // One warm-up pass per method (caches), then interleaved measured rounds.
    for (const m of methods) await measure(database, queries.slice(0, Math.min(20, QUERIES)), truth, m);
    for (const m of methods) m.parts?.splice(0);
    t0 = performance.now();
    for (let r = 0; r < ROUNDS; r++) {
      // The methods' order rotates from round to round, so that none always follows the same one.
      for (let j = 0; j < methods.length; j++) {
        const m = methods[(j + r) % methods.length]!;
        const before = m.parts?.length ?? 0;
        const res = await measure(database, queries, truth, m);
        for (const x of m.parts?.slice(before) ?? []) x.round = r;
        const acc = results.get(m.name) ?? { latencies: [], recall: [], seconds: 0, switches: 0, rounds: [] };
        acc.latencies.push(...res.latencies);
        acc.recall.push(...res.recall);
        acc.seconds += res.seconds;
        acc.switches = acc.switches === null || res.switches === null ? null : acc.switches + res.switches;
        acc.rounds.push(res);
        results.set(m.name, acc);
      }
    }
    const measureSeconds = (performance.now() - t0) / 1000;
    /** A figure over the rounds: min / median / max, the run's own spread. */
    const spread = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return `${round(s[0]!, 1)} / ${round(s[Math.floor((s.length - 1) / 2)]!, 1)} / ${round(s[s.length - 1]!, 1)}`;
    };
    /** A per-search CPU figure over every round, weighted by each round's searches. */
    const perSearch = (rounds: Measured[], k: 'serverCpuMs' | 'clientCpuMs' | 'otherCpuMs' | 'otherNicedCpuMs') =>
      rounds.some((x) => x.load[k] === null) ? null : round(rounds.reduce((a, x) => a + x.load[k]! * x.latencies.length, 0) / rounds.reduce((a, x) => a + x.latencies.length, 0), 3);
    const table = methods.map((m) => {
      const r = results.get(m.name)!;
      const plan = plans[m.name]!;
      return {
        method: m.name,
        samples: r.latencies.length,
        p50Ms: round(pct(r.latencies, 0.5)),
        p95Ms: round(pct(r.latencies, 0.95)),
        p99Ms: round(pct(r.latencies, 0.99)),
        p95RoundsMs: spread(r.rounds.map((x) => pct(x.latencies, 0.95))),
        perSecondRounds: spread(r.rounds.map((x) => x.latencies.length / x.seconds)),
        // Where the machine's CPU went per search: the database server, this process (service,
        // driver, clients), everything else (other users, the kernel's own threads).
        serverCpuMs: perSearch(r.rounds, 'serverCpuMs'),
        clientCpuMs: perSearch(r.rounds, 'clientCpuMs'),
        otherCpuMs: perSearch(r.rounds, 'otherCpuMs'),
        otherNicedCpuMs: perSearch(r.rounds, 'otherNicedCpuMs'),
        eventLoopUtilization: round(r.rounds.reduce((a, x) => a + x.load.eventLoopUtilization * x.seconds, 0) / r.seconds, 3),
        loopDelayP99Ms: round(Math.max(...r.rounds.map((x) => x.load.loopDelayP99Ms))),
        recallAt10: m.recall ? round(r.recall.reduce((a, b) => a + b, 0) / r.recall.length, 3) : null,
        minRecall: m.recall ? round(Math.min(...r.recall), 2) : null,
        // Searches per second of wall time at CLIENTS closed-loop clients, and the machine's context
        // switches per search meanwhile (session 8: admission control should keep the first and cut the second).
        perSecond: round(r.latencies.length / r.seconds, 1),
        ctxSwitchesPerSearch: r.switches === null ? null : Math.round(r.switches / r.latencies.length),
        // A partition's HNSW index is named by PostgreSQL (<partition>_embedding_idx), not by us.
        indexInPlan: !m.tx ? 'several' : /hnsw|Index Scan using message_embeddings_p\d\d_embedding_idx/.test(plan) ? 'hnsw' : /ivfflat/.test(plan) ? 'ivfflat' : /Bitmap/.test(plan) ? 'btree (practice)' : /Seq Scan/.test(plan) ? 'seq scan' : 'other',
        partitionsInPlan: new Set(plan.match(/message_embeddings_p\d\d\b/g) ?? []).size,
      };
    });
    console.table(table.map(({ method, samples, p50Ms, p95Ms, p99Ms, p95RoundsMs, perSecond, recallAt10, ctxSwitchesPerSearch }) => ({ method: method.slice(0, 60), samples, p50Ms, p95Ms, p99Ms, p95RoundsMs, perSecond, recallAt10, ctxSwitchesPerSearch })));
    console.table(table.map(({ method, perSecondRounds, serverCpuMs, clientCpuMs, otherCpuMs, otherNicedCpuMs, eventLoopUtilization, loopDelayP99Ms }) => ({ method: method.slice(0, 60), perSecondRounds, serverCpuMs, clientCpuMs, otherCpuMs, otherNicedCpuMs, eventLoopUtilization, loopDelayP99Ms })));
    // --decompose: where each decomposed method's latency went, and where its slowest 5 % lost theirs.
    const decomposition = Object.fromEntries(methods.filter((m) => m.parts?.length).map((m) => [m.name, summariseParts(m.parts!)]));
    for (const [name, d] of Object.entries(decomposition)) {
      console.log(`(c) decomposed, ms: ${name} (${d.searches} searches; slowest 5 %: ${d.slowest}, per round ${d.slowestPerRound})`);
      console.table(d.parts);
    }
    const prod = table[0]!;
    const hybrid = table.find((t) => t.method.startsWith('GET /search SQL: lexical (BM25)'))!;
    const ivf = table.find((t) => t.method.startsWith('ivfflat'));
    const ex = table.find((t) => t.method.startsWith('exact'));
    const before = table.find((t) => t.method.startsWith('GET /search SQL as before session 5'));
    const separate = table.find((t) => t.method.startsWith('GET /search SQL as before session 6'));
    const semBefore = table.find((t) => t.method.startsWith('semantic() as before'));

    // One production search's locks, then the soaks (wait events, and perf with --perf).
    const production = methods.find((m) => m.locks);
    // Over 20 searches on pooled connections that ran the rounds (session 10: 62 in steady state;
    // up to 176 while a connection's plans are built, bench/search-locks.ts).
    let locks: { searches: number; relations: string; fastPath: string; lockManager: string } | null = null;
    if (production) {
      const each: Locks[] = [];
      for (const q of queries.slice(0, 20)) each.push(await production.locks!(q));
      const mmm = (xs: number[]) => spread(xs).replace(/\.0\b/g, '');
      locks = { searches: each.length, relations: mmm(each.map((x) => x.relations)), fastPath: mmm(each.map((x) => x.fastPath)), lockManager: mmm(each.map((x) => x.lockManager)) };
      console.log('(c) relation locks a production search holds at its end, min / median / max', locks);
    }
    const soaks = [];
    if (SOAK.length) {
      if (opt.perf) mkdirSync(opt.perf, { recursive: true });
      const soakMethods = methodsFor(database, SOAK.filter((n) => n > 0), true);
      for (const n of SOAK) {
        const m = n === 0 ? soakMethods[0]! : soakMethods.find((x) => x.name.includes(`SEARCH_CONCURRENCY=${n})`))!;
        const perfFile = opt.perf ? path.join(path.resolve(opt.perf), `${n === 0 ? 'no-limit' : `admission-${n}`}.data`) : undefined;
        console.log(`(c) soak ${SOAK_SECONDS} s: ${m.name}${perfFile ? ` (perf → ${perfFile})` : ''}`);
        const res = await soak(database, pgs.url, queries, m, SOAK_SECONDS, perfFile);
        console.log(res);
        soaks.push(res);
      }
    }

    const pipelineReport = await pipelineThroughput(pgs);
    if (pipelineReport) console.log('(d) pipeline and query embedding', pipelineReport);

    const report = {
      startedAt: started.toISOString(),
      synthetic: true,
      texts: FIXTURE,
      scale: { vectors: VECTORS, practices: PRACTICES, perPracticeFilter: `${round(100 / PRACTICES, 2)} %`, dims: DIMS, type: 'halfvec', partitions: 32 },
      clients: CLIENTS,
      server,
      prewarmed,
      queries: QUERIES,
      rounds: ROUNDS,
      machine: { cpus: os.cpus().length, loadAverage: os.loadavg().map((x) => round(x)) },
      fixture: { dir, cached, builtAt: fixture.builtAt, openSeconds: round(fixtureSeconds, 1), migrationsApplied: migrated },
      loadSeconds: fixture.loadSeconds,
      indexBuild: { ...fixture.build, maintenanceWorkMem: '3GB', parallelWorkers: 1 },
      exactMsPerQuery: round(exactMsPerQuery),
      search: table,
      ratios:
        ivf && ex && before && separate && semBefore
          ? {
              p95IvfflatOverSemantic: round(ivf.p95Ms / prod.p95Ms),
              p95ExactOverSemantic: round(ex.p95Ms / prod.p95Ms),
              p95HybridOverSemantic: round(hybrid.p95Ms / prod.p95Ms),
              p95HybridOverBefore: round(hybrid.p95Ms / before.p95Ms),
              p95HybridOverSeparateStatements: round(hybrid.p95Ms / separate.p95Ms),
              p50HybridOverSeparateStatements: round(hybrid.p50Ms / separate.p50Ms),
              p95SemanticOverBefore: round(prod.p95Ms / semBefore.p95Ms),
              recallSemantic: prod.recallAt10,
              recallIvfflat: ivf.recallAt10,
            }
          : null,
      quick: QUICK,
      decomposition: DECOMPOSE ? decomposition : null,
      locksOfOneSearch: locks,
      soaks,
      machineAfter: { loadAverage: os.loadavg().map((x) => round(x)) },
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
    pgs.stop();
  }
}

runBench(main);
