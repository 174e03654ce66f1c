/** The pure parts of the input rules (no servers needed; here because they import the HTTP edge, whose Temporal client keeps a unit worker alive). */
import { codePoints, decodeCursor, encodeCursor, FILE_NAME, NON_BLANK, trimBlank } from '../../src/api/common';
import { inspect, MAX_JSON_DEPTH } from '../../src/api/input-guard';
import { pathMethods } from '../../src/api/method-not-allowed';

describe('inspect', () => {
  test('finds a NUL in a nested string or key, with its path', () => {
    expect(inspect({ a: [1, { b: 'x\u0000' }] })).toEqual({ kind: 'nul', path: ['a', 1, 'b'] });
    expect(inspect({ a: { ['k\u0000']: 1 } })).toEqual({ kind: 'nul', path: ['a', 'k\u0000'] });
    expect(inspect({ a: 'clean', b: [null, true, 1.5] })).toBeNull();
  });

  test(`allows ${MAX_JSON_DEPTH} levels and refuses one more, without recursion`, () => {
    const nest = (n: number): unknown => (n === 0 ? 1 : [nest(n - 1)]);
    expect(inspect(nest(MAX_JSON_DEPTH))).toBeNull();
    expect(inspect(nest(MAX_JSON_DEPTH + 1))?.kind).toBe('depth');
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(inspect(deep)?.kind).toBe('depth');
  });
});

describe('strings as the document states them', () => {
  test('blank means exactly what String.prototype.trim removes', () => {
    for (const c of [' ', '\t', '\n', '\u00a0', '\u2000', '\u3000', '\ufeff', '\u2028']) {
      expect(NON_BLANK.test(c)).toBe(false);
      expect(c.trim()).toBe('');
    }
    expect(NON_BLANK.test('\u0085')).toBe(true); // NEL: not whitespace to ECMAScript
    expect(trimBlank('\u3000 a b \ufeff')).toBe('a b');
  });

  test('lengths count code points, as JSON Schema does', () => {
    expect(codePoints('😀😀')).toBe(2);
    expect(codePoints('ab')).toBe(2);
    expect(codePoints('\ud800x')).toBe(2); // a lone surrogate is one
  });

  test('file names: no slash, backslash or control character, not blank', () => {
    expect(FILE_NAME.test('scan 1.stl')).toBe(true);
    for (const bad of ['a/b', 'a\\b', 'a\u0001', '   ', '']) expect(FILE_NAME.test(bad)).toBe(false);
  });

  test('cursors round-trip microseconds and any PostgreSQL offset', () => {
    const id = '6ecf1b59-6bd2-4c64-ac7d-2954d0e6c058';
    expect(decodeCursor(encodeCursor('2026-11-26 05:20:01.123456+00', id))).toEqual({ createdAt: '2026-11-26T05:20:01.123456Z', id });
    expect(decodeCursor(encodeCursor('2026-11-26 05:20:01+05:30', id))?.createdAt).toBe('2026-11-25T23:50:01.000000Z');
    expect(() => decodeCursor('not-a-cursor')).toThrow('The cursor is invalid.');
  });
});

describe('pathMethods', () => {
  test('a literal path wins over a parameter in the same place', () => {
    const table = pathMethods({ paths: { '/t/{id}': { get: {} }, '/t/validate': { post: {} } } });
    expect(table.find((p) => p.re.test('/t/validate'))?.allow).toBe('POST');
    expect(table.find((p) => p.re.test('/t/123'))?.allow).toBe('GET, HEAD');
  });
});
