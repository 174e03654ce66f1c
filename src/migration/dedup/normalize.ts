/**
 * Normalisation and string similarity for patient deduplication. Pure, no I/O.
 * Legacy copies of one person differ in case, accents, whitespace and small typos; everything
 * that compares names or emails goes through these functions so both sides are normalised alike.
 */

/**
 * A name part as compared: accents stripped (NFKD, combining marks removed, ß → ss, æ → ae …),
 * lower case, punctuation except letters/digits turned into spaces, whitespace collapsed.
 * @returns '' for null/blank input.
 */
export function normalizeName(value: string | null | undefined): string {
  if (!value) return '';
  return value
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/æ/g, 'ae')
    .replace(/ø/g, 'o')
    .replace(/œ/g, 'oe')
    .replace(/ł/g, 'l')
    .replace(/đ/g, 'd')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The tokens of a normalised name ("mary-jane" → ["mary", "jane"]). */
export function nameTokens(value: string): string[] {
  return value === '' ? [] : value.split(' ');
}

/**
 * An email as compared: all whitespace removed (copies differ in stray spaces), lower case.
 * Local parts are case-sensitive in theory; in this data they never are, and the new schema's
 * `profiles_email_lower_key` treats them case-insensitively too.
 * @returns null when there is no usable address (blank, no '@').
 */
export function normalizeEmail(value: string | null | undefined): string | null {
  if (!value) return null;
  const email = value.replace(/\s+/g, '').toLowerCase();
  const at = email.indexOf('@');
  if (at <= 0 || at === email.length - 1) return null;
  return email;
}

/** 'M' / 'F' / 'O' (trimmed, any case); anything else (blank, NULL, junk) is missing. */
export function normalizeSex(value: string | null | undefined): 'M' | 'F' | 'O' | null {
  const v = value?.trim().toUpperCase();
  return v === 'M' || v === 'F' || v === 'O' ? v : null;
}

/** A valid ISO date YYYY-MM-DD, else null (legacy dates are DateField, but be defensive). */
export function normalizeBirthdate(value: string | null | undefined): string | null {
  if (!value) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (date.getUTCFullYear() !== Number(y) || date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d)) return null;
  return `${y}-${mo}-${d}`;
}

const SOUNDEX_CODES: Record<string, string> = {
  b: '1', f: '1', p: '1', v: '1',
  c: '2', g: '2', j: '2', k: '2', q: '2', s: '2', x: '2', z: '2',
  d: '3', t: '3',
  l: '4',
  m: '5', n: '5',
  r: '6',
};

/**
 * American Soundex of a normalised name part ("green", "gren" → G650). Used only as a blocking
 * key: it puts spelling variants into the same block so the scorer gets to compare them.
 * @returns '' when the value has no letter a–z.
 */
export function soundex(value: string): string {
  const letters = value.replace(/[^a-z]/g, '');
  const first = letters[0];
  if (first === undefined) return '';
  let code = first.toUpperCase();
  let previous = SOUNDEX_CODES[first] ?? '';
  for (let i = 1; i < letters.length && code.length < 4; i++) {
    const ch = letters[i] as string;
    const digit = SOUNDEX_CODES[ch];
    if (digit === undefined) {
      // h and w do not separate letters with the same code; vowels do.
      if (ch !== 'h' && ch !== 'w') previous = '';
      continue;
    }
    if (digit !== previous) code += digit;
    previous = digit;
  }
  return code.padEnd(4, '0');
}

/**
 * Jaro–Winkler similarity in [0, 1] (1 = equal). The usual record-linkage measure for short
 * strings with typos: "sierra"/"seirra" ≈ 0.96, "tori"/"tory" ≈ 0.88.
 */
export function jaroWinkler(s1: string, s2: string): number {
  if (s1 === s2) return 1;
  const len1 = s1.length;
  const len2 = s2.length;
  if (len1 === 0 || len2 === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(len1, len2) / 2) - 1);
  const matched1 = new Array<boolean>(len1).fill(false);
  const matched2 = new Array<boolean>(len2).fill(false);
  let matches = 0;
  for (let i = 0; i < len1; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(len2 - 1, i + window);
    for (let j = lo; j <= hi; j++) {
      if (matched2[j] || s1[i] !== s2[j]) continue;
      matched1[i] = true;
      matched2[j] = true;
      matches++;
      break;
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < len1; i++) {
    if (!matched1[i]) continue;
    while (!matched2[k]) k++;
    if (s1[i] !== s2[k]) transpositions++;
    k++;
  }
  const m = matches;
  const jaro = (m / len1 + m / len2 + (m - transpositions / 2) / m) / 3;
  let prefix = 0;
  while (prefix < 4 && prefix < len1 && prefix < len2 && s1[prefix] === s2[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}
