/**
 * Failures as Temporal stores them: with the failure converter (src/temporal/failure-converter.ts)
 * each failure's message and stack trace sit in its `encodedAttributes` payload, encrypted by the
 * payload codec, and the clear fields say only "Encoded failure".
 */
import { defaultPayloadConverter, type DefaultEncodedFailureAttributes } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { Config } from '../../src/config';
import { payloadCodec } from '../../src/temporal/data-converter';

type RawFailure = temporal.api.failure.v1.IFailure;

/** Every Failure object anywhere in a raw history (nested causes included). */
export function failuresOf(node: unknown, out: RawFailure[] = []): RawFailure[] {
  if (!node || typeof node !== 'object' || node instanceof Uint8Array) return out;
  const o = node as Record<string, unknown>;
  if (typeof o.message === 'string' && ('encodedAttributes' in o || 'stackTrace' in o || 'applicationFailureInfo' in o || 'activityFailureInfo' in o)) out.push(o as RawFailure);
  for (const v of Object.values(o)) failuresOf(v, out);
  return out;
}

/** A stored failure's message and stack, decrypted with the config's key ring. */
export async function decodeFailure(config: Config, failure: RawFailure): Promise<DefaultEncodedFailureAttributes> {
  if (!failure.encodedAttributes) return { message: failure.message ?? '', stack_trace: failure.stackTrace ?? '' };
  const codec = payloadCodec(config);
  const [clear] = codec ? await codec.decode([failure.encodedAttributes as never]) : [failure.encodedAttributes as never];
  return defaultPayloadConverter.fromPayload<DefaultEncodedFailureAttributes>(clear!);
}
