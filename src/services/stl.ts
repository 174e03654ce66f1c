/**
 * STL metadata (triangle count, bounding box) read in one pass while the upload streams into
 * storage, binary and ASCII.
 *
 * Why not a library: the STL parsers on npm (@amandaghassaei/stl-parser, three's STLLoader, stl)
 * take the whole file as one ArrayBuffer and build vertex arrays. Uploads are streamed to storage
 * up to MAX_UPLOAD_BYTES (200 MB by default) and must not be held in memory; the two facts we keep
 * need a running counter and six running extremes, nothing else. Both formats are small:
 * binary = 80-byte header, uint32 LE count, count × 50-byte records (normal, 3 vertices as
 * float32 LE, uint16 attribute); ASCII = `solid … facet normal … outer loop vertex x y z ×3
 * endloop endfacet … endsolid`.
 *
 * Which format: a file is binary when its size is exactly 84 + 50 × the declared count (the test
 * three.js uses), since binary files may also begin with "solid". Until the end is known both
 * readers run; the ASCII reader stops at the first byte no ASCII STL contains (NUL, or above 0x7E),
 * which binary data hits within its first records.
 */
import { Transform } from 'node:stream';

export interface BoundingBox {
  min: { x: number; y: number; z: number };
  max: { x: number; y: number; z: number };
}

export interface StlMetadata {
  format: 'binary' | 'ascii';
  triangleCount: number;
  /** null for a file without triangles. */
  boundingBox: BoundingBox | null;
}

export class InvalidStlError extends Error {}

class Extent {
  min = [Infinity, Infinity, Infinity];
  max = [-Infinity, -Infinity, -Infinity];
  add(x: number, y: number, z: number): void {
    const v = [x, y, z];
    for (let i = 0; i < 3; i++) {
      if (v[i]! < this.min[i]!) this.min[i] = v[i]!;
      if (v[i]! > this.max[i]!) this.max[i] = v[i]!;
    }
  }
  box(): BoundingBox | null {
    if (this.min[0] === Infinity) return null;
    return { min: { x: this.min[0]!, y: this.min[1]!, z: this.min[2]! }, max: { x: this.max[0]!, y: this.max[1]!, z: this.max[2]! } };
  }
}

/** Binary records, chunk by chunk (a record may span chunks: the remainder is carried). */
class BinaryReader {
  private header = Buffer.alloc(0);
  private carry = Buffer.alloc(0);
  declared: number | null = null;
  records = 0;
  bytes = 0;
  /** A non-finite coordinate: not a usable binary STL. */
  nonFinite = false;
  readonly extent = new Extent();

  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.declared === null) {
      const need = 84 - this.header.length;
      this.header = Buffer.concat([this.header, chunk.subarray(0, need)]);
      chunk = chunk.subarray(need);
      if (this.header.length < 84) return;
      this.declared = this.header.readUInt32LE(80);
    }
    let buf = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    let off = 0;
    for (; off + 50 <= buf.length; off += 50) {
      this.records += 1;
      if (this.records > this.declared) continue; // more bytes than declared: judged at the end by size
      for (let v = 0; v < 3; v++) {
        const at = off + 12 + v * 12;
        const x = buf.readFloatLE(at);
        const y = buf.readFloatLE(at + 4);
        const z = buf.readFloatLE(at + 8);
        if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) this.nonFinite = true;
        else this.extent.add(x, y, z);
      }
    }
    buf = buf.subarray(off);
    this.carry = Buffer.from(buf);
  }

  /** Exactly 84 + 50 × declared bytes with finite coordinates. */
  valid(): boolean {
    return this.declared !== null && this.bytes === 84 + 50 * this.declared && !this.nonFinite;
  }
}

/** ASCII tokens, chunk by chunk (a token may span chunks: the tail is carried). */
class AsciiReader {
  alive = true;
  /** Stopped at a byte no ASCII STL contains: the file is binary (or not an STL at all). */
  sawBinary = false;
  started = false;
  private tail = '';
  private expectCoords = 0;
  private coords: number[] = [];
  facets = 0;
  vertices = 0;
  ended = false;
  readonly extent = new Extent();
  private error: string | null = null;

  push(chunk: Buffer): void {
    if (!this.alive) return;
    for (const b of chunk) {
      if (b === 0 || b > 0x7e) {
        this.alive = false;
        this.sawBinary = true;
        return;
      }
    }
    const text = this.tail + chunk.toString('latin1');
    const parts = text.split(/\s+/);
    this.tail = parts.pop() ?? ''; // may be a partial token; an empty string after trailing space
    for (const p of parts) if (p) this.token(p);
  }

  end(): void {
    if (this.alive && this.tail) this.token(this.tail);
    this.tail = '';
  }

  private token(raw: string): void {
    if (!this.alive) return;
    if (!this.started) {
      if (raw.toLowerCase() !== 'solid') return this.fail('does not begin with "solid"');
      this.started = true;
      return;
    }
    if (this.expectCoords > 0) {
      const n = Number(raw);
      if (!Number.isFinite(n)) return this.fail(`vertex coordinate "${raw.slice(0, 20)}" is not a number`);
      this.coords.push(n);
      if (--this.expectCoords === 0) {
        this.extent.add(this.coords[0]!, this.coords[1]!, this.coords[2]!);
        this.coords = [];
      }
      return;
    }
    const t = raw.toLowerCase();
    if (t === 'facet') this.facets += 1;
    else if (t === 'vertex') {
      this.vertices += 1;
      this.expectCoords = 3;
    } else if (t === 'endsolid') this.ended = true;
  }

  private fail(message: string): void {
    this.alive = false;
    this.error = message;
  }

  valid(): boolean {
    return this.alive && this.started && this.ended && this.expectCoords === 0 && this.vertices === 3 * this.facets;
  }

  why(): string {
    if (this.error) return this.error;
    if (!this.started) return 'does not begin with "solid"';
    if (this.vertices !== 3 * this.facets) return `${this.facets} facets but ${this.vertices} vertices`;
    return 'no "endsolid"';
  }
}

/**
 * Reads STL metadata from chunks pushed in order; `result()` once the last chunk is in. Throws
 * InvalidStlError from result() when the bytes are neither a binary nor an ASCII STL.
 */
export function stlScanner(): { push(chunk: Buffer): void; result(): StlMetadata } {
  const binary = new BinaryReader();
  const ascii = new AsciiReader();
  return {
    push(chunk) {
      binary.push(chunk);
      ascii.push(chunk);
    },
    result(): StlMetadata {
      ascii.end();
      if (binary.valid()) return { format: 'binary', triangleCount: binary.declared!, boundingBox: binary.extent.box() };
      if (ascii.valid()) return { format: 'ascii', triangleCount: ascii.facets, boundingBox: ascii.extent.box() };
      // Text that began like ASCII STL is judged as ASCII; anything else as binary.
      const asAscii = ascii.started && !ascii.sawBinary;
      if (asAscii || binary.declared === null) throw new InvalidStlError(`not an STL file: ${ascii.why()}`);
      if (binary.nonFinite) throw new InvalidStlError('not an STL file: a vertex coordinate is not a finite number');
      throw new InvalidStlError(`not an STL file: a binary STL declaring ${binary.declared} triangles has ${84 + 50 * binary.declared} bytes, this one ${binary.bytes}`);
    },
  };
}

/**
 * A pass-through stream that reads STL metadata from what flows through it (an upload on its way
 * to storage); `result()` after it ended.
 */
export function stlTap(): Transform & { result(): StlMetadata } {
  const scanner = stlScanner();
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      scanner.push(chunk);
      cb(null, chunk);
    },
  });
  return Object.assign(t, { result: () => scanner.result() });
}

/** Metadata of a whole buffer (tests, small files). */
export function readStlMetadata(data: Buffer | Iterable<Buffer>): StlMetadata {
  const scanner = stlScanner();
  for (const c of Buffer.isBuffer(data) ? [data] : data) scanner.push(c);
  return scanner.result();
}

/** Does this upload look like an STL (by type or name)? */
export function isStl(mimeType: string, fileName: string): boolean {
  return mimeType === 'model/stl' || mimeType === 'application/sla' || /\.stl$/i.test(fileName);
}
