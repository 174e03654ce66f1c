import { DEFAULT_FEEDBACK } from '../fusion';
import { parseSearchSizes, searchSizeDeps } from './search-sizes';

describe('search sizes (eval:search --sizes, search-page-cpu --variants)', () => {
  it('parses sizes separated by ; and keys separated by ,', () => {
    expect(parseSearchSizes('c=40, f=1 ; ef=20,k=2;')).toEqual([
      { name: 'c=40, f=1', candidates: 40, fetch: 1 },
      { name: 'ef=20,k=2', efSearch: 20, k: 2 },
    ]);
  });

  it('names the key and the size it rejects', () => {
    expect(() => parseSearchSizes('c=40;x=1')).toThrow('size "x=1": unknown key "x" (known: c, f, ef, k, fb, w)');
    expect(() => parseSearchSizes('c=4.5')).toThrow('size "c=4.5": c must be an integer of at least 1 (got "4.5")');
    expect(() => parseSearchSizes('f=0.8')).toThrow('f must be a number of at least 1 (got "0.8")');
    expect(() => parseSearchSizes('ef=')).toThrow('ef must be an integer of at least 1 (got "")');
    expect(() => parseSearchSizes('k')).toThrow('k must be an integer of at least 1 (got "")');
    expect(() => parseSearchSizes('fb=2')).toThrow('size "fb=2": fb must be an integer from 0 to 1 (got "2")');
    expect(() => parseSearchSizes('w=1.5')).toThrow('w must be a number from 0 to 1 (got "1.5")');
  });

  it('keeps the defaults for what a size leaves out', () => {
    expect(searchSizeDeps({ name: 'c=30' })).toEqual({ candidates: undefined, efSearch: undefined, semanticOverfetch: undefined, feedback: DEFAULT_FEEDBACK });
    // No fusion named: the service takes the one that goes with its feedback.
    expect(searchSizeDeps({ name: 'c=30' })).not.toHaveProperty('fusion');
    const [size] = parseSearchSizes('c=30');
    expect(searchSizeDeps(size!)).toMatchObject({ candidates: 30, feedback: DEFAULT_FEEDBACK });
  });

  it('sets the walk overfetch and the feedback pool together with f, and the feedback k with k', () => {
    const [size] = parseSearchSizes('f=1.1,k=2,ef=30');
    expect(searchSizeDeps(size!)).toEqual({ candidates: undefined, efSearch: 30, semanticOverfetch: 1.1, feedback: { ...DEFAULT_FEEDBACK, pool: 1.1, k: 2 } });
  });

  it('turns the feedback off with fb=0 and sets the weighted fusion\'s semantic weight with w', () => {
    const [off, offWeighted, on] = parseSearchSizes('fb=0;fb=0,w=0.8;fb=1,w=0.7');
    expect(searchSizeDeps(off!)).toEqual({ candidates: undefined, efSearch: undefined, semanticOverfetch: undefined, feedback: null });
    expect(searchSizeDeps(offWeighted!)).toMatchObject({ feedback: null, fusion: { method: 'weighted', semanticWeight: 0.8, k: 60 } });
    expect(searchSizeDeps(on!)).toMatchObject({ feedback: DEFAULT_FEEDBACK, fusion: { method: 'weighted', semanticWeight: 0.7 } });
  });
});
