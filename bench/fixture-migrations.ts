import { withClient } from '../test/support/pg-clients';
import { migrate, readMigrations } from '../src/db/migrate';

/**
 * A cached bench fixture is migrated only when asked (--migrate). Applying a branch's new
 * migrations to a fixture changes it for good: on the shared cache (/var/cache/mdw/bench-search)
 * every later run, on every branch, then measures that branch's schema, and a migration that is
 * later edited or renumbered leaves the fixture refusing main's. So a bench that opens a cached
 * fixture (the shared one or a --dir copy) stops and says what is pending instead.
 */
export class PendingMigrationsError extends Error {
  override name = 'PendingMigrationsError';
  constructor(
    readonly dir: string,
    readonly pending: string[],
  ) {
    super(
      `the fixture in ${dir} lacks ${pending.length} migration(s) of this checkout: ${pending.join(', ')}. Nothing was changed. ` +
        'Re-run with --migrate to apply them to that directory (for good: on the shared cache every later run sees them; ' +
        'copy it first, `cp -a <fixture> /tmp/<you>-fixture` while no server runs on it, and pass --dir <copy> --migrate), ' +
        'or run from a checkout whose migrations the fixture already has.',
    );
  }
}

/** The migration files of this checkout that the database at `url` has not applied (file names, in order). */
export async function pendingMigrations(url: string): Promise<string[]> {
  const applied = await withClient(url, async (c) => {
    const table = await c.query<{ t: string | null }>(`SELECT to_regclass('public.schema_migrations')::text AS t`);
    if (!table.rows[0]!.t) return new Set<string>();
    return new Set((await c.query<{ version: string }>('SELECT version FROM public.schema_migrations')).rows.map((r) => r.version));
  });
  return readMigrations()
    .filter((m) => !applied.has(m.version))
    .map((m) => m.name);
}

/**
 * Applies the pending migrations to a cached fixture's database only when `allowed` (--migrate).
 * @returns the migrations applied (none when nothing was pending).
 * @throws PendingMigrationsError when some are pending and `allowed` is false; the database is untouched.
 */
export async function migrateCachedFixture(url: string, dir: string, allowed: boolean, log?: (line: string) => void): Promise<string[]> {
  const pending = await pendingMigrations(url);
  const repair = [...((await documentsWithoutTf(url)) ? [TF_REPAIR] : []), ...((await documentsWithoutPostings(url)) ? [POSTINGS_REPAIR] : [])];
  if (pending.length + repair.length === 0) {
    await refreshLexicalStats(url, log);
    return [];
  }
  if (!allowed) throw new PendingMigrationsError(dir, [...pending, ...repair]);
  const applied = pending.length ? (await migrate(url, log)).applied : [];
  if (repair.includes(TF_REPAIR)) await fillMissingTf(url, log);
  // 0160's backfill or the repair's rebuild leave the postings' visibility map empty: set it now.
  if (repair.includes(POSTINGS_REPAIR)) await rebuildPostings(url, log);
  else if (applied.some((m) => m.startsWith(`${POSTINGS_MIGRATION}_`))) await vacuumPostings(url, log);
  await refreshLexicalStats(url, log);
  return [...applied, ...repair];
}

/**
 * db 0168: the copy of the partitions' statistics that search_lexical()'s prelude reads while it is
 * current (in production the worker's Schedule refreshes it). A fixture's statistics change when it
 * is built, repaired or ANALYZEd, so every opening refreshes the copy of the partitions whose
 * statistics changed (none: nothing is written). Nothing on a fixture without 0168.
 */
export async function refreshLexicalStats(url: string, log?: (line: string) => void): Promise<void> {
  await withClient(url, async (c) => {
    const fn = await c.query<{ f: string | null }>(`SELECT to_regprocedure('search_index.refresh_lexical_stats()')::text AS f`);
    if (!fn.rows[0]!.f) return;
    const r = await c.query<{ n: number }>('SELECT search_index.refresh_lexical_stats() AS n');
    if (r.rows[0]!.n > 0) log?.(`refreshed the lexical statistics copy of ${r.rows[0]!.n} partition(s) (db 0168)`);
  });
}

const TF_REPAIR = 'fill search_index.documents.tf (a fixture built before session 11)';

/**
 * Whether the lexical index holds documents without their term frequencies. bench:search's
 * builder inserted them under session_replication_role = replica until session 11, so 0102's
 * trigger that fills `tf` never ran: every BM25 score was 0 (candidates ranked by id) and the
 * leg's per-candidate tf reads cost nothing, which understated its CPU. Production writers always
 * give it (0102), so such a fixture measures a search nobody runs.
 */
async function documentsWithoutTf(url: string): Promise<boolean> {
  return withClient(url, async (c) => {
    // Two statements: a query naming a table that does not exist fails as it is parsed, whatever
    // guards it (an unmigrated database has none).
    const table = await c.query<{ t: string | null }>(`SELECT to_regclass('search_index.documents')::text AS t`);
    if (!table.rows[0]!.t) return false;
    const r = await c.query<{ missing: boolean }>(`SELECT EXISTS (SELECT 1 FROM search_index.documents WHERE tf IS NULL AND fts IS NOT NULL) AS missing`);
    return r.rows[0]!.missing;
  });
}

/** Fills them as 0102's trigger would have, then compacts the table as a fresh build leaves it. */
async function fillMissingTf(url: string, log?: (line: string) => void): Promise<void> {
  await withClient(url, async (c) => {
    const t0 = performance.now();
    await c.query(`SET maintenance_work_mem = '1GB'`);
    const n = await c.query(`UPDATE search_index.documents SET tf = search_index.term_frequencies(fts) WHERE tf IS NULL AND fts IS NOT NULL`);
    // Every row rewritten: without this the heap is twice its size and the GIN index bloated.
    await c.query('VACUUM (FULL, ANALYZE) search_index.documents');
    log?.(`filled tf of ${n.rowCount} lexical documents written without it, in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  });
}

const POSTINGS_MIGRATION = '0160';
const POSTINGS_REPAIR = 'fill search_index.postings (a fixture whose documents were written without them)';

/**
 * Whether the lexical index's postings (db 0160) fall short of its documents: a builder that
 * writes documents under session_replication_role = replica skips the triggers that keep them, so
 * a fixture so built would rank from postings that are missing or stale (a rewritten text's old
 * ones). Cheap rather than exhaustive (a bench runs it at every start): the first 3 texts of each
 * kind of each practice (distinct practices by a skip scan of the documents' key), each of their lexemes looked
 * up by the postings' key with its tf and the text's length.
 */
async function documentsWithoutPostings(url: string): Promise<boolean> {
  return withClient(url, async (c) => {
    const table = await c.query<{ t: string | null }>(`SELECT to_regclass('search_index.postings')::text AS t`);
    if (!table.rows[0]!.t) return false;
    const r = await c.query<{ missing: boolean }>(
      `WITH RECURSIVE pr(practice_id) AS (
         (SELECT d.practice_id FROM search_index.documents d ORDER BY d.practice_id LIMIT 1)
         UNION ALL
         SELECT (SELECT d.practice_id FROM search_index.documents d WHERE d.practice_id > pr.practice_id ORDER BY d.practice_id LIMIT 1) FROM pr WHERE pr.practice_id IS NOT NULL
       )
       SELECT EXISTS (
         SELECT 1 FROM pr
           CROSS JOIN (VALUES ('case'), ('message'), ('project'), ('patient')) k(kind)
           CROSS JOIN LATERAL (SELECT d.kind, d.id, d.fts, d.tf FROM search_index.documents d WHERE d.practice_id = pr.practice_id AND d.kind = k.kind ORDER BY d.id LIMIT 3) d
           CROSS JOIN LATERAL jsonb_each_text(d.tf) e
          WHERE pr.practice_id IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM search_index.postings p
                             WHERE p.practice_id = pr.practice_id AND p.kind = d.kind AND p.lexeme = e.key AND p.id = d.id
                               AND p.tf = e.value::integer AND p.dl = length(d.fts))) AS missing`,
    );
    return r.rows[0]!.missing;
  });
}

/** All of them again from the documents (0160's postings_rebuild()), then VACUUM. */
async function rebuildPostings(url: string, log?: (line: string) => void): Promise<void> {
  await withClient(url, async (c) => {
    const t0 = performance.now();
    await c.query(`SET maintenance_work_mem = '1GB'`);
    const n = (await c.query<{ n: string }>(`SELECT search_index.postings_rebuild() AS n`)).rows[0]!.n;
    log?.(`rebuilt ${n} postings of the lexical documents in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  });
  await vacuumPostings(url, log);
}

/**
 * VACUUM (ANALYZE) of the postings: sets the visibility map their index-only scans need (a
 * migration runs in a transaction, where VACUUM cannot; in production autovacuum does it, 0160).
 */
async function vacuumPostings(url: string, log?: (line: string) => void): Promise<void> {
  await withClient(url, async (c) => {
    const t0 = performance.now();
    await c.query('VACUUM (ANALYZE) search_index.postings');
    log?.(`vacuumed search_index.postings in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  });
}

/**
 * Runs a bench's main(): the refusal above as its one line and exit status 2 (the caller has
 * stopped its server before rethrowing), any other failure with its stack and status 1.
 */
export function runBench(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    if (err instanceof PendingMigrationsError) {
      console.error(err.message);
      process.exitCode = 2;
      return;
    }
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  });
}
