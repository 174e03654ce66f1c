/**
 * PostgreSQL errors carry the values of the statement that failed: `invalid input syntax for
 * type uuid: "<value>"` in the message (and so in the stack's first line), `Failing row contains
 * (<every column>)` or `Key (email)=(<value>)` in `detail`, the bound parameter in `where`. Those
 * values are patient data, so nothing that logs or forwards an error may carry them. What stays:
 * SQLSTATE, severity, schema/table/column/constraint names, routine: enough to diagnose.
 */

const SQLSTATE = /^[0-9A-Z]{5}$/;
/** Properties that hold row or parameter values, on driver errors or on errors that wrap them. */
const VALUE_FIELDS = new Set(['detail', 'where', 'internalQuery', 'hint', 'parameters', 'params', 'values', 'bindings', 'query', 'sql']);
export const REDACTED = '[redacted]';

/** A PostgreSQL error as node-postgres raises it (DatabaseError: SQLSTATE `code` and `severity`). */
export function isDatabaseError(err: unknown): err is Error & { code: string; severity?: string } {
  if (!(err instanceof Error) || !('severity' in err)) return false;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && SQLSTATE.test(code);
}

/**
 * The message without the values PostgreSQL quotes into it. Data exceptions (class 22) and
 * errors raised by functions (P0001) put the offending value after a colon or in quotes; other
 * classes quote identifiers only (constraint, relation, column), which stay.
 */
export function redactDatabaseMessage(message: string, code: string): string {
  if (!code.startsWith('22') && code !== 'P0001') return message;
  const colon = message.indexOf(': ');
  if (colon >= 0) return `${message.slice(0, colon)}: ${REDACTED}`;
  return message.replace(/"(?:[^"]|"")*"|'(?:[^']|'')*'/g, REDACTED);
}

/**
 * A copy of `err` fit for logs: driver errors with their values removed, the same for its
 * `cause` chain and aggregated errors. Non-errors and other errors pass through (minus any
 * value-carrying property).
 */
export function redactError<T>(err: T, depth = 0): T {
  if (!(err instanceof Error) || depth > 8) return err;
  const db = isDatabaseError(err);
  const copy = Object.create(Object.getPrototypeOf(err) as object) as Error & Record<string, unknown>;
  for (const [key, value] of Object.entries(err)) {
    if (VALUE_FIELDS.has(key)) continue;
    copy[key] = value instanceof Error ? redactError(value, depth + 1) : value;
  }
  const message = db ? redactDatabaseMessage(err.message, err.code) : err.message;
  Object.defineProperty(copy, 'message', { value: message, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(copy, 'name', { value: err.name, writable: true, configurable: true, enumerable: false });
  // The stack's first line repeats the message.
  const stack = err.stack && message !== err.message ? err.stack.split(err.message).join(message) : err.stack;
  Object.defineProperty(copy, 'stack', { value: stack, writable: true, configurable: true, enumerable: false });
  if (err.cause !== undefined) Object.defineProperty(copy, 'cause', { value: redactError(err.cause, depth + 1), writable: true, configurable: true, enumerable: false });
  const errors = (err as { errors?: unknown }).errors;
  if (Array.isArray(errors)) copy.errors = errors.map((e) => redactError(e, depth + 1));
  return copy as T;
}
