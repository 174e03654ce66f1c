/**
 * Pure text helpers of the embedding pipeline and search: chunking, content hashes, the
 * orthodontic vocabulary expansion, the OR-semantics full-text query, and snippets.
 */
import { createHash } from 'node:crypto';

/** A search result's or an embedding job's kind of text (the API's `kind` is the plural). */
export const TEXT_KINDS = ['case', 'message', 'project', 'patient'] as const;
export type TextKind = (typeof TEXT_KINDS)[number];

/**
 * Words per chunk. Small models truncate at 256-512 tokens (~180-380 words of English); a long
 * message embedded whole would lose its end. Chunks overlap so a sentence on a border is in one.
 */
export const CHUNK_WORDS = 160;
export const CHUNK_OVERLAP = 30;

/** Splits a text into overlapping word windows; short texts are one chunk. */
export function chunkText(text: string, words = CHUNK_WORDS, overlap = CHUNK_OVERLAP): string[] {
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  if (tokens.length <= words) return [tokens.join(' ')];
  const chunks: string[] = [];
  const step = Math.max(1, words - overlap);
  for (let start = 0; start < tokens.length; start += step) {
    chunks.push(tokens.slice(start, start + words).join(' '));
    if (start + words >= tokens.length) break;
  }
  return chunks;
}

/** Idempotency key of an embedding: same text and same model = nothing to do. */
export function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Shorthand of orthodontic notes and messages, expanded before both legs of search and before
 * embedding: small general-purpose models do not know "IPR" or "UR3", and full-text matching
 * of "pt" finds nothing written as "patient". Keys are lower-case whole words.
 */
export const ORTHO_VOCABULARY: Readonly<Record<string, string>> = {
  pt: 'patient',
  pts: 'patients',
  tx: 'treatment',
  txp: 'treatment plan',
  dx: 'diagnosis',
  hx: 'history',
  rx: 'prescription',
  ipr: 'interproximal reduction',
  ob: 'overbite',
  oj: 'overjet',
  ccw: 'counterclockwise',
  cl2: 'class II malocclusion',
  cl3: 'class III malocclusion',
  xbite: 'crossbite',
  tmj: 'temporomandibular joint',
  tmd: 'temporomandibular disorder',
  rpe: 'rapid palatal expander',
  hg: 'headgear',
  ffa: 'fixed functional appliance',
  cbct: 'cone beam ct scan',
  opg: 'panoramic x-ray',
  ceph: 'cephalometric x-ray',
  pvs: 'impression',
  stl: 'digital scan file',
  ios: 'intraoral scan',
  refin: 'refinement',
  ret: 'retainer',
  rets: 'retainers',
  esx: 'essix retainer',
  vfr: 'vacuum formed retainer',
  tad: 'temporary anchorage device',
  tads: 'temporary anchorage devices',
  appt: 'appointment',
  wk: 'week',
  wks: 'weeks',
  mos: 'months',
  mand: 'mandibular',
  mx: 'maxillary',
  md: 'mandibular',
  aln: 'aligner',
  alns: 'aligners',
  trays: 'aligners',
};

/** Tooth notation (Palmer-style "UR3", "LL6"): upper/lower, right/left, tooth number. */
const TOOTH = /^([ul])([rl])([1-8])$/i;
const TOOTH_NAMES = ['', 'central incisor', 'lateral incisor', 'canine', 'first premolar', 'second premolar', 'first molar', 'second molar', 'third molar'];

/**
 * Lay words for clinical ones (patients' and front-desk phrasing in messages and queries).
 * Matched as whole words or phrases, case-insensitive; the clinical term is appended.
 */
export const LAY_VOCABULARY: ReadonlyArray<[RegExp, string]> = [
  [/\brubber ?bands?\b/i, 'elastics'],
  [/\beye ?teeth\b|\beye ?tooth\b/i, 'canine'],
  [/\bbuck ?teeth\b|\bsticking out\b|\bstick(s)? out\b/i, 'overjet protrusion'],
  [/\bbraces?\b/i, 'bracket fixed appliance'],
  [/\bbill(s|ing)?\b/i, 'invoice payment'],
  [/\b(shav(e|ing)|strip(ping)?|fil(e|ing)) (the )?enamel\b|\benamel\b.*\b(shave|shaving)\b/i, 'interproximal reduction IPR'],
  [/\bcrooked\b|\boverlapping\b|\bbunched\b/i, 'crowding'],
  [/\btwisted\b|\bturning\b|\bturned\b/i, 'rotation'],
  [/\bgums? (are )?receding\b|\breceding gums?\b/i, 'gingival recession'],
  [/\bjaw joint\b/i, 'TMJ temporomandibular'],
  [/\bcent(re|er) ?line\b/i, 'midline'],
  [/\bpackage\b|\bparcel\b/i, 'shipment delivery courier'],
  [/\b(did not|didn't|not) show( up)?\b|\bno[- ]show\b/i, 'missed appointment'],
  [/\bsign(ed)? off\b/i, 'approve approval'],
  [/\bpulled\b|\btaken out\b|\bremoved teeth\b/i, 'extraction'],
  [/\bwiden\b|\bnarrow\b/i, 'expansion expander'],
  [/\bbite into\b|\bbiting into\b/i, 'deep overbite'],
  [/\bdo not meet\b|\bdon't meet\b|\bdo not touch\b/i, 'open bite'],
  [/\bsore spot\b|\brubs?\b/i, 'irritation ulcer'],
  [/\bmisplaced\b|\blost\b/i, 'lost replacement'],
  [/\bbumps?\b|\bbuttons?\b/i, 'attachments'],
  [/\bunusable\b/i, 'rescan rejected'],
  [/\bshortened roots?\b|\bshort roots?\b/i, 'root resorption'],
  [/\bnot tracking\b|\bdo(es)? not fit\b/i, 'aligner not seating gap'],
  [/\bfinish\b/i, 'refinement additional aligners'],
  [/\bafter braces come off\b|\bbraces come off\b/i, 'retention retainer debond'],
  [/\bswelling\b|\breaction\b/i, 'allergy'],
  [/\bstabbing\b|\bpoking\b/i, 'wire irritation'],
  [/\bmake room\b/i, 'space crowding'],
];

/** Expands shorthand word by word; the original stays too, so exact notations still match. */
export function expandOrtho(text: string): string {
  const extra: string[] = [];
  for (const [re, clinical] of LAY_VOCABULARY) if (re.test(text)) extra.push(clinical);
  for (const raw of text.split(/[\s,.;:!?()/]+/)) {
    const w = raw.toLowerCase();
    if (!w) continue;
    const tooth = TOOTH.exec(w);
    if (tooth) {
      extra.push(`${tooth[1] === 'u' ? 'upper' : 'lower'} ${tooth[2] === 'r' ? 'right' : 'left'} ${TOOTH_NAMES[Number(tooth[3])]}`);
      continue;
    }
    const exp = ORTHO_VOCABULARY[w];
    if (exp) extra.push(exp);
  }
  return extra.length ? `${text} (${extra.join('; ')})` : text;
}

/** Words of a query as typed (what fusion's query-dependent features look at). */
export function wordCount(query: string): number {
  return query.trim().split(/\s+/).filter(Boolean).length;
}

/**
 * Words of a query as full-text lexemes joined by OR (`|`), for to_tsquery. Plain
 * websearch_to_tsquery ANDs every word and found nothing for most natural-language queries;
 * OR plus ts_rank ranks documents by how many (and which) words they share.
 */
export function orQueryTerms(query: string): string[] {
  const words = query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words.filter((w) => w.length > 1 || /\d/.test(w)))].slice(0, 64);
}

/**
 * The best snippet of `text` for `terms`: the window of about `width` characters containing
 * the most query terms, with ellipses where it was cut.
 */
export function snippet(text: string, terms: readonly string[], width = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= width) return flat;
  const lower = flat.toLowerCase();
  let best = 0;
  let bestScore = -1;
  for (let start = 0; start < flat.length; start += Math.max(20, Math.floor(width / 4))) {
    const window = lower.slice(start, start + width);
    const score = terms.reduce((s, t) => s + (t.length > 2 && window.includes(t.slice(0, Math.max(3, t.length - 2))) ? 1 : 0), 0);
    if (score > bestScore) {
      bestScore = score;
      best = start;
    }
    if (start + width >= flat.length) break;
  }
  // Start and end on word boundaries.
  let s = best === 0 ? 0 : flat.indexOf(' ', best) + 1 || best;
  if (s > 0 && flat.length - s < width) s = Math.max(0, flat.lastIndexOf(' ', flat.length - width) + 1);
  let e = Math.min(flat.length, s + width);
  if (e < flat.length) e = flat.lastIndexOf(' ', e) > s ? flat.lastIndexOf(' ', e) : e;
  return `${s > 0 ? '…' : ''}${flat.slice(s, e)}${e < flat.length ? '…' : ''}`;
}
