/**
 * `mdw legacy-lookup <legacy table> <legacy id>`: where did a legacy row go? Answers from
 * legacy_id_map (what support staff ask: "where did legacy case 4711 go?"). Exit 1 when the row
 * was never read by a migration.
 */
import type { Command } from 'commander';
import type pg from 'pg';
import { config, ConfigError, required } from '../../config';
import { connect, MigrationInputError } from '../../migration/reader';
import { CliError } from '../cli-error';

export interface LookupResult {
  legacy_table: string;
  legacy_id: string;
  disposition: string;
  target_table: string | null;
  target_id: string | null;
  reason: string | null;
  run_id: string;
  migrated_at: string;
  /** When a run first found the legacy row missing (deleted in legacy after it was mapped), and that run; NULL while it exists. */
  legacy_deleted_at: string | null;
  legacy_deleted_run: string | null;
  /** For cases: the MDW case number and state. */
  detail: Record<string, unknown> | null;
}

export async function lookupLegacy(client: pg.Client, table: string, id: string): Promise<LookupResult | null> {
  const r = await client.query<LookupResult>(
    `select legacy_table, legacy_id, disposition::text, target_table, target_id, reason, run_id, migrated_at::text,
       legacy_deleted_at::text, legacy_deleted_run, null as detail
     from public.legacy_id_map where legacy_table = $1 and legacy_id = $2`,
    [table, id],
  );
  const row = r.rows[0];
  if (!row) return null;
  if (row.target_table === 'cases' && row.target_id) {
    const c = await client.query(`select case_number, current_state::text as state, practice_id, workflow_id from public.cases where id = $1`, [row.target_id]);
    row.detail = c.rows[0] ?? null;
  }
  return row;
}

/** "deleted in legacy on <date>, MDW kept case …": MDW keeps what it made of a row deleted in the legacy system. */
export function deletedLine(row: LookupResult): string {
  const kept = !row.target_table
    ? 'nothing was migrated from it'
    : row.target_table === 'cases' && row.detail
      ? `MDW kept case ${String(row.detail.case_number)} (${row.target_id})`
      : `MDW kept ${row.target_table} ${row.target_id}`;
  return `deleted in legacy on ${row.legacy_deleted_at} (found missing by run ${row.legacy_deleted_run}), ${kept}`;
}

export function register(program: Command): void {
  program
    .command('legacy-lookup')
    .description('Where did a legacy row go? e.g. mdw legacy-lookup dispatch_case 4711')
    .argument('<table>', 'legacy table, e.g. dispatch_case, dispatch_patient, auth_user')
    .argument('<id>', 'legacy id')
    .option('--json', 'print JSON')
    .action(async (table: string, id: string, flags: { json?: boolean }) => {
      let url: string;
      try {
        url = required(config(), 'DATABASE_URL', 'the lookup reads legacy_id_map there');
      } catch (err) {
        if (err instanceof ConfigError) throw new CliError(err.message);
        throw err;
      }
      let client: pg.Client;
      try {
        client = await connect(url, 'MDW (DATABASE_URL)');
      } catch (err) {
        if (err instanceof MigrationInputError) throw new CliError(err.message);
        throw err;
      }
      try {
        const exists = await client.query<{ v: string | null }>(`select to_regclass('public.legacy_id_map')::text as v`);
        if (!exists.rows[0]!.v) throw new CliError('DATABASE_URL has no legacy_id_map: run `npm run migrate` (and a migration) first');
        const row = await lookupLegacy(client, table, id);
        if (!row) {
          console.log(`${table} ${id}: not found (no migration has read it)`);
          process.exitCode = 1;
          return;
        }
        if (flags.json) console.log(JSON.stringify(row, null, 2));
        else {
          console.log(`${table} ${id}: ${row.disposition}${row.target_table ? ` → ${row.target_table} ${row.target_id}` : ''}`);
          if (row.reason) console.log(`  reason: ${row.reason}`);
          if (row.legacy_deleted_at) console.log(`  ${deletedLine(row)}`);
          if (row.detail) console.log(`  now: ${Object.entries(row.detail).map(([k, v]) => `${k} ${String(v)}`).join(', ')}`);
          console.log(`  run ${row.run_id} at ${row.migrated_at}`);
        }
      } finally {
        await client.end().catch(() => undefined);
      }
    });
}
