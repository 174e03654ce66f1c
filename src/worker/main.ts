/** `npm run worker`: one worker process, stopped gracefully by SIGINT/SIGTERM. */
import { Connection } from '@temporalio/client';
import { errorRedactorFor, processErrorRedactor } from '../telemetry/log-redaction';
import { config, ConfigError, required, type Config } from '../config';
import type { Database } from '../db/database';
import { createCaseService } from '../services/case.service';
import { checkDatabase, checkTemporal, PreflightError } from '../db/preflight';
import { startWorker } from './worker';
import { temporalClient } from '../temporal/data-converter';
import { activeTracing } from '../telemetry/tracing';

async function main(): Promise<void> {
  const cfg = config();
  const databaseUrl = required(cfg, 'DATABASE_URL', 'the worker persists case events to PostgreSQL');
  await checkDatabase(databaseUrl);
  await checkTemporal(cfg.TEMPORAL_ADDRESS, cfg.TEMPORAL_NAMESPACE, cfg.TEMPORAL_CONNECT_TIMEOUT_MS);
  const w = await startWorker({ config: cfg, databaseUrl, healthPort: cfg.WORKER_HEALTH_PORT || undefined, workflowBundlePath: cfg.WORKFLOW_BUNDLE_PATH, embeddingPipeline: true, notifications: true, analyticsRollups: true, lexicalStats: true });
  console.log(JSON.stringify({ msg: 'worker started', taskQueue: cfg.TEMPORAL_TASK_QUEUE, health: w.healthUrl }));
  void startupSweep(cfg, w.database);
  const stop = () => void w.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await w.done;
  await activeTracing()?.shutdown(); // sends the spans still buffered (OTEL_TRACES_EXPORTER)
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof PreflightError) {
    console.error(err.message);
  } else {
    console.error(`worker failed: ${processErrorRedactor().describe(err)}`);
  }
  process.exit(1);
});

/**
 * Once per worker start: start workflows of cases whose start never happened, and write the
 * inbox rows of running cases that have none yet. Failure is logged, never fatal: the next
 * start sweeps again.
 */
async function startupSweep(cfg: Config, database: Database): Promise<void> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address: cfg.TEMPORAL_ADDRESS });
    const cases = createCaseService({ db: database.system, temporal: temporalClient(cfg, connection), taskQueue: cfg.TEMPORAL_TASK_QUEUE, atRiskSlackMs: cfg.CASE_AT_RISK_SLACK_HOURS * 3_600_000, sweepMinAgeMs: cfg.CASE_SWEEP_MIN_AGE_MS });
    const started = await cases.ensureCaseWorkflows();
    const inboxes = await cases.backfillAwaitingTasks();
    console.log(JSON.stringify({ msg: 'startup sweep', workflowsStarted: started, awaitingTasksWritten: inboxes }));
  } catch (err) {
    console.error(JSON.stringify({ msg: 'startup sweep failed', error: errorRedactorFor(cfg).describe(err) }));
  } finally {
    await connection?.close().catch(() => undefined);
  }
}
