/** STL files written byte by byte for tests (binary and ASCII), with a mesh of known extent. */
export type Tri = [[number, number, number], [number, number, number], [number, number, number]];

/** Three triangles with known extremes (box). */
export const mesh: Tri[] = [
  [[0, 0, 0], [10.5, 0, 0], [0, 7.25, 0]],
  [[0, 0, 0], [0, 7.25, 0], [0, 0, -3]],
  [[10.5, 0, 0], [0, 7.25, 0], [-2, 1, 4.5]],
];
export const box = { min: { x: -2, y: 0, z: -3 }, max: { x: 10.5, y: 7.25, z: 4.5 } };

export function binaryStl(tris: Tri[], header = 'binary stl written by the test'): Buffer {
  const b = Buffer.alloc(84 + 50 * tris.length);
  b.write(header.slice(0, 80), 0, 'ascii');
  b.writeUInt32LE(tris.length, 80);
  tris.forEach((t, i) => {
    const off = 84 + i * 50;
    [0, 0, 1].forEach((n, k) => b.writeFloatLE(n, off + k * 4));
    t.forEach((v, j) => v.forEach((c, k) => b.writeFloatLE(c, off + 12 + j * 12 + k * 4)));
    b.writeUInt16LE(0, off + 48);
  });
  return b;
}

export function asciiStl(tris: Tri[]): Buffer {
  const facets = tris
    .map((t) => `  facet normal 0 0 1\n    outer loop\n${t.map((v) => `      vertex ${v.map((c) => c.toExponential(6)).join(' ')}`).join('\n')}\n    endloop\n  endfacet`)
    .join('\n');
  return Buffer.from(`solid part\n${facets}\nendsolid part\n`, 'ascii');
}

