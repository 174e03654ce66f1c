/**
 * Patient deduplication for the legacy migration: which legacy auth_user + dispatch_patient
 * copies are the same person. Pure, no I/O; the migration pipeline feeds it records and writes
 * what it decides (merges, review queue, test-data report).
 *
 * 1. Test data is set aside first (see test-data.ts) and never paired.
 * 2. Blocking: each record gets a few keys — practice + phonetic name (sorted Soundex of first
 *    and last, so spelling variants and swapped names meet), normalised email, birthdate + last initial,
 *    birthdate + first initial. Only records sharing a key are compared, so cost grows with the
 *    block sizes, not with n². A block larger than `maxBlockSize` (a placeholder address, a
 *    very common name at scale) is not expanded; its records still meet through their other keys.
 * 3. Scoring (compare.ts): Fellegi–Sunter weights per field, graded certain/probable/possible.
 * 4. Clustering: connected components over certain pairs, with a guard against chaining: two
 *    groups are joined only if EVERY cross pair is itself a match (graded, not rejected) with no
 *    disagreeing name, birthdate or practice. So A≈B (B lacks a birthdate) and B≈C never pulls
 *    A and C together when A's and C's birthdates differ; such a pair drops to `probable` (the
 *    review queue) with a note saying why. Pairs are joined strongest first, so the best
 *    evidence decides which group a record joins.
 */

import { type PreparedRecord, type Scored, THRESHOLDS, commonNameShare, fullNameKey, prepareRecord, scorePair, scoreUpperBound } from './compare';
import { detectTestData } from './test-data';
import { type DedupPatients, type DedupResult, type DedupStats, type MatchPair } from './types';

/** The key of an unordered pair as `rejectedPairs` holds it: "a|b" with a < b (string order). */
export function pairKey(x: string, y: string): string {
  return x < y ? `${x}|${y}` : `${y}|${x}`;
}

/** The blocking keys of a record, in the order a pair's first shared block is chosen. */
export function blockingKeys(r: PreparedRecord): string[] {
  const keys: string[] = [];
  // Within one practice: a merge never crosses practices without a person, and a same-name pair
  // across practices with nothing else agreeing scores below `possible` anyway. Cross-practice
  // copies that share an address or a birthdate still meet in the keys below. This keeps name
  // blocks as small as practices are, whatever the size of the lab.
  if (r.phonetic !== '') keys.push(`p:${r.practiceKey ?? ''}:${r.phonetic}`);
  if (r.email !== null) keys.push(`e:${r.email}`);
  if (r.birthdate !== null) {
    if (r.last !== '') keys.push(`bl:${r.birthdate}:${r.last[0]}`);
    if (r.first !== '') keys.push(`bf:${r.birthdate}:${r.first[0]}`);
  }
  return keys;
}

export function compareKeys(x: string, y: string): number {
  const nx = Number(x);
  const ny = Number(y);
  if (Number.isSafeInteger(nx) && Number.isSafeInteger(ny) && x.trim() !== '' && y.trim() !== '') return nx - ny;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The survivor of a merged group: the copy that owns the most cases (fewest rows to move), then
 * the most complete one, then the oldest (lowest legacy id).
 */
function survivorOrder(a: PreparedRecord, b: PreparedRecord): number {
  const completeness = (r: PreparedRecord): number =>
    (r.birthdate ? 1 : 0) + (r.email ? 1 : 0) + (r.sex ? 1 : 0) + (r.practiceKey ? 1 : 0);
  return b.caseCount - a.caseCount || completeness(b) - completeness(a) || compareKeys(a.key, b.key);
}

/** Why two records must not end up in one automatically merged group, or null. */
function conflict(s: Scored, rejected: boolean): string | null {
  if (rejected) return 'a person rejected that pair';
  if (s.grade === null) return 'that pair does not match';
  for (const e of s.evidence) {
    if (e.outcome === 'disagree' && (e.field === 'name' || e.field === 'birthdate' || e.field === 'practice')) {
      return `their ${e.field}s disagree`;
    }
  }
  return null;
}

/** Whether a person rejected the pair x|y, in any key order. */
export function rejectedCheck(rejectedPairs: ReadonlySet<string>): (x: string, y: string) => boolean {
  return (x, y) => rejectedPairs.has(pairKey(x, y)) || rejectedPairs.has(`${x}|${y}`) || rejectedPairs.has(`${y}|${x}`);
}

/** The order graded pairs are listed and clustered in: strongest first, then by keys. */
export function pairOrder(p: MatchPair, q: MatchPair): number {
  return q.score - p.score || (p.a < q.a ? -1 : p.a > q.a ? 1 : p.b < q.b ? -1 : p.b > q.b ? 1 : 0);
}

/** A graded pair as listed: the Scored of a|b (a < b), with the guard as its note. */
export function toMatchPair(a: string, b: string, s: Scored): MatchPair | null {
  if (s.grade === null) return null;
  const pair: MatchPair = { a, b, grade: s.grade, score: s.score, evidence: s.evidence };
  if (s.guard !== undefined) pair.note = `not certain: ${s.guard}`;
  return pair;
}

/**
 * Connected components over certain pairs (given in `pairOrder`), strongest first, with the
 * chaining guard: two groups join only if every cross pair is graded, not rejected, and has no
 * disagreeing name, birthdate or practice. A certain pair that would break the guard is
 * downgraded in place to probable with a note. Needs only the records of certain pairs, so a
 * caller that streams its pairs keeps just these in memory.
 * @returns the merged groups, survivor first, sorted by survivor key.
 */
export function clusterCertain(
  certain: readonly MatchPair[],
  recordOf: (key: string) => PreparedRecord,
  scoreOf: (x: PreparedRecord, y: PreparedRecord) => Scored,
  isRejected: (x: string, y: string) => boolean,
): string[][] {
  const groupOf = new Map<string, string[]>();
  const group = (k: string): string[] => {
    let g = groupOf.get(k);
    if (!g) groupOf.set(k, (g = [k]));
    return g;
  };
  for (const pair of certain) {
    if (pair.grade !== 'certain') continue;
    const ga = group(pair.a);
    const gb = group(pair.b);
    if (ga === gb) continue;
    let blocked: string | null = null;
    outer: for (const x of ga) {
      for (const y of gb) {
        if ((x === pair.a && y === pair.b) || (x === pair.b && y === pair.a)) continue;
        const why = conflict(scoreOf(recordOf(x), recordOf(y)), isRejected(x, y));
        if (why !== null) {
          blocked = `not merged automatically: it would put ${x} and ${y} in one patient, and ${why}`;
          break outer;
        }
      }
    }
    if (blocked !== null) {
      pair.grade = 'probable';
      pair.note = blocked;
      continue;
    }
    const merged = ga.concat(gb);
    for (const k of merged) groupOf.set(k, merged);
  }
  const clusters: string[][] = [];
  const done = new Set<string[]>();
  for (const g of groupOf.values()) {
    if (done.has(g) || g.length < 2) continue;
    done.add(g);
    clusters.push(g.map(recordOf).sort(survivorOrder).map((r) => r.key));
  }
  clusters.sort((x, y) => compareKeys(x[0] ?? '', y[0] ?? ''));
  return clusters;
}

export const dedupPatients: DedupPatients = (records, options = {}) => {
  const rejectedPairs = options.rejectedPairs ?? new Set<string>();
  const maxBlockSize = options.maxBlockSize ?? 500;
  const isRejected = rejectedCheck(rejectedPairs);

  const testData: DedupResult['testData'] = [];
  const prepared: PreparedRecord[] = [];
  const seenKeys = new Set<string>();
  for (const record of records) {
    if (seenKeys.has(record.key)) throw new Error(`dedupPatients: duplicate record key ${record.key}`);
    seenKeys.add(record.key);
    const reason = detectTestData(record.firstName, record.lastName, record.email);
    if (reason !== null) testData.push({ key: record.key, reason });
    else prepared.push(prepareRecord(record));
  }
  const byKey = new Map(prepared.map((r) => [r.key, r]));

  // Who shares an address: a family or placeholder address identifies nobody.
  const emailPeople = new Map<string, Set<string>>();
  for (const r of prepared) {
    if (r.email === null) continue;
    let people = emailPeople.get(r.email);
    if (!people) emailPeople.set(r.email, (people = new Set()));
    people.add(r.phonetic);
  }
  const sharedBy = (email: string): number => emailPeople.get(email)?.size ?? 0;
  // How many different people (birthdates) bear each full name: a common name weighs less.
  const namePeople = new Map<string, Set<string>>();
  for (const r of prepared) {
    if (r.birthdate === null) continue;
    const k = fullNameKey(r);
    let people = namePeople.get(k);
    if (!people) namePeople.set(k, (people = new Set()));
    people.add(r.birthdate);
  }
  const nameShare = (k: string): number | null => commonNameShare(namePeople.get(k)?.size ?? 0, prepared.length);

  const blocks = new Map<string, PreparedRecord[]>();
  const keysOf = new Map<PreparedRecord, string[]>();
  for (const r of prepared) {
    const keys = blockingKeys(r);
    keysOf.set(r, keys);
    for (const k of keys) {
      let block = blocks.get(k);
      if (!block) blocks.set(k, (block = []));
      block.push(r);
    }
  }
  const usable = (k: string) => (blocks.get(k)?.length ?? 0) <= maxBlockSize;
  // A pair that shares several keys is compared in the first usable block they share, and only
  // there: no set of every compared pair (memory that grew with the square of the blocks).
  const firstShared = (x: PreparedRecord, y: PreparedRecord): string | undefined => {
    const ky = keysOf.get(y)!;
    return keysOf.get(x)!.find((k) => ky.includes(k) && usable(k));
  };

  // Only graded pairs are kept; an ungraded one is scored again if the clustering asks for it.
  const scored = new Map<string, Scored>();
  let oversizedBlocks = 0;
  let compared = 0;
  for (const [blockKey, block] of blocks) {
    if (block.length < 2) continue;
    if (block.length > maxBlockSize) {
      oversizedBlocks++;
      continue;
    }
    for (let i = 0; i < block.length; i++) {
      const x = block[i] as PreparedRecord;
      for (let j = i + 1; j < block.length; j++) {
        const y = block[j] as PreparedRecord;
        if (x.key === y.key || firstShared(x, y) !== blockKey) continue;
        compared++;
        const [a, b] = x.key < y.key ? [x, y] : [y, x];
        // Rounded like the score, a bound under `possible` cannot grade.
        if (scoreUpperBound(a, b, sharedBy) < THRESHOLDS.possible - 0.01) continue;
        const s = scorePair(a, b, sharedBy, nameShare);
        if (s.grade !== null) scored.set(pairKey(x.key, y.key), s);
      }
    }
  }
  const scoreOf = (x: PreparedRecord, y: PreparedRecord): Scored => {
    const key = pairKey(x.key, y.key);
    let s = scored.get(key);
    if (!s) {
      const [a, b] = x.key < y.key ? [x, y] : [y, x];
      s = scorePair(a, b, sharedBy, nameShare);
    }
    return s;
  };

  const pairs: MatchPair[] = [];
  for (const [key, s] of scored) {
    const [a = '', b = ''] = key.split('|');
    if (isRejected(a, b)) continue;
    const pair = toMatchPair(a, b, s);
    if (pair) pairs.push(pair);
  }
  pairs.sort(pairOrder);
  const clusters = clusterCertain(
    pairs.filter((p) => p.grade === 'certain'),
    (k) => byKey.get(k) as PreparedRecord,
    scoreOf,
    isRejected,
  );

  const n = prepared.length;
  const stats: DedupStats = {
    records: records.length,
    compared: n,
    blocks: blocks.size,
    oversizedBlocks,
    candidatePairs: compared,
    allPairs: (n * (n - 1)) / 2,
  };
  return { pairs, clusters, testData, stats };
};
