/** `npm run worker`: one worker process, stopped gracefully by SIGINT/SIGTERM. */
import { config, ConfigError, required } from '../config';
import { checkDatabase, checkTemporal, PreflightError } from '../db/preflight';
import { startWorker } from './worker';

async function main(): Promise<void> {
  const cfg = config();
  const databaseUrl = required(cfg, 'DATABASE_URL', 'the worker persists case events to PostgreSQL');
  await checkDatabase(databaseUrl);
  await checkTemporal(cfg.TEMPORAL_ADDRESS, cfg.TEMPORAL_NAMESPACE, cfg.TEMPORAL_CONNECT_TIMEOUT_MS);
  const w = await startWorker({ config: cfg, databaseUrl, healthPort: cfg.WORKER_HEALTH_PORT || undefined, workflowBundlePath: cfg.WORKFLOW_BUNDLE_PATH });
  console.log(JSON.stringify({ msg: 'worker started', taskQueue: cfg.TEMPORAL_TASK_QUEUE, health: w.healthUrl }));
  const stop = () => void w.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await w.done;
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof PreflightError) {
    console.error(err.message);
  } else {
    console.error('worker failed:', err);
  }
  process.exit(1);
});
