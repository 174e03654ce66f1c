/**
 * Forward-only SQL migrations from db/migrations/NNNN_description.sql. Each file runs in its own
 * transaction and is recorded in `schema_migrations` with a checksum, so running twice is a
 * no-op and an edited, already-applied file is refused instead of silently diverging.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { guardClient } from './connection-errors';

export const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'db', 'migrations');
const FILE_PATTERN = /^(\d{4})_[a-z0-9_]+\.sql$/;
/**
 * A migration run that stopped. `summary` is ours (which file, what to do) and free of data; the
 * cause, if any, is the server's error, which a log must not print as it is (a data migration's
 * error can quote a row's value): src/telemetry/log-redaction.ts.
 */
export class MigrationError extends Error {
  constructor(
    readonly summary: string,
    cause?: unknown,
  ) {
    super(cause instanceof Error ? `${summary}: ${cause.message}` : summary, cause === undefined ? undefined : { cause });
    this.name = 'MigrationError';
  }
}

/**
 * The line `npm run migrate` ends with: our own words as they are, the server's error described
 * by `describe` (LOG_ERROR_DETAIL: without its text by default).
 */
export function migrationFailureLine(err: unknown, describe: (err: unknown) => string): string {
  if (err instanceof MigrationError) return err.cause === undefined ? err.summary : `${err.summary}: ${describe(err.cause)}`;
  return `migration failed: ${describe(err)}`;
}

/** Serialises concurrent runners (two workers starting at once). */
const ADVISORY_LOCK = 4_627_101;

export interface MigrationFile {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir = MIGRATIONS_DIR): MigrationFile[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  const seen = new Set<string>();
  return files.map((name) => {
    const m = FILE_PATTERN.exec(name);
    if (!m) throw new MigrationError(`migration file ${name} must be named NNNN_lower_snake_description.sql`);
    const version = m[1]!;
    if (seen.has(version)) throw new MigrationError(`two migrations share number ${version}`);
    seen.add(version);
    const sql = readFileSync(path.join(dir, name), 'utf8');
    return { version, name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
  });
}

export interface MigrateResult {
  applied: string[];
  skipped: string[];
}

/**
 * Applies pending migrations.
 * @param connectionString - a role allowed to create schemas, roles and extensions.
 * @param log - receives one line per applied file.
 */
export async function migrate(connectionString: string, log: (line: string) => void = () => {}): Promise<MigrateResult> {
  const files = readMigrations();
  // A connection the server ends mid-run fails the running statement; it must not crash the process.
  const client = guardClient(new pg.Client({ connectionString }));
  await client.connect();
  const result: MigrateResult = { applied: [], skipped: [] };
  try {
    await client.query('select pg_advisory_lock($1)', [ADVISORY_LOCK]);
    await client.query(`create table if not exists public.schema_migrations (
      version text primary key,
      name text not null,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`);
    const done = new Map<string, { name: string; checksum: string }>(
      (await client.query('select version, name, checksum from public.schema_migrations')).rows.map((r) => [r.version, r]),
    );
    for (const file of files) {
      const prior = done.get(file.version);
      if (prior) {
        if (prior.checksum !== file.checksum) {
          throw new MigrationError(
            `migration ${file.name} was changed after it was applied (as ${prior.name}); migrations are forward-only: revert the edit and add a new migration`,
          );
        }
        result.skipped.push(file.name);
        continue;
      }
      const started = Date.now();
      await client.query('begin');
      try {
        await client.query(file.sql);
        await client.query('insert into public.schema_migrations (version, name, checksum) values ($1, $2, $3)', [
          file.version,
          file.name,
          file.checksum,
        ]);
        await client.query('commit');
      } catch (err) {
        await client.query('rollback');
        throw new MigrationError(`migration ${file.name} failed`, err);
      }
      result.applied.push(file.name);
      log(`applied ${file.name} (${Date.now() - started} ms)`);
    }
    // Every table is audited (0050): tables that later migrations add get the trigger here.
    if (result.applied.length > 0) {
      const { rows } = await client.query(`select to_regprocedure('public.audit_attach_all()') is not null as present`);
      if (rows[0]?.present) await client.query('select public.audit_attach_all()');
      // …and at statement level (0027): replaces the row-level trigger audit_attach_all() just added.
      const st = await client.query(`select to_regprocedure('public.audit_attach_statement()') is not null as present`);
      if (st.rows[0]?.present) await client.query('select public.audit_attach_statement()');
    }
  } finally {
    await client.query('select pg_advisory_unlock($1)', [ADVISORY_LOCK]).catch(() => undefined);
    await client.end();
  }
  return result;
}
