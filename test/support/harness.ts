/**
 * Shared set-up for integration tests: a system database handle, a Temporal client, and a worker
 * on a task queue of its own (so test files never steal each other's tasks), using the workflow
 * bundle that global setup built once.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { loadConfig, type Config } from '../../src/config';
import { createDatabase, type Database } from '../../src/db/database';
import { createCaseService, type CaseService } from '../../src/services/case.service';
import { startWorker, type MdwWorker } from '../../src/worker/worker';
import type { ProductionHooks } from '../../src/activities/case.activities';
import { testEnv } from './env';

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
    ...overrides,
  });
}

export async function createHarness(opts: { worker?: boolean; hooks?: ProductionHooks; config?: Record<string, string> } = {}): Promise<Harness> {
  const config = testConfig(opts.config);
  const database = createDatabase(config.DATABASE_URL!, 10, { authenticatorUrl: config.DATABASE_AUTHENTICATOR_URL });
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const h: Harness = {
    config,
    database,
    client,
    cases: createCaseService({ db: database.system, temporal: client, taskQueue: config.TEMPORAL_TASK_QUEUE, atRiskSlackMs: config.CASE_AT_RISK_SLACK_HOURS * 3_600_000 }),
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
  if (opts.worker !== false) await h.startWorker(opts.hooks);
  return h;
}
