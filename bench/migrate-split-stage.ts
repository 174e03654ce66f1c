/**
 * `npx tsx bench/migrate-split-stage.ts --dir /tmp/mdw-migprof-<you> [--cases 8000]`: what handing
 * the records phase's second session its rows costs, two ways, on the messages of a target that
 * bench/migrate-profile.ts left in --dir (target_run): (a) the run's session writes them to an
 * UNLOGGED table in legacy_stage (db 0110) that the second session reads after the commit (what
 * pipeline.ts does), (b) COPY TO STDOUT from the run's session into COPY FROM STDIN of the second
 * session's TEMP table (what branch mig-msg did). Both start from the same rows in a TEMP table
 * (the SELECT's joins cost the same either way) and end with the second session holding them in
 * a table it can read; printed: each backend's CPU (from /proc) and wall time, alternating, --runs times.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { guardClient } from '../src/db/connection-errors';

const arg = (name: string, def: string) => (process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1]! : def);
const cpuMs = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};

async function main() {
  const { startEmbeddedPostgres } = await import('../scripts/lib/embedded-postgres');
  const server = await startEmbeddedPostgres({ dataDir: path.resolve(arg('dir', '/tmp/mdw-migprof')), database: 'postgres_prof', ephemeral: true });
  const u = new URL(server.url);
  u.pathname = '/target_run';
  const session = async () => {
    const c = guardClient(new pg.Client({ connectionString: u.toString() }));
    await c.connect();
    await c.query(`set temp_buffers = '256MB'`);
    return { c, pid: (await c.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid };
  };
  const a = await session();
  const b = await session();
  // The second session's half of the messages (the split's shard 1), as the run holds them.
  await a.c.query(`CREATE TEMP TABLE rows1 AS SELECT id, case_id, practice_id, sender_id, message_type, content, metadata, idempotency_key, created_at FROM case_messages WHERE hashtext(case_id::text) & 1 = 1`);
  const n = (await a.c.query<{ n: string }>(`select count(*) as n from rows1`)).rows[0]!.n;
  const measure = async (name: string, fn: () => Promise<void>) => {
    const [ca, cb, t] = [cpuMs(a.pid), cpuMs(b.pid), Date.now()];
    await fn();
    console.log(`${name.padEnd(10)} ${n} rows: wall ${((Date.now() - t) / 1000).toFixed(2)} s, run's session CPU ${((cpuMs(a.pid) - ca) / 1000).toFixed(2)} s, second session CPU ${((cpuMs(b.pid) - cb) / 1000).toFixed(2)} s`);
  };
  for (let i = 0; i < Number(arg('runs', '3')); i++) {
    await measure('unlogged', async () => {
      await a.c.query(`DROP TABLE IF EXISTS legacy_stage.bench_rows; CREATE UNLOGGED TABLE legacy_stage.bench_rows AS SELECT * FROM rows1`);
      // The second session reads its share once (bulk-insert.ts's bulk_src does).
      await b.c.query(`DROP TABLE IF EXISTS pg_temp.src; CREATE TEMP TABLE src AS SELECT * FROM legacy_stage.bench_rows`);
    });
    await measure('copy', async () => {
      await b.c.query(`DROP TABLE IF EXISTS pg_temp.src; CREATE TEMP TABLE src AS SELECT id, case_id, practice_id, sender_id, message_type, content, metadata, idempotency_key, created_at FROM case_messages WHERE false`);
      await pipeline(a.c.query(copyTo(`COPY rows1 TO STDOUT`)), b.c.query(copyFrom(`COPY src FROM STDIN`)));
    });
  }
  await a.c.query(`DROP TABLE IF EXISTS legacy_stage.bench_rows`);
  await a.c.end();
  await b.c.end();
  await server.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
