/**
 * Heap of the patient dedup alone at the sizes of bench:migrate, streamed (the people phase,
 * src/migration/dedup-staged.ts) or in memory (dedupPatients), on the legacy databases that
 * `npm run eval:dedup -- --generated N` keeps (generated here when missing):
 *
 *   node --expose-gc --max-old-space-size=40 --import tsx bench/dedup/heap.ts --generated 20500,82000 --mode staged
 *   node --expose-gc --max-old-space-size=40 --import tsx bench/dedup/heap.ts --generated 82000 --mode memory   # runs out of heap
 *
 * A cap on the old space makes the figure what the run needs rather than what V8 left
 * uncollected; a mode whose peak is the same at both sizes under one cap has flat memory.
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { guardClient } from '../../src/db/connection-errors';
import { dedupPatients } from '../../src/migration/dedup';
import type { PatientRecord } from '../../src/migration/dedup/types';
import { dedupStaged } from '../../src/migration/dedup-staged';

const { values } = parseArgs({ options: { generated: { type: 'string', default: '20500,82000' }, mode: { type: 'string', default: 'staged' } } });

const SOURCE = `
  WITH pc AS (
    SELECT c.patient_id, count(*)::int AS cases,
      (array_agg(coalesce(c.practice_id, dr.practice_id) ORDER BY c.id) FILTER (WHERE coalesce(c.practice_id, dr.practice_id) IS NOT NULL))[1] AS practice
    FROM dispatch_case c LEFT JOIN dispatch_doctor dr ON dr.id = c.doctor_id GROUP BY c.patient_id)
  SELECT p.id::text AS key, pc.practice::text AS "practiceKey", u.first_name AS "firstName", u.last_name AS "lastName", u.email,
    p.birthdate::text AS birthdate, p.sex, coalesce(pc.cases, 0) AS "caseCount"
  FROM dispatch_patient p LEFT JOIN auth_user u ON u.id = p.user_id LEFT JOIN pc ON pc.patient_id = p.id ORDER BY p.id`;

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const { startEmbeddedPostgres } = await import('../../scripts/lib/embedded-postgres');
  const { generateLegacy } = await import('../../test/support/legacy/generate');
  const server = await startEmbeddedPostgres({ dataDir: path.join(os.tmpdir(), 'mdw-dedup-eval'), database: 'postgres_eval', ephemeral: true });
  try {
    for (const cases of (values.generated ?? '').split(',').map(Number)) {
      const name = `legacy_gen_${cases}_v3`;
      const u = new URL(server.url);
      const admin = guardClient(new pg.Client({ connectionString: server.url }));
      await admin.connect();
      if ((await admin.query(`select 1 from pg_database where datname = $1`, [name])).rowCount === 0) {
        await admin.query(`CREATE DATABASE ${name}`);
        u.pathname = `/${name}`;
        await generateLegacy(u.toString(), { cases });
      }
      await admin.end();
      u.pathname = `/${name}`;
      const c = guardClient(new pg.Client({ connectionString: u.toString() }));
      await c.connect();
      gc();
      const before = process.memoryUsage().heapUsed;
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
      const t0 = Date.now();
      let summary: string;
      if (values.mode === 'memory') {
        const r = await c.query<PatientRecord>(SOURCE);
        const result = dedupPatients(r.rows);
        summary = `${result.pairs.length} pairs graded, ${result.clusters.length} merged groups`;
      } else {
        await c.query('BEGIN');
        const result = await dedupStaged(c, SOURCE, { rejectedPairs: new Set() });
        await c.query('ROLLBACK');
        summary = `${result.grades.certain + result.grades.probable + result.grades.possible} pairs graded, ${result.clusters.length} merged groups`;
      }
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage().heapUsed);
      await c.end();
      console.log(`${cases} cases, ${values.mode}: peak heap +${((peak - before) / 2 ** 20).toFixed(1)} MB over ${(before / 2 ** 20).toFixed(1)} MB, ${((Date.now() - t0) / 1000).toFixed(1)} s; ${summary}`);
    }
  } finally {
    server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
