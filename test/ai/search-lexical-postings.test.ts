/**
 * db 0164: the lexical leg's common-terms ranking reads search_index.postings (0160) instead of the
 * documents' heap and jsonb tf. It must give what 0133's ranking gave, bit for bit: the same ids in
 * the same order with the same float8 ranks, for every lexeme count (1–16: the tfs are packed 7
 * lexemes to a bigint, so 8 and 15 lexemes start a new word), common and selective words mixed, a
 * tf at the tsvector's limit, and the fallbacks (no selective word, no candidate).
 *
 * 0133's search_lexical() is installed for this file under another name (its migration's text,
 * renamed) and both are called in the same transaction as a member of the practice. The
 * common-terms path needs a practice with statistics: `mdw.search_common_min_texts` is lowered for
 * these transactions and the common-word threshold set between this file's words' frequencies in
 * the practice's partition (other test files write into the same partitions).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { AUTHENTICATOR_ROLE, createDatabase, urlAs, type Database, type Tx } from '../../src/db/database';
import { testEnv } from '../support/env';
import { createPracticeFixture, type PracticeFixture } from '../support/fixtures';

let database: Database;
let a: PracticeFixture;
/** Words no other test writes; letters and a trailing digit are one token the stemmer leaves alone. */
const tag = randomUUID().replace(/[^a-f]/g, '').slice(0, 8);
const w = (name: string) => `zp${tag}${name}9`;
const COMMON = ['ca', 'cb', 'cc'].map(w);
const SELECTIVE = Array.from({ length: 14 }, (_, j) => w(`s${String.fromCharCode(97 + j)}`));
const [CA, CB, CC] = COMMON as [string, string, string];
const S = SELECTIVE;
const TEXTS = 400;
/** The text whose selective word is repeated past the tsvector's limit on positions. */
const MAXED = 7;
const OLD = `search_lexical_0133_${tag}`;
let threshold = '0.1';
/** The texts with each word, by content. */
let texts: { id: string; content: string }[] = [];

const pruned = (trx: Tx) => sql`SELECT set_config('mdw.search_common_min_texts', '50', true), set_config('mdw.search_common_freq', ${threshold}, true)`.execute(trx);

function text(i: number): string {
  const words = [CA, ...(i % 3 === 0 ? [CA, CA] : []), ...(i % 5 !== 0 ? [CB] : []), ...(i % 2 === 0 ? [CC, ...(i % 4 === 0 ? [CC] : [])] : [])];
  SELECTIVE.forEach((s, j) => {
    if ((i + 3 * j) % (11 + j) === 0) words.push(...Array.from({ length: 1 + ((i + j) % 4) }, () => s));
  });
  if (i === MAXED) words.push(...Array.from({ length: 300 }, () => S[6]!));
  words.push(...Array.from({ length: 2 + (i % 11) }, (_, k) => `filler${(i + k) % 29}`));
  return words.join(' ');
}

/** The partition's statistics rows, as a version stamp: ANALYZE (autovacuum's too) replaces them. */
async function statsVersion(): Promise<string> {
  const r = await sql<{ v: string }>`
    SELECT string_agg(s.staattnum || ':' || s.xmin::text, ',' ORDER BY s.staattnum) AS v FROM pg_statistic s
     WHERE s.starelid = (SELECT d.tableoid FROM search_index.documents d WHERE d.practice_id = ${a.practiceId}::uuid LIMIT 1)`.execute(database.system);
  return r.rows[0]?.v ?? '';
}

beforeAll(async () => {
  const env = testEnv();
  database = createDatabase(env.databaseUrl, 2, { authenticatorUrl: urlAs(env.databaseUrl, AUTHENTICATOR_ROLE) });
  a = await createPracticeFixture(database.system);
  const kase = await database.system
    .insertInto('cases')
    .values({ practice_id: a.practiceId, patient_id: a.patientId, case_number: `P-${randomUUID().slice(0, 8)}`, title: 'Thread', case_type: 'active_treatment' })
    .returning('id')
    .executeTakeFirstOrThrow();
  texts = await database.system
    .insertInto('case_messages')
    .values(Array.from({ length: TEXTS }, (_, i) => ({ case_id: kase.id, practice_id: a.practiceId, sender_id: a.members.doctor, content: text(i) })))
    .returning(['id', 'content'])
    .execute();
  await sql`ANALYZE search_index.documents`.execute(database.system);
  // "Common" between the least frequent common word and the most frequent selective one in the
  // practice's partition (a word missing from the statistics' list is rarer than all of it).
  const f = await sql<{ lexeme: string; freq: number }>`
    SELECT u.e AS lexeme, u.f AS freq FROM pg_stats s, unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS u(e, f)
     WHERE s.schemaname = 'search_index' AND s.attname = 'fts' AND u.e = ANY (${[...COMMON, ...SELECTIVE]}::text[])
       AND s.tablename = (SELECT c.relname FROM pg_class c WHERE c.oid = (SELECT d.tableoid FROM search_index.documents d WHERE d.practice_id = ${a.practiceId}::uuid LIMIT 1))`.execute(database.system);
  const freq = new Map(f.rows.map((r) => [r.lexeme, Number(r.freq)]));
  const leastCommon = Math.min(...COMMON.map((c) => freq.get(c) ?? 0));
  const mostSelective = Math.max(...SELECTIVE.map((s) => freq.get(s) ?? 0));
  expect(leastCommon).toBeGreaterThan(mostSelective);
  threshold = String((leastCommon + mostSelective) / 2);
  // 0133's function under another name, beside 0164's.
  const old = readFileSync(path.join(__dirname, '..', '..', 'db', 'migrations', '0133_search_lexical_fewer_statements.sql'), 'utf8');
  await sql.raw(old.replaceAll('public.search_lexical(', `public.${OLD}(`)).execute(database.system);
});
afterAll(async () => {
  await sql.raw(`DROP FUNCTION IF EXISTS public.${OLD}(text, text[], uuid[], integer, text, double precision, double precision)`).execute(database.system);
  await database.destroy();
});

type Row = { id: string; rank: string };

/** Both rankings of the same words in one transaction as A's member; again if ANALYZE ran in between. */
async function both(terms: string[], limit: number): Promise<{ now: Row[]; before: Row[] }> {
  for (let tries = 0; ; tries++) {
    const version = await statsVersion();
    const result = await database.asActor({ sub: a.members.doctor }, async (trx) => {
      await pruned(trx);
      const run = async (fn: string) =>
        (await sql<Row>`SELECT id, rank::text AS rank FROM ${sql.raw(`public.${fn}`)}('message', ${terms}::text[], ${[a.practiceId]}::uuid[], ${limit}::int, 'bm25', 1.2, 0.75)`.execute(trx)).rows;
      return { now: await run('search_lexical'), before: await run(OLD) };
    });
    if ((await statsVersion()) === version || tries >= 3) return result;
  }
}

/** A's texts containing any of the words. */
const containing = (words: string[]) => texts.filter((t) => words.some((x) => t.content.split(' ').includes(x))).map((t) => t.id);

test('the ranking from the postings gives 0133’s ids, order and float8 ranks for 1 to 16 lexemes, common and selective words mixed', async () => {
  const queries: string[][] = [
    [S[0]!],
    [CA, S[1]!],
    [CA, CB, CC, S[2]!, S[3]!],
    [CA, CB, S[0]!, S[1]!, S[2]!, S[3]!, S[6]!],
    [CA, CB, CC, S[0]!, S[1]!, S[2]!, S[4]!, S[6]!],
    [CA, CB, CC, ...S.slice(0, 11)],
    [CA, CB, CC, ...S.slice(0, 12)],
    [CA, CB, CC, ...S.slice(0, 13)],
    [...S.slice(0, 14), CA, CC],
  ];
  for (const terms of queries) {
    expect(new Set(terms).size).toBe(terms.length);
    for (const limit of [35, 1000]) {
      const { now, before } = await both(terms, limit);
      expect({ terms, limit, rows: now }).toEqual({ terms, limit, rows: before });
    }
    // Not vacuous: the common-terms path ran (the exact ranking would return every text with a
    // common word, i.e. all of A's), and it ranked the texts with a selective word, each scored.
    const { now } = await both(terms, 1000);
    const candidates = containing(terms.filter((t) => !COMMON.includes(t)));
    expect(now.length).toBeGreaterThan(0);
    expect(new Set(now.map((r) => r.id))).toEqual(new Set(candidates));
    if (terms.some((t) => COMMON.includes(t))) expect(now.length).toBeLessThan(TEXTS);
    expect(now.every((r) => Number(r.rank) > 0)).toBe(true);
  }
});

test('a tf at the tsvector’s limit (255 positions) is packed and scored as 0133 read it from jsonb', async () => {
  const maxed = texts[MAXED]!.id;
  const tf = await sql<{ tf: number }>`SELECT tf FROM search_index.postings WHERE practice_id = ${a.practiceId}::uuid AND kind = 'message' AND lexeme = ${S[6]!} AND id = ${maxed}::uuid`.execute(
    database.system,
  );
  expect(tf.rows[0]!.tf).toBeGreaterThanOrEqual(255);
  // As the 7th lexeme of a 7-lexeme query its field is the word's top one (bits 54–62).
  const terms = [CA, CB, S[0]!, S[1]!, S[2]!, S[3]!, S[6]!];
  const { now, before } = await both(terms, 1000);
  expect(now).toEqual(before);
  expect(now.map((r) => r.id)).toContain(maxed);
});

test('no selective word, or none with a text: both fall back to the exact ranking alike', async () => {
  for (const terms of [[CA, CB], [CA, w('nowhere')], [CC, w('nowhere'), w('nothere')]]) {
    const { now, before } = await both(terms, 1000);
    expect({ terms, rows: now }).toEqual({ terms, rows: before });
    expect(now.length).toBeGreaterThan(0);
  }
  // Common words only: every text with one of them is ranked (rank_exact()).
  expect((await both([CA, CB], 1000)).now.length).toBe(TEXTS);
});
