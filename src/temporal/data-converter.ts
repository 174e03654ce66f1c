/**
 * The one place Temporal clients and workers get their data converter: with TEMPORAL_PAYLOAD_KEYS
 * set, every payload is encrypted (src/temporal/codec.ts). Every client that starts workflows,
 * sends updates or reads results must use it (`temporalClient`), and the worker too: a side
 * without the keys could neither read encrypted results nor would it encrypt what it writes.
 */
import { Client, type ConnectionLike } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { ConfigError, type Config } from '../config';
import { AesGcmPayloadCodec, parseKeyRing } from './codec';

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

/** Data converter options for `new Client(...)`, `Worker.create(...)` and replay. */
export function dataConverter(config: Config): DataConverter {
  const codec = payloadCodec(config);
  return codec ? { payloadCodecs: [codec] } : {};
}

/** A Temporal client on `connection` with the configured namespace and data converter. */
export function temporalClient(config: Config, connection: ConnectionLike): Client {
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: dataConverter(config) });
}
