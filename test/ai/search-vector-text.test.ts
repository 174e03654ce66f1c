/**
 * search_page()'s query vector text (session 12, s-api): float4VectorText writes a model's float4
 * values as 9-digit decimals instead of join()'s ~17-digit ones. search_page() reads the text only
 * as `vector` and `halfvec` (db 0152); both must come out the same as from join()'s text, value for
 * value, in PostgreSQL's own parser (pgvector's strtof), not only in JavaScript's. Reads only.
 */
import pg from 'pg';
import { guardClient } from '../../src/db/connection-errors';
import { float4VectorText } from '../../src/repositories/search.repository';
import { testEnv } from '../support/env';

let client: pg.Client;
beforeAll(async () => {
  client = guardClient(new pg.Client({ connectionString: testEnv().databaseUrl }));
  await client.connect();
});
afterAll(() => client.end());

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('vector and halfvec read from float4VectorText equal those read from join(), for unit vectors and every float4 exponent', async () => {
  const next = lcg(7);
  const vectors: number[][] = [];
  // Unit vectors of 384 float4 values, as a model returns them.
  for (let k = 0; k < 50; k++) {
    const raw = Array.from({ length: 384 }, () => next() - 0.5);
    const norm = Math.hypot(...raw);
    vectors.push(raw.map((x) => Math.fround(x / norm)));
  }
  // Every binary exponent a halfvec holds and beyond (pgvector's vector takes any finite float4),
  // values next to powers of ten, and numbers that are not float4 values (written as join() did).
  vectors.push(Array.from({ length: 256 }, (_, i) => Math.fround((i % 2 ? -1 : 1) * (1 + next()) * 2 ** (i - 140))));
  vectors.push(Array.from({ length: 70 }, (_, i) => Math.fround(Number(`1e${i - 35}`) * (1 - 2 ** -24))));
  vectors.push([0.1, 1 / 3, -0.123456789012345, 0, 1e-300]);
  const halfSafe = (v: number[]) => v.map((x) => (Math.abs(x) > 65000 ? 1 : x));
  const mine = vectors.map(float4VectorText);
  const joined = vectors.map((v) => `[${v.join(',')}]`);
  const halfMine = vectors.map((v) => float4VectorText(halfSafe(v)));
  const halfJoined = vectors.map((v) => `[${halfSafe(v).join(',')}]`);
  const r = await client.query<{ i: number; vec: boolean; vtext: boolean; half: boolean }>(
    `SELECT i::int, a::vector = b::vector AS vec, a::vector::text = b::vector::text AS vtext, c::halfvec = d::halfvec AS half
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS t(a, b, c, d, i)`,
    [mine, joined, halfMine, halfJoined],
  );
  expect(r.rows).toHaveLength(vectors.length);
  expect(r.rows.filter((x) => !x.vec || !x.vtext || !x.half)).toEqual([]);
  // And the text is shorter for a model's vector: less to send and for the server to scan.
  expect(mine[0]!.length).toBeLessThan(joined[0]!.length * 0.8);
});
