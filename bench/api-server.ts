/**
 * The MDW API (src/api/server.ts startApi) started for the HTTP benchmark in its own process, so
 * that the load generator does not share its event loop. With TEMPORAL_ADDRESS set (the bench's
 * Temporal dev server, for the inbox and decision questions) it connects there as src/api/main.ts
 * does; without it, Temporal is a lazy client that is never called (seeded cases have no
 * workflow). Prints one JSON line with the URL. Settings from the environment (DATABASE_URL,
 * JWT_SECRET, DATABASE_POOL_MAX, TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE, LOG_LEVEL, …).
 */
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../src/config';
import { createDatabase, poolLimits } from '../src/db/database';
import { createCaseService } from '../src/services/case.service';
import { startApi } from '../src/api/server';
import { temporalClient } from '../src/temporal/data-converter';

async function main(): Promise<void> {
  const config = loadConfig();
  // The production pool limits (DATABASE_POOL_MAX, _WAIT_MS, _QUEUE_MAX …): overload shows as errors.
  // Requests log in as mdw_authenticator when DATABASE_AUTHENTICATOR_URL is given, as in production.
  const database = createDatabase(config.DATABASE_URL!, poolLimits(config), { authenticatorUrl: config.DATABASE_AUTHENTICATOR_URL });
  const connection = config.TEMPORAL_ADDRESS_SET
    ? await Connection.connect({ address: config.TEMPORAL_ADDRESS, connectTimeout: config.TEMPORAL_CONNECT_TIMEOUT_MS })
    : undefined;
  const temporal = connection ? temporalClient(config, connection) : new Client();
  const cases = createCaseService({ db: database.system, temporal, taskQueue: config.TEMPORAL_TASK_QUEUE });
  const api = await startApi({ config, database, temporal, cases });
  console.log(JSON.stringify({ url: api.url }));
  const stop = () => {
    void api
      .stop()
      .then(() => connection?.close())
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
