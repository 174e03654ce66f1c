/**
 * Patient deduplication for the migration's people phase, streamed through the session's
 * staging tables so the heap does not grow with the lab (issue 9: 122 MB at 247k legacy rows,
 * 341 MB at 989k). The decisions are those of the in-memory `dedupPatients` (dedup/dedup.ts):
 * the same pure normalising, blocking keys, scoring and clustering, only the data lives in
 * PostgreSQL between the steps:
 *
 * 1. The patients are read with a cursor a page at a time, normalised in JS (test data set
 *    aside) and written to `dp` with their blocking keys; `dk` holds one row per (block, patient).
 * 2. Block sizes, who shares an address and how many people bear a name are counted in SQL.
 * 3. A cursor by block key hands the usable blocks (2 to maxBlockSize records) to the scorer one
 *    at a time; a pair is scored only in the first usable block its records share. Graded pairs
 *    are written to `gp` a page at a time.
 * 4. Clustering reads the certain pairs only (merges are rare: they and their records are what
 *    stays in memory) and downgrades in `gp` the ones the chaining guard holds back.
 */
import type pg from 'pg';
import {
  type PreparedRecord,
  type Scored,
  THRESHOLDS,
  commonNameShare,
  fullNameKey,
  prepareRecord,
  scorePair,
  scoreUpperBound,
} from './dedup/compare';
import { blockingKeys, clusterCertain, compareKeys, pairOrder, rejectedCheck, toMatchPair } from './dedup/dedup';
import { detectTestData } from './dedup/test-data';
import type { DedupStats, MatchGrade, MatchPair } from './dedup/types';

/**
 * A statement sent without being awaited at once: the connection answers in the order statements
 * were sent, so the server works on it while JS computes, and the caller awaits it before it sends
 * anything that depends on it. Meanwhile its rejection is handled here (no unhandled rejection
 * while another statement is awaited); awaiting the returned promise still throws it. In a
 * transaction, a failed statement makes every later one fail too: each is awaited in the order
 * sent, so the first failure is the one thrown.
 */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/** A staged record with what scoring needs beyond the record itself. */
interface StagedRecord extends PreparedRecord {
  /** Differently named people using this record's address. */
  emailPeople: number;
  /** Different people (birthdates) bearing this record's full name. */
  namePeople: number;
  /** Its blocking keys that are usable (not oversized), in blockingKeys order. */
  keys: string[];
}

export interface StagedDedupOptions {
  rejectedPairs: ReadonlySet<string>;
  /** @default 500 */
  maxBlockSize?: number;
  /** Patients per cursor page and graded pairs per write. @default 5000 */
  page?: number;
}

export interface StagedDedupResult {
  stats: DedupStats;
  grades: Record<MatchGrade, number>;
  /** Merged groups, survivor first (their records are the merges: few). */
  clusters: string[][];
  testData: Array<{ key: string; reason: string }>;
}

/**
 * Runs the dedup over `source` (a SELECT yielding key, practiceKey, firstName, lastName, email,
 * birthdate, sex, caseCount, like PatientRecord) inside the caller's transaction. Leaves the
 * graded pairs (not rejected) in temp table `gp (a, b, grade, score, pair jsonb)`.
 */
export async function dedupStaged(db: pg.ClientBase, source: string, options: StagedDedupOptions): Promise<StagedDedupResult> {
  const maxBlockSize = options.maxBlockSize ?? 500;
  const page = options.page ?? 5000;
  const isRejected = rejectedCheck(options.rejectedPairs);
  await db.query(`
    DROP TABLE IF EXISTS dp; DROP TABLE IF EXISTS dk; DROP TABLE IF EXISTS gp;
    CREATE TEMP TABLE dp (key text PRIMARY KEY, practice text, first text NOT NULL, last text NOT NULL, email text, birthdate text, sex text,
      case_count int NOT NULL, phonetic text NOT NULL, fullname text NOT NULL, keys text[] NOT NULL, test_reason text);
    CREATE TEMP TABLE gp (a text NOT NULL, b text NOT NULL, grade text NOT NULL, score float8 NOT NULL, pair jsonb NOT NULL, PRIMARY KEY (a, b));`);

  // 1. Normalise a page at a time. Pipelined on the one connection (it answers in order): the next
  // page is asked for before this one is normalised, and a page's INSERT runs while the next one
  // is, so the server's work and the JS overlap instead of taking turns (see `quiet`).
  await db.query(`DECLARE dedup_src NO SCROLL CURSOR FOR ${source}`);
  let records = 0;
  const fetchSource = () =>
    quiet(db.query<{ key: string; practiceKey: string | null; firstName: string | null; lastName: string | null; email: string | null; birthdate: string | null; sex: string | null; caseCount: string | number }>(`FETCH ${page} FROM dedup_src`));
  let nextPage = fetchSource();
  let inserting: Promise<unknown> = Promise.resolve();
  for (;;) {
    const r = await nextPage.catch(async (err: unknown) => {
      await inserting;
      throw err;
    });
    if (r.rows.length === 0) break;
    nextPage = fetchSource();
    records += r.rows.length;
    const rows = r.rows.map((x) => {
      const reason = detectTestData(x.firstName, x.lastName, x.email);
      const p = prepareRecord({ ...x, caseCount: Number(x.caseCount) });
      return {
        key: p.key, practice: p.practiceKey, first: p.first, last: p.last, email: p.email, birthdate: p.birthdate, sex: p.sex,
        case_count: p.caseCount, phonetic: p.phonetic, fullname: fullNameKey(p), keys: reason === null ? blockingKeys(p) : [], test_reason: reason,
      };
    });
    await inserting;
    inserting = quiet(db.query(`INSERT INTO dp SELECT * FROM jsonb_populate_recordset(NULL::dp, $1::jsonb)`, [JSON.stringify(rows)]));
  }
  await inserting;
  await db.query(`CLOSE dedup_src`);

  // 2. Counts in SQL: block sizes, address sharing, name frequency.
  await db.query(`
    ANALYZE dp;
    DROP TABLE IF EXISTS dk; DROP TABLE IF EXISTS dkb; DROP TABLE IF EXISTS dku; DROP TABLE IF EXISTS dep; DROP TABLE IF EXISTS dnp;
    CREATE TEMP TABLE dk AS SELECT k.block, dp.key, k.ord FROM dp, unnest(dp.keys) WITH ORDINALITY AS k(block, ord) WHERE dp.test_reason IS NULL;
    CREATE TEMP TABLE dkb AS SELECT block, count(*)::int AS n FROM dk GROUP BY block;
    CREATE INDEX ON dkb (block);
    -- Each record's usable keys (an oversized block is never a pair's block), in blockingKeys order.
    CREATE TEMP TABLE dku AS SELECT dk.key, array_agg(dk.block ORDER BY dk.ord) AS keys FROM dk JOIN dkb ON dkb.block = dk.block AND dkb.n <= ${maxBlockSize} GROUP BY dk.key;
    CREATE INDEX ON dku (key);
    CREATE TEMP TABLE dep AS SELECT email, count(DISTINCT phonetic)::int AS people FROM dp WHERE test_reason IS NULL AND email IS NOT NULL GROUP BY email;
    CREATE INDEX ON dep (email);
    CREATE TEMP TABLE dnp AS SELECT fullname, count(DISTINCT birthdate)::int AS people FROM dp WHERE test_reason IS NULL AND birthdate IS NOT NULL GROUP BY fullname;
    CREATE INDEX ON dnp (fullname);
    ANALYZE dk; ANALYZE dkb; ANALYZE dku; ANALYZE dep; ANALYZE dnp;`);
  const counts = (await db.query<{ compared: number; blocks: number; oversized: number }>(`
    SELECT (SELECT count(*)::int FROM dp WHERE test_reason IS NULL) AS compared, (SELECT count(*)::int FROM dkb) AS blocks,
      (SELECT count(*)::int FROM dkb WHERE n > $1) AS oversized`, [maxBlockSize])).rows[0]!;
  const n = counts.compared;

  // A record as scored, with its usable keys (an oversized block is never a pair's block).
  const columns = `dp.key, dp.practice, dp.first, dp.last, dp.email, dp.birthdate, dp.sex, dp.case_count, dp.phonetic,
    coalesce(dep.people, 0) AS email_people, coalesce(dnp.people, 0) AS name_people, coalesce(dku.keys, '{}') AS keys`;
  const joins = `LEFT JOIN dep ON dep.email = dp.email LEFT JOIN dnp ON dnp.fullname = dp.fullname LEFT JOIN dku ON dku.key = dp.key`;
  type Row = { key: string; practice: string | null; first: string; last: string; email: string | null; birthdate: string | null; sex: 'M' | 'F' | 'O' | null; case_count: number; phonetic: string; email_people: number; name_people: number; keys: string[] };
  const toRecord = (x: Row): StagedRecord => ({
    key: x.key, practiceKey: x.practice, first: x.first, last: x.last, email: x.email, birthdate: x.birthdate, sex: x.sex,
    caseCount: x.case_count, phonetic: x.phonetic, emailPeople: x.email_people, namePeople: x.name_people, keys: x.keys,
  });
  const score = (x: StagedRecord, y: StagedRecord): { a: StagedRecord; b: StagedRecord; s: Scored | null } => {
    const [a, b] = x.key < y.key ? [x, y] : [y, x];
    // Both copies carry the counts of a shared address or name: either side answers.
    const sharedBy = (): number => a.emailPeople;
    const nameShare = (): number | null => commonNameShare(a.namePeople, n);
    if (scoreUpperBound(a, b, sharedBy) < THRESHOLDS.possible - 0.01) return { a, b, s: null };
    return { a, b, s: scorePair(a, b, sharedBy, nameShare) };
  };

  // 3. Block by block.
  let compared = 0;
  let buffer: MatchPair[] = [];
  // A page of graded pairs is written while the next blocks are scored (one write in flight).
  let writing: Promise<unknown> = Promise.resolve();
  const flush = async () => {
    if (buffer.length === 0) return;
    await writing;
    writing = quiet(db.query(`INSERT INTO gp (a, b, grade, score, pair) SELECT p->>'a', p->>'b', p->>'grade', (p->>'score')::float8, p FROM jsonb_array_elements($1::jsonb) AS x(p)`, [JSON.stringify(buffer)]));
    buffer = [];
  };
  await db.query(`DECLARE dedup_blocks NO SCROLL CURSOR FOR
    SELECT dk.block, ${columns} FROM dk JOIN dkb ON dkb.block = dk.block AND dkb.n BETWEEN 2 AND ${maxBlockSize}
    JOIN dp ON dp.key = dk.key ${joins} ORDER BY dk.block, dp.key`);
  let block: StagedRecord[] = [];
  let blockKey: string | null = null;
  const scoreBlock = () => {
    for (let i = 0; i < block.length; i++) {
      const x = block[i]!;
      for (let j = i + 1; j < block.length; j++) {
        const y = block[j]!;
        if (x.keys.find((k) => y.keys.includes(k)) !== blockKey) continue;
        compared++;
        const { a, b, s } = score(x, y);
        if (s === null || isRejected(a.key, b.key)) continue;
        const pair = toMatchPair(a.key, b.key, s);
        if (pair) buffer.push(pair);
      }
    }
  };
  const fetchBlocks = () => quiet(db.query<Row & { block: string }>(`FETCH ${page} FROM dedup_blocks`));
  let nextBlocks = fetchBlocks();
  for (;;) {
    // A write sent before this page failed first (the page then fails as 'transaction aborted'): its error is the one.
    const r = await nextBlocks.catch(async (err: unknown) => {
      await writing;
      throw err;
    });
    // The server reads the next page while this one is scored.
    if (r.rows.length > 0) nextBlocks = fetchBlocks();
    for (const x of r.rows) {
      if (x.block !== blockKey) {
        scoreBlock();
        block = [];
        blockKey = x.block;
      }
      block.push(toRecord(x));
    }
    if (buffer.length >= page) await flush();
    if (r.rows.length === 0) break;
  }
  scoreBlock();
  await flush();
  await writing;
  await db.query(`CLOSE dedup_blocks`);

  // 4. Clusters over the certain pairs and their records only.
  const certain = (await db.query<{ pair: MatchPair }>(`SELECT pair FROM gp WHERE grade = 'certain' ORDER BY score DESC, a COLLATE "C", b COLLATE "C"`)).rows.map((x) => x.pair);
  certain.sort(pairOrder);
  const keys = [...new Set(certain.flatMap((p) => [p.a, p.b]))];
  const byKey = new Map(
    (await db.query<Row>(`SELECT ${columns} FROM dp ${joins} WHERE dp.key = ANY($1::text[])`, [keys])).rows.map((x) => [x.key, toRecord(x)]),
  );
  const clusters = clusterCertain(certain, (k) => byKey.get(k)!, (x, y) => score(x as StagedRecord, y as StagedRecord).s ?? { score: 0, evidence: [], grade: null }, isRejected);
  const downgraded = certain.filter((p) => p.grade !== 'certain');
  if (downgraded.length > 0) {
    await db.query(`UPDATE gp SET grade = p->>'grade', pair = p FROM jsonb_array_elements($1::jsonb) AS x(p) WHERE gp.a = p->>'a' AND gp.b = p->>'b'`, [JSON.stringify(downgraded)]);
  }

  const grades: Record<MatchGrade, number> = { certain: 0, probable: 0, possible: 0 };
  for (const g of (await db.query<{ grade: MatchGrade; n: number }>(`SELECT grade, count(*)::int AS n FROM gp GROUP BY grade`)).rows) grades[g.grade] = g.n;
  const testData = (await db.query<{ key: string; reason: string }>(`SELECT key, test_reason AS reason FROM dp WHERE test_reason IS NOT NULL`)).rows;
  testData.sort((x, y) => compareKeys(x.key, y.key));
  return {
    stats: { records, compared: n, blocks: counts.blocks, oversizedBlocks: counts.oversized, candidatePairs: compared, allPairs: (n * (n - 1)) / 2 },
    grades,
    clusters,
    testData,
  };
}
