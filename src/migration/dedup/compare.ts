/**
 * Scoring one candidate pair of legacy patients, Fellegi–Sunter style. Pure, no I/O.
 *
 * Each field comparison has an outcome (agree / partial / disagree / missing). Its weight is
 * log2(m / u): m = P(outcome | same person), u = P(outcome | different people). The score is
 * the sum, so every point of it can be shown to a person as evidence (Splink's waterfall).
 * The m/u values below are set by hand from what the legacy README says about its duplicates
 * (copies differ in email case/whitespace, may lack a birthdate or carry a typo in it) and from
 * the base rates of dates and names; `npm run eval:dedup` measures what they give.
 */

import { type FieldEvidence, type MatchGrade } from './types';
import { jaroWinkler, nameTokens, normalizeBirthdate, normalizeEmail, normalizeName, normalizeSex, soundex } from './normalize';

/** A PatientRecord normalised once, before blocking and scoring. */
export interface PreparedRecord {
  key: string;
  practiceKey: string | null;
  first: string;
  last: string;
  email: string | null;
  birthdate: string | null;
  sex: 'M' | 'F' | 'O' | null;
  caseCount: number;
  /** Sorted Soundex codes of first and last name ("" when no letters): blocking and email sharing. */
  phonetic: string;
}

export function prepareRecord(r: {
  key: string; practiceKey: string | null; firstName: string | null; lastName: string | null;
  email: string | null; birthdate: string | null; sex: string | null; caseCount: number;
}): PreparedRecord {
  const first = normalizeName(r.firstName);
  const last = normalizeName(r.lastName);
  const codes = [soundex(first.replace(/ /g, '')), soundex(last.replace(/ /g, ''))].filter((c) => c !== '').sort();
  return {
    key: r.key,
    practiceKey: r.practiceKey,
    first,
    last,
    email: normalizeEmail(r.email),
    birthdate: normalizeBirthdate(r.birthdate),
    sex: normalizeSex(r.sex),
    caseCount: r.caseCount,
    phonetic: codes.join('+'),
  };
}

const w = (m: number, u: number): number => Math.round(Math.log2(m / u) * 100) / 100;

const NAME_AGREE_M = 0.9;
const NAME_AGREE_U = 0.001;

/** The weights, exported so the evaluation and the docs show the same numbers. */
export const WEIGHTS = {
  name: { agree: w(NAME_AGREE_M, NAME_AGREE_U), partial: w(0.08, 0.002), disagree: w(0.02, 0.997) },
  email: { agree: w(0.75, 0.0001), partial: w(0.05, 0.0005), disagree: w(0.05, 0.9999) },
  birthdate: { agree: w(0.85, 0.0001), partial: w(0.08, 0.001), disagree: w(0.07, 0.9999) },
  sex: { agree: w(0.95, 0.5), disagree: w(0.03, 0.5) },
  practice: { agree: w(0.9, 0.2), disagree: w(0.1, 0.8) },
} as const;

/** Grade thresholds on the score. Certain additionally needs the guards in `gradePair`. */
export const THRESHOLDS = { certain: 22, probable: 15, possible: 10 } as const;

/**
 * How many different people (distinct birthdates) must bear a full name before its agreement
 * weighs less than an average name's (`WEIGHTS.name.agree`). Copies of one person share their
 * birthdate, so they do not make their own name look common; like SHARED_EMAIL_PEOPLE.
 */
export const COMMON_NAME_PEOPLE = 3;

/** The key a full name is counted under for its frequency: normalised, without spaces. */
export function fullNameKey(r: Pick<PreparedRecord, 'first' | 'last'>): string {
  return (r.first + r.last).replace(/ /g, '');
}

/**
 * The share of the compared records that bear a full name, as `compareNames` weighs it:
 * `people / records` when at least COMMON_NAME_PEOPLE different people bear it, else null (an
 * ordinary name: the average u of `WEIGHTS.name.agree`).
 */
export function commonNameShare(people: number, records: number): number | null {
  return people >= COMMON_NAME_PEOPLE && records > 0 ? people / records : null;
}

/**
 * The weight of two copies agreeing on a name: log2(m/u) with u the name's frequency
 * (Fellegi–Sunter with term-frequency adjustment, as Splink does). In a lab where 120 people are
 * called "Emma Davis", sharing that name says little; a rare name keeps the average weight
 * (never more: the frequency of a rare name in one lab is too noisy to reward).
 */
export function nameAgreeWeight(share: number | null): number {
  return share === null || share <= NAME_AGREE_U ? WEIGHTS.name.agree : w(NAME_AGREE_M, share);
}

export function compareNames(a: PreparedRecord, b: PreparedRecord, nameShare: (fullName: string) => number | null = () => null): FieldEvidence {
  const field = 'name' as const;
  if ((a.first === '' && a.last === '') || (b.first === '' && b.last === '')) {
    return { field, outcome: 'missing', weight: 0, detail: 'a copy has no name' };
  }
  if (a.first === b.first && a.last === b.last) {
    const share = nameShare(fullNameKey(a));
    const weight = nameAgreeWeight(share);
    if (weight < WEIGHTS.name.agree && share !== null) {
      return { field, outcome: 'agree', weight, detail: `same name after normalising, but a common one here (${(share * 100).toFixed(2)} % of the patients)` };
    }
    return { field, outcome: 'agree', weight, detail: 'same name after normalising case, accents and whitespace' };
  }
  const compactA = (a.first + a.last).replace(/ /g, '');
  const compactB = (b.first + b.last).replace(/ /g, '');
  if (compactA === compactB) {
    return { field, outcome: 'agree', weight: nameAgreeWeight(nameShare(compactA)), detail: 'same name apart from spacing' };
  }
  const partial = (detail: string): FieldEvidence => ({ field, outcome: 'partial', weight: WEIGHTS.name.partial, detail });
  if (a.first === b.last && a.last === b.first) return partial('first and last name swapped');
  const jwFirst = jaroWinkler(a.first, b.first);
  const jwLast = jaroWinkler(a.last, b.last);
  if (jwFirst >= 0.88 && jwLast >= 0.92) {
    return partial(`similar spelling (first ${jwFirst.toFixed(2)}, last ${jwLast.toFixed(2)} Jaro–Winkler)`);
  }
  if (jaroWinkler(a.first, b.last) >= 0.88 && jaroWinkler(a.last, b.first) >= 0.92) {
    return partial('first and last name swapped, with similar spelling');
  }
  if (a.last === b.last && a.first !== '' && b.first !== '') {
    const [short, long] = a.first.length <= b.first.length ? [a.first, b.first] : [b.first, a.first];
    if (short.length === 1 && long.startsWith(short)) return partial('first name given as an initial');
    const shortTokens = nameTokens(short);
    const longTokens = nameTokens(long);
    if (shortTokens.every((t) => longTokens.includes(t))) return partial('first name is part of the other copy\'s first name');
  }
  if (a.first === b.first && a.last !== '' && b.last !== '') {
    const ta = nameTokens(a.last);
    const tb = nameTokens(b.last);
    if (ta.every((t) => tb.includes(t)) || tb.every((t) => ta.includes(t))) return partial('one last name is part of the other (double surname)');
  }
  return { field, outcome: 'disagree', weight: WEIGHTS.name.disagree, detail: 'different names' };
}

export function compareEmails(a: PreparedRecord, b: PreparedRecord, sharedBy: (email: string) => number): FieldEvidence {
  const field = 'email' as const;
  if (a.email === null || b.email === null) return { field, outcome: 'missing', weight: 0, detail: 'a copy has no email' };
  if (a.email === b.email) {
    const people = sharedBy(a.email);
    // A family or placeholder address (noemail@…) identifies nobody: agreement on it is no evidence.
    if (people >= SHARED_EMAIL_PEOPLE) {
      return { field, outcome: 'missing', weight: 0, detail: `address shared by ${people} differently named people: not evidence` };
    }
    return { field, outcome: 'agree', weight: WEIGHTS.email.agree, detail: 'same address after normalising case and whitespace' };
  }
  const [localA] = a.email.split('@');
  const [localB] = b.email.split('@');
  if (localA === localB && (localA ?? '').length >= 4) {
    return { field, outcome: 'partial', weight: WEIGHTS.email.partial, detail: 'same local part, different domain' };
  }
  return { field, outcome: 'disagree', weight: WEIGHTS.email.disagree, detail: 'different addresses' };
}

/** An address used by this many differently named people is a family or placeholder address. */
export const SHARED_EMAIL_PEOPLE = 3;

function dayNumber(iso: string): number {
  return Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / 86_400_000;
}

/** Why two different dates are plausibly one date mistyped, or null. */
export function birthdateTypo(x: string, y: string): string | null {
  if (Math.abs(dayNumber(x) - dayNumber(y)) === 1) return 'birthdates differ by one day';
  if (x.slice(0, 4) === y.slice(0, 4) && x.slice(5, 7) === y.slice(8, 10) && x.slice(8, 10) === y.slice(5, 7)) {
    return 'day and month swapped';
  }
  const dx = x.replace(/-/g, '');
  const dy = y.replace(/-/g, '');
  const diff: number[] = [];
  for (let i = 0; i < dx.length; i++) if (dx[i] !== dy[i]) diff.push(i);
  if (diff.length === 1) return 'birthdates differ in one digit';
  const [i, j] = diff;
  if (diff.length === 2 && i !== undefined && j === i + 1 && dx[i] === dy[j] && dx[j] === dy[i]) return 'two adjacent digits transposed';
  return null;
}

export function compareBirthdates(a: PreparedRecord, b: PreparedRecord): FieldEvidence {
  const field = 'birthdate' as const;
  if (a.birthdate === null || b.birthdate === null) return { field, outcome: 'missing', weight: 0, detail: 'a copy has no birthdate' };
  if (a.birthdate === b.birthdate) return { field, outcome: 'agree', weight: WEIGHTS.birthdate.agree, detail: 'same birthdate' };
  const typo = birthdateTypo(a.birthdate, b.birthdate);
  if (typo) return { field, outcome: 'partial', weight: WEIGHTS.birthdate.partial, detail: `${typo} (${a.birthdate} / ${b.birthdate})` };
  return { field, outcome: 'disagree', weight: WEIGHTS.birthdate.disagree, detail: `different birthdates (${a.birthdate} / ${b.birthdate})` };
}

export function compareSex(a: PreparedRecord, b: PreparedRecord): FieldEvidence {
  const field = 'sex' as const;
  if (a.sex === null || b.sex === null) return { field, outcome: 'missing', weight: 0 };
  if (a.sex === b.sex) return { field, outcome: 'agree', weight: WEIGHTS.sex.agree };
  return { field, outcome: 'disagree', weight: WEIGHTS.sex.disagree, detail: `${a.sex} / ${b.sex}` };
}

export function comparePractices(a: PreparedRecord, b: PreparedRecord): FieldEvidence {
  const field = 'practice' as const;
  if (a.practiceKey === null || b.practiceKey === null) return { field, outcome: 'missing', weight: 0, detail: 'a copy has no practice' };
  if (a.practiceKey === b.practiceKey) return { field, outcome: 'agree', weight: WEIGHTS.practice.agree };
  return { field, outcome: 'disagree', weight: WEIGHTS.practice.disagree, detail: `practices ${a.practiceKey} / ${b.practiceKey}` };
}

/**
 * Cases carry no weight: how many cases a copy owns is as likely for one person as for two
 * (m ≈ u). They are shown because they follow the survivor, and they choose it.
 */
export function compareCases(a: PreparedRecord, b: PreparedRecord): FieldEvidence {
  const field = 'cases' as const;
  const detail = `${a.caseCount} and ${b.caseCount} cases; they follow the survivor`;
  if (a.caseCount === 0 && b.caseCount === 0) return { field, outcome: 'missing', weight: 0, detail: 'neither copy owns cases' };
  return { field, outcome: a.caseCount > 0 && b.caseCount > 0 ? 'agree' : 'partial', weight: 0, detail };
}

export interface Scored {
  score: number;
  evidence: FieldEvidence[];
  grade: MatchGrade | null;
  /** When the score reached `certain` but a guard held it back, the guard. */
  guard?: string;
}

/**
 * Scores a pair and grades it as FHIR $match does. `certain` (merged without a person) needs
 * the score AND: names not in disagreement, birthdates not in disagreement (an arbitrary other
 * date is a different person as often as a typo: a person decides), the same practice when
 * both have one (a merge would move one practice's cases into another's).
 */
export function scorePair(
  a: PreparedRecord,
  b: PreparedRecord,
  sharedBy: (email: string) => number,
  nameShare: (fullName: string) => number | null = () => null,
): Scored {
  const evidence = [
    compareNames(a, b, nameShare),
    compareEmails(a, b, sharedBy),
    compareBirthdates(a, b),
    compareSex(a, b),
    comparePractices(a, b),
    compareCases(a, b),
  ];
  const score = Math.round(evidence.reduce((s, e) => s + e.weight, 0) * 100) / 100;
  const outcome = (f: FieldEvidence['field']): FieldEvidence['outcome'] | undefined => evidence.find((e) => e.field === f)?.outcome;
  let guard: string | undefined;
  if (score >= THRESHOLDS.certain) {
    if (outcome('name') !== 'agree' && outcome('name') !== 'partial') guard = 'names do not agree';
    else if (outcome('birthdate') === 'disagree') guard = 'birthdates disagree';
    else if (outcome('practice') === 'disagree') guard = 'different practices';
  }
  const grade: MatchGrade | null =
    score >= THRESHOLDS.certain && guard === undefined ? 'certain'
      : score >= THRESHOLDS.probable ? 'probable'
        : score >= THRESHOLDS.possible ? 'possible'
          : null;
  return guard === undefined ? { score, evidence, grade } : { score, evidence, grade, guard };
}

/**
 * An upper bound of scorePair's score, from the cheap fields (email, birthdate, sex, practice)
 * and the best a name can add. A pair whose bound is below `possible` is not a match whatever
 * the names say, so the names (Jaro–Winkler, evidence texts) need not be compared: at scale
 * most candidate pairs are homonyms with different addresses or birthdates.
 */
export function scoreUpperBound(a: PreparedRecord, b: PreparedRecord, sharedBy: (email: string) => number): number {
  // Written without the compare* functions' evidence objects and texts: it runs for every
  // candidate pair. Each field adds the most its compare* function could give.
  let bound = Math.max(0, WEIGHTS.name.agree, WEIGHTS.name.partial);
  if (a.email !== null && b.email !== null) {
    if (a.email === b.email) bound += sharedBy(a.email) >= SHARED_EMAIL_PEOPLE ? 0 : WEIGHTS.email.agree;
    else {
      const localA = a.email.split('@', 1)[0] ?? '';
      const samePart = localA.length >= 4 && localA === b.email.split('@', 1)[0];
      bound += samePart ? WEIGHTS.email.partial : WEIGHTS.email.disagree;
    }
  }
  if (a.birthdate !== null && b.birthdate !== null) bound += a.birthdate === b.birthdate ? WEIGHTS.birthdate.agree : Math.max(WEIGHTS.birthdate.partial, WEIGHTS.birthdate.disagree);
  if (a.sex !== null && b.sex !== null) bound += a.sex === b.sex ? WEIGHTS.sex.agree : WEIGHTS.sex.disagree;
  if (a.practiceKey !== null && b.practiceKey !== null) bound += a.practiceKey === b.practiceKey ? WEIGHTS.practice.agree : WEIGHTS.practice.disagree;
  return bound;
}
