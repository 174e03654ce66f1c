/**
 * Logs without free text from errors. An error's message and stack are text someone else wrote:
 * an SMTP server repeating the recipient, an integration hook or an AI provider echoing its input,
 * a library quoting the value it choked on. Any of them may name a patient, and logs are kept,
 * shipped and read far more widely than the (encrypted) workflow histories. So what the worker, the
 * API and the CLIs log about an error is its fingerprint: class, code, failure type and a keyed hash
 * of its message. Beside the ids each line already carries (workflow id, run id, activity id and
 * attempt; the API's request id) that is enough to find the failure in Temporal and read it there
 * through the codec endpoint (`/codec`, lab admins), or to see that two lines are the same error.
 *
 * The hash is an HMAC under a key derived from the payload key (TEMPORAL_PAYLOAD_KEYS), so whoever
 * reads only the logs cannot confirm a guessed message ("…jane@example.com…") by hashing it; the
 * fingerprints are stable across processes sharing the key and change when the current key does.
 * Without a key ring (development) the hash is a plain SHA-256.
 *
 * PostgreSQL errors keep their message with the statement's values removed (src/db/redact.ts): it
 * quotes identifiers, not data, and names what to fix. `LOG_ERROR_DETAIL=clear` turns this off for
 * local debugging (database values stay redacted).
 */
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import { isDatabaseError, redactDatabaseMessage, redactError } from '../db/redact';
import { parseKeyRing } from '../temporal/key-ring';
import { config } from '../config';

export type ErrorDetail = 'fingerprint' | 'clear';

/** What a log line carries instead of an error. */
export interface ErrorFingerprint {
  /** `<class>#<10 hex>`: the error's class and a keyed hash of its class and message. */
  fingerprint: string;
  /** A code the error carries (`ECONNREFUSED`, `EENVELOPE`, SQLSTATE `22P02`), if identifier-like. */
  code?: string | number;
  /** An ApplicationFailure's type. */
  type?: string;
  nonRetryable?: boolean;
  /** Numeric status a client library attached (HTTP status, SMTP response code). */
  status?: number;
  /** PostgreSQL errors only: the message without the statement's values. */
  message?: string;
  cause?: ErrorFingerprint;
  errors?: ErrorFingerprint[];
}

export interface ErrorRedactor {
  readonly detail: ErrorDetail;
  /** The error as a log line may carry it. */
  error(err: unknown): unknown;
  /** A copy of a log's metadata with each error (and error text under an error key) replaced. */
  meta<T extends object>(meta: T): { [K in keyof T]: unknown };
  /** The fingerprint of an error (what `meta` puts in its place), e.g. to match a decoded failure. */
  fingerprint(err: unknown): ErrorFingerprint;
  /** The log's message without the text of the errors found in its metadata. */
  message(message: string, meta?: object): string;
  /** One line for a CLI's or a process's last words. */
  describe(err: unknown): string;
}

/** Keys under which a string is an error's text (e.g. `error: String(err)`), not ours. */
const ERROR_KEYS = new Set(['err', 'error', 'errors', 'cause', 'stack', 'errorMessage']);
/**
 * Fields of Core's (Rust) log records that are ids or names, kept; any other text field is hashed.
 * Compared without case and underscores: Core's `run_id` arrives as `runId`.
 */
const CORE_CLEAR_FIELDS = new Set(['sdkcomponent', 'target', 'spancontexts', 'runid', 'workflowid', 'workflowtype', 'taskqueue', 'namespace', 'activityid', 'activitytype', 'attempt', 'tasktoken', 'updateid', 'queryid', 'buildid', 'workerid']);
const coreClear = (key: PropertyKey | null) => CORE_CLEAR_FIELDS.has(String(key).replace(/_/g, '').toLowerCase());
const IDENTIFIER = /^[A-Za-z_$][\w$.]{0,63}$/;
const CODE = /^[A-Za-z0-9_.-]{1,40}$/;
const MAX_DEPTH = 6;

type ErrorLike = Error & Record<string, unknown>;

/** Errors from another realm (the workflow sandbox, a structured clone) fail `instanceof Error`. */
function isErrorLike(value: unknown): value is ErrorLike {
  if (value instanceof Error) return true;
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.message === 'string' && (typeof v.stack === 'string' || (typeof v.name === 'string' && /Error|Failure/.test(v.name)));
}

function isPlainObject(value: unknown): value is Record<PropertyKey, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function className(err: ErrorLike): string {
  if (typeof err.name === 'string' && IDENTIFIER.test(err.name)) return err.name;
  const ctor = (Object.getPrototypeOf(err) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return typeof ctor === 'string' && IDENTIFIER.test(ctor) ? ctor : 'Error';
}

/** The key that makes hashes unconfirmable without it: HKDF of the current payload key. */
function fingerprintKey(payloadKeys: string | undefined, payloadKeyId: string | undefined): Buffer | null {
  if (!payloadKeys) return null;
  try {
    const ring = parseKeyRing(payloadKeys);
    const current = ring.find((k) => k.id === payloadKeyId) ?? ring[0]!;
    return Buffer.from(hkdfSync('sha256', current.key, Buffer.alloc(0), 'mdw log error fingerprint', 32));
  } catch {
    return null; // config validation reports a bad ring; logs still must not print the text
  }
}

export interface ErrorRedactorOptions {
  /** @default 'fingerprint' */
  detail?: ErrorDetail;
  /** TEMPORAL_PAYLOAD_KEYS: keys the hash. */
  payloadKeys?: string;
  /** TEMPORAL_PAYLOAD_KEY_ID */
  payloadKeyId?: string;
}

export function createErrorRedactor(opts: ErrorRedactorOptions = {}): ErrorRedactor {
  const detail = opts.detail ?? 'fingerprint';
  const key = fingerprintKey(opts.payloadKeys, opts.payloadKeyId);
  const hash = (text: string): string => (key ? createHmac('sha256', key) : createHash('sha256')).update(text).digest('hex').slice(0, 10);

  function fingerprint(err: ErrorLike, depth = 0): ErrorFingerprint {
    const cls = className(err);
    const out: ErrorFingerprint = { fingerprint: `${cls}#${hash(`${cls}\n${String(err.message)}`)}` };
    const code = err.code;
    if ((typeof code === 'string' && CODE.test(code)) || typeof code === 'number') out.code = code;
    if (typeof err.type === 'string' && IDENTIFIER.test(err.type)) out.type = err.type;
    if (typeof err.nonRetryable === 'boolean') out.nonRetryable = err.nonRetryable;
    for (const k of ['status', 'statusCode', 'responseCode']) {
      if (typeof err[k] === 'number') {
        out.status = err[k];
        break;
      }
    }
    if (isDatabaseError(err)) out.message = redactDatabaseMessage(err.message, err.code);
    if (depth < MAX_DEPTH) {
      if (isErrorLike(err.cause)) out.cause = fingerprint(err.cause, depth + 1);
      if (Array.isArray(err.errors)) out.errors = err.errors.filter(isErrorLike).map((e) => fingerprint(e, depth + 1));
    }
    return out;
  }

  const text = (value: string): ErrorFingerprint => ({ fingerprint: `text#${hash(`text\n${value}`)}` });

  /**
   * @param depth - nesting level (1: a metadata field).
   * @param coreField - a top-level field of a Core log record: text unless allow-listed.
   */
  function scrub(value: unknown, key: PropertyKey | null, depth: number, coreField = false): unknown {
    if (isErrorLike(value)) {
      if (detail === 'clear') return redactError(value);
      // A driver error keeps what src/db/redact.ts leaves of it (message without values, SQLSTATE,
      // table, constraint, stack): identifiers that say what to fix, no data.
      if (isDatabaseError(value)) return Object.assign(redactError(value), { fingerprint: fingerprint(value).fingerprint });
      return fingerprint(value);
    }
    if (typeof value === 'string') {
      if (detail === 'clear') return value;
      const isText = coreField ? !coreClear(key) : typeof key === 'string' && ERROR_KEYS.has(key);
      return isText ? text(value) : value;
    }
    if (depth >= MAX_DEPTH) return value;
    if (Array.isArray(value)) return value.map((v) => scrub(v, key, depth + 1));
    if (isPlainObject(value)) {
      const out: Record<PropertyKey, unknown> = {};
      // Symbol keys too: the SDK passes its timestamp as Symbol.for('log_timestamp').
      for (const k of Reflect.ownKeys(value)) out[k] = scrub(value[k], k, depth + 1);
      return out;
    }
    return value;
  }

  function collectErrors(value: unknown, into: ErrorLike[], depth: number): void {
    if (depth > MAX_DEPTH) return;
    if (isErrorLike(value)) {
      into.push(value);
      collectErrors(value.cause, into, depth + 1);
      return;
    }
    if (Array.isArray(value)) for (const v of value) collectErrors(v, into, depth + 1);
    else if (isPlainObject(value)) for (const k of Reflect.ownKeys(value)) collectErrors(value[k], into, depth + 1);
  }

  return {
    detail,
    error: (err) => scrub(err, null, 1),
    fingerprint: (err) => (isErrorLike(err) ? fingerprint(err) : text(String(err))),
    meta<T extends object>(meta: T): { [K in keyof T]: unknown } {
      if (!isPlainObject(meta)) return scrub(meta, null, 1) as { [K in keyof T]: unknown };
      const core = meta.sdkComponent === 'core';
      const out: Record<PropertyKey, unknown> = {};
      for (const k of Reflect.ownKeys(meta)) out[k] = scrub(meta[k], k, 1, core);
      return out as { [K in keyof T]: unknown };
    },
    message(message, meta) {
      if (detail === 'clear') return message;
      let out = message;
      // Core's own text comes first; what follows a colon is a formatted error.
      if (meta && (meta as { sdkComponent?: unknown }).sdkComponent === 'core') {
        const colon = out.indexOf(': ');
        if (colon >= 0) out = `${out.slice(0, colon)}: ${text(out.slice(colon + 2)).fingerprint}`;
        return out;
      }
      // The SDK writes some errors into the message too ("Error while processing ActivityTask.start: <message>").
      const errors: ErrorLike[] = [];
      if (meta) collectErrors(meta, errors, 0);
      for (const e of errors) {
        if (typeof e.message === 'string' && e.message.length >= 4 && out.includes(e.message)) out = out.split(e.message).join(fingerprint(e).fingerprint);
      }
      return out;
    },
    describe(err) {
      if (!isErrorLike(err)) return detail === 'clear' ? String(err) : text(String(err)).fingerprint;
      if (detail === 'clear') {
        const r = redactError(err);
        return r.stack ?? `${className(err)}: ${r.message}`;
      }
      const f = fingerprint(err);
      const parts = [f.code !== undefined ? `code ${f.code}` : null, f.type ? `type ${f.type}` : null, f.cause ? `cause ${f.cause.fingerprint}` : null].filter(Boolean);
      const head = f.message !== undefined ? `${f.message} (SQLSTATE ${String(f.code)}, ${f.fingerprint})` : `${f.fingerprint}${parts.length ? ` (${parts.join(', ')})` : ''}`;
      return `${head}; its message is withheld from logs (it may carry patient data): LOG_ERROR_DETAIL=clear prints it`;
    },
  };
}

/** The redactor a process's config asks for. */
export function errorRedactorFor(config: { LOG_ERROR_DETAIL?: ErrorDetail; TEMPORAL_PAYLOAD_KEYS?: string; TEMPORAL_PAYLOAD_KEY_ID?: string }): ErrorRedactor {
  return createErrorRedactor({ detail: config.LOG_ERROR_DETAIL, payloadKeys: config.TEMPORAL_PAYLOAD_KEYS, payloadKeyId: config.TEMPORAL_PAYLOAD_KEY_ID });
}

/**
 * The redactor of this process's configuration; fingerprints when the configuration itself does
 * not load (a process's last words about an error must not print it either).
 */
export function processErrorRedactor(): ErrorRedactor {
  try {
    return errorRedactorFor(config());
  } catch {
    return createErrorRedactor();
  }
}

/**
 * A Temporal SDK logger (Runtime.install({ logger })) that hands every entry to `downstream`
 * with its errors fingerprinted: activity failures, workflow task and activation failures, the
 * workflow sandbox's `log` (through its sink) and Core's forwarded logs all pass here.
 */
export class RedactingLogger implements Logger {
  constructor(
    private readonly downstream: Logger,
    private readonly redactor: ErrorRedactor,
  ) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    if (meta === undefined) {
      this.downstream.log(level, this.redactor.message(message));
      return;
    }
    this.downstream.log(level, this.redactor.message(message, meta), this.redactor.meta(meta));
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}
