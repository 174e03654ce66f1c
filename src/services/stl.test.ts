import { InvalidStlError, isStl, readStlMetadata } from './stl';
import { asciiStl, binaryStl, box, mesh, type Tri } from '../../test/support/stl-files';

/** The same bytes in chunks of `size` (records and tokens split across chunk boundaries). */
const chunked = (b: Buffer, size: number) => Array.from({ length: Math.ceil(b.length / size) }, (_, i) => b.subarray(i * size, (i + 1) * size));

describe('STL metadata', () => {
  test.each([1, 7, 50, 4096])('binary, in chunks of %i bytes: triangles and bounding box', (size) => {
    expect(readStlMetadata(chunked(binaryStl(mesh), size))).toEqual({ format: 'binary', triangleCount: 3, boundingBox: box });
  });

  test('a binary file whose header begins with "solid" is still binary (size decides)', () => {
    expect(readStlMetadata(binaryStl(mesh, 'solid exported by a CAD tool'))).toEqual({ format: 'binary', triangleCount: 3, boundingBox: box });
  });

  test.each([1, 5, 13, 4096])('ASCII, in chunks of %i bytes: triangles and bounding box', (size) => {
    expect(readStlMetadata(chunked(asciiStl(mesh), size))).toEqual({ format: 'ascii', triangleCount: 3, boundingBox: box });
  });

  test('ASCII keywords in any case, CRLF line ends, no trailing newline', () => {
    const text = asciiStl(mesh).toString('ascii').replace(/\n/g, '\r\n').toUpperCase().trimEnd();
    expect(readStlMetadata(Buffer.from(text))).toEqual({ format: 'ascii', triangleCount: 3, boundingBox: box });
  });

  test('empty meshes: no bounding box', () => {
    expect(readStlMetadata(binaryStl([]))).toEqual({ format: 'binary', triangleCount: 0, boundingBox: null });
    expect(readStlMetadata(Buffer.from('solid empty\nendsolid empty\n'))).toEqual({ format: 'ascii', triangleCount: 0, boundingBox: null });
  });

  test('a larger generated binary mesh', () => {
    const tris: Tri[] = Array.from({ length: 5000 }, (_, i) => [[i, 0, 0], [i, 1, 0], [i, 0, -i / 10]]);
    const r = readStlMetadata(chunked(binaryStl(tris), 65536));
    expect(r.triangleCount).toBe(5000);
    expect(r.boundingBox).toEqual({ min: { x: 0, y: 0, z: Math.fround(-499.9) }, max: { x: 4999, y: 1, z: 0 } });
  });

  test.each([
    ['a truncated binary file', binaryStl(mesh).subarray(0, 84 + 75), /declaring 3 triangles has 234 bytes, this one 159/],
    ['a binary file with extra bytes', Buffer.concat([binaryStl(mesh), Buffer.alloc(10)]), /declaring 3 triangles/],
    ['a PDF', Buffer.from('%PDF-1.4 hello'), /not an STL file/],
    ['ASCII without endsolid', Buffer.from(asciiStl(mesh).toString().replace(/endsolid part\n$/, '')), /no "endsolid"/],
    ['ASCII with a bad coordinate', Buffer.from(asciiStl(mesh).toString().replace('vertex 0.000000e+0', 'vertex abc')), /not a number/],
    ['ASCII with a vertex missing', Buffer.from(asciiStl(mesh).toString().replace(/\n\s*vertex [^\n]+\n(\s*endloop)/, '\n$1')), /3 facets but 8 vertices/],
  ])('%s is refused', (_what, bytes, message) => {
    let err: unknown;
    try {
      readStlMetadata(bytes);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidStlError);
    expect((err as Error).message).toMatch(message);
  });

  test('isStl by type or name', () => {
    expect(isStl('model/stl', 'x.bin')).toBe(true);
    expect(isStl('application/sla', 'x')).toBe(true);
    expect(isStl('application/octet-stream', 'Upper.STL')).toBe(true);
    expect(isStl('model/obj', 'x.obj')).toBe(false);
  });
});
