/**
 * Embeddings: the model registry, the queue the pipeline drains, and the per-kind embedding
 * tables (case/message/project/patient_embeddings). Plain functions taking `db` first.
 *
 * Every vector is stored with its model; each model has its own partial HNSW index per table
 * (`WHERE model = '<model>'`), so an index never mixes models and a search names its model.
 * The tables are partitioned by practice (db 0063): the index on the parent is one graph per
 * partition, and every write names practice_id (the partition key).
 */
import { createHash } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/database';
import type { TextKind } from '../ai/text';

export interface KindSpec {
  table: 'case_embeddings' | 'message_embeddings' | 'project_embeddings' | 'patient_embeddings';
  fk: 'case_id' | 'message_id' | 'project_id' | 'patient_id';
  /** embedding_content_type of the row (message_embeddings has no such column). */
  contentType: 'case_summary' | 'notes' | null;
  source: 'cases' | 'case_messages' | 'projects' | 'patients';
}

export const KINDS: Record<TextKind, KindSpec> = {
  case: { table: 'case_embeddings', fk: 'case_id', contentType: 'case_summary', source: 'cases' },
  message: { table: 'message_embeddings', fk: 'message_id', contentType: null, source: 'case_messages' },
  project: { table: 'project_embeddings', fk: 'project_id', contentType: 'notes', source: 'projects' },
  patient: { table: 'patient_embeddings', fk: 'patient_id', contentType: 'notes', source: 'patients' },
};

const MODEL_ID = /^[a-z0-9][a-z0-9._/@-]*$/;

/** Throws unless `model` is of the alphabet a model id may use (modelLiteral's check alone). */
export function checkModelId(model: string): void {
  if (!MODEL_ID.test(model)) throw new Error(`invalid embedding model id ${JSON.stringify(model)}`);
}

/** A model id is interpolated into index predicates and queries: only this alphabet is allowed. */
export function modelLiteral(model: string): RawBuilder<unknown> {
  checkModelId(model);
  return sql.lit(model);
}

export function hnswIndexName(table: string, model: string): string {
  return `${table}_hnsw_${createHash('sha1').update(model).digest('hex').slice(0, 12)}`;
}

export interface ModelRow {
  model: string;
  dimensions: number;
  state: 'building' | 'active' | 'retired';
  reindex_total: number;
  reindex_done: number;
}

export async function listModels(db: Db): Promise<ModelRow[]> {
  const r = await sql<ModelRow>`SELECT model, dimensions, state, reindex_total, reindex_done FROM embedding_models ORDER BY created_at`.execute(db);
  return r.rows;
}

/** The models new texts are embedded with: the active one and, during a reindex, the new one. */
export async function liveModels(db: Db): Promise<ModelRow[]> {
  return (await listModels(db)).filter((m) => m.state !== 'retired');
}

export async function activeModel(db: Db): Promise<ModelRow | undefined> {
  return (await listModels(db)).find((m) => m.state === 'active');
}

/** Creates the model's partial HNSW index on every embedding table (idempotent). */
export async function ensureModelIndexes(db: Db, model: string, dimensions: number): Promise<void> {
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > 4000) throw new Error(`invalid dimensions ${dimensions}`);
  for (const { table } of Object.values(KINDS)) {
    await sql`CREATE INDEX IF NOT EXISTS ${sql.id(hnswIndexName(table, model))} ON ${sql.table(table)}
      USING hnsw ((embedding::halfvec(${sql.lit(dimensions)})) halfvec_cosine_ops) WHERE model = ${modelLiteral(model)}`.execute(db);
  }
}

/**
 * A practice with at least this many rows of one embedding table in the shared DEFAULT partition
 * gets its own partition of that table, with its own graph per model (db 0115/0116): its searches
 * then walk a graph of its rows alone. Smaller practices share the DEFAULT's 32 hash partitions.
 */
export const OWN_PARTITION_MIN_ROWS = 5000;

/**
 * Gives every practice past `minRows` rows of a table its own partition of that table
 * (`embedding_partitions.own_large_practices()`, db 0115). A maintenance step, never a request:
 * it holds an exclusive lock on each table it changes while it copies the practice's rows and
 * builds its graphs. Returns how many partitions it created.
 */
export async function ownLargePractices(db: Db, minRows: number = OWN_PARTITION_MIN_ROWS): Promise<number> {
  if (!Number.isInteger(minRows) || minRows < 1) throw new Error(`invalid minRows ${minRows}`);
  const r = await sql<{ n: number }>`SELECT embedding_partitions.own_large_practices(${minRows}::int) AS n`.execute(db);
  return r.rows[0]!.n;
}

/** Gives these practices their own partition of `table` now, whatever their size (db 0115). */
export async function ownPartitions(db: Db, table: KindSpec['table'], practiceIds: readonly string[]): Promise<number> {
  const r = await sql<{ n: number }>`SELECT embedding_partitions.own_partitions(${table}::text, ${[...practiceIds]}::uuid[]) AS n`.execute(db);
  return r.rows[0]!.n;
}

/** Practices with their own partition, per table (the rest share the DEFAULT). */
export async function ownPartitionCounts(db: Db): Promise<Record<KindSpec['table'], number>> {
  const r = await sql<{ table: KindSpec['table']; n: number }>`
    SELECT p.relname AS table, count(*)::int AS n FROM pg_inherits h JOIN pg_class p ON p.oid = h.inhparent JOIN pg_class c ON c.oid = h.inhrelid
     WHERE p.relnamespace = 'public'::regnamespace AND p.relname IN ('case_embeddings', 'message_embeddings', 'project_embeddings', 'patient_embeddings')
       AND c.relname <> p.relname || '_default'
     GROUP BY p.relname`.execute(db);
  const out = { case_embeddings: 0, message_embeddings: 0, project_embeddings: 0, patient_embeddings: 0 };
  for (const row of r.rows) out[row.table] = row.n;
  return out;
}

/**
 * First start: the configured model becomes the active one (with its indexes, and every existing
 * text queued). Later starts change nothing: switching models is `mdw ai reindex`.
 * @returns the active model
 */
export async function ensureActiveModel(db: Db, model: string, dimensions: number): Promise<ModelRow> {
  const current = await activeModel(db);
  if (current) return current;
  await ensureModelIndexes(db, model, dimensions);
  await db.transaction().execute(async (trx) => {
    await sql`INSERT INTO embedding_models (model, dimensions, state, activated_at) VALUES (${model}, ${dimensions}, 'active', now())
      ON CONFLICT (model) DO UPDATE SET state = 'active', activated_at = now(), retired_at = NULL, dimensions = EXCLUDED.dimensions`.execute(trx);
    await enqueueAll(trx);
  });
  return (await activeModel(db))!;
}

/** Queues every text (texts already embedded with an unchanged hash cost a lookup, not a model call). */
export async function enqueueAll(db: Db): Promise<void> {
  await sql`INSERT INTO embedding_queue (kind, source_id, practice_id)
      SELECT 'case', id, practice_id FROM cases
      UNION ALL SELECT 'message', id, practice_id FROM case_messages
      UNION ALL SELECT 'project', id, practice_id FROM projects
      UNION ALL SELECT 'patient', id, practice_id FROM patients WHERE clinical_summary IS NOT NULL
    ON CONFLICT (kind, source_id) DO NOTHING`.execute(db);
}

export interface QueueItem {
  kind: TextKind;
  source_id: string;
  /** Text, not Date: microseconds matter for the compare-and-delete in dequeue(). */
  queued_at: string;
}

/** The oldest queued texts, claimed or not (a look at the queue; the pipeline uses claimQueued). */
export async function nextQueued(db: Db, limit: number): Promise<QueueItem[]> {
  const r = await sql<QueueItem>`SELECT kind, source_id, queued_at::text AS queued_at FROM embedding_queue ORDER BY queued_at LIMIT ${limit}`.execute(db);
  return r.rows;
}

/**
 * Claims the oldest queued texts nobody holds (no lease, or an expired one) for `claimant` until
 * `leaseMs` from now (db 0089). Every worker runs the pipeline: SKIP LOCKED lets two steps
 * claiming at once take different entries instead of waiting, and the lease keeps a claimed
 * entry from the others while it is embedded outside any transaction. A claimant that dies
 * leaves its lease to expire; the entries are then claimed again.
 */
export async function claimQueued(db: Db, limit: number, claimant: string, leaseMs: number): Promise<QueueItem[]> {
  const r = await sql<QueueItem>`UPDATE embedding_queue q
       SET claimed_by = ${claimant}, claimed_until = clock_timestamp() + make_interval(secs => ${leaseMs / 1000}::float8)
     WHERE (q.kind, q.source_id) IN (
       SELECT kind, source_id FROM embedding_queue
        WHERE claimed_until IS NULL OR claimed_until < clock_timestamp()
        ORDER BY queued_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
    RETURNING q.kind, q.source_id, q.queued_at::text AS queued_at`.execute(db);
  return r.rows.sort((a, b) => (a.queued_at < b.queued_at ? -1 : a.queued_at > b.queued_at ? 1 : 0));
}

/**
 * Gives up `claimant`'s claim on these entries (those still queued: edited meanwhile, or a failed
 * step), so the next step takes them without waiting for the lease. An entry another claimant
 * took over after the lease expired keeps that claim.
 */
export async function releaseClaims(db: Db, items: readonly QueueItem[], claimant: string): Promise<void> {
  if (items.length === 0) return;
  await sql`UPDATE embedding_queue SET claimed_by = NULL, claimed_until = NULL
     WHERE claimed_by = ${claimant} AND (kind, source_id) IN (${sql.join(items.map((it) => sql`(${it.kind}, ${it.source_id}::uuid)`))})`.execute(db);
}

/** Texts waiting to be embedded, claimed ones included (the worker's health and metrics report it). */
export async function backlog(db: Db): Promise<number> {
  const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM embedding_queue`.execute(db);
  return r.rows[0]?.n ?? 0;
}

export interface SourceText {
  kind: TextKind;
  id: string;
  practice_id: string;
  /** Whose consent governs the text (null: a project without a case). */
  patient_id: string | null;
  text: string;
}

/** The current text of each source; deleted sources are simply absent. */
export async function loadSources(db: Db, kind: TextKind, ids: readonly string[]): Promise<SourceText[]> {
  if (ids.length === 0) return [];
  const list = sql.join(ids.map((id) => sql`${id}::uuid`));
  let q;
  switch (kind) {
    case 'case':
      q = sql<SourceText>`SELECT 'case' AS kind, c.id, c.practice_id, c.patient_id, c.title || E'\n' || coalesce(c.description, '') AS text
        FROM cases c WHERE c.id IN (${list})`;
      break;
    case 'message':
      q = sql<SourceText>`SELECT 'message' AS kind, m.id, m.practice_id, c.patient_id, coalesce(m.subject || E'\n', '') || m.content AS text
        FROM case_messages m JOIN cases c ON c.id = m.case_id WHERE m.id IN (${list})`;
      break;
    case 'project':
      q = sql<SourceText>`SELECT 'project' AS kind, p.id, p.practice_id, c.patient_id, p.name || E'\n' || coalesce(p.metadata ->> 'notes', '') AS text
        FROM projects p LEFT JOIN cases c ON c.id = p.case_id WHERE p.id IN (${list})`;
      break;
    case 'patient':
      q = sql<SourceText>`SELECT 'patient' AS kind, p.id, p.practice_id, p.id AS patient_id, p.clinical_summary AS text
        FROM patients p WHERE p.id IN (${list}) AND p.clinical_summary IS NOT NULL`;
      break;
  }
  return (await q.execute(db)).rows;
}

/** content_hash per (source, chunk) already stored for a model. */
export async function storedHashes(db: Db, kind: TextKind, model: string, ids: readonly string[]): Promise<Map<string, string[]>> {
  const k = KINDS[kind];
  const out = new Map<string, string[]>();
  if (ids.length === 0) return out;
  const r = await sql<{ id: string; chunk: number; content_hash: string }>`
    SELECT ${sql.ref(k.fk)} AS id, chunk, content_hash FROM ${sql.table(k.table)}
     WHERE model = ${model} AND ${sql.ref(k.fk)} IN (${sql.join(ids.map((id) => sql`${id}::uuid`))})`.execute(db);
  for (const row of r.rows) {
    const list = out.get(row.id) ?? [];
    list[row.chunk] = row.content_hash;
    out.set(row.id, list);
  }
  return out;
}

export interface EmbeddingRow {
  kind: TextKind;
  sourceId: string;
  practiceId: string;
  model: string;
  chunk: number;
  text: string;
  hash: string;
  vector: number[];
}

/** Patients whose AI-processing consent is withdrawn (locks them FOR SHARE until commit). */
export async function withdrawnPatients(db: Db, patientIds: readonly string[]): Promise<Set<string>> {
  if (patientIds.length === 0) return new Set();
  const ids = sql.join(patientIds.map((id) => sql`${id}::uuid`));
  // The lock serialises with a consent withdrawal (its trigger locks the patient FOR UPDATE):
  // either the withdrawal commits first and we see it, or it waits and deletes what we wrote.
  await sql`SELECT 1 FROM patients WHERE id IN (${ids}) ORDER BY id FOR SHARE`.execute(db);
  const r = await sql<{ id: string }>`SELECT p.id FROM patients p WHERE p.id IN (${ids}) AND NOT public.ai_processing_allowed(p.id)`.execute(db);
  return new Set(r.rows.map((x) => x.id));
}

export interface ChunkCount {
  sourceId: string;
  kind: TextKind;
  model: string;
  count: number;
}

/**
 * Upserts chunks and removes a source's surplus chunks of that model (the text got shorter).
 * Vectors of a retired model are not written: a job that embedded a text just before a reindex
 * switched models would otherwise leave the old model's vector behind after dropModelData().
 * The models' rows are read FOR SHARE, so activateBuilt()'s retiring UPDATE waits for a write in
 * flight to commit, and dropModelData() (after it) then deletes what that write stored.
 */
export async function writeEmbeddings(db: Db, rows: readonly EmbeddingRow[], chunkCounts: readonly ChunkCount[] = []): Promise<void> {
  const models = [...new Set([...rows.map((r) => r.model), ...chunkCounts.map((c) => c.model)])];
  if (models.length === 0) return;
  const write = async (trx: Db) => {
    const locked = await sql<{ model: string; state: string }>`SELECT model, state FROM embedding_models WHERE model = ANY(${models}::text[]) FOR SHARE`.execute(trx);
    const retired = new Set(locked.rows.filter((m) => m.state === 'retired').map((m) => m.model));
    await writeLiveEmbeddings(
      trx,
      rows.filter((r) => !retired.has(r.model)),
      chunkCounts.filter((c) => !retired.has(c.model)),
    );
  };
  await (db.isTransaction ? write(db) : db.transaction().execute(write));
}

async function writeLiveEmbeddings(db: Db, rows: readonly EmbeddingRow[], chunkCounts: readonly ChunkCount[]): Promise<void> {
  // One statement per kind (the rows as arrays, unnest()), not one per row: a batch of 32 texts
  // was 32 round trips, each waiting for both processes to be scheduled on a loaded machine
  // (session 11, bench/pipeline-throughput.ts). A key twice in one statement would be an error
  // (ON CONFLICT DO UPDATE cannot change a row twice): the last row of a key wins, as the upserts
  // one after the other let it.
  const last = new Map<string, EmbeddingRow>();
  for (const r of rows) {
    const key = `${r.kind}:${r.sourceId}:${r.model}:${r.chunk}`;
    last.delete(key);
    last.set(key, r);
  }
  for (const kind of Object.keys(KINDS) as TextKind[]) {
    const ofKind = [...last.values()].filter((r) => r.kind === kind);
    if (ofKind.length === 0) continue;
    const k = KINDS[kind];
    // unnest() yields the arrays' elements in order: rows land in the order given.
    const source = sql`unnest(${ofKind.map((r) => r.sourceId)}::uuid[], ${ofKind.map((r) => r.practiceId)}::uuid[], ${ofKind.map((r) => r.text)}::text[],
        ${ofKind.map((r) => `[${r.vector.join(',')}]`)}::text[], ${ofKind.map((r) => r.model)}::text[], ${ofKind.map((r) => r.hash)}::text[], ${ofKind.map((r) => r.chunk)}::int[])
        AS v(source_id, practice_id, content_text, embedding, model, content_hash, chunk)`;
    const cols = k.contentType ? sql`(${sql.ref(k.fk)}, practice_id, content_type, content_text, embedding, model, content_hash, chunk)` : sql`(${sql.ref(k.fk)}, practice_id, content_text, embedding, model, content_hash, chunk)`;
    const vals = k.contentType
      ? sql`SELECT v.source_id, v.practice_id, ${k.contentType}::embedding_content_type, v.content_text, v.embedding::halfvec, v.model, v.content_hash, v.chunk FROM ${source}`
      : sql`SELECT v.source_id, v.practice_id, v.content_text, v.embedding::halfvec, v.model, v.content_hash, v.chunk FROM ${source}`;
    // The source key includes practice_id, the partition key (db 0063); a source's practice is fixed.
    const key = k.contentType ? sql`(${sql.ref(k.fk)}, content_type, model, chunk, practice_id)` : sql`(${sql.ref(k.fk)}, model, chunk, practice_id)`;
    await sql`INSERT INTO ${sql.table(k.table)} ${cols} ${vals}
      ON CONFLICT ${key} DO UPDATE SET content_text = EXCLUDED.content_text, embedding = EXCLUDED.embedding,
        content_hash = EXCLUDED.content_hash, updated_at = now()
      WHERE ${sql.table(k.table)}.content_hash IS DISTINCT FROM EXCLUDED.content_hash`.execute(db);
  }
  for (const { sourceId, kind, model, count } of chunkCounts) {
    const k = KINDS[kind];
    await sql`DELETE FROM ${sql.table(k.table)} WHERE ${sql.ref(k.fk)} = ${sourceId}::uuid AND model = ${model} AND chunk >= ${count}`.execute(db);
  }
}

/** Removes these sources' embeddings of every model (consent withdrawn, text emptied), one statement. */
export async function deleteEmbeddings(db: Db, kind: TextKind, sourceIds: string | readonly string[]): Promise<void> {
  const ids = typeof sourceIds === 'string' ? [sourceIds] : [...sourceIds];
  if (ids.length === 0) return;
  const k = KINDS[kind];
  await sql`DELETE FROM ${sql.table(k.table)} WHERE ${sql.ref(k.fk)} = ANY(${ids}::uuid[])`.execute(db);
}

/**
 * Done with these queue entries, unless the text was edited again meanwhile (newer queued_at).
 * One statement for the batch (it was one per entry: session 11).
 */
export async function dequeue(db: Db, items: readonly QueueItem[]): Promise<void> {
  if (items.length === 0) return;
  await sql`DELETE FROM embedding_queue q
     USING unnest(${items.map((it) => it.kind)}::text[], ${items.map((it) => it.source_id)}::uuid[], ${items.map((it) => it.queued_at)}::timestamptz[]) AS d(kind, source_id, queued_at)
     WHERE q.kind = d.kind AND q.source_id = d.source_id AND q.queued_at = d.queued_at`.execute(db);
}

/**
 * Registers `model` as the one being built by a reindex (with its indexes) and counts the texts
 * to embed. A different model already building is refused; the same one resumes.
 */
export async function startBuilding(db: Db, model: string, dimensions: number): Promise<ModelRow> {
  const models = await listModels(db);
  const building = models.find((m) => m.state === 'building');
  if (building && building.model !== model) throw new Error(`model ${building.model} is already being built: wait for it, or let it finish first`);
  if (models.find((m) => m.state === 'active')?.model === model) throw new Error(`model ${model} is already the active model`);
  await ensureModelIndexes(db, model, dimensions);
  const total = await sql<{ n: number }>`SELECT ((SELECT count(*) FROM cases) + (SELECT count(*) FROM case_messages)
      + (SELECT count(*) FROM projects) + (SELECT count(*) FROM patients WHERE clinical_summary IS NOT NULL))::int AS n`.execute(db);
  await sql`INSERT INTO embedding_models (model, dimensions, state, reindex_total, reindex_done)
      VALUES (${model}, ${dimensions}, 'building', ${total.rows[0]!.n}, 0)
    ON CONFLICT (model) DO UPDATE SET state = 'building', dimensions = EXCLUDED.dimensions, retired_at = NULL,
      reindex_total = EXCLUDED.reindex_total, reindex_done = CASE WHEN embedding_models.state = 'building' THEN embedding_models.reindex_done ELSE 0 END`.execute(db);
  return (await listModels(db)).find((m) => m.model === model)!;
}

/** Ids of one kind's sources after `after`, in id order (the reindex's cursor). */
export async function sourceIdsAfter(db: Db, kind: TextKind, after: string | null, limit: number): Promise<string[]> {
  const k = KINDS[kind];
  const r = await sql<{ id: string }>`SELECT id FROM ${sql.table(k.source)}
     WHERE (${after}::uuid IS NULL OR id > ${after}::uuid) ${kind === 'patient' ? sql`AND clinical_summary IS NOT NULL` : sql``}
     ORDER BY id LIMIT ${limit}`.execute(db);
  return r.rows.map((x) => x.id);
}

export async function addReindexProgress(db: Db, model: string, n: number): Promise<void> {
  await sql`UPDATE embedding_models SET reindex_done = least(reindex_total, reindex_done + ${n}) WHERE model = ${model}`.execute(db);
}

/**
 * Switches search to the built model: it becomes active and the previous active one retired.
 * @returns the retired model, whose vectors and indexes dropModelData() then removes
 */
export async function activateBuilt(db: Db, model: string): Promise<string | null> {
  return db.transaction().execute(async (trx) => {
    const rows = await sql<ModelRow>`SELECT model, state FROM embedding_models WHERE state IN ('active', 'building') FOR UPDATE`.execute(trx);
    const target = rows.rows.find((m) => m.model === model);
    if (!target) {
      if ((await activeModel(trx))?.model === model) return null; // already switched (a retried activity)
      throw new Error(`model ${model} is not being built`);
    }
    const old = rows.rows.find((m) => m.state === 'active')?.model ?? null;
    await sql`UPDATE embedding_models SET state = 'retired', retired_at = now() WHERE state = 'active'`.execute(trx);
    await sql`UPDATE embedding_models SET state = 'active', activated_at = now(), reindex_done = reindex_total WHERE model = ${model}`.execute(trx);
    return old;
  });
}

/** Deletes a retired model's vectors, a batch at a time, then its indexes. @returns rows deleted */
export async function dropModelData(db: Db, model: string, batch = 5_000): Promise<number> {
  let deleted = 0;
  for (const { table } of Object.values(KINDS)) {
    for (;;) {
      // The tables are partitioned (0063): a ctid is only unique within its partition, so the
      // batch is keyed by (tableoid, ctid), and the model is checked again on the deleted rows.
      const r = await sql`DELETE FROM ${sql.table(table)} WHERE model = ${model}
          AND (tableoid, ctid) IN (SELECT tableoid, ctid FROM ${sql.table(table)} WHERE model = ${model} LIMIT ${batch})`.execute(db);
      deleted += Number(r.numAffectedRows ?? 0);
      if (Number(r.numAffectedRows ?? 0) < batch) break;
    }
    await sql`DROP INDEX IF EXISTS ${sql.id(hnswIndexName(table, model))}`.execute(db);
  }
  return deleted;
}
