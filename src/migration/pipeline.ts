/**
 * The legacy migration: read (reader.ts) → map (set-based SQL over staging tables, plus the
 * pure pieces: normalise.ts, states.ts, dedup) → load → report (report.ts).
 *
 * Idempotency: every legacy row gets one legacy_id_map line (migrated / merged / skipped /
 * rejected, with its reason and the hash of the row as read). A row whose (table, id) is there
 * with the same hash is not looked at again, so a second run changes nothing; a new or changed
 * row is mapped again. Target ids are derived from legacy ids (md5 → uuid), so an insert can
 * never happen twice. Each phase commits its writes together with their legacy_id_map lines: a
 * run killed at any point resumes with the phase it was in.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { IntentClassifier } from '../ai/intent/types';
import { readMigrations } from '../db/migrate';
import { Kysely, PostgresDialect } from 'kysely';
import type { DB } from '../db/schema.generated';
import { rejectedPairs, upsertCandidates } from '../repositories/patient-matches.repository';
import type { DedupPatients, MatchPair } from './dedup/types';
import { dedupStaged, type StagedDedupResult } from './dedup-staged';
import { compileTemplate } from '../workflows/plan/compiler';
import type { PracticeRole, TemplateInput, TemplateTaskInput } from '../workflows/plan/plan.types';
import { LEGACY_TABLES, RECONCILED_TABLES } from './legacy-tables';
import * as N from './normalise';
import { DELETED_SQL, deletedCounts, deletedList, markDeleted, PRESENCE_DDL, presenceColumn, presenceFromComparison, presenceFromStaging } from './deleted';
import { connect, hashTable, HASH_KEYS, MigrationInputError, openLegacy, stageDdl, stageName, stageTable, type LegacySource } from './reader';
import { fromClassifier, matchRule, messageTypeFor, reconstruct, type ClassifiedText, type RecordInput } from './states';
import type { BatchIntentClassifier } from './intent';
import { buildReport, type MigrationReport, type TableCounts } from './report';
import { silentProgress, type Progress } from './progress';
import { StepTimer } from './timings';
import { bulkInsert, insertAuditCounted, planBulkInsert, type BulkInsertOptions, type BulkPartTimer, type BulkPlan } from './bulk-insert';

export { MigrationInputError } from './reader';

export interface LiveCase {
  caseId: string;
  practiceId: string;
  patientId: string;
  caseNumber: string;
  caseType: string;
  priority: string;
  templateId: string;
  legacyCaseId: number;
  state: string;
  since: string;
  createdAt: string;
  resumeState: string | null;
  awaitingApproval: boolean;
}

export interface MigrateLegacyOptions {
  legacyUrl: string;
  targetUrl: string;
  /** Reads and plans everything, writes nothing (one transaction, rolled back), same report. */
  dryRun?: boolean;
  /** One legacy practice (its id) at a time, for a staged roll-out. */
  practice?: number;
  /**
   * Not called any more: the people phase streams the dedup through staging (dedup-staged.ts)
   * with the same pure pieces as `dedupPatients`, so memory stays flat. Kept for callers.
   */
  dedup?: DedupPatients;
  /**
   * Free staff text the rules do not understand goes here (best built once per run:
   * createMigrationClassifier, which batches); its answers below its threshold, and every free
   * text without a classifier, are reported as "not understood".
   */
  classifier?: AnyClassifier | (() => Promise<AnyClassifier>);
  /** Starts the workflows of live cases (after the data is committed); not called in a dry run. */
  startLiveCases?: (cases: LiveCase[]) => Promise<Array<{ caseId: string; ok: boolean; detail: string }>>;
  /**
   * Writes the full report here as JSON: the returned report lists at most REPORT_LIST_LIMIT rows
   * not migrated, the file all of them (streamed from legacy_id_map, so memory stays flat).
   */
  reportFile?: string;
  /** Overrides REPORT_LIST_LIMIT (tests). */
  reportListLimit?: number;
  /** Samples the heap per step into `report.timings[].peakHeapMb` (benchmarks). */
  sampleHeap?: boolean;
  progress?: Progress;
  /**
   * New rows with their tables' triggers replayed set-based (bulk-insert.ts).
   * @default true; false sends every INSERT through its triggers (tests compare the two).
   */
  bulkFastPath?: boolean;
  /**
   * CPU milliseconds so far of the target server's process `pid` (benchmarks read /proc): each
   * step's timing then carries the server CPU it used, which the machine's load does not skew.
   */
  serverCpu?: (pid: number) => number;
  /**
   * The records phase writes its messages, states and their map lines from two sessions (two
   * backends, two cores) when at least this many records are to be migrated and the bulk fast
   * path applies: the cases commit first, then each session writes a share of the cases in its
   * own transaction (`Ctx.writeRecordShards`). Below it one session writes everything in the
   * phase's one transaction: the split's fixed costs (a second connection, two plans of each
   * insert, the joins of the records' working tables in both sessions, a second commit) are a few hundred ms, about
   * what a second core saves on ~20,000 message rows.
   * @default 20000; Infinity keeps the one-session path (benchmarks and tests compare the two).
   */
  recordsSplitMinRows?: number;
  /**
   * Called inside the split records phase (tests kill the process here): when the cases (and the
   * map lines of everything but the migrated records) have committed, and when the second
   * session has committed its share while the run's session has not.
   */
  onRecordsSplit?: (point: 'cases committed' | 'shard committed') => void | Promise<void>;
  /** Times the parts of each bulk insert as steps of their own (`<table> bulk: <part>`; profiles). */
  bulkDetail?: boolean;
  /**
   * A re-run reads (id, row hash) of every legacy row first and the full rows of the new and
   * changed ids only, with the unchanged rows their mapping needs (Ctx.readIncremental).
   * @default true; false reads every row as a first run does (tests compare the two).
   */
  incrementalRead?: boolean;
  /**
   * The incremental read reads a table whole once the rows it stages from it pass this share of
   * the table (one pass over it then costs less than an id list). @default 1/3; tests pass
   * Infinity so that the fixture's small tables take the id-list path too.
   */
  incrementalWholeShare?: number;
}

const SYSTEM_PROFILE_ID = '00000000-0000-0000-0000-000000000001';
/** The records phase's inserts (records(), writeRecordShards()). */
const MESSAGE_COLUMNS = ['id', 'case_id', 'practice_id', 'sender_id', 'message_type', 'content', 'metadata', 'idempotency_key', 'created_at'];
const MESSAGE_CONFLICT = 'ON CONFLICT (id) DO UPDATE SET content = EXCLUDED.content';
// A state's id is derived from its idempotency key (as the messages' ids from their record):
// the column default gen_random_uuid() cost ~5 µs of server CPU per row (pg_strong_random),
// an md5 ~1 µs.
const STATE_COLUMNS = ['id', 'case_id', 'practice_id', 'from_state', 'to_state', 'changed_by', 'reason', 'metadata', 'idempotency_key', 'created_at'];
const STATE_CONFLICT = 'ON CONFLICT (idempotency_key) DO NOTHING';
/** The records phase's working tables (rm, affected, rc, tr): UNLOGGED, read by both sessions of the split (db 0110). */
const RS = 'legacy_stage';
/**
 * The map's statistics as the run's own statements need them, refreshed inside a phase
 * (mapGrew): the share of each legacy_table (their equality filters), disposition (the filters
 * on it), legacy_id and row_hash (the joins' distinct counts). Other columns (target, reason,
 * run, time) are read by no statement of the run; autovacuum gives them theirs after it. A
 * sample of 7,500 lines (statistics target 25) instead of 30,000: the most-common-values list
 * still holds every legacy_table (13 at most, up to 25 kept), a share of 10 % is read within
 * ±0.35 points (one standard error), and the ANALYZE costs 30 instead of 145 ms at 96k lines
 * (psql \timing, 3 runs each; 4 such calls per run at 96k legacy rows, 5 at 1M). SET LOCAL … DEFAULT restores the session's own target for the phase's
 * other ANALYZEs (its staging tables).
 */
const MAP_ANALYZE = `SET LOCAL default_statistics_target = 25;
  ANALYZE public.legacy_id_map (legacy_table, legacy_id, disposition, row_hash);
  SET LOCAL default_statistics_target = DEFAULT;`;
/** A legacy row's target id (the same in every session). */
const LID_FUNCTION = `CREATE OR REPLACE FUNCTION pg_temp.lid(t text, id text) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$ SELECT md5('mdw-legacy:' || t || ':' || id)::uuid $$`;
/**
 * Lists in the returned report (rows not migrated, dedup clusters and review pairs, live-case
 * outcomes) stop here, with their totals beside them: a report in memory must not grow with the
 * lab. The full list of rows not migrated goes to `reportFile`; the others are in the target
 * (legacy_id_map, patient_match_reviews, cases.workflow_started_at).
 */
export const REPORT_LIST_LIMIT = 1000;
/** Review-queue pairs staged and queued per statement. */
const REVIEW_PAGE = 2000;
/** Records per FETCH of the replay's cursor. */
const REPLAY_FETCH = 5000;
/** Distinct record texts whose rule match the replay remembers (cleared past it: memory stays flat). */
const RULE_MEMO_LIMIT = 10_000;
/** Live cases read and started per page. */
const LIVE_PAGE = 500;
/** Serialises migration runs against one target. */
const RUN_LOCK = 4_627_109;
const KNOWN_MODELS = new Set(['auth.user', 'dispatch.practice', 'dispatch.doctor', 'dispatch.patient', 'dispatch.case', 'dispatch.order', 'dispatch.orderitem', 'dispatch.product', 'dispatch.record', 'dispatch.project', 'dispatch.instruction', 'dispatch.file', 'dispatch.template', 'contenttypes.contenttype', 'auth.group']);

/** Runs the migration and returns its report. Throws MigrationInputError for bad input (nothing written). */
export async function migrateLegacy(opts: MigrateLegacyOptions): Promise<MigrationReport> {
  const progress = opts.progress ?? silentProgress;
  const started = Date.now();
  const runId = randomUUID();
  const target = await connect(opts.targetUrl, 'target (DATABASE_URL)');
  let source: LegacySource | null = null;
  let stopSampling = (): void => undefined;
  let second: pg.Client | null = null;
  try {
    await checkTarget(target);
    source = await openLegacy(opts.legacyUrl);
    await loadSession(target);
    // A run killed a moment ago may still hold the lock until its server session notices.
    let locked = false;
    for (let i = 0; i < 20 && !locked; i++) {
      locked = (await target.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [RUN_LOCK])).rows[0]!.ok;
      if (!locked) await new Promise((r) => setTimeout(r, 500));
    }
    if (!locked) throw new MigrationInputError('another legacy migration is running against this target; wait for it to finish');
    const backend = opts.serverCpu ? (await target.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid : 0;
    const ctx = new Ctx(target, runId, !!opts.dryRun, progress, opts.bulkFastPath !== false, opts.serverCpu ? () => opts.serverCpu!(backend) : undefined);
    ctx.bulkDetail = !!opts.bulkDetail;
    const T = <R>(step: string, fn: () => Promise<R>) => ctx.timer.time(step, fn);
    if (opts.sampleHeap) stopSampling = ctx.timer.sampleHeap();
    // A dry run keeps everything in one transaction that it rolls back: no second session.
    const splitMin = opts.recordsSplitMinRows ?? 20_000;
    if (!opts.dryRun && splitMin !== Infinity) ctx.recordsSplitMinRows = splitMin;
    const listLimit = opts.reportListLimit ?? REPORT_LIST_LIMIT;
    // Runs killed or failed since the last run started (read before this run's row is written).
    const unfinished = await ctx.previousInterrupted();
    const interrupted = opts.dryRun ? [] : unfinished;
    if (!opts.dryRun) await ctx.recordRunStart(opts.practice ?? null);
    if (opts.dryRun) await target.query('BEGIN');
    await ctx.tempHelpers();

    // ---- read: every table into staging, at one snapshot ----------------------------------
    const read: Record<string, number> = {};
    // A re-run reads row hashes first and stages only what changed (and the rows those need):
    // not with --practice (its restriction works on whole tables), nor after an interrupted run
    // (its resume looks for migrated cases without history among every staged case).
    const incremental = opts.incrementalRead !== false && opts.practice === undefined && unfinished.length === 0 && (await ctx.mapHasLines());
    if (incremental) {
      await ctx.readIncremental(source, read, opts.incrementalWholeShare ?? 1 / 3);
    } else {
      for (const t of source.tables) {
        const bar = progress.phase(`read ${t.name}`, null);
        read[t.name] = await T('read (COPY legacy → staging)', () => stageTable(source!, target, t, (n) => bar.tick(n)));
        bar.done();
      }
    }
    for (const name of source.missing) {
      await target.query(`CREATE TEMP TABLE IF NOT EXISTS ${stageName(name)} (${LEGACY_TABLES.find((t) => t.name === name)!.columns.map((c) => `"${c.name}" ${c.type}`).join(', ')}, row_hash text); TRUNCATE ${stageName(name)};`);
    }
    // Lines whose legacy row is gone: the incremental read found them in its comparison; a run
    // that read every row compares its whole staging (before --practice narrows it).
    if (!incremental) await T('read: deleted in legacy', () => presenceFromStaging((sql, p) => ctx.q(sql, p), Object.keys(read).filter((t) => RECONCILED_TABLES.includes(t)), stageName));
    await source.close();
    source = null;
    if (opts.practice !== undefined) await ctx.restrictToPractice(opts.practice);
    await T('index staging', () => ctx.indexStage());
    // The incremental read counted every legacy row (h_<table>); its staging holds only some.
    const counts = incremental ? { ...read } : await T('index staging', () => ctx.stageCounts());

    // ---- map and load, phase by phase ------------------------------------------------------
    const dedup = await ctx.phase('people', async () => {
      await T('todo (new/changed rows by hash)', () => ctx.todo(['auth_user', 'dispatch_practice', 'dispatch_doctor', 'dispatch_patient']));
      const d = await T('people: dedup', () => ctx.dedupPatients(opts));
      await T('people: practices', () => ctx.practices());
      await T('people: users', () => ctx.users());
      await T('people: doctors', () => ctx.doctors());
      await T('people: patients', () => ctx.patients());
      await T('people: review queue', () => ctx.queueReview());
      return d;
    });
    const templates = await ctx.phase('templates', async () => {
      await T('todo (new/changed rows by hash)', () => ctx.todo(['dispatch_template', 'dispatch_product']));
      await T('templates, products', () => ctx.products());
      return T('templates, products', () => ctx.templates());
    });
    // Cases and records in one phase (one transaction): a case row is inserted once its records
    // have given it its current state (insertCases), not inserted and then updated.
    const states = await ctx.phase('cases and records', async () => {
      await T('todo (new/changed rows by hash)', () => ctx.todo(['dispatch_case']));
      await T('cases', () => ctx.cases());
      await T('todo (new/changed rows by hash)', () => ctx.todo(['dispatch_record']));
      return T('records: other', () => ctx.records(opts.classifier));
    });
    if (ctx.recordShardsPending) {
      // The cases are committed; their records' working tables are in legacy_stage.
      await opts.onRecordsSplit?.('cases committed');
      second = await connect(opts.targetUrl, 'target (DATABASE_URL)');
      await loadSession(second);
      const pid2 = opts.serverCpu ? (await second.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid : 0;
      await T('records: messages and states (two sessions)', () =>
        ctx.writeRecordShards(second!, opts.serverCpu ? () => opts.serverCpu!(pid2) : null, () => opts.onRecordsSplit?.('shard committed')));
      await second.end().catch(() => undefined);
      second = null;
    }
    await ctx.phase('orders', async () => {
      await T('todo (new/changed rows by hash)', () => ctx.todo(['dispatch_order', 'dispatch_orderitem']));
      await T('orders', () => ctx.orders());
    });
    await ctx.phase('instructions, files, projects', async () => {
      await T('todo (new/changed rows by hash)', () => ctx.todo(['dispatch_instruction', 'dispatch_file', 'dispatch_project']));
      await T('instructions, files, projects', () => ctx.instructions());
      await T('instructions, files, projects', () => ctx.files());
      await T('instructions, files, projects', () => ctx.projects());
    });

    // ---- live cases ------------------------------------------------------------------------
    // Read and started a page at a time: the list of live cases grows with the lab.
    const eligible = await T('live cases (find)', () => ctx.liveCount());
    const liveOutcomes: Array<{ caseId: string; ok: boolean; detail: string }> = [];
    let liveStarted = 0;
    if (!opts.dryRun && opts.startLiveCases && eligible > 0) {
      const bar = progress.phase('start live cases', eligible);
      let after: LiveCase | null = null;
      for (;;) {
        const page: LiveCase[] = await T('live cases (find)', () => ctx.liveCases(after, LIVE_PAGE));
        if (page.length === 0) break;
        const outcomes = await opts.startLiveCases(page);
        liveStarted += outcomes.filter((o) => o.ok).length;
        // Failures first, then successes, up to the report's bound.
        for (const o of [...outcomes.filter((x) => !x.ok), ...outcomes.filter((x) => x.ok)]) if (liveOutcomes.length < listLimit) liveOutcomes.push(o);
        bar.tick(page.length);
        after = page[page.length - 1]!;
      }
      bar.done();
    }

    await T('deleted in legacy (marks)', () => markDeleted((sql, p) => ctx.q(sql, p), runId, opts.practice ?? null));
    const tables: TableCounts[] = await T('reconcile, report', () => ctx.reconcile(counts, read));
    const deletedInLegacy = await T('reconcile, report', () => deletedList((sql, p) => ctx.q(sql, p), listLimit));
    const notMigrated = await T('reconcile, report', () => ctx.notMigrated(listLimit));
    const notMigratedTotal = await T('reconcile, report', () => ctx.notMigratedCount());
    const report = buildReport({
      runId,
      dryRun: !!opts.dryRun,
      practice: opts.practice ?? null,
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      missingTables: (await ctx.missing(LEGACY_TABLES.map((t) => t.name), read)),
      tables,
      notMigrated,
      notMigratedTotal,
      deletedInLegacy,
      dedup,
      templates,
      states,
      liveCases: { eligible, started: liveStarted, outcomes: liveOutcomes, withoutTemplate: await ctx.liveWithoutTemplate() },
      interruptedRuns: interrupted,
      timings: ctx.timer.list(),
    });
    // Written before a dry run rolls back: the rows not migrated are read from legacy_id_map.
    if (opts.reportFile) await T('reconcile, report', () => ctx.writeReport(report, opts.reportFile!));
    if (opts.dryRun) await target.query('ROLLBACK');
    else await ctx.recordRunEnd(report);
    return report;
  } catch (err) {
    if (opts.dryRun) await target.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    stopSampling();
    if (source) await source.close();
    if (second) await (second as pg.Client).end().catch(() => undefined);
    await target.end().catch(() => undefined);
  }
}

/** The settings of a session that loads in bulk (the run's, and the records phase's second session). */
async function loadSession(target: pg.Client): Promise<void> {
  // If this process dies (kill -9), its server session stops within a second instead of
  // finishing the statement in flight while holding the run lock (PostgreSQL 14+).
  await target.query(`select set_config('client_connection_check_interval', '1000', false)`).catch(() => undefined);
  // One session loading in bulk: room for its hash joins and sorts, and for the GIN (full-text)
  // indexes' pending lists, which are merged into the index in fewer, bigger batches.
  await target.query(`select set_config('work_mem', '64MB', false), set_config('gin_pending_list_limit', '32MB', false)`);
  // The staging tables (TEMP) live in local buffers, 8MB by default: settable only before the
  // session's first temp table. Commits need not wait for the WAL flush: a crash loses at most
  // the last phase, which the next run redoes (legacy_id_map commits with its rows).
  await target.query(`select set_config('temp_buffers', '256MB', false), set_config('synchronous_commit', 'off', false), set_config('maintenance_work_mem', '256MB', false)`);
}

/** The target must carry MDW's schema with every migration of this code applied. */
async function checkTarget(target: pg.Client): Promise<void> {
  const r = await target.query<{ v: string | null }>(`select to_regclass('public.schema_migrations')::text as v`);
  if (!r.rows[0]!.v) throw new MigrationInputError('the target database (DATABASE_URL) has no MDW schema: run `npm run migrate` against it first');
  const applied = new Set((await target.query<{ version: string }>('select version from public.schema_migrations')).rows.map((x) => x.version));
  const pending = readMigrations().filter((m) => !applied.has(m.version));
  if (pending.length > 0) {
    throw new MigrationInputError(`the target database (DATABASE_URL) lacks ${pending.length} migration(s) (${pending.map((m) => m.name).join(', ')}): run \`npm run migrate\` first`);
  }
}

const lit = (s: string) => pg.escapeLiteral(s);

/** The state of one run: the target session, its staging tables, and the SQL of each mapping. */
class Ctx {
  private unanalyzed = 0;
  /** The map's size when its statistics were last taken (pg_class.reltuples, then counted). */
  private analyzedRows: number | null = null;
  /** How many probable/possible pairs of this run are staged in rq, queued once their patients exist. */
  private review = 0;
  readonly queuedRef = { n: 0 };
  readonly timer: StepTimer;
  /** Kysely over this session (inside its transaction), for the repositories. */
  readonly kysely: Kysely<DB>;
  constructor(
    readonly db: pg.Client,
    readonly runId: string,
    readonly dryRun: boolean,
    readonly progress: Progress,
    readonly fastPath = true,
    serverCpu?: () => number,
  ) {
    this.timer = new StepTimer(serverCpu);
    const client = db;
    this.kysely = new Kysely<DB>({
      dialect: new PostgresDialect({
        pool: { connect: async () => ({ query: client.query.bind(client) as never, release: () => undefined }), end: async () => undefined },
      }),
    });
  }

  /**
   * Probable and possible pairs go to the review queue (patient_match_reviews), with the MDW
   * patients their legacy records became. A decided pair is left as it was decided.
   */
  async queueReview() {
    if (this.review === 0) return;
    // Page through the staged pairs (rq, written by dedupPatients): the queue never sits in the
    // heap whole, however many patients there are.
    let after = -1;
    let queued = 0;
    for (;;) {
      const r = await this.q<{ ord: number; pair: MatchPair; ta: string; tb: string }>(
        `SELECT rq.ord, rq.pair, ma.target_id::text AS ta, mb.target_id::text AS tb
           FROM rq
           JOIN public.legacy_id_map ma ON ma.legacy_table = 'dispatch_patient' AND ma.legacy_id = rq.a AND ma.target_id IS NOT NULL
           JOIN public.legacy_id_map mb ON mb.legacy_table = 'dispatch_patient' AND mb.legacy_id = rq.b AND mb.target_id IS NOT NULL
          WHERE rq.ord > $1 AND ma.target_id <> mb.target_id
          ORDER BY rq.ord LIMIT ${REVIEW_PAGE}`,
        [after],
      );
      if (r.rows.length === 0) break;
      after = r.rows[r.rows.length - 1]!.ord;
      const written = await upsertCandidates(this.kysely, this.runId, r.rows.map((x) => ({ pair: x.pair, patientAId: x.ta, patientBId: x.tb })));
      queued += written.inserted + written.updated;
      if (r.rows.length < REVIEW_PAGE) break;
    }
    if (queued > 0) this.queuedRef.n = queued;
  }

  private readonly bulkPlans = new Map<string, BulkPlan>();
  /** See MigrateLegacyOptions.bulkDetail. */
  bulkDetail = false;

  /**
   * INSERT … SELECT into a target table through bulk-insert.ts: new rows with the table's
   * triggers replayed set-based (when its plan allows), existing ones through `conflict`.
   */
  async bulk(table: string, o: BulkInsertOptions) {
    const time: BulkPartTimer | undefined = this.bulkDetail ? (part, fn) => this.timer.time(`${table} bulk: ${part}`, fn) : undefined;
    return bulkInsert(this.db, await this.plan(table), o, time);
  }

  /** The table's bulk write plan (bulk-insert.ts), read once per run. */
  async plan(table: string): Promise<BulkPlan> {
    let plan = this.bulkPlans.get(table);
    if (!plan) {
      plan = this.fastPath ? await planBulkInsert(this.db, table) : { table, fast: false, reason: 'disabled (bulkFastPath: false)', foreignKeys: [], replays: [] };
      this.bulkPlans.set(table, plan);
    }
    return plan;
  }

  q<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []) {
    return this.db.query<R>(sql, params);
  }

  /** One statement (or script) timed as `step`. */
  timed(step: string, sql: string) {
    return this.timer.time(step, () => this.db.query(sql));
  }

  /** Runs one phase: its own transaction (a dry run keeps everything in one and rolls back). */
  async phase<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const bar = this.progress.phase(name, null);
    if (!this.dryRun) await this.q('BEGIN');
    try {
      // The phase's writes are audited by one summary row per table (0061), not row by row:
      // legacy_id_map records every row's fate with this run's id.
      await this.q(`select public.audit_bulk_begin($1, 'legacy-migration')`, [this.runId]);
      const out = await fn();
      await this.timer.time('audit summary', () => this.q(`select public.audit_bulk_end()`));
      if (!this.dryRun) await this.timer.time('commit', () => this.q('COMMIT'));
      bar.done();
      return out;
    } catch (err) {
      if (!this.dryRun) await this.q('ROLLBACK').catch(() => undefined);
      bar.done();
      throw err;
    }
  }

  async tempHelpers() {
    await this.q(`
      ${LID_FUNCTION};
      CREATE TEMP TABLE IF NOT EXISTS d (legacy_table text, legacy_id text, target_table text, target_id uuid, disposition public.legacy_disposition, reason text, row_hash text);
      TRUNCATE d;
      CREATE TEMP TABLE IF NOT EXISTS run_counts (legacy_table text PRIMARY KEY, new_rows int, changed_rows int);
      TRUNCATE run_counts;`);
  }

  async previousInterrupted(): Promise<string[]> {
    const r = await this.q<{ id: string }>(`select id from public.legacy_migration_runs where status = 'running' and not dry_run order by started_at`);
    return r.rows.map((x) => x.id);
  }

  async recordRunStart(practice: number | null) {
    await this.q(`update public.legacy_migration_runs set status = 'interrupted' where status = 'running'`);
    await this.q(`insert into public.legacy_migration_runs (id, practice, dry_run, status) values ($1, $2, false, 'running')`, [this.runId, practice === null ? null : String(practice)]);
  }

  async recordRunEnd(report: MigrationReport) {
    await this.q(`update public.legacy_migration_runs set status = $2, finished_at = now(), report = $3 where id = $1`, [this.runId, report.ok ? 'succeeded' : 'unreconciled', JSON.stringify(report)]);
  }

  /** --practice: keeps only the rows that belong to one legacy practice (and the lab-wide ones). */
  async restrictToPractice(practice: number) {
    await this.q(`
      CREATE TEMP TABLE keep_case AS
        SELECT c.id FROM s_dispatch_case c LEFT JOIN s_dispatch_doctor dr ON dr.id = c.doctor_id
        WHERE coalesce(c.practice_id, dr.practice_id) = ${practice};
      ANALYZE keep_case;
      DELETE FROM s_dispatch_case WHERE id NOT IN (SELECT id FROM keep_case);
      DELETE FROM s_dispatch_practice WHERE id <> ${practice};
      DELETE FROM s_dispatch_doctor WHERE practice_id IS DISTINCT FROM ${practice} AND id NOT IN (SELECT doctor_id FROM s_dispatch_case WHERE doctor_id IS NOT NULL);
      DELETE FROM s_dispatch_patient WHERE id NOT IN (SELECT patient_id FROM s_dispatch_case);
      DELETE FROM s_dispatch_record r WHERE NOT EXISTS (SELECT 1 FROM s_django_content_type ct WHERE ct.id = r.target_type_id AND ((ct.app_label, ct.model) = ('dispatch','case') AND r.target_id IN (SELECT id FROM s_dispatch_case) OR (ct.app_label, ct.model) = ('dispatch','patient') AND r.target_id IN (SELECT id FROM s_dispatch_patient)));
      DELETE FROM s_dispatch_order r WHERE NOT EXISTS (SELECT 1 FROM s_django_content_type ct WHERE ct.id = r.target_type_id AND ((ct.app_label, ct.model) = ('dispatch','case') AND r.target_id IN (SELECT id FROM s_dispatch_case) OR (ct.app_label, ct.model) = ('dispatch','patient') AND r.target_id IN (SELECT id FROM s_dispatch_patient)));
      DELETE FROM s_dispatch_orderitem WHERE order_id NOT IN (SELECT id FROM s_dispatch_order);
      DELETE FROM s_dispatch_instruction r WHERE NOT EXISTS (SELECT 1 FROM s_django_content_type ct WHERE ct.id = r.target_type_id AND (ct.app_label, ct.model) = ('dispatch','case') AND r.target_id IN (SELECT id FROM s_dispatch_case));
      DELETE FROM s_dispatch_file r WHERE NOT EXISTS (SELECT 1 FROM s_django_content_type ct WHERE ct.id = r.target_type_id AND (ct.app_label, ct.model) = ('dispatch','case') AND r.target_id IN (SELECT id FROM s_dispatch_case));
      DELETE FROM s_dispatch_project WHERE NOT (practice_id = ${practice} OR case_id IN (SELECT id FROM s_dispatch_case));
      DELETE FROM s_auth_user u WHERE NOT (u.is_staff OR u.is_superuser
        OR u.id IN (SELECT user_id FROM s_dispatch_doctor) OR u.id IN (SELECT user_id FROM s_dispatch_patient)
        OR u.id IN (SELECT author_id FROM s_dispatch_record WHERE author_id IS NOT NULL)
        OR u.id IN (SELECT changed_by_id FROM s_dispatch_instruction WHERE changed_by_id IS NOT NULL)
        OR u.id IN (SELECT uploaded_by_id FROM s_dispatch_file WHERE uploaded_by_id IS NOT NULL)
        OR u.id IN (SELECT creator_id FROM s_dispatch_project));
      DROP TABLE keep_case;`);
  }

  /** Tables whose rows readIncremental compared by hash (cmp_<table>): todo() and reconcile() use it. */
  readonly hashed = new Set<string>();

  /** Whether the map has a line of any reconciled table (a re-run), read before the phases. */
  async mapHasLines(): Promise<boolean> {
    return (await this.q<{ e: boolean }>(`select exists (select 1 from unnest($1::text[]) t where exists (select 1 from public.legacy_id_map m where m.legacy_table = t)) as e`, [RECONCILED_TABLES])).rows[0]!.e;
  }

  /**
   * The re-run's read, in the legacy snapshot. Per table the map has lines of: (id, row hash)
   * of every row (hashTable), compared with the stored hashes in one pass (cmp_<table>: one row
   * per new or changed row, one per disposition for the unchanged ones, with their counts); then
   * the full rows of the new and changed ids only, with the unchanged rows the mapping joins need
   * beside them (below). Lookups and tables the map has no line of are read whole, as a first run
   * reads them. A no-change re-run stages nothing but the lookups.
   */
  async readIncremental(source: LegacySource, read: Record<string, number>, wholeShare: number) {
    const T = <R>(step: string, fn: () => Promise<R>) => this.timer.time(step, fn);
    const seen = new Set((await this.q<{ t: string }>(`select t from unnest($1::text[]) t where exists (select 1 from public.legacy_id_map m where m.legacy_table = t)`, [RECONCILED_TABLES])).rows.map((x) => x.t));
    this.hashed.clear();
    await this.q(PRESENCE_DDL);
    for (const t of source.tables) {
      const bar = this.progress.phase(`read ${t.name}`, null);
      if (t.lookup || !seen.has(t.name)) {
        read[t.name] = await T('read (COPY legacy → staging)', () => stageTable(source, this.db, t, (n) => bar.tick(n)));
      } else {
        read[t.name] = await T('read: row hashes', () => hashTable(source, this.db, t));
        const keys = HASH_KEYS[t.name] ?? [];
        await T('read: compare hashes', () => this.q(`
          DROP TABLE IF EXISTS cmp_${t.name};
          CREATE TEMP TABLE cmp_${t.name} AS
          SELECT CASE WHEN same THEN NULL ELSE id END AS id, CASE WHEN same THEN NULL ELSE row_hash END AS row_hash,
            ${keys.map((k) => `CASE WHEN same THEN NULL ELSE "${k}" END AS "${k}", `).join('')}seen, prev_disposition, same, gone_id, count(*)::int AS n
          FROM (SELECT h.*, m.legacy_id IS NOT NULL AS seen, m.disposition AS prev_disposition,
                  CASE WHEN h.id IS NOT NULL THEN coalesce(m.row_hash = h.row_hash, false) END AS same,
                  ${presenceColumn('h', 'm')}
                FROM h_${t.name} h FULL JOIN (SELECT legacy_id, disposition, row_hash FROM public.legacy_id_map WHERE legacy_table = '${t.name}') m
                  ON m.legacy_id = h.id::text) j
          GROUP BY 1, 2, ${keys.map((_, i) => `${i + 3}, `).join('')}seen, prev_disposition, same, gone_id;
          ${presenceFromComparison(t.name)}
          CREATE INDEX ON cmp_${t.name} (id);
          ANALYZE cmp_${t.name};`));
        this.hashed.add(t.name);
      }
      bar.done();
    }
    // What each table stages: w_<table> (ids), or the whole table when `whole`.
    // changed(t): (id, keys) of t's new and changed rows; a table read whole was new throughout.
    const changed = (t: string, cols = 'id') => (this.hashed.has(t) ? `(SELECT ${cols} FROM cmp_${t} WHERE NOT same)` : `(SELECT ${cols} FROM ${stageName(t)})`);
    const has = (t: string) => source.tables.some((x) => x.name === t);
    const any = async (t: string) => has(t) && (await this.q<{ e: boolean }>(`select exists ${changed(t)} as e`)).rows[0]!.e;
    const whole = new Set<string>();
    // The dedup compares every patient with every other, with their users, cases and doctors.
    if ((await any('auth_user')) || (await any('dispatch_patient'))) for (const t of ['auth_user', 'dispatch_patient', 'dispatch_case', 'dispatch_doctor']) whole.add(t);
    // A project's parent and the version chains of its children: the table is small, read whole.
    if (await any('dispatch_project')) whole.add('dispatch_project');
    const targets = ['dispatch_record', 'dispatch_order', 'dispatch_instruction', 'dispatch_file'].filter(has);
    const want: Record<string, string[]> = {
      // Cases: the targets of new records, orders, instructions and files (does it exist?).
      dispatch_case: targets.map((t) => `SELECT target_id::int FROM ${changed(t, 'target_id')} x`),
      // Records: every record of a case whose history is replayed (a new or changed case, or one
      // with new or changed records).
      dispatch_record: has('dispatch_record') && this.hashed.has('dispatch_record')
        ? [`SELECT h.id FROM h_dispatch_record h WHERE h.target_id IN (SELECT id FROM ${changed('dispatch_case')} x UNION SELECT target_id FROM ${changed('dispatch_record', 'target_id')} y)`]
        : [],
      // Cases' doctors (their practice) and patients (do they exist?), orders' patients.
      dispatch_doctor: [`SELECT doctor_id FROM ${changed('dispatch_case', 'doctor_id')} x`],
      dispatch_patient: [`SELECT patient_id FROM ${changed('dispatch_case', 'patient_id')} x`, ...(has('dispatch_order') ? [`SELECT target_id::int FROM ${changed('dispatch_order', 'target_id')} y`] : [])],
      // An order's items add up to its subtotal; an item's order must exist.
      dispatch_order: has('dispatch_orderitem') ? [`SELECT order_id FROM ${changed('dispatch_orderitem', 'order_id')} x`] : [],
      dispatch_orderitem: has('dispatch_order') && this.hashed.has('dispatch_orderitem') ? [`SELECT h.id FROM h_dispatch_orderitem h WHERE h.order_id IN (SELECT id FROM ${changed('dispatch_order')} x)`] : [],
    };
    for (const name of this.hashed) {
      const t = source.tables.find((x) => x.name === name)!;
      const bar = this.progress.phase(`read ${name} (new, changed)`, null);
      await T('read: new/changed rows', async () => {
        let ids: string | undefined;
        if (!whole.has(name)) {
          const r = (await this.q<{ ids: string | null; n: number }>(`
            SELECT array_agg(id ORDER BY id)::text AS ids, count(*)::int AS n FROM (SELECT id FROM ${changed(name)} c ${(want[name] ?? []).map((w) => `UNION ${w}`).join(' ')}) w WHERE id IS NOT NULL`)).rows[0]!;
          // Past a share of the table (a third), one pass over it costs less than the list.
          ids = r.n > wholeShare * read[name]! ? undefined : (r.ids ?? '{}');
        }
        if (ids === '{}') await this.q(stageDdl(t));
        else await stageTable(source, this.db, t, (n) => bar.tick(n), ids);
      });
      bar.done();
    }
  }

  async indexStage() {
    const bar = this.progress.phase('index staging', null);
    for (const t of LEGACY_TABLES) await this.q(`CREATE INDEX IF NOT EXISTS ${stageName(t.name)}_id ON ${stageName(t.name)} (id); ANALYZE ${stageName(t.name)};`);
    await this.q(`CREATE INDEX IF NOT EXISTS s_dispatch_record_target ON s_dispatch_record (target_id, created_at, id);
      CREATE INDEX IF NOT EXISTS s_dispatch_case_patient ON s_dispatch_case (patient_id);
      CREATE INDEX IF NOT EXISTS s_dispatch_orderitem_order ON s_dispatch_orderitem (order_id);`);
    bar.done();
  }

  async stageCounts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const t of RECONCILED_TABLES) out[t] = Number((await this.q<{ n: string }>(`select count(*) as n from ${stageName(t)}`)).rows[0]!.n);
    return out;
  }

  /** t_<table>: the staged rows that are new or changed since the last run (by row hash). */
  async todo(tables: string[]) {
    for (const t of tables) {
      // A table the map has no line of (every first load; read in the phase's transaction, under
      // the run lock): every staged row is new, so t_<table> is the staging table itself, seen
      // through a view, instead of a copy of it with its own index and ANALYZE (the staging
      // table has both, indexStage). At 1M rows the copies cost ~3 s, most of it the records' texts.
      const hashed = this.hashed.has(t);
      const first = !hashed && !(await this.q<{ e: boolean }>(`select exists (select 1 from public.legacy_id_map where legacy_table = $1) as e`, [t])).rows[0]!.e;
      const kind = (await this.q<{ k: string }>(`select c.relkind::text as k from pg_class c where c.relname = $1 and c.relnamespace = pg_my_temp_schema()`, [`t_${t}`])).rows[0]?.k;
      await this.q(`
        ${kind === 'v' ? `DROP VIEW t_${t};` : kind !== undefined ? `DROP TABLE t_${t};` : ''}
        ${hashed
          // readIncremental compared the hashes already: the staged rows it found new or changed
          // (the others staged beside them are context for the joins, not to be migrated again).
          ? `CREATE TEMP TABLE t_${t} AS
          SELECT s.*, c.seen, c.prev_disposition FROM ${stageName(t)} s JOIN cmp_${t} c ON c.id = s.id AND NOT c.same;
        CREATE INDEX ON t_${t} (id);
        ANALYZE t_${t};`
          : first
          ? `CREATE TEMP VIEW t_${t} AS SELECT s.*, false AS seen, NULL::public.legacy_disposition AS prev_disposition FROM ${stageName(t)} s;`
          : `CREATE TEMP TABLE t_${t} AS
          SELECT s.*, (m.legacy_id IS NOT NULL) AS seen, m.disposition AS prev_disposition
          FROM ${stageName(t)} s LEFT JOIN public.legacy_id_map m ON m.legacy_table = '${t}' AND m.legacy_id = s.id::text
          WHERE m.row_hash IS DISTINCT FROM s.row_hash;
        CREATE INDEX ON t_${t} (id);
        ANALYZE t_${t};`}
        INSERT INTO run_counts SELECT '${t}', count(*) FILTER (WHERE NOT seen), count(*) FILTER (WHERE seen) FROM t_${t}
          ON CONFLICT (legacy_table) DO UPDATE SET new_rows = EXCLUDED.new_rows, changed_rows = EXCLUDED.changed_rows;`);
    }
  }

  async count(table: string): Promise<number> {
    return Number((await this.q<{ n: string }>(`select count(*) as n from t_${table}`)).rows[0]!.n);
  }

  /** Writes the dispositions collected in `d` to legacy_id_map (the same transaction as the rows). */
  async flush() {
    await this.timer.time('legacy_id_map writes', () => this.flushNow());
  }

  private async flushNow() {
    // run_counts knows, per table, how many of this phase's rows the map had when todo() read it
    // (in this transaction, under the run lock): when none had a line, every line of d is new.
    const c = (await this.q<{ n: string; maybe_seen: boolean | null }>(`
      SELECT coalesce(sum(t.n), 0) AS n, bool_or(rc.legacy_table IS NULL OR rc.changed_rows > 0) AS maybe_seen
      FROM (SELECT legacy_table, count(*) AS n FROM d GROUP BY 1) t LEFT JOIN run_counts rc USING (legacy_table)`)).rows[0]!;
    const n = Number(c.n);
    if (n === 0) return;
    if (this.fastPath && c.maybe_seen === false) {
      // A first load of these tables: one plain INSERT, without probing the map per row, in key
      // order (the primary key's pages are then filled one after another, not touched at random).
      // Its one trigger, the statement's audit, is counted once instead (insertAuditCounted).
      await insertAuditCounted(this.db, await this.plan('legacy_id_map'), `
        INSERT INTO public.legacy_id_map (legacy_table, legacy_id, target_table, target_id, disposition, reason, row_hash, run_id, migrated_at)
        SELECT legacy_table, legacy_id, target_table, target_id, disposition, reason, row_hash, ${lit(this.runId)}::uuid, now() FROM d
        ORDER BY legacy_table, legacy_id`);
      await this.q(`TRUNCATE d`);
    } else {
      // Rows the map has not seen take a plain INSERT: ON CONFLICT's speculative insertion cost
      // about 60 % more per row (backend CPU, 96k rows), and a first load has only new rows.
      await this.q(`
        DROP TABLE IF EXISTS pg_temp.d_seen;
        CREATE TEMP TABLE d_seen AS
          SELECT d.*, ${this.fastPath ? 'EXISTS (SELECT 1 FROM public.legacy_id_map m WHERE m.legacy_table = d.legacy_table AND m.legacy_id = d.legacy_id)' : 'true'} AS seen FROM d;
        INSERT INTO public.legacy_id_map (legacy_table, legacy_id, target_table, target_id, disposition, reason, row_hash, run_id, migrated_at)
        SELECT legacy_table, legacy_id, target_table, target_id, disposition, reason, row_hash, ${lit(this.runId)}::uuid, now() FROM d_seen WHERE NOT seen;
        INSERT INTO public.legacy_id_map (legacy_table, legacy_id, target_table, target_id, disposition, reason, row_hash, run_id, migrated_at)
        SELECT legacy_table, legacy_id, target_table, target_id, disposition, reason, row_hash, ${lit(this.runId)}::uuid, now() FROM d_seen WHERE seen
        ON CONFLICT (legacy_table, legacy_id) DO UPDATE SET target_table = EXCLUDED.target_table, target_id = EXCLUDED.target_id,
          disposition = EXCLUDED.disposition, reason = EXCLUDED.reason, row_hash = EXCLUDED.row_hash, run_id = EXCLUDED.run_id, migrated_at = now();
        TRUNCATE d;`);
    }
    await this.mapGrew(n);
  }

  /** `n` lines were added to legacy_id_map: its statistics are refreshed when they have gone stale. */
  private async mapGrew(n: number) {
    // Later phases join the map heavily, and autovacuum does not see rows of an open
    // transaction: without fresh statistics the planner takes a growing map for empty.
    // Only once it has grown by a fifth since the statistics were taken: ANALYZE samples 30,000
    // rows, i.e. reads nearly every page of a map of a million lines, and the planner scales the
    // row count it has by the map's current size anyway (what goes stale is each table's share).
    this.unanalyzed += n;
    this.analyzedRows ??= Math.max(0, Number((await this.q<{ n: number }>(`select reltuples::float8 as n from pg_class where oid = 'public.legacy_id_map'::regclass`)).rows[0]!.n));
    if (this.unanalyzed > 5000 && this.unanalyzed > this.analyzedRows / 5) {
      await this.timer.time('legacy_id_map: ANALYZE', () => this.q(MAP_ANALYZE));
      this.analyzedRows += this.unanalyzed;
      this.unanalyzed = 0;
    }
  }

  // ---- people -------------------------------------------------------------------------------

  /**
   * Feeds every staged patient to the dedup and stages its answer as `dd` (patient → survivor,
   * test-data reason). Probable and possible pairs go to the review queue.
   */
  async dedupPatients(opts: MigrateLegacyOptions) {
    const need = (await this.count('dispatch_patient')) + (await this.count('auth_user'));
    await this.q(`
      DROP TABLE IF EXISTS pc; DROP TABLE IF EXISTS dd; DROP TABLE IF EXISTS pp;
      CREATE TEMP TABLE pc AS
        SELECT c.patient_id, count(*) AS cases,
          (array_agg(coalesce(c.practice_id, dr.practice_id) ORDER BY c.id) FILTER (WHERE coalesce(c.practice_id, dr.practice_id) IS NOT NULL))[1] AS practice
        FROM s_dispatch_case c LEFT JOIN s_dispatch_doctor dr ON dr.id = c.doctor_id GROUP BY c.patient_id;
      ANALYZE pc;
      CREATE INDEX ON pc (patient_id);
      CREATE TEMP TABLE dd (patient_id int PRIMARY KEY, survivor int NOT NULL, test_reason text);
      DROP TABLE IF EXISTS rq;
      CREATE TEMP TABLE rq (ord int PRIMARY KEY, a text NOT NULL, b text NOT NULL, pair jsonb NOT NULL);`);
    let result: StagedDedupResult = { stats: { records: 0, compared: 0, blocks: 0, oversizedBlocks: 0, candidatePairs: 0, allPairs: 0 }, grades: { certain: 0, probable: 0, possible: 0 }, clusters: [], testData: [] };
    const queuedRef = this.queuedRef;
    let reviewPairs: MatchPair[] = [];
    await this.q(`INSERT INTO dd SELECT id, id, NULL FROM s_dispatch_patient`);
    if (need > 0) {
      // Pairs a person rejected are never proposed or merged again.
      const rejected = await rejectedPairs(this.kysely);
      // Streamed: patients by cursor, blocks by cursor, graded pairs into gp (dedup-staged.ts).
      result = await this.timer.time('people: dedup (matching in JS)', () =>
        dedupStaged(this.db, `
          SELECT p.id::text AS key, pc.practice::text AS "practiceKey", u.first_name AS "firstName", u.last_name AS "lastName", u.email,
            p.birthdate::text AS birthdate, p.sex, coalesce(pc.cases, 0) AS "caseCount"
          FROM s_dispatch_patient p LEFT JOIN s_auth_user u ON u.id = p.user_id LEFT JOIN pc ON pc.patient_id = p.id ORDER BY p.id`, { rejectedPairs: rejected }));
      const members = result.clusters.flatMap((c) => c.map((k) => [Number(k), Number(c[0])] as const));
      await this.q(`
        UPDATE dd SET test_reason = dp.test_reason FROM dp WHERE dp.key = dd.patient_id::text AND dp.test_reason IS NOT NULL;
        `);
      await this.q(`UPDATE dd SET survivor = x.s FROM unnest($1::int[], $2::int[]) AS x(k, s) WHERE dd.patient_id = x.k`, [members.map((m) => m[0]), members.map((m) => m[1])]);
      // The review queue waits in the session's temp table rq, not in the heap, until its
      // patients exist (queueReview).
      await this.q(`INSERT INTO rq (ord, a, b, pair)
        SELECT (row_number() OVER (ORDER BY score DESC, a COLLATE "C", b COLLATE "C"))::int - 1, a, b, pair FROM gp WHERE grade <> 'certain'`);
      this.review = Number((await this.q<{ n: string }>(`select count(*) as n from rq`)).rows[0]!.n);
      reviewPairs = (await this.q<{ pair: MatchPair }>(`SELECT pair FROM rq ORDER BY ord LIMIT ${opts.reportListLimit ?? REPORT_LIST_LIMIT}`)).rows.map((x) => x.pair);
    }
    await this.q(`
      ANALYZE dd;
      CREATE TEMP TABLE pp AS
        SELECT p.id, p.user_id, p.birthdate, p.sex, dd.survivor, dd.test_reason, su.user_id AS survivor_user,
          coalesce(pc.practice, cp.practice) AS practice
        FROM s_dispatch_patient p JOIN dd ON dd.patient_id = p.id
        LEFT JOIN pc ON pc.patient_id = p.id
        LEFT JOIN s_dispatch_patient su ON su.id = dd.survivor
        LEFT JOIN (SELECT dd2.survivor, (array_agg(pc2.practice ORDER BY dd2.patient_id) FILTER (WHERE pc2.practice IS NOT NULL))[1] AS practice
                   FROM dd dd2 JOIN pc pc2 ON pc2.patient_id = dd2.patient_id GROUP BY dd2.survivor) cp ON cp.survivor = dd.survivor;
      ANALYZE pp;
      CREATE INDEX ON pp (id); CREATE INDEX ON pp (user_id); CREATE INDEX ON pp (survivor);`);
    const grades = result.grades;
    const pairs = grades.certain + grades.probable + grades.possible;
    return {
      get queued() {
        return queuedRef.n;
      },
      records: need > 0 ? Number((await this.q<{ n: string }>('select count(*) as n from s_dispatch_patient')).rows[0]!.n) : 0,
      pairs,
      grades,
      clusters: result.clusters.length,
      merged: result.clusters.reduce((n, c) => n + c.length - 1, 0),
      testData: result.testData,
      // Bounded (the counts above are the totals): merges are in legacy_id_map, pairs in patient_match_reviews.
      clusterList: result.clusters.slice(0, opts.reportListLimit ?? REPORT_LIST_LIMIT),
      reviewPairs,
    };
  }

  async practices() {
    await this.q(`
      INSERT INTO public.practices (id, name, address, phone, email, license_number, settings, created_at, updated_at)
      SELECT pg_temp.lid('dispatch_practice', id::text), btrim(name),
        CASE WHEN btrim(address) = '' THEN NULL ELSE jsonb_build_object('lines', to_jsonb(array_remove(regexp_split_to_array(btrim(address), '\\s*\\n\\s*'), ''))) END,
        nullif(btrim(phone), ''), nullif(lower(btrim(email)), ''), nullif(btrim(license_number), ''),
        jsonb_build_object('legacy_practice_id', id), created_at, created_at
      FROM t_dispatch_practice
      ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, address = EXCLUDED.address, phone = EXCLUDED.phone, email = EXCLUDED.email, license_number = EXCLUDED.license_number;
      INSERT INTO d SELECT 'dispatch_practice', id::text, 'practices', pg_temp.lid('dispatch_practice', id::text), 'migrated', NULL, row_hash FROM t_dispatch_practice;`);
    await this.flush();
  }

  /**
   * auth_user → auth.users + profiles. Copies of a merged patient point at the survivor's
   * profile; test-data users are not migrated. Nobody gets a password: credentials are not
   * created, so people sign in through a reset or the identity provider.
   */
  async users() {
    await this.q(`
      DROP TABLE IF EXISTS uu;
      CREATE TEMP TABLE uu AS
      SELECT DISTINCT ON (u.id) u.id, u.first_name, u.last_name, u.row_hash, u.date_joined,
        CASE
          WHEN u.is_superuser OR g.groups @> ARRAY['admin'] THEN 'admin'
          WHEN g.groups @> ARRAY['support'] THEN 'support'
          WHEN u.is_staff OR g.groups @> ARRAY['technician'] THEN 'technician'
          WHEN dr.user_id IS NOT NULL OR g.groups @> ARRAY['doctor'] THEN 'doctor'
          ELSE 'technician' END AS role,
        (u.is_staff OR u.is_superuser OR dr.user_id IS NOT NULL) AS works_here,
        pp.test_reason, pp.survivor_user, pp.id AS patient_id, pp.survivor,
        nullif(lower(btrim(u.email)), '') AS email
      FROM t_auth_user u
      LEFT JOIN (SELECT ug.user_id, array_agg(lower(g.name)) AS groups FROM s_auth_user_groups ug JOIN s_auth_group g ON g.id = ug.group_id GROUP BY ug.user_id) g ON g.user_id = u.id
      LEFT JOIN (SELECT DISTINCT user_id FROM s_dispatch_doctor) dr ON dr.user_id = u.id
      LEFT JOIN pp ON pp.user_id = u.id
      ORDER BY u.id, pp.id;
      ANALYZE uu;

      INSERT INTO d
      SELECT 'auth_user', id::text, 'profiles', pg_temp.lid('auth_user', survivor_user::text), 'merged',
        format('merged: same person as auth_user %s (dispatch_patient %s merged into %s)', survivor_user, patient_id, survivor), row_hash
      FROM uu WHERE NOT works_here AND test_reason IS NULL AND survivor_user IS NOT NULL AND survivor_user <> id;
      INSERT INTO d
      SELECT 'auth_user', id::text, NULL, NULL, 'skipped', 'test data: ' || test_reason, row_hash
      FROM uu WHERE NOT works_here AND test_reason IS NOT NULL;

      DROP TABLE IF EXISTS um;
      CREATE TEMP TABLE um AS
      SELECT uu.*, pg_temp.lid('auth_user', uu.id::text) AS profile_id,
        CASE WHEN uu.email IS NULL THEN 'legacy-user-' || uu.id || '@legacy.invalid'
             WHEN row_number() OVER (PARTITION BY uu.email ORDER BY uu.id) > 1
               OR EXISTS (SELECT 1 FROM public.profiles p WHERE lower(p.email) = uu.email AND p.id <> pg_temp.lid('auth_user', uu.id::text))
             THEN 'legacy-user-' || uu.id || '@legacy.invalid' ELSE uu.email END AS final_email
      FROM uu WHERE NOT EXISTS (SELECT 1 FROM d WHERE d.legacy_table = 'auth_user' AND d.legacy_id = uu.id::text);
      ANALYZE um;

      INSERT INTO auth.users (id, email, raw_app_meta_data, created_at, updated_at)
      SELECT profile_id, final_email, jsonb_build_object('provider', 'legacy', 'legacy_user_id', id), date_joined, date_joined FROM um
      ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email;`);
    // New profiles on the bulk write path: protect_role and the FK to auth.users are checked once
    // for the statement instead of per row (bulk-insert.ts).
    await this.bulk('profiles', {
      columns: ['id', 'email', 'first_name', 'last_name', 'role', 'created_at', 'updated_at'],
      select: `SELECT profile_id AS id, final_email AS email, btrim(first_name) AS first_name, btrim(last_name) AS last_name, role::public.user_role AS role,
        date_joined AS created_at, date_joined AS updated_at FROM um`,
      key: 'id',
      conflict: 'ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email, first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name, role = EXCLUDED.role',
    });
    await this.q(`
      INSERT INTO d
      SELECT 'auth_user', id::text, 'profiles', profile_id, 'migrated',
        CASE WHEN email IS NULL THEN 'no email in legacy: stored as ' || final_email
             WHEN final_email <> email THEN format('email %s is used by another person: stored as %s', email, final_email) END, row_hash
      FROM um;`);
    await this.flush();
  }

  async doctors() {
    await this.q(`
      DROP TABLE IF EXISTS dm;
      CREATE TEMP TABLE dm AS
      SELECT dr.*, mu.target_id AS profile_id, mp.target_id AS practice_uuid,
        row_number() OVER (PARTITION BY dr.user_id ORDER BY dr.id) AS nth,
        first_value(dr.id) OVER (PARTITION BY dr.user_id ORDER BY dr.id) AS first_id,
        CASE WHEN nullif(btrim(dr.license_number), '') IS NULL THEN NULL
             WHEN row_number() OVER (PARTITION BY btrim(dr.license_number) ORDER BY dr.id) > 1
               OR EXISTS (SELECT 1 FROM public.practitioners p WHERE p.license_number = btrim(dr.license_number) AND p.id <> pg_temp.lid('dispatch_doctor', dr.id::text))
             THEN NULL ELSE btrim(dr.license_number) END AS license
      FROM t_dispatch_doctor dr
      LEFT JOIN public.legacy_id_map mu ON mu.legacy_table = 'auth_user' AND mu.legacy_id = dr.user_id::text AND mu.disposition = 'migrated'
      LEFT JOIN public.legacy_id_map mp ON mp.legacy_table = 'dispatch_practice' AND mp.legacy_id = dr.practice_id::text;
      ANALYZE dm;

      INSERT INTO d SELECT 'dispatch_doctor', id::text, NULL, NULL, 'rejected', format('user %s was not migrated', user_id), row_hash FROM dm WHERE profile_id IS NULL;
      INSERT INTO d SELECT 'dispatch_doctor', id::text, 'practitioners', pg_temp.lid('dispatch_doctor', first_id::text), 'merged', format('merged: same user as dispatch_doctor %s', first_id), row_hash FROM dm WHERE profile_id IS NOT NULL AND nth > 1;

      INSERT INTO public.practitioners (id, profile_id, license_number, specialties, bio)
      SELECT pg_temp.lid('dispatch_doctor', id::text), profile_id, license,
        nullif(array_remove(regexp_split_to_array(btrim(specialties), '\\s*,\\s*'), ''), '{}'), nullif(btrim(bio), '')
      FROM dm WHERE profile_id IS NOT NULL AND nth = 1
      ON CONFLICT (id) DO UPDATE SET license_number = EXCLUDED.license_number, specialties = EXCLUDED.specialties, bio = EXCLUDED.bio;
      INSERT INTO public.practice_members (id, practice_id, profile_id, practitioner_id, role)
      SELECT pg_temp.lid('dispatch_doctor:member', id::text), practice_uuid, profile_id, pg_temp.lid('dispatch_doctor', id::text), 'doctor'
      FROM dm WHERE profile_id IS NOT NULL AND nth = 1 AND practice_uuid IS NOT NULL
      ON CONFLICT (practice_id, profile_id) DO NOTHING;
      INSERT INTO d SELECT 'dispatch_doctor', id::text, 'practitioners', pg_temp.lid('dispatch_doctor', id::text), 'migrated',
        concat_ws('; ', CASE WHEN practice_id IS NULL THEN 'no practice: practitioner without membership' END,
                        CASE WHEN nullif(btrim(license_number), '') IS NOT NULL AND license IS NULL THEN format('license %s is used by another practitioner: not kept', btrim(license_number)) END),
        row_hash
      FROM dm WHERE profile_id IS NOT NULL AND nth = 1;
      UPDATE d SET reason = NULL WHERE reason = '';`);
    await this.flush();
  }

  /** MDW keeps one patient row per person and practice: pat_id(profile, practice). */
  async patients() {
    await this.q(`
      DROP TABLE IF EXISTS pm;
      CREATE TEMP TABLE pm AS
      SELECT p.id, t.row_hash, p.test_reason, p.survivor, p.practice, mpr.target_id AS practice_uuid, mu.target_id AS profile_id,
        coalesce(p.birthdate, (SELECT min(x.birthdate) FROM pp x WHERE x.survivor = p.survivor)) AS birthdate, p.sex
      FROM t_dispatch_patient t JOIN pp p ON p.id = t.id
      LEFT JOIN public.legacy_id_map mpr ON mpr.legacy_table = 'dispatch_practice' AND mpr.legacy_id = p.practice::text
      LEFT JOIN public.legacy_id_map mu ON mu.legacy_table = 'auth_user' AND mu.legacy_id = p.survivor_user::text AND mu.disposition = 'migrated';
      ANALYZE pm;

      INSERT INTO d SELECT 'dispatch_patient', id::text, NULL, NULL, 'skipped', 'test data: ' || test_reason, row_hash FROM pm WHERE test_reason IS NOT NULL;
      INSERT INTO d SELECT 'dispatch_patient', id::text, NULL, NULL, 'skipped', 'orphan: the patient has no case with a practice, and MDW keeps patients per practice', row_hash
        FROM pm WHERE test_reason IS NULL AND practice_uuid IS NULL;
      INSERT INTO d SELECT 'dispatch_patient', id::text, NULL, NULL, 'rejected', 'its user was not migrated', row_hash
        FROM pm WHERE test_reason IS NULL AND practice_uuid IS NOT NULL AND profile_id IS NULL;
`);
    // New patients on the bulk write path: search_text computed in the INSERT's SELECT (the BEFORE
    // trigger's query, set-based), FKs, embedding queue and search index once for the statement.
    await this.bulk('patients', {
      columns: ['id', 'profile_id', 'practice_id', 'patient_number', 'date_of_birth', 'gender', 'medical_history'],
      // pm.* qualified: the output's "id" must not stand for pm.id in ORDER BY.
      select: `SELECT DISTINCT ON (pm.profile_id, pm.practice_uuid) pg_temp.lid('patient', pm.profile_id || '@' || pm.practice_uuid) AS id, pm.profile_id, pm.practice_uuid AS practice_id,
        'L-' || pm.survivor AS patient_number, pm.birthdate AS date_of_birth,
        CASE upper(btrim(pm.sex)) WHEN 'M' THEN 'male' WHEN 'F' THEN 'female' WHEN 'O' THEN 'other' END::public.gender_type AS gender, '{}'::jsonb AS medical_history
      FROM pm WHERE pm.test_reason IS NULL AND pm.practice_uuid IS NOT NULL AND pm.profile_id IS NOT NULL
      ORDER BY pm.profile_id, pm.practice_uuid, (pm.id = pm.survivor) DESC, pm.id`,
      key: 'id',
      conflict: 'ON CONFLICT (id) DO UPDATE SET date_of_birth = coalesce(public.patients.date_of_birth, EXCLUDED.date_of_birth)',
    });
    await this.q(`
      INSERT INTO d SELECT 'dispatch_patient', id::text, 'patients', pg_temp.lid('patient', profile_id || '@' || practice_uuid),
        CASE WHEN id = survivor THEN 'migrated' ELSE 'merged' END::public.legacy_disposition,
        CASE WHEN id <> survivor THEN format('merged into dispatch_patient %s (certain match)', survivor) END, row_hash
      FROM pm WHERE test_reason IS NULL AND practice_uuid IS NOT NULL AND profile_id IS NOT NULL;`);
    await this.flush();
  }

  // ---- templates and products ---------------------------------------------------------------

  /** Groups dispatch_template rows by workflow and checks each with the plan compiler. */
  async templates() {
    const rows = (await this.q<Record<string, unknown> & { id: number; workflow_name: string; seen: boolean; row_hash: string }>(`SELECT * FROM t_dispatch_template ORDER BY workflow_name, task_order, id`)).rows;
    const byName = new Map<string, typeof rows>();
    for (const r of rows) byName.set(r.workflow_name, [...(byName.get(r.workflow_name) ?? []), r]);
    const outcome: Array<{ workflow: string; ok: boolean; tasks: number; errors: string[] }> = [];
    const uuid = async (t: string, id: string) => (await this.q<{ u: string }>(`select pg_temp.lid($1, $2) as u`, [t, id])).rows[0]!.u;
    for (const [name, tasks] of byName) {
      const errors: string[] = [];
      const caseTypes = [...new Set(tasks.map((t) => String(t.case_type ?? '')).filter((x) => x.trim() !== ''))];
      const caseType = caseTypes.length ? N.caseType(caseTypes[0]) : null;
      if (!caseType) errors.push(`case_type "${caseTypes[0] ?? ''}" is not a known case type`);
      const templateId = await uuid('workflow', name);
      const idOf = new Map<number, string>();
      for (const t of tasks) idOf.set(t.id, await uuid('dispatch_template', String(t.id)));
      const inputs: TemplateTaskInput[] = [];
      for (const t of tasks) {
        const fn = N.taskFunction(String(t.function));
        if (!fn) errors.push(`task "${String(t.task_name)}": function "${String(t.function)}" is not known`);
        const roles: PracticeRole[] = [];
        for (const r of String(t.roles ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
          const role = N.practiceRole(r);
          if (role) roles.push(role);
          else errors.push(`task "${String(t.task_name)}": role "${r}" is not known`);
        }
        const preds: string[] = [];
        for (const p of String(t.predecessors ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
          const pid = idOf.get(Number(p));
          if (pid) preds.push(pid);
          else errors.push(`task "${String(t.task_name)}": predecessor ${p} is not a task of this workflow`);
        }
        const category = String(t.category ?? '').trim() === '' ? null : N.workflowCategory(String(t.category));
        if (String(t.category ?? '').trim() !== '' && !category) errors.push(`task "${String(t.task_name)}": category "${String(t.category)}" is not known`);
        inputs.push({
          id: idOf.get(t.id)!,
          taskName: String(t.task_name),
          taskOrder: Number(t.task_order),
          functionType: fn ?? 'process',
          actionName: String(t.action ?? '') || null,
          textPrompt: String(t.text_prompt ?? '') || null,
          estimatedDurationMs: t.duration_hours === null ? null : Number(t.duration_hours) * 3_600_000,
          requiredRoles: roles,
          category,
          autoTransition: t.auto === true,
          predecessorTasks: preds,
          metadata: { legacy_template_id: t.id },
        });
      }
      const input: TemplateInput = { id: templateId, version: 1, name, caseType: caseType ?? 'follow_up', tasks: inputs };
      const compiled = compileTemplate(input);
      if (!compiled.ok) errors.push(...compiled.errors.map((e) => e.message));
      outcome.push({ workflow: name, ok: errors.length === 0, tasks: tasks.length, errors });
      if (errors.length > 0) {
        await this.q(`INSERT INTO d SELECT 'dispatch_template', x.id::text, NULL, NULL, 'rejected', $2, x.row_hash FROM t_dispatch_template x WHERE x.workflow_name = $1`, [
          name,
          `invalid template "${name}": ${errors.join(' ')}`.slice(0, 2000),
        ]);
        continue;
      }
      const exists = await this.q(`select 1 from public.workflow_templates where id = $1`, [templateId]);
      if (exists.rowCount === 0) {
        await this.q(`INSERT INTO public.workflow_templates (id, family_id, practice_id, name, description, case_type, metadata) VALUES ($1, $1, NULL, $2, $3, $4, $5)`, [
          templateId,
          name,
          'Imported from the legacy system',
          caseType,
          JSON.stringify({ legacy_workflow_name: name }),
        ]);
        for (const t of inputs) {
          await this.q(
            `INSERT INTO public.workflow_template_tasks (id, workflow_template_id, legacy_template_id, task_name, task_order, function_type, action_name, text_prompt,
               estimated_duration, required_roles, category, auto_transition, predecessor_tasks, metadata)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, ($9::bigint || ' milliseconds')::interval, $10::public.practice_role[], $11, $12, $13::uuid[], $14)`,
            [t.id, templateId, (t.metadata as { legacy_template_id: number }).legacy_template_id, t.taskName, t.taskOrder, t.functionType, t.actionName, t.textPrompt,
              t.estimatedDurationMs, `{${(t.requiredRoles ?? []).join(',')}}`, t.category, t.autoTransition, t.predecessorTasks, JSON.stringify(t.metadata)],
          );
        }
      }
      await this.q(`INSERT INTO d SELECT 'dispatch_template', x.id::text, 'workflow_template_tasks', pg_temp.lid('dispatch_template', x.id::text), 'migrated',
          CASE WHEN $2 THEN 'template already imported; legacy changes are not applied to it (templates are versioned in MDW)' END, x.row_hash
        FROM t_dispatch_template x WHERE x.workflow_name = $1`, [name, exists.rowCount !== 0]);
    }
    await this.flush();
    return outcome;
  }

  /** Distinct free-text values → enum through a normaliser, staged as a lookup table. */
  async valueMap(name: string, sql: string, fn: (raw: string) => string | null) {
    const values = (await this.q<{ v: string }>(sql)).rows.map((r) => r.v);
    await this.q(`DROP TABLE IF EXISTS ${name}; CREATE TEMP TABLE ${name} (raw text PRIMARY KEY, value text)`);
    if (values.length) await this.q(`INSERT INTO ${name} SELECT * FROM unnest($1::text[], $2::text[])`, [values, values.map(fn)]);
  }

  async products() {
    await this.valueMap('vm_category', `SELECT DISTINCT category AS v FROM t_dispatch_product`, N.productCategory);
    await this.q(`
      INSERT INTO d SELECT 'dispatch_product', p.id::text, NULL, NULL, 'rejected', format('invalid value: category "%s" is not a product category', p.category), p.row_hash
      FROM t_dispatch_product p JOIN vm_category v ON v.raw = p.category WHERE v.value IS NULL;
      INSERT INTO public.products (id, name, description, category, base_price, customizable_options, active)
      SELECT pg_temp.lid('dispatch_product', p.id::text), btrim(p.name), nullif(btrim(p.sku), ''), v.value::public.product_category, p.price,
        CASE WHEN pg_input_is_valid(p.options, 'jsonb') AND jsonb_typeof(p.options::jsonb) = 'object' THEN p.options::jsonb ELSE '{}'::jsonb END, p.active
      FROM t_dispatch_product p JOIN vm_category v ON v.raw = p.category WHERE v.value IS NOT NULL
      ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, category = EXCLUDED.category, base_price = EXCLUDED.base_price, active = EXCLUDED.active;
      INSERT INTO d SELECT 'dispatch_product', p.id::text, 'products', pg_temp.lid('dispatch_product', p.id::text), 'migrated',
        CASE WHEN btrim(p.options) <> '' AND NOT (pg_input_is_valid(p.options, 'jsonb') AND jsonb_typeof(p.options::jsonb) = 'object') THEN 'options are not valid JSON: dropped' END, p.row_hash
      FROM t_dispatch_product p JOIN vm_category v ON v.raw = p.category WHERE v.value IS NOT NULL;`);
    await this.flush();
  }

  // ---- cases -----------------------------------------------------------------------------

  async cases() {
    await this.valueMap('vm_case_type', `SELECT DISTINCT case_type AS v FROM t_dispatch_case`, N.caseType);
    await this.q(`
      DROP TABLE IF EXISTS cm;
      CREATE TEMP TABLE cm AS
      SELECT c.*, coalesce(c.practice_id, dr.practice_id) AS legacy_practice, mpr.target_id AS practice_uuid,
        mpa.disposition AS patient_disposition, mpa.reason AS patient_reason, mpa.target_id AS patient_target, sp.id IS NOT NULL AS patient_exists,
        vt.value AS case_type_value, mdr.target_id AS practitioner_id, wt.id AS legacy_template_id,
        pg_temp.lid('dispatch_case', c.id::text) AS case_uuid
      FROM t_dispatch_case c
      LEFT JOIN s_dispatch_doctor dr ON dr.id = c.doctor_id
      LEFT JOIN public.legacy_id_map mpr ON mpr.legacy_table = 'dispatch_practice' AND mpr.legacy_id = coalesce(c.practice_id, dr.practice_id)::text
      LEFT JOIN s_dispatch_patient sp ON sp.id = c.patient_id
      LEFT JOIN public.legacy_id_map mpa ON mpa.legacy_table = 'dispatch_patient' AND mpa.legacy_id = c.patient_id::text
      LEFT JOIN public.legacy_id_map mdr ON mdr.legacy_table = 'dispatch_doctor' AND mdr.legacy_id = c.doctor_id::text AND mdr.disposition IN ('migrated', 'merged')
      LEFT JOIN vm_case_type vt ON vt.raw = c.case_type
      LEFT JOIN public.workflow_templates wt ON wt.id = pg_temp.lid('workflow', c.workflow_name) AND btrim(c.workflow_name) <> '';
      ANALYZE cm;

      INSERT INTO d SELECT 'dispatch_case', id::text, NULL, NULL, 'skipped', format('orphan: dispatch_patient %s does not exist', patient_id), row_hash FROM cm WHERE NOT patient_exists;
      INSERT INTO d SELECT 'dispatch_case', id::text, NULL, NULL, 'skipped', format('its patient (dispatch_patient %s) was not migrated: %s', patient_id, patient_reason), row_hash
        FROM cm WHERE patient_exists AND patient_disposition IN ('skipped', 'rejected');
      INSERT INTO d SELECT 'dispatch_case', id::text, NULL, NULL, 'rejected', 'no practice: the case has none and its doctor has none', row_hash
        FROM cm WHERE patient_exists AND patient_disposition IN ('migrated', 'merged') AND practice_uuid IS NULL;
      INSERT INTO d SELECT 'dispatch_case', id::text, NULL, NULL, 'rejected', format('invalid value: case_type "%s" is not a known case type', case_type), row_hash
        FROM cm WHERE patient_exists AND patient_disposition IN ('migrated', 'merged') AND practice_uuid IS NOT NULL AND case_type_value IS NULL;

      DROP TABLE IF EXISTS cn;
      CREATE TEMP TABLE cn AS
      SELECT cm.*, pt.profile_id AS patient_profile,
        pg_temp.lid('patient', pt.profile_id || '@' || cm.practice_uuid) AS patient_uuid,
        row_number() OVER (PARTITION BY cm.practice_uuid, btrim(cm.case_number) ORDER BY cm.created_at, cm.id) AS number_rank
      FROM cm JOIN public.patients pt ON pt.id = cm.patient_target
      WHERE cm.patient_exists AND cm.patient_disposition IN ('migrated', 'merged') AND cm.practice_uuid IS NOT NULL AND cm.case_type_value IS NOT NULL;
      ANALYZE cn;
      ALTER TABLE cn ADD COLUMN number text, ADD COLUMN number_note text;
      UPDATE cn SET number = btrim(case_number) WHERE nullif(btrim(case_number), '') IS NOT NULL AND number_rank = 1
        AND NOT EXISTS (SELECT 1 FROM public.cases x WHERE x.practice_id = cn.practice_uuid AND x.case_number = btrim(cn.case_number) AND x.id <> cn.case_uuid);
      UPDATE cn SET number = 'L-' || id, number_note = CASE WHEN nullif(btrim(case_number), '') IS NULL THEN 'case number blank' ELSE format('case number "%s" repeats in its practice', btrim(case_number)) END
        || format(': numbered L-%s, legacy number kept in metadata', id)
        WHERE number IS NULL;

      -- A merged patient's case may live in another practice than the patient row we made: one row per person and practice.
      -- Only the ones that do not exist yet are proposed (nearly every case's patient row does): a
      -- proposed row fires the patients' BEFORE trigger (search text: a query of profiles) even
      -- when ON CONFLICT then drops it, ~40k times per 1M legacy rows.
      INSERT INTO public.patients (id, profile_id, practice_id, patient_number, date_of_birth, gender)
      SELECT DISTINCT ON (cn.patient_uuid) cn.patient_uuid, cn.patient_profile, cn.practice_uuid, p.patient_number, p.date_of_birth, p.gender
      FROM cn JOIN public.patients p ON p.id = cn.patient_target
      WHERE NOT EXISTS (SELECT 1 FROM public.patients x WHERE x.id = cn.patient_uuid)
      ON CONFLICT DO NOTHING;

      DROP TABLE IF EXISTS lab_default;
      CREATE TEMP TABLE lab_default AS
        SELECT DISTINCT ON (case_type) case_type::text AS case_type, id FROM public.workflow_templates
        WHERE practice_id IS NULL AND active AND superseded_by IS NULL ORDER BY case_type, (metadata ? 'legacy_workflow_name'), version DESC;
      ANALYZE lab_default;`);
    // The rows wait in case_rows until the records of the same phase have rebuilt each case's
    // state history (insertCases, called by records()): each case row is written once with its
    // current state, instead of inserted as 'submitted' and rewritten (every index, the search
    // document, the audit of an UPDATE) by a second statement.
    await this.q(`DROP TABLE IF EXISTS case_rows;
      CREATE TEMP TABLE case_rows AS
      SELECT cn.id AS legacy_id, cn.case_uuid AS id, cn.patient_uuid AS patient_id, cn.practice_uuid AS practice_id, (SELECT p.id FROM public.practitioners p WHERE p.id = cn.practitioner_id) AS assigned_practitioner_id,
        cn.number AS case_number, coalesce(nullif(btrim(cn.title), ''), 'Case ' || cn.number) AS title, nullif(btrim(cn.description), '') AS description,
        cn.case_type_value::public.case_type_enum AS case_type,
        CASE cn.priority WHEN 0 THEN 'low' WHEN 2 THEN 'high' WHEN 3 THEN 'urgent' ELSE 'medium' END::public.priority_level AS priority,
        coalesce(cn.legacy_template_id, ld.id) AS workflow_template_id,
        jsonb_build_object('legacy', jsonb_build_object('case_id', cn.id, 'case_number', cn.case_number, 'case_type', cn.case_type, 'workflow_name', cn.workflow_name, 'priority', cn.priority)) AS metadata,
        cn.created_at, cn.updated_at
      FROM cn LEFT JOIN lab_default ld ON ld.case_type = cn.case_type_value;
      CREATE INDEX ON case_rows (legacy_id);
      ANALYZE case_rows;`);
    await this.q(`
      INSERT INTO d SELECT 'dispatch_case', cn.id::text, 'cases', cn.case_uuid, 'migrated',
        nullif(concat_ws('; ', cn.number_note,
          CASE WHEN cn.case_type_value IS NOT NULL AND lower(btrim(cn.case_type)) <> cn.case_type_value THEN format('case_type "%s" read as %s', cn.case_type, cn.case_type_value) END,
          CASE WHEN cn.priority NOT IN (0, 1, 2, 3) THEN format('invalid value: priority %s read as medium', cn.priority) END,
          CASE WHEN cn.legacy_template_id IS NULL AND ld.id IS NOT NULL THEN format('workflow "%s" not found: the lab''s default template for %s', cn.workflow_name, cn.case_type_value)
               WHEN cn.legacy_template_id IS NULL THEN format('workflow "%s" not found and no default template for %s', cn.workflow_name, cn.case_type_value) END), ''),
        cn.row_hash
      FROM cn LEFT JOIN lab_default ld ON ld.case_type = cn.case_type_value;`);
    await this.flush();
  }

  /**
   * The cases staged by cases(), with the current state the replay put in cs: new cases take
   * their state here; cases that existed take the conflict clause and the UPDATE of records().
   */
  async insertCases() {
    await this.bulk('cases', {
      columns: ['id', 'patient_id', 'practice_id', 'assigned_practitioner_id', 'case_number', 'title', 'description', 'case_type', 'priority', 'current_state',
        'closed_at', 'workflow_template_id', 'metadata', 'created_at', 'updated_at'],
      select: `
      SELECT r.id, r.patient_id, r.practice_id, r.assigned_practitioner_id, r.case_number, r.title, r.description, r.case_type, r.priority,
        coalesce(cs.state, 'submitted')::public.case_state_enum AS current_state, cs.closed_at, r.workflow_template_id,
        CASE WHEN cs.case_id IS NULL THEN r.metadata
             ELSE r.metadata || jsonb_build_object('legacy_position', jsonb_build_object('since', cs.since, 'resume_state', cs.resume_state, 'awaiting_approval', cs.awaiting_approval)) END AS metadata,
        r.created_at, r.updated_at
      FROM case_rows r LEFT JOIN cs ON cs.case_id = r.legacy_id`,
      key: 'id',
      conflict: 'ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, description = EXCLUDED.description, priority = EXCLUDED.priority, updated_at = EXCLUDED.updated_at',
    });
  }

  // ---- records: messages and state histories ----------------------------------------------

  /**
   * dispatch_record → case_messages; the texts of every case that has new records (or is new)
   * are replayed in time order to rebuild its state history (case_states, current_state).
   */
  async records(given?: AnyClassifier | (() => Promise<AnyClassifier>)) {
    // A factory is called at the first free text: a run with none (a no-change re-run) never loads a model.
    let classifier: AnyClassifier | undefined = typeof given === 'function' ? undefined : given;
    const resolve = async () => (classifier ??= typeof given === 'function' ? await given() : undefined);
    // The records' working tables (rm, affected, rc, tr) are UNLOGGED tables in legacy_stage, not
    // TEMP: when the inserts split (writeRecordShards) the second session computes its share from
    // them itself, on its own core, instead of the run's session staging that share's rows for it
    // first (a copy of half the messages on the critical path). rm carries the record's text so
    // the messages read no session's TEMP staging. Dropped when the records are written.
    await this.timed('records: staging joins', `
      DROP TABLE IF EXISTS ${RS}.rm, ${RS}.affected, ${RS}.rc, ${RS}.tr;
      CREATE UNLOGGED TABLE ${RS}.rm AS
      SELECT r.id, r.row_hash, r.target_id, r.created_at, r.author_id, r.text, ct.app_label, ct.model, mc.disposition AS case_disposition, mc.target_id AS case_uuid,
        sc.id IS NOT NULL AS case_exists, mc.reason AS case_reason,
        -- The record's share when the inserts split (writeRecordShards), computed once here: as a
        -- column it has statistics (a filter on hashtext() was estimated at 0.5 % of the rows, and
        -- the messages' join to rc became an index probe per record instead of a hash join).
        ${this.shardOf('mc.target_id')} AS shard
      FROM t_dispatch_record r
      LEFT JOIN s_django_content_type ct ON ct.id = r.target_type_id
      LEFT JOIN s_dispatch_case sc ON sc.id = r.target_id AND (ct.app_label, ct.model) = ('dispatch', 'case')
      LEFT JOIN public.legacy_id_map mc ON mc.legacy_table = 'dispatch_case' AND mc.legacy_id = r.target_id::text AND (ct.app_label, ct.model) = ('dispatch', 'case');
      ANALYZE ${RS}.rm;
      CREATE INDEX ON ${RS}.rm (id);`);
    await this.timer.time('records: dispositions', () => this.genericSkips('dispatch_record', `${RS}.rm`));
    // Cases whose history must be (re)built: new cases and cases with new records.
    await this.timed('records: staging joins', `
      CREATE UNLOGGED TABLE ${RS}.affected AS
        SELECT DISTINCT target_id AS case_id FROM ${RS}.rm WHERE case_disposition = 'migrated'
        UNION SELECT id FROM t_dispatch_case c WHERE EXISTS (SELECT 1 FROM public.legacy_id_map m WHERE m.legacy_table = 'dispatch_case' AND m.legacy_id = c.id::text AND m.disposition = 'migrated')
        -- A migrated case with no history: a run killed after the split records phase committed
        -- the cases and before a session committed their share of the records (writeRecordShards)
        -- left it; one without new records is found by neither of the above when the next run resumes.
        UNION SELECT c.id FROM s_dispatch_case c JOIN public.legacy_id_map m ON m.legacy_table = 'dispatch_case' AND m.legacy_id = c.id::text AND m.disposition = 'migrated'
          WHERE NOT EXISTS (SELECT 1 FROM public.case_states s WHERE s.case_id = m.target_id);
      ANALYZE ${RS}.affected;
      CREATE INDEX ON ${RS}.affected (case_id);
      CREATE UNLOGGED TABLE ${RS}.rc (record_id int PRIMARY KEY, message_type text, intent text, understood boolean, evidence text, model text, confidence float8);
      CREATE UNLOGGED TABLE ${RS}.tr (record_id int, case_id int, author_id int, from_state text, to_state text, at timestamptz, evidence text, model text, confidence float8);
      DROP TABLE IF EXISTS cs; CREATE TEMP TABLE cs (case_id int, state text, since timestamptz, closed_at timestamptz, resume_state text, awaiting_approval boolean);`);
    const stats = {
      cases: 0,
      records: 0,
      systemTexts: 0,
      classified: 0,
      notUnderstood: 0,
      belowThreshold: 0,
      transitions: 0,
      classifier: null as { model: string; threshold: number | null } | null,
      notUnderstoodExamples: [] as Array<{ id: number; text: string }>,
    };
    const total = Number((await this.q<{ n: string }>(`select count(*) as n from s_dispatch_record r join ${RS}.affected a on a.case_id = r.target_id`)).rows[0]!.n);
    const bar = this.progress.phase('state histories', total);
    await this.q(`DECLARE rec_cur NO SCROLL CURSOR FOR
      SELECT r.id, r.target_id AS case_id, r.author_id, r.text, (extract(epoch from r.created_at) * 1000)::float8 AS at, (extract(epoch from c.created_at) * 1000)::float8 AS case_at
      FROM ${RS}.affected a JOIN s_dispatch_case c ON c.id = a.case_id
      JOIN s_dispatch_record r ON r.target_id = a.case_id
      JOIN s_django_content_type ct ON ct.id = r.target_type_id AND ct.app_label = 'dispatch' AND ct.model = 'case'
      ORDER BY r.target_id, r.created_at, r.id`);
    // authors: each record's legacy author, for the states its transitions give (changed_by).
    let current = null as { caseId: number; caseAt: number; records: RecordInput[]; authors: Map<number, number | null> } | null;
    const rcRows: string[] = [];
    const trRows: string[] = [];
    const csRows: string[] = [];
    const iso = (ms: number) => new Date(ms).toISOString();
    const finishCase = () => {
      if (!current) return;
      const h = reconstruct(current.caseAt, current.records);
      for (const t of h.transitions) trRows.push(copyRow([t.recordId, current.caseId, current.authors.get(t.recordId) ?? null, t.from, t.to, iso(t.at), t.evidence.join(','), t.classified?.model ?? null, t.classified?.confidence ?? null]));
      stats.transitions += h.transitions.length;
      csRows.push(copyRow([current.caseId, h.state, iso(h.since), h.closedAt === null ? null : iso(h.closedAt), h.resumeState, h.awaitingApproval]));
      stats.cases += 1;
      current = null;
    };
    const flushCopy = async () => {
      if (rcRows.length) await copyInto(this.db, `${RS}.rc`, rcRows.splice(0));
      if (trRows.length) await copyInto(this.db, `${RS}.tr`, trRows.splice(0));
      if (csRows.length) await copyInto(this.db, 'cs', csRows.splice(0));
    };
    // System texts repeat (a few wordings, the same in every case): each distinct text is matched
    // once, up to a bound, and its rc columns formatted once per answer.
    const ruleMemo = new Map<string, ClassifiedText | null>();
    const rule = (text: string): ClassifiedText | null => {
      let c = ruleMemo.get(text);
      if (c === undefined) {
        if (ruleMemo.size >= RULE_MEMO_LIMIT) ruleMemo.clear();
        c = matchRule(text);
        ruleMemo.set(text, c);
      }
      return c;
    };
    // The classifier answers a repeated text with the same result object (its memo).
    const fromModel = new WeakMap<object, ClassifiedText>();
    const rcTails = new WeakMap<ClassifiedText, string>();
    // The rc columns after the record id of a text nobody understood (no rule, no classifier).
    const NO_CLASSIFICATION_TAIL = copyRow([messageTypeFor(null), null, false, null, null, null]);
    const rcTail = (c: ClassifiedText | null): string => {
      if (c === null) return NO_CLASSIFICATION_TAIL;
      let tail = rcTails.get(c);
      if (tail === undefined) {
        // Not understood by the classifier: its best guess and confidence go into the evidence (the report's reason).
        const evidence = c.source === 'rule' ? `rule:${c.evidence.join(',')}` : `${c.model}:${c.intent}:${c.confidence}:${c.evidence[0] ?? ''}`;
        tail = copyRow([messageTypeFor(c), c.intent !== 'none' ? c.intent : null, c.intent !== 'none', evidence, c.source === 'model' ? c.model : null, c.source === 'model' ? c.confidence : null]);
        rcTails.set(c, tail);
      }
      return tail;
    };
    type RecordRow = { id: number; case_id: number; author_id: number | null; text: string; at: number; case_at: number };
    const fetchNext = () => {
      const p = this.q<RecordRow>(`FETCH ${REPLAY_FETCH} FROM rec_cur`);
      p.catch(() => undefined); // awaited by the loop; a failure surfaces there
      return p;
    };
    await this.timer.time('records: replay (cursor, rules, COPY)', async () => {
    let next = fetchNext();
    for (;;) {
      const batch = await next;
      if (batch.rows.length === 0) break;
      // Nothing is in flight on the session here: the rows of earlier batches are copied first,
      // then the server reads the next batch while this one is classified and replayed.
      if (rcRows.length >= 20_000) await flushCopy();
      next = fetchNext();
      // Rules first; the free texts of the whole batch go to the classifier together.
      const classified: Array<ClassifiedText | null> = batch.rows.map((r) => rule(r.text));
      const free = batch.rows.map((r, i) => (classified[i] ? null : r.text));
      const texts = free.filter((t): t is string => t !== null);
      if (texts.length > 0 && (await resolve())) {
        const clf = classifier!;
        stats.classifier ??= { model: modelOf(clf), threshold: (clf as Partial<BatchIntentClassifier>).threshold ?? null };
        const results = await this.timer.time('records: intent classification', () => classifyMany(clf, texts));
        const model = modelOf(clf);
        let k = 0;
        free.forEach((t, i) => {
          if (t === null) return;
          const res = results[k++]!;
          let c = fromModel.get(res);
          if (!c) fromModel.set(res, (c = fromClassifier(res, model)));
          classified[i] = c;
        });
      }
      batch.rows.forEach((r, i) => {
        if (current === null || current.caseId !== r.case_id) {
          finishCase();
          current = { caseId: r.case_id, caseAt: r.case_at, records: [], authors: new Map() };
        }
        const c = classified[i]!;
        stats.records += 1;
        if (c?.source === 'rule') stats.systemTexts += 1;
        else if (c && c.intent !== 'none') stats.classified += 1;
        else {
          stats.notUnderstood += 1;
          if (c) stats.belowThreshold += 1;
          if (stats.notUnderstoodExamples.length < 20) stats.notUnderstoodExamples.push({ id: r.id, text: r.text.slice(0, 200) });
        }
        current.records.push({ id: r.id, at: r.at, classified: c });
        current.authors.set(r.id, r.author_id);
        rcRows.push(`${r.id}\t${rcTail(c)}`);
      });
      bar.tick(batch.rows.length);
    }
    finishCase();
    await this.q(`CLOSE rec_cur`);
    await flushCopy();
    });
    // Cases without any record: their history is the submission alone.
    bar.done();
    await this.timed('records: staging joins', `
      INSERT INTO cs SELECT a.case_id, 'submitted', c.created_at, NULL, NULL, false FROM ${RS}.affected a JOIN s_dispatch_case c ON c.id = a.case_id
        WHERE NOT EXISTS (SELECT 1 FROM cs WHERE cs.case_id = a.case_id);
      CREATE INDEX ON cs (case_id);
      ANALYZE cs; ANALYZE ${RS}.rc; ANALYZE ${RS}.tr;`);
    await this.timer.time('cases: INSERT (with current state)', () => this.insertCases());
    // The messages, the states (the submission of every affected case, then each transition; one
    // key per row by construction) and the migrated records' map lines, as SELECTs: written here
    // by this session, or by two, a share each (writeRecordShards).
    const messageRows = `
      SELECT pg_temp.lid('dispatch_record', rm.id::text) AS id, rm.case_uuid AS case_id, c.practice_id, coalesce(mu.target_id, '${SYSTEM_PROFILE_ID}'::uuid) AS sender_id,
        coalesce(rc.message_type, 'general')::public.message_type_enum AS message_type, rm.text AS content,
        jsonb_strip_nulls(jsonb_build_object('legacy_record_id', rm.id, 'intent', rc.intent, 'evidence', rc.evidence, 'intent_model', rc.model, 'intent_confidence', rc.confidence)) AS metadata,
        'legacy:dispatch_record:' || rm.id AS idempotency_key, rm.created_at
      FROM ${RS}.rm rm JOIN public.cases c ON c.id = rm.case_uuid
      LEFT JOIN ${RS}.rc rc ON rc.record_id = rm.id
      LEFT JOIN public.legacy_id_map mu ON mu.legacy_table = 'auth_user' AND mu.legacy_id = rm.author_id::text AND mu.disposition IN ('migrated', 'merged')
      WHERE rm.case_disposition = 'migrated'`;
    const stateRows = `
      SELECT pg_temp.lid('case_states', 'legacy:dispatch_case:' || a.case_id || ':submitted') AS id,
        c.id AS case_id, c.practice_id, NULL::public.case_state_enum AS from_state, 'submitted'::public.case_state_enum AS to_state, '${SYSTEM_PROFILE_ID}'::uuid AS changed_by,
        'case submitted (legacy)' AS reason, jsonb_build_object('legacy_case_id', a.case_id) AS metadata,
        'legacy:dispatch_case:' || a.case_id || ':submitted' AS idempotency_key, c.created_at
      FROM ${RS}.affected a JOIN public.cases c ON c.id = pg_temp.lid('dispatch_case', a.case_id::text)
      UNION ALL
      SELECT pg_temp.lid('case_states', 'legacy:dispatch_record:' || tr.record_id || ':state'),
        c.id, c.practice_id, tr.from_state::public.case_state_enum, tr.to_state::public.case_state_enum, coalesce(mu.target_id, '${SYSTEM_PROFILE_ID}'::uuid),
        CASE WHEN tr.model IS NULL THEN 'legacy message: ' || tr.evidence
             ELSE format('legacy free text classified as %s (%s, confidence %s)', tr.to_state, tr.model, tr.confidence) END,
        jsonb_build_object('legacy_record_id', tr.record_id) || CASE WHEN tr.model IS NULL THEN '{}'::jsonb
          ELSE jsonb_build_object('classified', jsonb_build_object('model', tr.model, 'confidence', tr.confidence, 'legacy_record_id', tr.record_id)) END,
        'legacy:dispatch_record:' || tr.record_id || ':state', tr.at
      FROM ${RS}.tr tr JOIN public.cases c ON c.id = pg_temp.lid('dispatch_case', tr.case_id::text)
      LEFT JOIN public.legacy_id_map mu ON mu.legacy_table = 'auth_user' AND mu.legacy_id = tr.author_id::text AND mu.disposition IN ('migrated', 'merged')`;
    const recordLines = (extra = '') => `
      SELECT 'dispatch_record' AS legacy_table, rm.id::text AS legacy_id, 'case_messages' AS target_table, pg_temp.lid('dispatch_record', rm.id::text) AS target_id,
        'migrated'::public.legacy_disposition AS disposition,
        CASE WHEN rc.understood IS NOT TRUE AND rc.model IS NOT NULL
               THEN format('free text, not understood (classifier %s below its threshold or declined: %s): no state inferred (kept as a message)', rc.model, rc.evidence)
             WHEN rc.understood IS NOT TRUE THEN 'free text, not understood: no state inferred (kept as a message)' END AS reason, rm.row_hash${extra}
      FROM ${RS}.rm rm LEFT JOIN ${RS}.rc rc ON rc.record_id = rm.id WHERE rm.case_disposition = 'migrated'`;
    // Cases that existed before the run (incremental runs; new ones were inserted with theirs).
    const updateCases = `
      UPDATE public.cases c SET current_state = cs.state::public.case_state_enum, closed_at = cs.closed_at,
        metadata = c.metadata || jsonb_build_object('legacy_position', jsonb_build_object('since', cs.since, 'resume_state', cs.resume_state, 'awaiting_approval', cs.awaiting_approval))
      FROM cs WHERE c.id = pg_temp.lid('dispatch_case', cs.case_id::text)
        AND (c.current_state::text IS DISTINCT FROM cs.state OR c.closed_at IS DISTINCT FROM cs.closed_at OR NOT (c.metadata ? 'legacy_position')
             OR c.metadata->'legacy_position' IS DISTINCT FROM jsonb_build_object('since', cs.since, 'resume_state', cs.resume_state, 'awaiting_approval', cs.awaiting_approval));`;
    if (await this.splitRecords()) {
      // Two sessions: everything but the migrated records' rows and lines commits with this
      // phase (the cases with their current state, the skipped records' lines, the records'
      // working tables in legacy_stage). Each session then computes and writes its share (shard
      // k: a hash of the case) from those tables, on its own core.
      await this.timed('records: UPDATE cases (current state)', updateCases);
      // Shard 0 (this session): the cases whose hash is at most the cut (shardOf()); shard 1 the others.
      this.recordShards = {
        // rm.shard is shardOf(rm.case_uuid), and a message's case_id is rm.case_uuid.
        messages: (k) => `${messageRows} AND rm.shard = ${k}`,
        states: (k) => `SELECT * FROM (${stateRows}) s WHERE ${this.shardOf('s.case_id')} = ${k}`,
        lines: (k) => `${recordLines()} AND rm.shard = ${k}`,
      };
      await this.flush();
      this.recordShardsPending = true;
      return stats;
    }
    await this.timer.time('records: INSERT case_messages', () => this.bulk('case_messages', { columns: MESSAGE_COLUMNS, select: messageRows, key: 'id', conflict: MESSAGE_CONFLICT }));
    await this.timer.time('records: INSERT case_states', () => this.bulk('case_states', { columns: STATE_COLUMNS, select: stateRows, key: 'idempotency_key', conflict: STATE_CONFLICT }));
    await this.timed('records: UPDATE cases (current state)', updateCases);
    await this.timed('records: dispositions', `INSERT INTO d ${recordLines()};`);
    await this.q(`DROP TABLE ${RS}.rm, ${RS}.affected, ${RS}.rc, ${RS}.tr`);
    await this.flush();
    return stats;
  }

  /** Set by records() when it staged its rows for writeRecordShards (the split path). */
  recordShardsPending = false;
  /** The split path's rows of shard k, from this session's TEMP tables (records()). */
  private recordShards: Record<'messages' | 'states' | 'lines', (k: number) => string> | null = null;
  /** Records to migrate from which the records phase splits (MigrateLegacyOptions.recordsSplitMinRows); null: never. */
  recordsSplitMinRows: number | null = null;

  /**
   * This session's share of the split's cases (records() cuts the shards at shardCut()).
   * A little over half: with equal rows the second session finished last, 45–260 ms later at
   * 96k legacy rows (its parts each ~5–10 % slower: a new backend, its caches cold), and the run
   * waits for it. At 1M rows and 0.51 the run's session waited 0.0 s for it (bench:migrate,
   * `records: wait for the second session`).
   */
  recordsRunShare = 0.51;

  /**
   * The hash of a case (hashtext of its uuid, spread evenly over the int4 range) at which the
   * records' two shards are cut: the cases at or below it are shard 0's, recordsRunShare of them.
   * A case's rows go with it (one to dozens of records), so the rows' split is the share give or
   * take chance: at 8,000 cases and 0.51 the run's session wrote 50.3 % of the messages (29,595 /
   * 29,223) and 50.4 % of the states, and the imbalance shrinks as cases grow in number. A cut by
   * the rows themselves (a weighted quantile of the case hashes over the records' working table)
   * balanced them exactly but cost 30 ms of the run's session at 96k legacy rows (~0.3 s at 1M),
   * more than chance's imbalance.
   */
  private shardCut(): number {
    return Math.round(-(2 ** 31) + this.recordsRunShare * 2 ** 32);
  }

  /** The shard (0: this session, 1: the second) of the case whose uuid is `caseUuid` (SQL). */
  private shardOf(caseUuid: string): string {
    return `(CASE WHEN hashtext(${caseUuid}::text) <= ${this.shardCut()} THEN 0 ELSE 1 END)`;
  }

  /** The migrated records (their map lines) that splitRecords() counted. */
  private splitLines = 0;

  /** Whether this run's records take the two-session path: enough of them, and the fast path for both tables. */
  private async splitRecords(): Promise<boolean> {
    if (this.recordsSplitMinRows === null || !this.fastPath) return false;
    if (!(await this.plan('case_messages')).fast || !(await this.plan('case_states')).fast) return false;
    const n = Number((await this.q<{ n: string }>(`SELECT count(*) AS n FROM ${RS}.rm WHERE case_disposition = 'migrated'`)).rows[0]!.n);
    this.splitLines = n;
    return n >= this.recordsSplitMinRows;
  }

  /**
   * The records' messages, states and map lines of records(), written after the cases
   * committed, from two sessions at once: this one writes the cases of shard 0, `second` those
   * of shard 1, each in its own transaction (all of a case's rows and lines in one), with its own
   * fast path and audit summary. Neither waits on the other: the shards share no key.
   *
   * Either failing rolls both back. Otherwise the second commits, then this one. A run killed
   * before a shard's commit leaves its cases committed without their records; the next run finds
   * those records new (no map line), their cases affected (new records, or no history at all:
   * records()' `affected`), replays each such case's whole history and writes the rows the
   * killed run did not: the same rows an uninterrupted run writes.
   */
  async writeRecordShards(second: pg.Client, secondCpu: (() => number) | null, committed: () => void | Promise<void>) {
    const rows = this.recordShards!;
    const plans = { messages: await this.plan('case_messages'), states: await this.plan('case_states'), map: await this.plan('legacy_id_map') };
    // As flush(): a first load of the records' lines is a plain INSERT (no line can exist).
    const firstLoad = this.fastPath && (await this.q<{ ok: boolean }>(`SELECT coalesce(bool_and(changed_rows = 0), false) AS ok FROM run_counts WHERE legacy_table = 'dispatch_record'`)).rows[0]!.ok;
    // The migrated records' lines, counted by splitRecords() (rm has not changed since): a second
    // count was a scan of rm, texts included, on the run's session before either shard starts.
    const lines = this.splitLines;
    const runId = lit(this.runId);
    // Each session's share from the records' working tables in legacy_stage (committed with the
    // cases). The second session needs the map's id function too.
    const source = (k: number, table: 'messages' | 'states' | 'lines') => rows[table](k);
    await second.query(LID_FUNCTION);
    const write = async (db: pg.Client, k: number, time: <R>(step: string, fn: () => Promise<R>) => Promise<R>) => {
      await db.query('BEGIN');
      await db.query(`select public.audit_bulk_begin($1, 'legacy-migration')`, [this.runId]);
      // The parts of the run's session's inserts as steps of their own (bulkDetail; profiles).
      const part = (table: string): BulkPartTimer | undefined => (k === 0 && this.bulkDetail ? (p, fn) => this.timer.time(`${table} bulk: ${p}`, fn) : undefined);
      await time('records: INSERT case_messages', () => bulkInsert(db, plans.messages, { columns: MESSAGE_COLUMNS, select: source(k, 'messages'), key: 'id', conflict: MESSAGE_CONFLICT }, part('case_messages')));
      await time('records: INSERT case_states', () => bulkInsert(db, plans.states, { columns: STATE_COLUMNS, select: source(k, 'states'), key: 'idempotency_key', conflict: STATE_CONFLICT }, part('case_states')));
      const insert = `INSERT INTO public.legacy_id_map (legacy_table, legacy_id, target_table, target_id, disposition, reason, row_hash, run_id, migrated_at)
        SELECT legacy_table, legacy_id, target_table, target_id, disposition, reason, row_hash, ${runId}::uuid, now() FROM (${source(k, 'lines')}) l`;
      await time('legacy_id_map writes', async () => {
        if (firstLoad) await insertAuditCounted(db, plans.map, `${insert} ORDER BY legacy_id`);
        else await db.query(`${insert} ON CONFLICT (legacy_table, legacy_id) DO UPDATE SET target_table = EXCLUDED.target_table, target_id = EXCLUDED.target_id,
          disposition = EXCLUDED.disposition, reason = EXCLUDED.reason, row_hash = EXCLUDED.row_hash, run_id = EXCLUDED.run_id, migrated_at = now()`);
      });
      await db.query(`select public.audit_bulk_end()`);
    };
    const cpu0 = secondCpu?.() ?? 0;
    // Only this session's shard is timed (the timer's steps nest, one session at a time): the
    // outer step's own time is the wait for the second session.
    const untimed = <R>(_step: string, fn: () => Promise<R>) => fn();
    const theirsDone = Promise.allSettled([write(second, 1, untimed)]).then(([r]) => r);
    const [mine] = await Promise.allSettled([write(this.db, 0, (step, fn) => this.timer.time(step, fn))]);
    // From here this session waits for the second one: a step of its own, so a profile says how
    // far apart the two shards end (recordsRunShare).
    const theirs = await this.timer.time('records: wait for the second session', () => theirsDone);
    if (mine.status === 'rejected' || theirs.status === 'rejected') {
      await Promise.all([this.db.query('ROLLBACK').catch(() => undefined), second.query('ROLLBACK').catch(() => undefined)]);
      throw mine.status === 'rejected' ? mine.reason : (theirs as PromiseRejectedResult).reason;
    }
    await second.query('COMMIT');
    if (secondCpu) this.timer.record('records: second session (server CPU only)', 0, secondCpu() - cpu0);
    await committed();
    await this.timer.time('commit', () => this.q('COMMIT'));
    await this.q(`DROP TABLE IF EXISTS ${RS}.rm, ${RS}.affected, ${RS}.rc, ${RS}.tr`);
    this.recordShardsPending = false;
    this.recordShards = null;
    await this.mapGrew(lines);
  }

  /**
   * The generic-foreign-key outcomes shared by records, orders, instructions and files:
   * unknown content type, target deleted, parent case not migrated, target of another kind.
   * `allowPatient`: the table may point at patients too (orders).
   */
  async genericSkips(table: string, alias: string, allowPatient = false) {
    await this.q(`
      INSERT INTO d SELECT '${table}', x.id::text, NULL, NULL, 'skipped',
        CASE
          WHEN x.app_label IS NULL THEN 'unknown content type: the row''s target_type_id names no django_content_type row'
          WHEN NOT (x.app_label || '.' || x.model = ANY (${lit(`{${[...KNOWN_MODELS].join(',')}}`)}::text[])) THEN format('unknown content type %s.%s: that model no longer exists', x.app_label, x.model)
          WHEN x.model = 'case' AND NOT x.case_exists THEN format('orphan: dispatch_case %s does not exist', x.target_id)
          WHEN x.model = 'case' THEN format('its case (dispatch_case %s) was not migrated: %s', x.target_id, coalesce(x.case_reason, 'not read'))
          ELSE format('points at a %s.%s: MDW keeps these per case', x.app_label, x.model) END,
        x.row_hash
      FROM ${alias} x
      WHERE NOT (x.case_disposition IS NOT DISTINCT FROM 'migrated') ${allowPatient ? `AND NOT (x.app_label = 'dispatch' AND x.model = 'patient')` : ''};`);
  }

  // ---- orders ------------------------------------------------------------------------------

  async orders() {
    await this.valueMap('vm_order_status', `SELECT DISTINCT status AS v FROM t_dispatch_order`, N.orderStatus);
    await this.q(`
      DROP TABLE IF EXISTS om;
      CREATE TEMP TABLE om AS
      SELECT o.*, ct.app_label, ct.model, sc.id IS NOT NULL AS case_exists, mc.disposition AS case_disposition, mc.target_id AS case_uuid, mc.reason AS case_reason,
        sp.id IS NOT NULL AS patient_exists, mpa.disposition AS patient_disposition, mpa.reason AS patient_reason, pt.profile_id AS patient_profile,
        v.value AS state, CASE WHEN btrim(o.currency) = '' THEN 'USD' WHEN upper(btrim(o.currency)) ~ '^[A-Z]{3}$' THEN upper(btrim(o.currency)) END AS cur
      FROM t_dispatch_order o
      LEFT JOIN s_django_content_type ct ON ct.id = o.target_type_id
      LEFT JOIN s_dispatch_case sc ON sc.id = o.target_id AND (ct.app_label, ct.model) = ('dispatch', 'case')
      LEFT JOIN public.legacy_id_map mc ON mc.legacy_table = 'dispatch_case' AND mc.legacy_id = o.target_id::text AND (ct.app_label, ct.model) = ('dispatch', 'case')
      LEFT JOIN s_dispatch_patient sp ON sp.id = o.target_id AND (ct.app_label, ct.model) = ('dispatch', 'patient')
      LEFT JOIN public.legacy_id_map mpa ON mpa.legacy_table = 'dispatch_patient' AND mpa.legacy_id = o.target_id::text AND (ct.app_label, ct.model) = ('dispatch', 'patient')
      LEFT JOIN public.patients pt ON pt.id = mpa.target_id
      LEFT JOIN vm_order_status v ON v.raw = o.status;
      ANALYZE om;
      -- An order placed on a patient belongs to the one case of that person open at the order's date.
      -- The open cases are counted once, in one join (oo), for both the attachment and the reason of
      -- an ambiguous order: a count per order as a subquery was planned as a scan of every case per
      -- order (cases' statistics are stale within the run), quadratic in the lab's size.
      DROP TABLE IF EXISTS oo;
      CREATE TEMP TABLE oo AS
        SELECT om2.id, min(c.id::text)::uuid AS case_id, count(*)::int AS n FROM om om2
          JOIN public.patients p ON p.profile_id = om2.patient_profile JOIN public.cases c ON c.patient_id = p.id
          WHERE om2.model = 'patient' AND c.created_at <= om2.created_at AND (c.closed_at IS NULL OR c.closed_at >= om2.created_at)
          GROUP BY om2.id;
      ALTER TABLE om ADD COLUMN open_cases int;
      UPDATE om SET case_uuid = oo.case_id, case_disposition = 'migrated' FROM oo WHERE oo.id = om.id AND oo.n = 1;
      UPDATE om SET open_cases = 0 WHERE model = 'patient' AND case_uuid IS NULL;
      UPDATE om SET open_cases = oo.n FROM oo WHERE oo.id = om.id AND om.model = 'patient' AND om.case_uuid IS NULL;`);
    await this.genericSkips('dispatch_order', `(SELECT * FROM om WHERE model IS DISTINCT FROM 'patient')`);
    await this.q(`
      INSERT INTO d SELECT 'dispatch_order', id::text, NULL, NULL,
        CASE WHEN NOT patient_exists OR patient_disposition IN ('skipped', 'rejected') THEN 'skipped' ELSE 'rejected' END::public.legacy_disposition,
        CASE WHEN NOT patient_exists THEN format('orphan: dispatch_patient %s does not exist', target_id)
             WHEN patient_disposition IN ('skipped', 'rejected') THEN format('its patient (dispatch_patient %s) was not migrated: %s', target_id, patient_reason)
             WHEN open_cases = 0 THEN format('ambiguous: placed on dispatch_patient %s, and none of that person''s cases was open on %s', target_id, created_at)
             ELSE format('ambiguous: placed on dispatch_patient %s, and %s of that person''s cases were open on %s', target_id, open_cases, created_at) END,
        row_hash
      FROM om WHERE model = 'patient' AND app_label = 'dispatch' AND case_uuid IS NULL;
      INSERT INTO d SELECT 'dispatch_order', id::text, NULL, NULL, 'rejected', format('invalid value: status "%s" is not an order state', status), row_hash
        FROM om WHERE case_disposition = 'migrated' AND case_uuid IS NOT NULL AND state IS NULL;
      INSERT INTO d SELECT 'dispatch_order', id::text, NULL, NULL, 'rejected', format('invalid value: currency "%s"', currency), row_hash
        FROM om WHERE case_disposition = 'migrated' AND case_uuid IS NOT NULL AND state IS NOT NULL AND cur IS NULL;

      -- Items first: which are valid, and what they add up to.
      DROP TABLE IF EXISTS im;
      CREATE TEMP TABLE im AS
      SELECT i.*, (so.id IS NOT NULL) AS order_exists, mp.target_id AS product_uuid, mp.disposition AS product_disposition
      FROM s_dispatch_orderitem i LEFT JOIN s_dispatch_order so ON so.id = i.order_id
      LEFT JOIN public.legacy_id_map mp ON mp.legacy_table = 'dispatch_product' AND mp.legacy_id = i.product_id::text AND mp.disposition = 'migrated';
      ANALYZE im;
      CREATE INDEX ON im (order_id);

      DROP TABLE IF EXISTS ok_orders;
      CREATE TEMP TABLE ok_orders AS
      SELECT om.*, c.practice_id, coalesce(s.items_sum, 0) AS items_sum, coalesce(s.items, 0) AS items,
        row_number() OVER (PARTITION BY c.practice_id, btrim(om.number) ORDER BY om.created_at, om.id) AS number_rank
      FROM om JOIN public.cases c ON c.id = om.case_uuid
      LEFT JOIN (SELECT order_id, sum(quantity * unit_price) AS items_sum, count(*) AS items FROM im
                 WHERE product_uuid IS NOT NULL AND quantity > 0 AND unit_price >= 0 GROUP BY order_id) s ON s.order_id = om.id
      WHERE om.case_disposition = 'migrated' AND om.state IS NOT NULL AND om.cur IS NOT NULL AND NOT EXISTS (SELECT 1 FROM d WHERE d.legacy_table = 'dispatch_order' AND d.legacy_id = om.id::text);
      ANALYZE ok_orders;
      ALTER TABLE ok_orders ADD COLUMN order_number text, ADD COLUMN subtotal_new numeric(10,2), ADD COLUMN tax_new numeric(10,2), ADD COLUMN total_new numeric(10,2);
      UPDATE ok_orders SET order_number = CASE WHEN nullif(btrim(number), '') IS NOT NULL AND number_rank = 1
            AND NOT EXISTS (SELECT 1 FROM public.orders x WHERE x.practice_id = ok_orders.practice_id AND x.order_number = btrim(ok_orders.number) AND x.id <> pg_temp.lid('dispatch_order', ok_orders.id::text))
          THEN btrim(number) ELSE 'L-O' || id END,
        subtotal_new = CASE WHEN items > 0 THEN items_sum ELSE coalesce(subtotal, 0) END,
        tax_new = coalesce(tax, 0);
      UPDATE ok_orders SET total_new = subtotal_new + tax_new;`);
    // New orders, their states and items on the bulk write path (bulk-insert.ts): their triggers
    // are the audit and set_practice_id (the load names the practice), replayed set-based.
    await this.bulk('orders', {
      columns: ['id', 'case_id', 'practice_id', 'order_number', 'current_state', 'subtotal', 'tax_amount', 'total_amount', 'currency', 'notes', 'metadata', 'created_at', 'updated_at'],
      select: `
      SELECT pg_temp.lid('dispatch_order', id::text) AS id, case_uuid AS case_id, practice_id, order_number, state::public.order_state_enum AS current_state,
        subtotal_new AS subtotal, tax_new AS tax_amount, total_new AS total_amount, cur AS currency, nullif(btrim(notes), '') AS notes,
        jsonb_build_object('legacy', jsonb_build_object('order_id', id, 'number', number, 'status', status, 'subtotal', subtotal, 'tax', tax, 'total', total, 'currency', currency)) AS metadata,
        created_at, created_at AS updated_at
      FROM ok_orders`,
      key: 'id',
      conflict: `ON CONFLICT (id) DO UPDATE SET current_state = EXCLUDED.current_state, subtotal = EXCLUDED.subtotal, tax_amount = EXCLUDED.tax_amount,
        total_amount = EXCLUDED.total_amount, currency = EXCLUDED.currency, notes = EXCLUDED.notes, metadata = EXCLUDED.metadata, updated_at = now()`,
    });
    // The order's state history: its state as first read, then each change a later run sees.
    await this.bulk('order_states', {
      columns: ['order_id', 'practice_id', 'from_state', 'to_state', 'changed_by', 'reason', 'metadata', 'idempotency_key', 'created_at'],
      select: `
      SELECT pg_temp.lid('dispatch_order', o.id::text) AS order_id, o.practice_id,
        (SELECT s.to_state FROM public.order_states s WHERE s.order_id = pg_temp.lid('dispatch_order', o.id::text) ORDER BY s.created_at DESC LIMIT 1) AS from_state,
        o.state::public.order_state_enum AS to_state, '${SYSTEM_PROFILE_ID}'::uuid AS changed_by, format('legacy status "%s"', o.status) AS reason, jsonb_build_object('legacy_order_id', o.id) AS metadata,
        'legacy:dispatch_order:' || o.id || ':' || o.state AS idempotency_key, CASE WHEN o.seen THEN now() ELSE o.created_at END AS created_at
      FROM ok_orders o`,
      key: 'idempotency_key',
      conflict: 'ON CONFLICT (idempotency_key) DO NOTHING',
    });
    await this.q(`
      INSERT INTO d SELECT 'dispatch_order', id::text, 'orders', pg_temp.lid('dispatch_order', id::text), 'migrated',
        nullif(concat_ws('; ',
          CASE WHEN model = 'patient' THEN format('placed on dispatch_patient %s: attached to the case open at its date', target_id) END,
          CASE WHEN order_number <> coalesce(btrim(number), '') THEN format('order number "%s" blank or repeated: numbered %s', number, order_number) END,
          CASE WHEN subtotal IS DISTINCT FROM subtotal_new THEN format('subtotal %s recomputed from items: %s', coalesce(subtotal::text, 'NULL'), subtotal_new) END,
          CASE WHEN tax IS NULL THEN 'tax NULL: 0' END,
          CASE WHEN total IS DISTINCT FROM total_new THEN format('total %s recomputed: %s', coalesce(total::text, 'NULL'), total_new) END,
          CASE WHEN currency <> cur THEN format('currency "%s" read as %s', currency, cur) END,
          CASE WHEN lower(btrim(status)) <> replace(state, '_', ' ') AND lower(btrim(status)) <> state THEN format('status "%s" read as %s', status, state) END), ''),
        row_hash
      FROM ok_orders;`);
    await this.flush();
    await this.bulk('order_items', {
      columns: ['id', 'order_id', 'practice_id', 'product_id', 'quantity', 'unit_price', 'total_price', 'customizations'],
      select: `
      SELECT pg_temp.lid('dispatch_orderitem', i.id::text) AS id, o.target_id AS order_id, ord.practice_id, i.product_uuid AS product_id, i.quantity, i.unit_price, i.quantity * i.unit_price AS total_price,
        CASE WHEN pg_input_is_valid(i.options, 'jsonb') AND jsonb_typeof(i.options::jsonb) = 'object' THEN i.options::jsonb ELSE '{}'::jsonb END AS customizations
      FROM t_dispatch_orderitem t JOIN im i ON i.id = t.id
      JOIN public.legacy_id_map o ON o.legacy_table = 'dispatch_order' AND o.legacy_id = i.order_id::text AND o.disposition = 'migrated'
      JOIN public.orders ord ON ord.id = o.target_id
      WHERE i.product_uuid IS NOT NULL AND i.quantity > 0 AND i.unit_price >= 0`,
      key: 'id',
      conflict: 'ON CONFLICT (id) DO UPDATE SET quantity = EXCLUDED.quantity, unit_price = EXCLUDED.unit_price, total_price = EXCLUDED.total_price',
    });
    await this.q(`
      INSERT INTO d SELECT 'dispatch_orderitem', i.id::text,
        CASE WHEN o.disposition = 'migrated' AND i.product_uuid IS NOT NULL AND i.quantity > 0 AND i.unit_price >= 0 THEN 'order_items' END,
        CASE WHEN o.disposition = 'migrated' AND i.product_uuid IS NOT NULL AND i.quantity > 0 AND i.unit_price >= 0 THEN pg_temp.lid('dispatch_orderitem', i.id::text) END,
        CASE WHEN o.disposition = 'migrated' AND i.product_uuid IS NOT NULL AND i.quantity > 0 AND i.unit_price >= 0 THEN 'migrated'
             WHEN o.disposition IS DISTINCT FROM 'migrated' THEN 'skipped' ELSE 'rejected' END::public.legacy_disposition,
        CASE WHEN NOT i.order_exists THEN format('orphan: dispatch_order %s does not exist', i.order_id)
             WHEN o.disposition IS DISTINCT FROM 'migrated' THEN format('its order (dispatch_order %s) was not migrated', i.order_id)
             WHEN i.product_id IS NULL THEN 'no product (deleted in legacy): MDW needs one'
             WHEN i.product_uuid IS NULL THEN format('its product (dispatch_product %s) was not migrated', i.product_id)
             WHEN i.quantity <= 0 THEN format('invalid value: quantity %s', i.quantity)
             WHEN i.unit_price < 0 THEN format('invalid value: unit price %s', i.unit_price)
             WHEN btrim(i.options) <> '' AND NOT (pg_input_is_valid(i.options, 'jsonb') AND jsonb_typeof(i.options::jsonb) = 'object') THEN 'options are not valid JSON: dropped' END,
        t.row_hash
      FROM t_dispatch_orderitem t JOIN im i ON i.id = t.id
      LEFT JOIN public.legacy_id_map o ON o.legacy_table = 'dispatch_order' AND o.legacy_id = i.order_id::text;`);
    await this.flush();
  }

  // ---- instructions, files, projects --------------------------------------------------------

  private generic(table: string) {
    return `
      DROP TABLE IF EXISTS gm;
      CREATE TEMP TABLE gm AS
      SELECT x.*, ct.app_label, ct.model, sc.id IS NOT NULL AS case_exists, mc.disposition AS case_disposition, mc.target_id AS case_uuid, mc.reason AS case_reason
      FROM t_${table} x
      LEFT JOIN s_django_content_type ct ON ct.id = x.target_type_id
      LEFT JOIN s_dispatch_case sc ON sc.id = x.target_id AND (ct.app_label, ct.model) = ('dispatch', 'case')
      LEFT JOIN public.legacy_id_map mc ON mc.legacy_table = 'dispatch_case' AND mc.legacy_id = x.target_id::text AND (ct.app_label, ct.model) = ('dispatch', 'case');
      ANALYZE gm;`;
  }

  async instructions() {
    await this.q(this.generic('dispatch_instruction'));
    await this.genericSkips('dispatch_instruction', 'gm');
    await this.q(`
      INSERT INTO d SELECT 'dispatch_instruction', id::text, NULL, NULL, 'rejected', format('invalid value: status %s is not a known code (0, 1, 2, 3, 9)', status), row_hash
        FROM gm WHERE case_disposition = 'migrated' AND status NOT IN (0, 1, 2, 3, 9);`);
    await this.bulk('instruction_states', {
      columns: ['id', 'case_id', 'practice_id', 'instruction_type', 'status_code', 'is_active', 'changed_by', 'changed_at', 'metadata', 'legacy_instruction_id', 'notes', 'idempotency_key'],
      select: `
      SELECT pg_temp.lid('dispatch_instruction', g.id::text) AS id, g.case_uuid AS case_id, c.practice_id, btrim(g.instruction_type) AS instruction_type, g.status AS status_code, g.is_active,
        coalesce(mu.target_id, '${SYSTEM_PROFILE_ID}'::uuid) AS changed_by, g.changed_at, '{}'::jsonb AS metadata, g.id AS legacy_instruction_id, nullif(btrim(g.notes), '') AS notes,
        'legacy:dispatch_instruction:' || g.id AS idempotency_key
      FROM gm g JOIN public.cases c ON c.id = g.case_uuid
      LEFT JOIN public.legacy_id_map mu ON mu.legacy_table = 'auth_user' AND mu.legacy_id = g.changed_by_id::text AND mu.disposition IN ('migrated', 'merged')
      WHERE g.case_disposition = 'migrated' AND g.status IN (0, 1, 2, 3, 9)`,
      key: 'id',
      conflict: 'ON CONFLICT (id) DO UPDATE SET status_code = EXCLUDED.status_code, is_active = EXCLUDED.is_active, changed_at = EXCLUDED.changed_at, notes = EXCLUDED.notes',
    });
    await this.q(`
      INSERT INTO d SELECT 'dispatch_instruction', id::text, 'instruction_states', pg_temp.lid('dispatch_instruction', id::text), 'migrated', NULL, row_hash
        FROM gm WHERE case_disposition = 'migrated' AND status IN (0, 1, 2, 3, 9);`);
    await this.flush();
  }

  async files() {
    await this.valueMap('vm_file_kind', `SELECT DISTINCT kind AS v FROM t_dispatch_file`, N.fileKind);
    await this.q(this.generic('dispatch_file'));
    await this.genericSkips('dispatch_file', 'gm');
    await this.bulk('case_files', {
      columns: ['id', 'case_id', 'practice_id', 'uploaded_by', 'file_name', 'file_type', 'file_size', 'storage_path', 'mime_type', 'metadata', 'created_at'],
      select: `
      SELECT pg_temp.lid('dispatch_file', g.id::text) AS id, g.case_uuid AS case_id, c.practice_id, coalesce(mu.target_id, '${SYSTEM_PROFILE_ID}'::uuid) AS uploaded_by, g.name AS file_name,
        coalesce(v.value, 'other')::public.file_type_enum AS file_type, coalesce(g.size, 0) AS file_size, g.path AS storage_path, coalesce(nullif(btrim(g.mime), ''), 'application/octet-stream') AS mime_type,
        jsonb_build_object('legacy_file_id', g.id, 'legacy_kind', g.kind, 'size_unknown', g.size IS NULL) AS metadata, g.created_at
      FROM gm g JOIN public.cases c ON c.id = g.case_uuid LEFT JOIN vm_file_kind v ON v.raw = g.kind
      LEFT JOIN public.legacy_id_map mu ON mu.legacy_table = 'auth_user' AND mu.legacy_id = g.uploaded_by_id::text AND mu.disposition IN ('migrated', 'merged')
      WHERE g.case_disposition = 'migrated'`,
      key: 'id',
      conflict: 'ON CONFLICT (id) DO UPDATE SET file_name = EXCLUDED.file_name, file_size = EXCLUDED.file_size, storage_path = EXCLUDED.storage_path',
    });
    await this.q(`
      INSERT INTO d SELECT 'dispatch_file', g.id::text, 'case_files', pg_temp.lid('dispatch_file', g.id::text), 'migrated',
        nullif(concat_ws('; ', CASE WHEN g.size IS NULL THEN 'size NULL in legacy: stored as 0' END,
          CASE WHEN v.value IS NULL THEN format('unknown kind "%s": stored as other', g.kind) END), ''), g.row_hash
      FROM gm g LEFT JOIN vm_file_kind v ON v.raw = g.kind WHERE g.case_disposition = 'migrated';`);
    await this.flush();
  }

  async projects() {
    await this.valueMap('vm_project_type', `SELECT DISTINCT project_type AS v FROM t_dispatch_project`, N.projectType);
    await this.valueMap('vm_project_status', `SELECT DISTINCT status AS v FROM t_dispatch_project`, N.projectStatus);
    await this.q(`
      DROP TABLE IF EXISTS jm;
      CREATE TEMP TABLE jm AS
      SELECT p.*, mc.target_id AS case_uuid, mc.disposition AS case_disposition, coalesce(mpr.target_id, c.practice_id) AS practice_uuid,
        coalesce(mu.target_id, '${SYSTEM_PROFILE_ID}'::uuid) AS creator_uuid, mu.target_id IS NULL AS creator_missing, vt.value AS ptype, vs.value AS pstatus
      FROM t_dispatch_project p
      LEFT JOIN public.legacy_id_map mc ON mc.legacy_table = 'dispatch_case' AND mc.legacy_id = p.case_id::text AND mc.disposition = 'migrated'
      LEFT JOIN public.cases c ON c.id = mc.target_id
      LEFT JOIN public.legacy_id_map mpr ON mpr.legacy_table = 'dispatch_practice' AND mpr.legacy_id = p.practice_id::text
      LEFT JOIN public.legacy_id_map mu ON mu.legacy_table = 'auth_user' AND mu.legacy_id = p.creator_id::text AND mu.disposition IN ('migrated', 'merged')
      LEFT JOIN vm_project_type vt ON vt.raw = p.project_type
      LEFT JOIN vm_project_status vs ON vs.raw = p.status;
      ANALYZE jm;
      INSERT INTO d SELECT 'dispatch_project', id::text, NULL, NULL, 'rejected', 'no practice: the project has none and no migrated case', row_hash FROM jm WHERE practice_uuid IS NULL;
      INSERT INTO public.projects (id, legacy_id, practice_id, case_id, creator_id, name, project_type, status, file_size, storage_path, is_public, metadata, version, created_at, updated_at)
      SELECT pg_temp.lid('dispatch_project', id::text), id, practice_uuid, case_uuid, creator_uuid, name, coalesce(ptype, 'other')::public.project_type_enum,
        coalesce(pstatus, 'draft')::public.project_status_enum, greatest(file_size, 0), nullif(file_path, ''), is_public,
        jsonb_build_object('legacy_project_type', project_type, 'legacy_status', status), greatest(version, 1), created_at, created_at
      FROM jm WHERE practice_uuid IS NOT NULL
      ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, status = EXCLUDED.status, file_size = EXCLUDED.file_size, storage_path = EXCLUDED.storage_path;
      INSERT INTO d SELECT 'dispatch_project', id::text, 'projects', pg_temp.lid('dispatch_project', id::text), 'migrated',
        nullif(concat_ws('; ',
          CASE WHEN case_id IS NOT NULL AND case_uuid IS NULL THEN format('its case (dispatch_case %s) was not migrated: kept without case', case_id) END,
          CASE WHEN ptype IS NULL THEN format('unknown project type "%s": stored as other', project_type) END,
          CASE WHEN pstatus IS NULL AND btrim(status) <> '' THEN format('unknown status "%s": stored as draft', status) END,
          CASE WHEN creator_missing THEN format('creator (auth_user %s) not migrated: the system profile', creator_id) END,
          CASE WHEN parent_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM s_dispatch_project sp WHERE sp.id = jm.parent_id) THEN format('parent project %s does not exist: chain starts here', parent_id) END), ''),
        row_hash
      FROM jm WHERE practice_uuid IS NOT NULL;`);
    await this.flush();
    // Version chains: parents are linked once both ends exist (a parent may come in a later run).
    await this.q(`
      UPDATE public.projects p SET parent_project_id = m.target_id
      FROM s_dispatch_project s JOIN public.legacy_id_map m ON m.legacy_table = 'dispatch_project' AND m.legacy_id = s.parent_id::text AND m.disposition = 'migrated'
      WHERE p.id = pg_temp.lid('dispatch_project', s.id::text) AND p.parent_project_id IS DISTINCT FROM m.target_id;`);
  }

  // ---- live cases, reconciliation, report ----------------------------------------------------

  /**
   * The cases of the legacy rows read: joined from the staging, or, when readIncremental staged
   * only what changed, from every legacy case id it hashed (the live conditions filter first, so
   * only the few candidates compute their legacy uuid).
   */
  private liveScope(): string {
    return this.hashed.has('dispatch_case')
      ? `JOIN (SELECT id::text AS legacy_id FROM h_dispatch_case) h ON h.legacy_id = c.metadata->'legacy'->>'case_id' AND c.id = pg_temp.lid('dispatch_case', h.legacy_id)`
      : `JOIN s_dispatch_case s ON c.id = pg_temp.lid('dispatch_case', s.id::text)`;
  }

  /** Migrated cases that are neither completed nor cancelled and have no workflow yet. */
  async liveCount(): Promise<number> {
    const r = await this.q<{ n: string }>(`SELECT count(*) AS n FROM public.cases c ${this.liveScope()}
      WHERE c.closed_at IS NULL AND c.current_state NOT IN ('completed', 'cancelled') AND c.workflow_started_at IS NULL AND c.workflow_template_id IS NOT NULL`);
    return Number(r.rows[0]!.n);
  }

  /** One page of liveCases, after `after` in (created_at, id) order. */
  async liveCases(after: LiveCase | null = null, limit = 1_000_000_000): Promise<LiveCase[]> {
    const r = await this.q<LiveCase>(`
      SELECT c.id AS "caseId", c.practice_id AS "practiceId", c.patient_id AS "patientId", c.case_number AS "caseNumber", c.case_type::text AS "caseType",
        c.priority::text AS priority, c.workflow_template_id AS "templateId", (c.metadata->'legacy'->>'case_id')::int AS "legacyCaseId",
        c.current_state::text AS state, coalesce(c.metadata->'legacy_position'->>'since', c.created_at::text) AS since, c.created_at::text AS "createdAt",
        c.metadata->'legacy_position'->>'resume_state' AS "resumeState", coalesce((c.metadata->'legacy_position'->>'awaiting_approval')::boolean, false) AS "awaitingApproval"
      FROM public.cases c ${this.liveScope()}
      WHERE c.closed_at IS NULL AND c.current_state NOT IN ('completed', 'cancelled') AND c.workflow_started_at IS NULL AND c.workflow_template_id IS NOT NULL
        AND ($1::timestamptz IS NULL OR (c.created_at, c.id) > ($1::timestamptz, $2::uuid))
      ORDER BY c.created_at, c.id LIMIT $3`, [after?.createdAt ?? null, after?.caseId ?? null, limit]);
    return r.rows;
  }

  async liveWithoutTemplate(): Promise<number> {
    const r = await this.q<{ n: string }>(`SELECT count(*) AS n FROM public.cases c ${this.liveScope()}
      WHERE c.closed_at IS NULL AND c.current_state NOT IN ('completed', 'cancelled') AND c.workflow_template_id IS NULL`);
    return Number(r.rows[0]!.n);
  }

  async reconcile(counts: Record<string, number>, read: Record<string, number>): Promise<TableCounts[]> {
    const out: TableCounts[] = [];
    const gone = await deletedCounts((sql, p) => this.q(sql, p));
    for (const t of RECONCILED_TABLES) {
      if (read[t] === undefined) continue;
      // A hashed table: its unchanged rows' lines were counted by the comparison (cmp_<t>, no line
      // of theirs is written by this run: lines come from t_<t>), and only the new and changed
      // rows are looked up again. Otherwise every staged row is.
      const r = await this.q<{ disposition: string; n: string }>(this.hashed.has(t)
        ? `SELECT disposition::text, sum(n) AS n FROM (
             SELECT prev_disposition AS disposition, n FROM cmp_${t} WHERE same
             UNION ALL SELECT m.disposition, 1 FROM cmp_${t} c
               JOIN public.legacy_id_map m ON m.legacy_table = '${t}' AND m.legacy_id = c.id::text AND m.row_hash = c.row_hash WHERE NOT c.same) x GROUP BY 1`
        : `
        SELECT m.disposition::text, count(*) AS n FROM ${stageName(t)} s
        JOIN public.legacy_id_map m ON m.legacy_table = '${t}' AND m.legacy_id = s.id::text AND m.row_hash = s.row_hash GROUP BY 1`);
      const by = Object.fromEntries(r.rows.map((x) => [x.disposition, Number(x.n)]));
      const rc = (await this.q<{ new_rows: number; changed_rows: number }>(`select new_rows, changed_rows from run_counts where legacy_table = $1`, [t])).rows[0];
      const row: TableCounts = {
        table: t,
        read: counts[t] ?? 0,
        migrated: by.migrated ?? 0,
        merged: by.merged ?? 0,
        skipped: by.skipped ?? 0,
        rejected: by.rejected ?? 0,
        unaccounted: 0,
        new: rc?.new_rows ?? 0,
        changed: rc?.changed_rows ?? 0,
        deletedInLegacy: gone[t] ?? 0,
      };
      row.unaccounted = row.read - row.migrated - row.merged - row.skipped - row.rejected;
      out.push(row);
    }
    return out;
  }

  private readonly notMigratedSql = `
      SELECT m.legacy_table AS table, m.legacy_id AS id, m.disposition::text, m.reason FROM public.legacy_id_map m
      WHERE m.disposition <> 'migrated' AND m.legacy_table = ANY ($1) ORDER BY m.legacy_table, length(m.legacy_id), m.legacy_id`;

  async notMigrated(limit: number) {
    const r = await this.q<{ table: string; id: string; disposition: string; reason: string | null }>(`${this.notMigratedSql} LIMIT $2`, [RECONCILED_TABLES, limit]);
    return r.rows;
  }

  async notMigratedCount(): Promise<number> {
    const r = await this.q<{ n: string }>(`SELECT count(*) AS n FROM public.legacy_id_map m WHERE m.disposition <> 'migrated' AND m.legacy_table = ANY ($1)`, [RECONCILED_TABLES]);
    return Number(r.rows[0]!.n);
  }

  /** The report as JSON into `file`, every row not migrated and every row deleted in legacy streamed from a cursor. */
  async writeReport(report: MigrationReport, file: string) {
    const lists = [
      { key: 'notMigrated', sql: this.notMigratedSql.replace('$1', lit(`{${RECONCILED_TABLES.join(',')}}`)) },
      { key: 'deletedInLegacy', sql: DELETED_SQL },
    ];
    const text = JSON.stringify({ ...report, ...Object.fromEntries(lists.map((l) => [l.key, `@@${l.key}@@`])) }, null, 2);
    const out = createWriteStream(file);
    const write = (chunk: string) => new Promise<void>((resolve, reject) => (out.write(chunk) ? resolve() : out.once('drain', resolve).once('error', reject)));
    try {
      const inTx = this.dryRun;
      if (!inTx) await this.q('BEGIN');
      let from = 0;
      for (const l of lists) {
        const marker = `"@@${l.key}@@"`;
        const at = text.indexOf(marker);
        await write(text.slice(from, at) + '[');
        await this.q(`DECLARE nm_cur NO SCROLL CURSOR FOR ${l.sql}`);
        let first = true;
        for (;;) {
          const batch = await this.q(`FETCH 5000 FROM nm_cur`);
          if (batch.rows.length === 0) break;
          const parts: string[] = [];
          for (const r of batch.rows) {
            parts.push(`${first ? '' : ','}\n    ${JSON.stringify(r)}`);
            first = false;
          }
          await write(parts.join(''));
        }
        await this.q('CLOSE nm_cur');
        await write(`${first ? '' : '\n  '}]`);
        from = at + marker.length;
      }
      if (!inTx) await this.q('COMMIT');
      await write(text.slice(from));
    } finally {
      await new Promise<void>((resolve) => out.end(resolve));
    }
  }

  async missing(all: string[], read: Record<string, number>) {
    return all.filter((t) => read[t] === undefined);
  }
}

type AnyClassifier = IntentClassifier | BatchIntentClassifier;

/** The classifier's model id for the record of a transition. */
function modelOf(c: AnyClassifier): string {
  const m = c as Partial<BatchIntentClassifier> & { models?: string[] };
  return m.model ?? m.models?.join('+') ?? 'classifier';
}

/** Many texts through a classifier: in one batch when it can, else one by one. */
async function classifyMany(c: AnyClassifier, texts: string[]) {
  if ('classifyMany' in c) return c.classifyMany(texts);
  const out = [];
  for (const t of texts) out.push(await c.classify(t));
  return out;
}

/** One row of COPY text format. */
function copyRow(values: unknown[]): string {
  return values.map(copyValue).join('\t') + '\n';
}

const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One value in COPY text format: most values have nothing to escape, and are tested once. */
function copyValue(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  const s = String(v);
  return COPY_SPECIAL.test(s) ? s.replace(/[\\\t\n\r]/g, (ch) => COPY_ESCAPES[ch]!) : s;
}

async function copyInto(db: pg.Client, table: string, rows: string[]): Promise<void> {
  const stream = db.query(copyFrom(`COPY ${table} FROM STDIN`));
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    stream.on('finish', resolve);
    stream.end(rows.join(''));
  });
}
