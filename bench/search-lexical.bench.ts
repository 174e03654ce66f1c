/**
 * The lexical leg's cost: BM25 (search.repository.ts lexicalBm25, the default) side by side with
 * ts_rank (lexical, the baseline), on an ephemeral PostgreSQL started here.
 *
 * Messages are built from the evaluation set's texts (src/ai/eval/search-set.ts), two at random
 * per message, so that words have the frequencies of real notes; they spread over P practices.
 * The queries are the evaluation's, run by a member of one practice as `authenticated` (RLS),
 * one at a time, both methods interleaved (A B A B …) so that machine load hits both alike.
 * Reports p50/p95 per method and their ratio. A measurement, not a test: nothing asserts a timing.
 *
 *   npm run bench:search-lexical                           # 200,000 messages, 20 practices
 *   npm run bench:search-lexical -- --messages 20000 --practices 2
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { startEmbeddedPostgres } from '../scripts/lib/embedded-postgres';
import { SEARCH_DOCS, SEARCH_QUERIES } from '../src/ai/eval/search-set';
import { expandOrtho, orQueryTerms } from '../src/ai/text';
import { createDatabase } from '../src/db/database';
import { migrate } from '../src/db/migrate';
import { addMember, createPatient, createPractice, createProfile } from '../src/repositories/identity.repository';
import { CANDIDATES, lexical, lexicalBm25 } from '../src/repositories/search.repository';

const { values: opt } = parseArgs({
  options: {
    messages: { type: 'string', default: '200000' },
    practices: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '5' },
    'no-write': { type: 'boolean', default: false },
  },
});
const MESSAGES = Number(opt.messages);
const PRACTICES = Number(opt.practices);
const ROUNDS = Number(opt.rounds);
if (![MESSAGES, PRACTICES, ROUNDS].every((n) => Number.isInteger(n) && n > 0)) {
  console.error('--messages, --practices and --rounds must be positive integers');
  process.exit(2);
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mdw-bench-lexical-'));
  const pg = await startEmbeddedPostgres({ dataDir: dir, database: 'mdw_bench_lexical', ephemeral: true });
  const database = createDatabase(pg.url, 2);
  const db = database.system;
  try {
    await migrate(pg.url);
    const members: string[] = [];
    const t0 = performance.now();
    const texts = SEARCH_DOCS.map((d) => d.text);
    for (let p = 0; p < PRACTICES; p++) {
      const practiceId = await createPractice(db, { name: `Lexical bench ${p}` });
      const member = await createProfile(db, { email: `lexical-${p}@bench.mdw`, firstName: 'Bench', lastName: `Doctor ${p}`, role: 'doctor' });
      await addMember(db, practiceId, member, 'doctor');
      const patient = await createPatient(db, { practiceId, email: `lexical-patient-${p}@bench.mdw`, firstName: 'Bench', lastName: `Patient ${p}` });
      const c = await db
        .insertInto('cases')
        .values({ practice_id: practiceId, patient_id: patient.id, case_number: `L-${p}`, title: 'Lexical bench', case_type: 'active_treatment' })
        .returning('id')
        .executeTakeFirstOrThrow();
      members.push(member);
      // The fixture, not what is measured: no queue, audit or FK triggers while loading.
      await db.transaction().execute(async (trx) => {
        await sql`SET LOCAL session_replication_role = replica`.execute(trx);
        await sql`
          INSERT INTO case_messages (case_id, practice_id, sender_id, content)
          SELECT ${c.id}::uuid, ${practiceId}::uuid, ${member}::uuid,
                 (${texts}::text[])[1 + floor(random() * ${texts.length})::int] || ' ' || (${texts}::text[])[1 + floor(random() * ${texts.length})::int]
            FROM generate_series(1, ${Math.floor(MESSAGES / PRACTICES)})`.execute(trx);
      });
    }
    // The replica role skipped the lexical index's sync trigger too (db 0076): its documents, as that
    // trigger gives them (0102: tf inline), and through their own triggers the postings (0160).
    await sql`INSERT INTO search_index.documents (practice_id, kind, id, fts, tf)
      SELECT practice_id, 'message', id, fts, search_index.term_frequencies(fts) FROM case_messages WHERE fts IS NOT NULL ORDER BY practice_id
      ON CONFLICT DO NOTHING`.execute(db);
    await sql`ANALYZE case_messages`.execute(db);
    await sql`ANALYZE search_index.documents`.execute(db);
    await sql`ANALYZE search_index.postings`.execute(db);
    const idx = await sql<{ d: number; p: number }>`SELECT (SELECT count(*) FROM search_index.documents WHERE kind = 'message')::int AS d, (SELECT count(*) FROM search_index.postings WHERE kind = 'message')::int AS p`.execute(db);
    console.log(`lexical index: ${idx.rows[0]!.d.toLocaleString('en')} message documents, ${idx.rows[0]!.p.toLocaleString('en')} postings`);
    console.log(`loaded ${MESSAGES.toLocaleString('en')} messages over ${PRACTICES} practices in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const methods = { 'ts_rank (baseline)': lexical, 'BM25 (default)': lexicalBm25 } as const;
    const times: Record<string, number[]> = Object.fromEntries(Object.keys(methods).map((m) => [m, []]));
    const queries = SEARCH_QUERIES.map((q) => orQueryTerms(expandOrtho(q.q)));
    const member = members[0]!;
    // One warm-up pass of each, then interleaved rounds.
    for (const run of Object.values(methods)) for (const terms of queries) await database.asActor({ sub: member }, (trx) => run(trx, 'message', terms, CANDIDATES));
    for (let r = 0; r < ROUNDS; r++) {
      for (const terms of queries) {
        for (const [name, run] of Object.entries(methods)) {
          const t = performance.now();
          await database.asActor({ sub: member }, (trx) => run(trx, 'message', terms, CANDIDATES));
          times[name]!.push(performance.now() - t);
        }
      }
    }
    const report = Object.fromEntries(Object.entries(times).map(([m, xs]) => [m, { p50: pct(xs, 50), p95: pct(xs, 95), n: xs.length }]));
    for (const [m, r] of Object.entries(report)) console.log(`${m.padEnd(20)} p50 ${r.p50.toFixed(1)} ms  p95 ${r.p95.toFixed(1)} ms  (${r.n} searches)`);
    const base = report['ts_rank (baseline)']!;
    const bm25 = report['BM25 (default)']!;
    const ratio = { p50: bm25.p50 / base.p50, p95: bm25.p95 / base.p95 };
    console.log(`BM25 / ts_rank: p50 ×${ratio.p50.toFixed(2)}, p95 ×${ratio.p95.toFixed(2)}`);
    if (!opt['no-write']) {
      const out = path.resolve(__dirname, 'results', `search-lexical-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
      writeFileSync(out, JSON.stringify({ messages: MESSAGES, practices: PRACTICES, rounds: ROUNDS, queries: queries.length, report, ratio }, null, 2));
      console.log(`wrote ${out}`);
    }
  } finally {
    await database.destroy();
    pg.stop();
    // Its own throwaway cluster (mkdtemp): ~100 MB per run otherwise left in /tmp.
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
