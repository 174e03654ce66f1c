/**
 * The staff HTTP API: Express 5 with helmet, CORS, a JSON body limit, a per-request context
 * (request id, logger, actor, RLS-scoped database), routes declared with zod (which also make the
 * OpenAPI document at /openapi.json, browsable at /docs), one error shape, and the dashboard
 * refresh timer.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import cors from 'cors';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { createLogger } from './logger';
import { errorRedactorFor } from '../telemetry/log-redaction';
import { sql } from 'kysely';
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { createAuthService } from '../services/auth.service';
import { createFileStorage } from '../services/file-storage.service';
import { createAuthenticator } from './auth';
import { runWithContext, type RequestContext } from './context';
import { runWithAuditScope } from '../db/database';
import { ApiError, errorMiddleware, notFoundHandler } from './errors';
import { createIdempotency } from './idempotency';
import { INPUT_RULES, inputGuard } from './input-guard';
import { methodRouting } from './method-not-allowed';
import { createRateLimiter } from './rate-limit';
import type { RouteKit } from './route';
import type { ApiDeps, ApiServices } from './types';
import { renderDocs } from './docs';
import { authRoutes } from './routes/auth.routes';
import { healthRoutes } from './routes/health.routes';
import { profileRoutes } from './routes/profiles.routes';
import { caseRoutes } from './routes/cases.routes';
import { taskRoutes } from './routes/tasks.routes';
import { patientRoutes } from './routes/patients.routes';
import { practiceRoutes } from './routes/practices.routes';
import { messageRoutes } from './routes/messages.routes';
import { fileRoutes } from './routes/files.routes';
import { orderRoutes } from './routes/orders.routes';
import { templateRoutes } from './routes/templates.routes';
import { dashboardRoutes } from './routes/dashboard.routes';
import { patientMatchRoutes } from './routes/patient-matches.routes';
import { projectRoutes } from './routes/projects.routes';
import { searchRoutes } from './routes/search.routes';
import { createSearchService } from '../services/search.service';
import { createProviderRegistry } from '../ai/providers';
import { intentRoutes } from './routes/intent.routes';
import { insightRoutes } from './routes/insights.routes';
import { ensureInsightSchedules } from '../ai/recommendations/schedules';
import { createIntentService } from '../services/intent.service';
import { createDefaultIntentClassifier } from '../ai/intent';
import { createEmbeddingProvider } from '../ai/providers';
import { analyticsRoutes } from './routes/analytics.routes';
import { trustRoutes } from './routes/trust.routes';
import { consentRoutes } from './routes/consents.routes';
import { erasureRoutes } from './routes/erasure.routes';
import { codecRoutes } from './routes/codec.routes';
import { opsRoutes } from './routes/ops.routes';
import { httpDuration, observeOperations, observePool } from '../telemetry/metrics';
import { installTracing, tracingMiddleware } from '../telemetry/tracing';
import { webConsole } from './web-console';
import { notificationRoutes } from './routes/notifications.routes';

export type { ApiDeps } from './types';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

interface BuiltApp {
  app: express.Express;
  services: ApiServices;
  log: Logger;
  openapi: unknown;
  close(): void;
}

function buildApp(deps: ApiDeps): BuiltApp {
  const { config, database } = deps;
  const log = createLogger(config.LOG_LEVEL, { service: 'mdw-api' }, deps.logDestination, errorRedactorFor(config));
  observePool('api-system', database.pool);
  if (database.actorPool !== database.pool) observePool('api-actor', database.actorPool);
  observeOperations(database.system);
  const auth = createAuthenticator(config);
  const services: ApiServices = {
    ...deps,
    authService: createAuthService({ system: database.system, tokens: auth, refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS }),
    loginLimiter: createRateLimiter(config.LOGIN_MAX_ATTEMPTS_PER_MINUTE),
    storage: createFileStorage(config),
    search: createSearchService({
      system: database.system,
      providers: deps.embeddingProviders ?? createProviderRegistry(config),
      embedTimeoutMs: config.SEARCH_EMBED_TIMEOUT_MS,
      concurrency: config.SEARCH_CONCURRENCY,
    }),
    intent:
      deps.intent ??
      createIntentService({
        system: database.system,
        temporal: deps.temporal,
        // The configured embedding model beside the lexical encoder (npm run eval:intent: staff free
        // text 90.8 % vs 87.5 % lexical alone); lexical alone when the model cannot load.
        classifier: () =>
          createDefaultIntentClassifier(config.AI_INTENT_EMBEDDINGS ? createEmbeddingProvider(config) : null, (err) => log.warn({ err }, 'intent: embedding model unavailable, lexical encoder only')),
        log: log.child({ component: 'intent' }),
        budgetMs: config.AI_INTENT_BUDGET_MS,
      }),
  };

  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  const router = express.Router();
  const idempotency = createIdempotency(database.system, {
    staleAfterMs: config.IDEMPOTENCY_CLAIM_TTL_MS,
    onStoreFailed: (err) => log.warn({ err }, 'idempotent response answered but not stored; the claim goes stale'),
  });
  const kit: RouteKit = { router, registry, auth, idempotency };
  for (const register of [healthRoutes, authRoutes, profileRoutes, practiceRoutes, patientRoutes, caseRoutes, taskRoutes, messageRoutes, fileRoutes, orderRoutes, templateRoutes, dashboardRoutes, searchRoutes, intentRoutes, insightRoutes, analyticsRoutes, trustRoutes, consentRoutes, codecRoutes, opsRoutes]) {
    register(kit, services);
  }
  patientMatchRoutes(kit, services);
  erasureRoutes(kit, services);
  projectRoutes(kit, services);
  notificationRoutes(kit, services);
  const openapi = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'MDW staff API', version: '1.0.0', description: `Case workflow for orthodontic practices and dental design labs. ${INPUT_RULES}` },
    servers: [{ url: '/' }],
  });
  const docsHtml = renderDocs(openapi);

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // OTEL_TRACES_EXPORTER: a span per request, around everything the request does (none when off).
  const tracing = installTracing(config, 'mdw-api');
  if (tracing) app.use(tracingMiddleware(tracing));
  app.use(helmet());
  // The Temporal UI calls the codec endpoint from its own origin, with the operator's token.
  const codecOrigins = config.CODEC_CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean);
  app.use('/codec', cors({ origin: codecOrigins, credentials: true, methods: ['POST'], allowedHeaders: ['Content-Type', 'Authorization', 'X-Namespace'] }));
  const origins = config.API_CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean);
  app.use(cors({ origin: origins.includes('*') ? true : origins.length ? origins : false, exposedHeaders: ['X-Request-Id', 'Retry-After'] }));

  // Request context first, so even body-parser errors are logged with a request id.
  app.use((req, res, next) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    // Aborted when the client goes away before the answer: queued work for it is skipped.
    const gone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) gone.abort();
    });
    const c: RequestContext = {
      requestId,
      log: log.child({ requestId }),
      actor: null,
      practiceId: null,
      db: async (fn) => {
        if (!c.actor) throw ApiError.unauthorized();
        if (config.DATABASE_POOL_QUEUE_MAX > 0 && database.actorPool.waitingCount >= config.DATABASE_POOL_QUEUE_MAX) {
          throw new ApiError(503, 'service_unavailable', 'The service is overloaded; retry shortly.', null, { 'retry-after': '1' });
        }
        return database.asActor(c.actor.claims, fn, { signal: gone.signal });
      },
      dbStatement: async (statement) => {
        if (!c.actor) throw ApiError.unauthorized();
        if (config.DATABASE_POOL_QUEUE_MAX > 0 && database.actorPool.waitingCount >= config.DATABASE_POOL_QUEUE_MAX) {
          throw new ApiError(503, 'service_unavailable', 'The service is overloaded; retry shortly.', null, { 'retry-after': '1' });
        }
        return database.asActorStatement(c.actor.claims, statement, { signal: gone.signal });
      },
    };
    res.locals.ctx = c;
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const entry = { method: req.method, path: req.originalUrl.split('?')[0], status: res.statusCode, ms: Math.round(ms * 10) / 10, practice: c.practiceId }; // actor: bound to c.log at sign-in
      // By route template, never the concrete path: ids would make one series per record.
      const template = (req.route as { path?: string } | undefined)?.path;
      httpDuration.observe({ method: req.method, route: typeof template === 'string' ? template.replace(/:([A-Za-z0-9_]+)/g, '{$1}') : '(unmatched)', status: String(res.statusCode) }, ms / 1000);
      if (res.statusCode >= 500) c.log.error(entry, 'request failed');
      else c.log.info(entry, 'request');
    });
    runWithAuditScope({ requestId }, () => runWithContext(c, next));
  });
  app.use(express.json({ limit: config.API_BODY_LIMIT, type: ['application/json', 'application/*+json'] }));
  app.use(inputGuard);

  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  app.get('/docs', (_req, res) => {
    res.type('html').send(docsHtml);
  });
  app.use('/app', webConsole());
  app.use(methodRouting(openapi));
  app.use(router);
  app.use(notFoundHandler);
  app.use(errorMiddleware);

  return {
    app,
    services,
    log,
    openapi,
    close: () => services.loginLimiter.stop(),
  };
}

/** The Express app (for supertest). Timers it owns are unref'd. */
export function createApp(deps: ApiDeps): express.Express {
  return buildApp(deps).app;
}

/**
 * Starts the API on config.API_HOST:config.API_PORT (0 = any free port) and the dashboard
 * refresh timer (config.DASHBOARD_REFRESH_MS; 0 disables it).
 * @returns the base URL, the app, and stop() which closes the server and the timers.
 */
export async function startApi(deps: ApiDeps): Promise<{ url: string; app: express.Express; stop(): Promise<void> }> {
  const built = buildApp(deps);
  const { config, database } = deps;
  const server: Server = await new Promise((resolve, reject) => {
    const s = built.app.listen(config.API_PORT, config.API_HOST, (err?: Error) => (err ? reject(err) : resolve(s)));
    s.once('error', reject);
  });
  // Above a load balancer's idle timeout, so the balancer closes an idle connection first (src/config.ts).
  server.keepAliveTimeout = config.API_KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = config.API_HEADERS_TIMEOUT_MS;
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}`;

  let refreshing: Promise<void> | null = null;
  const timer =
    config.DASHBOARD_REFRESH_MS > 0
      ? setInterval(() => {
          if (refreshing) return;
          refreshing = sql`select public.refresh_case_dashboard()`
            .execute(database.system)
            .then(() => undefined)
            .catch((err: unknown) => built.log.warn({ err }, 'dashboard refresh failed'))
            .finally(() => {
              refreshing = null;
            });
        }, config.DASHBOARD_REFRESH_MS)
      : null;
  timer?.unref();
  // Load the intent model now, so the first posted message is not classified against a cold model.
  const warming = built.services.intent.warm().catch((err: unknown) => built.log.warn({ err }, 'intent classifier not warmed'));
  // The daily recommendations Schedule of every active template (created once, kept by Temporal).
  const scheduling = config.API_INSIGHT_SCHEDULES
    ? ensureInsightSchedules(deps.temporal, database.system, config.TEMPORAL_TASK_QUEUE)
        .then((created) => created.length && built.log.info({ created: created.length }, 'insight schedules created'))
        .catch((err: unknown) => built.log.warn({ err }, 'insight schedules not ensured'))
    : null;
  built.log.info({ url }, 'api listening');

  return {
    url,
    app: built.app,
    async stop() {
      if (timer) clearInterval(timer);
      built.close();
      await refreshing;
      // Start-up work still in flight would go on against a database and a Temporal connection the
      // caller closes next (and keep the process alive): it ends first.
      await Promise.all([warming, scheduling]);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    },
  };
}
