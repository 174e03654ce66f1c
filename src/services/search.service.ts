/**
 * Hybrid search and similar cases. The query is embedded outside any transaction (a model call
 * must not hold a database connection); both legs and the result rows are then read in the
 * caller's RLS transaction. When the embedding provider fails or is slow, search answers from
 * the lexical leg alone and says so (`degraded`), never with an error.
 */
import type { Db, Tx } from '../db/database';
import { DEFAULT_FEEDBACK, DEFAULT_FUSION, explain, feedbackVector, type FeedbackOptions, fuse, type FusedHit, FUSION_WITHOUT_FEEDBACK, type FusionOptions, type QueryContext } from '../ai/fusion';
import type { EmbeddingProvider } from '../ai/providers/types';
import { correctSpelling, expandOrtho, orQueryTerms, snippet, wordCount, type TextKind } from '../ai/text';
import { activeModel, type ModelRow } from '../repositories/embeddings.repository';
import * as repo from '../repositories/search.repository';
import { recordSearchAccess, type PhiRead } from '../repositories/phi-access.repository';
import { createAdmission } from './admission';

export interface SearchServiceDeps {
  /** The privileged handle, only to read which model is active (not tenant data). */
  system: Db;
  providers: (model: string) => EmbeddingProvider;
  /** A query embedding slower than this falls back to lexical search. */
  embedTimeoutMs: number;
  fusion?: FusionOptions;
  /**
   * Vector pseudo-relevance feedback (fusion.ts): the semantic leg searched a second time from
   * the first fused page's best texts. null turns it off (and the default fusion becomes
   * FUSION_WITHOUT_FEEDBACK). Costs one more semantic query and a lookup of k vectors.
   * @default DEFAULT_FEEDBACK
   */
  feedback?: FeedbackOptions | null;
  /**
   * How the lexical leg ranks its matches: BM25 (default; weighs words by rarity; one large
   * practice by common terms, db 0084), BM25 scoring every match (bm25_exact, as before 0084) or
   * ts_rank (the earlier ranking, kept for the evaluation's comparison). See src/ai/README.md.
   * bm25_0084: the same ranking as bm25 through 0084's function (before 0104), one-statement
   * path only (bench:search's side-by-side); bm25_0117 likewise through search_lexical()'s caller
   * check and ranking as before db 0133 (bench/search-page-cpu.ts --before).
   */
  lexicalRanking?: 'bm25' | 'bm25_exact' | 'ts_rank' | 'bm25_0084' | 'bm25_0117';
  /**
   * Nearest chunks the semantic leg fetches per text it returns (search.repository.ts
   * SEMANTIC_OVERFETCH); 2 is what it fetched before session 5, for the benchmark's comparison.
   */
  semanticOverfetch?: number;
  /**
   * Candidates each leg ranks per kind (search.repository.ts CANDIDATES): the lexical top-N, the
   * texts the walk returns, the pool the feedback rescores (× the overfetch) and what the fusion
   * normalises over. For the evaluation's and the benchmarks' size sweeps (s-knobs, session 10).
   * @default CANDIDATES
   */
  candidates?: number;
  /** The HNSW walk's ef_search (search.repository.ts HNSW_EF_SEARCH), likewise. @default HNSW_EF_SEARCH */
  efSearch?: number;
  /**
   * Query vectors kept (least recently used dropped first), keyed by model and text: a repeated
   * query skips the model call (tens of ms on the local model, see bench/SEARCH.md). 0 disables.
   * @default 1000
   */
  queryCacheSize?: number;
  /**
   * `one` (default): the whole search in one statement, `public.search_page()` (db 0098; with a
   * fusion other than weighted, the candidates in one statement and the rows in a second).
   * `separate`: scope, each leg of each kind and the rows as separate statements, as before
   * session 6, kept for the benchmark's and the tests' side-by-side comparison.
   */
  statements?: 'one' | 'separate';
  /**
   * Session 7: misspelt words of the query are corrected before anything else (text.ts
   * correctSpelling against ORTHO_LEXICON: "retaner" -> "retainer"), so both legs and the embedded
   * text see the correction. false searches the query as typed. See src/ai/README.md.
   * @default true
   */
  spellingCorrection?: boolean;
  /**
   * Session 8, admission control: at most this many searches of this service in their database
   * transaction at once, the rest wait first in, first out (admission.ts) before taking a
   * connection. Sized to the database server's cores, 10 concurrent searches on 2 cores finish
   * sooner queued than time-sliced (bench/SEARCH.md). 0: no limit (every search takes a connection
   * at once, as before session 8). The query embedding happens before, outside the queue. The
   * API passes SEARCH_CONCURRENCY (default 6 since session 9); 0 here keeps the benchmarks' and
   * tests' services unlimited unless they ask.
   * @default 0
   */
  concurrency?: number;
  /**
   * Told how long each search waited for admission (ms, 0 without a wait or a limit),
   * synchronously just before its statement is built and sent: bench:search's decomposition of a
   * search's latency (session 11). Unset in the API.
   */
  onAdmitted?: (waitedMs: number) => void;
}

export interface SearchInput {
  q: string;
  kinds: readonly TextKind[];
  limit: number;
  practiceId?: string;
  /**
   * The page's PHI reads to record (GET /search: its cases' patients and its patients), in the
   * search's own transaction: on the one-statement path inside the statement itself (db 0136), so
   * the log commits with the read or the search fails. Omitted: nothing is recorded.
   */
  audit?: PhiRead;
}

/** GET /search's PHI read (route and resource of its phi_access_log rows); the benchmarks pass it too. */
export const SEARCH_READ: PhiRead = { route: 'GET /search', resource: 'search' };

export interface SearchResult {
  kind: TextKind;
  id: string;
  practiceId: string;
  caseId: string | null;
  title: string;
  score: number;
  snippet: string;
  why: { summary: string; terms: string[]; lexicalRank: number | null; similarity: number | null };
  createdAt: Date;
}

export interface SearchResponse {
  mode: 'hybrid' | 'lexical';
  model: string | null;
  degraded: { reason: 'no_model' | 'provider_unavailable'; message: string } | null;
  results: SearchResult[];
}

export interface QueryVector {
  model: ModelRow | null;
  vector: number[] | null;
  degraded: SearchResponse['degraded'];
}

export function createSearchService(deps: SearchServiceDeps) {
  const feedback = deps.feedback === undefined ? DEFAULT_FEEDBACK : deps.feedback;
  const fusion = deps.fusion ?? (feedback ? DEFAULT_FUSION : FUSION_WITHOUT_FEEDBACK);
  const candidates = deps.candidates ?? repo.CANDIDATES;
  const lexical = deps.lexicalRanking === 'ts_rank' ? repo.lexical : deps.lexicalRanking === 'bm25_exact' ? repo.lexicalBm25Exact : repo.lexicalBm25;
  let cached: { at: number; model: ModelRow | undefined } | undefined;
  /** The active model changes only at the end of a reindex: a few seconds of caching is safe. */
  async function currentModel(): Promise<ModelRow | undefined> {
    if (!cached || Date.now() - cached.at > 5_000) cached = { at: Date.now(), model: await activeModel(deps.system) };
    return cached.model;
  }

  const admission = createAdmission(deps.concurrency ?? 0, deps.onAdmitted);

  const cacheSize = deps.queryCacheSize ?? 1000;
  /** A Map iterates in insertion order: re-inserting on a hit makes its first key the least recently used. */
  const vectors = new Map<string, number[]>();

  async function embedQuery(text: string): Promise<QueryVector> {
    const model = await currentModel();
    if (!model) return { model: null, vector: null, degraded: { reason: 'no_model', message: 'No embedding model is active yet: results are from full-text search only.' } };
    const key = `${model.model}\u0000${text}`;
    const hit = vectors.get(key);
    if (hit) {
      vectors.delete(key);
      vectors.set(key, hit);
      return { model, vector: hit, degraded: null };
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      const provider = deps.providers(model.model);
      const call = provider.embedQuery ? provider.embedQuery(text) : provider.embed([text]).then((v) => v[0]!);
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${deps.embedTimeoutMs} ms`)), deps.embedTimeoutMs);
      });
      const vector = await Promise.race([call, timeout]);
      if (!Array.isArray(vector) || vector.length !== model.dimensions) throw new Error(`query vector has ${vector?.length} dimensions, expected ${model.dimensions}`);
      if (cacheSize > 0) {
        vectors.set(key, vector);
        if (vectors.size > cacheSize) vectors.delete(vectors.keys().next().value!);
      }
      return { model, vector, degraded: null };
    } catch (err) {
      return {
        model,
        vector: null,
        degraded: { reason: 'provider_unavailable', message: `The embedding model is unavailable (${(err as Error).message}): results are from full-text search only.` },
      };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Candidates of every requested kind from both legs, fused once: scores are then comparable
   * across kinds (fusing per kind would normalise each kind's best to 1).
   */
  async function rank(trx: Tx, kinds: readonly TextKind[], terms: string[], qv: QueryVector, limit: number, query: QueryContext, practiceId?: string) {
    const lex: { id: string; rank: number; kind: TextKind }[] = [];
    const sem: { id: string; similarity: number; chunk_text: string; kind: TextKind }[] = [];
    const scope = await repo.searchScope(trx, practiceId);
    // Feedback by rescoring (db 0106): the first walk fetches the pool the second leg rescores.
    const pool = feedback?.pool ?? null;
    const overfetch = pool === null ? deps.semanticOverfetch : Math.max(deps.semanticOverfetch ?? repo.SEMANTIC_OVERFETCH, pool);
    for (const kind of kinds) {
      // The lexical leg decides the caller's practices itself (lab staff read every practice's
      // cases, messages and projects, which `scope`, the caller's memberships, does not say).
      lex.push(...(await lexical(trx, kind, terms, candidates, practiceId ?? null)).map((l) => ({ ...l, kind })));
      if (qv.vector && qv.model) sem.push(...(await repo.semantic(trx, kind, qv.model, qv.vector, candidates, scope, undefined, deps.efSearch, overfetch)).map((x) => ({ ...x, kind })));
    }
    lex.sort((x, y) => y.rank - x.rank);
    sem.sort((x, y) => y.similarity - x.similarity);
    const lexHits = lex.map((l) => ({ id: l.id, rank: l.rank, terms: [] }));
    let fused = fuse(lexHits, sem.map((x) => ({ id: x.id, similarity: x.similarity })), fusion, query);
    const kindOf = new Map<string, TextKind>([...lex, ...sem].map((x) => [x.id, x.kind]));
    let final = sem;
    if (feedback && qv.vector && qv.model && fused.length > 0) {
      // Pseudo-relevance feedback: the first page's best texts' vectors pull the query vector
      // towards their words, then the semantic leg again, fused with the same lexical leg.
      const top = fused.slice(0, feedback.k).map((f) => f.id);
      const vectors = new Map<string, number[]>();
      for (const kind of kinds) {
        const ofKind = top.filter((id) => kindOf.get(id) === kind);
        if (ofKind.length) for (const [id, v] of await repo.vectorsOf(trx, kind, qv.model.model, ofKind, scope)) vectors.set(id, v);
      }
      const q2 = feedbackVector(qv.vector, top.filter((id) => vectors.has(id)).map((id) => vectors.get(id)!), feedback.alpha);
      final = [];
      for (const kind of kinds) {
        const leg =
          pool === null
            ? await repo.semantic(trx, kind, qv.model, q2, candidates, scope, undefined, deps.efSearch, deps.semanticOverfetch)
            : await repo.semanticRescored(trx, kind, qv.model, qv.vector, q2, candidates, scope, overfetch, deps.efSearch);
        final.push(...leg.map((x) => ({ ...x, kind })));
      }
      final.sort((x, y) => y.similarity - x.similarity);
      for (const x of final) kindOf.set(x.id, x.kind);
      fused = fuse(lexHits, final.map((x) => ({ id: x.id, similarity: x.similarity })), fusion, query);
    }
    const chunkOf = new Map(final.map((x) => [x.id, x.chunk_text]));
    return { fused: fused.slice(0, limit), kindOf, chunkOf };
  }

  /** The fused page's rows, one statement per kind (loadRows()), under RLS. */
  async function loadPageRows(trx: Tx, kinds: readonly TextKind[], fused: readonly FusedHit[], kindOf: ReadonlyMap<string, TextKind>) {
    const rows = new Map<string, repo.SearchRow>();
    for (const kind of kinds) {
      for (const [id, row] of await repo.loadRows(trx, kind, fused.filter((f) => kindOf.get(f.id) === kind).map((f) => f.id))) rows.set(id, row);
    }
    return rows;
  }

  /** The page as GET /search shows it: a fused hit without its row (RLS hid it) is left out. */
  function present(fused: readonly FusedHit[], kindOf: ReadonlyMap<string, TextKind>, chunkOf: ReadonlyMap<string, string>, rows: ReadonlyMap<string, repo.SearchRow>, terms: readonly string[]): SearchResult[] {
    const out: SearchResult[] = [];
    for (const f of fused) {
      const row = rows.get(f.id);
      if (!row) continue;
      // Only a lexical hit names its words (a text lower-cased for nothing costs a copy of it).
      let matched: string[] = [];
      if (f.lexical) {
        const full = `${row.title}\n${row.text}`.toLowerCase();
        matched = terms.filter((t) => t.length > 2 && full.includes(t.slice(0, Math.max(3, t.length - 2))));
      }
      const hit = { ...f, lexical: f.lexical ? { ...f.lexical, terms: matched } : null };
      out.push({
        kind: kindOf.get(f.id)!,
        id: row.id,
        practiceId: row.practice_id,
        caseId: row.case_id,
        title: row.title,
        score: Number(f.score.toFixed(4)),
        snippet: snippet(matched.length || !chunkOf.get(f.id) ? row.text || row.title : chunkOf.get(f.id)!, matched),
        why: { summary: explain(hit), terms: matched, lexicalRank: f.lexical?.rank ?? null, similarity: f.semantic ? Number(f.semantic.similarity.toFixed(4)) : null },
        createdAt: row.created_at,
      });
    }
    return out;
  }

  return {
    embedQuery,

    /**
     * GET /search. `statement`, when given, runs one statement as the caller in one round trip
     * (Database.asActorStatement): the one-statement path with the weighted fusion then sends
     * BEGIN with the claims, search_page() and COMMIT together instead of in three round trips
     * (session 8); without it, or on any other path, the search runs in `db`'s transaction.
     */
    async search(db: <T>(fn: (trx: Tx) => Promise<T>) => Promise<T>, input: SearchInput, statement?: <R>(sql: string) => Promise<R[]>): Promise<SearchResponse> {
      const expanded = expandOrtho(deps.spellingCorrection === false ? input.q : correctSpelling(input.q));
      const terms = orQueryTerms(expanded);
      const qv = await embedQuery(expanded);
      const query = { words: wordCount(input.q) };
      const onePage = (page: repo.PageRow[]) => {
        const kindOf = new Map(page.map((x) => [x.id, x.kind]));
        const chunkOf = new Map(page.filter((x) => x.chunk_text !== null).map((x) => [x.id, x.chunk_text!]));
        const fused: FusedHit[] = page.map((x) => ({
          id: x.id,
          score: x.score!,
          lexical: x.lexical_rank === null ? null : { id: x.id, rank: x.lexical_rank, terms: [] },
          semantic: x.similarity === null ? null : { id: x.id, similarity: x.similarity },
        }));
        const rows = new Map(page.map((x) => [x.id, { id: x.id, practice_id: x.practice_id!, case_id: x.case_id, title: x.title!, text: x.body!, created_at: x.created_at! }]));
        return present(fused, kindOf, chunkOf, rows, terms);
      };
      /** The page's PHI reads in the search's transaction (the paths that run in `db`'s). */
      const audited = async (trx: Tx, results: SearchResult[]): Promise<SearchResult[]> => {
        if (input.audit) {
          const caseIds = [...new Set(results.map((x) => x.caseId).filter((id): id is string => !!id))];
          await recordSearchAccess(trx, caseIds, results.filter((x) => x.kind === 'patient').map((x) => x.id), input.audit);
        }
        return results;
      };
      const pageInput = (): repo.PageInput => ({
        kinds: input.kinds,
        terms,
        practiceId: input.practiceId,
        model: qv.vector && qv.model ? qv.model : null,
        vector: qv.vector,
        ranking: deps.lexicalRanking,
        overfetch: deps.semanticOverfetch,
        candidates: deps.candidates,
        efSearch: deps.efSearch,
        // The weighted fusion runs in SQL with the page's rows (fusion.ts's arithmetic, same order).
        fuse: fusion.method === 'weighted' ? { semanticWeight: fusion.semanticWeight, normalize: fusion.normalize ?? 'minmax', limit: input.limit } : undefined,
        feedback,
      });
      if (statement && deps.statements !== 'separate' && fusion.method === 'weighted') {
        const results = onePage(await admission.run(() => statement<repo.PageRow>(repo.searchPageSql(pageInput(), input.audit))));
        return { mode: qv.vector ? 'hybrid' : 'lexical', model: qv.model?.model ?? null, degraded: qv.degraded, results };
      }
      const results = await admission.run(() => db(async (trx) => audited(trx, await (async () => {
        // Feedback (PRF) runs in SQL with the weighted fusion (db 0099); with another fusion, as separate statements.
        if (deps.statements === 'separate' || (feedback && fusion.method !== 'weighted')) {
          const { fused, kindOf, chunkOf } = await rank(trx, input.kinds, terms, qv, input.limit, query, input.practiceId);
          return present(fused, kindOf, chunkOf, await loadPageRows(trx, input.kinds, fused, kindOf), terms);
        }
        const page = await repo.searchPage(trx, pageInput());
        if (fusion.method === 'weighted') return onePage(page);
        const kindOf = new Map(page.map((x) => [x.id, x.kind]));
        const chunkOf = new Map(page.filter((x) => x.chunk_text !== null).map((x) => [x.id, x.chunk_text!]));
        // Other fusions (rrf, learned) in TypeScript over the candidates, in rank()'s order.
        const lex = page.filter((x) => x.lexical_rank !== null).sort((x, y) => y.lexical_rank! - x.lexical_rank!);
        const sem = page.filter((x) => x.similarity !== null).sort((x, y) => y.similarity! - x.similarity!);
        const fused = fuse(
          lex.map((l) => ({ id: l.id, rank: l.lexical_rank!, terms: [] })),
          sem.map((x) => ({ id: x.id, similarity: x.similarity! })),
          fusion,
          query,
        ).slice(0, input.limit);
        return present(fused, kindOf, chunkOf, await loadPageRows(trx, input.kinds, fused, kindOf), terms);
      })())));
      return { mode: qv.vector ? 'hybrid' : 'lexical', model: qv.model?.model ?? null, degraded: qv.degraded, results };
    },

    /** GET /cases/{id}/similar: nearest cases of the same practice, with their outcomes. */
    async similarCases(trx: Tx, caseId: string, practiceId: string, limit: number) {
      const model = await currentModel();
      let hits: { id: string; similarity: number }[] = [];
      let basis: 'embedding' | 'text' | 'none' = 'none';
      const own = model ? await repo.caseVector(trx, caseId, model.model) : null;
      if (model && own) {
        hits = await repo.semantic(trx, 'case', model, own, limit, practiceId, caseId);
        basis = 'embedding';
      } else {
        // Not embedded yet (or consent withdrawn): fall back to the case's words.
        const rows = await repo.loadRows(trx, 'case', [caseId]);
        const row = rows.get(caseId);
        if (row) {
          const lex = await repo.lexical(trx, 'case', orQueryTerms(expandOrtho(`${row.title} ${row.text}`)), limit + 1, practiceId);
          const max = Math.max(0, ...lex.map((l) => l.rank));
          hits = lex.filter((l) => l.id !== caseId).slice(0, limit).map((l) => ({ id: l.id, similarity: max ? l.rank / max : 0 }));
          basis = 'text';
        }
      }
      const outcomes = await repo.caseOutcomes(trx, hits.map((h) => h.id));
      return {
        basis,
        model: basis === 'embedding' ? model!.model : null,
        results: hits.flatMap((h) => {
          const o = outcomes.get(h.id);
          return o ? [{ ...o, similarity: Number(h.similarity.toFixed(4)) }] : [];
        }),
      };
    },
  };
}

export type SearchService = ReturnType<typeof createSearchService>;
