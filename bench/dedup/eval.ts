/**
 * Evaluation of patient deduplication on labelled data (bench/dedup/fixture.ts).
 *
 *   npm run eval:dedup                       # 300 people + copies + hand-written cases (seed 42)
 *   npm run eval:dedup -- --people 2000 --seed 7 --json results.json
 *
 * Reports pairs found (scored after blocking), graded, merged and queued; precision and recall of
 * the automatic merge and of the review queue against the labels; the blocking's pair-reduction
 * ratio; test-data detection; and, per variation, what happened to the true pairs that carry it.
 */

import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { dedupPatients, pairKey } from '../../src/migration/dedup';
import { type LabelledRecord, labelledPatients } from './fixture';

const { values } = parseArgs({
  options: {
    people: { type: 'string', default: '300' },
    seed: { type: 'string', default: '42' },
    json: { type: 'string' },
  },
});

const records = labelledPatients({ people: Number(values.people), seed: Number(values.seed) });
const byKey = new Map(records.map((r) => [r.key, r]));
const result = dedupPatients(records);
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

console.log(`Labelled set: ${records.length} records, ${byIdentity.size} people, ${testLabelled} test-data records, ${truePairs.size} true duplicate pairs (seed ${values.seed})`);
console.log('');
console.log('| measure | value |');
console.log('|---|---|');
console.log(`| pairs a quadratic comparison would score | ${stats.allPairs} |`);
console.log(`| pairs found by blocking (scored) | ${stats.candidatePairs} (reduction ratio ${(1 - stats.candidatePairs / stats.allPairs).toFixed(4)}, ${(stats.allPairs / Math.max(1, stats.candidatePairs)).toFixed(0)}x fewer) |`);
console.log(`| blocks / oversized (not expanded) | ${stats.blocks} / ${stats.oversizedBlocks} |`);
console.log(`| pairs graded | ${result.pairs.length}: certain ${gradeCount.certain}, probable ${gradeCount.probable}, possible ${gradeCount.possible} |`);
console.log(`| share of each grade that is truly the same person | certain ${pct(gradeTrue.certain, gradeCount.certain)}, probable ${pct(gradeTrue.probable, gradeCount.probable)}, possible ${pct(gradeTrue.possible, gradeCount.possible)} |`);
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
