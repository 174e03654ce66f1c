/**
 * Does ranking by common terms (db 0084) cost the lexical leg quality? The labelled set of
 * `npm run eval:search` (src/ai/eval/search-set.ts) is one practice of 155 texts, below the
 * 2,000 texts from which production uses common terms, so the evaluation itself always measures
 * BM25 over every match. Here the same texts and queries are ranked both ways, the common-terms
 * path forced for the small practice (setting mdw.search_common_min_texts = 0; a word is common
 * from `--common` of the texts, default 10 % as in production): nDCG@10 and recall@10 of the lexical
 * leg alone, and how often the two first pages agree. On an ephemeral PostgreSQL; no model.
 *
 *   npm run bench:search-common-terms -- [--common 0.1]
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { startEmbeddedPostgres } from '../scripts/lib/embedded-postgres';
import { ALL_QUERIES, relevance, SEARCH_DOCS } from '../src/ai/eval/search-set';
import { expandOrtho, orQueryTerms, type TextKind } from '../src/ai/text';
import { createDatabase, type Tx } from '../src/db/database';
import { migrate } from '../src/db/migrate';
import { createPatient, createPractice, createProfile } from '../src/repositories/identity.repository';
import { CANDIDATES, lexicalBm25, lexicalBm25Exact } from '../src/repositories/search.repository';

const { values: opt } = parseArgs({ options: { common: { type: 'string', default: '0.1' } } });
const COMMON = Number(opt.common);
if (!(COMMON > 0 && COMMON < 1)) {
  console.error(`--common must be a fraction between 0 and 1 (got ${opt.common})`);
  process.exit(2);
}
const K = 10;
const KINDS: readonly TextKind[] = ['case', 'message'];

function ndcg(grades: number[], ideal: number[]): number {
  const dcg = (g: number[]) => g.slice(0, K).reduce((s, r, i) => s + (2 ** r - 1) / Math.log2(i + 2), 0);
  const best = dcg([...ideal].sort((a, b) => b - a));
  return best === 0 ? 0 : dcg(grades) / best;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mdw-common-terms-'));
  const pg = await startEmbeddedPostgres({ dataDir: dir, database: 'mdw_common_terms', ephemeral: true });
  const database = createDatabase(pg.url, 2);
  const db = database.system;
  try {
    await migrate(pg.url);
    // The texts as eval:search stores them: cases with their description, messages in one thread.
    const practiceId = await createPractice(db, { name: 'Common terms practice' });
    const sender = await createProfile(db, { email: 'common-terms@eval.mdw', firstName: 'Eval', lastName: 'Doctor', role: 'doctor' });
    const patient = await createPatient(db, { practiceId, email: 'common-terms-patient@eval.mdw', firstName: 'Eval', lastName: 'Patient' });
    const host = await db
      .insertInto('cases')
      .values({ practice_id: practiceId, patient_id: patient.id, case_number: 'HOST', title: 'Message thread', case_type: 'active_treatment' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const keyOf = new Map<string, string>();
    let n = 0;
    for (const d of SEARCH_DOCS) {
      const id =
        d.kind === 'case'
          ? (
              await db
                .insertInto('cases')
                .values({ practice_id: practiceId, patient_id: patient.id, case_number: `E${++n}`, title: d.title ?? d.text.slice(0, 40), description: d.text, case_type: 'active_treatment' })
                .returning('id')
                .executeTakeFirstOrThrow()
            ).id
          : (await db.insertInto('case_messages').values({ case_id: host.id, practice_id: practiceId, sender_id: sender, content: d.text }).returning('id').executeTakeFirstOrThrow()).id;
      keyOf.set(id, d.key);
    }
    // The statistics the common-terms path reads (autovacuum gathers them in production).
    await sql`ANALYZE search_index.documents`.execute(db);
    const docByKey = new Map(SEARCH_DOCS.map((d) => [d.key, d]));

    const rank = (leg: typeof lexicalBm25, terms: string[]) =>
      db.transaction().execute(async (trx: Tx) => {
        await sql`SELECT set_config('mdw.search_common_min_texts', '0', true), set_config('mdw.search_common_freq', ${String(COMMON)}, true)`.execute(trx);
        const all: { id: string; rank: number }[] = [];
        for (const kind of KINDS) all.push(...(await leg(trx, kind, terms, CANDIDATES, practiceId)));
        return all.sort((x, y) => y.rank - x.rank).slice(0, K);
      });

    const sums = { exact: { ndcg: 0, recall: 0 }, common: { ndcg: 0, recall: 0 } };
    let same = 0;
    let overlap = 0;
    for (const { q } of ALL_QUERIES) {
      const terms = orQueryTerms(expandOrtho(q.q));
      const ideal = SEARCH_DOCS.map((d) => relevance(q, d)).filter((g) => g > 0);
      const pages = { exact: await rank(lexicalBm25Exact, terms), common: await rank(lexicalBm25, terms) };
      for (const m of ['exact', 'common'] as const) {
        const grades = pages[m].map((h) => relevance(q, docByKey.get(keyOf.get(h.id)!)!));
        sums[m].ndcg += ndcg(grades, ideal);
        sums[m].recall += grades.filter((g) => g > 0).length / Math.min(K, ideal.length);
      }
      const top = new Set(pages.exact.map((h) => h.id));
      overlap += pages.exact.length ? pages.common.filter((h) => top.has(h.id)).length / pages.exact.length : 1;
      if (pages.exact.map((h) => h.id).join() === pages.common.map((h) => h.id).join()) same++;
    }
    const nq = ALL_QUERIES.length;
    console.log(`${SEARCH_DOCS.length} texts, ${nq} queries, a word common from ${(COMMON * 100).toFixed(1)} % of the texts; lexical leg alone:`);
    console.table({
      'BM25 over every match (0077)': { ndcg10: Number((sums.exact.ndcg / nq).toFixed(3)), recall10: Number((sums.exact.recall / nq).toFixed(3)) },
      'BM25 by common terms (0084)': { ndcg10: Number((sums.common.ndcg / nq).toFixed(3)), recall10: Number((sums.common.recall / nq).toFixed(3)) },
    });
    console.log(`first pages identical for ${same} of ${nq} queries; mean overlap@10 ${(overlap / nq).toFixed(3)}`);
  } finally {
    await database.destroy();
    pg.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
