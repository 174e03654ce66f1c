/**
 * The embedding pipeline and the reindex, as workflows. Deterministic and small: all work is in
 * activities (src/activities/embedding.activities.ts), which retry without limit so that no
 * queued text is ever dropped; a provider outage only grows the backlog, and it drains when
 * the provider returns.
 */
import { continueAsNew, proxyActivities, sleep } from '@temporalio/workflow';
import type { EmbeddingActivities, ReindexCursor } from '../activities/embedding.activities';

const acts = proxyActivities<EmbeddingActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export interface EmbeddingPipelineInput {
  /** Texts per activity. */
  batchSize: number;
  /** Pause when the queue is empty. */
  idleMs: number;
}

/** Steps before continue-as-new keeps the history short (a step is about 6 events). */
const STEPS_PER_RUN = 300;

export const embeddingPipelineWorkflowId = (taskQueue: string) => `embedding-pipeline-${taskQueue}`;
export const embeddingReindexWorkflowId = (taskQueue: string) => `embedding-reindex-${taskQueue}`;

/** Drains the embedding queue forever: a batch at a time, pausing when it is empty. */
export async function embeddingPipelineWorkflow(input: EmbeddingPipelineInput): Promise<void> {
  for (let i = 0; i < STEPS_PER_RUN; i++) {
    const step = await acts.embedQueuedBatch(input.batchSize);
    if (step.handled < input.batchSize) await sleep(input.idleMs);
  }
  await continueAsNew<typeof embeddingPipelineWorkflow>(input);
}

export interface ReindexInput {
  model: string;
  batchSize: number;
  /** Where a continued run resumes; absent on the first run. */
  cursor?: ReindexCursor;
}

/** Re-embeds every text with `model`, then switches search over to it. */
export async function embeddingReindexWorkflow(input: ReindexInput): Promise<void> {
  let cursor: ReindexCursor | null = input.cursor ?? { kind: 'case', after: null };
  if (!input.cursor) await acts.prepareReindex({ model: input.model });
  for (let i = 0; cursor && i < STEPS_PER_RUN; i++) {
    cursor = await acts.reindexBatch({ model: input.model, cursor, limit: input.batchSize });
  }
  if (cursor) await continueAsNew<typeof embeddingReindexWorkflow>({ ...input, cursor });
  await acts.activateModel({ model: input.model });
}
