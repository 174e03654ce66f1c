/**
 * The one place Temporal clients and workers get their data converter: with TEMPORAL_PAYLOAD_KEYS
 * set, every payload is encrypted (src/temporal/codec.ts). Every client that starts workflows,
 * sends updates or reads results must use it (`temporalClient`), and the worker too: a side
 * without the keys could neither read encrypted results nor would it encrypt what it writes.
 */
import { Client, type ConnectionLike } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { DataConverter } from '@temporalio/common';
import { ConfigError, type Config } from '../config';
import { AesGcmPayloadCodec, parseKeyRing } from './codec';
import { installTracing } from '../telemetry/tracing';

const codecs = new WeakMap<Config, AesGcmPayloadCodec | null>();

/**
 * The configured payload codec, or null when no keys are configured (development and benchmarks
 * without keys: payloads in clear). Production refuses to run without keys.
 */
export function payloadCodec(config: Config): AesGcmPayloadCodec | null {
  if (codecs.has(config)) return codecs.get(config)!;
  let codec: AesGcmPayloadCodec | null = null;
  if (config.TEMPORAL_PAYLOAD_KEYS) {
    try {
      codec = new AesGcmPayloadCodec(parseKeyRing(config.TEMPORAL_PAYLOAD_KEYS), config.TEMPORAL_PAYLOAD_KEY_ID);
    } catch (err) {
      throw new ConfigError(`Invalid configuration — TEMPORAL_PAYLOAD_KEY_ID: ${(err as Error).message}`);
    }
  } else if (config.NODE_ENV === 'production') {
    throw new ConfigError('Invalid configuration — TEMPORAL_PAYLOAD_KEYS is not set: in production workflow payloads are encrypted (id:base64key, e.g. k1:$(openssl rand -base64 32))');
  }
  codecs.set(config, codec);
  return codec;
}

/**
 * The failure converter every client, worker and workflow bundle loads (messages and stack traces
 * into encrypted payloads: ./failure-converter.ts). A workflow bundle built ahead of time
 * (bundleWorkflowCode, WORKFLOW_BUNDLE_PATH) must be built with it: `workflowBundleOptions`.
 */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/** Data converter options for `new Client(...)`, `Worker.create(...)` and replay. */
export function dataConverter(config: Config): DataConverter {
  const codec = payloadCodec(config);
  return { failureConverterPath: FAILURE_CONVERTER_PATH, ...(codec ? { payloadCodecs: [codec] } : {}) };
}

/**
 * A Temporal client on `connection` with the configured namespace and data converter, and, with
 * OTEL_TRACES_EXPORTER set, the tracing interceptor that carries the caller's trace into the
 * workflow (src/telemetry/tracing.ts; a process that has not installed tracing yet gets it here).
 */
export function temporalClient(config: Config, connection: ConnectionLike): Client {
  const tracing = installTracing(config, 'mdw');
  return new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: dataConverter(config),
    ...(tracing ? { interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor({ tracer: tracing.tracer })] } } : {}),
  });
}
