/**
 * Reads the legacy database: one read-only, repeatable-read transaction per run (a consistent
 * snapshot while the legacy system stays live), each table streamed with COPY straight into a
 * temporary staging table of the target session. Memory stays constant whatever the size: rows
 * flow through as bytes, never as objects.
 */
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { guardClient } from '../db/connection-errors';
import { where } from '../db/preflight';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { LEGACY_TABLES, LEGACY_TIMEZONE, REQUIRED_TABLES, type LegacyTable } from './legacy-tables';

/** Bad input the operator must fix; its message is one line. */
export class MigrationInputError extends Error {
  override name = 'MigrationInputError';
}

/** Connects to a PostgreSQL URL, turning the usual failures into one line naming `what`. */
export async function connect(url: string, what: string): Promise<pg.Client> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MigrationInputError(`${what} URL is not a URL: expected postgres://user:password@host:port/database`);
  }
  if (!['postgres:', 'postgresql:'].includes(parsed.protocol)) {
    throw new MigrationInputError(`${what} URL must start with postgres:// (got ${parsed.protocol}//)`);
  }
  const client = guardClient(new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, application_name: 'mdw-migrate-legacy' }));
  try {
    await client.connect();
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { code?: string };
    const reason =
      e.code === 'ECONNREFUSED'
        ? 'nothing is listening there'
        : e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN'
          ? 'the host name does not resolve'
          : e.code === '28P01' || e.code === '28000'
            ? 'authentication failed (check user and password)'
            : e.code === '3D000'
              ? 'that database does not exist'
              : e.message;
    throw new MigrationInputError(`cannot connect to the ${what} database at ${where(url)}: ${reason}`);
  }
  return client;
}

export interface LegacySource {
  client: pg.Client;
  /** Tables present (required + optional ones that exist). */
  tables: LegacyTable[];
  /** Optional tables this database does not have. */
  missing: string[];
  close(): Promise<void>;
}

/**
 * Opens the legacy database read-only at one snapshot and checks that it is a legacy MDW
 * database (the Django tables of models.py).
 */
export async function openLegacy(url: string): Promise<LegacySource> {
  const client = await connect(url, 'legacy');
  try {
    const r = await client.query<{ name: string }>(
      `select table_name as name from information_schema.tables where table_schema = current_schema() and table_name = any($1)`,
      [LEGACY_TABLES.map((t) => t.name)],
    );
    const present = new Set(r.rows.map((x) => x.name));
    const lacking = REQUIRED_TABLES.filter((t) => !present.has(t));
    if (lacking.length > 0) {
      throw new MigrationInputError(
        `${where(url)} is not a legacy MDW database: it lacks ${lacking.length === REQUIRED_TABLES.length ? 'all of its tables' : lacking.join(', ')} (see shared/legacy/models.py)`,
      );
    }
    await client.query(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`);
    await client.query(`SET LOCAL TIME ZONE '${LEGACY_TIMEZONE}'`);
    return {
      client,
      tables: LEGACY_TABLES.filter((t) => present.has(t.name)),
      missing: LEGACY_TABLES.filter((t) => !present.has(t.name)).map((t) => t.name),
      async close() {
        await client.query('ROLLBACK').catch(() => undefined);
        await client.end().catch(() => undefined);
      },
    };
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
}

export const stageName = (table: string) => `s_${table}`;

/** DDL of one staging table (temporary: private to the session, no WAL, gone at disconnect). */
export function stageDdl(t: LegacyTable): string {
  const cols = t.columns.map((c) => `"${c.name}" ${c.type}`).join(', ');
  return `CREATE TEMP TABLE IF NOT EXISTS ${stageName(t.name)} (${cols}, row_hash text); TRUNCATE ${stageName(t.name)};`;
}

/** Counts rows of COPY text format as they stream by (one line per row). */
function rowCounter(onRows: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      let n = 0;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
      if (n) onRows(n);
      done(null, chunk);
    },
  });
}

/**
 * Streams one legacy table into its staging table. row_hash (md5 of the row as read) lets a
 * re-run tell unchanged rows from changed ones without looking at MDW's tables.
 */
export async function stageTable(source: LegacySource, target: pg.Client, t: LegacyTable, onRows: (n: number) => void, ids?: string): Promise<number> {
  await target.query(stageDdl(t));
  const exprs = t.columns.map((c) => c.expr ?? `"${c.name}"`);
  // `ids` (an int[] literal): only those rows, in the same snapshot (readIncremental's new,
  // changed and context rows). COPY takes no parameters: the literal is inlined, digits and commas.
  if (ids !== undefined && !/^\{[0-9,]*\}$/.test(ids)) throw new Error(`stageTable: not an id list: ${ids.slice(0, 40)}`);
  const select = `SELECT ${exprs.join(', ')}, ${rowHashExpr(t)} FROM "${t.name}"${ids === undefined ? '' : ` WHERE "id" = ANY ('${ids}'::int[])`}`;
  const out = source.client.query(copyTo(`COPY (${select}) TO STDOUT`));
  const into = target.query(copyFrom(`COPY ${stageName(t.name)} FROM STDIN`));
  let rows = 0;
  await pipeline(out, rowCounter((n) => {
    rows += n;
    onRows(n);
  }), into);
  return rows;
}

/**
 * The hash of a legacy row as read (stageTable's row_hash, stored in legacy_id_map): the same
 * expression on both paths, or every stored hash would read as changed.
 */
function rowHashExpr(t: LegacyTable): string {
  const exprs = t.columns.map((c) => c.expr ?? `"${c.name}"`);
  return `md5(ROW(${exprs.join(', ')})::text)`;
}

/**
 * Columns the hash-first read keeps beside (id, row_hash): the keys that say which unchanged
 * rows a new or changed row needs staged with it (pipeline.ts, Ctx.readIncremental).
 */
export const HASH_KEYS: Readonly<Record<string, readonly string[]>> = {
  dispatch_case: ['patient_id', 'doctor_id'],
  dispatch_record: ['target_id'],
  dispatch_order: ['target_id'],
  dispatch_orderitem: ['order_id'],
  dispatch_instruction: ['target_id'],
  dispatch_file: ['target_id'],
};

/**
 * Streams (id, row hash, HASH_KEYS) of every row of one legacy table into h_<table>: the legacy
 * server hashes each row where it lies, and only ~40 bytes a row cross over, instead of the row.
 */
export async function hashTable(source: LegacySource, target: pg.Client, t: LegacyTable): Promise<number> {
  const keys = HASH_KEYS[t.name] ?? [];
  const type = (name: string) => t.columns.find((c) => c.name === name)!.type;
  await target.query(`DROP TABLE IF EXISTS h_${t.name}; CREATE TEMP TABLE h_${t.name} (id ${type('id')}, row_hash text${keys.map((k) => `, "${k}" ${type(k)}`).join('')})`);
  const select = `SELECT "id", ${rowHashExpr(t)}${keys.map((k) => `, "${k}"`).join('')} FROM "${t.name}"`;
  const out = source.client.query(copyTo(`COPY (${select}) TO STDOUT`));
  const into = target.query(copyFrom(`COPY h_${t.name} FROM STDIN`));
  let rows = 0;
  await pipeline(out, rowCounter((n) => (rows += n)), into);
  return rows;
}
