import { dedupPatients, pairKey } from './dedup';
import { birthdateTypo } from './compare';
import { jaroWinkler, normalizeEmail, normalizeName, soundex } from './normalize';
import { detectTestData } from './test-data';
import { type MatchPair, type PatientRecord } from './types';

let nextKey = 1;
function rec(over: Partial<PatientRecord>): PatientRecord {
  return {
    key: String(nextKey++),
    practiceKey: 'P1',
    firstName: 'Sierra',
    lastName: 'Green',
    email: 'sierra.green@mail.com',
    birthdate: '1990-04-12',
    sex: 'F',
    caseCount: 1,
    ...over,
  };
}

function pairOf(pairs: MatchPair[], x: PatientRecord, y: PatientRecord): MatchPair | undefined {
  const [a, b] = pairKey(x.key, y.key).split('|');
  return pairs.find((p) => p.a === a && p.b === b);
}

describe('normalisation', () => {
  it('folds case, accents and whitespace in names and emails', () => {
    expect(normalizeName('  José   MARÍA-López ')).toBe('jose maria lopez');
    expect(normalizeName('Groß')).toBe('gross');
    expect(normalizeEmail(' Sierra.Green@Mail.COM ')).toBe('sierra.green@mail.com');
    expect(normalizeEmail('sierra. green @mail.com')).toBe('sierra.green@mail.com');
    expect(normalizeEmail('not-an-address')).toBeNull();
  });

  it('soundex puts spelling variants together', () => {
    expect(soundex('green')).toBe(soundex('gren'));
    expect(soundex('robert')).toBe('R163');
    expect(soundex('ashcraft')).toBe('A261');
    expect(soundex('tymczak')).toBe('T522');
    expect(soundex('green')).not.toBe(soundex('brown'));
  });

  it('jaro-winkler scores typos high and different names low', () => {
    expect(jaroWinkler('martha', 'marhta')).toBeCloseTo(0.961, 3);
    expect(jaroWinkler('sierra', 'sierra')).toBe(1);
    expect(jaroWinkler('sierra', 'tori')).toBeLessThan(0.6);
  });

  it('recognises birthdate typos but not arbitrary other dates', () => {
    expect(birthdateTypo('1990-04-12', '1990-04-13')).toMatch(/one day/);
    expect(birthdateTypo('1990-12-31', '1991-01-01')).toMatch(/one day/);
    expect(birthdateTypo('1990-04-12', '1990-12-04')).toMatch(/swapped/);
    expect(birthdateTypo('1985-04-12', '1958-04-12')).toMatch(/transposed/);
    expect(birthdateTypo('1990-04-12', '1990-04-18')).toMatch(/one digit/);
    expect(birthdateTypo('1990-04-12', '1972-09-30')).toBeNull();
  });
});

describe('test data', () => {
  it.each([
    ['Test', 'Test', null],
    ['test', 'patient', null],
    ['TEST2', 'Patient', null],
    ['asdf', 'asdf', null],
    ['Asdf', 'Qwerty', 'a@b.com'],
    ['Dummy', 'User', null],
    ['aaa', 'bbb', null],
    ['Maria', 'Lopez', 'test@example.com'],
    ['Maria', 'Lopez', 'Test.Test@Test.com'],
  ])('%s %s <%s> is test data', (first, last, email) => {
    expect(detectTestData(first, last, email)).not.toBeNull();
  });

  it.each([
    ['Tess', 'Testa', 'tess.testa@example.com'],
    ['Celeste', 'Testaverde', null],
    ['John', 'Test', null],
    ['Patient', 'Zero', null],
    ['Demo', 'Smith', null],
    ['John', 'Doe', null],
    ['Maria', 'Lopez', 'noemail@example.com'],
    ['Maria', 'Lopez', 'test@gmail.com'],
    ['Contessa', 'Fasttest', null],
  ])('%s %s <%s> is a person', (first, last, email) => {
    expect(detectTestData(first, last, email)).toBeNull();
  });

  it('sets test data aside and never pairs it', () => {
    const t1 = rec({ firstName: 'Test', lastName: 'Test', email: 'test@example.com' });
    const t2 = rec({ firstName: 'test', lastName: ' TEST', email: 'TEST@example.com' });
    const real = rec({ firstName: 'Tess', lastName: 'Testa', email: 'tess@example.com' });
    const result = dedupPatients([t1, t2, real]);
    expect(result.testData.map((t) => t.key).sort()).toEqual([t1.key, t2.key].sort());
    expect(result.testData[0]?.reason).toMatch(/test words/);
    expect(result.pairs).toEqual([]);
    expect(result.clusters).toEqual([]);
  });
});

describe('dedupPatients', () => {
  it('merges copies that differ in case, accents, whitespace and email case', () => {
    const a = rec({ firstName: 'José', lastName: 'Álvarez', email: 'Jose.Alvarez@Mail.com', caseCount: 0 });
    const b = rec({ firstName: ' jose ', lastName: 'ALVAREZ', email: ' jose.alvarez@mail.com', caseCount: 2 });
    const result = dedupPatients([a, b]);
    const pair = pairOf(result.pairs, a, b);
    expect(pair?.grade).toBe('certain');
    expect(pair?.evidence.find((e) => e.field === 'name')?.outcome).toBe('agree');
    expect(pair?.evidence.find((e) => e.field === 'email')?.outcome).toBe('agree');
    // The copy with the cases survives.
    expect(result.clusters).toEqual([[b.key, a.key]]);
  });

  it('merges a copy without birthdate and one with a birthdate typo, with the evidence saying so', () => {
    const a = rec({});
    const b = rec({ email: 'SIERRA.GREEN@mail.com ', birthdate: null, sex: '' });
    const c = rec({ birthdate: '1990-04-21' });
    const result = dedupPatients([a, b, c]);
    expect(pairOf(result.pairs, a, b)?.grade).toBe('certain');
    expect(pairOf(result.pairs, a, b)?.evidence.find((e) => e.field === 'birthdate')).toMatchObject({ outcome: 'missing', weight: 0 });
    const ac = pairOf(result.pairs, a, c);
    expect(ac?.grade).toBe('certain');
    expect(ac?.evidence.find((e) => e.field === 'birthdate')).toMatchObject({ outcome: 'partial', detail: expect.stringMatching(/transposed/) });
    expect(result.clusters).toHaveLength(1);
    expect([...(result.clusters[0] ?? [])].sort()).toEqual([a.key, b.key, c.key].sort());
  });

  it('queues a copy whose birthdate is wholly different instead of merging it', () => {
    const a = rec({});
    const b = rec({ birthdate: '1971-09-30' });
    const result = dedupPatients([a, b]);
    const pair = pairOf(result.pairs, a, b);
    expect(pair?.grade).toBe('probable');
    expect(pair?.evidence.find((e) => e.field === 'birthdate')).toMatchObject({ outcome: 'disagree', weight: expect.any(Number) });
    expect(pair?.evidence.find((e) => e.field === 'birthdate')?.weight).toBeLessThan(0);
    expect(result.clusters).toEqual([]);
  });

  it('keeps homonyms apart: same name, different birthdate and email', () => {
    const a = rec({ firstName: 'Tori', lastName: 'Nolen', email: 'tori@a.com', birthdate: '1980-01-01' });
    const b = rec({ firstName: 'Tori', lastName: 'Nolen', email: 'tnolen@b.org', birthdate: '2004-07-19' });
    const result = dedupPatients([a, b]);
    expect(pairOf(result.pairs, a, b)).toBeUndefined();
    expect(result.clusters).toEqual([]);
  });

  it('grades a homonym with the same practice and sex no match, and a name match alone never probable', () => {
    // Same name, practice and sex: everything a homonym can share without being the person.
    const a = rec({ firstName: 'Tori', lastName: 'Nolen', email: 'tori@a.com', birthdate: '1980-01-01', sex: 'F', practiceKey: 'P7' });
    const b = rec({ firstName: 'Tori', lastName: 'Nolen', email: 'tnolen@b.org', birthdate: '2004-07-19', sex: 'F', practiceKey: 'P7' });
    // A copy with nothing but the name (and practice, sex) to go on.
    const c = rec({ firstName: 'Tori', lastName: 'Nolen', email: null, birthdate: null, sex: 'F', practiceKey: 'P7' });
    const result = dedupPatients([a, b, c]);
    expect(pairOf(result.pairs, a, b)).toBeUndefined();
    for (const other of [a, b]) expect(pairOf(result.pairs, other, c)?.grade ?? 'no match').not.toMatch(/certain|probable/);
    expect(result.clusters).toEqual([]);
  });

  it('weighs a name that many people here bear less (term frequency), and says so', () => {
    // 40 different "Emma Davis" (distinct birthdates and addresses) in one lab of 200 patients.
    const lab: PatientRecord[] = [];
    for (let i = 0; i < 40; i++) lab.push(rec({ firstName: 'Emma', lastName: 'Davis', email: `emma${i}@x.com`, birthdate: `19${50 + i}-03-0${1 + (i % 9)}`, practiceKey: `P${i}` }));
    for (let i = 0; i < 160; i++) lab.push(rec({ firstName: `Name${i}`, lastName: `Other${i}`, email: `o${i}@x.com`, birthdate: `1970-0${1 + (i % 9)}-1${i % 10}`, practiceKey: `P${i}` }));
    // Two more Emma Davis with one birthdate and practice, other addresses: likely different people here.
    const x = rec({ firstName: 'Emma', lastName: 'Davis', email: 'ed@one.com', birthdate: '1999-12-31', practiceKey: 'Q1' });
    const y = rec({ firstName: 'Emma', lastName: 'Davis', email: 'davis.e@two.org', birthdate: '1999-12-31', practiceKey: 'Q1' });
    // And two copies of a rare name with the same evidence.
    const r1 = rec({ firstName: 'Zebulon', lastName: 'Quist', email: 'zq@one.com', birthdate: '1999-12-30', practiceKey: 'Q1' });
    const r2 = rec({ firstName: 'Zebulon', lastName: 'Quist', email: 'zquist@two.org', birthdate: '1999-12-30', practiceKey: 'Q1' });
    const result = dedupPatients([...lab, x, y, r1, r2]);
    const common = pairOf(result.pairs, x, y);
    const rare = pairOf(result.pairs, r1, r2);
    expect(common?.evidence[0]).toMatchObject({ field: 'name', outcome: 'agree', detail: expect.stringMatching(/common one here/) });
    expect(common!.evidence[0]!.weight).toBeLessThan(rare!.evidence[0]!.weight);
    expect(common!.grade).toBe('possible');
    expect(rare!.grade).toBe('probable');
  });

  it('matches name typos and swapped names, and leaves the evidence readable', () => {
    const a = rec({ firstName: 'Tori', lastName: 'Nolen', email: 'tori.nolen@x.com' });
    const b = rec({ firstName: 'Tory', lastName: 'Nolen', email: 'tori.nolen@x.com' });
    const c = rec({ firstName: 'Nolen', lastName: 'Tori', email: 'tori.nolen@x.com' });
    const result = dedupPatients([a, b, c]);
    expect(pairOf(result.pairs, a, b)?.evidence[0]).toMatchObject({ field: 'name', outcome: 'partial' });
    expect(pairOf(result.pairs, a, c)?.evidence[0]).toMatchObject({ field: 'name', outcome: 'partial', detail: 'first and last name swapped' });
    expect(pairOf(result.pairs, a, b)?.grade).toBe('certain');
  });

  it('never merges across practices automatically', () => {
    const a = rec({ practiceKey: 'P1' });
    const b = rec({ practiceKey: 'P2' });
    const result = dedupPatients([a, b]);
    expect(pairOf(result.pairs, a, b)).toMatchObject({ grade: 'probable', note: expect.stringMatching(/different practices/) });
    expect(result.clusters).toEqual([]);
  });

  it('does not chain two different people through a copy that lacks the deciding field', () => {
    const a = rec({ birthdate: '1990-04-12' });
    const bridge = rec({ birthdate: null });
    const c = rec({ birthdate: '1966-11-02' });
    const result = dedupPatients([a, bridge, c]);
    expect(pairOf(result.pairs, a, bridge)?.score).toBeGreaterThanOrEqual(22);
    expect(pairOf(result.pairs, bridge, c)?.score).toBeGreaterThanOrEqual(22);
    expect(result.clusters).toHaveLength(1);
    const cluster = result.clusters[0] ?? [];
    expect(cluster).toContain(bridge.key);
    expect(cluster.includes(a.key) && cluster.includes(c.key)).toBe(false);
    const heldBack = result.pairs.filter((p) => p.note?.startsWith('not merged automatically'));
    expect(heldBack).toHaveLength(1);
    expect(heldBack[0]?.grade).toBe('probable');
  });

  it('never proposes or merges a rejected pair, not even through a third copy', () => {
    const a = rec({});
    const b = rec({});
    const c = rec({});
    const rejected = new Set([pairKey(a.key, b.key)]);
    const result = dedupPatients([a, b, c], { rejectedPairs: rejected });
    expect(pairOf(result.pairs, a, b)).toBeUndefined();
    expect(pairOf(result.pairs, a, c)?.grade).toBe('certain');
    for (const cluster of result.clusters) expect(cluster.includes(a.key) && cluster.includes(b.key)).toBe(false);
    // Either order of the rejected key is honoured.
    const reversed = dedupPatients([a, b], { rejectedPairs: new Set([`${b.key}|${a.key}`]) });
    expect(reversed.pairs).toEqual([]);
  });

  it('gives a family address no weight', () => {
    const mom = rec({ firstName: 'Ann', lastName: 'Ray', email: 'ray.family@mail.com', birthdate: '1970-01-05' });
    const kid1 = rec({ firstName: 'Bo', lastName: 'Ray', email: 'ray.family@mail.com', birthdate: '2008-03-03' });
    const kid2 = rec({ firstName: 'Cy', lastName: 'Ray', email: 'ray.family@mail.com', birthdate: '2010-06-06' });
    const kid2copy = rec({ firstName: 'Cy', lastName: 'Ray', email: 'ray.family@mail.com', birthdate: '2010-06-06' });
    const result = dedupPatients([mom, kid1, kid2, kid2copy]);
    expect(pairOf(result.pairs, mom, kid1)).toBeUndefined();
    expect(pairOf(result.pairs, kid2, kid2copy)?.evidence.find((e) => e.field === 'email')).toMatchObject({ outcome: 'missing', weight: 0 });
    expect(result.clusters).toEqual([[kid2.key, kid2copy.key]]);
  });

  it('scores only blocked pairs: far fewer than all pairs', () => {
    const records: PatientRecord[] = [];
    for (let i = 0; i < 400; i++) {
      records.push(rec({ firstName: `Name${i}`.replace(/\d/g, (d) => 'abcdefghij'[Number(d)] as string), lastName: `Family${i % 50}`.replace(/\d/g, (d) => 'klmnopqrst'[Number(d)] as string), email: `p${i}@mail.com`, birthdate: null }));
    }
    const result = dedupPatients(records);
    expect(result.stats?.allPairs).toBe((400 * 399) / 2);
    expect(result.stats?.candidatePairs).toBeLessThan((result.stats?.allPairs ?? 0) / 10);
  });

  it('skips oversized blocks but still finds duplicates through other keys', () => {
    const shared = Array.from({ length: 30 }, (_, i) => rec({ firstName: 'Ann', lastName: 'Lee', email: `ann${i}@x.com`, birthdate: `19${50 + i}-01-01` }));
    const dupe = rec({ firstName: 'Ann', lastName: 'Lee', email: 'ann3@x.com', birthdate: '1953-01-01' });
    const result = dedupPatients([...shared, dupe], { maxBlockSize: 10 });
    expect(result.stats?.oversizedBlocks).toBeGreaterThan(0);
    expect(pairOf(result.pairs, shared[3] as PatientRecord, dupe)?.grade).toBe('certain');
  });

  it('rejects duplicate record keys', () => {
    const a = rec({});
    expect(() => dedupPatients([a, { ...a }])).toThrow(/duplicate record key/);
  });
});
