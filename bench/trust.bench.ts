/**
 * Trust benchmark (issue 12): what the audit trigger (0050) and the PHI access log (0051) cost,
 * each side by side with the same work without it, interleaved ABAB in one run on an ephemeral
 * PostgreSQL started here.
 *
 *   (a) bulk writes: batches of case_messages inserted (multi-row INSERT), audit trigger on vs off
 *   (b) single-row writes: UPDATE of one case per transaction (a decision's write), on vs off
 *   (c) a PHI read: one patient read under RLS as a member (asActor), with vs without the
 *       access-log INSERT in the same transaction
 *
 * "off" disables the trigger inside the measured transaction (ALTER TABLE … DISABLE TRIGGER,
 * rolled back with it), so both sides run on the same table, data and connection.
 * A measurement, not a test: nothing here asserts a timing.
 *
 *   npm run bench:trust -- --batches 20 --batch-size 500 --updates 400 --reads 400
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { createDatabase, urlAs, AUTHENTICATOR_ROLE, type Tx } from '../src/db/database';
import { migrate } from '../src/db/migrate';
import { addMember, createPatient, createPractice, createProfile } from '../src/repositories/identity.repository';
import { recordPhiAccess } from '../src/repositories/phi-access.repository';
import { startEmbeddedPostgres } from '../scripts/lib/embedded-postgres';

const { values: opt } = parseArgs({
  options: {
    batches: { type: 'string', default: '20' },
    'batch-size': { type: 'string', default: '500' },
    updates: { type: 'string', default: '400' },
    reads: { type: 'string', default: '400' },
  },
});
const n = (k: keyof typeof opt) => {
  const v = Number(opt[k]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${k} must be a positive integer`);
  return v;
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mdw-trust-bench-'));
  const pg = await startEmbeddedPostgres({ dataDir: dir, database: 'mdw_trust_bench', ephemeral: true });
  const database = createDatabase(pg.url, 4, { authenticatorUrl: urlAs(pg.url, AUTHENTICATOR_ROLE) });
  try {
    await migrate(pg.url);
    const db = database.system;
    const practiceId = await createPractice(db, { name: 'Bench practice' });
    const doctor = await createProfile(db, { email: 'bench-doctor@bench.mdw', firstName: 'Bench', lastName: 'Doctor', role: 'doctor' });
    await addMember(db, practiceId, doctor, 'doctor');
    const patient = await createPatient(db, { practiceId, email: 'bench-patient@bench.mdw', firstName: 'Bench', lastName: 'Patient' });
    const caseId = (
      await db
        .insertInto('cases')
        .values({ practice_id: practiceId, patient_id: patient.id, case_number: 'C-BENCH', title: 'Bench case', case_type: 'active_treatment' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;

    // The audit's triggers per table: one row-level trigger (0050), or three statement-level
    // ones (0027: insert, update, delete). Looked up before anything is timed.
    const auditTriggers = new Map<string, string[]>();
    for (const table of ['case_messages', 'cases']) {
      const r = await sql<{ tgname: string }>`select tgname from pg_trigger where tgrelid = ${table}::regclass and tgname like 'audit_row_change%' order by 1`.execute(db);
      auditTriggers.set(table, r.rows.map((x) => x.tgname));
    }
    const setAudit = async (trx: Tx, table: string, on: boolean) => {
      for (const name of auditTriggers.get(table)!) await sql`ALTER TABLE ${sql.table(table)} ${sql.raw(on ? 'ENABLE' : 'DISABLE')} TRIGGER ${sql.ref(name)}`.execute(trx);
    };
    const withTrigger = async (table: string, on: boolean, fn: (trx: Tx) => Promise<void>) => {
      const t0 = performance.now();
      await db.transaction().execute(async (trx) => {
        if (!on) await setAudit(trx, table, false);
        await fn(trx);
        if (!on) await setAudit(trx, table, true);
      });
      return performance.now() - t0;
    };

    // (a) bulk writes
    const size = n('batch-size');
    const bulk = { on: [] as number[], off: [] as number[] };
    for (let i = 0; i < n('batches') * 2 + 2; i++) {
      const on = i % 2 === 0;
      const rows = Array.from({ length: size }, (_, k) => ({ case_id: caseId, practice_id: practiceId, sender_id: doctor, content: `Bench message ${i}/${k}: the lower arch needs another refinement.`, message_type: 'general' as const }));
      const ms = await withTrigger('case_messages', on, async (trx) => {
        await trx.insertInto('case_messages').values(rows).execute();
      });
      if (i >= 2) (on ? bulk.on : bulk.off).push(ms); // the first pair warms up
    }

    // (b) single-row writes
    const upd = { on: [] as number[], off: [] as number[] };
    for (let i = 0; i < n('updates') * 2 + 20; i++) {
      const on = i % 2 === 0;
      const ms = await withTrigger('cases', on, async (trx) => {
        await trx.updateTable('cases').set({ title: `Bench case ${i}` }).where('id', '=', caseId).execute();
      });
      if (i >= 20) (on ? upd.on : upd.off).push(ms);
    }
    // The DDL of the "off" side costs both sides the same only if "on" also runs it: measure it.
    const ddl: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      await db.transaction().execute(async (trx) => {
        await setAudit(trx, 'cases', false);
        await setAudit(trx, 'cases', true);
      });
      ddl.push(performance.now() - t0);
    }

    // (c) PHI read with and without its access-log entry
    const read = { with: [] as number[], without: [] as number[] };
    for (let i = 0; i < n('reads') * 2 + 20; i++) {
      const log = i % 2 === 0;
      const t0 = performance.now();
      await database.asActor({ sub: doctor }, async (trx) => {
        const p = await trx.selectFrom('patients as pt').innerJoin('profiles as p', 'p.id', 'pt.profile_id').select(['pt.id', 'p.first_name', 'p.last_name', 'pt.date_of_birth']).where('pt.id', '=', patient.id).executeTakeFirstOrThrow();
        if (log) await recordPhiAccess(trx, [p.id], { route: 'GET /patients/{id}', resource: 'patient', resourceId: p.id });
      });
      const ms = performance.now() - t0;
      if (i >= 20) (log ? read.with : read.without).push(ms);
    }

    const ddlMedian = median(ddl);
    const report = {
      bulkInsert: {
        rowsPerBatch: size,
        batches: bulk.on.length,
        auditOnRowsPerSec: Math.round((size * bulk.on.length) / (sum(bulk.on) / 1000)),
        auditOffRowsPerSec: Math.round((size * bulk.off.length) / (sum(bulk.off) / 1000)),
        costRatio: +(sum(bulk.on) / sum(bulk.off)).toFixed(2),
      },
      singleRowUpdate: {
        samples: upd.on.length,
        auditOnMedianMs: +median(upd.on).toFixed(3),
        auditOffMedianMs: +median(upd.off).toFixed(3),
        offSideDdlMedianMs: +ddlMedian.toFixed(3),
        costRatioDdlCorrected: +(median(upd.on) / Math.max(median(upd.off) - ddlMedian, 0.001)).toFixed(2),
      },
      phiRead: {
        samples: read.with.length,
        withLogMedianMs: +median(read.with).toFixed(3),
        withoutLogMedianMs: +median(read.without).toFixed(3),
        withLogP95Ms: +p95(read.with).toFixed(3),
        withoutLogP95Ms: +p95(read.without).toFixed(3),
        costRatio: +(median(read.with) / median(read.without)).toFixed(2),
      },
    };
    console.log(JSON.stringify(report, null, 2));
  } finally {
    await database.destroy();
    pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
