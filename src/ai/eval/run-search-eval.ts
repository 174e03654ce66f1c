/**
 * `npm run eval:search`: nDCG@10 and recall@10 of lexical-only, vector-only, hybrid and
 * dense-ensemble search, per local model, on the labelled set in search-set.ts.
 *
 * Every model's vectors come from the pipeline's own code (chunking, expansion, embedSources) on an
 * ephemeral embedded PostgreSQL; every query's candidates from the search repository's two legs
 * (the queries the API runs), fused by fusion.ts in memory, so one pass per model serves every
 * fusion setting. Lexical legs: ts_rank (the earlier ranking) and BM25 (the default). The
 * production default is then run once more end to end through the search service, and must
 * score what its in-memory twin scored.
 *
 * Tuning may only look at the even-numbered queries (the tuning half); the odd-numbered ones are
 * held out; both are reported. Prints a table and writes bench/results/eval-search-*.json.
 *
 * Flags: `--models a,b` (default: every model of models.ts), `--quick` (no speed figures),
 * `--k1 --b` (BM25's constants; default the textbook 1.2 / 0.75), `--depth n` (candidates per kind
 * and leg; default the service's), `--candidates <file>` (writes every query's candidates for
 * `npm run fit:search-fusion`), `--no-glossary` (without text.ts's ORTHO_GLOSSARY, on both sides),
 * `--no-spelling` (queries as typed, without text.ts's correctSpelling; the service likewise),
 * `--sizes 'c=40;c=30,f=1'` (the production search again through the search service at each size
 * of eval/search-sizes.ts: candidates, pool, ef_search, feedback k, feedback off (fb=0), fusion weight (w); nDCG@10 and recall@10 per split,
 * into the JSON's `sizes`; without the flag nothing more runs). Session 11: adaptive feedback policies in memory
 * (FEEDBACK_POLICIES: skip share and nDCG@10 per split of each, into the JSON's `feedbackPolicies`).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { startEmbeddedPostgres } from '../../../scripts/lib/embedded-postgres';
import { ensureEmbeddingModel } from '../../../scripts/lib/embedding-models';
import { loadConfig } from '../../config';
import { createDatabase } from '../../db/database';
import { migrate } from '../../db/migrate';
import * as repo from '../../repositories/embeddings.repository';
import * as searchRepo from '../../repositories/search.repository';
import { createSearchService } from '../../services/search.service';
import { DEFAULT_FEEDBACK, DEFAULT_FUSION, feedbackVector, type FusedHit, fuseLegs, LEARNED_FUSION, type FusionOptions, type LexicalHit, type LinearRanker, type SemanticHit, WEIGHTED_AS_RANKER } from '../fusion';
import { LOCAL_MODEL_NAMES, localModelRoot, type LocalModelName } from '../models';
import { embeddingInput, embedSources } from '../pipeline';
import { LocalEmbeddingProvider } from '../providers/local';
import type { EmbeddingProvider } from '../providers/types';
import { chunkText, correctSpelling, expandOrtho, orQueryTerms, setOrthoGlossary, wordCount, type TextKind } from '../text';
import { type CandidatesFile } from './fit-fusion';
import { parseSearchSizes, searchSizeDeps, type SearchSize } from './search-sizes';
import { K, ndcg, storeLabelledSet } from './labelled-practice';
import { ALL_QUERIES, relevance, SEARCH_DOCS, SEARCH_QUERIES, SEARCH_QUERIES_ADDED, SEARCH_QUERIES_BLIND, SEARCH_QUERIES_BLIND2, SEARCH_QUERIES_BLIND3, SEARCH_QUERIES_BLIND4, SPLITS, type Split } from './search-set';

const KINDS: readonly TextKind[] = ['case', 'message'];
/** The row of the production default (weighted fusion, then vector feedback). */
const FEEDBACK_METHOD = `BM25 ${DEFAULT_FUSION.method} ${DEFAULT_FUSION.semanticWeight} + feedback k${DEFAULT_FEEDBACK.k} a${DEFAULT_FEEDBACK.alpha}${DEFAULT_FEEDBACK.pool ? ` rescore pool ${DEFAULT_FEEDBACK.pool}` : ''}`;
/** Session 7 (db 0106): the feedback's second leg by rescoring the first walk's pool (× candidates) or walking again (null), beside the default. */
const FEEDBACK_POOLS: readonly (number | null)[] = [null, 1.2, 2, 3];

interface Row {
  models: string;
  method: string;
  /** Every query (the original 36, the 30 added in session 4, the blind ones of session 5). */
  ndcg10: number;
  recall10: number;
  /** The 66 queries of session 4 (original 36 + added 30), comparable with its figures. */
  ndcg10Prev66: number;
  /** The original 36 queries (the figures of sessions 2-3), and their halves. */
  ndcg10Orig: number;
  recall10Orig: number;
  ndcg10Tune: number;
  ndcg10HeldOut: number;
  /** The 30 queries added in session 4 (all held out). */
  ndcg10Added: number;
  /** The queries written blind in session 5 (all held out). */
  ndcg10Blind: number;
  /** The second blind batch of session 5, written after the glossary was frozen. */
  ndcg10Blind2: number;
  /** Session 6's blind batch, judged document by document. */
  ndcg10Blind3: number;
  /** Session 7's blind batch, judged document by document. */
  ndcg10Blind4: number;
  /** recall@10 per split. */
  recall10BySplit: Record<Split, number>;
}

/**
 * q' as fusion.ts computed it before db 0152 (session 11): float8 arithmetic, then unit length. Kept
 * here only so that the evaluation compares it with the float4 q' in the same run.
 */
function feedbackVectorFloat8(query: readonly number[], feedback: ReadonlyArray<readonly number[]>, alpha: number): number[] {
  if (feedback.length === 0) return [...query];
  const out = query.map((x, i) => x + (alpha * feedback.reduce((s, v) => s + v[i]!, 0)) / feedback.length);
  const norm = Math.sqrt(out.reduce((s, x) => s + x * x, 0));
  return norm > 0 ? out.map((x) => x / norm) : out;
}

/** What an adaptive feedback policy sees of a query (the first fusion), and the page the feedback gives (for the oracle only). */
interface PolicyInput {
  lexical: readonly LexicalHit[];
  semantic: readonly SemanticHit[];
  first: readonly FusedHit[];
  second: readonly FusedHit[];
}
const pageIds = (page: readonly FusedHit[]) => page.slice(0, K).map((h) => h.id).join();
const both = (h: FusedHit) => h.lexical !== null && h.semantic !== null;
/** The best `k` of a leg's candidates, as a set of ids. */
const topIds = (hits: readonly { id: string }[], k: number) => new Set(hits.slice(0, k).map((h) => h.id));
/** lexical best / second best (a lone candidate is decisive). */
const lexicalLead = (lex: readonly LexicalHit[]) => (lex.length === 0 ? 0 : lex.length === 1 || lex[1]!.rank <= 0 ? Number.POSITIVE_INFINITY : lex[0]!.rank / lex[1]!.rank);
/**
 * Session 11 (s-frontier): when could the feedback be skipped? The first is production (never);
 * "oracle" skips exactly when the feedback would not change the page's ids (an upper bound: it
 * needs the feedback's page); the others decide from the first fusion alone, as search_page() could.
 */
const FEEDBACK_POLICIES: ReadonlyArray<readonly [string, (c: PolicyInput) => boolean]> = [
  ['never (production)', () => false],
  ['always (no feedback, weight 0.8)', () => true],
  ['oracle: the page would not change', (c) => pageIds(c.first) === pageIds(c.second)],
  ['top 3 texts in both legs', (c) => c.first.slice(0, 3).every(both)],
  ['top 3 = both legs\' top 3', (c) => c.first.slice(0, 3).every((h) => topIds(c.lexical, 3).has(h.id) && topIds(c.semantic, 3).has(h.id))],
  ['top 3 = the semantic leg\'s top 3', (c) => c.first.slice(0, 3).every((h) => topIds(c.semantic, 3).has(h.id))],
  ['top 1 = both legs\' top 1', (c) => c.first.length > 0 && c.lexical[0]?.id === c.first[0]!.id && c.semantic[0]?.id === c.first[0]!.id],
  ['lexical best >= 1.5 x second', (c) => lexicalLead(c.lexical) >= 1.5],
  ['lexical best >= 2 x second', (c) => lexicalLead(c.lexical) >= 2],
  ['lexical best >= 3 x second', (c) => lexicalLead(c.lexical) >= 3],
  ['fused best - second >= 0.2', (c) => c.first.length > 1 && c.first[0]!.score - c.first[1]!.score >= 0.2],
  ['fused best - second >= 0.3', (c) => c.first.length > 1 && c.first[0]!.score - c.first[1]!.score >= 0.3],
  ['semantic best - second >= 0.05', (c) => c.semantic.length > 1 && c.semantic[0]!.similarity - c.semantic[1]!.similarity >= 0.05],
];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const quick = process.argv.includes('--quick');
  const glossary = !process.argv.includes('--no-glossary');
  const spelling = !process.argv.includes('--no-spelling');
  setOrthoGlossary(glossary);
  const bm25Params = { k1: Number(arg('k1') ?? searchRepo.BM25.k1), b: Number(arg('b') ?? searchRepo.BM25.b) };
  // Candidates per kind and leg (the service's pool); deeper with --candidates, so that
  // fit-fusion-cli can try shallower pools by truncating.
  const depth = Number(arg('depth') ?? searchRepo.CANDIDATES);
  const names = (arg('models')?.split(',') ?? LOCAL_MODEL_NAMES) as LocalModelName[];
  let sizes: SearchSize[] = [];
  try {
    sizes = arg('sizes') ? parseSearchSizes(arg('sizes')!) : [];
  } catch (err) {
    throw new Error(`--sizes: ${(err as Error).message}`);
  }
  for (const n of names) if (!LOCAL_MODEL_NAMES.includes(n)) throw new Error(`--models: unknown model ${n} (known: ${LOCAL_MODEL_NAMES.join(', ')})`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mdw-eval-'));
  const pg = await startEmbeddedPostgres({ dataDir: dir, database: 'mdw_eval', ephemeral: true });
  const database = createDatabase(pg.url, 4);
  const db = database.system;
  const providers = new Map<string, LocalEmbeddingProvider>();
  try {
    await migrate(pg.url);
    const { keyOf: idOf } = await storeLabelledSet(db, 'eval');
    const docByKey = new Map(SEARCH_DOCS.map((d) => [d.key, d]));
    const sources = [...(await repo.loadSources(db, 'case', [...idOf.keys()])), ...(await repo.loadSources(db, 'message', [...idOf.keys()]))];
    const inputs = sources.flatMap((s) => chunkText(s.text).map(embeddingInput));
    console.log(`vocabulary: ORTHO_GLOSSARY ${glossary ? 'on' : 'off (--no-glossary)'}, spelling correction ${spelling ? 'on' : 'off (--no-spelling)'}`);
    console.log(
      `labelled set: ${SEARCH_DOCS.length} documents (${SEARCH_DOCS.filter((d) => d.kind === 'case').length} cases, ${SEARCH_DOCS.filter((d) => d.kind === 'message').length} messages), ${ALL_QUERIES.length} queries (${Math.ceil(SEARCH_QUERIES.length / 2)} tuning / ${Math.floor(SEARCH_QUERIES.length / 2)} held out / ${SEARCH_QUERIES_ADDED.length} added / ${SEARCH_QUERIES_BLIND.length} blind / ${SEARCH_QUERIES_BLIND2.length} blind2 / ${SEARCH_QUERIES_BLIND3.length} blind3 / ${SEARCH_QUERIES_BLIND4.length} blind4, held out)`,
    );

    // The lexical leg does not depend on the model.
    // Session 7: misspelt words corrected first, as the service does (--no-spelling: as typed).
    const spell = (q: string) => (spelling ? correctSpelling(q) : q);
    const queries = ALL_QUERIES.map(({ q, split }) => ({ q, split, expanded: expandOrtho(spell(q.q)), ideal: SEARCH_DOCS.map((d) => relevance(q, d)).filter((g) => g > 0) }));
    const lexical: LexicalHit[][] = [];
    const bm25: LexicalHit[][] = [];
    for (const { expanded } of queries) {
      const terms = orQueryTerms(expanded);
      const hits = await db.transaction().execute(async (trx) => {
        const all: LexicalHit[] = [];
        for (const kind of KINDS) all.push(...(await searchRepo.lexical(trx, kind, terms, depth)).map((l) => ({ id: l.id, rank: l.rank, terms: [] })));
        return all.sort((x, y) => y.rank - x.rank);
      });
      lexical.push(hits);
      bm25.push(
        await db.transaction().execute(async (trx) => {
          const all: LexicalHit[] = [];
          for (const kind of KINDS) all.push(...(await searchRepo.lexicalBm25(trx, kind, terms, depth, undefined, bm25Params)).map((l) => ({ id: l.id, rank: l.rank, terms: [] })));
          return all.sort((x, y) => y.rank - x.rank);
        }),
      );
    }

    // One pass per model: embed the set, then each query's semantic candidates.
    const semantic = new Map<LocalModelName, SemanticHit[][]>();
    const feedbackLegs = new Map<LocalModelName, SemanticHit[][]>();
    const feedbackVariants = new Map<number | null, Map<LocalModelName, SemanticHit[][]>>();
    const feedbackFloat8 = new Map<LocalModelName, SemanticHit[][]>();
    const speed: Array<{ model: string; textsPerSecond: number; queryMs: number }> = [];
    for (const name of names) {
      await ensureEmbeddingModel(name);
      const provider = new LocalEmbeddingProvider(name, localModelRoot(config));
      providers.set(name, provider);
      // 'building' while its vectors are written (writeEmbeddings() skips a retired model's, so
      // that a reindex never leaves one behind), then 'retired' beside the others: one model at a
      // time is building (embedding_models_one_building).
      await sql`INSERT INTO embedding_models (model, dimensions, state) VALUES (${provider.model}, ${provider.dimensions}, 'building') ON CONFLICT (model) DO UPDATE SET state = 'building'`.execute(db);
      await repo.ensureModelIndexes(db, provider.model, provider.dimensions);
      await embedSources({ db, providers: () => provider }, sources, [{ model: provider.model, dimensions: provider.dimensions }]);
      await sql`UPDATE embedding_models SET state = 'retired' WHERE model = ${provider.model}`.execute(db);
      // A model whose vectors were not stored would score as "vector" whatever it is: say so.
      const stored = await sql<{ n: string }>`SELECT (SELECT count(*) FROM message_embeddings WHERE model = ${provider.model}) + (SELECT count(*) FROM case_embeddings WHERE model = ${provider.model}) AS n`.execute(db);
      if (Number(stored.rows[0]!.n) < sources.length) throw new Error(`${provider.model}: ${stored.rows[0]!.n} vectors stored for ${sources.length} texts: the evaluation would not measure the model`);
      const legs: SemanticHit[][] = [];
      const qvecs: number[][] = [];
      const t0 = performance.now();
      for (const { expanded } of queries) {
        const vector = await provider.embedQuery(expanded);
        qvecs.push(vector);
        legs.push(
          await db.transaction().execute(async (trx) => {
            const all: SemanticHit[] = [];
            for (const kind of KINDS) all.push(...(await searchRepo.semantic(trx, kind, provider, vector, depth)).map((x) => ({ id: x.id, similarity: x.similarity })));
            return all.sort((x, y) => y.similarity - x.similarity);
          }),
        );
      }
      semantic.set(name, legs);
      // Session 6: the semantic leg again from the vector pseudo-relevance feedback of the
      // default fusion's first page (what the search service does; fusion.ts DEFAULT_FEEDBACK).
      // With a pool (db 0106), the first leg fetches the pool and the second rescores it, as the service does.
      const feedbackRun = async (pool: number | null, qPrime: typeof feedbackVector = feedbackVector): Promise<SemanticHit[][]> => {
        const second: SemanticHit[][] = [];
        const overfetch = pool === null ? searchRepo.SEMANTIC_OVERFETCH : Math.max(searchRepo.SEMANTIC_OVERFETCH, pool);
        for (const [qi, { q }] of queries.entries()) {
          const firstLeg =
            pool === null
              ? legs[qi]!
              : await db.transaction().execute(async (trx) => {
                  const all: SemanticHit[] = [];
                  for (const kind of KINDS) all.push(...(await searchRepo.semantic(trx, kind, provider, qvecs[qi]!, depth, undefined, undefined, undefined, overfetch)).map((x) => ({ id: x.id, similarity: x.similarity })));
                  return all.sort((x, y) => y.similarity - x.similarity);
                });
          const first = fuseLegs(bm25[qi]!, [firstLeg], DEFAULT_FUSION, { words: wordCount(q.q) }).slice(0, DEFAULT_FEEDBACK.k);
          const vectors = await db.transaction().execute(async (trx) => {
            const found = new Map<string, number[]>();
            for (const kind of KINDS) for (const [id, v] of await searchRepo.vectorsOf(trx, kind, provider.model, first.map((f) => f.id), null)) found.set(id, v);
            return found;
          });
          const q2 = qPrime(qvecs[qi]!, first.filter((f) => vectors.has(f.id)).map((f) => vectors.get(f.id)!), DEFAULT_FEEDBACK.alpha);
          second.push(
            await db.transaction().execute(async (trx) => {
              const all: SemanticHit[] = [];
              for (const kind of KINDS) {
                const leg = pool === null ? await searchRepo.semantic(trx, kind, provider, q2, depth) : await searchRepo.semanticRescored(trx, kind, provider, qvecs[qi]!, q2, depth, undefined, overfetch);
                all.push(...leg.map((x) => ({ id: x.id, similarity: x.similarity })));
              }
              return all.sort((x, y) => y.similarity - x.similarity);
            }),
          );
        }
        return second;
      };
      feedbackLegs.set(name, await feedbackRun(DEFAULT_FEEDBACK.pool ?? null));
      // Session 11 (s-frontier): q' in float8 and normalised, as before db 0152, beside the same run's float4 q'.
      feedbackFloat8.set(name, await feedbackRun(DEFAULT_FEEDBACK.pool ?? null, feedbackVectorFloat8));
      for (const pool of FEEDBACK_POOLS) {
        if (pool === (DEFAULT_FEEDBACK.pool ?? null)) continue;
        if (!feedbackVariants.has(pool)) feedbackVariants.set(pool, new Map());
        feedbackVariants.get(pool)!.set(name, await feedbackRun(pool));
      }
      if (!quick) {
        // Warm (the pass above loaded the model): the pipeline's chunks, then the queries alone.
        const t1 = performance.now();
        await provider.embed(inputs);
        const textsPerSecond = inputs.length / ((performance.now() - t1) / 1000);
        const t2 = performance.now();
        for (const { expanded } of queries) await provider.embedQuery(expanded);
        const queryMs = (performance.now() - t2) / queries.length;
        speed.push({ model: provider.model, textsPerSecond, queryMs });
        console.log(`${provider.model.padEnd(28)} ${textsPerSecond.toFixed(1)} texts/s (chunks of the set, batch 16), ${queryMs.toFixed(1)} ms per query embedding (first pass incl. search: ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      }
    }

    const saveTo = arg('candidates');
    if (saveTo) {
      // Every query's candidates (ids as the set's keys), so that fusion can be fitted and
      // cross-validated without a database or a model: `npm run fit:search-fusion`.
      const keyed = <T extends { id: string }>(hits: readonly T[], score: (h: T) => number) => hits.map((h) => [idOf.get(h.id)!, Number(score(h).toFixed(6))] as const);
      const file: CandidatesFile = {
        queries: queries.map(({ q, split }, qi) => ({
          q: q.q,
          split,
          bm25: keyed(bm25[qi]!, (h) => h.rank),
          tsRank: keyed(lexical[qi]!, (h) => h.rank),
          semantic: Object.fromEntries(names.map((m) => [m, keyed(semantic.get(m)![qi]!, (h) => h.similarity)])),
          feedback: Object.fromEntries(names.map((m) => [m, keyed(feedbackLegs.get(m)![qi]!, (h) => h.similarity)])),
        })),
      };
      writeFileSync(saveTo, JSON.stringify(file));
      console.log(`wrote the candidates to ${saveTo}`);
    }

    const report: Row[] = [];
    const evaluate = (models: readonly LocalModelName[], method: string, fusion: FusionOptions | null, lexicalLeg = lexical, semanticLegs = semantic): Row => {
      const zero = (): Record<Split, number> => ({ tune: 0, heldOut: 0, added: 0, blind: 0, blind2: 0, blind3: 0, blind4: 0 });
      const n = zero();
      const r = zero();
      const count = zero();
      queries.forEach(({ q, ideal, split }, qi) => {
        const legs = models.map((m) => semanticLegs.get(m)![qi]!);
        const ranked = fusion ? fuseLegs(lexicalLeg[qi]!, legs, fusion, { words: wordCount(q.q) }) : lexicalLeg[qi]!;
        const grades = ranked.slice(0, K).map((h) => relevance(q, docByKey.get(idOf.get(h.id)!)!));
        n[split] += ndcg(grades, ideal);
        r[split] += grades.filter((g) => g > 0).length / Math.min(K, ideal.length);
        count[split]++;
      });
      const sum = (x: Record<Split, number>, splits: readonly Split[]) => splits.reduce((s, k) => s + x[k], 0);
      const orig = count.tune + count.heldOut;
      const all = sum(count, SPLITS);
      const row: Row = {
        models: models.length ? models.join(' + ') : '(none)',
        method,
        ndcg10: sum(n, SPLITS) / all,
        recall10: sum(r, SPLITS) / all,
        ndcg10Prev66: sum(n, ['tune', 'heldOut', 'added']) / (orig + count.added),
        ndcg10Orig: (n.tune + n.heldOut) / orig,
        recall10Orig: (r.tune + r.heldOut) / orig,
        ndcg10Tune: n.tune / count.tune,
        ndcg10HeldOut: n.heldOut / count.heldOut,
        ndcg10Added: count.added ? n.added / count.added : NaN,
        ndcg10Blind: count.blind ? n.blind / count.blind : NaN,
        ndcg10Blind2: count.blind2 ? n.blind2 / count.blind2 : NaN,
        ndcg10Blind3: count.blind3 ? n.blind3 / count.blind3 : NaN,
        ndcg10Blind4: count.blind4 ? n.blind4 / count.blind4 : NaN,
        recall10BySplit: Object.fromEntries(SPLITS.map((k) => [k, count[k] ? r[k] / count[k] : NaN])) as Record<Split, number>,
      };
      report.push(row);
      console.log(
        `${row.models.padEnd(44)} ${row.method.padEnd(26)} nDCG@10 ${row.ndcg10.toFixed(3)} recall@10 ${row.recall10.toFixed(3)} | tune ${row.ndcg10Tune.toFixed(3)} held-out ${row.ndcg10HeldOut.toFixed(3)} added ${row.ndcg10Added.toFixed(3)} blind ${row.ndcg10Blind.toFixed(3)} blind2 ${row.ndcg10Blind2.toFixed(3)} blind3 ${row.ndcg10Blind3.toFixed(3)} blind4 ${row.ndcg10Blind4.toFixed(3)} | original 36 ${row.ndcg10Orig.toFixed(3)}, 66 of session 4 ${row.ndcg10Prev66.toFixed(3)}`,
      );
      return row;
    };

    evaluate([], 'lexical (OR + ts_rank)', null);
    evaluate([], 'lexical (OR + BM25)', null, bm25);
    const weights = [0.4, 0.5, 0.6, 0.7, 0.8];
    const combos: LocalModelName[][] = names.map((m) => [m]);
    // Dense ensembles: every pair, and every triple, of the models asked for.
    for (let i = 0; i < names.length; i++) {
      for (let j = i + 1; j < names.length; j++) {
        combos.push([names[i]!, names[j]!]);
        for (let k = j + 1; k < names.length; k++) combos.push([names[i]!, names[j]!, names[k]!]);
      }
    }
    for (const c of combos) {
      evaluate(c, 'vector', { method: 'weighted', semanticWeight: 1, k: 60 });
      for (const [leg, hits] of [['ts_rank', lexical], ['BM25', bm25]] as const) {
        evaluate(c, `${leg} rrf 0.5`, { method: 'rrf', semanticWeight: 0.5, k: 60 }, hits);
        evaluate(c, `${leg} rrf 0.7`, { method: 'rrf', semanticWeight: 0.7, k: 60 }, hits);
        for (const w of weights) evaluate(c, `${leg} weighted ${w}`, { method: 'weighted', semanticWeight: w, k: 60 }, hits);
        for (const w of [0.8, 0.85]) evaluate(c, `${leg} weighted/max ${w}`, { method: 'weighted', semanticWeight: w, k: 60, normalize: 'max' }, hits);
      }
      // Session 4 (fusion.ts's linear features, beside the BM25 leg): rank-based and z-score
      // normalisation with equal weights, and the learned fusion (weights fitted on the tuning
      // half by npm run fit:search-fusion, checked in as LEARNED_FUSION).
      const linear = (ranker: Partial<LinearRanker>): FusionOptions => ({ method: 'learned', semanticWeight: 0.5, k: 60, ranker: { ...WEIGHTED_AS_RANKER, lex: 0, sem: 0, ...ranker } });
      evaluate(c, 'BM25 rank 10/(10+r) 0.5', linear({ lexTop: 0.5, semTop: 0.5 }), bm25);
      evaluate(c, 'BM25 z-score 0.5', linear({ lexZ: 0.5, semZ: 0.5 }), bm25);
      evaluate(c, 'BM25 learned (pairwise)', LEARNED_FUSION, bm25);
    }
    // Session 6's default: the second semantic leg of the feedback, fused as the service does.
    for (const name of names) evaluate([name], FEEDBACK_METHOD, DEFAULT_FUSION, bm25, feedbackLegs);
    for (const [pool, variant] of feedbackVariants) {
      const method = `BM25 ${DEFAULT_FUSION.method} ${DEFAULT_FUSION.semanticWeight} + feedback k${DEFAULT_FEEDBACK.k} a${DEFAULT_FEEDBACK.alpha}${pool === null ? ' walk' : ` rescore pool ${pool}`}`;
      for (const name of names) evaluate([name], method, DEFAULT_FUSION, bm25, variant);
    }
    for (const name of names) evaluate([name], `${FEEDBACK_METHOD}, q' float8 normalised (before db 0152)`, DEFAULT_FUSION, bm25, feedbackFloat8);
    // Session 11 (s-frontier): adaptive feedback policies, in memory from the same legs as the rows
    // above. A policy looks at what the first fusion knows (the lexical leg, the first semantic
    // leg, their fusion) and skips the feedback when it says so; the page is then the first
    // fusion's. Per policy: the share of queries that skip, nDCG@10 per split, the splits below the
    // production default's (which never skips).
    const policyRows: Array<{ model: string; policy: string; skipShare: number; changedBySkip: number; ndcg10: number; ndcg10BySplit: Record<Split, number>; lower: Split[] }> = [];
    for (const name of names) {
      const ctx = queries.map(({ q }, qi) => ({
        lexical: bm25[qi]!,
        semantic: semantic.get(name)![qi]!,
        first: fuseLegs(bm25[qi]!, [semantic.get(name)![qi]!], DEFAULT_FUSION, { words: wordCount(q.q) }),
        second: fuseLegs(bm25[qi]!, [feedbackLegs.get(name)![qi]!], DEFAULT_FUSION, { words: wordCount(q.q) }),
      }));
      let base: Record<Split, number> | undefined;
      for (const [policy, skips] of FEEDBACK_POLICIES) {
        const n: Record<Split, number> = { tune: 0, heldOut: 0, added: 0, blind: 0, blind2: 0, blind3: 0, blind4: 0 };
        const count: Record<Split, number> = { ...n };
        let skipped = 0;
        let changed = 0;
        queries.forEach(({ q, ideal, split }, qi) => {
          const c = ctx[qi]!;
          const skip = skips(c);
          if (skip) skipped++;
          if (skip && pageIds(c.first) !== pageIds(c.second)) changed++;
          n[split] += ndcg((skip ? c.first : c.second).slice(0, K).map((h) => relevance(q, docByKey.get(idOf.get(h.id)!)!)), ideal);
          count[split]++;
        });
        const bySplit = Object.fromEntries(SPLITS.map((k) => [k, n[k] / count[k]])) as Record<Split, number>;
        base ??= bySplit;
        const row = {
          model: name,
          policy,
          skipShare: skipped / queries.length,
          changedBySkip: changed,
          ndcg10: SPLITS.reduce((a, k) => a + n[k], 0) / queries.length,
          ndcg10BySplit: bySplit,
          lower: SPLITS.filter((k) => bySplit[k] < base![k] - 1e-12),
        };
        policyRows.push(row);
        console.log(
          `feedback policy ${name} ${policy.padEnd(34)} skips ${(100 * row.skipShare).toFixed(1).padStart(5)} % (${changed} of them a different page) nDCG@10 ${row.ndcg10.toFixed(4)} | ${SPLITS.map((k) => `${k} ${bySplit[k].toFixed(3)}`).join(' ')} | ${row.lower.length ? `lower: ${row.lower.join(', ')}` : 'no split lower'}`,
        );
      }
    }
    const best = [...report].sort((a, b) => b.ndcg10Tune - a.ndcg10Tune)[0]!;
    console.log(
      `best on the tuning half: ${best.models} ${best.method}: tune ${best.ndcg10Tune.toFixed(3)}, held-out ${best.ndcg10HeldOut.toFixed(3)}, original 36 ${best.ndcg10Orig.toFixed(3)}, added 30 ${best.ndcg10Added.toFixed(3)}, blind ${best.ndcg10Blind.toFixed(3)}, blind2 ${best.ndcg10Blind2.toFixed(3)}, blind3 ${best.ndcg10Blind3.toFixed(3)}, blind4 ${best.ndcg10Blind4.toFixed(3)}, all ${best.ndcg10.toFixed(3)}`,
    );

    // The production default end to end through the search service (API code path): the
    // configured model, default fusion and lexical ranking.
    let production: { model: string; ndcg10: number; inMemory: number } | undefined;
    const primary = providers.get(config.LOCAL_EMBEDDING_MODEL);
    if (primary) {
      await sql`UPDATE embedding_models SET state = CASE WHEN model = ${primary.model} THEN 'active' ELSE 'retired' END`.execute(db);
      const svc = createSearchService({ system: db, providers: () => primary, embedTimeoutMs: 60_000, spellingCorrection: spelling });
      let sum = 0;
      for (const { q, ideal } of queries) {
        const res = await svc.search((fn) => db.transaction().execute(fn), { q: q.q, kinds: KINDS, limit: K });
        if (res.mode !== 'hybrid') throw new Error(`production search answered ${res.mode}: ${res.degraded?.message}`);
        sum += ndcg(res.results.map((r) => relevance(q, docByKey.get(idOf.get(r.id)!)!)), ideal);
      }
      const twin = report.find((r) => r.models === config.LOCAL_EMBEDDING_MODEL && r.method === FEEDBACK_METHOD);
      production = { model: primary.model, ndcg10: sum / queries.length, inMemory: twin?.ndcg10 ?? NaN };
      console.log(`production default through the search service (${production.model}, ${FEEDBACK_METHOD}): nDCG@10 ${production.ndcg10.toFixed(3)} (in memory ${production.inMemory.toFixed(3)})`);
      if (!(Math.abs(production.ndcg10 - production.inMemory) <= 0.01)) throw new Error('the search service and the in-memory evaluation disagree: the evaluation does not measure what the API runs');
    }

    // --sizes (s-knobs, session 10): the production search at other sizes, end to end through the
    // service (search_page(), as the API runs it), so fewer candidates' effect on the fusion's
    // min-max normalisation and on the feedback's pool is measured, not modelled.
    const sizeRows: Array<{ size: string; ndcg10: number; recall10: number; ndcg10BySplit: Record<Split, number>; recall10BySplit: Record<Split, number> }> = [];
    if (sizes.length && !primary) throw new Error(`--sizes needs the configured model ${config.LOCAL_EMBEDDING_MODEL} among --models`);
    if (primary) {
      // The query vectors once for every size (each service has its own cache).
      const memo = new Map<string, Promise<number[]>>();
      const remembered: EmbeddingProvider = {
        model: primary.model,
        dimensions: primary.dimensions,
        embed: (xs) => primary.embed(xs),
        embedQuery: (text) => {
          if (!memo.has(text)) memo.set(text, primary.embedQuery(text));
          return memo.get(text)!;
        },
      };
      for (const size of sizes) {
        const t0 = performance.now();
        const svc = createSearchService({ system: db, providers: () => remembered, embedTimeoutMs: 60_000, spellingCorrection: spelling, ...searchSizeDeps(size) });
        const zero = (): Record<Split, number> => ({ tune: 0, heldOut: 0, added: 0, blind: 0, blind2: 0, blind3: 0, blind4: 0 });
        const n = zero();
        const r = zero();
        const count = zero();
        for (const { q, ideal, split } of queries) {
          const res = await svc.search((fn) => db.transaction().execute(fn), { q: q.q, kinds: KINDS, limit: K });
          if (res.mode !== 'hybrid') throw new Error(`search at size ${size.name} answered ${res.mode}: ${res.degraded?.message}`);
          const grades = res.results.map((x) => relevance(q, docByKey.get(idOf.get(x.id)!)!));
          n[split] += ndcg(grades, ideal);
          r[split] += grades.filter((g) => g > 0).length / Math.min(K, ideal.length);
          count[split]++;
        }
        const all = SPLITS.reduce((a, k) => a + count[k], 0);
        const bySplit = (x: Record<Split, number>) => Object.fromEntries(SPLITS.map((k) => [k, count[k] ? x[k] / count[k] : NaN])) as Record<Split, number>;
        const row = { size: size.name, ndcg10: SPLITS.reduce((a, k) => a + n[k], 0) / all, recall10: SPLITS.reduce((a, k) => a + r[k], 0) / all, ndcg10BySplit: bySplit(n), recall10BySplit: bySplit(r) };
        sizeRows.push(row);
        console.log(
          `size ${size.name.padEnd(22)} (${((performance.now() - t0) / 1000).toFixed(0)} s) nDCG@10 ${row.ndcg10.toFixed(4)} recall@10 ${row.recall10.toFixed(4)} | ${SPLITS.map((k) => `${k} ${row.ndcg10BySplit[k].toFixed(3)}/${row.recall10BySplit[k].toFixed(3)}`).join(' ')}`,
        );
      }
    }

    const out = path.resolve(__dirname, '../../../bench/results', `eval-search-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(out, JSON.stringify({ docs: SEARCH_DOCS.length, queries: ALL_QUERIES.length, glossary, spelling, k: K, speed, best, production, ...(sizeRows.length ? { sizes: sizeRows } : {}), feedbackPolicies: policyRows, report }, null, 2));
    console.log(`wrote ${out}`);
  } finally {
    for (const p of providers.values()) await p.close();
    await database.destroy();
    pg.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
