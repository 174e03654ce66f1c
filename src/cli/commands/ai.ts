/**
 * `mdw ai reindex`: re-embeds every text with the configured model (or --model) in the
 * background, on Temporal, and switches search over when done. Until then search keeps using
 * the active model and new texts are embedded for both. A progress bar on a TTY, plain lines
 * otherwise; `--detach` returns once the reindex has started.
 * `mdw ai status`: models, their state and the embedding backlog.
 * `mdw ai partitions`: practices past a size get their own embedding partition and graph.
 */
import { Connection, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { setTimeout as sleep } from 'node:timers/promises';
import { config as loadedConfig, required } from '../../config';
import { createDatabase } from '../../db/database';
import { createEmbeddingProvider, createProviderRegistry } from '../../ai/providers';
import * as repo from '../../repositories/embeddings.repository';
import { embeddingReindexWorkflow, embeddingReindexWorkflowId } from '../../workflows/embedding.workflow';
import { CliError } from '../cli-error';
import { temporalClient } from '../../temporal/data-converter';

export function register(program: Command): void {
  const ai = program.command('ai').description('AI services: embedding models and search index');

  ai.command('status')
    .description('Embedding models (active, building, retired) and the backlog of texts not yet embedded')
    .action(async () => {
      const cfg = loadedConfig();
      const database = createDatabase(required(cfg, 'DATABASE_URL', 'the models are recorded in PostgreSQL'), 2);
      try {
        for (const m of await repo.listModels(database.system)) {
          console.log(`${m.state.padEnd(8)} ${m.model} (${m.dimensions} dimensions)${m.state === 'building' ? ` ${m.reindex_done}/${m.reindex_total}` : ''}`);
        }
        console.log(`backlog  ${await repo.backlog(database.system)} texts waiting to be embedded`);
      } finally {
        await database.destroy();
      }
    });

  ai.command('partitions')
    .description('Give every practice with at least --min-rows embeddings of one kind its own partition and HNSW graph (a maintenance step: that table waits while it runs)')
    .option('--min-rows <n>', 'rows of one embedding table in the shared partition', (v) => Number(v), repo.OWN_PARTITION_MIN_ROWS)
    .action(async (opts: { minRows: number }) => {
      if (!Number.isInteger(opts.minRows) || opts.minRows < 1) throw new CliError('--min-rows must be a whole number of at least 1');
      const cfg = loadedConfig();
      const database = createDatabase(required(cfg, 'DATABASE_URL', 'the embeddings are stored in PostgreSQL'), 2);
      try {
        const created = await repo.ownLargePractices(database.system, opts.minRows);
        const counts = await repo.ownPartitionCounts(database.system);
        console.log(`${created} new partitions; practices with their own: ${Object.entries(counts).map(([t, n]) => `${t} ${n}`).join(', ')}`);
      } finally {
        await database.destroy();
      }
    });

  ai.command('reindex')
    .description('Re-embed every text with a new model in the background, then switch search over to it')
    .option('--model <id>', 'model id to build, e.g. local/all-minilm-l6-v2-q (default: the configured one)')
    .option('--batch <n>', 'texts per activity', (v) => Number(v), 64)
    .option('--detach', 'return once started instead of showing progress until the switch')
    .action(async (opts: { model?: string; batch: number; detach?: boolean }) => {
      const cfg = loadedConfig();
      const database = createDatabase(required(cfg, 'DATABASE_URL', 'the embeddings are stored in PostgreSQL'), 2);
      let connection: Connection | undefined;
      try {
        const model = opts.model ?? createEmbeddingProvider(cfg).model;
        if (!Number.isInteger(opts.batch) || opts.batch < 1 || opts.batch > 1000) throw new CliError('--batch must be a whole number from 1 to 1000');
        try {
          createProviderRegistry(cfg)(model);
        } catch (err) {
          throw new CliError((err as Error).message);
        }
        const models = await repo.listModels(database.system);
        if (models.find((m) => m.state === 'active')?.model === model && !models.some((m) => m.state === 'building' && m.model === model)) {
          throw new CliError(`${model} is already the active model: nothing to do (choose another with --model or EMBEDDING settings)`, 0);
        }
        const building = models.find((m) => m.state === 'building');
        if (building && building.model !== model) throw new CliError(`${building.model} is being built already: wait for it to finish (mdw ai status)`);

        connection = await Connection.connect({ address: cfg.TEMPORAL_ADDRESS });
        const client = temporalClient(cfg, connection);
        try {
          await client.workflow.start(embeddingReindexWorkflow, {
            workflowId: embeddingReindexWorkflowId(cfg.TEMPORAL_TASK_QUEUE),
            taskQueue: cfg.TEMPORAL_TASK_QUEUE,
            args: [{ model, batchSize: opts.batch }],
          });
          console.log(`reindex with ${model} started (workflow ${embeddingReindexWorkflowId(cfg.TEMPORAL_TASK_QUEUE)})`);
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
          console.log(`a reindex is already running: following it`);
        }
        if (opts.detach) return;

        // Followed by id, so across its continue-as-new runs. A run that ended without switching
        // (terminated in the UI, failed) left this loop polling a 'building' row forever.
        const handle = client.workflow.getHandle(embeddingReindexWorkflowId(cfg.TEMPORAL_TASK_QUEUE));
        let lastCheck = 0;
        const tty = process.stdout.isTTY;
        const bar = tty ? new SingleBar({ format: 'reindex [{bar}] {percentage}% | {value}/{total} texts | {model}' }, Presets.shades_classic) : null;
        let started = false;
        let lastLine = 0;
        for (;;) {
          const row = (await repo.listModels(database.system)).find((m) => m.model === model);
          if (row?.state === 'active') {
            bar?.update(row.reindex_total, { model });
            bar?.stop();
            console.log(`${model} is now the active model`);
            return;
          }
          if (row?.state === 'building') {
            if (bar && !started) bar.start(Math.max(1, row.reindex_total), 0, { model });
            started = true;
            bar?.update(row.reindex_done, { model });
            if (!tty && Date.now() - lastLine > 5_000) {
              console.log(`reindex ${row.reindex_done}/${row.reindex_total} texts`);
              lastLine = Date.now();
            }
          }
          if (Date.now() - lastCheck > 2_000) {
            lastCheck = Date.now();
            const status = (await handle.describe()).status.name;
            if (status !== 'RUNNING' && status !== 'CONTINUED_AS_NEW') {
              // Completed: the switch is committed before the run ends; read the row once more.
              if (status === 'COMPLETED' && (await repo.listModels(database.system)).find((m) => m.model === model)?.state === 'active') continue;
              bar?.stop();
              throw new CliError(
                `the reindex workflow ${embeddingReindexWorkflowId(cfg.TEMPORAL_TASK_QUEUE)} ended (${status.toLowerCase()}) before ${model} was switched to: search keeps the active model; run the same command again to resume (mdw ai status)`,
                1,
              );
            }
          }
          await sleep(500);
        }
      } finally {
        await connection?.close().catch(() => undefined);
        await database.destroy();
      }
    });
}
