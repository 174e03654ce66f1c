import { chunkText, contentHash, expandOrtho, orQueryTerms, snippet } from './text';

describe('chunkText', () => {
  it('keeps a short text whole, normalising whitespace', () => {
    expect(chunkText('  upper aligner\n not seating ')).toEqual(['upper aligner not seating']);
  });
  it('splits a long text into overlapping windows that cover every word', () => {
    const words = Array.from({ length: 400 }, (_, i) => `w${i}`);
    const chunks = chunkText(words.join(' '), 160, 30);
    expect(chunks.length).toBe(3);
    expect(chunks[0]!.split(' ')).toHaveLength(160);
    expect(chunks[1]!.startsWith('w130 ')).toBe(true);
    expect(chunks.at(-1)!.endsWith('w399')).toBe(true);
    const covered = new Set(chunks.flatMap((c) => c.split(' ')));
    expect(covered.size).toBe(400);
  });
});

describe('contentHash', () => {
  it('is stable and differs for different texts', () => {
    expect(contentHash('a')).toBe(contentHash('a'));
    expect(contentHash('a')).not.toBe(contentHash('b'));
  });
});

describe('expandOrtho', () => {
  it('expands shorthand and tooth notation, keeping the original', () => {
    const e = expandOrtho('Pt needs IPR on UR3, OB 4mm');
    expect(e).toContain('Pt needs IPR on UR3, OB 4mm');
    expect(e).toContain('patient');
    expect(e).toContain('interproximal reduction');
    expect(e).toContain('upper right canine');
    expect(e).toContain('overbite');
  });
  it('leaves plain English alone', () => {
    expect(expandOrtho('the aligner does not fit')).toBe('the aligner does not fit');
  });
});

describe('orQueryTerms', () => {
  it('lower-cases, deduplicates and drops one-letter words and punctuation', () => {
    expect(orQueryTerms("Aligners not tracking! a gap, aligners' edge & UR3")).toEqual(['aligners', 'not', 'tracking', 'gap', 'edge', 'ur3']);
  });
  it('yields nothing for punctuation only', () => {
    expect(orQueryTerms('?! & |')).toEqual([]);
  });
});

describe('snippet', () => {
  it('returns short texts whole', () => {
    expect(snippet('short text', ['x'])).toBe('short text');
  });
  it('centres on the query terms in a long text', () => {
    const text = `${'filler words here '.repeat(30)}the lower retainer cracked at the molar ${'more filler text '.repeat(30)}`;
    const s = snippet(text, ['retainer', 'cracked'], 80);
    expect(s).toContain('retainer cracked');
    expect(s.startsWith('…')).toBe(true);
    expect(s.endsWith('…')).toBe(true);
  });
});
