/**
 * float4VectorText (session 12, s-api): the query vector's text for search_page(), which pgvector
 * reads with strtof. Each float4 value must read back as exactly itself; anything else is written
 * as Array.join() wrote it. (A 9-digit decimal lies within 5e-9 relative of its float4, far from
 * the midpoints between float4s, so Math.fround(Number(token)) is what strtof(token) gives.)
 */
import { float4VectorText } from './search.repository';

const tokens = (text: string) => text.slice(1, -1).split(',');

/** A deterministic generator (no Math.random: the same cases every run). */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('every float4 value reads back as itself, across the whole exponent range and both signs', () => {
  const next = lcg(12);
  const values: number[] = [];
  // Every binary exponent of a normal float4, and subnormals, with random mantissas.
  for (let exp = -149; exp <= 127; exp++) for (let k = 0; k < 40; k++) values.push(Math.fround((next() < 0.5 ? -1 : 1) * (1 + next()) * 2 ** exp));
  // Values next to powers of ten, where log10's estimate of the exponent may be off by one.
  for (let p = -40; p <= 38; p++) {
    const v = Math.fround(Number(`1e${p}`));
    values.push(v, Math.fround(v * (1 + 2 ** -23)), Math.fround(v * (1 - 2 ** -24)), -v);
  }
  // What a model returns: a unit vector of float4 values.
  for (let i = 0; i < 4000; i++) values.push(Math.fround((next() - 0.5) / 10));
  const text = float4VectorText(values);
  const got = tokens(text);
  expect(got).toHaveLength(values.length);
  const wrong = values.filter((v, i) => Math.fround(Number(got[i])) !== Math.fround(v) || !/^-?[0-9.e+-]+$/.test(got[i]!));
  expect(wrong).toEqual([]);
  // Shorter than the doubles' shortest decimals join() wrote (~17 digits each for a float4 value).
  expect(text.length).toBeLessThan(`[${values.join(',')}]`.length);
});

test('numbers that are not float4 values, zero and non-finite ones are written as join() wrote them', () => {
  const values = [0, -0, 0.1, -0.123456789012345, 1 / 3, 1e-300, 5e300, Number.MIN_VALUE, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  expect(float4VectorText(values)).toBe(`[${values.join(',')}]`);
  expect(float4VectorText([])).toBe('[]');
});

test('integers are written as join() wrote them (bench:search sends integer vectors)', () => {
  const ints = [0, -0, 1, -1, 7, -76, 99, 100, -1000, 123456, 99999999, 100000000, -999999999, 999999999];
  expect(float4VectorText(ints)).toBe(`[${ints.join(',')}]`);
  // Larger ones are float4 values like any other: the same float4 back.
  const large = [2 ** 30, 1e9, -(2 ** 31), 2 ** 31, 2 ** 53].map(Math.fround);
  expect(tokens(float4VectorText(large)).map((t) => Math.fround(Number(t)))).toEqual(large);
  const next = lcg(3);
  const synthetic = Array.from({ length: 384 }, () => Math.round((next() * 2 - 1) * 76));
  expect(float4VectorText(synthetic)).toBe(`[${synthetic.join(',')}]`);
});

test('a float4 value is 9 significant digits with an exponent; the buffer grows for long vectors', () => {
  expect(float4VectorText([0.5, -0.25, 1.5, Math.fround(0.1)])).toBe('[500000000e-9,-250000000e-9,150000000e-8,100000001e-9]');
  const long = Array.from({ length: 5000 }, (_, i) => Math.fround(-1 / (i + 1)));
  const got = tokens(float4VectorText(long));
  expect(got.map((t) => Math.fround(Number(t)))).toEqual(long);
  // The same buffer serves the next, shorter call.
  expect(float4VectorText([1.5, 2.5])).toBe('[150000000e-8,250000000e-8]');
});
