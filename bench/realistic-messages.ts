/**
 * Realistic message texts for bench:search's 1M fixture (`--fixture realistic`, issue 10 §3).
 *
 * Why. The eval31 fixture repeats 31 eval documents per practice, so every word is in ≥ ~3 % of a
 * practice's texts and an expanded query matches a third of them: the lexical leg's worst case.
 * Real notes have a Zipfian vocabulary: a head of domain words (aligner, upper, patient) and a
 * long tail of patient names, tooth numbers, dates, product names, references and typos.
 *
 * How. A message is 1–3 clauses of the eval set's texts (split at sentence and comma boundaries),
 * each clause drawn by a Zipf law (s = 0.7) over a seeded ranking of all clauses, so the domain words
 * keep a realistic head and the rare clauses' words become rare (s = 1 put one clause, verbatim, in
 * a quarter of all texts; at 0.7 the commonest clinical words, lower and upper, are in 15–19 %); then, each with its own
 * probability, a patient's name (Zipf over 150 first names × 200 surnames), tooth numbers (Palmer
 * UR3 or FDI 36), a date, a product or material (Zipf), an everyday word of the practice's life
 * (Zipf: holiday, insurance, reschedule…), a lab reference (random letters and digits: unique) and
 * typos (each word of 4+ letters with probability 1 %: a dropped, doubled or swapped letter).
 *
 * Deterministic: message j's text depends on j alone (its own seeded generator), so the two COPY
 * passes of the load (case_messages, message_embeddings) write the same text without keeping 1M
 * strings, and every build of the same version is byte-identical.
 */
import { SEARCH_DOCS } from '../src/ai/eval/search-set';
// The same seeded generator as the dedup fixture's (mulberry32): one copy.
import { prng as mulberry32 } from './dedup/fixture';

/** Bump when the texts change (it is part of the fixture's cache key). */
export const REALISTIC_TEXT_VERSION = 3;

/** A Zipf law (weight 1 / rank^s) over `items`: a draw is a binary search of the cumulative weights. */
function zipf<T>(items: readonly T[], s: number): (rnd: () => number) => T {
  const cum: number[] = [];
  let total = 0;
  for (let r = 1; r <= items.length; r++) cum.push((total += 1 / r ** s));
  return (rnd) => {
    const x = rnd() * total;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return items[lo]!;
  };
}

/** Fisher–Yates with a seeded generator: the clauses' Zipf ranks, not the eval set's topic order. */
function shuffled<T>(xs: readonly T[], rnd: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

const CLAUSES = shuffled(
  [
    ...new Set(
      SEARCH_DOCS.flatMap((d) => [...(d.title ? [d.title] : []), ...d.text.split(/(?<=[.!?])\s+|,\s+|;\s+/)])
        .map((c) => c.trim().replace(/[.!?]+$/, ''))
        .filter((c) => c.split(/\s+/).length >= 3),
    ),
  ],
  mulberry32(2026),
);

const FIRST = (
  'Emma Olivia Ava Mia Sophia Isabella Amelia Harper Evelyn Abigail Ella Chloe Grace Lily Zoe Nora Hannah Leah Aria Ruby ' +
  'Liam Noah Oliver Elijah James William Benjamin Lucas Henry Alexander Mason Ethan Daniel Logan Jacob Jackson Sebastian Aiden ' +
  'Matthew Samuel David Joseph Carter Owen Wyatt John Jack Luke Jayden Dylan Grayson Levi Isaac Gabriel Julian Mateo Anthony ' +
  'Jaxon Lincoln Joshua Christopher Andrew Theodore Caleb Ryan Asher Nathan Thomas Leo Isaiah Charles Josiah Hudson Christian ' +
  'Hunter Connor Eli Ezra Aaron Landon Adrian Jonathan Nolan Jeremiah Easton Elias Colton Cameron Carson Robert Angel Maverick ' +
  'Nicholas Dominic Jaxson Greyson Adam Ian Austin Santiago Jordan Cooper Brayden Roman Evan Ezekiel Xavier Jose Jace Jameson ' +
  'Leonardo Bryson Axel Everett Parker Kayden Miles Sawyer Jason Declan Weston Micah Ayden Wesley Luca Vincent Damian Zachary ' +
  'Silas Gavin Chase Kai Emmett Harrison Nathaniel Kingston Cole Tyler Bennett Bentley Ryker Tristan Brandon Kevin Luis George'
).split(' ');
const LAST = (
  'Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson Anderson Thomas ' +
  'Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King ' +
  'Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips ' +
  'Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper ' +
  'Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz ' +
  'Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman ' +
  'Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin ' +
  'Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens ' +
  'Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson ' +
  'Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd ' +
  'Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne'
).split(' ');
const PRODUCTS = (
  'Invisalign SmartTrack Vivera ClinCheck iTero Essix Zendura Damon Incognito Herbst Forsus MARA Hyrax TADs Carriere ' +
  'zirconia e.max PMMA Duran Erkodent Biolon Biocryl TheraMon Propel AcceleDent Spark Angel OrthoCaps 3Shape Medit Trios ' +
  'Primescan SureSmile Insignia Suresmile NiTi TMA CuNiTi elastomeric powerchain ligature Transbond GC Fuji Opal ' +
  'Ortho-Tain Myobrace Twinblock Quad-helix Nance TPA lip-bumper Hawley Vivera-3 Retainium Ortho-Cast Comfort-C'
).split(' ');
const EVERYDAY = (
  'holiday school exams wedding insurance invoice payment reschedule cancelled voicemail parking sports hockey rugby ' +
  'football swimming trumpet clarinet flute mouthguard birthday christmas summer camp travel abroad grandmother mum dad ' +
  'guardian consent form referral letter dentist GP hygienist cleaning whitening sensitivity toothpaste floss waterpik ' +
  'headache migraine braces-off photos selfie instagram finance plan deposit refund receipt courier postage delivery ' +
  'tracking-number weekend evening morning lunchtime late early traffic snow flu covid antibiotics allergy latex nickel ' +
  'pregnancy breastfeeding asthma inhaler diabetes epilepsy anxiety nervous gag-reflex sleepover netball cricket tennis ' +
  'karate boxing gymnastics ballet violin piano saxophone singing choir drama university graduation prom photographer'
).split(' ');
const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');

const clause = zipf(CLAUSES, 0.7);
const first = zipf(FIRST, 0.8);
const last = zipf(LAST, 0.8);
const product = zipf(PRODUCTS, 1.1);
const everyday = zipf(EVERYDAY, 1.1);

const pick = <T>(xs: readonly T[], rnd: () => number): T => xs[Math.floor(rnd() * xs.length)]!;

function typo(word: string, rnd: () => number): string {
  const i = 1 + Math.floor(rnd() * (word.length - 2));
  const k = rnd();
  if (k < 0.34) return word.slice(0, i) + word.slice(i + 1);
  if (k < 0.67) return word.slice(0, i) + word[i] + word.slice(i);
  return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
}

const ALNUM = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** Message j's text: a pure function of j (see the header). */
export function realisticMessage(j: number): { subject: string; content: string } {
  const rnd = mulberry32(Math.imul(j + 1, 0x9e3779b1) ^ 0x5bd1e995);
  const n = rnd() < 0.45 ? 1 : rnd() < 0.73 ? 2 : 3;
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(clause(rnd));
  let body = parts.join(', ');
  body = body.replace(/\b[A-Za-z]{4,}\b/g, (w) => (rnd() < 0.01 ? typo(w, rnd) : w));
  const extra: string[] = [];
  if (rnd() < 0.45) extra.push(pick(['Pt', 'Patient', 'Re', 'For'], rnd) + ` ${first(rnd)} ${last(rnd)}`);
  if (rnd() < 0.35) {
    const palmer = `${pick(['UR', 'UL', 'LR', 'LL'], rnd)}${1 + Math.floor(rnd() * 8)}`;
    const fdi = `${1 + Math.floor(rnd() * 4)}${1 + Math.floor(rnd() * 8)}`;
    extra.push(rnd() < 0.6 ? `on ${palmer}` : `tooth ${fdi}`);
  }
  if (rnd() < 0.3) {
    const day = 1 + Math.floor(rnd() * 28);
    extra.push(rnd() < 0.5 ? `seen ${day} ${pick(MONTHS, rnd)}` : `review 2026-${String(1 + Math.floor(rnd() * 12)).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
  }
  if (rnd() < 0.25) extra.push(`${pick(['using', 'ordered', 'with', 'switch to'], rnd)} ${product(rnd)}`);
  if (rnd() < 0.2) extra.push(`${pick(['mentions', 'note:', 're', 'after'], rnd)} ${everyday(rnd)}`);
  if (rnd() < 0.15) extra.push(`lab ref ${Array.from({ length: 6 }, () => pick(ALNUM.split(''), rnd)).join('')}`);
  // Extras go before or after the clinical text, as people write them.
  for (const x of extra) body = rnd() < 0.5 ? `${x}: ${body}` : `${body}, ${x}`;
  const subject = rnd() < 0.3 ? clause(rnd) : '';
  return { subject, content: `${body.charAt(0).toUpperCase()}${body.slice(1)}.` };
}
