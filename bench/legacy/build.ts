/**
 * Builds the legacy-shaped copy (schema `legacy`) of the data in the new tables of the same
 * database: schema.sql, fill.sql (INSERT … SELECT from public.*), then the indexes and FK
 * constraints Django would have created (indexes.sql), optionally the generic-FK composite
 * indexes (indexes-gfk.sql), then ANALYZE. Runs on the privileged connection.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { guardClient } from '../../src/db/connection-errors';

const sqlFile = (name: string) => readFileSync(path.join(__dirname, name), 'utf8');

const SEQUENCED = ['auth_user', 'dispatch_practice', 'dispatch_doctor', 'dispatch_patient', 'dispatch_case', 'dispatch_product', 'dispatch_order', 'dispatch_orderitem', 'dispatch_record', 'dispatch_file'];

export interface LegacyOptions {
  /** Add (target_type_id, target_id) indexes to the generic FKs (not what the legacy had). */
  gfkIndex?: boolean;
}

export async function buildLegacy(url: string, opts: LegacyOptions = {}, log: (line: string) => void = console.log): Promise<{ ms: number; rows: Record<string, number> }> {
  const client = guardClient(new pg.Client({ connectionString: url, application_name: 'mdw-bench-legacy' }));
  await client.connect();
  const all = performance.now();
  const timed = async (name: string, sql: string) => {
    const t = performance.now();
    await client.query(sql);
    log(`  legacy: ${name.padEnd(60)} ${((performance.now() - t) / 1000).toFixed(1).padStart(6)} s`);
  };
  try {
    await client.query(`set synchronous_commit = off; set work_mem = '256MB'; set maintenance_work_mem = '512MB'; set jit = off`);
    await timed('schema', sqlFile('schema.sql'));
    const fill = sqlFile('fill.sql');
    for (const part of fill.split(/^-- step: /m).slice(1)) {
      const name = part.slice(0, part.indexOf('\n')).trim();
      await timed(name, part.slice(part.indexOf("\n") + 1));
    }
    for (const t of SEQUENCED) {
      await client.query(`select setval(pg_get_serial_sequence('legacy.${t}', 'id'), coalesce((select max(id) from legacy.${t}), 0) + 1, false)`);
    }
    await timed('Django indexes + FK constraints', sqlFile('indexes.sql'));
    if (opts.gfkIndex) await timed('generic-FK composite indexes (--legacy-gfk-index)', sqlFile('indexes-gfk.sql'));
    await timed('ANALYZE', `ANALYZE legacy.auth_user, legacy.dispatch_practice, legacy.dispatch_doctor, legacy.dispatch_patient, legacy.dispatch_case,
      legacy.dispatch_product, legacy.dispatch_order, legacy.dispatch_orderitem, legacy.dispatch_record, legacy.dispatch_file,
      legacy._map_user, legacy._map_practice, legacy._map_doctor, legacy._map_patient, legacy._map_case, legacy._map_order`);
    const rows: Record<string, number> = {};
    for (const t of ['auth_user', 'dispatch_patient', 'dispatch_case', 'dispatch_order', 'dispatch_orderitem', 'dispatch_record', 'dispatch_file']) {
      rows[t] = Number((await client.query(`select count(*) as n from legacy.${t}`)).rows[0].n);
    }
    const ms = Math.round(performance.now() - all);
    log(`legacy copy built in ${(ms / 1000).toFixed(1)} s: ${Object.entries(rows).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    return { ms, rows };
  } finally {
    await client.end();
  }
}

/** True when schema legacy exists and is filled. */
export async function legacyBuilt(client: pg.ClientBase): Promise<boolean> {
  const r = await client.query(`select to_regclass('legacy.dispatch_record') is not null as ok`);
  if (!r.rows[0].ok) return false;
  return (await client.query(`select exists (select 1 from legacy.dispatch_case) as ok`)).rows[0].ok as boolean;
}

/** Adds the optional generic-FK indexes to an existing legacy copy. */
export async function addLegacyGfkIndexes(url: string): Promise<void> {
  const client = guardClient(new pg.Client({ connectionString: url }));
  await client.connect();
  try {
    await client.query(`set maintenance_work_mem = '512MB'`);
    await client.query(sqlFile('indexes-gfk.sql'));
  } finally {
    await client.end();
  }
}

if (require.main === module) {
  const url = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!url) {
    console.error('set BENCH_DATABASE_URL');
    process.exit(1);
  }
  buildLegacy(url, { gfkIndex: process.argv.includes('--legacy-gfk-index') }).catch((err: unknown) => {
    console.error((err as Error).message);
    process.exit(1);
  });
}
