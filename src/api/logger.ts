/** The API's logger: JSON lines (pino), with errors serialized without the data they carry. */
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { redactError } from '../db/redact';

/** pino's error serializer, over a copy of the error without statement values (src/db/redact.ts). */
export const redactingErrSerializer = (err: unknown): unknown => pino.stdSerializers.err(redactError(err) as Error);

/**
 * @param level - LOG_LEVEL.
 * @param base - fields on every line (e.g. `{ service: 'mdw-api' }`).
 * @param destination - where lines go; stdout by default.
 */
export function createLogger(level: LoggerOptions['level'], base: Record<string, unknown>, destination: DestinationStream = pino.destination(1)): Logger {
  return pino({ level, base, serializers: { err: redactingErrSerializer, error: redactingErrSerializer } }, destination);
}
