/**
 * One step of the embedding pipeline: claim the oldest queued texts, chunk them, embed what
 * changed (content hash per chunk and model) with every live model, write, dequeue. Called by
 * the pipeline's Temporal activity; everything it does is idempotent, so a retry after a crash or
 * a provider failure repeats nothing harmful, and a failed batch stays queued.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database';
import * as repo from '../repositories/embeddings.repository';
import type { EmbeddingProvider } from './providers/types';
import { chunkText, contentHash, expandOrtho, TEXT_KINDS } from './text';

export interface PipelineStep {
  /** Queue entries handled (embedded, unchanged, skipped for consent, or source gone). */
  handled: number;
  /** Chunks sent to a model. */
  embedded: number;
  /** Queue entries left after this step. */
  backlog: number;
}

export interface PipelineDeps {
  db: Db;
  providers: (model: string) => EmbeddingProvider;
}

/** What a model sees for a chunk: shorthand expanded (see expandOrtho). */
export const embeddingInput = (chunk: string) => expandOrtho(chunk);

/**
 * How long a step holds the entries it claimed: the pipeline activity's startToCloseTimeout
 * (src/workflows/embedding.workflow.ts), after which Temporal gives the attempt up anyway.
 */
export const CLAIM_LEASE_MS = 5 * 60_000;

export interface EmbedQueuedOptions {
  /** Lease on the claimed entries (default CLAIM_LEASE_MS). */
  leaseMs?: number;
}

export async function embedQueued(deps: PipelineDeps, limit: number, opts: EmbedQueuedOptions = {}): Promise<PipelineStep> {
  const { db } = deps;
  const models = await repo.liveModels(db);
  if (models.length === 0) return { handled: 0, embedded: 0, backlog: await repo.backlog(db) };
  // Claimed, not just read: every worker runs this step, and each batch is embedded once (db 0089).
  const claimant = randomUUID();
  const queue = await repo.claimQueued(db, limit, claimant, opts.leaseMs ?? CLAIM_LEASE_MS);
  if (queue.length === 0) return { handled: 0, embedded: 0, backlog: await repo.backlog(db) };
  let embedded: number;
  try {
    const sources: repo.SourceText[] = [];
    for (const kind of TEXT_KINDS) {
      const ids = queue.filter((q) => q.kind === kind).map((q) => q.source_id);
      sources.push(...(await repo.loadSources(db, kind, ids)));
    }
    // Entries whose text is gone (a patient's clinical summary cleared): their vectors go too,
    // or search would go on matching a text nobody keeps. Checked again in the transaction, so
    // a text written meanwhile (queued again, embedded by that entry) keeps what it gets.
    const loaded = new Set(sources.map((s) => `${s.kind}:${s.id}`));
    const gone = queue.filter((q) => !loaded.has(`${q.kind}:${q.source_id}`));
    // Entries edited meanwhile stay queued (dequeue compares queued_at): released at once.
    embedded = await embedSources(deps, sources, models, async (trx) => {
      for (const kind of TEXT_KINDS) {
        const ids = gone.filter((q) => q.kind === kind).map((q) => q.source_id);
        if (ids.length === 0) continue;
        const back = new Set((await repo.loadSources(trx, kind, ids)).map((s) => s.id));
        await repo.deleteEmbeddings(
          trx,
          kind,
          ids.filter((id) => !back.has(id)),
        );
      }
      await repo.dequeue(trx, queue);
      await repo.releaseClaims(trx, queue, claimant);
    });
  } catch (err) {
    // A failed batch stays queued, free for the retry or another worker (best effort: if the
    // database is what failed, the lease expires instead).
    await repo.releaseClaims(db, queue, claimant).catch(() => undefined);
    throw err;
  }
  return { handled: queue.length, embedded, backlog: await repo.backlog(db) };
}

/**
 * Chunks each source, embeds the chunks whose hash differs from what is stored for each model,
 * and writes them in one transaction (with `alsoInTx`), skipping patients without AI consent.
 * @returns chunks sent to a model
 */
export async function embedSources(
  { db, providers }: PipelineDeps,
  sources: readonly repo.SourceText[],
  models: readonly Pick<repo.ModelRow, 'model' | 'dimensions'>[],
  alsoInTx?: (trx: Db) => Promise<void>,
): Promise<number> {
  const chunksOf = new Map(sources.map((s) => [s.id, chunkText(s.text).map((text) => ({ text, input: embeddingInput(text) }))]));
  // Embed outside any transaction (slow); write in one short transaction afterwards.
  const rows: repo.EmbeddingRow[] = [];
  const counts: repo.ChunkCount[] = [];
  let embedded = 0;
  for (const m of models) {
    const todo: { source: repo.SourceText; chunk: number; text: string; input: string; hash: string }[] = [];
    for (const kind of TEXT_KINDS) {
      const ofKind = sources.filter((s) => s.kind === kind);
      if (ofKind.length === 0) continue;
      const stored = await repo.storedHashes(db, kind, m.model, ofKind.map((s) => s.id));
      for (const s of ofKind) {
        const chunks = chunksOf.get(s.id)!;
        const have = stored.get(s.id) ?? [];
        chunks.forEach(({ text, input }, chunk) => {
          // The hash covers what the model saw, so a vocabulary change re-embeds.
          const hash = contentHash(input);
          if (have[chunk] !== hash) todo.push({ source: s, chunk, text, input, hash });
        });
        if (have.length > chunks.length) counts.push({ sourceId: s.id, kind, model: m.model, count: chunks.length });
      }
    }
    if (todo.length === 0) continue;
    const vectors = await providers(m.model).embed(todo.map((t) => t.input));
    if (vectors.length !== todo.length || vectors.some((v) => v.length !== m.dimensions)) {
      throw new Error(`model ${m.model} returned ${vectors.length} vectors of ${vectors[0]?.length} dimensions for ${todo.length} texts (expected ${m.dimensions})`);
    }
    embedded += todo.length;
    todo.forEach((t, i) =>
      rows.push({ kind: t.source.kind, sourceId: t.source.id, practiceId: t.source.practice_id, model: m.model, chunk: t.chunk, text: t.text, hash: t.hash, vector: vectors[i]! }),
    );
  }

  await db.transaction().execute(async (trx) => {
    const patients = [...new Set(sources.map((s) => s.patient_id).filter((p): p is string => p !== null))];
    const withdrawn = await repo.withdrawnPatients(trx, patients);
    const blocked = new Set(sources.filter((s) => s.patient_id && withdrawn.has(s.patient_id)).map((s) => s.id));
    // A text edited (or deleted) while it was being embedded is not written: its edit queued it
    // again, and that entry embeds the new text with every live model. Written, the old vector
    // could land after the new one (a reindex batch and the pipeline run side by side) and stay.
    const stale = await changedSince(trx, sources);
    const keep = (id: string) => !blocked.has(id) && !stale.has(id);
    await repo.writeEmbeddings(
      trx,
      rows.filter((r) => keep(r.sourceId)),
      counts.filter((c) => keep(c.sourceId)),
    );
    for (const kind of TEXT_KINDS) {
      await repo.deleteEmbeddings(
        trx,
        kind,
        sources.filter((s) => s.kind === kind && blocked.has(s.id)).map((s) => s.id),
      );
    }
    await alsoInTx?.(trx);
  });
  return embedded;
}

/** Sources whose text is no longer what was loaded (edited or deleted since). */
async function changedSince(db: Db, sources: readonly repo.SourceText[]): Promise<Set<string>> {
  const stale = new Set<string>();
  for (const kind of TEXT_KINDS) {
    const ofKind = sources.filter((s) => s.kind === kind);
    if (ofKind.length === 0) continue;
    const now = new Map((await repo.loadSources(db, kind, ofKind.map((s) => s.id))).map((s) => [s.id, s.text]));
    for (const s of ofKind) if (now.get(s.id) !== s.text) stale.add(s.id);
  }
  return stale;
}
