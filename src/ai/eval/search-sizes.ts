/**
 * How much work a search does, as options of the search service (s-knobs, session 10): the
 * size sweeps of `npm run eval:search -- --sizes …` (quality) and `bench/search-page-cpu.ts
 * --variants …` (CPU per search) read the same text, so both measure the same settings.
 *
 * A size is `key=value` pairs separated by commas, sizes by `;`:
 * - `c`: candidates per leg and kind (search.repository.ts CANDIDATES): the lexical top-N, the
 *   texts the walk returns, what the fusion normalises over;
 * - `f`: chunks the walk fetches per candidate, the feedback's rescored pool (search_page()
 *   fetches ceil(c × max(overfetch, pool)), so this sets both: SEMANTIC_OVERFETCH and
 *   DEFAULT_FEEDBACK.pool);
 * - `ef`: the walk's hnsw.ef_search (HNSW_EF_SEARCH);
 * - `k`: the feedback's top texts (DEFAULT_FEEDBACK.k);
 * - `fb`: 1 with the feedback (the default), 0 without it (s-frontier, session 11: the feedback's
 *   price and worth); without it the fusion is FUSION_WITHOUT_FEEDBACK's unless `w` says otherwise;
 * - `w`: the weighted fusion's semantic weight (DEFAULT_FUSION.semanticWeight with the feedback,
 *   FUSION_WITHOUT_FEEDBACK's without).
 * A key left out keeps the default, so `c=50` is the production search itself.
 */
import { DEFAULT_FEEDBACK, type FeedbackOptions, type FusionOptions } from '../fusion';

export interface SearchSize {
  /** The text it was parsed from, as a label. */
  name: string;
  candidates?: number;
  fetch?: number;
  efSearch?: number;
  k?: number;
  /** 0: no feedback. */
  feedback?: number;
  semanticWeight?: number;
}

const KEYS: Record<string, { field: 'candidates' | 'fetch' | 'efSearch' | 'k' | 'feedback' | 'semanticWeight'; integer: boolean; min: number; max?: number }> = {
  c: { field: 'candidates', integer: true, min: 1 },
  f: { field: 'fetch', integer: false, min: 1 },
  ef: { field: 'efSearch', integer: true, min: 1 },
  k: { field: 'k', integer: true, min: 1 },
  fb: { field: 'feedback', integer: true, min: 0, max: 1 },
  w: { field: 'semanticWeight', integer: false, min: 0, max: 1 },
};

/** `c=40,f=1;c=30` → two sizes; an unknown key or a bad value throws, naming it. */
export function parseSearchSizes(text: string): SearchSize[] {
  return text
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const size: SearchSize = { name: s };
      for (const pair of s.split(',')) {
        const [key = '', raw = ''] = pair.split('=').map((x) => x.trim());
        const spec = KEYS[key];
        if (!spec) throw new Error(`size "${s}": unknown key "${key}" (known: ${Object.keys(KEYS).join(', ')})`);
        const n = Number(raw);
        if (raw === '' || !Number.isFinite(n) || n < spec.min || (spec.max !== undefined && n > spec.max) || (spec.integer && !Number.isInteger(n))) {
          const range = spec.max === undefined ? `of at least ${spec.min}` : `from ${spec.min} to ${spec.max}`;
          throw new Error(`size "${s}": ${key} must be ${spec.integer ? 'an integer' : 'a number'} ${range} (got "${raw}")`);
        }
        size[spec.field] = n;
      }
      return size;
    });
}

/** The search service's options for a size (createSearchService's deps). */
export function searchSizeDeps(size: SearchSize): { candidates?: number; efSearch?: number; semanticOverfetch?: number; feedback: FeedbackOptions | null; fusion?: FusionOptions } {
  return {
    candidates: size.candidates,
    efSearch: size.efSearch,
    semanticOverfetch: size.fetch,
    feedback: size.feedback === 0 ? null : { ...DEFAULT_FEEDBACK, ...(size.fetch === undefined ? {} : { pool: size.fetch }), ...(size.k === undefined ? {} : { k: size.k }) },
    // Only when asked: the service picks the fusion that goes with its feedback otherwise.
    ...(size.semanticWeight === undefined ? {} : { fusion: { method: 'weighted' as const, semanticWeight: size.semanticWeight, k: 60 } }),
  };
}
