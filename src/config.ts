/**
 * The only reader of the environment. Every process (API, worker, dev runner, seeds, benchmarks)
 * loads its settings here, validated by zod and frozen, so a missing or malformed value stops
 * start-up with one line naming the variable instead of failing later somewhere deep.
 */
import { z } from 'zod';
import { parseKeyRing } from './temporal/key-ring';

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const postgresUrl = z
  .string()
  .refine((v) => {
    try {
      return ['postgres:', 'postgresql:'].includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, 'must be a postgres:// URL, e.g. postgres://user:password@127.0.0.1:5432/mdw');

const optionalUrl = z.string().url('must be an http(s) URL').optional();

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /**
   * What logs say about an error: `fingerprint` (default) replaces its message and stack (free
   * text that may name a patient) by its class, code and a keyed hash, beside the workflow, run,
   * activity or request id that finds the (encrypted) failure; `clear` prints them, for local
   * debugging only (src/telemetry/log-redaction.ts).
   */
  LOG_ERROR_DETAIL: z.enum(['fingerprint', 'clear']).default('fingerprint'),

  /** Any PostgreSQL >= 15 with pgvector (Supabase included). `npm run dev` supplies an embedded one. */
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_MAX: int(10, 1),
  /** How long a request waits for a pooled connection before answering 503 (overload is bounded). */
  DATABASE_POOL_WAIT_MS: int(5_000, 100),
  /**
   * At most this many requests queue for a connection; more answer 503 + Retry-After at once
   * (fail fast instead of timing out). 0: no bound.
   */
  DATABASE_POOL_QUEUE_MAX: int(200, 0),
  /**
   * A pooled connection idle this long is closed (0: never). Default 5 minutes, not node-postgres'
   * 10 s: a new connection's backend builds its catalog caches, compiles search_page() and plans
   * its statements on its first search, ~28 ms of database CPU against ~6 ms on a warm one
   * (session 10, bench/SEARCH.md "Session 10 (s-contend)"), so a pool that closes its connections
   * after every lull of 10 s pays that again at the next burst.
   */
  DATABASE_POOL_IDLE_MS: int(300_000, 0),
  /** Server-side cap on one statement; a runaway query is cancelled instead of holding the pool. */
  DATABASE_STATEMENT_TIMEOUT_MS: int(15_000, 100),
  /**
   * Where the API's requests log in: role `mdw_authenticator` (created by the migrations; it can
   * become only anon or authenticated, see db/README.md "Login roles"), e.g.
   * postgres://mdw_authenticator:password@host:5432/mdw. Required by the API; `npm run up`
   * derives it for its embedded server. DATABASE_URL stays the privileged (system) connection.
   */
  DATABASE_AUTHENTICATOR_URL: postgresUrl.optional(),

  /** Unset: 127.0.0.1:7233, and `npm run up` starts a dev server there. */
  TEMPORAL_ADDRESS: z.string().regex(/^[^:\s]+:\d+$/, 'must be host:port, e.g. 127.0.0.1:7233').optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('mdw-cases'),
  TEMPORAL_CONNECT_TIMEOUT_MS: int(10_000, 100),

  WORKER_MAX_CONCURRENT_ACTIVITIES: int(20, 1),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: int(10, 2),
  WORKER_MAX_CACHED_WORKFLOWS: int(500, 0),
  WORKER_SHUTDOWN_GRACE_MS: int(30_000, 0),
  WORKER_HEALTH_PORT: int(0, 0),
  /** A prebuilt workflow bundle (bundleWorkflowCode output); unset = bundle src/workflows at start. */
  WORKFLOW_BUNDLE_PATH: z.string().optional(),
  /**
   * The worker's start-up sweep (ensureCaseWorkflows) leaves cases younger than this alone: an
   * API process may be starting their workflow right now. 0 (default) sweeps every case: on the
   * one task queue of a deployment a start raced by the sweep converges on one workflow. The test
   * suite's files share one database but not a task queue, and sets it so that one file's sweep
   * never starts another file's case on its own queue (where it stalls once that worker stops).
   */
  CASE_SWEEP_MIN_AGE_MS: int(0, 0),

  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: int(3000, 0),
  API_BODY_LIMIT: z.string().default('1mb'),
  API_CORS_ORIGINS: z.string().default(''),
  /**
   * How long the API keeps an idle keep-alive connection open. Node's default (5 s) is below the
   * idle timeout of common load balancers (AWS ALB, GCP, nginx upstream keepalive: 60 s), so the
   * balancer could reuse a socket the server is closing at that moment and answer 502. Keep it
   * above the balancer's idle timeout.
   */
  API_KEEP_ALIVE_TIMEOUT_MS: int(65_000, 1_000),
  /**
   * How long a client may take to send a request's headers; must exceed API_KEEP_ALIVE_TIMEOUT_MS
   * (Node's own rule: otherwise a reused connection can be cut while the next request's headers arrive).
   */
  API_HEADERS_TIMEOUT_MS: int(66_000, 1_000),
  /**
   * Whether the API creates the daily recommendations Schedule of every active template at start
   * (on TEMPORAL_TASK_QUEUE). The test suite turns it off: its files share one database and one
   * Temporal but not a task queue, and an API started by one file would create another file's
   * template's Schedule on its own queue, where nothing runs it after that file ends.
   */
  API_INSIGHT_SCHEDULES: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  /**
   * An Idempotency-Key claim whose request neither finished nor failed within this long (its
   * process died, or the database went away before the key could be released) is taken over by
   * the next retry, which runs the request again: a decision re-runs its Workflow Update under
   * the same update id, which Temporal answers with the first outcome. Keep it above the
   * longest request.
   */
  IDEMPOTENCY_CLAIM_TTL_MS: int(60_000, 1000),

  /** HS256 secret (what Supabase signs with). Required by the API. */
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_JWKS_URL: optionalUrl,
  JWT_ISSUER: z.string().default('mdw'),
  /**
   * Comma-separated issuers (`iss`) accepted besides JWT_ISSUER, e.g. your Supabase project's
   * `https://<ref>.supabase.co/auth/v1` or the identity provider behind JWT_JWKS_URL. Unset:
   * any issuer (Supabase's own keys sign only its project's tokens).
   */
  JWT_ACCEPTED_ISSUERS: z.string().optional(),
  ACCESS_TOKEN_TTL_SECONDS: int(900, 30),
  REFRESH_TOKEN_TTL_SECONDS: int(30 * 24 * 3600, 60),
  LOGIN_MAX_ATTEMPTS_PER_MINUTE: int(10, 1),

  /** OpenAI or any OpenAI-compatible server. Without a key the AI paths report "disabled". */
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: optionalUrl,
  EMBEDDING_MODEL: z.string().default('text-embedding-3-small'),
  CHAT_MODEL: z.string().default('gpt-4o-mini'),

  STORAGE_DRIVER: z.enum(['local', 's3']).default('local'),
  /** S3-compatible storage (AWS S3, MinIO, R2, Supabase Storage's S3 endpoint) when STORAGE_DRIVER=s3. */
  S3_BUCKET: z.string().min(3).optional(),
  S3_ENDPOINT: optionalUrl,
  S3_REGION: z.string().default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  /** Path-style URLs (bucket in the path), which most S3-compatible servers need. */
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  STORAGE_DIR: z.string().default('.data/files'),
  MAX_UPLOAD_BYTES: int(200 * 1024 * 1024, 1),

  /** A posted message's intent classification is abandoned after this long (the post stands). */
  AI_INTENT_BUDGET_MS: int(2_000, 10),
  /** Whether intent classification uses the configured embedding model beside its lexical encoder. */
  AI_INTENT_EMBEDDINGS: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),

  /**
   * A case with a seat date is "at risk" when its slack (latest start of the active task − now)
   * falls below this many hours; at half of it the role pool is told, at none the leads. Default:
   * one working day, what a lab can still make up by reprioritising or faster shipping.
   */
  CASE_AT_RISK_SLACK_HOURS: z.coerce.number().min(0).max(24 * 60).default(24),

  /** How often the case_dashboard materialized view is refreshed. */
  DASHBOARD_REFRESH_MS: int(30_000, 0),

  /** Development tooling: where built/installed tools are cached, and an existing Temporal CLI. */
  MDW_CACHE_DIR: z.string().optional(),
  TEMPORAL_CLI: z.string().optional(),
  MDW_DATA_DIR: z.string().default('.data'),

  /** Embeddings: `local` runs a model in-process (patient data stays on the premises); `openai` calls OPENAI_BASE_URL. */
  AI_PROVIDER: z.enum(['local', 'openai']).default('local'),
  /** The in-process model (src/ai/models.ts); chosen by `npm run eval:search`. */
  LOCAL_EMBEDDING_MODEL: z.enum(['all-minilm-l6-v2-q', 'bge-small-en-v1.5-q']).default('bge-small-en-v1.5-q'),
  /** Where local model weights live; default: <tool cache>/models (scripts/ensure-tools.ts fills it). */
  AI_MODEL_DIR: z.string().optional(),
  /**
   * The local model's ONNX Runtime threads spin between operators (`true`) or sleep (`false`, the
   * default). Spinning saves a query ~2 ms on idle cores (p50 5.7 vs 8.0 ms at load 2); on cores
   * shared with PostgreSQL and the rest it burns their CPU: a query p50 16.0 vs 9.3 ms and the
   * pipeline 41 vs 64 texts/s at load 6-8 (session 11, bench/SEARCH.md). `true` only on a host
   * whose cores are otherwise idle.
   */
  LOCAL_EMBEDDING_SPIN: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** Maven repository the local model weights are fetched from (sha256-checked), e.g. a mirror. */
  MAVEN_REPOSITORY_URL: z.string().url('must be an http(s) URL').default('https://repo1.maven.org/maven2'),
  /** Per-request timeout of the OpenAI-compatible provider; Temporal retries the activity. */
  OPENAI_TIMEOUT_MS: int(30_000, 100),
  /** Vector length of EMBEDDING_MODEL (sent as `dimensions` when set; 1536 = text-embedding-3-small). */
  OPENAI_EMBEDDING_DIMENSIONS: z.coerce.number().int().min(1).max(4000).optional(),
  /** Texts per embedding call of the pipeline. */
  EMBEDDING_BATCH_SIZE: int(32, 1),
  /** How often the embedding pipeline looks for new texts when idle. */
  EMBEDDING_POLL_MS: int(2_000, 50),
  /**
   * Temporal payload encryption keys (issue 12 §4), a ring `id:base64key,id:base64key` of 32-byte
   * AES-256-GCM keys (`openssl rand -base64 32`). New payloads use TEMPORAL_PAYLOAD_KEY_ID (default:
   * the first key); every key decrypts, so rotate by adding the new key in front and keep old ones
   * while their histories are retained. Required in production; `npm run up` keeps a random key in
   * its data folder; unset elsewhere: payloads in clear.
   */
  TEMPORAL_PAYLOAD_KEYS: z
    .string()
    .superRefine((v, ctx) => {
      try {
        parseKeyRing(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    })
    .optional(),
  TEMPORAL_PAYLOAD_KEY_ID: z.string().optional(),
  /** Statements at least this slow (ms) are recorded in query_performance_log by the API and the worker; 0: none. Over 1 s they raise a performance alert. */
  SLOW_QUERY_MS: int(500, 0),
  /**
   * host:port where the worker's Temporal Core runtime serves its own Prometheus metrics (workflow
   * task and activity latencies, pollers, sticky cache), e.g. 0.0.0.0:9464. Unset: not exported.
   */
  WORKER_TEMPORAL_METRICS_ADDRESS: z.string().regex(/^[^:\s]+:\d+$/, 'must be host:port, e.g. 0.0.0.0:9464').optional(),
  /** Where the worker's /health and /metrics listen (WORKER_HEALTH_PORT); 0.0.0.0 in containers so Prometheus can scrape. */
  WORKER_HEALTH_HOST: z.string().default('127.0.0.1'),
  /**
   * OpenTelemetry traces (issue 12 §5) from the HTTP request through the Temporal client into the
   * workflow and its activities: `none` (default: nothing is installed, nothing costs), `otlp`
   * (OTLP/HTTP JSON to OTEL_EXPORTER_OTLP_ENDPOINT, e.g. a collector or Jaeger), `console` (stdout).
   */
  OTEL_TRACES_EXPORTER: z.enum(['none', 'otlp', 'console']).default('none'),
  /** OTLP/HTTP base URL; spans go to <endpoint>/v1/traces. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .string()
    .refine((v) => /^https?:\/\/[^/\s]+/.test(v), 'must be an http(s) URL, e.g. http://127.0.0.1:4318')
    .default('http://127.0.0.1:4318'),
  /** service.name of this process's spans; unset: mdw-api for the API, mdw-worker for a worker. */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  /** Origins of the Temporal UI allowed to call the codec endpoint (/codec/*), comma-separated. */
  CODEC_CORS_ORIGINS: z.string().default('http://localhost:8233,http://127.0.0.1:8233'),
  /** Longest accepted search query, in characters. */
  SEARCH_MAX_QUERY_CHARS: int(500, 10),
  /** A search whose query embedding takes longer answers from full-text search alone (and says so). */
  SEARCH_EMBED_TIMEOUT_MS: int(3_000, 50),
  /**
   * GET /search admission control: at most this many searches of one API process in the database
   * at once, the rest queue first in, first out (size it to about three times the database
   * server's cores, divided among the API processes sharing it). 0: no limit. Default 6 since
   * session 9: at 1M and 10 concurrent clients on 2 cores, two runs under load, p95 -19/-23 %,
   * p99 -32/-37 %, p50 -4/-7 % and 9-11 % more searches/s than without a limit (README "Search
   * under load", bench/SEARCH.md).
   */
  SEARCH_CONCURRENCY: int(6, 0),

  /**
   * Email notifications (issue 11 §4) over SMTP. Unset SMTP_HOST: deliveries are disabled (the
   * worker says so at start); events still go to the outbox, and those older than
   * NOTIFY_MAX_EVENT_AGE_MS are dropped, not sent, once SMTP is configured.
   */
  SMTP_HOST: z.string().min(1).optional(),
  SMTP_PORT: int(587, 1),
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  SMTP_SECURE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  SMTP_USER: z.string().optional(),
  SMTP_PASS: z.string().optional(),
  SMTP_FROM: z.string().min(3).default('MDW <no-reply@mdw.invalid>'),
  /** Where people open the app: emails link to <APP_PUBLIC_URL>/cases/<id>. */
  APP_PUBLIC_URL: z.string().url('must be an http(s) URL').default('http://127.0.0.1:3000'),
  /** How often the delivery workflow looks for new notifications when idle. */
  NOTIFY_POLL_MS: int(5_000, 50),
  /** One send attempt's limit (also how long an attempt on a worker that died stays stuck). */
  NOTIFY_SEND_TIMEOUT_MS: int(60_000, 1_000),
  /** Send attempts before a delivery is given up and listed in GET /notifications/failures. */
  NOTIFY_MAX_ATTEMPTS: int(5, 1),
  NOTIFY_MAX_EVENT_AGE_MS: int(24 * 3600_000, 60_000),
  /** The daily digest's hour (UTC). */
  NOTIFY_DIGEST_HOUR_UTC: int(7, 0).pipe(z.number().max(23)),
});

export const ConfigSchema = EnvSchema.superRefine((env, ctx) => {
  if (env.API_HEADERS_TIMEOUT_MS <= env.API_KEEP_ALIVE_TIMEOUT_MS) {
    ctx.addIssue({ code: 'custom', path: ['API_HEADERS_TIMEOUT_MS'], message: `must be greater than API_KEEP_ALIVE_TIMEOUT_MS (${env.API_KEEP_ALIVE_TIMEOUT_MS})` });
  }
}).transform((env) => ({
  ...env,
  TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
  /** Whether TEMPORAL_ADDRESS was given (an external server) or defaulted. */
  TEMPORAL_ADDRESS_SET: env.TEMPORAL_ADDRESS !== undefined,
}));

export type Config = Readonly<z.infer<typeof ConfigSchema>>;

/** Thrown for an invalid environment; its message is one line meant for the operator. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Validates an environment and returns a frozen config.
 * @param env - the variables to read; `process.env` by default (tests pass their own).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (`FOO=`) means unset, as in most deployment tools.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ConfigSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration — ${problems.join('; ')}`);
  }
  return Object.freeze(parsed.data);
}

/**
 * Narrows an optional setting that this process needs.
 * @returns the value, or throws a ConfigError naming the variable.
 */
export function required<K extends keyof Config>(config: Config, key: K, why: string): NonNullable<Config[K]> {
  const value = config[key];
  if (value === undefined || value === null || value === '') {
    throw new ConfigError(`Invalid configuration — ${String(key)} is not set: ${why}`);
  }
  return value as NonNullable<Config[K]>;
}

let cached: Config | undefined;
/** The process-wide config, loaded on first use. */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}
