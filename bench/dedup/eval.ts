/**
 * Evaluation of patient deduplication on labelled data.
 *
 *   npm run eval:dedup                       # bench/dedup/fixture.ts: 300 people + copies + hand-written cases (seed 42)
 *   npm run eval:dedup -- --people 2000 --seed 7 --json results.json
 *   npm run eval:dedup -- --generated 82000  # the patients of bench:migrate's legacy database (test/support/legacy/
 *                                            # generate.ts, 82,000 cases = the 1M-row run), truth from its mdw_truth_patient
 *
 * Reports pairs found (scored after blocking), graded, merged and queued; per grade how many are
 * truly the same person (precision) and the recall of `certain` and of `certain + probable`;
 * precision and recall of the automatic merge and of the review queue against the labels; the
 * blocking's pair-reduction ratio; test-data detection; and, per variation, what happened to the
 * true pairs that carry it.
 */

import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { guardClient } from '../../src/db/connection-errors';
import { dedupPatients, pairKey } from '../../src/migration/dedup';
import { type LabelledRecord, labelledPatients } from './fixture';

const { values } = parseArgs({
  options: {
    people: { type: 'string', default: '300' },
    seed: { type: 'string', default: '42' },
    json: { type: 'string' },
    generated: { type: 'string' },
  },
});

/**
 * The patients of a generated legacy database (kept between runs in an embedded PostgreSQL under
 * the OS temp dir), read with the same query as the migration's people phase, labelled by the
 * generator's mdw_truth_patient.
 */
async function generatedPatients(cases: number): Promise<LabelledRecord[]> {
  const { startEmbeddedPostgres } = await import('../../scripts/lib/embedded-postgres');
  const { generateLegacy } = await import('../../test/support/legacy/generate');
  const server = await startEmbeddedPostgres({ dataDir: path.join(os.tmpdir(), 'mdw-dedup-eval'), database: 'postgres_eval', ephemeral: true });
  const url = (name: string): string => {
    const u = new URL(server.url);
    u.pathname = `/${name}`;
    return u.toString();
  };
  const name = `legacy_gen_${cases}_v3`;
  const admin = guardClient(new pg.Client({ connectionString: server.url }));
  await admin.connect();
  try {
    if ((await admin.query(`select 1 from pg_database where datname = $1`, [name])).rowCount === 0) {
      await admin.query(`CREATE DATABASE ${name}`);
      const t0 = Date.now();
      await generateLegacy(url(name), { cases });
      console.error(`generated ${cases} cases in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    await admin.end();
  }
  const c = guardClient(new pg.Client({ connectionString: url(name) }));
  await c.connect();
  try {
    // The migration's dedup input (src/migration/pipeline.ts, dedupPatients), on the legacy tables.
    const r = await c.query<LabelledRecord & { copy: boolean }>(`
      WITH pc AS (
        SELECT c.patient_id, count(*)::int AS cases,
          (array_agg(coalesce(c.practice_id, dr.practice_id) ORDER BY c.id) FILTER (WHERE coalesce(c.practice_id, dr.practice_id) IS NOT NULL))[1] AS practice
        FROM dispatch_case c LEFT JOIN dispatch_doctor dr ON dr.id = c.doctor_id GROUP BY c.patient_id)
      SELECT p.id::text AS key, pc.practice::text AS "practiceKey", u.first_name AS "firstName", u.last_name AS "lastName", u.email,
        p.birthdate::text AS birthdate, p.sex, coalesce(pc.cases, 0) AS "caseCount", t.person::text AS identity, t.is_test AS "isTest", t.person <> p.id AS copy
      FROM dispatch_patient p LEFT JOIN auth_user u ON u.id = p.user_id LEFT JOIN pc ON pc.patient_id = p.id
      JOIN mdw_truth_patient t ON t.patient_id = p.id ORDER BY p.id`);
    const byKey = new Map(r.rows.map((x) => [x.key, x]));
    return r.rows.map(({ copy, ...x }) => {
      const variations: string[] = [];
      if (copy) {
        variations.push('generated-copy');
        if (x.birthdate === null) variations.push('birthdate-missing');
        const original = byKey.get(x.identity)?.practiceKey ?? null;
        if (x.practiceKey === null || original === null) variations.push('practice-missing');
        else if (x.practiceKey !== original) variations.push('other-practice');
      }
      if (x.isTest) variations.push('test-data');
      return { ...x, variations };
    });
  } finally {
    await c.end();
    server.stop();
  }
}

async function main(): Promise<void> {
const records = values.generated !== undefined ? await generatedPatients(Number(values.generated)) : labelledPatients({ people: Number(values.people), seed: Number(values.seed) });
const byKey = new Map(records.map((r) => [r.key, r]));
const cpu0 = process.cpuUsage();
const result = dedupPatients(records);
const cpu = process.cpuUsage(cpu0);
const stats = result.stats;
if (!stats) throw new Error('dedupPatients returned no stats');

// Truth: pairs of non-test records with the same identity.
const truePairs = new Set<string>();
const byIdentity = new Map<string, LabelledRecord[]>();
for (const r of records) {
  if (r.isTest) continue;
  const list = byIdentity.get(r.identity) ?? [];
  list.push(r);
  byIdentity.set(r.identity, list);
}
for (const list of byIdentity.values()) {
  for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) truePairs.add(pairKey((list[i] as LabelledRecord).key, (list[j] as LabelledRecord).key));
}

const merged = new Set<string>();
const clusterOf = new Map<string, number>();
result.clusters.forEach((cluster, n) => {
  for (const k of cluster) clusterOf.set(k, n);
  for (let i = 0; i < cluster.length; i++) for (let j = i + 1; j < cluster.length; j++) merged.add(pairKey(cluster[i] as string, cluster[j] as string));
});
const queued = new Set<string>();
const gradeCount = { certain: 0, probable: 0, possible: 0 };
const gradeTrue = { certain: 0, probable: 0, possible: 0 };
for (const p of result.pairs) {
  gradeCount[p.grade]++;
  const key = pairKey(p.a, p.b);
  if (truePairs.has(key)) gradeTrue[p.grade]++;
  const ca = clusterOf.get(p.a);
  if (p.grade !== 'certain' && !(ca !== undefined && ca === clusterOf.get(p.b))) queued.add(key);
}

const count = (set: Set<string>, pred: (k: string) => boolean): number => [...set].filter(pred).length;
const mergedTrue = count(merged, (k) => truePairs.has(k));
const queuedTrue = count(queued, (k) => truePairs.has(k));
const notMergedTrue = truePairs.size - count(truePairs, (k) => merged.has(k));
const foundTrue = count(truePairs, (k) => merged.has(k) || queued.has(k));
const pct = (x: number, y: number): string => (y === 0 ? 'n/a' : `${((100 * x) / y).toFixed(1)} %`);

const testKeys = new Set(result.testData.map((t) => t.key));
const testLabelled = records.filter((r) => r.isTest).length;
const testHit = records.filter((r) => r.isTest && testKeys.has(r.key)).length;

const source = values.generated !== undefined ? `generated legacy database, ${values.generated} cases` : `bench/dedup/fixture.ts, seed ${values.seed}`;
console.log(`Labelled set (${source}): ${records.length} records, ${byIdentity.size} people, ${testLabelled} test-data records, ${truePairs.size} true duplicate pairs; dedup ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU`);
console.log('');
console.log('| measure | value |');
console.log('|---|---|');
console.log(`| pairs a quadratic comparison would score | ${stats.allPairs} |`);
console.log(`| pairs found by blocking (scored) | ${stats.candidatePairs} (reduction ratio ${(1 - stats.candidatePairs / stats.allPairs).toFixed(4)}, ${(stats.allPairs / Math.max(1, stats.candidatePairs)).toFixed(0)}x fewer) |`);
console.log(`| blocks / oversized (not expanded) | ${stats.blocks} / ${stats.oversizedBlocks} |`);
console.log(`| pairs graded | ${result.pairs.length}: certain ${gradeCount.certain}, probable ${gradeCount.probable}, possible ${gradeCount.possible} |`);
console.log(`| share of each grade that is truly the same person | certain ${pct(gradeTrue.certain, gradeCount.certain)}, probable ${pct(gradeTrue.probable, gradeCount.probable)}, possible ${pct(gradeTrue.possible, gradeCount.possible)} |`);
const sameGradeTrue = (grades: string[]): number => result.pairs.filter((p) => grades.includes(p.grade) && truePairs.has(pairKey(p.a, p.b))).length;
const certainTrue = sameGradeTrue(['certain']);
const cpTrue = sameGradeTrue(['certain', 'probable']);
const cpCount = gradeCount.certain + gradeCount.probable;
const samePracticeTrue = [...truePairs].filter((k) => {
  const [a = '', b = ''] = k.split('|');
  const pa = byKey.get(a)?.practiceKey;
  const pb = byKey.get(b)?.practiceKey;
  return pa === null || pb === null || pa === pb;
}).length;
console.log(`| certain: precision / recall | ${pct(certainTrue, gradeCount.certain)} / ${pct(certainTrue, truePairs.size)} (of the ${samePracticeTrue} true pairs not in two practices, the only ones a machine may merge: ${pct(certainTrue, samePracticeTrue)}) |`);
console.log(`| certain + probable: precision / recall | ${pct(cpTrue, cpCount)} / ${pct(cpTrue, truePairs.size)} |`);
console.log(`| certain + probable + possible: precision / recall | ${pct(sameGradeTrue(['certain', 'probable', 'possible']), result.pairs.length)} / ${pct(sameGradeTrue(['certain', 'probable', 'possible']), truePairs.size)} |`);
console.log(`| merged automatically | ${result.clusters.length} groups, ${records.filter((r) => clusterOf.has(r.key)).length} records, ${merged.size} pairs |`);
console.log(`| queued for review | ${queued.size} pairs |`);
console.log(`| auto-merge precision | ${pct(mergedTrue, merged.size)} (${merged.size - mergedTrue} wrong) |`);
console.log(`| auto-merge recall | ${pct(mergedTrue, truePairs.size)} |`);
console.log(`| queue precision | ${pct(queuedTrue, queued.size)} |`);
console.log(`| queue recall (true pairs not merged that the queue holds) | ${pct(queuedTrue, notMergedTrue)} |`);
console.log(`| recall of merge + queue | ${pct(foundTrue, truePairs.size)} (${truePairs.size - foundTrue} true pairs missed) |`);
console.log(`| test data: detected / labelled, false positives | ${testHit} / ${testLabelled}, ${result.testData.length - testHit} |`);

// Per variation: the true pairs in which one copy carries it.
const perVariation = new Map<string, { merged: number; queued: number; missed: number }>();
for (const key of truePairs) {
  const [a = '', b = ''] = key.split('|');
  const vs = new Set([...(byKey.get(a)?.variations ?? []), ...(byKey.get(b)?.variations ?? [])]);
  for (const v of vs) {
    const row = perVariation.get(v) ?? { merged: 0, queued: 0, missed: 0 };
    if (merged.has(key)) row.merged++;
    else if (queued.has(key)) row.queued++;
    else row.missed++;
    perVariation.set(v, row);
  }
}
console.log('');
console.log('| variation in a true pair | merged | queued | missed |');
console.log('|---|---|---|---|');
for (const [v, row] of [...perVariation].sort()) console.log(`| ${v} | ${row.merged} | ${row.queued} | ${row.missed} |`);

// The wrong decisions, each with its evidence, so the weights can be argued about.
const wrongMerges = [...merged].filter((k) => !truePairs.has(k));
const describe = (k: string): string => {
  const [a = '', b = ''] = k.split('|');
  const show = (r?: LabelledRecord): string => (r ? `${r.key}:${r.identity} "${r.firstName} ${r.lastName}" <${r.email}> ${r.birthdate} ${r.practiceKey} [${r.variations.join(',')}]` : '?');
  const pair = result.pairs.find((p) => pairKey(p.a, p.b) === k);
  return `${show(byKey.get(a))}  ~  ${show(byKey.get(b))}${pair ? `  => ${pair.grade} ${pair.score}` : ''}`;
};
if (wrongMerges.length > 0) {
  console.log('');
  console.log('Wrong automatic merges:');
  for (const k of wrongMerges) console.log(`  ${describe(k)}`);
}
const missed = [...truePairs].filter((k) => !merged.has(k) && !queued.has(k));
if (missed.length > 0) {
  console.log('');
  console.log(`Missed true pairs (first 15 of ${missed.length}):`);
  for (const k of missed.slice(0, 15)) console.log(`  ${describe(k)}`);
}
const wrongQueued = [...queued].filter((k) => !truePairs.has(k));
if (wrongQueued.length > 0) {
  console.log('');
  console.log(`Queued pairs that are different people (first 15 of ${wrongQueued.length}):`);
  for (const k of wrongQueued.slice(0, 15)) console.log(`  ${describe(k)}`);
}
const falsePositiveTests = result.testData.filter((t) => !byKey.get(t.key)?.isTest);
for (const t of falsePositiveTests) console.log(`  test-data false positive: ${t.key} ${t.reason}`);

if (values.json) {
  writeFileSync(values.json, JSON.stringify({
    records: records.length, truePairs: truePairs.size, stats, gradeCount, gradeTrue,
    merged: merged.size, mergedTrue, queued: queued.size, queuedTrue, foundTrue,
    testLabelled, testHit, testDetected: result.testData.length,
    perVariation: Object.fromEntries(perVariation),
  }, null, 2));
}
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
