/**
 * `npm run up`: the whole system on one machine with embedded defaults: PostgreSQL with pgvector,
 * the Temporal dev server with its Web UI, migrations, a worker, the HTTP API and demo data.
 * Data lives in .data/ and is reused by the next run; Ctrl-C stops everything cleanly.
 * DATABASE_URL and TEMPORAL_ADDRESS point it at existing servers instead.
 */
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { Connection } from '@temporalio/client';
import { config, ConfigError, loadConfig, type Config } from '../src/config';
import { migrate } from '../src/db/migrate';
import { checkAuthenticator, checkDatabase, checkTemporal, PreflightError } from '../src/db/preflight';
import { AUTHENTICATOR_ROLE, createDatabase, poolLimits, urlAs } from '../src/db/database';
import { createCaseService } from '../src/services/case.service';
import { seedDemo } from '../src/seed/demo';
import { startWorker } from '../src/worker/worker';
import { ensureEmbeddingModel } from './lib/embedding-models';
import { startApi } from '../src/api/server';
import { startEmbeddedPostgres } from './lib/embedded-postgres';
import { startTemporalDevServer } from './lib/temporal-dev-server';
import { dataDir, progress } from './lib/tool-cache';
import { ensureJwtSecret, ensurePayloadKey } from './lib/dev-secret';
import { temporalClient } from '../src/temporal/data-converter';

async function main(): Promise<void> {
  const base = config();
  const stops: Array<() => Promise<void> | void> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => undefined);
  };
  let stopping = false;
  const onSignal = () => {
    if (stopping) return;
    stopping = true;
    progress('stopping…');
    void stopAll().then(() => process.exit(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const data = dataDir();
    mkdirSync(data, { recursive: true });

    let databaseUrl = base.DATABASE_URL;
    let authenticatorUrl = base.DATABASE_AUTHENTICATOR_URL;
    if (!databaseUrl) {
      progress('starting embedded PostgreSQL…');
      const pg = await startEmbeddedPostgres({ dataDir: path.join(data, 'pg'), database: 'mdw', port: 54329 });
      stops.push(() => pg.stop());
      databaseUrl = pg.url;
      // The embedded server trusts loopback, so the API's login role needs no password.
      authenticatorUrl ??= urlAs(pg.url, AUTHENTICATOR_ROLE);
    }
    if (!authenticatorUrl) {
      throw new ConfigError(
        "Invalid configuration — DATABASE_AUTHENTICATOR_URL is not set: with your own DATABASE_URL, also give the API's login role (mdw_authenticator, created by the migrations; scripts/setup.ts sets its password from that URL)",
      );
    }
    await checkDatabase(databaseUrl);

    let temporalAddress = base.TEMPORAL_ADDRESS;
    let uiUrl: string | null = null;
    if (!base.TEMPORAL_ADDRESS_SET) {
      progress('starting Temporal dev server…');
      const t = await startTemporalDevServer({ dbFile: path.join(data, 'temporal.sqlite'), port: 7233, uiPort: 8233, logFile: path.join(data, 'temporal.log') });
      stops.push(() => t.stop());
      temporalAddress = t.address;
      uiUrl = t.uiUrl;
    }

    const cfg: Config = loadConfig({
      ...process.env,
      DATABASE_URL: databaseUrl,
      DATABASE_AUTHENTICATOR_URL: authenticatorUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      // Random per data folder, kept in it (tokens survive restarts); never a secret in the repository.
      JWT_SECRET: base.JWT_SECRET ?? ensureJwtSecret(data),
      // Workflow payloads encrypted as in production; the key lives with the data it protects.
      TEMPORAL_PAYLOAD_KEYS: base.TEMPORAL_PAYLOAD_KEYS ?? ensurePayloadKey(data),
    });
    await checkTemporal(cfg.TEMPORAL_ADDRESS, cfg.TEMPORAL_NAMESPACE, cfg.TEMPORAL_CONNECT_TIMEOUT_MS);

    progress('migrating…');
    const m = await migrate(databaseUrl, (l) => progress(`  ${l}`));
    progress(`  ${m.applied.length} applied, ${m.skipped.length} already current`);
    await checkAuthenticator(authenticatorUrl);

    const database = createDatabase(databaseUrl, poolLimits(cfg), { authenticatorUrl, slowQueries: { service: 'api', thresholdMs: cfg.SLOW_QUERY_MS } });
    stops.push(() => database.destroy());
    const connection = await Connection.connect({ address: cfg.TEMPORAL_ADDRESS });
    stops.push(() => connection.close());
    const client = temporalClient(cfg, connection);
    const cases = createCaseService({ db: database.system, temporal: client, taskQueue: cfg.TEMPORAL_TASK_QUEUE });

    if (cfg.AI_PROVIDER === 'local') await ensureEmbeddingModel(cfg.LOCAL_EMBEDDING_MODEL);
    progress('starting worker…');
    const worker = await startWorker({ config: cfg, databaseUrl, healthPort: cfg.WORKER_HEALTH_PORT, embeddingPipeline: true, notifications: true, analyticsRollups: true });
    stops.push(() => worker.stop());
    await cases.ensureCaseWorkflows();
    await cases.backfillAwaitingTasks();

    progress('seeding demo data…');
    const demo = await seedDemo({ db: database.system, cases });

    const api = await startApi({ config: cfg, database, temporal: client, cases });
    stops.push(() => api.stop());

    const lines = [
      '',
      'MDW is running.',
      `  Console        ${api.url}/app   (the staff console: sign in with a login below)`,
      `  API            ${api.url}   (OpenAPI: ${api.url}/openapi.json, docs: ${api.url}/docs)`,
      `  API health     ${api.url}/health`,
      `  Worker health  ${worker.healthUrl ?? '(disabled)'}`,
      `  Temporal UI    ${uiUrl ?? '(external Temporal server)'}   gRPC ${cfg.TEMPORAL_ADDRESS}`,
      `  PostgreSQL     ${databaseUrl}`,
      '',
      `Demo practice "${demo.practiceName}" with ${demo.caseCount} cases. Sign in with:`,
      ...demo.logins.map((l) => `  ${l.role.padEnd(11)} ${l.email}  /  ${l.password}`),
      `  e.g. curl -s ${api.url}/auth/login -H 'content-type: application/json' -d '{"email":"${demo.logins[0]?.email}","password":"${demo.logins[0]?.password}"}'`,
      '',
      `Find cases in the UI or: .tools/temporal workflow list --address ${cfg.TEMPORAL_ADDRESS} --query "CaseState='under_review'"`,
      'Ctrl-C stops everything; data stays in .data/ for the next run.',
      '',
    ];
    console.log(lines.join('\n'));
    await worker.done;
  } catch (err) {
    await stopAll();
    if (err instanceof ConfigError || err instanceof PreflightError) {
      console.error(err.message);
    } else {
      console.error('MDW failed to start:', err instanceof Error ? err.message : err);
    }
    process.exit(1);
  }
}

void main();
