import { chunkText, contentHash, correctSpelling, editDistance, ENGLISH, expandOrtho, ORTHO_LEXICON, orQueryTerms, setOrthoGlossary, snippet, vocabularyOf } from './text';

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
  it('maps chart shorthand and lay phrasing of the glossary to the clinical words', () => {
    expect(expandOrtho('bkt off LL3')).toContain('bracket');
    expect(expandOrtho('negative OB')).toContain('open bite');
    expect(expandOrtho('negative OB')).not.toContain('deep bite');
    expect(expandOrtho('OB 6mm')).toContain('deep bite');
    expect(expandOrtho('EARR on the OPG')).toContain('root resorption');
    expect(expandOrtho('trays sitting proud')).toContain('aligner not tracking');
    expect(expandOrtho('LR quadrant')).toContain('lower right');
  });
  it('adds nothing when the text already uses the clinical words', () => {
    expect(expandOrtho('crossbite on the left')).toBe('crossbite on the left');
    expect(expandOrtho('the aligner was delivered today')).toBe('the aligner was delivered today');
  });
  it('can be switched off for the evaluation', () => {
    setOrthoGlossary(false);
    try {
      expect(expandOrtho('bkt off LL3')).not.toContain('bracket');
    } finally {
      setOrthoGlossary(true);
    }
  });
  it('leaves plain English alone', () => {
    expect(expandOrtho('the aligner was delivered today')).toBe('the aligner was delivered today');
    expect(expandOrtho('patient not wearing rubber bands')).toContain('elastics');
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

describe('correctSpelling', () => {
  it('measures one edit, a transposition of neighbours included, and stops past the cap', () => {
    expect(editDistance('retaner', 'retainer')).toBe(1);
    expect(editDistance('nickle', 'nickel')).toBe(1);
    expect(editDistance('bracket', 'bracket')).toBe(0);
    expect(editDistance('kitten', 'sitting', 3)).toBe(3);
    expect(editDistance('aligner', 'bracket')).toBe(2);
  });

  it("replaces an unknown word by the vocabulary's word one edit away, plurals as plurals", () => {
    expect(correctSpelling('upper retainor snapped')).toBe('upper retainer snapped');
    expect(correctSpelling('pt broke brackts on sweets')).toBe('pt broke brackets on sweets');
    expect(correctSpelling('root resorbtion on xray')).toBe('root resorption on xray');
    expect(ORTHO_LEXICON.has('retainer')).toBe(true);
  });

  it('leaves known, short, inflected, ambiguous and far words as typed', () => {
    // Known to the vocabulary, or the plural of a known word.
    expect(correctSpelling('aligners cracked')).toBe('aligners cracked');
    // Shorter than five letters ("of" is not turned into "off").
    expect(correctSpelling('fell of')).toBe('fell of');
    // A letter added or dropped at the end is an inflection, not a typo.
    expect(correctSpelling('close the space', vocabularyOf(['closed space']), new Set())).toBe('close the space');
    // Two equally frequent candidates: no guess.
    expect(correctSpelling('batter', vocabularyOf(['bitter butter']), new Set())).toBe('batter');
    // The more frequent of two candidates wins.
    expect(correctSpelling('batter', vocabularyOf(['bitter butter butter']), new Set())).toBe('butter');
    // Common English words are never corrected (without the guard "eating" became "seating").
    expect(correctSpelling('jaw clicks when eating')).toBe('jaw clicks when eating');
    expect(correctSpelling('jaw clicks when eating', ORTHO_LEXICON, new Set())).toBe('jaw clicks when seating');
    expect(ENGLISH.has('change')).toBe(true);
    // Nothing within one edit.
    expect(correctSpelling('wedding vacation')).toBe('wedding vacation');
  });
});
