/**
 * Which indexes of case_messages, case_states and the full-text columns do the real read paths
 * use? (issue 9, db 0078). An ephemeral embedded PostgreSQL, migrated with every migration in
 * db/migrations, filled with N messages (--messages, default 200,000) over 50 practices, 200
 * senders (and 5,000 patients' profiles), 20,000 cases and as many states, ANALYZEd; then each read path's statement is
 * EXPLAINed and the indexes of its plan are printed, and the lexical search (search_index.rank,
 * what search_lexical() runs) is executed with index statistics reset, to show which GIN indexes
 * it reads. Finally every index of those tables with the statements that used it.
 *
 *   nice -n 15 npx tsx bench/index-usage.ts [--messages 200000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../scripts/lib/embedded-postgres';
import { guardClient } from '../src/db/connection-errors';
import { migrate } from '../src/db/migrate';

const i = process.argv.indexOf('--messages');
const MESSAGES = i === -1 ? 200_000 : Number(process.argv[i + 1]);

/** Index names anywhere in an EXPLAIN (FORMAT JSON) plan. */
function indexesOf(plan: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(plan)) for (const p of plan) indexesOf(p, out);
  else if (plan && typeof plan === 'object') {
    for (const [k, v] of Object.entries(plan)) {
      if (k === 'Index Name' && typeof v === 'string') out.add(v);
      else indexesOf(v, out);
    }
  }
  return out;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mdw-index-usage-'));
  const server = await startEmbeddedPostgres({ dataDir: dir, database: 'mdw_index_usage', ephemeral: true });
  const c = guardClient(new pg.Client({ connectionString: server.url }));
  try {
    await migrate(server.url);
    await c.connect();
    // The fixture, not what is measured: no FK checks or triggers while loading; the lexical
    // index is filled below as 0076 fills it.
    await c.query(`SET session_replication_role = replica`);
    await c.query(`
      INSERT INTO practices (id, name) SELECT ('00000000-0000-4000-8000-' || lpad(p::text, 12, '0'))::uuid, 'P' || p FROM generate_series(1, 50) p;
      INSERT INTO profiles (id, email, first_name, last_name) SELECT ('00000000-0000-4000-9000-' || lpad(s::text, 12, '0'))::uuid, 's' || s || '@x.test', 'S', 'S' || s FROM generate_series(1, 5200) s;
      INSERT INTO patients (id, practice_id, profile_id, patient_number) SELECT ('00000000-0000-4000-a000-' || lpad(k::text, 12, '0'))::uuid, ('00000000-0000-4000-8000-' || lpad((1 + k % 50)::text, 12, '0'))::uuid, ('00000000-0000-4000-9000-' || lpad((200 + k)::text, 12, '0'))::uuid, 'N' || k FROM generate_series(1, 5000) k;
      INSERT INTO cases (id, patient_id, practice_id, case_number, title, case_type)
        SELECT ('00000000-0000-4000-b000-' || lpad(k::text, 12, '0'))::uuid, ('00000000-0000-4000-a000-' || lpad((1 + k % 5000)::text, 12, '0'))::uuid,
               ('00000000-0000-4000-8000-' || lpad((1 + k % 50)::text, 12, '0'))::uuid, 'C' || k, 'aligner case ' || k, (enum_range(null::case_type_enum))[1]
          FROM generate_series(1, 20000) k;
      INSERT INTO case_messages (case_id, practice_id, sender_id, content, created_at)
        SELECT ('00000000-0000-4000-b000-' || lpad((1 + k % 20000)::text, 12, '0'))::uuid, ('00000000-0000-4000-8000-' || lpad((1 + k % 50)::text, 12, '0'))::uuid,
               ('00000000-0000-4000-9000-' || lpad((1 + k % 200)::text, 12, '0'))::uuid,
               (ARRAY['crown margin looks open', 'please rescan the lower arch', 'attachment template approved', 'bite registration missing', 'shade A2 confirmed'])[1 + k % 5] || ' note ' || k,
               now() - k * interval '1 minute'
          FROM generate_series(1, ${MESSAGES}) k;
      INSERT INTO case_states (case_id, practice_id, to_state, changed_by)
        SELECT ('00000000-0000-4000-b000-' || lpad(k::text, 12, '0'))::uuid, ('00000000-0000-4000-8000-' || lpad((1 + k % 50)::text, 12, '0'))::uuid,
               (enum_range(null::case_state_enum))[1], '00000000-0000-4000-9000-000000000001'
          FROM generate_series(1, 20000) k;
      INSERT INTO search_index.documents (practice_id, kind, id, fts, tf)
        SELECT practice_id, kind, id, fts, search_index.term_frequencies(fts) FROM (
          SELECT practice_id, 'message' AS kind, id, fts FROM case_messages WHERE fts IS NOT NULL
          UNION ALL SELECT practice_id, 'case', id, fts FROM cases WHERE fts IS NOT NULL) d
        ON CONFLICT DO NOTHING;
      SELECT search_index.postings_rebuild();
      ANALYZE;`);
    await c.query(`RESET session_replication_role`);

    const practice = '00000000-0000-4000-8000-000000000007';
    const sender = '00000000-0000-4000-9000-000000000042';
    const kase = '00000000-0000-4000-b000-000000000123';
    // The read paths of these tables, as the code writes them (file named in each label), and the
    // statements PostgreSQL itself runs for the foreign keys when a referenced row is deleted.
    const paths: [string, string][] = [
      ['messages of a case (messages.routes.ts)', `SELECT id FROM case_messages m WHERE m.case_id = '${kase}' ORDER BY m.created_at DESC LIMIT 50`],
      ['case timeline (cases.routes.ts)', `SELECT created_at, sender_id, id FROM case_messages WHERE case_id = '${kase}' ORDER BY created_at`],
      ['profiles_select: wrote on my practices (0005 policy)', `SELECT 1 FROM case_messages cm WHERE cm.sender_id = '${sender}' AND cm.practice_id = ANY (ARRAY['${practice}']::uuid[]) LIMIT 1`],
      ['FK check: DELETE profile (sender_id)', `SELECT 1 FROM ONLY case_messages x WHERE sender_id = '${sender}' FOR KEY SHARE OF x`],
      ['FK cascade: DELETE practice (practice_id)', `SELECT 1 FROM ONLY case_messages x WHERE practice_id = '${practice}' FOR KEY SHARE OF x`],
      ['FK cascade: DELETE case (case_id, practice_id)', `SELECT 1 FROM ONLY case_messages x WHERE case_id = '${kase}' AND practice_id = '${practice}' FOR KEY SHARE OF x`],
      ['rework reasons (analytics, 0042)', `SELECT id FROM case_messages WHERE practice_id = '${practice}' AND created_at >= now() - interval '7 days' AND metadata ? 'reworkTaskId'`],
      ['RLS read of a practice’s messages', `SELECT count(*) FROM case_messages WHERE practice_id = ANY (ARRAY['${practice}']::uuid[])`],
      ['case history (case_states)', `SELECT * FROM case_states WHERE case_id = '${kase}' ORDER BY created_at DESC`],
      ['FK cascade: DELETE practice (case_states)', `SELECT 1 FROM ONLY case_states x WHERE practice_id = '${practice}' FOR KEY SHARE OF x`],
      ['cases of a patient / FK (cases.patient_id)', `SELECT 1 FROM ONLY cases x WHERE patient_id = '00000000-0000-4000-a000-000000000005' FOR KEY SHARE OF x`],
    ];
    const usedBy = new Map<string, string[]>();
    for (const [label, q] of paths) {
      const r = await c.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${q}`);
      const used = [...indexesOf(r.rows[0]!['QUERY PLAN'])];
      for (const x of used) usedBy.set(x, [...(usedBy.get(x) ?? []), label]);
      console.log(`${label}: ${used.join(', ') || 'no index (seq scan)'}`);
    }

    // The lexical leg, executed: which GIN indexes does it read?
    await c.query(`SELECT pg_stat_reset()`);
    for (const kind of ['message', 'case']) {
      for (const words of [['crown'], ['rescan', 'arch'], ['aligner']]) {
        await c.query(`SELECT * FROM search_index.rank($1, $2, $3, 20)`, [kind, words, [practice]]);
        await c.query(`SELECT * FROM search_index.rank($1, $2, NULL, 20)`, [kind, words]);
      }
    }
    // Statistics reach the views asynchronously (at transaction end, flushed at most once a second).
    await c.query(`SELECT pg_stat_force_next_flush()`);
    await new Promise((res) => setTimeout(res, 1500));
    const scans = await c.query<{ idx: string; scans: string }>(`
      SELECT CASE WHEN schemaname = 'search_index' THEN 'search_index.documents partitions: ' || regexp_replace(indexrelname, '^documents_p[0-9]+_', '') ELSE indexrelname END AS idx,
             sum(idx_scan)::text AS scans
        FROM pg_stat_all_indexes
       WHERE schemaname = 'search_index' OR indexrelname IN ('idx_case_messages_fts', 'idx_cases_fts', 'idx_projects_fts', 'idx_patients_fts')
       GROUP BY 1 ORDER BY 1`);
    const seq = await c.query<{ n: string }>(`SELECT coalesce(sum(seq_scan), 0)::text AS n FROM pg_stat_all_tables WHERE schemaname = 'search_index'`);
    console.log('\nlexical search (search_index.rank, 12 calls): index scans');
    for (const s of scans.rows) console.log(`  ${s.idx}: ${s.scans}`);
    console.log(`  (sequential scans of search_index.documents partitions: ${seq.rows[0]!.n})`);

    const all = await c.query<{ tbl: string; idx: string; size: string }>(`
      SELECT t.relname AS tbl, i.relname AS idx, pg_size_pretty(pg_relation_size(i.oid)) AS size FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
       WHERE t.relnamespace = 'public'::regnamespace AND t.relname IN ('case_messages', 'case_states') ORDER BY 1, 2`);
    console.log('\nindexes of case_messages and case_states, and the read paths above that use them:');
    for (const r of all.rows) console.log(`  ${r.tbl}.${r.idx} (${r.size}): ${(usedBy.get(r.idx) ?? ['-']).join('; ')}`);
  } finally {
    await c.end().catch(() => undefined);
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
