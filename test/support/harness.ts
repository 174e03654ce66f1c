/**
 * Shared set-up for integration tests: a system database handle, a Temporal client, and a worker
 * on a task queue of its own (so test files never steal each other's tasks), using the workflow
 * bundle that global setup built once.
 */
import { randomUUID } from 'node:crypto';
import { type Client, Connection } from '@temporalio/client';
import { loadConfig, type Config } from '../../src/config';
import { createDatabase, type Database } from '../../src/db/database';
import { createCaseService, type CaseService } from '../../src/services/case.service';
import { startWorker, type MdwWorker } from '../../src/worker/worker';
import type { ProductionHooks } from '../../src/activities/case.activities';
import { TEST_PAYLOAD_KEYS, testEnv } from './env';
import { temporalClient } from '../../src/temporal/data-converter';

export interface Harness {
  config: Config;
  database: Database;
  client: Client;
  cases: CaseService;
  taskQueue: string;
  worker: MdwWorker | null;
  startWorker(hooks?: ProductionHooks): Promise<MdwWorker>;
  close(): Promise<void>;
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  const env = testEnv();
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: env.databaseUrl,
    DATABASE_AUTHENTICATOR_URL: env.authenticatorUrl,
    TEMPORAL_ADDRESS: env.temporalAddress,
    TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    // Every API test posts messages: the lexical intent encoder keeps them from each loading the
    // embedding model on 2 shared cores. test/ai/intent-model.test.ts runs the real model.
    AI_INTENT_EMBEDDINGS: 'false',
    WORKER_SHUTDOWN_GRACE_MS: '2000',
    // Payloads encrypted as in production (issue 12 §4).
    TEMPORAL_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
    // Test files share the database, each with its own task queue: a worker's start-up sweep (or a
    // test's) must not start another file's case whose start is in flight onto its own queue.
    CASE_SWEEP_MIN_AGE_MS: '60000',
    // Nor may an API started by one file (startApi) create Schedules for another file's templates
    // on its own queue (test/api/insights.test.ts asserts that it creates its template's Schedule).
    API_INSIGHT_SCHEDULES: 'false',
    ...overrides,
  });
}

export async function createHarness(opts: { worker?: boolean; hooks?: ProductionHooks; config?: Record<string, string> } = {}): Promise<Harness> {
  const config = testConfig(opts.config);
  const database = createDatabase(config.DATABASE_URL!, 10, { authenticatorUrl: config.DATABASE_AUTHENTICATOR_URL });
  // The SDK's 10 s to connect was spent waiting for a CPU on a loaded 2-core machine once (the
  // server was up; the jest worker was starved): a local server gets a minute.
  // A setup that fails halfway closes what it opened (test/support/lifecycle.ts says why).
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS, connectTimeout: '60 seconds' }).catch(async (err: unknown) => {
    await database.destroy();
    throw err;
  });
  const client = temporalClient(config, connection);
  const h: Harness = {
    config,
    database,
    client,
    cases: createCaseService({ db: database.system, temporal: client, taskQueue: config.TEMPORAL_TASK_QUEUE, atRiskSlackMs: config.CASE_AT_RISK_SLACK_HOURS * 3_600_000, sweepMinAgeMs: config.CASE_SWEEP_MIN_AGE_MS }),
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    worker: null,
    async startWorker(hooks) {
      h.worker = await startWorker({ config, databaseUrl: config.DATABASE_URL!, workflowBundlePath: process.env.MDW_TEST_WORKFLOW_BUNDLE, hooks });
      return h.worker;
    },
    async close() {
      await h.worker?.stop();
      await connection.close();
      await database.destroy();
    },
  };
  if (opts.worker !== false) {
    try {
      await h.startWorker(opts.hooks);
    } catch (err) {
      await h.close();
      throw err;
    }
  }
  return h;
}
