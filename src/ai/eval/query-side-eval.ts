/**
 * `npm run eval:search-query-side`: session 6's query-side experiments on the labelled set, with
 * the default model (bge-small-en-v1.5 int8) and the BM25 leg, every split reported:
 *
 * - **query vectors**: the glossary-expanded query with bge's retrieval instruction (the
 *   default), without it, and the raw query (as typed) with and without it;
 * - **two query vectors**: the raw and the expanded query's, each document's best cosine (`max`),
 *   their mean (`mean`), or two semantic legs sharing the weight (`legs`);
 * - **vector pseudo-relevance feedback** (Rocchio on embeddings): q' = q + α · mean of the top-k
 *   first-pass hits' vectors (k 3-5; the hits of the fused first page or of the semantic leg),
 *   normalised, then the semantic leg again with q' and fused again with the same lexical leg;
 * - **fusion**: min-max (the default's) or z-score normalisation of both legs, the weight from a
 *   grid, and chosen by 6-fold cross-validation (3 seeded repeats) over tune + heldOut.
 *
 * Everything after the embedding is in memory: the documents' vectors are read back from the
 * database the pipeline wrote them to, and the semantic leg is an exact cosine scan of them with
 * the service's pool (the best CANDIDATES per kind); the lexical leg is the search repository's
 * BM25 query. Its default must score what eval:search's default scores (printed, and the
 * semantic leg is also read through the repository for the default to show they agree).
 *
 * The decision rule, fixed before any of these ran on blind3: a setting is adopted only if it
 * beats the default on tune by at least 0.005 and is not below it by 0.005 or more on any held-out
 * split (heldOut, added, blind, blind2, blind3; blind4 since session 7); 0.005 is above the ±0.003 that BM25's random tie
 * order moves a figure between runs. Settings are chosen on tune alone (the weight: the tune-best
 * of the grid; the cross-validated figure is reported beside it).
 *
 * Flags: `--no-glossary` (measure without ORTHO_GLOSSARY on both sides).
 * Writes bench/results/eval-search-query-side-*.json.
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
import { DEFAULT_FUSION, fuseLegs, type FusionOptions, type LexicalHit, type SemanticHit, WEIGHTED_AS_RANKER } from '../fusion';
import { localModelRoot, type LocalModelName } from '../models';
import { embedSources } from '../pipeline';
import { LocalEmbeddingProvider } from '../providers/local';
import { expandOrtho, orQueryTerms, setOrthoGlossary, wordCount, type TextKind } from '../text';
import { shuffled } from './fit-fusion';
import { K, ndcg, storeLabelledSet } from './labelled-practice';
import { ALL_QUERIES, relevance, SEARCH_DOCS, SPLITS, type Split } from './search-set';

const MODEL: LocalModelName = 'bge-small-en-v1.5-q';
const KINDS: readonly TextKind[] = ['case', 'message'];
const WEIGHTS = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
const HELD_OUT: readonly Split[] = ['heldOut', 'added', 'blind', 'blind2', 'blind3', 'blind4'];
/** The decision rule's margin (see the header). */
const MARGIN = 0.005;

type Variant = 'expanded+instr' | 'expanded' | 'raw+instr' | 'raw';
const VARIANTS: readonly Variant[] = ['expanded+instr', 'expanded', 'raw+instr', 'raw'];

interface Doc {
  id: string;
  kind: TextKind;
  chunks: number[][];
}

interface Query {
  q: string;
  split: Split;
  words: number;
  ideal: number[];
  grade: (id: string) => number;
  lexical: LexicalHit[];
  vectors: Record<Variant, number[]>;
}

/** How a family ranks one query, given the semantic weight w (ignored by single-leg families). */
type Ranker = (q: Query, w: number) => string[];

interface Family {
  name: string;
  /** Whether w matters (hybrid). */
  weighted: boolean;
  rank: Ranker;
}

const dot = (a: readonly number[], b: readonly number[]) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};
const unit = (v: readonly number[]) => {
  const n = Math.sqrt(dot(v, v)) || 1;
  return v.map((x) => x / n);
};

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const glossary = !process.argv.includes('--no-glossary');
  setOrthoGlossary(glossary);
  const depth = Number(arg('depth') ?? searchRepo.CANDIDATES);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mdw-eval-qs-'));
  const pg = await startEmbeddedPostgres({ dataDir: dir, database: 'mdw_eval', ephemeral: true });
  const database = createDatabase(pg.url, 4);
  const db = database.system;
  await ensureEmbeddingModel(MODEL);
  const provider = new LocalEmbeddingProvider(MODEL, localModelRoot(config));
  try {
    await migrate(pg.url);
    const { keyOf } = await storeLabelledSet(db, 'eval');
    const docByKey = new Map(SEARCH_DOCS.map((d) => [d.key, d]));
    const sources = [...(await repo.loadSources(db, 'case', [...keyOf.keys()])), ...(await repo.loadSources(db, 'message', [...keyOf.keys()]))];
    await sql`INSERT INTO embedding_models (model, dimensions, state) VALUES (${provider.model}, ${provider.dimensions}, 'active') ON CONFLICT (model) DO NOTHING`.execute(db);
    await repo.ensureModelIndexes(db, provider.model, provider.dimensions);
    await embedSources({ db, providers: () => provider }, sources, [{ model: provider.model, dimensions: provider.dimensions }]);

    // The documents' stored vectors (what the service's semantic leg scans).
    const docs = new Map<string, Doc>();
    for (const [kind, table, fk] of [
      ['case', 'case_embeddings', 'case_id'],
      ['message', 'message_embeddings', 'message_id'],
    ] as const) {
      const rows = await sql<{ id: string; v: string }>`SELECT ${sql.ref(fk)}::text AS id, embedding::text AS v FROM ${sql.table(table)} WHERE model = ${provider.model} ORDER BY chunk`.execute(db);
      for (const r of rows.rows) {
        const d = docs.get(r.id) ?? { id: r.id, kind, chunks: [] };
        d.chunks.push(JSON.parse(r.v) as number[]);
        docs.set(r.id, d);
      }
    }
    const multi = [...docs.values()].filter((d) => d.chunks.length > 1).length;
    console.log(`${docs.size} documents embedded (${multi} with more than one chunk), glossary ${glossary ? 'on' : 'off'}`);
    // Sentences per stored text (title and description of a case are two of them): decides
    // whether sentence chunks can show anything on this set.
    const sentences = sources.map((s) => s.text.split(/\n|(?<=[.!?])\s+/).filter((x) => x.trim()).length);
    console.log(`sentences per text: ${[1, 2, 3, 4].map((n) => `${n}${n === 4 ? '+' : ''}: ${sentences.filter((c) => (n === 4 ? c >= 4 : c === n)).length}`).join(', ')}`);

    // Each query: BM25 candidates through the repository, four query vectors.
    const queries: Query[] = [];
    for (const { q, split } of ALL_QUERIES) {
      const expanded = expandOrtho(q.q);
      const terms = orQueryTerms(expanded);
      const lexical = await db.transaction().execute(async (trx) => {
        const all: LexicalHit[] = [];
        for (const kind of KINDS) all.push(...(await searchRepo.lexicalBm25(trx, kind, terms, depth)).map((l) => ({ id: l.id, rank: l.rank, terms: [] })));
        return all.sort((x, y) => y.rank - x.rank);
      });
      const [en, rn] = await provider.embed([expanded, q.q]);
      const vectors: Record<Variant, number[]> = { 'expanded+instr': await provider.embedQuery(expanded), expanded: en!, 'raw+instr': await provider.embedQuery(q.q), raw: rn! };
      queries.push({
        q: q.q,
        split,
        words: wordCount(q.q),
        ideal: SEARCH_DOCS.map((d) => relevance(q, d)).filter((g) => g > 0),
        grade: (id) => relevance(q, docByKey.get(keyOf.get(id)!)!),
        lexical,
        vectors,
      });
    }

    // The semantic leg: each document's best chunk, the best `depth` of each kind (the service's pool).
    const docList = [...docs.values()];
    const semLeg = (sim: (d: Doc) => number): SemanticHit[] => {
      const all: SemanticHit[] = [];
      for (const kind of KINDS) {
        all.push(
          ...docList
            .filter((d) => d.kind === kind)
            .map((d) => ({ id: d.id, similarity: sim(d) }))
            .sort((a, b) => b.similarity - a.similarity)
            .slice(0, depth),
        );
      }
      return all.sort((a, b) => b.similarity - a.similarity);
    };
    const best = (v: readonly number[]) => (d: Doc) => Math.max(...d.chunks.map((c) => dot(c, v)));
    const memo = new Map<string, SemanticHit[]>();
    const legOf = (q: Query, key: string, sim: () => (d: Doc) => number) => {
      const k = `${q.q}\u0000${key}`;
      let leg = memo.get(k);
      if (!leg) memo.set(k, (leg = semLeg(sim())));
      return leg;
    };
    const leg = (q: Query, v: Variant) => legOf(q, v, () => best(q.vectors[v]));

    const minmax = (w: number): FusionOptions => ({ ...DEFAULT_FUSION, method: 'weighted', semanticWeight: w });
    const zscore = (w: number): FusionOptions => ({ method: 'learned', semanticWeight: w, k: 60, ranker: { ...WEIGHTED_AS_RANKER, lex: 0, sem: 0, lexZ: 1 - w, semZ: w } });
    const NORMS = { minmax, zscore } as const;
    const ids = (hits: ReadonlyArray<{ id: string }>) => hits.map((h) => h.id);

    const families: Family[] = [{ name: 'lexical (BM25)', weighted: false, rank: (q) => ids(q.lexical) }];
    for (const v of VARIANTS) families.push({ name: `vector ${v}`, weighted: false, rank: (q) => ids(leg(q, v)) });
    for (const v of VARIANTS) {
      for (const [norm, opts] of Object.entries(NORMS)) families.push({ name: `hybrid ${v} ${norm}`, weighted: true, rank: (q, w) => ids(fuseLegs(q.lexical, [leg(q, v)], opts(w), { words: q.words })) });
    }
    // Two query vectors.
    for (const [a, b] of [
      ['raw+instr', 'expanded+instr'],
      ['raw', 'expanded'],
      ['raw', 'expanded+instr'],
    ] as const) {
      const two = {
        max: (q: Query) => legOf(q, `${a}|${b}|max`, () => (d) => Math.max(best(q.vectors[a])(d), best(q.vectors[b])(d))),
        mean: (q: Query) => legOf(q, `${a}|${b}|mean`, () => (d) => (best(q.vectors[a])(d) + best(q.vectors[b])(d)) / 2),
      };
      for (const [how, semantic] of Object.entries(two)) {
        families.push({ name: `vector two (${a}, ${b}) ${how}`, weighted: false, rank: (q) => ids(semantic(q)) });
        for (const [norm, opts] of Object.entries(NORMS)) families.push({ name: `hybrid two (${a}, ${b}) ${how} ${norm}`, weighted: true, rank: (q, w) => ids(fuseLegs(q.lexical, [semantic(q)], opts(w), { words: q.words })) });
      }
      families.push({ name: `vector two (${a}, ${b}) legs`, weighted: false, rank: (q) => ids(fuseLegs([], [leg(q, a), leg(q, b)], minmax(1), { words: q.words })) });
      for (const [norm, opts] of Object.entries(NORMS)) {
        families.push({ name: `hybrid two (${a}, ${b}) legs ${norm}`, weighted: true, rank: (q, w) => ids(fuseLegs(q.lexical, [leg(q, a), leg(q, b)], opts(w), { words: q.words })) });
      }
    }
    // Vector PRF on the default query vector: feedback from the fused first page (same fusion
    // and weight) or from the semantic leg's best; vector-only PRF from the semantic leg.
    const docVec = (id: string) => docs.get(id)!.chunks[0]!;
    const prf = (q: Query, feedback: readonly string[], k: number, alpha: number) => {
      const base = q.vectors['expanded+instr'];
      const top = feedback.slice(0, k);
      const mean = base.map((_, i) => top.reduce((s, id) => s + docVec(id)[i]!, 0) / (top.length || 1));
      return unit(base.map((x, i) => x + alpha * mean[i]!));
    };
    for (const k of [3, 4, 5]) {
      for (const alpha of [0.25, 0.5, 1]) {
        const semFirst = (q: Query) => legOf(q, `prf sem ${k} ${alpha}`, () => best(prf(q, ids(leg(q, 'expanded+instr')), k, alpha)));
        families.push({ name: `vector PRF k${k} a${alpha}`, weighted: false, rank: (q) => ids(semFirst(q)) });
        for (const [norm, opts] of Object.entries(NORMS)) {
          families.push({ name: `hybrid PRF(semantic) k${k} a${alpha} ${norm}`, weighted: true, rank: (q, w) => ids(fuseLegs(q.lexical, [semFirst(q)], opts(w), { words: q.words })) });
          families.push({
            name: `hybrid PRF(fused) k${k} a${alpha} ${norm}`,
            weighted: true,
            rank: (q, w) => {
              const first = ids(fuseLegs(q.lexical, [leg(q, 'expanded+instr')], opts(w), { words: q.words }));
              const second = legOf(q, `prf fused ${k} ${alpha} ${norm} ${w}`, () => best(prf(q, first, k, alpha)));
              return ids(fuseLegs(q.lexical, [second], opts(w), { words: q.words }));
            },
          });
        }
      }
    }

    // Scores: per query nDCG@10 and recall@10.
    const scoreOf = (q: Query, ranked: readonly string[]) => {
      const grades = ranked.slice(0, K).map((id) => q.grade(id));
      return { n: ndcg(grades, q.ideal), r: grades.filter((g) => g > 0).length / Math.min(K, q.ideal.length) };
    };
    type Split2 = Split | 'all';
    const perSplit = (fam: Family, w: number) => {
      const n: Record<string, number> = {};
      const r: Record<string, number> = {};
      const c: Record<string, number> = {};
      for (const q of queries) {
        const s = scoreOf(q, fam.rank(q, w));
        for (const k of [q.split, 'all']) {
          n[k] = (n[k] ?? 0) + s.n;
          r[k] = (r[k] ?? 0) + s.r;
          c[k] = (c[k] ?? 0) + 1;
        }
      }
      const out = { ndcg: {} as Record<Split2, number>, recall: {} as Record<Split2, number> };
      for (const k of [...SPLITS, 'all'] as Split2[]) {
        out.ndcg[k] = n[k]! / c[k]!;
        out.recall[k] = r[k]! / c[k]!;
      }
      return out;
    };
    // Cross-validation of the weight over tune + heldOut (the original 36): 6 folds, 3 repeats.
    const orig = queries.filter((q) => q.split === 'tune' || q.split === 'heldOut');
    const crossValidated = (fam: Family) => {
      const table = WEIGHTS.map((w) => orig.map((q) => scoreOf(q, fam.rank(q, w)).n));
      const means: number[] = [];
      for (let rep = 0; rep < 3; rep++) {
        const order = shuffled(
          orig.map((_, i) => i),
          rep + 1,
        );
        let sum = 0;
        for (let f = 0; f < 6; f++) {
          const train = order.filter((_, i) => i % 6 !== f);
          const test = order.filter((_, i) => i % 6 === f);
          let bi = 0;
          let bm = -1;
          table.forEach((row, wi) => {
            const m = train.reduce((s, i) => s + row[i]!, 0);
            if (m > bm + 1e-9) [bi, bm] = [wi, m];
          });
          sum += test.reduce((s, i) => s + table[bi]![i]!, 0);
        }
        means.push(sum / orig.length);
      }
      return means.reduce((a, b) => a + b, 0) / means.length;
    };

    interface Result {
      family: string;
      w: number | null;
      ndcg: Record<Split2, number>;
      recall: Record<Split2, number>;
      cv36: number | null;
      byWeight?: Array<{ w: number; ndcg: Record<Split2, number> }>;
    }
    const results: Result[] = [];
    const fmt = (x: number) => x.toFixed(3);
    for (const fam of families) {
      let res: Result;
      if (fam.weighted) {
        const byWeight = WEIGHTS.map((w) => ({ w, ...perSplit(fam, w) }));
        // Ties go to the weight nearest the default's 0.6.
        const chosen = [...byWeight].sort((a, b) => b.ndcg.tune - a.ndcg.tune || Math.abs(a.w - 0.6) - Math.abs(b.w - 0.6))[0]!;
        res = { family: fam.name, w: chosen.w, ndcg: chosen.ndcg, recall: chosen.recall, cv36: crossValidated(fam), byWeight: byWeight.map(({ w, ndcg: n }) => ({ w, ndcg: n })) };
      } else {
        res = { family: fam.name, w: null, ...perSplit(fam, 1), cv36: null };
      }
      results.push(res);
      console.log(
        `${res.family.padEnd(58)} ${res.w === null ? '     ' : `w ${res.w.toFixed(1)}`} all ${fmt(res.ndcg.all)}/${fmt(res.recall.all)} | tune ${fmt(res.ndcg.tune)} held ${fmt(res.ndcg.heldOut)} added ${fmt(res.ndcg.added)} blind ${fmt(res.ndcg.blind)} blind2 ${fmt(res.ndcg.blind2)} blind3 ${fmt(res.ndcg.blind3)} blind4 ${fmt(res.ndcg.blind4)}${res.cv36 === null ? '' : ` | CV36 ${fmt(res.cv36)}`}`,
      );
    }

    // The default (expanded + instruction, min-max, 0.6) and the decision rule against it.
    const defaultFam = families.find((f) => f.name === 'hybrid expanded+instr minmax')!;
    const def = perSplit(defaultFam, DEFAULT_FUSION.semanticWeight);
    console.log(`\ndefault (hybrid expanded+instr minmax ${DEFAULT_FUSION.semanticWeight}): all ${fmt(def.ndcg.all)}/${fmt(def.recall.all)} ${SPLITS.map((s) => `${s} ${fmt(def.ndcg[s])}/${fmt(def.recall[s])}`).join(' ')}`);
    // The same default with the semantic leg read through the repository (HNSW over halfvec): the
    // in-memory exact scan must agree with what the service reads.
    let viaRepo = 0;
    for (const q of queries) {
      const sem = await db.transaction().execute(async (trx) => {
        const all: SemanticHit[] = [];
        for (const kind of KINDS) all.push(...(await searchRepo.semantic(trx, kind, provider, q.vectors['expanded+instr'], depth)).map((x) => ({ id: x.id, similarity: x.similarity })));
        return all.sort((x, y) => y.similarity - x.similarity);
      });
      viaRepo += scoreOf(q, ids(fuseLegs(q.lexical, [sem], DEFAULT_FUSION, { words: q.words }))).n;
    }
    console.log(`default with the semantic leg through search.repository: all ${fmt(viaRepo / queries.length)} (in memory ${fmt(def.ndcg.all)})`);
    const verdicts = results
      .filter((r) => r.w !== null)
      .map((r) => {
        const winsTune = r.ndcg.tune >= def.ndcg.tune + MARGIN;
        const losses = HELD_OUT.filter((s) => r.ndcg[s] <= def.ndcg[s] - MARGIN);
        return { family: r.family, w: r.w, tune: r.ndcg.tune, all: r.ndcg.all, winsTune, losses, adoptable: winsTune && losses.length === 0 };
      });
    console.log('\nadoptable by the rule (wins tune by >= 0.005, loses no held-out split by >= 0.005):');
    for (const v of verdicts.filter((x) => x.adoptable).sort((a, b) => b.tune - a.tune)) console.log(`  ${v.family} w ${v.w}: tune ${fmt(v.tune)} all ${fmt(v.all)}`);
    console.log('wins tune but loses a held-out split:');
    for (const v of verdicts.filter((x) => x.winsTune && !x.adoptable).sort((a, b) => b.tune - a.tune)) console.log(`  ${v.family} w ${v.w}: tune ${fmt(v.tune)} all ${fmt(v.all)}; loses ${v.losses.join(', ')}`);

    const out = path.resolve(__dirname, '../../../bench/results', `eval-search-query-side-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(out, JSON.stringify({ model: provider.model, glossary, k: K, depth, weights: WEIGHTS, margin: MARGIN, default: { w: DEFAULT_FUSION.semanticWeight, ...def, viaRepository: viaRepo / queries.length }, results, verdicts }, null, 2));
    console.log(`wrote ${out}`);
  } finally {
    await provider.close();
    await database.destroy();
    pg.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
