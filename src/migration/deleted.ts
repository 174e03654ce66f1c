/**
 * Legacy rows that an earlier run mapped and that are no longer in the legacy database (deleted
 * there after the run: the legacy system keeps running until the lab switches). MDW deletes
 * nothing because of it (a case or message deleted in the legacy system may be a mistake there;
 * the clinical record stays): the run reports them, per table and by id with what MDW made of
 * them, and legacy_id_map keeps the line with the time and run that first found the row missing
 * (0128). A row that reappears (same id) clears the mark.
 *
 * The rows found are collected in the session's temp table legacy_presence, one row per line
 * that is gone (gone) or that was marked and is back (NOT gone):
 *  - a re-run's incremental read finds the gone lines in its hash comparison (readIncremental's
 *    FULL JOIN of the legacy ids with the map's lines: presenceColumn, presenceFromComparison), so
 *    nothing large is scanned twice, and the rows back among the few marked lines;
 *  - a run that reads every row (a first run, --practice, after an interrupted run) compares the
 *    whole staging, before --practice narrows it, with the map (presenceFromStaging).
 */
import type pg from 'pg';

type Q = <R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]) => Promise<pg.QueryResult<R>>;

export const PRESENCE_DDL = `CREATE TEMP TABLE IF NOT EXISTS legacy_presence (legacy_table text NOT NULL, legacy_id text NOT NULL, gone boolean NOT NULL, PRIMARY KEY (legacy_table, legacy_id));
  TRUNCATE legacy_presence;`;

/**
 * The comparison's extra column, for `h` (the legacy ids and hashes, FULL JOIN) and `m` (the
 * table's map lines): gone_id, a line whose row is not in the legacy database. NULL for every
 * legacy row, so the unchanged rows still group together (one more NULL key: no measurable cost
 * at 65k records; the marks are not read here, see presenceFromComparison).
 */
export function presenceColumn(h: string, m: string): string {
  return `CASE WHEN ${h}.id IS NULL THEN ${m}.legacy_id END AS gone_id`;
}

/**
 * Moves the comparison's gone lines out of cmp_<table> (whose readers see legacy rows only) into
 * legacy_presence. The marked lines that are not gone are rows back: read through the partial
 * index of marked lines (0128), none in most maps, not from the comparison.
 */
export function presenceFromComparison(table: string): string {
  const t = `'${table.replaceAll("'", "''")}'`;
  return `INSERT INTO legacy_presence SELECT ${t}, gone_id, true FROM cmp_${table} WHERE gone_id IS NOT NULL;
          DELETE FROM cmp_${table} WHERE gone_id IS NOT NULL;
          INSERT INTO legacy_presence SELECT m.legacy_table, m.legacy_id, false FROM public.legacy_id_map m
          WHERE m.legacy_table = ${t} AND m.legacy_deleted_at IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM legacy_presence p WHERE p.legacy_table = ${t} AND p.legacy_id = m.legacy_id);`;
}

/** A run that staged every row: the map's lines of each table read that have no staged row, and the marked lines whose row is staged. */
export async function presenceFromStaging(q: Q, tables: string[], stage: (t: string) => string): Promise<void> {
  await q(PRESENCE_DDL);
  const mapped = (await q<{ t: string }>(`select t from unnest($1::text[]) t where exists (select 1 from public.legacy_id_map m where m.legacy_table = t)`, [tables])).rows.map((x) => x.t);
  for (const t of mapped) {
    await q(`
      INSERT INTO legacy_presence SELECT m.legacy_table, m.legacy_id, true FROM public.legacy_id_map m
      WHERE m.legacy_table = $1 AND NOT EXISTS (SELECT 1 FROM ${stage(t)} s WHERE s.id::text = m.legacy_id);
      INSERT INTO legacy_presence SELECT m.legacy_table, m.legacy_id, false FROM public.legacy_id_map m
      WHERE m.legacy_table = $1 AND m.legacy_deleted_at IS NOT NULL AND EXISTS (SELECT 1 FROM ${stage(t)} s WHERE s.id::text = m.legacy_id);`.replaceAll('$1', `'${t.replaceAll("'", "''")}'`));
  }
}

/** What MDW made of a line, by the practice it belongs to (lines of other targets belong to none). */
const TARGET_PRACTICE = `CASE m.target_table WHEN 'practices' THEN m.target_id
  ${['patients', 'cases', 'projects', 'case_messages', 'orders', 'order_items', 'case_files', 'instruction_states']
    .map((t) => `WHEN '${t}' THEN (SELECT x.practice_id FROM public.${t} x WHERE x.id = m.target_id)`)
    .join('\n  ')} END`;

/**
 * Writes the marks: the gone lines not marked yet get this run's time and id (a mark already there
 * keeps its date: "deleted in legacy on <date>"); the lines back lose theirs. With --practice only
 * the lines of what MDW made for that practice are judged (the other practices' rows were not
 * read as theirs). In a dry run the caller's transaction rolls the marks back.
 */
export async function markDeleted(q: Q, runId: string, practice: number | null): Promise<void> {
  if (practice !== null) {
    await q(`
      DELETE FROM legacy_presence p USING public.legacy_id_map m
      WHERE p.gone AND m.legacy_table = p.legacy_table AND m.legacy_id = p.legacy_id
        AND NOT coalesce((${TARGET_PRACTICE}) =
            (SELECT pm.target_id FROM public.legacy_id_map pm WHERE pm.legacy_table = 'dispatch_practice' AND pm.legacy_id = $1), false)`, [String(practice)]);
  }
  await q(`
    UPDATE public.legacy_id_map m SET legacy_deleted_at = now(), legacy_deleted_run = $1::uuid
    FROM legacy_presence p WHERE p.gone AND m.legacy_table = p.legacy_table AND m.legacy_id = p.legacy_id AND m.legacy_deleted_at IS NULL`, [runId]);
  await q(`
    UPDATE public.legacy_id_map m SET legacy_deleted_at = NULL, legacy_deleted_run = NULL
    FROM legacy_presence p WHERE NOT p.gone AND m.legacy_table = p.legacy_table AND m.legacy_id = p.legacy_id AND m.legacy_deleted_at IS NOT NULL`);
}

/** Per legacy table, the rows deleted in legacy since an earlier run. */
export async function deletedCounts(q: Q): Promise<Record<string, number>> {
  const r = await q<{ t: string; n: number }>(`SELECT legacy_table AS t, count(*)::int AS n FROM legacy_presence WHERE gone GROUP BY 1`);
  return Object.fromEntries(r.rows.map((x) => [x.t, x.n]));
}

export interface DeletedRow {
  table: string;
  id: string;
  disposition: string;
  targetTable: string | null;
  targetId: string | null;
  /** When a run first found the row missing (this run's time in a dry run). */
  since: string;
}

/** Every gone line with what MDW kept of it, by table and id (the report's list and its file). */
export const DELETED_SQL = `
  SELECT p.legacy_table AS "table", p.legacy_id AS id, m.disposition::text AS disposition, m.target_table AS "targetTable", m.target_id AS "targetId",
    coalesce(m.legacy_deleted_at, now()) AS since
  FROM legacy_presence p JOIN public.legacy_id_map m ON m.legacy_table = p.legacy_table AND m.legacy_id = p.legacy_id
  WHERE p.gone ORDER BY p.legacy_table, length(p.legacy_id), p.legacy_id`;

export async function deletedList(q: Q, limit: number): Promise<DeletedRow[]> {
  const r = await q<DeletedRow & { since: Date }>(`${DELETED_SQL} LIMIT $1`, [limit]);
  return r.rows.map((x) => ({ ...x, since: new Date(x.since).toISOString() }));
}
