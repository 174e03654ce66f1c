/**
 * Slow statements (issue 12 §5): the API's and the worker's database handles time every statement
 * they run (src/db/database.ts) and hand those over the threshold to a recorder, which writes one
 * row to query_performance_log on a connection of its own (outside the caller's transaction, so a
 * rolled-back request still leaves its slow statement on record). Over one second, the table's
 * trigger raises a performance alert (0003, 0056).
 */
import type pg from 'pg';
import { slowQueries } from '../telemetry/metrics';

export interface SlowQueryScope {
  actorId?: string;
  requestId?: string;
  workflowId?: string;
}

export interface SlowQueryRecorder {
  thresholdMs: number;
  record(statement: string, ms: number, rows: number | null, scope: SlowQueryScope): void;
}

export interface SlowQueryOptions {
  /** Which process ran it (`api`, `worker`). */
  service: string;
  /** Statements at least this slow are recorded; 0 records none. */
  thresholdMs: number;
  /** Told about a failed write to the log (default: ignored; the statement's own outcome stands). */
  onError?: (err: unknown) => void;
}

const STATEMENT_CHARS = 2_000;

/** `select`, `insert`, … (the first keyword), or `other`. */
export function queryType(statement: string): string {
  const m = /^\s*(?:\/\*[\s\S]*?\*\/\s*)*([a-z]+)/i.exec(statement);
  return m ? m[1]!.toLowerCase() : 'other';
}

/** A recorder writing through `pool`, or null when disabled (threshold 0). */
export function createSlowQueryRecorder(pool: pg.Pool, opts: SlowQueryOptions): SlowQueryRecorder | null {
  if (opts.thresholdMs <= 0) return null;
  return {
    thresholdMs: opts.thresholdMs,
    record(statement, ms, rows, scope) {
      const type = queryType(statement);
      slowQueries.inc({ service: opts.service, query_type: type });
      // The statement text as compiled: values are $n parameters and never reach the log.
      // user_id only when the profile still exists (the column references profiles).
      pool
        .query(
          `INSERT INTO public.query_performance_log (query_type, execution_time_ms, rows_affected, user_id, service, statement, request_id, workflow_id)
           SELECT $1, $2, $3, (SELECT id FROM public.profiles WHERE id = $4::uuid), $5, $6, nullif($7, ''), nullif($8, '')`,
          [type, Math.round(ms), rows, scope.actorId && /^[0-9a-f-]{36}$/i.test(scope.actorId) ? scope.actorId : null, opts.service, statement.slice(0, STATEMENT_CHARS), scope.requestId ?? '', scope.workflowId ?? ''],
        )
        .catch((err: unknown) => opts.onError?.(err));
    },
  };
}
