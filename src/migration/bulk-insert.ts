/**
 * The bulk load's write path: new rows go into a target table with its triggers skipped, and each
 * skipped trigger's work is done once afterwards, set-based, as pg_restore --disable-triggers and
 * Django's loaddata (constraint checks after the load) do.
 *
 * Why: a message INSERT … SELECT paid, per row, four foreign-key checks (one SPI query each), a
 * BEFORE trigger, and three statement triggers whose own INSERTs (embedding queue, search index)
 * ran row by row through their tables; the row itself (heap, indexes, generated fts) was about a
 * third of it (bench/MIGRATE.md, EXPLAIN ANALYZE and backend CPU seconds per trigger).
 *
 * How, and why it is safe:
 * - Only rows whose key does not exist yet take the fast path (a plain INSERT under
 *   `SET LOCAL session_replication_role = replica`, which skips every ordinary trigger of this
 *   session only, for this one statement); rows that exist take the ordinary path with its ON
 *   CONFLICT clause and every trigger (their UPDATE triggers compare old and new).
 * - The fast path is used only when every INSERT trigger of the table is one this module knows
 *   how to replay (listed from pg_trigger at the start of the run: a trigger added later by a
 *   migration, or a known trigger function redefined (its source's md5), turns the fast path off
 *   for its table until it is taught here), when the session may
 *   set session_replication_role (superuser, or GRANT SET ON PARAMETER), and inside a registered
 *   bulk load (0061's audit_bulk_begin(): the audit is owed a count, 0079's audit_bulk_count()).
 * - Foreign keys are checked after the insert, per distinct key, with the same row lock the
 *   per-row check takes (FOR KEY SHARE on the referenced row): a missing parent fails the
 *   statement's phase as the per-row check would, and a parent cannot be deleted under it.
 * - Everything happens in the phase's transaction: a crash (kill -9) rolls all of it back, the
 *   setting included (SET LOCAL); nothing is dropped or disabled, so nothing needs restoring.
 */
import type pg from 'pg';

type Replay =
  | { kind: 'audit'; trigger: string }
  | { kind: 'embedding'; trigger: string; arg: string }
  | { kind: 'search'; trigger: string; arg: string }
  | { kind: 'analytics-message'; trigger: string }
  | { kind: 'template-check'; trigger: string }
  /** protect_profile_role() (0003, BEFORE INSERT on profiles): only a privileged role or an internal admin inserts an admin. */
  | { kind: 'role-check'; trigger: string }
  /** patients_set_search_text() (0018, BEFORE INSERT on patients): search_text computed in the INSERT's SELECT. */
  | { kind: 'patient-search-text'; trigger: string }
  /** enqueue_patient_embedding_statement() (0061): patients with a clinical summary are queued. */
  | { kind: 'embedding-patient'; trigger: string }
  /** set_practice_id_from_*(): fills a NULL practice_id; the column is NOT NULL and the load names it. */
  | { kind: 'none'; trigger: string };

interface ForeignKey {
  name: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
}

/** What the fast path of one table must do, or why it is not used. */
export interface BulkPlan {
  table: string;
  fast: boolean;
  /** Why the ordinary path is used (null when fast). */
  reason: string | null;
  foreignKeys: ForeignKey[];
  replays: Replay[];
  /** The table's column types (format_type), for the expressions a BEFORE trigger's replay computes. */
  columnTypes?: Record<string, string>;
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

/**
 * The trigger functions whose work this module replays, with the md5 of the source it was written
 * against (`select md5(prosrc)`, after db 0079): a migration that redefines one turns the fast
 * path off for its tables until its replay here is checked and the hash updated.
 */
const KNOWN_FUNCTIONS: Record<string, string> = {
  'public.audit_statement_change': '2f9c0bc03c3fe99b08ebf28db1bdebeb',
  'public.enqueue_embedding_statement': 'bb821556d03e24068b6fd08e81127a9d',
  // 0102: gives tf (no longer a generated column) with term_frequencies()'s expression inline.
  'search_index.documents_insert': '5be5ac7a7cc7b71177bf54a74633d845',
  'public.analytics_mark_message': 'ff32883d74242341caf6a7a9c90536c2',
  'public.validate_case_workflow_template': '3c3d36b4eb59c9e6389280e8e8a015f5',
  'public.set_practice_id_from_case': '9e75a0c8e176d604304ea3252e984526',
  'public.set_practice_id_from_patient': 'b163b3c17c7f7eca3e776d53dcb0c2a1',
  'public.set_practice_id_from_order': '634f7cd79845cc88e23f7dc540d93ec6',
  'public.protect_profile_role': '65d9364169bf2ccfd07ebaed14357a24',
  'public.patients_set_search_text': 'd580de4dc635ef146402eb8383bf50b7',
  'public.enqueue_patient_embedding_statement': '7c02b5d957b8f3cba5ee424dfc64830b',
};

/** Reads the table's INSERT triggers and foreign keys and decides whether the fast path applies. */
export async function planBulkInsert(db: pg.Client, table: string): Promise<BulkPlan> {
  const plan: BulkPlan = { table, fast: false, reason: null, foreignKeys: [], replays: [] };
  const priv = await db.query<{ ok: boolean }>(`select has_parameter_privilege('session_replication_role', 'SET') as ok`);
  if (!priv.rows[0]!.ok) {
    plan.reason = 'this role may not set session_replication_role';
    return plan;
  }
  const triggers = await db.query<{ tgname: string; tgenabled: string; internal: boolean; fn: string; schema: string; tgargs: Buffer; contype: string | null; row_level: boolean; src_md5: string }>(
    `select t.tgname, t.tgenabled::text as tgenabled, t.tgisinternal as internal, p.proname as fn, n.nspname as schema, t.tgargs, md5(p.prosrc) as src_md5,
            c.contype::text as contype, (t.tgtype & 1) <> 0 as row_level
       from pg_trigger t join pg_proc p on p.oid = t.tgfoid join pg_namespace n on n.oid = p.pronamespace
       left join pg_constraint c on c.oid = t.tgconstraint
      where t.tgrelid = $1::regclass and (t.tgtype & 4) <> 0 and t.tgenabled <> 'D'
      order by t.tgname`,
    [`public.${table}`],
  );
  const attrs = await db.query<{ attname: string; notnull: boolean; type: string }>(
    `select attname, attnotnull as notnull, format_type(atttypid, atttypmod) as type from pg_attribute where attrelid = $1::regclass and attnum > 0 and not attisdropped`,
    [`public.${table}`],
  );
  const notNullCols = new Set(attrs.rows.filter((r) => r.notnull).map((r) => r.attname));
  plan.columnTypes = Object.fromEntries(attrs.rows.map((r) => [r.attname, r.type]));
  for (const row of triggers.rows) {
    // tgargs: each argument followed by a NUL byte.
    const t = { ...row, args: row.tgargs.length === 0 ? [] : row.tgargs.toString('utf8').replace(/\0$/, '').split('\0') };
    // 'A' (always) fires in replica mode as well: it does its own work. 'R' fires only there.
    if (t.tgenabled === 'A') continue;
    if (t.tgenabled !== 'O') return { ...plan, reason: `trigger ${t.tgname} fires only in replica mode` };
    if (t.internal) {
      if (t.contype === 'f' && t.fn === 'RI_FKey_check_ins') continue; // checked set-based below
      return { ...plan, reason: `internal trigger ${t.tgname} (${t.fn}) has no set-based replay` };
    }
    const name = `${t.schema}.${t.fn}`;
    if (KNOWN_FUNCTIONS[name] !== undefined && KNOWN_FUNCTIONS[name] !== t.src_md5) {
      return { ...plan, reason: `trigger ${t.tgname}: ${name} was redefined since its set-based replay was written (source md5 ${t.src_md5})` };
    }
    if (name === 'public.audit_statement_change' && !t.row_level) plan.replays.push({ kind: 'audit', trigger: t.tgname });
    else if (name === 'public.enqueue_embedding_statement' && !t.row_level && t.args.length === 1) plan.replays.push({ kind: 'embedding', trigger: t.tgname, arg: t.args[0]! });
    else if (name === 'search_index.documents_insert' && !t.row_level && t.args.length === 1) plan.replays.push({ kind: 'search', trigger: t.tgname, arg: t.args[0]! });
    else if (name === 'public.analytics_mark_message' && table === 'case_messages') plan.replays.push({ kind: 'analytics-message', trigger: t.tgname });
    else if (name === 'public.validate_case_workflow_template' && table === 'cases') plan.replays.push({ kind: 'template-check', trigger: t.tgname });
    else if (/^public\.set_practice_id_from_(case|patient|order)$/.test(name) && notNullCols.has('practice_id')) plan.replays.push({ kind: 'none', trigger: t.tgname });
    else if (name === 'public.protect_profile_role' && table === 'profiles' && t.row_level) plan.replays.push({ kind: 'role-check', trigger: t.tgname });
    else if (name === 'public.enqueue_patient_embedding_statement' && table === 'patients' && !t.row_level) plan.replays.push({ kind: 'embedding-patient', trigger: t.tgname });
    else if (name === 'public.patients_set_search_text' && table === 'patients' && t.row_level) {
      // The trigger reads the profile as its owner (SECURITY DEFINER), past profiles' RLS; the
      // replay's join reads it as this session, which must see every profile to give the same text.
      const sees = await db.query<{ ok: boolean }>(`select coalesce((select rolsuper or rolbypassrls from pg_catalog.pg_roles where rolname = current_user), false) as ok`);
      if (!sees.rows[0]!.ok) return { ...plan, reason: `trigger ${t.tgname}: its replay reads profiles past RLS, which this role cannot` };
      plan.replays.push({ kind: 'patient-search-text', trigger: t.tgname });
    }
    else return { ...plan, reason: `trigger ${t.tgname} (${name}) has no set-based replay` };
  }
  const fks = await db.query<{ name: string; columns: string[]; ref_table: string; ref_columns: string[]; matchtype: string }>(
    `select c.conname as name, c.confmatchtype::text as matchtype, c.confrelid::regclass::text as ref_table,
            array(select a.attname from unnest(c.conkey) with ordinality k(n, i) join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.n order by k.i)::text[] as columns,
            array(select a.attname from unnest(c.confkey) with ordinality k(n, i) join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.n order by k.i)::text[] as ref_columns
       from pg_constraint c where c.conrelid = $1::regclass and c.contype = 'f' order by c.conname`,
    [`public.${table}`],
  );
  for (const fk of fks.rows) {
    // MATCH SIMPLE (the default): a key with a NULL column is not checked. Others are not replayed.
    if (fk.matchtype !== 's') return { ...plan, reason: `foreign key ${fk.name} is not MATCH SIMPLE` };
    plan.foreignKeys.push({ name: fk.name, columns: fk.columns, refTable: fk.ref_table.includes('.') ? fk.ref_table : `public.${fk.ref_table}`, refColumns: fk.ref_columns });
  }
  plan.fast = true;
  return plan;
}

export interface BulkInsertOptions {
  /** The target's columns, in the order the SELECT produces them. */
  columns: string[];
  /** A SELECT producing the rows (column names as in `columns`). */
  select: string;
  /** A unique key of the target that the SELECT provides: rows whose key exists take the ordinary path. */
  key: string;
  /** The ordinary path's conflict clause (e.g. `ON CONFLICT (id) DO UPDATE SET …`). */
  conflict: string;
}

/** Times one part of a bulk insert (the caller's step timer: profiles show where a table's insert goes). */
export type BulkPartTimer = <R>(part: string, fn: () => Promise<R>) => Promise<R>;

const untimed: BulkPartTimer = (_part, fn) => fn();

/** Rows written by each path. */
export interface BulkInsertResult {
  fast: number;
  ordinary: number;
}

/**
 * Inserts the SELECT's rows into public.<plan.table>: new keys on the fast path when the plan
 * allows it and the transaction is a registered bulk load, the rest through the ordinary path.
 */
export async function bulkInsert(db: pg.Client, plan: BulkPlan, o: BulkInsertOptions, time: BulkPartTimer = untimed): Promise<BulkInsertResult> {
  const t = `public.${ident(plan.table)}`;
  const cols = o.columns.map(ident).join(', ');
  const key = ident(o.key);
  // Statistics only of the columns the later statements join and filter on (the key, the foreign
  // keys, id and practice_id for the replays): ANALYZE of every column sorted the sample's texts
  // and jsonb (content, reason, metadata) for histograms nothing reads, 0.5 of the 1.3 s of backend
  // CPU that staging 58,818 messages cost.
  const analyzed = [...new Set([...plan.foreignKeys.flatMap((fk) => fk.columns), o.key, 'id', 'practice_id'])].filter((c) => o.columns.includes(c)).concat('bulk_exists');
  await time('stage', () => db.query(`DROP TABLE IF EXISTS pg_temp.bulk_src;
    CREATE TEMP TABLE bulk_src AS SELECT s.*, EXISTS (SELECT 1 FROM ${t} t WHERE t.${key} = s.${key}) AS bulk_exists FROM (${o.select}) s;
    ANALYZE bulk_src (${analyzed.map(ident).join(', ')});`));
  const registered = plan.fast && (await db.query<{ ok: boolean }>(`select public.audit_bulk_count($1, 'INSERT', 0) as ok`, [plan.table])).rows[0]!.ok;
  if (!registered) {
    const r = await db.query(`INSERT INTO ${t} (${cols}) SELECT ${cols} FROM bulk_src ${o.conflict}`);
    return { fast: 0, ordinary: r.rowCount ?? 0 };
  }
  const needsId = plan.replays.some((r) => r.kind === 'embedding' || r.kind === 'search' || r.kind === 'analytics-message' || r.kind === 'template-check' || r.kind === 'role-check' || r.kind === 'embedding-patient');
  if (needsId && !o.columns.includes('id')) throw new Error(`bulk insert into ${plan.table}: its triggers' replays need the id column`);

  const computed = computedColumns(plan, o.columns);
  const fastCols = [...o.columns.filter((c) => !computed.some((x) => x.column === c)).map(ident), ...computed.map((x) => ident(x.column))].join(', ');
  const fastExprs = [...o.columns.filter((c) => !computed.some((x) => x.column === c)).map((c) => `s.${ident(c)}`), ...computed.map((x) => x.expr)].join(', ');
  await db.query(`SET LOCAL session_replication_role = replica`);
  const inserted = await time('rows', () => db.query(`INSERT INTO ${t} (${fastCols}) SELECT ${fastExprs} FROM bulk_src s ${computed.map((x) => x.join).join(' ')} WHERE NOT s.bulk_exists`));
  await db.query(`SET LOCAL session_replication_role = origin`);
  const fast = inserted.rowCount ?? 0;
  if (fast > 0) {
    const fresh = `(SELECT * FROM bulk_src WHERE NOT bulk_exists)`;
    await time('foreign keys', async () => {
      for (const fk of plan.foreignKeys) await checkForeignKey(db, plan.table, fk, fresh);
    });
    for (const r of plan.replays) await time(`replay ${r.kind}`, () => replay(db, plan.table, r, fresh, fast));
  }
  const rest = await db.query(`INSERT INTO ${t} (${cols}) SELECT ${cols} FROM bulk_src WHERE bulk_exists ${o.conflict}`);
  return { fast, ordinary: rest.rowCount ?? 0 };
}

/**
 * The columns BEFORE INSERT row triggers would set, as expressions over the SELECT's rows (alias
 * `s`) with the joins they need: the trigger's own query, set-based.
 */
function computedColumns(plan: BulkPlan, columns: string[]): Array<{ column: string; expr: string; join: string }> {
  const out: Array<{ column: string; expr: string; join: string }> = [];
  // NEW.<column> as the trigger would see it: the value given (cast as the INSERT assigns it), or
  // the column's default when the INSERT does not name it (only columns without one may be left out).
  const col = (c: string, defaultNull: boolean) => {
    const type = plan.columnTypes?.[c];
    if (!type) throw new Error(`bulk insert into ${plan.table}: no column ${c}`);
    if (columns.includes(c)) return `CAST(s.${ident(c)} AS ${type})`;
    if (defaultNull) return `NULL::${type}`;
    throw new Error(`bulk insert into ${plan.table}: a trigger's replay needs the column ${c}`);
  };
  for (const r of plan.replays) {
    if (r.kind === 'patient-search-text') {
      // patients_set_search_text(): SELECT … INTO NEW.search_text FROM profiles WHERE id = NEW.profile_id
      // (no profile: NULL, as the LEFT JOIN gives; profiles.id is unique, so one row per patient).
      out.push({
        column: 'search_text',
        expr: `public.patient_search_text(bulk_pf.first_name, bulk_pf.last_name, coalesce(${col('contact_email', true)}, bulk_pf.email), ${col('patient_number', false)})`,
        join: `LEFT JOIN public.profiles bulk_pf ON bulk_pf.id = ${col('profile_id', false)}`,
      });
    }
  }
  return out;
}

/**
 * The per-row check of a foreign key, once per distinct key: every key names a row of the
 * referenced table, which is locked FOR KEY SHARE as RI_FKey_check_ins locks it.
 */
async function checkForeignKey(db: pg.Client, table: string, fk: ForeignKey, fresh: string) {
  const cols = fk.columns.map((c) => `n.${ident(c)}`).join(', ');
  const refs = fk.refColumns.map((c) => `r.${ident(c)}`).join(', ');
  const r = await db.query<{ wanted: string; found: string }>(`
    WITH wanted AS MATERIALIZED (SELECT DISTINCT ${cols} FROM ${fresh} n WHERE ${fk.columns.map((c) => `n.${ident(c)} IS NOT NULL`).join(' AND ')}),
    found AS MATERIALIZED (SELECT 1 FROM ${fk.refTable} r WHERE (${refs}) IN (SELECT * FROM wanted) FOR KEY SHARE OF r)
    SELECT (SELECT count(*) FROM wanted) AS wanted, (SELECT count(*) FROM found) AS found`);
  const { wanted, found } = r.rows[0]!;
  if (wanted !== found) {
    const err = new Error(`insert into ${table} violates foreign key constraint "${fk.name}": ${Number(wanted) - Number(found)} key(s) not present in ${fk.refTable}`) as Error & { code: string };
    err.code = '23503';
    throw err;
  }
}

/**
 * search_index.term_frequencies(fts) written inline (db 0102): the same jsonb, without a SQL
 * function call per row (a subplan instead: 0.9 s vs 1.7 s of backend CPU per 58,818 messages).
 */
const termFrequencies = (fts: string) =>
  `(SELECT coalesce(pg_catalog.jsonb_object_agg(u.lexeme, coalesce(pg_catalog.array_length(u.positions, 1), 1)), '{}'::jsonb) FROM pg_catalog.unnest(${fts}) u)`;

/** One skipped trigger's work over the new rows, set-based (the trigger's own statement where it has one). */
async function replay(db: pg.Client, table: string, r: Replay, fresh: string, rows: number) {
  const t = `public.${ident(table)}`;
  switch (r.kind) {
    case 'audit': {
      const ok = (await db.query<{ ok: boolean }>(`select public.audit_bulk_count($1, 'INSERT', $2) as ok`, [table, rows])).rows[0]!.ok;
      if (!ok) throw new Error(`bulk insert into ${table}: the transaction is no longer a registered bulk load`);
      return;
    }
    case 'embedding':
      // enqueue_embedding_statement() (0061) over the new rows. In key order: the primary key
      // (kind, source_id) is then filled page after page instead of at random uuids.
      await db.query(
        `INSERT INTO public.embedding_queue (kind, source_id, practice_id)
         SELECT $1, n.id, n.practice_id FROM ${fresh} n ORDER BY n.id
         ON CONFLICT (kind, source_id) DO UPDATE SET queued_at = clock_timestamp(), practice_id = EXCLUDED.practice_id`,
        [r.arg],
      );
      return;
    case 'search':
      // search_index.documents_insert() (0102) over the new rows, reading their generated fts and
      // giving tf as that function does; in primary-key order (a practice's partition page by page).
      await db.query(
        `INSERT INTO search_index.documents (practice_id, kind, id, fts, tf)
         SELECT t.practice_id, $1, t.id, t.fts, ${termFrequencies('t.fts')} FROM ${t} t JOIN ${fresh} n ON n.id = t.id WHERE t.fts IS NOT NULL
         ORDER BY t.practice_id, t.id
         ON CONFLICT (practice_id, kind, id) DO UPDATE SET fts = EXCLUDED.fts, tf = EXCLUDED.tf`,
        [r.arg],
      );
      return;
    case 'analytics-message':
      // analytics_mark_message() (0065): one mark per rework message.
      await db.query(
        `INSERT INTO public.analytics_stale_weeks (practice_id, week)
         SELECT t.practice_id, date_trunc('week', t.created_at AT TIME ZONE 'UTC')::date FROM ${t} t JOIN ${fresh} n ON n.id = t.id
          WHERE t.metadata ? 'reworkTaskId'`,
      );
      return;
    case 'template-check': {
      // validate_case_workflow_template(): a practice's template only for that practice's cases.
      const bad = await db.query<{ id: string }>(
        `SELECT t.workflow_template_id::text AS id FROM ${t} t JOIN ${fresh} n ON n.id = t.id
           JOIN public.workflow_templates w ON w.id = t.workflow_template_id
          WHERE w.practice_id IS NOT NULL AND w.practice_id IS DISTINCT FROM t.practice_id LIMIT 1`,
      );
      if (bad.rows.length > 0) {
        const err = new Error(`workflow template ${bad.rows[0]!.id} belongs to another practice`) as Error & { code: string };
        err.code = '23503';
        throw err;
      }
      return;
    }
    case 'role-check': {
      // protect_profile_role(): a role that is neither privileged (superuser / BYPASSRLS) nor an
      // internal admin may not insert an admin profile; the trigger's error, once for the statement.
      const ok = (await db.query<{ ok: boolean }>(
        `select coalesce((select r.rolsuper or r.rolbypassrls from pg_catalog.pg_roles r where r.rolname = current_user), false) or public.is_internal_admin() as ok`,
      )).rows[0]!.ok;
      if (ok) return;
      const admin = await db.query(`SELECT 1 FROM ${t} t JOIN ${fresh} n ON n.id = t.id WHERE t.role = 'admin'::public.user_role LIMIT 1`);
      if (admin.rows.length > 0) {
        const err = new Error('only an internal admin may create an admin profile') as Error & { code: string };
        err.code = '42501';
        throw err;
      }
      return;
    }
    case 'embedding-patient':
      // enqueue_patient_embedding_statement() (0061) over the new rows: those with a clinical summary.
      await db.query(
        `INSERT INTO public.embedding_queue (kind, source_id, practice_id)
         SELECT 'patient', t.id, t.practice_id FROM ${t} t JOIN ${fresh} n ON n.id = t.id WHERE t.clinical_summary IS NOT NULL
         ON CONFLICT (kind, source_id) DO UPDATE SET queued_at = clock_timestamp(), practice_id = EXCLUDED.practice_id`,
      );
      return;
    case 'patient-search-text':
      return; // computed in the INSERT (computedColumns)
    case 'none':
      return;
  }
}

/**
 * One INSERT … SELECT of rows known to be new into a table whose only INSERT trigger is the
 * statement-level audit (legacy_id_map): run with triggers skipped and the audit's count added
 * once, when the plan allows it and the transaction is a registered bulk load; otherwise as is.
 * `insert` must be a single INSERT statement. Returns the rows inserted.
 */
export async function insertAuditCounted(db: pg.Client, plan: BulkPlan, insert: string): Promise<number> {
  const auditOnly = plan.fast && plan.foreignKeys.length === 0 && plan.replays.every((r) => r.kind === 'audit');
  const registered = auditOnly && (await db.query<{ ok: boolean }>(`select public.audit_bulk_count($1, 'INSERT', 0) as ok`, [plan.table])).rows[0]!.ok;
  if (!registered) return (await db.query(insert)).rowCount ?? 0;
  await db.query(`SET LOCAL session_replication_role = replica`);
  const n = (await db.query(insert)).rowCount ?? 0;
  await db.query(`SET LOCAL session_replication_role = origin`);
  for (const r of plan.replays) await replay(db, plan.table, r, '', n);
  return n;
}
