/**
 * The operator's view: `bin/mdw migrate-legacy` and `bin/mdw legacy-lookup` as processes. Bad
 * input is one line and a non-zero exit with nothing written; a run killed with SIGKILL resumes
 * on the next run without duplicates.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testEnv } from '../support/env';
import { createDatabase } from '../support/legacy/fixture';
import { generateLegacy } from '../support/legacy/generate';
import { legacyDb, query, targetDb } from './support';

const root = path.resolve(__dirname, '..', '..');
const mdw = path.join(root, 'bin', 'mdw');

function cli(args: string[], env: Record<string, string>) {
  const r = spawnSync(mdw, args, { env: { ...process.env, LOG_LEVEL: 'silent', ...env }, encoding: 'utf8', timeout: 300_000 }); // generous: a loaded 2-core CI machine once needed more than 120 s
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Free text is classified by default; here with the lexical encoder alone (as the API suites do),
// so that no file of the suite loads the embedding model (test/ai/intent-model.test.ts does).
const env = (target: string) => ({ DATABASE_URL: target, TEMPORAL_ADDRESS: testEnv().temporalAddress, AI_INTENT_EMBEDDINGS: 'false' });

describe('bad input: one clear line, non-zero exit, nothing written', () => {
  let target: string;
  beforeAll(async () => {
    target = await targetDb();
  }, 60_000);

  const nothingWritten = async () => {
    expect(await query(target, `select 1 from legacy_id_map`)).toHaveLength(0);
    expect(await query(target, `select 1 from legacy_migration_runs`)).toHaveLength(0);
  };

  test('unreachable legacy URL', async () => {
    const r = cli(['migrate-legacy', '--from', 'postgres://x:y@127.0.0.1:1/legacy', '--no-start-cases'], env(target));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['mdw: cannot connect to the legacy database at 127.0.0.1:1/legacy: nothing is listening there']);
    await nothingWritten();
  });

  test('not a URL at all', async () => {
    const r = cli(['migrate-legacy', '--from', 'legacy.example', '--no-start-cases'], env(target));
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('mdw: legacy URL is not a URL: expected postgres://user:password@host:port/database');
  });

  test('a database that is not a legacy MDW database', async () => {
    const r = cli(['migrate-legacy', '--from', target, '--no-start-cases'], env(target));
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^mdw: \S+ is not a legacy MDW database: it lacks all of its tables \(see shared\/legacy\/models\.py\)$/);
    await nothingWritten();
  });

  test('a target without migrations', async () => {
    const legacy = await legacyDb();
    const bare = await createDatabase(testEnv().databaseUrl, `bare_${Date.now()}`);
    const r = cli(['migrate-legacy', '--from', legacy, '--no-start-cases'], env(bare));
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('mdw: the target database (DATABASE_URL) has no MDW schema: run `npm run migrate` against it first');
    expect(await query(bare, `select 1 from information_schema.tables where table_schema = 'public'`)).toHaveLength(0);
  }, 60_000);

  test('--practice that is not a number', () => {
    const r = cli(['migrate-legacy', '--from', 'postgres://a@b/c', '--practice', 'Lakeside'], env(target));
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('mdw: --practice must be a legacy practice id (a number), got "Lakeside"');
  });
});

test('a run writes its report and reconciliation table; legacy-lookup says where a row went', async () => {
  const legacy = await legacyDb();
  const target = await targetDb();
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'mdw-report-')), 'report.json');
  // --no-classify-intent: the two free staff texts stay not understood.
  const plain = cli(['migrate-legacy', '--from', legacy, '--dry-run', '--no-classify-intent'], env(target));
  expect(plain.code).toBe(0);
  expect(plain.stdout).toMatch(/^state histories: .*\(\d+ system texts, 0 classified, 2 not understood\)/m);
  expect(plain.stdout).toMatch(/^free text: no intent classifier ran/m);
  const r = cli(['migrate-legacy', '--from', legacy, '--report', file, '--no-start-cases'], env(target));
  expect(r.code).toBe(0);
  // By default the intent classifier reads them (both above its threshold).
  expect(r.stdout).toMatch(/^state histories: .*\(\d+ system texts, 2 classified, 0 not understood\)/m);
  expect(r.stdout).toMatch(/^free text: classified by mdw-lexical-tfidf-4096 above confidence 0.95; 0 below it or declined/m);
  expect(r.stdout).toMatch(/^dispatch_case\s+11\s+8\s+0\s+2\s+1\s+0\s+11\s+0\s+0$/m); // the last column: deleted in legacy
  expect(r.stdout).toMatch(/^130 new, 0 changed$/m);
  const report = JSON.parse(readFileSync(file, 'utf8'));
  expect(report.ok).toBe(true);
  expect(r.stderr).toMatch(/^read dispatch_record: 31 rows/m); // plain progress lines when not a TTY

  const found = cli(['legacy-lookup', 'dispatch_case', '203'], env(target));
  expect(found.code).toBe(0);
  expect(found.stdout).toMatch(/^dispatch_case 203: migrated → cases [0-9a-f-]{36}\n {2}reason: case number "B-1" repeats in its practice: numbered L-203/);
  expect(found.stdout).toMatch(/now: case_number L-203, state completed/);
  const merged = cli(['legacy-lookup', 'dispatch_patient', '104'], env(target));
  expect(merged.stdout).toMatch(/^dispatch_patient 104: merged → patients .*\n {2}reason: merged into dispatch_patient 103/);
  const missing = cli(['legacy-lookup', 'dispatch_case', '4711'], env(target));
  expect(missing.code).toBe(1);
  expect(missing.stdout.trim()).toBe('dispatch_case 4711: not found (no migration has read it)');

  const again = cli(['migrate-legacy', '--from', legacy, '--no-start-cases'], env(target));
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/^0 new, 0 changed$/m);
}, 600_000);

test('a run killed with SIGKILL resumes on the next run without duplicates', async () => {
  // A generated legacy database large enough that the cases-and-records phase takes a while.
  const legacy = await createDatabase(testEnv().databaseUrl, `killed_${Date.now()}`);
  await generateLegacy(legacy, { cases: 3000 });
  const target = await targetDb();
  // Killed inside the cases-and-records phase, once its state histories are rebuilt: the cases
  // are being inserted with their current state, then the messages (one transaction).
  // Its own process group: bin/mdw runs tsx, which runs node as a child; kill -9 takes them all.
  const child = spawn(mdw, ['migrate-legacy', '--from', legacy, '--no-start-cases'], { env: { ...process.env, ...env(target) }, detached: true });
  let stderr = '';
  let sent = false;
  const killed = await new Promise<boolean>((resolve) => {
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      if (/^state histories:/m.test(stderr) && !sent) {
        sent = true;
        process.kill(-child.pid!, 'SIGKILL');
        resolve(true);
      }
    });
    child.on('exit', () => resolve(false));
  });
  expect(killed).toBe(true);
  await new Promise((r) => child.once('exit', r));
  const mapped = async (table: string) => Number((await query<{ n: string }>(target, `select count(*) as n from legacy_id_map where legacy_table = $1`, [table]))[0]!.n);
  expect(await mapped('dispatch_patient')).toBeGreaterThan(0); // the people phase committed
  // The cases and records phase never committed: no case, no map line of either.
  expect(await mapped('dispatch_case')).toBe(0);
  expect(await mapped('dispatch_record')).toBe(0);
  expect(await query(target, `select 1 from cases`)).toHaveLength(0);
  expect(await query<{ status: string }>(target, `select status from legacy_migration_runs`)).toEqual([{ status: 'running' }]);

  const r = cli(['migrate-legacy', '--from', legacy, '--no-start-cases'], env(target));
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/resumed after 1 interrupted run/);
  // Only what the killed run had not committed is new now.
  expect(r.stdout).toMatch(/^dispatch_patient\s+(\d+)\s+.*\s0\s+0\s+0\s+0$/m); // ... new, changed, deleted in legacy
  expect(r.stdout).toMatch(/^dispatch_case\s+3000\s+.*\s0\s+3000\s+0\s+0$/m);
  expect(r.stdout).toMatch(/^dispatch_record\s+(\d+)\s+.*\s0\s+\1\s+0\s+0$/m);
  const dupes = await query(target, `select idempotency_key from case_states group by 1 having count(*) > 1`);
  expect(dupes).toHaveLength(0);
  const messages = await query<{ n: string }>(target, `select count(*) as n from case_messages`);
  expect(Number(messages[0]!.n)).toBe(await mapped('dispatch_record') - Number((await query<{ n: string }>(target, `select count(*) as n from legacy_id_map where legacy_table = 'dispatch_record' and disposition <> 'migrated'`))[0]!.n));
  const runs = await query<{ status: string }>(target, `select status from legacy_migration_runs order by started_at`);
  expect(runs).toEqual([{ status: 'interrupted' }, { status: 'succeeded' }]);
  const again = cli(['migrate-legacy', '--from', legacy, '--no-start-cases'], env(target));
  expect(again.stdout).toMatch(/^0 new, 0 changed$/m);
}, 600_000);
