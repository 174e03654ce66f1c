/**
 * A small lexical encoder: hashed word unigrams, word bigrams and character 4-grams (which catch
 * inflections and typos: "cancelled"/"canceled"/"cancelation"), signed-hashed into a fixed
 * vector and L2-normalised. It needs no weights, so the intent classifier always has a model even
 * where no neural embedding model is installed; beside a sentence-embedding model it adds the
 * exact-wording signal that small models blur. Implements EmbeddingProvider. Pure, no I/O.
 */
import type { EmbeddingProvider } from '../providers/types';

const STOPWORDS = new Set(
  'a an the and or to of for in on at by with from is are was be been it this that these those we i you he she they our your my me us please thanks thank just so also as'.split(' '),
);

/** FNV-1a, 32 bit. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9' ]+/g, ' ')
    .split(' ')
    .map((w) => w.replace(/^'+|'+$/g, ''))
    .filter(Boolean);
}

function features(text: string): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  const words = tokenize(text);
  for (const w of words.filter((x) => !STOPWORDS.has(x))) {
    out.push([`w:${w}`, 1]);
    const padded = `#${w}#`;
    for (let i = 0; i + 4 <= padded.length; i++) out.push([`c:${padded.slice(i, i + 4)}`, 0.35]);
  }
  // Bigrams over all words: "on hold", "go ahead", "not yet" live in stopwords.
  for (let i = 0; i + 1 < words.length; i++) out.push([`b:${words[i]} ${words[i + 1]}`, 0.8]);
  return out;
}

/** A vector's non-zero entries: dimensions ascending, values beside them. */
export interface SparseVector {
  idx: number[];
  val: number[];
}

/** An encoder whose vectors are mostly zeros can hand out their non-zero entries alone. */
export interface SparseEmbeddingProvider extends EmbeddingProvider {
  /** The same vectors as `embed`, as their non-zero entries (no 4,096-long array per text). */
  embedSparse(texts: readonly string[]): SparseVector[];
}

/**
 * @param dimensions - length of the hashed vector. @default 4096
 * @param corpus - texts whose document frequencies weight the features (IDF): words every text
 *   has ("case", "patient", "please") count less than the ones that tell texts apart.
 */
export function createLexicalEncoder(dimensions = 4096, corpus: readonly string[] = []): SparseEmbeddingProvider {
  const df = new Map<string, number>();
  for (const text of corpus) for (const f of new Set(features(text).map(([name]) => name))) df.set(f, (df.get(f) ?? 0) + 1);
  const idf = (f: string) => Math.log((1 + corpus.length) / (1 + (df.get(f) ?? 0))) + 1;
  // One scratch vector for every text: a text touches a few dozen of the dimensions, and only
  // those are read and reset (the migration encodes every free text of a lab).
  const scratch = new Float64Array(dimensions);
  const seen = new Uint8Array(dimensions);
  function encodeSparse(text: string): SparseVector {
    const touched: number[] = [];
    for (const [feature, weight] of features(text)) {
      const h = hash(feature);
      const d = h % dimensions;
      if (seen[d] === 0) {
        seen[d] = 1;
        touched.push(d);
      }
      scratch[d]! += (h & 0x80000000 ? -1 : 1) * weight * idf(feature);
    }
    touched.sort((a, b) => a - b);
    // In ascending order, as a sum over every dimension would add them (the others add 0).
    let norm = 0;
    for (const d of touched) norm += scratch[d]! * scratch[d]!;
    norm = Math.sqrt(norm) || 1;
    const idx: number[] = [];
    const val: number[] = [];
    for (const d of touched) {
      const x = scratch[d]! / norm;
      scratch[d] = 0;
      seen[d] = 0;
      if (x !== 0) {
        idx.push(d);
        val.push(x);
      }
    }
    return { idx, val };
  }
  function encode(text: string): number[] {
    const { idx, val } = encodeSparse(text);
    const out = new Array<number>(dimensions).fill(0);
    for (let j = 0; j < idx.length; j++) out[idx[j]!] = val[j]!;
    return out;
  }
  return {
    model: `mdw-lexical-tfidf-${dimensions}`,
    dimensions,
    embed: async (texts) => texts.map(encode),
    embedSparse: (texts) => texts.map(encodeSparse),
  };
}
