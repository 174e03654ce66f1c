/**
 * The MDW worker: serves the case workflow and its activities on the configured task queue.
 * `start()` resolves once polling; `stop()` drains: no new tasks, running activities finish
 * (up to WORKER_SHUTDOWN_GRACE_MS), then connections close.
 */
import http from 'node:http';
import { DefaultLogger, NativeConnection, Runtime, Worker, type ActivityInterceptorsFactory, type WorkerOptions } from '@temporalio/worker';
import type { Config } from '../config';
import { createDatabase, poolLimits, type Database } from '../db/database';
import { createCaseActivities, type ProductionHooks } from '../activities/case.activities';
import { auditingActivityInterceptors, redactingActivityInterceptors } from './activity-redaction';
import { createInsightActivities } from '../activities/insights.activities';
import { createEmbeddingActivities } from '../activities/embedding.activities';
import { createProviderRegistry } from '../ai/providers';
import { startEmbeddingPipeline } from '../ai/pipeline-start';
import { backlog as embeddingBacklog } from '../repositories/embeddings.repository';
import { createErasureActivities } from '../activities/erasure.activities';
import { createFileStorage } from '../services/file-storage.service';
import { dataConverter, temporalClient } from '../temporal/data-converter';
import { observeOperations, observePool, renderMetrics } from '../telemetry/metrics';
import { createNotificationActivities } from '../activities/notification.activities';
import { installTracing } from '../telemetry/tracing';
import { errorRedactorFor, RedactingLogger } from '../telemetry/log-redaction';
import { workflowInterceptorModules } from './bundle';
import { makeWorkflowExporter, OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor } from '@temporalio/interceptors-opentelemetry';
import { startNotifications } from '../services/notification-start';
import { createAnalyticsActivities } from '../activities/analytics.activities';
import { createSearchStatsActivities } from '../activities/search-stats.activities';
import { ensureAnalyticsRollupsSchedule } from '../services/analytics-start';
import { ensureLexicalStatsSchedule } from '../services/search-stats-start';

export interface MdwWorkerOptions {
  config: Config;
  databaseUrl: string;
  /** A prebuilt workflow bundle (tests build one per run); default: bundle src/workflows. */
  workflowBundlePath?: string;
  hooks?: ProductionHooks;
  /** Serve GET /health on this port (0 = pick one, undefined = none). */
  healthPort?: number;
  /**
   * Start the embedding pipeline workflow (and make the configured model active on first start).
   * `npm run worker` does; test harnesses opt in, so suites that do not test AI never load a model.
   */
  embeddingPipeline?: boolean;
  /**
   * Start the notification dispatcher and the daily digest Schedule (when SMTP_HOST is set;
   * otherwise log that email deliveries are disabled). `npm run worker` does; tests opt in.
   */
  notifications?: boolean;
  /** Create the Schedule that refreshes the analytics rollups every few minutes. `npm run worker` does; tests opt in. */
  analyticsRollups?: boolean;
  /** Create the Schedule that refreshes the lexical statistics copy (db 0168) every few minutes. `npm run worker` does; tests opt in. */
  lexicalStats?: boolean;
}

export interface MdwWorker {
  worker: Worker;
  database: Database;
  healthUrl: string | null;
  /** Resolves when the worker has stopped (after stop() or a fatal error). */
  done: Promise<void>;
  stop(): Promise<void>;
}

/**
 * The SDK logs each bundle build and state change at INFO: useful when debugging a worker, noise
 * otherwise. Must run before the first worker is created; later calls are no-ops.
 */
export function installWorkerRuntime(config: Config): void {
  const verbose = config.LOG_LEVEL === 'trace' || config.LOG_LEVEL === 'debug';
  try {
    Runtime.install({
      // Every line the SDK writes (failed activity attempts, workflow task and activation failures,
      // the workflow sandbox's log, Core's own lines) carries errors as fingerprints, not their text
      // (LOG_ERROR_DETAIL; src/telemetry/log-redaction.ts).
      logger: new RedactingLogger(new DefaultLogger(verbose ? 'DEBUG' : 'WARN'), errorRedactorFor(config)),
      telemetryOptions: {
        // Core (Rust) would write its lines to stderr itself; forwarded, they pass the logger above.
        logging: { forward: {}, filter: { core: verbose ? 'DEBUG' : 'WARN', other: 'ERROR' } },
        // The SDK's own metrics (temporal_workflow_task_execution_latency, temporal_activity_execution_latency, …).
        ...(config.WORKER_TEMPORAL_METRICS_ADDRESS ? { metrics: { prometheus: { bindAddress: config.WORKER_TEMPORAL_METRICS_ADDRESS } } } : {}),
      },
    });
  } catch {
    /* already installed */
  }
}

export async function startWorker(opts: MdwWorkerOptions): Promise<MdwWorker> {
  const { config } = opts;
  installWorkerRuntime(config);
  // OTEL_TRACES_EXPORTER: activities, workflows (their spans leave the sandbox through a sink) and this worker's own client.
  const tracing = installTracing(config, 'mdw-worker');
  const database = createDatabase(opts.databaseUrl, poolLimits(config), { slowQueries: { service: 'worker', thresholdMs: config.SLOW_QUERY_MS } });
  observePool('worker', database.pool);
  observeOperations(database.system);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const workflowSource: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> = opts.workflowBundlePath
    ? { workflowBundle: { codePath: opts.workflowBundlePath } }
    : { workflowsPath: require.resolve('../workflows') };
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    ...workflowSource,
    // Encrypted payloads (TEMPORAL_PAYLOAD_KEYS): the same codec as every client's.
    dataConverter: dataConverter(config),
    activities: {
      ...createCaseActivities({ db: database.system, hooks: opts.hooks }),
      ...createInsightActivities({ db: database.system }),
      ...createEmbeddingActivities({ db: database.system, providers: createProviderRegistry(config) }),
      // Erasure deletes storage objects and case histories: the worker reaches both.
      ...createErasureActivities({ db: database.system, storage: createFileStorage(config), temporal: temporalClient(config, connection) }),
      ...createNotificationActivities({ db: database.system, config }),
      ...createAnalyticsActivities({ db: database.system }),
      ...createSearchStatsActivities({ db: database.system }),
    },
    interceptors: {
      activity: [
        // Outermost, so the activity's span covers the others.
        ...(tracing ? [(ctx: Parameters<ActivityInterceptorsFactory>[0]) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer: tracing.tracer }), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })] : []),
        // Statement values (patient data) never reach the history or the logs through a failure.
        redactingActivityInterceptors,
        auditingActivityInterceptors,
      ],
      // When bundling at start; a prebuilt bundle has them if it was built with workflowBundleOptions(config).
      ...(opts.workflowBundlePath ? {} : { workflowModules: workflowInterceptorModules(config) }),
    },
    ...(tracing ? { sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) } } : {}),
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    shutdownGraceTime: config.WORKER_SHUTDOWN_GRACE_MS,
  });

  const done = worker.run().finally(async () => {
    await connection.close().catch(() => undefined);
    await database.destroy().catch(() => undefined);
    health?.close();
  });

  let health: http.Server | undefined;
  let healthUrl: string | null = null;
  if (opts.healthPort !== undefined) {
    health = http.createServer((req, res) => {
      void (async () => {
        if (req.url?.split('?')[0] === '/metrics') {
          const m = await renderMetrics();
          res.writeHead(200, { 'content-type': m.contentType });
          res.end(m.body);
          return;
        }
        const state = worker.getState();
        let dbOk = false;
        try {
          await database.pool.query('select 1');
          dbOk = true;
        } catch {
          /* reported below */
        }
        const ok = state === 'RUNNING' && dbOk;
        // Texts not yet embedded: grows while the embedding provider is down, drains after.
        const backlog = dbOk ? await embeddingBacklog(database.system).catch(() => null) : null;
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: ok ? 'ok' : 'unavailable', worker: state, database: dbOk ? 'ok' : 'unreachable', taskQueue: config.TEMPORAL_TASK_QUEUE, embeddingBacklog: backlog }));
      })();
    });
    await new Promise<void>((resolve) => health!.listen(opts.healthPort, config.WORKER_HEALTH_HOST, resolve));
    const addr = health.address();
    healthUrl = typeof addr === 'object' && addr ? `http://127.0.0.1:${addr.port}/health` : null;
  }

  if (opts.embeddingPipeline) await startEmbeddingPipeline(config, database.system);
  if (opts.notifications) {
    const enabled = await startNotifications(config);
    console.log(JSON.stringify({ msg: enabled ? `email notifications on via ${config.SMTP_HOST}:${config.SMTP_PORT}` : 'email notifications disabled: SMTP_HOST is not set (events are kept in the outbox)' }));
  }

  if (opts.analyticsRollups) await ensureAnalyticsRollupsSchedule(temporalClient(config, connection), config.TEMPORAL_TASK_QUEUE);
  if (opts.lexicalStats) await ensureLexicalStatsSchedule(temporalClient(config, connection), config.TEMPORAL_TASK_QUEUE);

  return {
    worker,
    database,
    healthUrl,
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
