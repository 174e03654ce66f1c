/**
 * The word distribution of a bench:search fixture (bench/SEARCH.md compares the eval31 and the
 * realistic fixture by it): per practice, its texts' distinct words (lexemes, as the lexical index
 * stores them) and how many are in ≥ 10 % / ≥ 1 % / exactly one of its texts; per evaluation query
 * (expanded as GET /search expands it), the share of the practice's texts matching any of its words
 * (what BM25 over every match scores, db 0077) and any of its selective words (under 10 % of the
 * practice's texts, counted exactly here: what the common-terms ranking of db 0084 scores).
 */
import { sql, type Kysely } from 'kysely';
import { SEARCH_QUERIES } from '../src/ai/eval/search-set';
import { expandOrtho, orQueryTerms } from '../src/ai/text';
import type { DB } from '../src/db/schema.generated';

export interface FixtureStats {
  practices: number;
  textsPerPractice: number;
  distinctWordsPerPractice: number;
  /** Without the lexemes that contain a digit (eval31's "(note j)" numbers, dates, tooth numbers, references). */
  distinctWordsWithoutDigitsPerPractice: number;
  wordsInAtLeast10PctOfTexts: number;
  wordsInAtLeast1PctOfTexts: number;
  wordsInOneText: number;
  /** Distinct lexemes per text (BM25's dl). */
  wordsPerText: number;
  /** Over every evaluation query × practice. */
  queryMatchShare: { mean: number; p50: number; p95: number; max: number };
  querySelectiveMatchShare: { mean: number; p50: number; p95: number; max: number };
}

const COMMON = 0.1;

export async function fixtureStats(db: Kysely<DB>, practices: readonly string[]): Promise<FixtureStats> {
  const per: { n: number; dl: number; distinct: number; alpha: number; ge10: number; ge1: number; once: number }[] = [];
  const all: number[] = [];
  const selective: number[] = [];
  const queries = await Promise.all(
    SEARCH_QUERIES.map(async ({ q }) => {
      const text = orQueryTerms(expandOrtho(q)).join(' ');
      const r = await sql<{ l: string[] }>`SELECT ARRAY(SELECT w.lexeme FROM unnest(to_tsvector('english', ${text})) w) AS l`.execute(db);
      return r.rows[0]!.l;
    }),
  );
  for (const practice of practices) {
    const dfRows = await sql<{ w: string; df: number }>`SELECT w, count(*)::int AS df FROM search_index.documents d, unnest(tsvector_to_array(d.fts)) w
      WHERE d.practice_id = ${practice}::uuid AND d.kind = 'message' GROUP BY w`.execute(db);
    const { n, dl } = (
      await sql<{ n: number; dl: number }>`SELECT count(*)::int AS n, avg(length(fts))::float8 AS dl FROM search_index.documents WHERE practice_id = ${practice}::uuid AND kind = 'message'`.execute(db)
    ).rows[0]!;
    const df = new Map(dfRows.rows.map((r) => [r.w, r.df]));
    per.push({
      n,
      dl,
      distinct: df.size,
      alpha: dfRows.rows.filter((r) => !/\d/.test(r.w)).length,
      ge10: dfRows.rows.filter((r) => r.df >= COMMON * n).length,
      ge1: dfRows.rows.filter((r) => r.df >= 0.01 * n).length,
      once: dfRows.rows.filter((r) => r.df === 1).length,
    });
    const tsq = (ls: readonly string[]) => (ls.length ? ls.map((l) => `'${l.replace(/'/g, "''")}'`).join(' | ') : null);
    const counts = await sql<{ a: number; s: number }>`SELECT ${sql.join(
      queries.map((ls, i) => {
        const sel = ls.filter((l) => (df.get(l) ?? 0) < COMMON * n);
        return sql`count(*) FILTER (WHERE d.fts @@ ${tsq(ls)}::tsquery)::int AS ${sql.ref(`a${i}`)}, count(*) FILTER (WHERE d.fts @@ ${tsq(sel)}::tsquery)::int AS ${sql.ref(`s${i}`)}`;
      }),
    )} FROM search_index.documents d WHERE d.practice_id = ${practice}::uuid AND d.kind = 'message'`.execute(db);
    const row = counts.rows[0] as unknown as Record<string, number>;
    queries.forEach((_, i) => {
      all.push(row[`a${i}`]! / n);
      selective.push(row[`s${i}`]! / n);
    });
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const r3 = (x: number) => Number(x.toFixed(3));
  const dist = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const at = (q: number) => s[Math.min(s.length - 1, Math.floor(s.length * q))]!;
    return { mean: r3(mean(s)), p50: r3(at(0.5)), p95: r3(at(0.95)), max: r3(s[s.length - 1]!) };
  };
  return {
    practices: practices.length,
    textsPerPractice: Math.round(mean(per.map((p) => p.n))),
    distinctWordsPerPractice: Math.round(mean(per.map((p) => p.distinct))),
    distinctWordsWithoutDigitsPerPractice: Math.round(mean(per.map((p) => p.alpha))),
    wordsInAtLeast10PctOfTexts: Math.round(mean(per.map((p) => p.ge10))),
    wordsInAtLeast1PctOfTexts: Math.round(mean(per.map((p) => p.ge1))),
    wordsInOneText: Math.round(mean(per.map((p) => p.once))),
    wordsPerText: Number(mean(per.map((p) => p.dl)).toFixed(1)),
    queryMatchShare: dist(all),
    querySelectiveMatchShare: dist(selective),
  };
}
