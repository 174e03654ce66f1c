/**
 * `npm run fit:search-fusion -- --candidates <file> [--model m]`: fits the learned fusion on the
 * tuning half of the original 36 queries, prints the weights (the ones checked into fusion.ts's
 * LEARNED_FUSION came from here) and their nDCG@10 on the held-out half, and cross-validates
 * every fit over the original 36 queries (6 folds, 3 seeded repeats). The 30 added queries are
 * never read here: they are scored only by `npm run eval:search`, with the weights fixed.
 *
 * The candidates file is written by `npm run eval:search -- --candidates <file>` (the set's
 * candidates from the search repository's own queries); bench/results/search-candidates.json is
 * the one the checked-in weights were fitted on.
 */
import { readFileSync } from 'node:fs';
import { LEARNED_FEATURES, type LinearRanker, WEIGHTED_AS_RANKER } from '../fusion';
import { LEARNED_FUSION } from '../fusion';
import { wordCount } from '../text';
import {
  bestWeighted,
  type CandidatesFile,
  coordinateAscent,
  crossValidate,
  fromRanker,
  meanNdcg,
  pairwiseLogistic,
  prepare,
  type Prepared,
  toRanker,
} from './fit-fusion';
import { CANDIDATES } from '../../repositories/search.repository';
import { relevance, SEARCH_DOCS, SEARCH_QUERIES } from './search-set';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The original queries of a candidates file, prepared for fitting, with their split. */
function preparedQueries(file: CandidatesFile, model: string, lexDepth = Infinity, semDepth = Infinity): Array<{ split: 'tune' | 'heldOut'; p: Prepared }> {
  const docs = new Map(SEARCH_DOCS.map((d) => [d.key, d]));
  // The service asks each leg for `depth` candidates of each kind: keep the first of each kind.
  const pool = <T extends readonly [string, number]>(hits: readonly T[], depth: number) => {
    const seen = new Map<string, number>();
    return hits.filter(([key]) => {
      const kind = docs.get(key)!.kind;
      seen.set(kind, (seen.get(kind) ?? 0) + 1);
      return seen.get(kind)! <= depth;
    });
  };
  return file.queries.flatMap((c) => {
    if (c.split !== 'tune' && c.split !== 'heldOut') return [];
    const q = SEARCH_QUERIES.find((x) => x.q === c.q);
    if (!q) throw new Error(`query "${c.q}" is not in search-set.ts`);
    const sem = c.semantic[model];
    if (!sem) throw new Error(`--model: the candidates file has no ${model} (it has ${Object.keys(c.semantic).join(', ')})`);
    const p = prepare({
      lexical: pool(c.bm25, lexDepth).map(([id, rank]) => ({ id, rank, terms: [] })),
      semantic: [pool(sem, semDepth).map(([id, similarity]) => ({ id, similarity }))],
      words: wordCount(c.q),
      grade: (id) => relevance(q, docs.get(id)!),
      ideal: SEARCH_DOCS.map((d) => relevance(q, d)).filter((g) => g > 0),
    });
    return [{ split: c.split, p }];
  });
}

function main(): void {
  const path = arg('candidates');
  if (!path) throw new Error('--candidates <file> is required (written by npm run eval:search -- --candidates <file>)');
  const model = arg('model') ?? 'bge-small-en-v1.5-q';
  const file = JSON.parse(readFileSync(path, 'utf8')) as CandidatesFile;
  const lexDepth = Number(arg('lex-depth') ?? CANDIDATES);
  const semDepth = Number(arg('sem-depth') ?? CANDIDATES);
  if (arg('depths')) {
    // Pool depth alone, with the default weighted fusion: tuning half, held-out half, all 36.
    for (const spec of arg('depths')!.split(',')) {
      const [l, s] = spec.split('/').map(Number);
      const qs = preparedQueries(file, model, l, s ?? l);
      const w = fromRanker(WEIGHTED_AS_RANKER);
      const m = (sp?: string) => meanNdcg(qs.filter((q) => !sp || q.split === sp).map((q) => q.p), w);
      console.log(`pool lexical ${l} / semantic ${s ?? l} per kind, weighted 0.5: tune ${m('tune').toFixed(3)}  held-out ${m('heldOut').toFixed(3)}  all 36 ${m().toFixed(3)}`);
    }
    return;
  }
  const all = preparedQueries(file, model, lexDepth, semDepth);
  const tune = all.filter((q) => q.split === 'tune').map((q) => q.p);
  const held = all.filter((q) => q.split === 'heldOut').map((q) => q.p);
  const orig = all.map((q) => q.p);
  const fmt = (w: readonly number[]) =>
    LEARNED_FEATURES.map((f, i) => [f, w[i]!] as const)
      .filter(([, v]) => Math.abs(v) >= 0.0005)
      .map(([f, v]) => `${f} ${v.toFixed(3)}`)
      .join(', ');
  const fits: Array<[string, (train: Prepared[]) => number[]]> = [
    ['weighted 0.5 (default)', () => fromRanker(WEIGHTED_AS_RANKER)],
    ['weighted, best w of the training queries', (t) => bestWeighted(t)],
    ['checked-in LEARNED_FUSION (fixed)', () => fromRanker(LEARNED_FUSION.ranker!)],
  ];
  const fixed = (name: string, r: Partial<LinearRanker>) => fits.push([name, () => fromRanker({ ...WEIGHTED_AS_RANKER, lex: 0, sem: 0, ...r })]);
  fixed('z-score fusion 0.5/0.5 (fixed)', { lexZ: 0.5, semZ: 0.5 });
  fixed('rank fusion 10/(10+rank), 0.5/0.5 (fixed)', { lexTop: 0.5, semTop: 0.5 });
  fixed('weighted 0.5 + both 0.1 (fixed)', { lex: 0.5, sem: 0.5, both: 0.1 });
  for (const lambda of [0.01]) fits.push([`pairwise logistic, z-scores only, L2 ${lambda}`, (t) => pairwiseLogistic(t, { lambda, features: ['lexZ', 'semZ'] })]);
  for (const lambda of [0.001, 0.01, 0.05]) fits.push([`pairwise logistic, all features, L2 ${lambda}`, (t) => pairwiseLogistic(t, { lambda })]);
  for (const lambda of [0.001, 0.01]) fits.push([`pairwise logistic, lex+sem+tops+both, L2 ${lambda}`, (t) => pairwiseLogistic(t, { lambda, features: ['lex', 'sem', 'lexTop', 'semTop', 'both'] })]);
  fits.push([`pairwise logistic, lex+sem+short, L2 0.01`, (t) => pairwiseLogistic(t, { lambda: 0.01, features: ['lex', 'sem', 'lexShort', 'semShort'] })]);
  fits.push([`pairwise logistic, lex+sem+semZ, L2 0.01`, (t) => pairwiseLogistic(t, { lambda: 0.01, features: ['lex', 'sem', 'semZ'] })]);
  if (process.argv.includes('--slow')) for (const minGain of [0.002, 0.01]) fits.push([`coordinate ascent, all features, min gain ${minGain}`, (t) => coordinateAscent(t, { minGain })]);
  if (process.argv.includes('--slow')) fits.push(['coordinate ascent, lex+sem+short', (t) => coordinateAscent(t, { features: ['lex', 'sem', 'lexShort', 'semShort'] })]);
  if (process.argv.includes('--slow')) fits.push(['coordinate ascent, lex+sem+tops+both', (t) => coordinateAscent(t, { features: ['lex', 'sem', 'lexTop', 'semTop', 'both'] })]);

  console.log(`${model}, original 36 queries (${tune.length} tuning, ${held.length} held out)`);
  for (const [name, fit] of fits) {
    const w = fit(tune);
    const cv = crossValidate(orig, fit);
    console.log(
      `${name.padEnd(52)} tune ${meanNdcg(tune, w).toFixed(3)}  held-out ${meanNdcg(held, w).toFixed(3)}  | 6-fold CV over 36: ${cv.mean.toFixed(3)} ± ${cv.sd.toFixed(3)} (folds ${cv.foldRange[0].toFixed(2)}–${cv.foldRange[1].toFixed(2)})`,
    );
    console.log(`${''.padEnd(52)} fitted on the tuning half: ${fmt(w)}`);
  }
  const chosen: LinearRanker = toRanker(pairwiseLogistic(tune, { lambda: 0.01 }));
  console.log(`weights for LEARNED_FUSION (pairwise logistic, all features, L2 0.01, fitted on the tuning half): ${JSON.stringify(chosen)}`);
}

main();
