/**
 * The people phase's streamed dedup (src/migration/dedup-staged.ts) decides exactly what the
 * in-memory dedupPatients decides: same graded pairs with the same scores and grades, same
 * merged groups and survivors, same test data, same candidate pairs, rejected pairs left out.
 * Run on the labelled evaluation set (every variation, homonyms, twins, families, test data),
 * with small cursor pages and a small block bound so paging and oversized blocks are crossed.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { labelledPatients } from '../../bench/dedup/fixture';
import { guardClient } from '../../src/db/connection-errors';
import { dedupPatients, pairKey } from '../../src/migration/dedup';
import { dedupStaged } from '../../src/migration/dedup-staged';
import type { PatientRecord } from '../../src/migration/dedup/types';
import { testEnv } from '../support/env';
import { createDatabase } from '../support/legacy/fixture';
import { setupAndTeardown } from '../support/lifecycle';

let db: pg.Client;

setupAndTeardown(async () => {
  const url = await createDatabase(testEnv().databaseUrl, `dedup_${randomUUID().slice(0, 8)}`);
  db = guardClient(new pg.Client({ connectionString: url }));
  await db.connect();
}, [() => db?.end()]);


async function staged(records: PatientRecord[], rejected: Set<string>, maxBlockSize: number) {
  await db.query('BEGIN');
  try {
    await db.query(`CREATE TEMP TABLE src (key text, "practiceKey" text, "firstName" text, "lastName" text, email text, birthdate text, sex text, "caseCount" int) ON COMMIT DROP`);
    await db.query(`INSERT INTO src SELECT * FROM jsonb_populate_recordset(NULL::src, $1::jsonb)`, [JSON.stringify(records.map((r) => ({ key: r.key, practiceKey: r.practiceKey, firstName: r.firstName, lastName: r.lastName, email: r.email, birthdate: r.birthdate, sex: r.sex, caseCount: r.caseCount })))]);
    const result = await dedupStaged(db, `SELECT * FROM src ORDER BY key::int`, { rejectedPairs: rejected, maxBlockSize, page: 37 });
    const pairs = (await db.query<{ a: string; b: string; grade: string; score: number; note: string | null }>(`SELECT a, b, grade, score, pair->>'note' AS note FROM gp`)).rows;
    return { result, pairs };
  } finally {
    await db.query('ROLLBACK');
  }
}

test('streams the same decisions as the in-memory dedup, rejected pairs included', async () => {
  const records = labelledPatients({ people: 400, seed: 11 });
  // Reject a few true pairs that the in-memory dedup merges: they must vanish from both.
  const first = dedupPatients(records);
  const rejected = new Set(first.pairs.filter((p) => p.grade === 'certain').slice(0, 3).map((p) => pairKey(p.a, p.b)));
  expect(rejected.size).toBe(3);
  for (const maxBlockSize of [500, 2]) {
    const memory = dedupPatients(records, { rejectedPairs: rejected, maxBlockSize });
    const { result, pairs } = await staged(records, rejected, maxBlockSize);
    const key = (p: { a: string; b: string; grade: string; score: number; note?: string | null }) => `${p.a}|${p.b} ${p.grade} ${p.score} ${p.note ?? ''}`;
    expect(pairs.map(key).sort()).toEqual(memory.pairs.map(key).sort());
    expect(pairs.length).toBeGreaterThan(50);
    expect(result.clusters).toEqual(memory.clusters);
    expect(result.testData).toEqual([...memory.testData].sort((x, y) => Number(x.key) - Number(y.key)));
    expect(result.stats).toEqual(memory.stats);
    for (const r of rejected) expect(pairs.some((p) => pairKey(p.a, p.b) === r)).toBe(false);
    if (maxBlockSize === 2) expect(result.stats.oversizedBlocks).toBeGreaterThan(0);
  }
}, 120_000);

test('a failing write of the pipelined pages is the error thrown, not the aborted statements after it', async () => {
  // The same key on two cursor pages: the second page's INSERT into dp fails (duplicate key) while
  // the next page's FETCH, sent before it, and later statements fail as "transaction aborted".
  const records = labelledPatients({ people: 60, seed: 3 });
  const twice = [...records, { ...records[0]! }];
  await expect(staged(twice, new Set(), 500)).rejects.toMatchObject({ code: '23505', message: expect.stringMatching(/duplicate key value violates unique constraint "dp_pkey"/) });
}, 120_000);
