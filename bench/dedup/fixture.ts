/**
 * Labelled legacy patients for the dedup evaluation and scale run: every record knows the
 * identity of the person it belongs to (or that it is test data), so precision and recall can be
 * measured. Deterministic (seeded PRNG): the same arguments give the same records.
 *
 * People are drawn from realistic US names (bench/api-names.ts) plus accented ones. A share of
 * them get extra copies, each with one or two of the variations the legacy README describes or
 * that data entry produces: email case/whitespace, name case/whitespace/accents, a missing
 * birthdate/email/sex, a birthdate typo (one day, adjacent digits transposed, day and month
 * swapped), a name typo, swapped names — and the hard ones a machine should NOT merge alone:
 * a wholly different birthdate, a changed email plus a missing birthdate, another practice.
 * Around them: homonyms (same name, different person), families sharing one address, twins
 * (same surname, birthdate and address), hand-written test data, and real names that look like
 * test data.
 */

import { FIRST_NAMES, LAST_NAMES } from '../api-names';
import { type PatientRecord } from '../../src/migration/dedup/types';

export interface LabelledRecord extends PatientRecord {
  /** Who this is: records with the same identity are the same person. */
  identity: string;
  isTest: boolean;
  /** The variations applied to this copy (empty for the original). */
  variations: string[];
}

/** mulberry32: small, fast, good enough for test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ACCENTED_FIRST = ['José', 'María', 'Zoë', 'Renée', 'Chloé', 'Agnès', 'Jürgen', 'Søren', 'Björn', 'Inés', 'Raúl', 'Noémie'];
const ACCENTED_LAST = ['Núñez', 'Müller', 'Álvarez', 'Gómez', 'Pérez', 'Dvořák', 'Łukasz', 'Françoise', 'Ibáñez', 'Sánchez', 'Öztürk', 'Ramírez'];
const DOMAINS = ['gmail.com', 'yahoo.com', 'outlook.com', 'icloud.com', 'aol.com', 'hotmail.com'];

/** Hand-written test data: none of it may be migrated as a patient. */
const TEST_DATA: Array<[string, string, string]> = [
  ['Test', 'Test', 'test@example.com'],
  ['TEST', 'test', 'Test@Example.com '],
  ['test', 'Test', ''],
  ['Test', 'Patient', 'testpatient@example.com'],
  ['test', 'patient', ''],
  ['Test2', 'Patient', ''],
  ['asdf', 'asdf', 'asdf@asdf.com'],
  ['Asdf', 'Qwerty', ''],
  ['Dummy', 'Patient', 'dummy@example.org'],
  ['Fake', 'Fake', ''],
  ['xxx', 'xxx', ''],
  ['Demo', 'Test', 'demo@example.com'],
  ['aaa', 'aaa', ''],
  ['Maria', 'Lopez', 'test@example.com'],
  ['Testing', 'User', 'testing@test.com'],
];

/** Real people whose names or addresses look like test data: all must stay patients. */
const TEST_LOOKALIKES: Array<[string, string, string]> = [
  ['Tess', 'Testa', 'tess.testa@gmail.com'],
  ['Celeste', 'Testaverde', 'celeste.t@yahoo.com'],
  ['John', 'Test', 'john.test@aol.com'],
  ['Demo', 'Karagiannis', 'demo.k@gmail.com'],
  ['Patience', 'Testerman', ''],
  ['Ann', 'Sample', 'ann.sample@outlook.com'],
  ['Contessa', 'Fuller', 'noemail@example.com'],
  ['Otis', 'Fake', ''],
];

export interface FixtureOptions {
  seed?: number;
  /** People (identities) to draw; copies come on top. */
  people: number;
  practices?: number;
  /** Share of people that get extra copies. */
  duplicateRate?: number;
  /** Include the hand-written test data, look-alikes and README names. */
  handWritten?: boolean;
}

export function labelledPatients(options: FixtureOptions): LabelledRecord[] {
  const rnd = prng(options.seed ?? 42);
  const practices = options.practices ?? 8;
  const duplicateRate = options.duplicateRate ?? 0.25;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const records: LabelledRecord[] = [];
  let key = 1;
  const add = (r: Omit<LabelledRecord, 'key'>): LabelledRecord => {
    const record = { key: String(key++), ...r };
    records.push(record);
    return record;
  };
  const ascii = (s: string): string => s.normalize('NFKD').replace(/\p{M}/gu, '').replace(/[łŁ]/g, 'l').toLowerCase().replace(/[^a-z]/g, '');
  const randomDate = (): string => {
    const d = new Date(Date.UTC(1940, 0, 1) + Math.floor(rnd() * 75 * 365.25) * 86_400_000);
    return d.toISOString().slice(0, 10);
  };
  const emailFor = (first: string, last: string): string =>
    `${ascii(first)}${pick(['.', '_', ''])}${ascii(last)}${Math.floor(rnd() * 1000)}@${pick(DOMAINS)}`;

  interface Person { identity: string; first: string; last: string; email: string | null; birthdate: string | null; sex: string | null; practice: string }
  const people: Person[] = [];
  const newPerson = (id: string, first: string, last: string, over: Partial<Person> = {}): Person => {
    const person: Person = {
      identity: id,
      first,
      last,
      email: rnd() < 0.08 ? null : emailFor(first, last),
      birthdate: randomDate(),
      sex: rnd() < 0.05 ? '' : pick(['M', 'F']),
      practice: `P${1 + Math.floor(rnd() * practices)}`,
      ...over,
    };
    people.push(person);
    return person;
  };
  const original = (p: Person): LabelledRecord =>
    add({ identity: p.identity, isTest: false, variations: [], practiceKey: p.practice, firstName: p.first, lastName: p.last, email: p.email, birthdate: p.birthdate, sex: p.sex, caseCount: Math.floor(rnd() * 4) });

  for (let i = 0; i < options.people; i++) {
    const accented = rnd() < 0.06;
    newPerson(`person-${i}`, accented ? pick(ACCENTED_FIRST) : pick(FIRST_NAMES), accented ? pick(ACCENTED_LAST) : pick(LAST_NAMES));
  }

  const validDate = (y: string, m: string, d: string): string | null => {
    const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
    return date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d) ? `${y}-${m}-${d}` : null;
  };
  const variations: Record<string, (r: LabelledRecord) => boolean> = {
    'email-case': (r) => { if (!r.email) return false; r.email = r.email.replace(/^./, (c) => c.toUpperCase()).replace(/@.*/, (d) => d.toUpperCase()); return true; },
    'email-whitespace': (r) => { if (!r.email) return false; r.email = ` ${r.email}  `; return true; },
    'name-case': (r) => { r.firstName = r.firstName?.toUpperCase() ?? null; r.lastName = r.lastName?.toLowerCase() ?? null; return true; },
    'name-whitespace': (r) => { r.firstName = ` ${r.firstName ?? ''} `; r.lastName = `${r.lastName ?? ''}  `; return true; },
    'accents-stripped': (r) => {
      const stripped = (s: string | null): string | null => s?.normalize('NFKD').replace(/\p{M}/gu, '') ?? null;
      if (stripped(r.firstName) === r.firstName && stripped(r.lastName) === r.lastName) return false;
      r.firstName = stripped(r.firstName); r.lastName = stripped(r.lastName); return true;
    },
    'birthdate-missing': (r) => { if (!r.birthdate) return false; r.birthdate = null; return true; },
    'birthdate-one-day': (r) => {
      if (!r.birthdate) return false;
      r.birthdate = new Date(Date.parse(`${r.birthdate}T00:00:00Z`) + (rnd() < 0.5 ? -1 : 1) * 86_400_000).toISOString().slice(0, 10); return true;
    },
    'birthdate-transposed': (r) => {
      if (!r.birthdate) return false;
      const [y = '', m = '', d = ''] = r.birthdate.split('-');
      const swapped = validDate(y, m, `${d[1]}${d[0]}`) ?? validDate(`${y.slice(0, 2)}${y[3]}${y[2]}`, m, d);
      if (!swapped || swapped === r.birthdate) return false;
      r.birthdate = swapped; return true;
    },
    'birthdate-day-month-swapped': (r) => {
      if (!r.birthdate) return false;
      const [y = '', m = '', d = ''] = r.birthdate.split('-');
      const swapped = validDate(y, d, m);
      if (!swapped || swapped === r.birthdate) return false;
      r.birthdate = swapped; return true;
    },
    'sex-missing': (r) => { if (!r.sex) return false; r.sex = rnd() < 0.5 ? '' : null; return true; },
    'email-missing': (r) => { if (!r.email) return false; r.email = null; return true; },
    'name-typo': (r) => {
      const name = r.lastName ?? '';
      if (name.length < 5) return false;
      const i = 1 + Math.floor(rnd() * (name.length - 3));
      const typo = name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2);
      if (typo === name) return false;
      r.lastName = typo; return true;
    },
    'names-swapped': (r) => { [r.firstName, r.lastName] = [r.lastName, r.firstName]; return true; },
  };
  // Variations that a machine must not merge on its own: a person decides (review queue).
  const hardVariations: Record<string, (r: LabelledRecord) => boolean> = {
    'birthdate-different': (r) => { if (!r.birthdate) return false; r.birthdate = randomDate(); return true; },
    'email-changed-birthdate-missing': (r) => { r.email = emailFor(r.firstName ?? '', r.lastName ?? ''); r.birthdate = null; return true; },
    'other-practice': (r) => { r.practiceKey = r.practiceKey === 'P1' ? 'P2' : 'P1'; return true; },
  };
  const easyNames = Object.keys(variations);
  const hardNames = Object.keys(hardVariations);

  const originals = people.map(original);
  for (const base of originals) {
    if (rnd() >= duplicateRate) continue;
    // One to three extra copies, one most often.
    const copies = rnd() < 0.6 ? 1 : rnd() < 0.7 ? 2 : 3;
    for (let c = 0; c < copies; c++) {
      const copy: LabelledRecord = { ...base, key: String(key++), variations: [], caseCount: Math.floor(rnd() * 3) };
      const count = 1 + (rnd() < 0.4 ? 1 : 0);
      for (let v = 0; v < count; v++) {
        const name = pick(easyNames);
        if (!copy.variations.includes(name) && variations[name]?.(copy)) copy.variations.push(name);
      }
      if (rnd() < 0.12) {
        const name = pick(hardNames);
        if (hardVariations[name]?.(copy)) copy.variations.push(name);
      }
      records.push(copy);
    }
  }

  // Homonyms: a different person with exactly the same name (other birthdate and address).
  for (let i = 0; i < Math.max(2, Math.round(options.people * 0.04)); i++) {
    const twin = pick(people.slice(0, options.people));
    const homonym = newPerson(`homonym-${i}`, twin.first, twin.last, { practice: twin.practice, sex: twin.sex });
    original(homonym).variations.push(`homonym-of-${twin.identity}`);
  }
  // Families: three people, one surname, one address.
  for (let i = 0; i < Math.max(1, Math.round(options.people * 0.01)); i++) {
    const last = pick(LAST_NAMES);
    const email = `${ascii(last)}.family${i}@${pick(DOMAINS)}`;
    const practice = `P${1 + Math.floor(rnd() * practices)}`;
    for (let k = 0; k < 3; k++) original(newPerson(`family-${i}-${k}`, pick(FIRST_NAMES), last, { email, practice })).variations.push('family-address');
  }
  // Twins: same surname, birthdate, address and practice; different first names.
  for (let i = 0; i < Math.max(1, Math.round(options.people * 0.01)); i++) {
    const last = pick(LAST_NAMES);
    const shared = { email: `${ascii(last)}.twins${i}@${pick(DOMAINS)}`, birthdate: randomDate(), practice: `P${1 + Math.floor(rnd() * practices)}` };
    const firstA = pick(FIRST_NAMES);
    let firstB = pick(FIRST_NAMES);
    while (firstB === firstA) firstB = pick(FIRST_NAMES);
    original(newPerson(`twin-${i}-a`, firstA, last, { ...shared, sex: 'F' })).variations.push('twin');
    original(newPerson(`twin-${i}-b`, firstB, last, { ...shared, sex: 'M' })).variations.push('twin');
  }

  if (options.handWritten ?? true) {
    for (const [first, last, email] of TEST_DATA) {
      add({ identity: `test-${key}`, isTest: true, variations: ['test-data'], practiceKey: 'P1', firstName: first, lastName: last, email: email || null, birthdate: null, sex: '', caseCount: 1 });
    }
    for (const [first, last, email] of TEST_LOOKALIKES) {
      original(newPerson(`lookalike-${first}-${last}`, first, last, { email: email || null })).variations.push('looks-like-test-data');
    }
    // The README's duplicates, by hand.
    const sierra = { identity: 'sierra-green', isTest: false, practiceKey: 'P3', firstName: 'Sierra', lastName: 'Green', sex: 'F' };
    add({ ...sierra, variations: [], email: 'sierra.green@gmail.com', birthdate: '1991-06-23', caseCount: 2 });
    add({ ...sierra, variations: ['email-case', 'birthdate-missing'], email: 'Sierra.Green@Gmail.com', birthdate: null, caseCount: 1 });
    add({ ...sierra, variations: ['email-whitespace', 'birthdate-one-day'], email: ' sierra.green@gmail.com ', birthdate: '1991-06-22', caseCount: 0 });
    const tori = { identity: 'tori-nolen', isTest: false, practiceKey: 'P4', firstName: 'Tori', lastName: 'Nolen', sex: 'F' };
    add({ ...tori, variations: [], email: 'tnolen@yahoo.com', birthdate: '1986-02-14', caseCount: 1 });
    add({ ...tori, variations: ['name-case'], firstName: 'TORI', lastName: 'nolen', email: 'TNolen@yahoo.com', birthdate: '1986-02-14', caseCount: 3 });
    add({ ...tori, variations: ['birthdate-transposed'], email: 'tnolen@yahoo.com', birthdate: '1968-02-14', caseCount: 1 });
    add({ identity: 'tori-nolen-homonym', isTest: false, practiceKey: 'P4', firstName: 'Tori', lastName: 'Nolen', sex: 'F', variations: ['homonym-of-tori-nolen'], email: 'tori.n@outlook.com', birthdate: '2003-09-09', caseCount: 1 });
  }
  return records;
}
