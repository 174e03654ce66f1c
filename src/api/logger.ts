/** The API's logger: JSON lines (pino), with errors serialized without the data they carry. */
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { redactError } from '../db/redact';
import { createErrorRedactor, type ErrorRedactor } from '../telemetry/log-redaction';

/** pino's error serializer, over a copy of the error without statement values (src/db/redact.ts). */
export const redactingErrSerializer = (err: unknown): unknown => pino.stdSerializers.err(redactError(err) as Error);

/**
 * @param level - LOG_LEVEL.
 * @param base - fields on every line (e.g. `{ service: 'mdw-api' }`).
 * @param destination - where lines go; stdout by default.
 * @param redactor - what becomes of errors (LOG_ERROR_DETAIL): fingerprints by default, so no
 *   error's free text (which may name a patient) reaches a line (src/telemetry/log-redaction.ts).
 */
export function createLogger(level: LoggerOptions['level'], base: Record<string, unknown>, destination: DestinationStream = pino.destination(1), redactor: ErrorRedactor = createErrorRedactor()): Logger {
  return pino(
    {
      level,
      base,
      serializers: { err: redactingErrSerializer, error: redactingErrSerializer },
      hooks: {
        // Before pino reads anything: `log.error(err)` would take the error's message as the line's.
        logMethod(args, method) {
          const [first, ...rest] = args as unknown[];
          if (typeof first === 'object' && first !== null) {
            const obj = first instanceof Error || !isPlain(first) ? { err: first } : first;
            const msg = typeof rest[0] === 'string' ? redactor.message(rest[0], obj) : undefined;
            const out = redactor.meta(obj as Record<string, unknown>);
            return method.apply(this, (msg === undefined ? [out, ...rest] : [out, msg, ...rest.slice(1)]) as Parameters<typeof method>);
          }
          return method.apply(this, args);
        },
      },
    },
    destination,
  );
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
