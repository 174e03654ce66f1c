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
    expect(() => parseSearchSizes('c=40;x=1')).toThrow('size "x=1": unknown key "x" (known: c, f, ef, k)');
    expect(() => parseSearchSizes('c=4.5')).toThrow('size "c=4.5": c must be an integer of at least 1 (got "4.5")');
    expect(() => parseSearchSizes('f=0.8')).toThrow('f must be a number of at least 1 (got "0.8")');
    expect(() => parseSearchSizes('ef=')).toThrow('ef must be an integer of at least 1 (got "")');
    expect(() => parseSearchSizes('k')).toThrow('k must be an integer of at least 1 (got "")');
  });

  it('keeps the defaults for what a size leaves out', () => {
    expect(searchSizeDeps({ name: 'c=30' })).toEqual({ candidates: undefined, efSearch: undefined, semanticOverfetch: undefined, feedback: DEFAULT_FEEDBACK });
    const [size] = parseSearchSizes('c=30');
    expect(searchSizeDeps(size!)).toMatchObject({ candidates: 30, feedback: DEFAULT_FEEDBACK });
  });

  it('sets the walk overfetch and the feedback pool together with f, and the feedback k with k', () => {
    const [size] = parseSearchSizes('f=1.1,k=2,ef=30');
    expect(searchSizeDeps(size!)).toEqual({ candidates: undefined, efSearch: 30, semanticOverfetch: 1.1, feedback: { ...DEFAULT_FEEDBACK, pool: 1.1, k: 2 } });
  });
});
