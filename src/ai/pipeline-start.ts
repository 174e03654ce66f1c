/**
 * Starts the embedding pipeline workflow of a task queue (idempotent: a running one is kept),
 * after making the configured model the active one on the very first start.
 */
import { Connection, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Config } from '../config';
import type { Db } from '../db/database';
import { ensureActiveModel } from '../repositories/embeddings.repository';
import { embeddingPipelineWorkflow, embeddingPipelineWorkflowId } from '../workflows/embedding.workflow';
import { createEmbeddingProvider } from './providers';
import { temporalClient } from '../temporal/data-converter';

export async function startEmbeddingPipeline(config: Config, db: Db): Promise<void> {
  const provider = createEmbeddingProvider(config);
  const active = await ensureActiveModel(db, provider.model, provider.dimensions);
  if (active.model !== provider.model) {
    console.warn(JSON.stringify({ msg: `configured embedding model ${provider.model} is not the active one (${active.model}): run \`mdw ai reindex\` to switch` }));
  }
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    const client = temporalClient(config, connection);
    await client.workflow.start(embeddingPipelineWorkflow, {
      workflowId: embeddingPipelineWorkflowId(config.TEMPORAL_TASK_QUEUE),
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      args: [{ batchSize: config.EMBEDDING_BATCH_SIZE, idleMs: config.EMBEDDING_POLL_MS }],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  } finally {
    await connection.close();
  }
}
