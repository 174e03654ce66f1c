/**
 * The MDW API (src/api/server.ts startApi) started for the HTTP benchmark in its own process, so
 * that the load generator does not share its event loop. Temporal is a lazy client (the routes
 * benchmarked here do not call it: seeded cases have no workflow). Prints one JSON line with the
 * URL. Settings from the environment (DATABASE_URL, JWT_SECRET, DATABASE_POOL_MAX, LOG_LEVEL, …).
 */
import { Client } from '@temporalio/client';
import { loadConfig } from '../src/config';
import { createDatabase } from '../src/db/database';
import { createCaseService } from '../src/services/case.service';
import { startApi } from '../src/api/server';

async function main(): Promise<void> {
  const config = loadConfig();
  // A pool-wait bound (BENCH_POOL_WAIT_MS) so overload shows as errors.
  const database = createDatabase(config.DATABASE_URL!, { max: config.DATABASE_POOL_MAX, waitMs: Number(process.env.BENCH_POOL_WAIT_MS ?? 10_000) });
  const temporal = new Client();
  const cases = createCaseService({ db: database.system, temporal, taskQueue: config.TEMPORAL_TASK_QUEUE });
  const api = await startApi({ config, database, temporal, cases });
  console.log(JSON.stringify({ url: api.url }));
  const stop = () => {
    void api
      .stop()
      .then(() => database.destroy())
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error('bench api failed:', err);
  process.exit(1);
});
