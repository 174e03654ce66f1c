/**
 * Starts the real servers once per Jest run: an ephemeral PostgreSQL with pgvector (migrated)
 * and a Temporal dev server (in memory, headless, with MDW's search attributes). Test files read
 * their addresses from the environment (see `test/support/env.ts`).
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { migrate } from '../../src/db/migrate';
import { AUTHENTICATOR_ROLE, urlAs } from '../../src/db/database';
import { startEmbeddedPostgres } from '../../scripts/lib/embedded-postgres';
import { ensureAllEmbeddingModels } from '../../scripts/lib/embedding-models';
import { startTemporalDevServer } from '../../scripts/lib/temporal-dev-server';
import { workflowBundleOptions } from '../../src/worker/bundle';

export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mdw-test-'));
  chmodSync(dir, 0o755); // PostgreSQL runs as an unprivileged user when we are root
  const bundlePath = path.join(dir, 'workflows.js');
  const [pg, temporal] = await Promise.all([
    startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), database: 'mdw_test', ephemeral: true }),
    startTemporalDevServer({ headless: true, logFile: path.join(dir, 'temporal.log') }),
    ensureAllEmbeddingModels(),
    // One workflow bundle for every worker of the run, instead of webpack per test file (with the
    // failure converter, as the worker bundles; tracing tests build their own with its interceptors).
    bundleWorkflowCode({ ...workflowBundleOptions({ OTEL_TRACES_EXPORTER: 'none' }), logger: quietLogger }).then(({ code }) => writeFileSync(bundlePath, code)),
  ]);
  await migrate(pg.url);
  process.env.MDW_TEST_DIR = dir;
  process.env.MDW_TEST_DATABASE_URL = pg.url;
  // What the API's requests log in as (created by the migrations; loopback is trusted).
  process.env.MDW_TEST_AUTHENTICATOR_URL = urlAs(pg.url, AUTHENTICATOR_ROLE);
  process.env.MDW_TEST_TEMPORAL_ADDRESS = temporal.address;
  process.env.MDW_TEST_TEMPORAL_CLI = temporal.cli;
  process.env.MDW_TEST_WORKFLOW_BUNDLE = bundlePath;
  (globalThis as Record<string, unknown>).__mdwServers = { pg, temporal, dir };
}

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: (m: string, meta?: unknown) => console.error(m, meta) };
