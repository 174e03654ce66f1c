/**
 * BM25 by common terms (db 0084, `search_index.rank_common()`): for one large practice, only texts
 * containing a selective query word are ranked, common words adding to their score. The size
 * threshold (2,000 texts by default) is lowered for these transactions through the setting
 * `mdw.search_common_min_texts`, so that a small practice takes the new path.
 *
 * Actor transactions log in as mdw_authenticator (as the API's do), so `search_lexical()` sees the
 * caller as in production.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { AUTHENTICATOR_ROLE, createDatabase, urlAs, type Database, type Tx } from '../../src/db/database';
import { lexicalBm25 } from '../../src/repositories/search.repository';
import { testEnv } from '../support/env';
import { createPracticeFixture, type PracticeFixture } from '../support/fixtures';

let database: Database;
let a: PracticeFixture;
let b: PracticeFixture;
/**
 * Words no other test writes: the common one in every text of A, the selective ones in a few. The
 * trailing digit keeps the stemmer away (letters and digits are one token, not stemmed), so that
 * each word is its own lexeme in the statistics.
 */
const tag = randomUUID().replace(/[^a-f]/g, '').slice(0, 8);
const common = `zqcommon${tag}9`;
const rare = `zqrare${tag}9`;
const rarer = `zqrarer${tag}9`;
const TEXTS = 240;
let withRare: string[];
let withRarer: string[];
let bRare: string[];

/** Where "common" starts: between the two words' frequencies in A's partition (set in beforeAll). */
let threshold = '0.1';
/** The common-terms path for these transactions: small practices qualify. */
const pruned = (trx: Tx) => sql`SELECT set_config('mdw.search_common_min_texts', '50', true), set_config('mdw.search_common_freq', ${threshold}, true)`.execute(trx);

async function newCase(f: PracticeFixture): Promise<string> {
  const r = await database.system
    .insertInto('cases')
    .values({ practice_id: f.practiceId, patient_id: f.patientId, case_number: `C-${randomUUID().slice(0, 8)}`, title: 'Thread', case_type: 'active_treatment' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

beforeAll(async () => {
  const env = testEnv();
  database = createDatabase(env.databaseUrl, 2, { authenticatorUrl: urlAs(env.databaseUrl, AUTHENTICATOR_ROLE) });
  a = await createPracticeFixture(database.system);
  b = await createPracticeFixture(database.system);
  const caseA = await newCase(a);
  const caseB = await newCase(b);
  // Practice A: every text has the common word (once or twice) and filler of varying length; a
  // few have a selective word, some both, with different term frequencies, so that scores differ.
  const textsA = Array.from({ length: TEXTS }, (_, i) => {
    const words = [common, ...(i % 3 === 0 ? [common] : []), ...Array.from({ length: 3 + (i % 7) }, (_, j) => `filler${(i + j) % 13}`)];
    if (i % 20 === 0) words.push(rare, ...(i % 40 === 0 ? [rare] : []));
    if (i % 30 === 5) words.push(rarer);
    return words.join(' ');
  });
  const rowsA = await database.system
    .insertInto('case_messages')
    .values(textsA.map((content) => ({ case_id: caseA, practice_id: a.practiceId, sender_id: a.members.doctor, content })))
    .returning(['id', 'content'])
    .execute();
  withRare = rowsA.filter((r) => r.content.includes(rare)).map((r) => r.id);
  withRarer = rowsA.filter((r) => r.content.includes(rarer)).map((r) => r.id);
  // Practice B writes A's selective word everywhere: neither its texts nor its counts reach A.
  const rowsB = await database.system
    .insertInto('case_messages')
    .values(Array.from({ length: 120 }, (_, i) => ({ case_id: caseB, practice_id: b.practiceId, sender_id: b.members.doctor, content: `${rare} ${common} note ${i}` })))
    .returning('id')
    .execute();
  bRare = rowsB.map((r) => r.id);
  // The statistics the path reads (autovacuum would gather them soon after such a load).
  await sql`ANALYZE search_index.documents`.execute(database.system);
  // Other test files share the partitions, so the words' frequencies there depend on what they
  // wrote: "common" is set between the common word's and the selective word's (B may share A's
  // partition). A word missing from the statistics' list is rarer than all of it.
  const f = await sql<{ lexeme: string; freq: number }>`
    SELECT u.e AS lexeme, u.f AS freq FROM pg_stats s, unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS u(e, f)
     WHERE s.schemaname = 'search_index' AND s.attname = 'fts' AND u.e IN (${common}, ${rare})
       AND s.tablename = (SELECT c.relname FROM pg_class c WHERE c.oid = (SELECT d.tableoid FROM search_index.documents d WHERE d.practice_id = ${a.practiceId}::uuid LIMIT 1))`.execute(database.system);
  const freq = new Map(f.rows.map((r) => [r.lexeme, Number(r.freq)]));
  expect(freq.get(common)).toBeGreaterThan(freq.get(rare) ?? 0);
  threshold = String((freq.get(common)! + (freq.get(rare) ?? 0)) / 2);
});
afterAll(() => database.destroy());

const asA = <T>(fn: (trx: Tx) => Promise<T>) => database.asActor({ sub: a.members.doctor }, fn);

async function exact(terms: string[], practiceId: string): Promise<{ id: string; rank: number }[]> {
  const r = await sql<{ id: string; rank: number }>`SELECT id, rank FROM search_index.rank_exact('message', ${terms}::text[], ${[practiceId]}::uuid[], 50, 'bm25', 1.2, 0.75)`.execute(database.system);
  return r.rows;
}

interface Stats {
  n: number;
  freq: Map<string, number>;
}

/** What rank_common() reads (0084/0105): A's partition's reltuples × A's and the kind's MCV frequency, and the fts elements' frequencies, as float8 (real's text form would round differently). */
async function partitionStats(lexemes: string[]): Promise<Stats> {
  const r = await sql<{ n: number | null; lexeme: string | null; freq: number | null }>`
    WITH part AS (SELECT c.relname, c.reltuples::float8 AS tuples FROM pg_class c
                   WHERE c.oid = (SELECT d.tableoid FROM search_index.documents d WHERE d.practice_id = ${a.practiceId}::uuid LIMIT 1)),
         st AS (SELECT s.* FROM pg_stats s, part WHERE s.schemaname = 'search_index' AND s.tablename = part.relname)
    SELECT (SELECT part.tuples FROM part)
           * (SELECT st.most_common_freqs[array_position(st.most_common_vals::text::text[], ${a.practiceId})]::float8 FROM st WHERE st.attname = 'practice_id')
           * (SELECT st.most_common_freqs[array_position(st.most_common_vals::text::text[], 'message')]::float8 FROM st WHERE st.attname = 'kind') AS n,
           u.e AS lexeme, u.f::float8 AS freq
      FROM (SELECT 1) one
      LEFT JOIN LATERAL (SELECT e, f FROM st, unnest(st.most_common_elems::text::text[], st.most_common_elem_freqs) AS x(e, f)
                          WHERE st.attname = 'fts' AND x.e = ANY(${lexemes}::text[])) u ON true`.execute(database.system);
  return { n: Number(r.rows[0]!.n), freq: new Map(r.rows.filter((x) => x.lexeme !== null).map((x) => [x.lexeme!, Number(x.freq)])) };
}

/**
 * The common-terms BM25 of A's texts for these (unstemmed) words, computed here: a word whose
 * element frequency reaches the threshold is common (df = frequency × N), the others are
 * selective (df counted among the candidates, the texts with a selective word); avgdl over the
 * candidates; k1 1.2, b 0.75. The statistics are read before and after the search it is compared
 * with: autovacuum may ANALYZE the partition in between (statsChanged, then the caller retries).
 */
async function referenceRanking(terms: string[]): Promise<{ ranked: { id: string; rank: number }[]; hits: { id: string; rank: number }[]; statsChanged: boolean }> {
  const before = await partitionStats(terms);
  const hits = await asA(async (trx) => (await pruned(trx), lexicalBm25(trx, 'message', terms, 50)));
  const after = await partitionStats(terms);
  const statsChanged = JSON.stringify([before.n, [...before.freq]]) !== JSON.stringify([after.n, [...after.freq]]);
  const n = before.n;
  const common = new Set(terms.filter((t) => (before.freq.get(t) ?? 0) >= Number(threshold)));
  const selective = terms.filter((t) => !common.has(t));
  const docs = await sql<{ id: string; dl: number; tf: Record<string, number> }>`
    SELECT d.id, length(d.fts) AS dl, d.tf FROM search_index.documents d
     WHERE d.practice_id = ${a.practiceId}::uuid AND d.kind = 'message' AND d.fts @@ to_tsquery('simple', ${selective.join(' | ')})`.execute(database.system);
  const avgdl = Math.max(docs.rows.reduce((s, d) => s + d.dl, 0) / docs.rows.length, 1);
  const idf = (df: number) => Math.log(1 + (Math.max(n, df) - df + 0.5) / (df + 0.5));
  const weight = new Map(terms.map((t) => [t, common.has(t) ? idf(before.freq.get(t)! * n) : idf(docs.rows.filter((d) => d.tf[t] !== undefined).length)]));
  const [k1, b] = [1.2, 0.75];
  const ranked = docs.rows
    .map((d) => {
      const norm = k1 * (1 - b + (b * d.dl) / avgdl);
      return { id: d.id, rank: terms.reduce((s, t) => (d.tf[t] === undefined ? s : s + (weight.get(t)! * d.tf[t] * (k1 + 1)) / (d.tf[t] + norm)), 0) };
    })
    .sort((x, y) => y.rank - x.rank || (x.id < y.id ? -1 : 1));
  return { ranked, hits, statsChanged };
}

test('only texts with a selective word are ranked, by BM25 with the common word’s df and N from the partition’s statistics; another practice’s texts never appear', async () => {
  const terms = [common, rare, rarer];
  const hits = await asA(async (trx) => {
    await pruned(trx);
    return lexicalBm25(trx, 'message', terms, 50);
  });
  const ids = hits.map((h) => h.id);
  // The candidates are exactly A's texts containing a selective word…
  expect(new Set(ids)).toEqual(new Set([...withRare, ...withRarer]));
  expect(ids.some((id) => bRare.includes(id))).toBe(false);
  // …ranked by the common-terms BM25 as 0084 defines it, recomputed here from the same inputs
  // (the partition's statistics at the time of the search, the candidates' tf and length). It is
  // not the exact ranking's order: there the common word's df and N are counted over the
  // practice's texts, here estimated from statistics of a partition other test files share, so
  // its idf (and with it the order of texts of different lengths) depends on what they wrote.
  let reference = await referenceRanking(terms);
  for (let tries = 0; tries < 3 && reference.statsChanged; tries++) reference = await referenceRanking(terms);
  expect(reference.statsChanged).toBe(false);
  // The search made between the two reads of the statistics: the same texts, the same scores (up
  // to float8 rounding: the sums run in another order), in the reference's order.
  const searched = reference.hits;
  expect(new Set(reference.ranked.map((r) => r.id))).toEqual(new Set(ids));
  expect(new Set(searched.map((h) => h.id))).toEqual(new Set(ids));
  const want = new Map(reference.ranked.map((r) => [r.id, r.rank]));
  for (const h of searched) expect(Math.abs(h.rank - want.get(h.id)!)).toBeLessThanOrEqual(1e-9 * want.get(h.id)!);
  searched.forEach((h, i) => i === 0 || expect(want.get(searched[i - 1]!.id)!).toBeGreaterThanOrEqual(want.get(h.id)! - 1e-9 * want.get(h.id)!));
  // The exact ranking agrees on which texts come first: it also returns the 240 texts with the
  // common word alone, all below every text with a selective word.
  const full = await exact(terms, a.practiceId);
  expect(full.length).toBe(50);
  expect(new Set(full.slice(0, ids.length).map((h) => h.id))).toEqual(new Set(ids));
  expect(hits.every((h, i) => h.rank > 0 && (i === 0 || hits[i - 1]!.rank >= h.rank))).toBe(true);

  // B's member searching B's practice gets B's texts only.
  const asB = await database.asActor({ sub: b.members.doctor }, async (trx) => {
    await pruned(trx);
    return lexicalBm25(trx, 'message', terms, 200);
  });
  expect(new Set(asB.map((h) => h.id))).toEqual(new Set(bRare));
  // A's member naming B's practice gets nothing.
  expect(await asA(async (trx) => (await pruned(trx), lexicalBm25(trx, 'message', terms, 50, b.practiceId)))).toEqual([]);
});

test('a query of common words only still finds its texts (the exact ranking runs)', async () => {
  const hits = await asA(async (trx) => {
    await pruned(trx);
    return lexicalBm25(trx, 'message', [common], 50);
  });
  expect(hits.length).toBe(50);
  expect(hits.map((h) => h.id)).toEqual((await exact([common], a.practiceId)).map((h) => h.id));
});

test('below the size threshold (the default 2,000 texts) a practice is ranked exactly as before', async () => {
  const terms = [common, rare];
  const hits = await asA((trx) => lexicalBm25(trx, 'message', terms, 50));
  const full = await exact(terms, a.practiceId);
  expect(hits.map((h) => h.id)).toEqual(full.map((h) => h.id));
  expect(hits.map((h) => h.rank)).toEqual(full.map((h) => h.rank));
});

test('the exact ranking stays reachable by name (bm25_exact), and a selective word no text has falls back to the common ones', async () => {
  const terms = [common, rare];
  const named = await asA(async (trx) => {
    await pruned(trx);
    return (await sql<{ id: string }>`SELECT id FROM public.search_lexical('message', ${terms}::text[], NULL, 50, 'bm25_exact')`.execute(trx)).rows.map((r) => r.id);
  });
  expect(named).toEqual((await exact(terms, a.practiceId)).map((h) => h.id));
  const nowhere = `zqnowhere${tag}`;
  const hits = await asA(async (trx) => {
    await pruned(trx);
    return lexicalBm25(trx, 'message', [common, nowhere], 50);
  });
  expect(hits.map((h) => h.id)).toEqual((await exact([common, nowhere], a.practiceId)).map((h) => h.id));
});

test('db 0104 ranks exactly as 0084 (bm25_0084), with the statistics read from pg_statistic or (0105, a non-superuser owner) from pg_stats: the same ids, the same float8 scores, for selective, common and mixed queries', async () => {
  const fillers = Array.from({ length: 13 }, (_, i) => `filler${i}`);
  const queries = [[common, rare, rarer], [rare], [rarer, rare], [rare, 'filler3', common], [common, rare, ...fillers], [...fillers, rarer], ['filler1', 'filler2']];
  for (const terms of queries) {
    const [now, viaView, before] = await asA(async (trx) => {
      await pruned(trx);
      const run = async (ranking: string) =>
        (await sql<{ id: string; rank: string }>`SELECT id, rank::text AS rank FROM public.search_lexical('message', ${terms}::text[], NULL, 50, ${ranking})`.execute(trx)).rows;
      const direct = await run('bm25');
      await sql`SELECT set_config('mdw.search_stats_view', 'on', true)`.execute(trx);
      const view = await run('bm25');
      await sql`SELECT set_config('mdw.search_stats_view', '', true)`.execute(trx);
      return [direct, view, await run('bm25_0084')];
    });
    expect(now.length).toBeGreaterThan(0);
    // rank::text is float8's shortest exact form: equal text, equal bits.
    expect(now).toEqual(before);
    expect(viaView).toEqual(before);
  }
});

test('db 0117 ranks exactly as 0104 (bm25_0104) and 0084: its static statements for 1 to 16 lexemes and the generated one above 16, the partition computed from the hash', async () => {
  const fillers = Array.from({ length: 13 }, (_, i) => `filler${i}`);
  const queries = [
    [rare],
    [rarer, rare],
    [common, rare, rarer],
    [rare, 'filler3', common],
    [common, rare, ...fillers.slice(0, 6)],
    [...fillers, rarer],
    [common, rare, ...fillers],
    // 17 lexemes: more than the static statements hold.
    [common, rare, rarer, ...fillers, 'zqabsent9'],
  ];
  let ranked = 0;
  for (const terms of queries) {
    const [now, before, before0084] = await asA(async (trx) => {
      await pruned(trx);
      const run = async (ranking: string) =>
        (await sql<{ id: string; rank: string }>`SELECT id, rank::text AS rank FROM public.search_lexical('message', ${terms}::text[], NULL, 50, ${ranking})`.execute(trx)).rows;
      return [await run('bm25'), await run('bm25_0104'), await run('bm25_0084')];
    });
    expect(now.length).toBeGreaterThan(0);
    // rank::text is float8's shortest exact form: equal text, equal bits.
    expect(now).toEqual(before);
    expect(now).toEqual(before0084);
    ranked++;
  }
  expect(ranked).toBe(queries.length);
  // The partition the hash gives is the one the rows are in, for both practices.
  for (const f of [a, b]) {
    const r = await sql<{ computed: string; actual: string }>`
      SELECT (SELECT 'documents_p' || lpad(g.rem::text, 2, '0') FROM generate_series(0, 31) g(rem)
               WHERE satisfies_hash_partition('search_index.documents'::regclass, 32, g.rem, ${f.practiceId}::uuid)) AS computed,
             (SELECT c.relname FROM pg_class c WHERE c.oid = (SELECT d.tableoid FROM search_index.documents d WHERE d.practice_id = ${f.practiceId}::uuid LIMIT 1)) AS actual`.execute(database.system);
    expect(r.rows[0]!.computed).toBe(r.rows[0]!.actual);
  }
});

test('the static statements refuse a lexeme count they were not written for', async () => {
  await expect(
    sql`SELECT * FROM search_index.rank_common_static_3(${a.practiceId}::uuid, 'message', 'a'::tsquery, 5, 1, 1.2, 0.75, '{a}', '{t}', '{1}')`.execute(database.system),
  ).rejects.toThrow(/rank_common_static_3: 1 lexemes, not 3/);
});

test('db 0133 (the ranking run by search_lexical() itself, its prelude in one statement) ranks exactly as 0117 (bm25_0117): 1 to 17 lexemes, the practice named or not, the pg_stats path', async () => {
  const fillers = Array.from({ length: 13 }, (_, i) => `filler${i}`);
  const queries = [
    [rare],
    [rarer, rare],
    [common, rare, rarer],
    [rare, 'filler3', common],
    [common, rare, ...fillers.slice(0, 6)],
    [...fillers, rarer],
    [common, rare, ...fillers],
    // 17 lexemes: more than the ranking statements hold (0117's path).
    [common, rare, rarer, ...fillers, 'zqabsent9'],
    // Common words only, and a selective word no text has: nothing by common terms, the exact ranking.
    [common],
    [common, `zqnowhere${tag}`],
  ];
  for (const terms of queries) {
    for (const named of [null, [a.practiceId]]) {
      const [now, viaView, before] = await asA(async (trx) => {
        await pruned(trx);
        const run = async (ranking: string) =>
          (await sql<{ id: string; rank: string }>`SELECT id, rank::text AS rank FROM public.search_lexical('message', ${terms}::text[], ${named}::uuid[], 50, ${ranking})`.execute(trx)).rows;
        const direct = await run('bm25');
        await sql`SELECT set_config('mdw.search_stats_view', 'on', true)`.execute(trx);
        const view = await run('bm25');
        await sql`SELECT set_config('mdw.search_stats_view', '', true)`.execute(trx);
        return [direct, view, await run('bm25_0117')];
      });
      expect(now.length).toBeGreaterThan(0);
      // rank::text is float8's shortest exact form: equal text, equal bits.
      expect(now).toEqual(before);
      expect(viaView).toEqual(before);
    }
  }
  // Below the size threshold (the default 2,000 texts): the exact ranking, as before.
  const small = await asA(async (trx) => {
    const run = async (ranking: string) =>
      (await sql<{ id: string; rank: string }>`SELECT id, rank::text AS rank FROM public.search_lexical('message', ${[common, rare]}::text[], ${[a.practiceId]}::uuid[], 50, ${ranking})`.execute(trx)).rows;
    return [await run('bm25'), await run('bm25_0117')];
  });
  expect(small[0]!.length).toBe(50);
  expect(small[0]).toEqual(small[1]);
});

/**
 * A transaction of the backend that is always rolled back: what `fn` changes is seen by nobody else.
 * Repeatable read: its statements see one snapshot of pg_statistic, whatever autovacuum's ANALYZE
 * commits meanwhile (other test files write into the same partitions).
 */
async function rolledBack<T>(fn: (trx: Tx) => Promise<T>): Promise<T> {
  let value: T | undefined;
  const undo = new Error('rolled back');
  await database.system
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      value = await fn(trx);
      throw undo;
    })
    .catch((err: unknown) => {
      if (err !== undo) throw err;
    });
  return value as T;
}

test('db 0168: the prelude reads a current copy of the partition’s statistics and ranks exactly as 0133 (bm25_0117 the reference); a copy made stale by new statistics is not used', async () => {
  const queries = [[rare], [rarer, rare], [common, rare, rarer], [rare, 'filler3', common], [common, rare, ...Array.from({ length: 13 }, (_, i) => `filler${i}`)]];
  // A's partition, and whether its copy is current (what the prelude checks).
  const current = async (trx: Tx) =>
    (
      await sql<{ ok: boolean }>`
        SELECT EXISTS (SELECT 1 FROM search_index.lexical_stats ls JOIN pg_class c ON c.oid = ls.part
                        WHERE ls.part = (SELECT d.tableoid FROM search_index.documents d WHERE d.practice_id = ${a.practiceId}::uuid LIMIT 1)
                          AND ls.reltuples = c.reltuples AND ls.stats_rows = search_index.lexical_stats_rows(ls.part)) AS ok`.execute(trx)
    ).rows[0]!.ok;
  // Searches as A's doctor inside the backend's transaction (it sees that transaction's changes).
  const searchAsA = async (trx: Tx, terms: string[], ranking: string) => {
    await sql`SELECT set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify({ sub: a.members.doctor, role: 'authenticated' })}, true)`.execute(trx);
    await pruned(trx);
    const rows = (await sql<{ id: string; rank: string }>`SELECT id, rank::text AS rank FROM public.search_lexical('message', ${terms}::text[], ${[a.practiceId]}::uuid[], 50, ${ranking})`.execute(trx)).rows;
    await sql`RESET ROLE`.execute(trx);
    return rows;
  };
  // The common word made selective in the copy only: a search that read the copy would rank differently.
  const tamper = (trx: Tx) => sql`UPDATE search_index.lexical_stats_elems SET freq = 0 WHERE lexeme = ${common}`.execute(trx);

  const refresh = async (trx: Tx) => (await sql<{ n: number }>`SELECT search_index.refresh_lexical_stats() AS n`.execute(trx)).rows[0]!.n;
  for (const terms of queries) {
    const [copied, live, tampered] = await rolledBack(async (trx) => {
      await refresh(trx);
      expect(await current(trx)).toBe(true);
      const viaCopy = await searchAsA(trx, terms, 'bm25');
      const reference = await searchAsA(trx, terms, 'bm25_0117');
      await tamper(trx);
      return [viaCopy, reference, await searchAsA(trx, terms, 'bm25')];
    });
    expect(copied.length).toBeGreaterThan(0);
    // rank::text is float8's shortest exact form: equal text, equal bits.
    expect(copied).toEqual(live);
    // The copy is what the prelude read: changed, it changes the ranks of queries with the common word.
    if (terms.includes(common)) expect(tampered).not.toEqual(live);
  }
  // New statistics (ANALYZE rewrites the partition's pg_statistic rows) and no refresh: the copy,
  // even a wrong one, is not used; after a refresh it is current again and ranks as before.
  const [stale, live, refreshed, liveAfter, currentAfter] = await rolledBack(async (trx) => {
    await refresh(trx);
    expect(await current(trx)).toBe(true);
    await tamper(trx);
    await sql`ANALYZE search_index.documents`.execute(trx);
    expect(await current(trx)).toBe(false);
    const terms = [common, rare, rarer];
    const viaStale = await searchAsA(trx, terms, 'bm25');
    const reference = await searchAsA(trx, terms, 'bm25_0117');
    expect(await refresh(trx)).toBeGreaterThan(0);
    return [viaStale, reference, await searchAsA(trx, terms, 'bm25'), await searchAsA(trx, terms, 'bm25_0117'), await current(trx)];
  });
  expect(stale.length).toBeGreaterThan(0);
  expect(stale).toEqual(live);
  expect(currentAfter).toBe(true);
  expect(refreshed).toEqual(liveAfter);
});
