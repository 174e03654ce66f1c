/**
 * Pure text helpers of the embedding pipeline and search: chunking, content hashes, the
 * orthodontic vocabulary expansion, the OR-semantics full-text query, and snippets.
 */
import { createHash } from 'node:crypto';
import { ENGLISH_WORDS } from './english-words';

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

/**
 * Session 5: a broader orthodontic vocabulary, written as a glossary of the field (chart
 * shorthand, appliance and lab words, lay phrasing) rather than for any query: each entry maps
 * the ways staff and patients write a concept to the clinical words the texts use. It only maps
 * towards the clinical term (a text already using it is left alone), on both sides: queries
 * (both legs) and embedded texts. Its effect per split is in src/ai/README.md.
 */
export const ORTHO_GLOSSARY: ReadonlyArray<[RegExp, string]> = [
  // Appliances and parts.
  [/\btrays?\b|\baln?s?\b|\binvisalign\b|\bclear aligners?\b/i, 'aligner'],
  [/\bbkts?\b|\bbrackets? off\b|\bbraces?\b/i, 'bracket'],
  [/\baw\b|\barch ?wires?\b|\bniti\b|\bsst\b/i, 'archwire wire'],
  [/\bengagers?\b|\bbuttons?\b|\bcomposite (bumps?|blobs?)\b/i, 'attachment'],
  [/\binter-?arch elastics?\b|\bbox elastics?\b|\btriangle elastics?\b|\bclass (ii|2) elastics?\b/i, 'elastics'],
  [/\bessix\b|\bvfr\b|\bvacuum[- ]formed\b|\bhawley\b|\bfixed retainer\b|\blingual (wire|retainer)\b|\bbonded wire\b|\bbonded retainer\b/i, 'retainer'],
  [/\brpe\b|\bhyrax\b|\bquad ?helix\b|\bexpansion (screw|key)\b|\bturns?\b.*\bkey\b|\bkey\b.*\bturns?\b|\bturns done\b/i, 'rapid palatal expander expansion'],
  [/\btwin ?block\b|\bherbst\b|\bforsus\b|\bfunctional\b/i, 'functional appliance'],
  [/\bbite (ramps?|turbos?|blocks?|planes?)\b/i, 'bite turbos ramps'],
  [/\bpontics?\b/i, 'pontic extraction space'],
  [/\btads?\b|\bmini-?screws?\b|\bmini-?implants?\b/i, 'temporary anchorage device'],
  // Procedures and lab work.
  [/\bstrip(ping|ped)?\b|\bslenderi[sz](e|ing|ed)\b|\breproximation\b|\bsand(ing|ed)? between\b|\benamel reduction\b|\bipr\b/i, 'interproximal reduction IPR'],
  [/\bmcc\b|\bmid-?course( correction)?\b|\boff[- ]track\b|\btouch-?up\b|\badditional aligners\b|\bextra (aligners|trays)\b|\brevision\b/i, 'refinement'],
  [/\bproud\b|\bnot seat(ed|ing)\b|\bunseated\b|\bnot (clipping|engaging|fitting)\b|\bair gaps?\b|\bpoor fit\b|\bnot clipping\b/i, 'aligner not tracking not seating'],
  [/\bdebond(ed)?\b|\bpopped off\b|\bfell off\b|\bcame off\b|\bcame unstuck\b|\bunstuck\b|\bcame loose\b/i, 'debonded came off rebond'],
  [/\brebond(ed|ing)?\b|\bre-bond(ed|ing)?\b/i, 'rebond debonded'],
  [/\bitero\b|\btrios\b|\bios\b|\bintra-?oral scan\b|\bdigital impression\b|\bpvs\b|\balginate\b/i, 'intraoral scan impression'],
  [/\bvoids?\b|\bholes? in the scan\b|\bdistort(ed|ion)\b/i, 'rescan new impression'],
  [/\bcc\b|\bclin ?check\b|\bsetup\b|\bset-up\b|\b3d plan\b/i, 'treatment plan setup ClinCheck'],
  [/\bok'?d\b|\bokayed\b|\bsign(ed)?[- ]off\b|\bgo ahead\b|\bgreen light\b/i, 'approved approval'],
  [/\bfabricat(e|ion)\b|\bmanufactur(e|ing)\b|\bproduction\b/i, 'manufacturing production'],
  [/\bexpose\b|\bexposure\b|\bunerupted\b|\bimpacted\b|\bectopic\b|\bpalatal(ly)? (displaced )?canine\b/i, 'impacted canine surgical exposure'],
  [/\bext\b|\bexts\b|\bexo\b|\bxla\b|\bextract(ed|ion)?s?\b|\bpulled\b|\btaken out\b/i, 'extraction'],
  [/\b4s\b|\bfours\b/i, 'first premolars'],
  [/\b5s\b|\bfives\b/i, 'second premolars'],
  [/\b3s\b|\bthrees\b|\bcuspids?\b|\beye ?teeth\b|\beye ?tooth\b/i, 'canine'],
  [/\bbicuspids?\b/i, 'premolar'],
  [/\bbimax\b|\bbi-?maxillary\b/i, 'bimaxillary protrusion'],
  // Occlusion.
  [/\baob\b|\bnegative ob\b|\bnegative overbite\b|\bopen ?bite\b/i, 'open bite'],
  [/(?<!negative )\bob\b|\boverbite\b|\bdeep ?bite\b|\bclosed bite\b|\bvertical overlap\b|\bcurve of spee\b/i, 'deep bite overbite'],
  [/\boj\b|\bflared\b|\bprotru(ding|sive|sion)\b|\bproclined\b|\bbuck ?teeth\b|\bsticks? out\b|\bsticking out\b|\blips? (cannot|can't|do not|don't) (close|meet)\b|\blip incompetence\b/i, 'overjet protrusion'],
  [/\bxb\b|\bx-?bite\b|\bcross ?bite\b|\bbiting inside\b|\bbite inside\b/i, 'crossbite'],
  [/\bcl\.? ?(ii|2)\b|\bclass (2|two)\b/i, 'class II'],
  [/\bcl\.? ?(iii|3)\b|\bclass (3|three)\b/i, 'class III'],
  [/\bml\b|\bcent(re|er) ?lines?\b|\bmid-?lines?\b/i, 'midline'],
  [/\bdiastemas?\b|\bgappy\b|\bgaps between\b/i, 'spacing space closure'],
  [/\bfrenum\b|\bfrenulum\b|\bfrenectomy\b/i, 'frenectomy diastema'],
  [/\bcrowd(ed|ing)?\b|\bcrooked\b|\boverlapping\b|\bbunched\b|\bblocked[- ]out\b|\bno room\b|\bnot enough (room|space)\b|\bmake room\b/i, 'crowding'],
  [/\brotat(ed|ion|ions)\b|\bderotat(e|ing|ion)\b|\btwisted\b|\bturned\b/i, 'rotation'],
  [/\brelapse\b|\bcame back\b|\bcoming back\b|\breopen(ing|ed)?\b|\bmoved back\b/i, 'relapse'],
  // Clinical findings.
  [/\bearr\b|\bblunt(ed|ing)? (apices|apex|roots?)\b|\bshort(ened)? roots?\b|\broot shortening\b/i, 'root resorption'],
  [/\bopg\b|\bopt\b|\bpano\b|\bpanoramic\b|\bx-?rays?\b|\bradiographs?\b|\bceph\b|\bcbct\b|\bpa film\b/i, 'radiograph x-ray'],
  [/\btmj\b|\btmd\b|\bjaw (joint|pain|clicking|aches?)\b|\bclicking\b/i, 'temporomandibular joint TMJ'],
  [/\bgrinding\b|\bclenching\b|\bbrux(ism|ing)?\b/i, 'bruxism'],
  [/\boh\b|\boral hygiene\b|\bplaque\b|\bbrushing\b/i, 'oral hygiene'],
  [/\bperio\b|\bgingiv(a|al|itis)\b|\bgums?\b|\brecession\b|\breceding\b/i, 'gingival periodontal gums'],
  [/\ballerg(y|ic|ies)\b|\brash\b|\bnickel\b|\blatex\b|\bitch(y|ing)\b|\bhives\b/i, 'allergy reaction'],
  [/\bulcers?\b|\brubb(ing|ed|s)\b|\bsore\b|\bdigging\b|\bsharp edges?\b|\bcutting\b|\birritat(ed|ion|ing)\b/i, 'irritation discomfort'],
  [/\bpoking\b|\bstabbing\b|\bsnapped\b|\bbroken wire\b|\bwire end\b/i, 'wire irritation broken archwire'],
  [/\bcompliance\b|\bnot wearing\b|\bwear time\b|\bhours a day\b|\b\d+ ?h(ours?)?( a day)?\b|\bleaves? (them|the aligners|the trays) out\b/i, 'compliance wear time'],
  // Practice and lab admin.
  [/\bappts?\b|\bdna\b|\bfta\b|\bno[- ]show\b|\bresched(ule|uled)?\b|\bbooking\b|\bcheck-?up\b/i, 'appointment visit'],
  [/\bdna\b|\bfta\b|\bdid not attend\b|\bfailed to attend\b/i, 'missed appointment did not attend'],
  [/\bcourier\b|\bparcel\b|\bpackage\b|\bcustoms\b|\bshipping\b|\bdispatch(ed)?\b/i, 'shipment delivery'],
  [/\brefund\b|\bdouble charge\b|\bcharged\b|\bcost\b|\bprice\b|\bfee\b|\bbill(ed|ing)?\b|\bpaid\b|\bstatement\b|\bwarranty\b/i, 'invoice payment billing'],
  [/\blost\b|\bmisplaced\b|\bspare\b|\bthrew away\b|\bthrown away\b/i, 'lost aligner replacement'],
  [/\bremake\b|\bsplit\b|\bcracked\b|\bsnapped\b|\bbroken\b|\btorn\b/i, 'broken replacement remake'],
  [/\bbraces off\b|\bbraces came off\b|\bend of treatment\b|\bnight wear\b|\bnight-?time\b/i, 'retention retainer'],
  // Words of the people writing.
  [/\bdr\b|\bdoc\b/i, 'doctor'],
  [/\bkid\b|\bteen(ager)?\b|\bchild\b/i, 'patient'],
  [/\blowers\b/i, 'lower teeth'],
  [/\buppers\b/i, 'upper teeth'],
  [/\banteriors?\b|\bfront teeth\b/i, 'anterior incisors'],
  [/\bposteriors?\b|\bback teeth\b/i, 'posterior molars'],
  [/\b(ur|ul|lr|ll) quadrant\b/i, 'quadrant'],
  [/\binjur(y|ies|ed)\b/i, 'trauma'],
];
let glossaryEnabled = true;
/** For the evaluation only (`eval:search -- --no-glossary`): the search without ORTHO_GLOSSARY. */
export function setOrthoGlossary(on: boolean): void {
  glossaryEnabled = on;
}

const QUADRANT = /\b([ul])([rl]) quadrant\b/gi;
/** expandOrtho()'s words: runs of characters other than spaces and these separators. */
const WORDS = /[^\s,.;:!?()/]+/g;

/**
 * Each glossary entry's clinical words as whole-word patterns, compiled once: expandOrtho() runs
 * for every search and every embedded chunk, and built them anew per call (session 10).
 */
const GLOSSARY_WORDS: ReadonlyArray<readonly RegExp[]> = ORTHO_GLOSSARY.map(([, clinical]) => clinical.split(' ').map((w) => new RegExp(`\\b${w}\\b`, 'i')));

/**
 * A vocabulary's patterns in blocks of up to 8 joined as alternatives, each block tested before its
 * members: a text matches a block exactly when it matches one of its members (a pattern matches a
 * text when it matches at some position; an alternation at a position when one branch does), so
 * only the members of matching blocks need testing. Joined only when that is plain: flags `i`
 * alone and no backreference (group numbers shift when joined); any other pattern is a block of
 * its own. About 115 pattern runs per query became ~40 (session 10, bench/SEARCH.md).
 */
function patternBlocks(entries: ReadonlyArray<readonly [RegExp, string]>, size = 8): { test: RegExp; from: number; to: number }[] {
  const joinable = (re: RegExp) => re.flags === 'i' && !/\\[1-9]|\\k</.test(re.source);
  const blocks: { test: RegExp; from: number; to: number }[] = [];
  for (let from = 0; from < entries.length; ) {
    let to = from + 1;
    if (joinable(entries[from]![0])) while (to < entries.length && to - from < size && joinable(entries[to]![0])) to++;
    const test = to - from === 1 ? entries[from]![0] : new RegExp(entries.slice(from, to).map(([re]) => `(?:${re.source})`).join('|'), 'i');
    blocks.push({ test, from, to });
    from = to;
  }
  return blocks;
}
const LAY_BLOCKS = patternBlocks(LAY_VOCABULARY);
const GLOSSARY_BLOCKS = patternBlocks(ORTHO_GLOSSARY);

/** Expands shorthand word by word; the original stays too, so exact notations still match. */
export function expandOrtho(text: string): string {
  const extra: string[] = [];
  for (const block of LAY_BLOCKS) {
    if (!block.test.test(text)) continue;
    for (let i = block.from; i < block.to; i++) if (LAY_VOCABULARY[i]![0].test(text)) extra.push(LAY_VOCABULARY[i]![1]);
  }
  if (glossaryEnabled) {
    for (const block of GLOSSARY_BLOCKS) {
      if (!block.test.test(text)) continue;
      for (let i = block.from; i < block.to; i++) {
        const [re, clinical] = ORTHO_GLOSSARY[i]!;
        // Only towards the clinical words: nothing to add when the text already has them all.
        if (re.test(text) && !GLOSSARY_WORDS[i]!.every((w) => w.test(text))) extra.push(clinical);
      }
    }
    // exec() on the shared global pattern from lastIndex 0 rather than matchAll(), which builds a
    // new RegExp per call (its species copy); the same matches in the same order.
    QUADRANT.lastIndex = 0;
    for (let m = QUADRANT.exec(text); m; m = QUADRANT.exec(text)) extra.push(`${m[1]!.toLowerCase() === 'u' ? 'upper' : 'lower'} ${m[2]!.toLowerCase() === 'r' ? 'right' : 'left'}`);
  }
  // The words between separators, as split() on them gave once its empty strings were skipped;
  // match() with /g builds no RegExp per call (split() builds a sticky copy, session 12).
  for (const raw of text.match(WORDS) ?? []) {
    const w = raw.toLowerCase();
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
  // The runs of non-space characters: what trim(), split(/\s+/) and dropping empty strings counted.
  return query.match(/\S+/g)?.length ?? 0;
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
  // Each term's stem once (not per window); a window [start, start + width) contains a stem when
  // its first occurrence from `start` ends inside it (no window is sliced).
  const stems = terms.filter((t) => t.length > 2).map((t) => t.slice(0, Math.max(3, t.length - 2)));
  let best = 0;
  let bestScore = -1;
  for (let start = 0; start < flat.length; start += Math.max(20, Math.floor(width / 4))) {
    let score = 0;
    for (const stem of stems) {
      const at = lower.indexOf(stem, start);
      if (at >= 0 && at + stem.length <= start + width) score++;
    }
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

/**
 * Session 7: misspelling tolerance of the query side. Staff type "retaner", "brackts",
 * "atachment", "resorbtion": the lexical leg finds nothing for them and the embedding model
 * splits them into unrelated word pieces. A word of at least `SPELL_MIN_LETTERS` letters that the
 * vocabulary does not know is replaced by the vocabulary's word one edit away (insertion,
 * deletion, substitution or transposition of neighbours: optimal string alignment distance 1),
 * the most frequent one; when two are equally frequent the word is left as typed (no guess), and
 * a letter added or dropped at the end does not count (an inflection, not a typo).
 * Nothing is tuned: distance 1 and 5 letters are the textbook choice (Damerau: about 80 % of
 * typing errors are one edit), fixed before any evaluation.
 */
export const SPELL_MIN_LETTERS = 5;

/** Optimal string alignment distance of `a` and `b`, or `max + 1` as soon as it exceeds `max`. */
export function editDistance(a: string, b: string, max = 1): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur.push(d);
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return Math.min(prev[b.length]!, max + 1);
}

/** Word frequencies of `texts` (lower-case runs of letters), e.g. a practice's indexed texts. */
export function vocabularyOf(texts: Iterable<string>, into = new Map<string, number>()): Map<string, number> {
  for (const t of texts) for (const w of t.toLowerCase().match(/\p{L}+/gu) ?? []) into.set(w, (into.get(w) ?? 0) + 1);
  return into;
}

/**
 * The words text.ts itself knows: the clinical side of every vocabulary and glossary entry and
 * the plain words and phrases its patterns match. What the
 * correction falls back on without a practice's own vocabulary.
 */
export const ORTHO_LEXICON: ReadonlyMap<string, number> = (() => {
  const phrases: string[] = [...Object.keys(ORTHO_VOCABULARY), ...Object.values(ORTHO_VOCABULARY), ...TOOTH_NAMES];
  for (const [re, clinical] of [...LAY_VOCABULARY, ...ORTHO_GLOSSARY]) {
    phrases.push(clinical);
    // Alternatives of the pattern that are plain words ("\bnickel\b", "\bbiting into\b").
    for (const alt of re.source.replace(/\(\?<!.*?\)/g, '').split('|')) {
      const plain = /^\\b(.*)\\b$/.exec(alt)?.[1];
      if (plain && /^[a-z' -]+$/i.test(plain)) phrases.push(plain);
    }
  }
  return vocabularyOf(phrases);
})();

/**
 * Common English words (english-words.ts: the served model's WordPiece vocabulary), never
 * corrected: without them a small domain vocabulary turns "eating" into "seating", "change" into
 * "charge", "happy" into "gappy" (seen in session 7's first run, src/ai/README.md).
 */
export const ENGLISH: ReadonlySet<string> = new Set(ENGLISH_WORDS.split(' ').filter(Boolean));

/**
 * `text` with each unknown word of at least SPELL_MIN_LETTERS letters replaced by its unique best
 * correction from `vocabulary` (word -> frequency); known, common English (`english`; an empty set
 * turns that guard off), short and unmatched words stay as typed.
 */
export function correctSpelling(text: string, vocabulary: ReadonlyMap<string, number> = ORTHO_LEXICON, english: ReadonlySet<string> = ENGLISH): string {
  return text.replace(/\p{L}+/gu, (word) => {
    const w = word.toLowerCase();
    // A known word, or the plural of one, stays as typed; so does a common English word.
    if (w.length < SPELL_MIN_LETTERS || vocabulary.has(w) || (w.endsWith('s') && vocabulary.has(w.slice(0, -1))) || english.has(w)) return word;
    // A plural is corrected as its singular ("brackts" -> "bracket" + s); shorter words of the
    // vocabulary (mostly abbreviations: "mand", "refin") are no targets.
    const forms = w.endsWith('s') ? [w, w.slice(0, -1)] : [w];
    // No form is within one letter of a word outside these lengths: skipped before the closure below.
    const shortest = Math.max(SPELL_MIN_LETTERS, forms[forms.length - 1]!.length - 1);
    const longest = w.length + 1;
    let best: string | undefined;
    let bestCount = 0;
    let tie = false;
    for (const [v, count] of vocabulary) {
      if (v.length < shortest || v.length > longest) continue;
      const form = forms.find(
        // A letter added or dropped at the end is an inflection (close/closed, brace/braces), not a typo.
        (f) => v.length >= SPELL_MIN_LETTERS && Math.abs(v.length - f.length) <= 1 && !v.startsWith(f) && !f.startsWith(v) && editDistance(f, v, 1) <= 1,
      );
      if (form === undefined) continue;
      const fixed = form === w ? v : `${v}s`;
      if (count > bestCount) {
        best = fixed;
        bestCount = count;
        tie = false;
      } else if (count === bestCount && fixed !== best) tie = true;
    }
    return best && !tie ? best : word;
  });
}
