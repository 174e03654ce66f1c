/**
 * What keeping search_index.postings (db 0160/0161) costs the writers of texts: backend CPU per
 * message written with the postings' triggers on search_index.documents ("with") and without them
 * ("without": dropped, as on main), alternated round by round in one run so that the machine's
 * load hits both alike.
 * Four writes, each as the application makes them:
 *   insert1  one message per INSERT statement and transaction (the API's POST of a message)
 *   insertN  --batch messages in one INSERT (a bulk writer: the legacy migration, an import)
 *   edit1    one message's text changed per UPDATE (the source's row trigger rewrites its document)
 *   delete   the batch's messages in one DELETE, the single ones one by one
 * Every message goes through the source table's sync triggers (0076/0102) into documents, and with
 * the triggers on, into postings, in the same transaction.
 *
 * Its own scratch cluster (`--dir`, created on first use and kept), a database migrated by this
 * checkout (`--db`), one new practice, patient and case; texts are bench:search's realistic
 * messages. Or, with `--practice`, a copy of a bench fixture (`--dir <copy> --db mdw_search_bench`,
 * migrated: this migrates it) and one of its practices (its first member and case), so that the
 * postings are written into a full-size partition (the messages written are deleted again).
 *
 *   nice -n 5 npx tsx bench/search-postings-write.ts [--dir /tmp/<you>-postings-pg] [--db mdw_postings]
 *       [--texts 200] [--batch 500] [--rounds 4] [--practice ID] [--stop]
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startEmbeddedPostgres } from '../scripts/lib/embedded-postgres';
import { guardClient } from '../src/db/connection-errors';
import { createDatabase } from '../src/db/database';
import { migrate } from '../src/db/migrate';
import { addMember, createPatient, createPractice, createProfile } from '../src/repositories/identity.repository';
import { realisticMessage } from './realistic-messages';
import { schedCpuMs } from './search-fixture-dir';

const { values: opt } = parseArgs({
  options: {
    dir: { type: 'string', default: path.join(os.tmpdir(), `mdw-postings-pg-${process.getuid?.() ?? 'u'}`) },
    db: { type: 'string', default: 'mdw_postings' },
    texts: { type: 'string', default: '200' },
    batch: { type: 'string', default: '500' },
    rounds: { type: 'string', default: '4' },
    practice: { type: 'string' },
    stop: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opt.help) {
  console.log('nice -n 5 npx tsx bench/search-postings-write.ts [--dir D] [--db NAME] [--texts 200] [--batch 500] [--rounds 4] [--practice ID] [--stop]');
  process.exit(0);
}
const positive = (name: string, v: string | undefined) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a positive integer (got ${v})`);
    process.exit(2);
  }
  return n;
};
const TEXTS = positive('texts', opt.texts);
const BATCH = positive('batch', opt.batch);
const ROUNDS = positive('rounds', opt.rounds);
if (!/^[a-z_][a-z0-9_]*$/.test(opt.db!)) {
  console.error(`--db must be a lower-case identifier (got ${opt.db})`);
  process.exit(2);
}

const MODES = ['without', 'with'] as const;
const STEPS = ['insert1', 'insertN', 'edit1', 'delete'] as const;
type Mode = (typeof MODES)[number];
type Step = (typeof STEPS)[number];
const TRIGGERS = ['postings_insert', 'postings_update', 'postings_delete', 'postings_truncate'];

async function main() {
  const pgs = await startEmbeddedPostgres({ dataDir: opt.dir!, database: opt.db!, ephemeral: true });
  try {
    await migrate(pgs.url);
    const database = createDatabase(pgs.url, 1);
    const db = database.system;
    let practiceId: string;
    let member: string;
    let kase: { id: string };
    if (opt.practice) {
      // An existing practice of a bench fixture: its postings' partition and key are full size.
      practiceId = opt.practice;
      const m = await db.selectFrom('practice_members').select('profile_id').where('practice_id', '=', practiceId).executeTakeFirst();
      const k = await db.selectFrom('cases').select('id').where('practice_id', '=', practiceId).executeTakeFirst();
      if (!m || !k) throw new Error(`practice ${practiceId} has no member or no case in ${opt.dir}`);
      member = m.profile_id;
      kase = k;
    } else {
      const tag = `${Date.now().toString(36)}-${process.pid}`;
      practiceId = await createPractice(db, { name: `Postings practice ${tag}` });
      member = await createProfile(db, { email: `postings-doctor-${tag}@bench.mdw`, firstName: 'Postings', lastName: 'Doctor', role: 'doctor' });
      await addMember(db, practiceId, member, 'doctor');
      const patient = await createPatient(db, { practiceId, email: `postings-patient-${tag}@bench.mdw`, firstName: 'Postings', lastName: 'Patient' });
      kase = await db
        .insertInto('cases')
        .values({ practice_id: practiceId, patient_id: patient.id, case_number: `W-${tag}`, title: 'Postings case', case_type: 'active_treatment' })
        .returning('id')
        .executeTakeFirstOrThrow();
    }
    await database.destroy();

    const c = guardClient(new pg.Client({ connectionString: pgs.url }));
    await c.connect();
    const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const ms: Record<Mode, Record<Step, number>> = { without: { insert1: 0, insertN: 0, edit1: 0, delete: 0 }, with: { insert1: 0, insertN: 0, edit1: 0, delete: 0 } };
    const counts: Record<Step, number> = { insert1: TEXTS, insertN: BATCH, edit1: TEXTS, delete: TEXTS + BATCH };
    let j = 0;
    const text = () => realisticMessage(j++);
    let postingsWritten = 0;
    const written: string[] = [];
    // "without" drops the triggers rather than disabling them: a disabled trigger with transition
    // tables still has the executor collect them, which main does not pay.
    const defs = (
      await c.query<{ name: string; def: string }>(
        `SELECT tgname AS name, pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE tgrelid = 'search_index.documents'::regclass AND tgname = ANY ($1)`,
        [TRIGGERS],
      )
    ).rows;
    if (defs.length !== TRIGGERS.length) throw new Error(`search_index.documents has ${defs.length} of the postings' ${TRIGGERS.length} triggers`);
    const setTriggers = async (on: boolean) => {
      for (const t of defs) {
        await c.query(`DROP TRIGGER IF EXISTS ${t.name} ON search_index.documents`);
        if (on) await c.query(t.def);
      }
    };
    for (let r = 0; r < ROUNDS + 1; r++) {
      for (const mode of r % 2 ? MODES : [...MODES].reverse()) {
        await setTriggers(mode === 'with');
        const measure = async (step: Step, fn: () => Promise<void>) => {
          const a = schedCpuMs(pid);
          await fn();
          // Round 0 warms caches and plans, and is not counted.
          if (r > 0) ms[mode][step] += schedCpuMs(pid) - a;
        };
        const single: string[] = [];
        await measure('insert1', async () => {
          for (let i = 0; i < TEXTS; i++) {
            const m = text();
            const row = await c.query<{ id: string }>(
              'INSERT INTO case_messages (case_id, practice_id, sender_id, subject, content) VALUES ($1, $2, $3, $4, $5) RETURNING id',
              [kase.id, practiceId, member, m.subject, m.content],
            );
            single.push(row.rows[0]!.id);
            written.push(row.rows[0]!.id);
          }
        });
        const many = Array.from({ length: BATCH }, text);
        let batchIds: string[] = [];
        await measure('insertN', async () => {
          const row = await c.query<{ id: string }>(
            `INSERT INTO case_messages (case_id, practice_id, sender_id, subject, content)
             SELECT $1, $2, $3, s, t FROM unnest($4::text[], $5::text[]) u(s, t) RETURNING id`,
            [kase.id, practiceId, member, many.map((m) => m.subject), many.map((m) => m.content)],
          );
          batchIds = row.rows.map((x) => x.id);
          written.push(...batchIds);
        });
        await measure('edit1', async () => {
          for (const id of single) await c.query('UPDATE case_messages SET content = $2 WHERE id = $1', [id, text().content]);
        });
        if (mode === 'with') {
          const n = await c.query<{ n: string }>(`SELECT count(*) AS n FROM search_index.postings WHERE practice_id = $1 AND kind = 'message' AND id = ANY ($2::uuid[])`, [
            practiceId,
            [...single, ...batchIds],
          ]);
          postingsWritten = Number(n.rows[0]!.n);
        }
        await measure('delete', async () => {
          await c.query('DELETE FROM case_messages WHERE id = ANY ($1::uuid[])', [batchIds]);
          for (const id of single) await c.query('DELETE FROM case_messages WHERE id = $1', [id]);
        });
      }
    }
    await setTriggers(true);
    const left = await c.query<{ n: string }>(`SELECT count(*) AS n FROM search_index.postings WHERE practice_id = $1 AND kind = 'message' AND id = ANY ($2::uuid[])`, [practiceId, written]);
    await c.end();
    const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
    console.log(`backend CPU ms per message, ${ROUNDS} rounds x (${TEXTS} single, ${BATCH} batched); load average ${load}`);
    console.log(`postings per round with the triggers: ${postingsWritten} for ${TEXTS + BATCH} messages; left after the deletes: ${left.rows[0]!.n}`);
    console.log('step      without   with    +ms     ratio');
    for (const s of STEPS) {
      const a = ms.without[s] / (ROUNDS * counts[s]);
      const b = ms.with[s] / (ROUNDS * counts[s]);
      console.log(`${s.padEnd(8)} ${a.toFixed(3).padStart(8)} ${b.toFixed(3).padStart(7)} ${(b - a).toFixed(3).padStart(7)} ${(b / a).toFixed(3).padStart(8)}`);
    }
  } finally {
    if (opt.stop) pgs.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
