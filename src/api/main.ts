/** `npm run api`: the HTTP API alone (workers run elsewhere). Stopped gracefully by SIGINT/SIGTERM. */
import { Connection } from '@temporalio/client';
import { processErrorRedactor } from '../telemetry/log-redaction';
import { config, ConfigError, required } from '../config';
import { checkAuthenticator, checkDatabase, checkTemporal, PreflightError } from '../db/preflight';
import { createDatabase, poolLimits } from '../db/database';
import { createCaseService } from '../services/case.service';
import { startApi } from './server';
import { temporalClient } from '../temporal/data-converter';
import { installTracing } from '../telemetry/tracing';

async function main(): Promise<void> {
  const cfg = config();
  // Before the Temporal client, so this process's spans are named mdw-api (OTEL_TRACES_EXPORTER; off: nothing).
  const tracing = installTracing(cfg, 'mdw-api');
  const databaseUrl = required(cfg, 'DATABASE_URL', 'the API reads and writes cases in PostgreSQL');
  required(cfg, 'JWT_SECRET', 'the API verifies and signs access tokens with it');
  const authenticatorUrl = required(cfg, 'DATABASE_AUTHENTICATOR_URL', "the API's requests log in as mdw_authenticator, which cannot leave its actors' roles (db/README.md)");
  await checkDatabase(databaseUrl);
  await checkAuthenticator(authenticatorUrl);
  await checkTemporal(cfg.TEMPORAL_ADDRESS, cfg.TEMPORAL_NAMESPACE, cfg.TEMPORAL_CONNECT_TIMEOUT_MS);
  const database = createDatabase(databaseUrl, poolLimits(cfg), { authenticatorUrl, slowQueries: { service: 'api', thresholdMs: cfg.SLOW_QUERY_MS } });
  const connection = await Connection.connect({ address: cfg.TEMPORAL_ADDRESS, connectTimeout: cfg.TEMPORAL_CONNECT_TIMEOUT_MS });
  const temporal = temporalClient(cfg, connection);
  const cases = createCaseService({ db: database.system, temporal, taskQueue: cfg.TEMPORAL_TASK_QUEUE, atRiskSlackMs: cfg.CASE_AT_RISK_SLACK_HOURS * 3_600_000 });
  const api = await startApi({ config: cfg, database, temporal, cases });
  console.log(JSON.stringify({ msg: 'api started', url: api.url, openapi: `${api.url}/openapi.json`, docs: `${api.url}/docs` }));
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void api
      .stop()
      .then(() => connection.close())
      .then(() => database.destroy())
      .then(() => tracing?.shutdown()) // sends the spans still buffered
      .then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof PreflightError) {
    console.error(err.message);
  } else {
    console.error(`api failed: ${processErrorRedactor().describe(err)}`);
  }
  process.exit(1);
});
