/**
 * Activities of the embedding pipeline and of `mdw ai reindex`: thin over src/ai/pipeline.ts and
 * the embeddings repository. A provider failure becomes a retryable activity failure with one
 * clear log line (a 429's Retry-After sets the next retry's delay); the texts stay queued.
 */
import { ApplicationFailure, activityInfo, heartbeat, log } from '@temporalio/activity';
import type { Db } from '../db/database';
import { embedQueued, embedSources, type PipelineStep } from '../ai/pipeline';
import { EmbeddingProviderError } from '../ai/providers/errors';
import type { EmbeddingProvider } from '../ai/providers/types';
import { TEXT_KINDS, type TextKind } from '../ai/text';
import * as repo from '../repositories/embeddings.repository';

export interface EmbeddingActivityDeps {
  db: Db;
  providers: (model: string) => EmbeddingProvider;
}

export interface ReindexCursor {
  kind: TextKind;
  after: string | null;
}

export function createEmbeddingActivities({ db, providers }: EmbeddingActivityDeps) {
  /** Runs `fn`, turning provider failures into retryable failures with a clear log line. */
  async function guarded<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const attempt = activityInfo().attempt;
      const message = err instanceof Error ? err.message : String(err);
      // The error in metadata, not its text in the message: a provider may echo its input.
      log.warn(`${what} failed (attempt ${attempt}), will retry`, {
        failure: err instanceof EmbeddingProviderError ? err.failure : 'error',
        attempt,
        error: err,
      });
      if (err instanceof EmbeddingProviderError) {
        throw ApplicationFailure.create({
          message,
          type: `EmbeddingProvider.${err.failure}`,
          nextRetryDelay: err.retryAfterMs,
        });
      }
      throw err;
    }
  }

  return {
    /** One pipeline step: embed the oldest queued texts (see embedQueued). */
    async embedQueuedBatch(limit: number): Promise<PipelineStep> {
      return guarded('embedding batch', () => embedQueued({ db, providers }, limit));
    },

    /** Registers the model being built and returns the number of texts to embed. */
    async prepareReindex(args: { model: string }): Promise<number> {
      const provider = providers(args.model);
      const row = await repo.startBuilding(db, args.model, provider.dimensions);
      return row.reindex_total;
    },

    /** Embeds the next page of sources with the model being built. @returns the next cursor, null when done */
    async reindexBatch(args: { model: string; cursor: ReindexCursor; limit: number }): Promise<ReindexCursor | null> {
      return guarded(`reindex with ${args.model}`, async () => {
        heartbeat(args.cursor);
        let { kind, after } = args.cursor;
        for (;;) {
          const ids = await repo.sourceIdsAfter(db, kind, after, args.limit);
          if (ids.length > 0) {
            const sources = await repo.loadSources(db, kind, ids);
            await embedSources({ db, providers }, sources, [{ model: args.model, dimensions: providers(args.model).dimensions }], (trx) =>
              repo.addReindexProgress(trx, args.model, ids.length),
            );
            return { kind, after: ids.at(-1)! };
          }
          const next = TEXT_KINDS[TEXT_KINDS.indexOf(kind) + 1];
          if (!next) return null;
          kind = next;
          after = null;
        }
      });
    },

    /** Switches search to the new model and deletes the old model's vectors and indexes. */
    async activateModel(args: { model: string }): Promise<{ retired: string | null; deleted: number }> {
      const retired = await repo.activateBuilt(db, args.model);
      const deleted = retired ? await repo.dropModelData(db, retired) : 0;
      log.info(`embedding model ${args.model} active${retired ? `; ${retired} retired, ${deleted} vectors deleted` : ''}`);
      return { retired, deleted };
    },
  };
}

export type EmbeddingActivities = ReturnType<typeof createEmbeddingActivities>;
