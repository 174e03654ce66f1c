/**
 * Scale run of patient deduplication: time of dedupPatients (blocking) as the record count grows,
 * side by side in the same run with a quadratic all-pairs baseline (every pair scored with the
 * same scorer) on the smaller sizes, where the baseline still finishes.
 *
 *   npm run bench:dedup                                   # 12.5k … 100k records; baseline 1k … 4k
 *   npm run bench:dedup -- --sizes 5000,10000 --baseline-sizes 500,1000
 *
 * Reported per size: records, pairs scored, CPU milliseconds, microseconds per record, the growth
 * exponent between consecutive sizes (1 = linear, 2 = quadratic) and, where both ran, the
 * speed-up of blocking over all pairs.
 */

import { parseArgs } from 'node:util';
import { dedupPatients } from '../../src/migration/dedup';
import { type PreparedRecord, prepareRecord, scorePair } from '../../src/migration/dedup/compare';
import { detectTestData } from '../../src/migration/dedup/test-data';
import { type PatientRecord } from '../../src/migration/dedup/types';
import { labelledPatients } from './fixture';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,2000,4000,12500,25000,50000,100000' },
    'baseline-sizes': { type: 'string', default: '1000,2000,4000' },
    seed: { type: 'string', default: '11' },
  },
});
const sizes = values.sizes.split(',').map(Number);
const baselineSizes = new Set(values['baseline-sizes'].split(',').map(Number));

function recordsOf(n: number): PatientRecord[] {
  // ~1.3 records per person with the fixture's defaults: draw a few more people, then cut.
  const all = labelledPatients({ people: Math.ceil(n / 1.25), seed: Number(values.seed), practices: Math.max(8, Math.round(n / 1000)), handWritten: false });
  return all.slice(0, n).map(({ identity: _i, isTest: _t, variations: _v, ...r }) => r);
}

/** Every pair scored: what dedup without blocking costs (same normalisation, same scorer). */
function allPairsBaseline(records: readonly PatientRecord[]): { pairs: number; graded: number } {
  const prepared: PreparedRecord[] = records.filter((r) => detectTestData(r.firstName, r.lastName, r.email) === null).map(prepareRecord);
  const emailPeople = new Map<string, Set<string>>();
  for (const r of prepared) if (r.email) (emailPeople.get(r.email) ?? emailPeople.set(r.email, new Set()).get(r.email))?.add(r.phonetic);
  const sharedBy = (e: string): number => emailPeople.get(e)?.size ?? 0;
  let pairs = 0;
  let graded = 0;
  for (let i = 0; i < prepared.length; i++) {
    for (let j = i + 1; j < prepared.length; j++) {
      pairs++;
      if (scorePair(prepared[i] as PreparedRecord, prepared[j] as PreparedRecord, sharedBy).grade !== null) graded++;
    }
  }
  return { pairs, graded };
}

/** CPU time of this process (user + system), not wall time: the machine is shared, and a
 * neighbour's load must not count as ours. */
function time<T>(fn: () => T): { ms: number; value: T } {
  const start = process.cpuUsage();
  const value = fn();
  const used = process.cpuUsage(start);
  return { ms: (used.user + used.system) / 1000, value };
}

console.log('| records | blocked: pairs scored | graded | ms | µs/record | growth exponent | all pairs: pairs | graded | ms | blocked speed-up |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
let previous: { n: number; ms: number } | null = null;
for (const n of sizes) {
  const records = recordsOf(n);
  dedupPatients(records.slice(0, Math.min(500, n))); // warm the JIT before timing
  const blocked = time(() => dedupPatients(records));
  const stats = blocked.value.stats;
  const exponent = previous ? (Math.log(blocked.ms / previous.ms) / Math.log(n / previous.n)).toFixed(2) : '';
  let baselineCols = '| | | |';
  if (baselineSizes.has(n)) {
    const base = time(() => allPairsBaseline(records));
    baselineCols = `| ${base.value.pairs} | ${base.value.graded} | ${base.ms.toFixed(0)} | ${(base.ms / blocked.ms).toFixed(1)}x |`;
  }
  console.log(`| ${records.length} | ${stats?.candidatePairs} | ${blocked.value.pairs.length} | ${blocked.ms.toFixed(0)} | ${((1000 * blocked.ms) / n).toFixed(1)} | ${exponent} ${baselineCols}`);
  previous = { n, ms: blocked.ms };
}
console.log(`\npeak RSS ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB`);
