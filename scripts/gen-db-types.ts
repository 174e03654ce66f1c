/**
 * `npm run db:types` regenerates src/db/schema.generated.ts (Kysely types) from the migrated
 * schema: an ephemeral embedded PostgreSQL is started, migrated, introspected and stopped.
 * `--verify` only checks that the committed file is current (the test suite does this).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate } from '../src/db/migrate';
import { startEmbeddedPostgres } from './lib/embedded-postgres';
import { repoRoot } from './lib/tool-cache';

export const GENERATED_TYPES = path.join(repoRoot, 'src', 'db', 'schema.generated.ts');

/** Runs kysely-codegen against `url`; returns its exit status and output. */
export function codegen(url: string, verify: boolean): { ok: boolean; output: string } {
  const args = [
    path.join(repoRoot, 'node_modules', 'kysely-codegen', 'dist', 'cli', 'bin.js'),
    '--dialect', 'postgres',
    '--url', url,
    '--out-file', GENERATED_TYPES,
    '--default-schema', 'public',
    '--include-pattern', '{public,auth}.*',
    '--exclude-pattern', 'public.schema_migrations',
    '--log-level', 'error',
    ...(verify ? ['--verify'] : []),
  ];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: repoRoot });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`.trim() };
}

async function main(): Promise<void> {
  const verify = process.argv.includes('--verify');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mdw-types-'));
  const pg = await startEmbeddedPostgres({ dataDir: dir, database: 'mdw_types', ephemeral: true });
  try {
    await migrate(pg.url);
    const r = codegen(pg.url, verify);
    if (r.output) console.log(r.output);
    if (!r.ok) process.exitCode = 1;
    else console.log(verify ? 'schema.generated.ts is current' : `wrote ${path.relative(repoRoot, GENERATED_TYPES)}`);
  } finally {
    pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) void main();
