/**
 * `npx tsx bench/migrate-people-ab.ts <url of a migrated target> [reps]`: the people phase's two
 * inserts (profiles, patients) side by side, on the target's own rows, each rep in a transaction
 * that is rolled back: the old statement (INSERT … ON CONFLICT through the row triggers: FK
 * checks, protect_role, patients_search_text, the statement triggers) and bulk-insert.ts's fast
 * path (the same rows, triggers replayed set-based). Prints the backend's CPU ms per insert (from
 * /proc, so the machine's load does not skew it) and the rows each path leaves. A migrated target:
 * `bench/migrate-profile.ts --keep` leaves one (target_run on the server in its --dir).
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { guardClient } from '../src/db/connection-errors';
import { bulkInsert, planBulkInsert } from '../src/migration/bulk-insert';

const SYSTEM = '00000000-0000-0000-0000-000000000001';
const P_COLS = ['id', 'email', 'first_name', 'last_name', 'role', 'created_at', 'updated_at'];
const A_COLS = ['id', 'profile_id', 'practice_id', 'patient_number', 'date_of_birth', 'gender', 'medical_history'];
const P_CONFLICT = 'ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email, first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name, role = EXCLUDED.role';
const A_CONFLICT = 'ON CONFLICT (id) DO UPDATE SET date_of_birth = coalesce(public.patients.date_of_birth, EXCLUDED.date_of_birth)';

async function main() {
  const [url, reps = '3'] = process.argv.slice(2);
  if (!url) throw new Error('usage: tsx bench/migrate-people-ab.ts <url of a migrated target> [reps]');
  const c = guardClient(new pg.Client({ connectionString: url }));
  await c.connect();
  const pid = (await c.query<{ p: number }>('select pg_backend_pid() as p')).rows[0]!.p;
  const cpu = () => {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  };
  // As the migration's session has them (pipeline.ts).
  await c.query(`set work_mem = '64MB'; set gin_pending_list_limit = '32MB'`);
  await c.query(`CREATE TEMP TABLE cu AS SELECT * FROM auth.users WHERE id <> '${SYSTEM}';
    CREATE TEMP TABLE cp AS SELECT * FROM profiles WHERE id <> '${SYSTEM}';
    CREATE TEMP TABLE cpa AS SELECT * FROM patients; ANALYZE cu; ANALYZE cp; ANALYZE cpa;`);
  const pp = await planBulkInsert(c, 'profiles');
  const pa = await planBulkInsert(c, 'patients');
  console.log(`plans: profiles fast ${pp.fast} ${pp.reason ?? ''}, patients fast ${pa.fast} ${pa.reason ?? ''}`);
  const sum: Record<string, number[]> = { old: [0, 0], bulk: [0, 0] };
  for (let r = 0; r < Number(reps); r++) {
    for (const mode of ['old', 'bulk'] as const) {
      await c.query('BEGIN');
      await c.query(`SET LOCAL session_replication_role = replica; DELETE FROM search_index.documents WHERE kind = 'patient';
        DELETE FROM search_index.postings WHERE kind = 'patient';
        TRUNCATE auth.users, profiles, patients CASCADE; SET LOCAL session_replication_role = origin`);
      await c.query(`INSERT INTO auth.users SELECT * FROM cu`);
      await c.query(`select audit_bulk_begin(gen_random_uuid(), 'people-ab')`);
      let a = cpu();
      if (mode === 'old') await c.query(`INSERT INTO profiles (${P_COLS.join(', ')}) SELECT ${P_COLS.join(', ')} FROM cp ${P_CONFLICT}`);
      else await bulkInsert(c, pp, { columns: P_COLS, select: `SELECT ${P_COLS.join(', ')} FROM cp`, key: 'id', conflict: P_CONFLICT });
      const tp = cpu() - a;
      a = cpu();
      if (mode === 'old') await c.query(`INSERT INTO patients (${A_COLS.join(', ')}) SELECT ${A_COLS.join(', ')} FROM cpa ${A_CONFLICT}`);
      else await bulkInsert(c, pa, { columns: A_COLS, select: `SELECT ${A_COLS.join(', ')} FROM cpa`, key: 'id', conflict: A_CONFLICT });
      const ta = cpu() - a;
      const rows = (await c.query(`select md5(string_agg(x::text, ',' order by id)) as h, count(*) as n from (select p.id, p.search_text, p.fts, d.fts as doc from patients p
          left join search_index.documents d on d.kind = 'patient' and d.id = p.id) x`)).rows[0] as { h: string; n: string };
      console.log(`${mode.padEnd(4)} profiles ${String(tp).padStart(5)} ms CPU, patients ${String(ta).padStart(5)} ms CPU; ${rows.n} patients, md5 of (id, search_text, fts, search document) ${rows.h}`);
      sum[mode]![0]! += tp;
      sum[mode]![1]! += ta;
      await c.query('ROLLBACK');
    }
  }
  for (const mode of ['old', 'bulk']) console.log(`${mode} total: profiles ${sum[mode]![0]} ms, patients ${sum[mode]![1]} ms`);
  await c.end();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
