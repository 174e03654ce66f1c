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
import { K, ndcg, storeLabelledSet } from '../src/ai/eval/labelled-practice';
import { ALL_QUERIES, relevance, SEARCH_DOCS } from '../src/ai/eval/search-set';
import { expandOrtho, orQueryTerms, type TextKind } from '../src/ai/text';
import { createDatabase, type Tx } from '../src/db/database';
import { migrate } from '../src/db/migrate';
import { CANDIDATES, lexicalBm25, lexicalBm25Exact } from '../src/repositories/search.repository';

const { values: opt } = parseArgs({ options: { common: { type: 'string', default: '0.1' } } });
const COMMON = Number(opt.common);
if (!(COMMON > 0 && COMMON < 1)) {
  console.error(`--common must be a fraction between 0 and 1 (got ${opt.common})`);
  process.exit(2);
}
const KINDS: readonly TextKind[] = ['case', 'message'];

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mdw-common-terms-'));
  const pg = await startEmbeddedPostgres({ dataDir: dir, database: 'mdw_common_terms', ephemeral: true });
  const database = createDatabase(pg.url, 2);
  const db = database.system;
  try {
    await migrate(pg.url);
    const { practiceId, keyOf } = await storeLabelledSet(db, 'common-terms');
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
