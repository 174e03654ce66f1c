/**
 * Legacy rows deleted in the legacy system after a run (src/migration/deleted.ts): a re-run reports
 * them per table and by id with what MDW made of them, MDW keeps every row it made, legacy_id_map
 * marks the line once (when and by which run), `mdw legacy-lookup` says so, and a row that comes
 * back clears its mark. Both reads find the same: the incremental one (hash comparison) and the
 * one that stages every row; --practice judges only that practice's rows; --dry-run marks nothing.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { deletedLine, lookupLegacy } from '../../src/cli/commands/legacy-lookup';
import { guardClient } from '../../src/db/connection-errors';
import type { MigrationReport } from '../../src/migration/report';
import { testEnv } from '../support/env';
import { legacyDb, query, run, targetDb } from './support';

const mdw = path.resolve(__dirname, '..', '..', 'bin', 'mdw');

async function legacyExec(url: string, sql: string) {
  const l = guardClient(new pg.Client({ connectionString: url }));
  await l.connect();
  try {
    await l.query(sql);
  } finally {
    await l.end();
  }
}

async function lookup(url: string, table: string, id: string) {
  const c = guardClient(new pg.Client({ connectionString: url }));
  await c.connect();
  try {
    return await lookupLegacy(c, table, id);
  } finally {
    await c.end();
  }
}

const listed = (r: MigrationReport) => r.deletedInLegacy.map((d) => `${d.table} ${d.id}`);
const perTable = (r: MigrationReport) => Object.fromEntries(r.tables.filter((t) => t.deletedInLegacy > 0).map((t) => [t.table, t.deletedInLegacy]));
const marks = (url: string) =>
  query<{ k: string; at: Date; run: string }>(url, `select legacy_table || ' ' || legacy_id as k, legacy_deleted_at as at, legacy_deleted_run::text as run
    from legacy_id_map where legacy_deleted_at is not null order by legacy_table, length(legacy_id), legacy_id`);

describe('legacy rows deleted after a run', () => {
  let legacy: string;
  let inc: string;
  let full: string;
  let prac: string;
  /** The legacy record ids deleted: case 203's two, and one message of case 200. */
  let recs: { case203: string[]; message: string };
  let expected: string[];
  /** The MDW rows made of them, before the deletion. */
  let before: Record<string, { target_table: string | null; target_id: string | null; disposition: string }>;

  beforeAll(async () => {
    legacy = await legacyDb({ withOptional: true });
    inc = await targetDb();
    full = await targetDb();
    prac = await targetDb();
    for (const t of [inc, full, prac]) expect((await run(legacy, t)).ok).toBe(true);
    const ids = await query<{ id: number; target_id: number; text: string }>(legacy, `select id, target_id, text from dispatch_record where target_type_id = 17 and target_id in (200, 203) order by id`);
    recs = {
      case203: ids.filter((r) => r.target_id === 203).map((r) => String(r.id)),
      message: String(ids.find((r) => r.target_id === 200 && r.text === 'Case sent to manufacturing.')!.id),
    };
    expect(recs.case203).toHaveLength(2);
    const rows = await query<{ k: string; target_table: string | null; target_id: string | null; disposition: string }>(inc,
      `select legacy_table || ' ' || legacy_id as k, target_table, target_id, disposition::text from legacy_id_map
       where (legacy_table, legacy_id) in (('dispatch_case', '203'), ('dispatch_patient', '101'), ('dispatch_record', $1), ('dispatch_record', $2), ('dispatch_record', $3))`,
      [recs.message, ...recs.case203]);
    before = Object.fromEntries(rows.map(({ k, ...x }) => [k, x]));
    // A case with its records (practice 2), one message of a case that stays (practice 1), and a
    // patient that was merged into another (its case moves to the survivor, as the legacy UI does).
    await legacyExec(legacy, `
      delete from dispatch_record where target_type_id = 17 and target_id = 203;
      delete from dispatch_case where id = 203;
      delete from dispatch_record where id = ${recs.message};
      update dispatch_case set patient_id = 100 where id = 201;
      delete from dispatch_patient where id = 101;`);
    expected = ['dispatch_case 203', 'dispatch_patient 101', ...[recs.message, ...recs.case203].sort((a, b) => a.length - b.length || a.localeCompare(b)).map((id) => `dispatch_record ${id}`)];
  }, 300_000);

  test('before the deletion a merged patient and the rows exist (the fixture is what the test needs)', () => {
    expect(Object.keys(before).sort()).toEqual([...expected].sort());
    expect(before['dispatch_patient 101']).toMatchObject({ disposition: 'merged', target_table: 'patients' });
    expect(before['dispatch_case 203']).toMatchObject({ disposition: 'migrated', target_table: 'cases' });
  });

  test('--dry-run reports them and writes no mark', async () => {
    const r = await run(legacy, inc, { dryRun: true });
    expect(r.ok).toBe(true);
    expect(listed(r)).toEqual(expected);
    expect(await marks(inc)).toEqual([]);
  }, 240_000);

  test('a re-run reports exactly those (both reads), keeps every MDW row, marks the lines once, and the lookup says so', async () => {
    const a = await run(legacy, inc, { incrementalWholeShare: Infinity });
    const b = await run(legacy, full, { incrementalRead: false });
    for (const r of [a, b]) {
      expect(r.ok).toBe(true);
      expect(listed(r)).toEqual(expected);
      expect(perTable(r)).toEqual({ dispatch_case: 1, dispatch_patient: 1, dispatch_record: 3 });
      expect(r.totals.deletedInLegacy).toBe(5);
      // The rows read still reconcile; the vanished ones are beside them, not in them.
      for (const t of r.tables) expect(t.read).toBe(t.migrated + t.merged + t.skipped + t.rejected);
      for (const d of r.deletedInLegacy) expect({ table: d.table, target: d.targetTable, id: d.targetId, disposition: d.disposition }).toEqual({
        table: d.table, target: before[`${d.table} ${d.id}`]!.target_table, id: before[`${d.table} ${d.id}`]!.target_id, disposition: before[`${d.table} ${d.id}`]!.disposition,
      });
    }
    expect(a.tables).toEqual(b.tables);
    // MDW still has everything it made of them.
    for (const url of [inc, full]) {
      for (const [k, table] of [['dispatch_case 203', 'cases'], ['dispatch_patient 101', 'patients'], [`dispatch_record ${recs.message}`, 'case_messages'], [`dispatch_record ${recs.case203[0]}`, 'case_messages']] as const) {
        expect(await query(url, `select 1 from ${table} where id = $1`, [before[k]!.target_id])).toHaveLength(1);
      }
      const m = await marks(url);
      expect(m.map((x) => x.k)).toEqual(expected);
    }
    expect(new Set((await marks(inc)).map((x) => x.run))).toEqual(new Set([a.runId]));
    const found = (await lookup(inc, 'dispatch_case', '203'))!;
    expect(found.legacy_deleted_run).toBe(a.runId);
    expect(deletedLine(found)).toBe(`deleted in legacy on ${found.legacy_deleted_at} (found missing by run ${a.runId}), MDW kept case ${String(found.detail!.case_number)} (${before['dispatch_case 203']!.target_id})`);
    const patient = (await lookup(inc, 'dispatch_patient', '101'))!;
    expect(deletedLine(patient)).toMatch(new RegExp(`^deleted in legacy on .+, MDW kept patients ${before['dispatch_patient 101']!.target_id}$`));
    expect((await lookup(inc, 'dispatch_case', '200'))!.legacy_deleted_at).toBeNull();
  }, 300_000);

  test('a second re-run says the same and keeps the first marks; a row that comes back clears its mark', async () => {
    const first = await marks(inc);
    const a = await run(legacy, inc, { incrementalWholeShare: Infinity });
    expect(listed(a)).toEqual(expected);
    expect(a.deletedInLegacy.map((d) => d.since)).toEqual(first.map((m) => m.at.toISOString()));
    expect(await marks(inc)).toEqual(first);
    // The message comes back (same id, same text): its mark goes, the others stay.
    await legacyExec(legacy, `insert into dispatch_record (id, target_type_id, target_id, author_id, text, created_at)
      values (${recs.message}, 17, 200, null, 'Case sent to manufacturing.', '2024-03-13 10:00:00')`);
    const back = expected.filter((k) => k !== `dispatch_record ${recs.message}`);
    const r1 = await run(legacy, inc, { incrementalWholeShare: Infinity });
    const r2 = await run(legacy, full, { incrementalRead: false });
    for (const [r, url] of [[r1, inc], [r2, full]] as const) {
      expect(r.ok).toBe(true);
      expect(listed(r)).toEqual(back);
      expect((await marks(url)).map((x) => x.k)).toEqual(back);
    }
    expect(r1.tables).toEqual(r2.tables);
    expect((await lookup(inc, 'dispatch_record', recs.message))!.legacy_deleted_at).toBeNull();
  }, 300_000);

  test('--practice judges only that practice\'s rows', async () => {
    // Practice 1: the message of case 200 is back by now; the merged patient's MDW patient is in practice 1.
    const p1 = await run(legacy, prac, { practice: 1 });
    expect(listed(p1)).toEqual(['dispatch_patient 101']);
    expect((await marks(prac)).map((x) => x.k)).toEqual(['dispatch_patient 101']);
    // Practice 2: case 203 and its records.
    const p2 = await run(legacy, prac, { practice: 2 });
    expect(listed(p2)).toEqual(['dispatch_case 203', ...recs.case203.map((id) => `dispatch_record ${id}`)]);
    expect((await marks(prac)).map((x) => x.k).sort()).toEqual(['dispatch_case 203', 'dispatch_patient 101', ...recs.case203.map((id) => `dispatch_record ${id}`)].sort());
  }, 300_000);

  test('the CLI prints the column, the line and the lookup', () => {
    const env = { ...process.env, LOG_LEVEL: 'silent', DATABASE_URL: inc, TEMPORAL_ADDRESS: testEnv().temporalAddress, AI_INTENT_EMBEDDINGS: 'false' };
    const r = spawnSync(mdw, ['migrate-legacy', '--from', legacy, '--no-start-cases', '--no-classify-intent'], { env, encoding: 'utf8', timeout: 300_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^table\s+read\s+migrated\s+merged\s+skipped\s+rejected\s+unaccounted\s+new\s+changed\s+deleted in legacy$/m);
    expect(r.stdout).toMatch(/^dispatch_case\s+10\s+.*\s1$/m);
    expect(r.stdout).toMatch(/^4 row\(s\) deleted in legacy since an earlier run: MDW kept what it made of them, legacy_id_map marks them \(mdw legacy-lookup <table> <id>\)$/m);
    expect(r.stdout).toMatch(/^ {2}dispatch_case 203: migrated → cases [0-9a-f-]{36}, missing since \d{4}-\d\d-\d\dT/m);
    const l = spawnSync(mdw, ['legacy-lookup', 'dispatch_case', '203'], { env, encoding: 'utf8', timeout: 120_000 });
    expect(l.status).toBe(0);
    expect(l.stdout).toMatch(/^ {2}deleted in legacy on \d{4}-\d\d-\d\d .*, MDW kept case L-203 \([0-9a-f-]{36}\)$/m);
  }, 300_000);
});
