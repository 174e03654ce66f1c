/**
 * Search queries. They run in the caller's transaction (`asActor`), so row-level security
 * decides what is visible: a member never sees another practice's texts, whatever the query.
 */
import { sql } from 'kysely';
import pg from 'pg';
import type { Tx } from '../db/database';
import type { TextKind } from '../ai/text';
import type { PhiRead } from './phi-access.repository';
import { checkModelId, KINDS, modelLiteral } from './embeddings.repository';

/**
 * Candidates per leg and kind: enough for fusion to reorder a page of results. 35 since session 10
 * (s-knobs; 50 before): the production search's nDCG@10 over the 295 labelled queries 0.7726 vs
 * 0.7725, no split lower, recall@10 0.7269 vs 0.7266 (30 lowers tune by 0.007; 33 heldOut by 0.005);
 * with HNSW_EF_SEARCH at the walk's fetch, ~0.35 ms less backend CPU per search at 1M
 * (bench/SEARCH.md, "Session 10 (s-knobs)"; src/ai/README.md).
 */
export const CANDIDATES = 35;

/**
 * The practices a search reads: their ids, or null for every practice RLS lets the caller read
 * (internal admins; the backend, which runs without RLS). The legs name them in their SQL
 * besides RLS: the policy ORs the admin check, so RLS alone can neither use the practice_id
 * index of a source table nor prune the partitions of an embedding table (db 0063).
 */
export type Scope = readonly string[] | null;

/** One practice when asked for, otherwise all of the caller's (one query). */
export async function searchScope(trx: Tx, practiceId?: string): Promise<Scope> {
  return practiceId ? [practiceId] : callerPractices(trx);
}

/** One practice as a scope; a scope (or null: every practice) as it is. */
function asScope(practices: string | Scope): Scope {
  return typeof practices === 'string' ? [practices] : practices;
}

async function resolve(trx: Tx, practices: string | Scope | undefined): Promise<Scope> {
  return practices === undefined ? searchScope(trx) : asScope(practices);
}

function practiceFilter(alias: string, scope: Scope) {
  if (!scope) return sql``;
  const col = sql.ref(`${alias}.practice_id`);
  return scope.length === 1 ? sql`AND ${col} = ${scope[0]}::uuid` : sql`AND ${col} = ANY(${scope}::uuid[])`;
}

/**
 * The practices a lexical leg names: null for every practice the caller may read (decided by
 * `search_lexical()` itself, which knows lab staff's cross-practice policy), else the list.
 */
function lexicalPractices(practices: string | Scope | undefined): Scope {
  return practices === undefined ? null : asScope(practices);
}

/**
 * The lexical leg through `public.search_lexical()` (db 0076): the texts' own index, partitioned
 * by practice like the embeddings, searched through the GIN index of the caller's partitions.
 * RLS cannot serve this: `@@` is not leakproof, so under RLS the planner read every text of the
 * caller's practices and tested each (bench/SEARCH.md). The function checks the caller once, as
 * the source tables' SELECT policies would (members: their practices; lab staff: cases, messages
 * and projects of every practice; internal admins and the backend: everything), and ranks only
 * what that lets through; the rows shown are loaded from the sources under RLS (`loadRows`).
 */
async function lexicalLeg(
  trx: Tx,
  kind: TextKind,
  terms: readonly string[],
  limit: number,
  practices: string | Scope | undefined,
  ranking: 'bm25' | 'bm25_exact' | 'ts_rank',
  params: { k1: number; b: number } = BM25,
): Promise<{ id: string; rank: number }[]> {
  if (terms.length === 0) return [];
  const scope = lexicalPractices(practices);
  if (scope && scope.length === 0) return [];
  const r = await sql<{ id: string; rank: number }>`
    SELECT id, rank FROM public.search_lexical(${kind}, ${[...terms]}::text[], ${scope ? [...scope] : null}::uuid[], ${limit}::int, ${ranking}, ${params.k1}::float8, ${params.b}::float8)`.execute(trx);
  return r.rows;
}

/**
 * Lexical leg: OR of the query's words (stemmed, stop words dropped), ranked by ts_rank
 * normalised by document length. `terms` are plain words (letters and digits only).
 * `practices`: one practice, a list, or (undefined/null) every practice the caller may read.
 */
export async function lexical(trx: Tx, kind: TextKind, terms: readonly string[], limit = CANDIDATES, practices?: string | Scope): Promise<{ id: string; rank: number }[]> {
  return lexicalLeg(trx, kind, terms, limit, practices, 'ts_rank');
}

/** BM25's textbook constants (Robertson et al.): term-frequency saturation and length normalisation. */
export const BM25 = { k1: 1.2, b: 0.75 } as const;

/**
 * Lexical leg ranked by BM25: like `lexical` (OR of the query's words, same index), but each
 * word counts by its rarity (IDF), which ts_rank ignores, so a text sharing the one rare word of
 * a query outranks one sharing its commonest. Document frequencies come from the texts searched:
 * the practices searched, and only what the caller may read. A word's df is exact, because every
 * such text that contains any query word is among the matches; N is the count of those texts of
 * the kind; avgdl is taken over the matches (lexemes per text). The SQL is db 0077's
 * `search_index.rank_exact()`.
 * One practice of at least 2,000 texts of the kind is ranked by common terms instead (db 0084,
 * Lucene's CommonTermsQuery): a word in at least 10 % of its partition's texts (ANALYZE's
 * statistics) is common; only texts containing a selective word are candidates, common words add
 * to their score with df and N from the statistics, avgdl over the candidates. A query of common
 * words only, or whose selective words no text has, is ranked as above.
 * `practices`: one practice, a list, or (undefined/null) every practice the caller may read.
 */
export async function lexicalBm25(
  trx: Tx,
  kind: TextKind,
  terms: readonly string[],
  limit = CANDIDATES,
  practices?: string | Scope,
  params: { k1: number; b: number } = BM25,
): Promise<{ id: string; rank: number }[]> {
  return lexicalLeg(trx, kind, terms, limit, practices, 'bm25', params);
}

/**
 * BM25 as before db 0084, whatever the practice's size: every text matching any query word is
 * scored (`search_index.rank_exact()`). `lexicalBm25` ranks one large practice by common terms
 * instead: only texts containing a selective query word are candidates (bench/SEARCH.md). Kept
 * for the benchmark's side-by-side run and the tests' comparison.
 */
export async function lexicalBm25Exact(
  trx: Tx,
  kind: TextKind,
  terms: readonly string[],
  limit = CANDIDATES,
  practices?: string | Scope,
  params: { k1: number; b: number } = BM25,
): Promise<{ id: string; rank: number }[]> {
  return lexicalLeg(trx, kind, terms, limit, practices, 'bm25_exact', params);
}

/**
 * The practices whose rows the caller may read, or null when RLS lets them read every practice
 * (internal admins; the backend, which runs without RLS).
 */
export async function callerPractices(trx: Tx): Promise<string[] | null> {
  const r = await sql<{ everything: boolean; ids: string[] }>`
    SELECT current_user <> 'authenticated' OR coalesce((SELECT public.is_internal_admin()), false) AS everything,
           ARRAY(SELECT public.user_practice_ids()) AS ids`.execute(trx);
  const row = r.rows[0]!;
  return row.everything ? null : row.ids;
}

/**
 * Chunks the semantic leg fetches per text it returns: a text may have several chunks among the
 * nearest, and the best one stands for it. 1.2 × LIMIT in the first query; the query runs again
 * with 2 × LIMIT only when duplicate chunks left fewer texts than asked for. The iterative scan
 * walks the graph until LIMIT rows are found, so this margin is most of the leg's work:
 * bench/SEARCH.md (2026-11-26 session 5) measured LIMIT 100 → 60 at about half the time of the
 * leg, with the same recall@10.
 */
export const SEMANTIC_OVERFETCH = 1.2;

/**
 * The HNSW candidate list of the semantic leg's first pass: the chunks the search's walk fetches,
 * ceil(CANDIDATES × SEMANTIC_OVERFETCH) = 42, so that one pass of the graph fills the LIMIT. Below
 * the LIMIT the iterative scan continues past the first pass, which costs more than a wider first
 * pass (session 10, s-knobs, at 1M: 35 candidates at ef_search 40, i.e. 42 chunks in two passes,
 * −0.17 ms backend CPU per search against 50 candidates; at 42, one pass, −0.36 ms; 50 candidates
 * at ef 60 −0.09). At least the 40 of before, so the walk is no less exact (the sweep at 1M
 * messages: bench/SEARCH.md, "Server sizing and ef_search").
 */
export const HNSW_EF_SEARCH = Math.max(40, Math.ceil(CANDIDATES * SEMANTIC_OVERFETCH));

/**
 * Semantic leg: nearest chunks by cosine distance through the model's partial HNSW index, best
 * chunk per text.
 *
 * The query names the practices it searches (`practices`: one, a scope, or by default all of the
 * caller's) besides RLS: the embedding tables are partitioned by practice (db 0063), so the
 * planner prunes to those partitions and walks their small graphs.
 * Iterative index scans keep going when the practice filter inside a partition discards rows
 * (plain HNSW with ef_search 40 returns 3 rows of 10 at a 1 % filter).
 */
export async function semantic(
  trx: Tx,
  kind: TextKind,
  model: { model: string; dimensions: number },
  vector: readonly number[],
  limit = CANDIDATES,
  practices?: string | Scope,
  excludeId?: string,
  efSearch: number = HNSW_EF_SEARCH,
  overfetch: number = SEMANTIC_OVERFETCH,
): Promise<{ id: string; similarity: number; chunk_text: string }[]> {
  const k = KINDS[kind];
  const dims = sql.lit(model.dimensions);
  const vec = `[${vector.join(',')}]`;
  const scope = await resolve(trx, practices);
  if (scope && scope.length === 0) return [];
  // One round trip for both settings (transaction-local, like SET LOCAL).
  await sql`SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true), set_config('hnsw.ef_search', ${String(efSearch)}, true)`.execute(trx);
  const nearest = async (fetch: number) =>
    (
      await sql<{ id: string; similarity: number; chunk_text: string; fetched: number }>`
    WITH nearest AS MATERIALIZED (
      SELECT e.${sql.ref(k.fk)} AS id, e.content_text, e.embedding::halfvec(${dims}) <=> ${vec}::halfvec(${dims}) AS distance
        FROM ${sql.table(k.table)} e
       WHERE e.model = ${modelLiteral(model.model)}
         ${practiceFilter('e', scope)}
         ${excludeId ? sql`AND e.${sql.ref(k.fk)} <> ${excludeId}::uuid` : sql``}
       ORDER BY e.embedding::halfvec(${dims}) <=> ${vec}::halfvec(${dims})
       LIMIT ${fetch}
    )
    SELECT DISTINCT ON (id) id, 1 - distance AS similarity, content_text AS chunk_text, (SELECT count(*) FROM nearest)::int AS fetched
      FROM nearest ORDER BY id, distance`.execute(trx)
    ).rows;
  const first = Math.max(limit, Math.ceil(limit * overfetch));
  let rows = await nearest(first);
  // Duplicate chunks of the same texts used up the margin (LIMIT reached, too few texts): again, wider.
  if (rows.length < limit && rows[0] && rows[0].fetched >= first && first < limit * 2) rows = await nearest(limit * 2);
  return rows
    .map(({ id, similarity, chunk_text }) => ({ id, similarity, chunk_text }))
    .sort((a, b) => b.similarity - a.similarity)
    .slice(0, limit);
}

/**
 * The feedback's semantic leg without a second walk (db 0106, `search_page(…, p_feedback_pool)`):
 * the nearest chunks of the first query vector `vector` (the same walk as `semantic()` with
 * `overfetch`, so the same pool), each scored against the feedback vector `rescore` (the halfvec
 * operands a walk with it would compare), best chunk per text, the best `limit` texts. One
 * statement; the one-statement path keeps the first walk's pool instead of walking again.
 */
export async function semanticRescored(
  trx: Tx,
  kind: TextKind,
  model: { model: string; dimensions: number },
  vector: readonly number[],
  rescore: readonly number[],
  limit = CANDIDATES,
  practices?: string | Scope,
  overfetch: number = SEMANTIC_OVERFETCH,
  efSearch: number = HNSW_EF_SEARCH,
): Promise<{ id: string; similarity: number; chunk_text: string }[]> {
  const k = KINDS[kind];
  const dims = sql.lit(model.dimensions);
  const vec = `[${vector.join(',')}]`;
  const vec2 = `[${rescore.join(',')}]`;
  const scope = await resolve(trx, practices);
  if (scope && scope.length === 0) return [];
  await sql`SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true), set_config('hnsw.ef_search', ${String(efSearch)}, true)`.execute(trx);
  const pooled = async (fetch: number) =>
    (
      await sql<{ id: string; similarity: number; chunk_text: string; fetched: number }>`
    WITH nearest AS MATERIALIZED (
      SELECT e.${sql.ref(k.fk)} AS id, e.content_text, e.embedding::halfvec(${dims}) AS h
        FROM ${sql.table(k.table)} e
       WHERE e.model = ${modelLiteral(model.model)}
         ${practiceFilter('e', scope)}
       ORDER BY e.embedding::halfvec(${dims}) <=> ${vec}::halfvec(${dims})
       LIMIT ${fetch}
    )
    SELECT DISTINCT ON (id) id, 1 - (h <=> ${vec2}::halfvec) AS similarity, content_text AS chunk_text,
           (SELECT count(*) FROM nearest)::int AS fetched
      FROM nearest ORDER BY id, h <=> ${vec2}::halfvec`.execute(trx)
    ).rows;
  const first = Math.max(limit, Math.ceil(limit * overfetch));
  let rows = await pooled(first);
  // As semantic(): the pool is the walk that decided the first leg, again wider when it was short of texts.
  if (rows.length < limit && rows[0] && rows[0].fetched >= first && first < limit * 2) rows = await pooled(limit * 2);
  return rows
    .map(({ id, similarity, chunk_text }) => ({ id, similarity, chunk_text }))
    .sort((a, b) => b.similarity - a.similarity || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, limit);
}

/**
 * The stored vectors of `ids` (each text's first chunk), for the semantic leg's pseudo-relevance
 * feedback (search.service.ts): a handful of the first page's texts, under the caller's RLS and
 * scope like the leg itself. Texts without a vector of `model` are simply absent.
 */
export async function vectorsOf(trx: Tx, kind: TextKind, model: string, ids: readonly string[], practices?: string | Scope): Promise<Map<string, number[]>> {
  if (ids.length === 0) return new Map();
  const k = KINDS[kind];
  const scope = await resolve(trx, practices);
  if (scope && scope.length === 0) return new Map();
  const r = await sql<{ id: string; v: string }>`
    SELECT DISTINCT ON (e.${sql.ref(k.fk)}) e.${sql.ref(k.fk)}::text AS id, e.embedding::text AS v
      FROM ${sql.table(k.table)} e
     WHERE e.${sql.ref(k.fk)} = ANY(${[...ids]}::uuid[]) AND e.model = ${modelLiteral(model)}
       ${practiceFilter('e', scope)}
     ORDER BY e.${sql.ref(k.fk)}, e.chunk`.execute(trx);
  // The stored halfvec's values exactly: its text prints each as a float4's shortest digits, which
  // parsed as a double is a nearby decimal; Math.fround gives back the float (the same value for
  // every finite half). search_page() reads them as halfvec -> real[] (db 0143), so q' is the same
  // float8 arithmetic on the same numbers on both paths.
  return new Map(r.rows.map((x) => [x.id, (JSON.parse(x.v) as number[]).map(Math.fround)]));
}

export interface SearchRow {
  id: string;
  practice_id: string;
  case_id: string | null;
  title: string;
  text: string;
  created_at: Date;
}

/** What a result shows, loaded under RLS (a row the caller may not see is simply absent). */
export async function loadRows(trx: Tx, kind: TextKind, ids: readonly string[]): Promise<Map<string, SearchRow>> {
  if (ids.length === 0) return new Map();
  const list = sql.join(ids.map((id) => sql`${id}::uuid`));
  let q;
  switch (kind) {
    case 'case':
      q = sql<SearchRow>`SELECT id, practice_id, id AS case_id, case_number || ' ' || title AS title, coalesce(description, '') AS text, created_at FROM cases WHERE id IN (${list})`;
      break;
    case 'message':
      q = sql<SearchRow>`SELECT id, practice_id, case_id, coalesce(subject, '') AS title, content AS text, created_at FROM case_messages WHERE id IN (${list})`;
      break;
    case 'project':
      q = sql<SearchRow>`SELECT id, practice_id, case_id, name AS title, coalesce(metadata ->> 'notes', '') AS text, created_at FROM projects WHERE id IN (${list})`;
      break;
    case 'patient':
      q = sql<SearchRow>`SELECT id, practice_id, NULL::uuid AS case_id, patient_number AS title, coalesce(clinical_summary, '') AS text, created_at FROM patients WHERE id IN (${list})`;
      break;
  }
  return new Map((await q.execute(trx)).rows.map((r) => [r.id, r]));
}

/** A case's own vector (its first chunk) in a model, if embedded yet. */
export async function caseVector(trx: Tx, caseId: string, model: string): Promise<number[] | null> {
  const r = await sql<{ v: string }>`SELECT embedding::text AS v FROM case_embeddings WHERE case_id = ${caseId}::uuid AND model = ${model} ORDER BY chunk LIMIT 1`.execute(trx);
  return r.rows[0] ? (JSON.parse(r.rows[0].v) as number[]) : null;
}

export interface CaseOutcome {
  id: string;
  case_number: string;
  title: string;
  case_type: string;
  current_state: string;
  created_at: Date;
  closed_at: Date | null;
  days_open: number | null;
  rework_count: number;
}

/** Outcomes of cases: final state, time to close, and how often a step was sent back for rework. */
export async function caseOutcomes(trx: Tx, ids: readonly string[]): Promise<Map<string, CaseOutcome>> {
  if (ids.length === 0) return new Map();
  const list = sql.join(ids.map((id) => sql`${id}::uuid`));
  const r = await sql<CaseOutcome>`
    SELECT c.id, c.case_number, c.title, c.case_type::text, c.current_state::text, c.created_at, c.closed_at,
           CASE WHEN c.closed_at IS NULL THEN NULL ELSE round(extract(epoch FROM c.closed_at - c.created_at) / 86400.0, 1)::float8 END AS days_open,
           (SELECT count(*)::int FROM case_states s WHERE s.case_id = c.id AND s.to_state::text IN ('planning', 'under_review') AND s.from_state::text IN ('approved', 'quality_check', 'in_production')) AS rework_count
      FROM cases c WHERE c.id IN (${list})`.execute(trx);
  return new Map(r.rows.map((x) => [x.id, x]));
}

/** One row of `public.search_page()` (db 0098): a candidate, or with a fused page a result and its row. */
export interface PageRow {
  kind: TextKind;
  id: string;
  /** The fused score (weighted fusion in SQL); null when the function returned candidates only. */
  score: number | null;
  lexical_rank: number | null;
  similarity: number | null;
  chunk_text: string | null;
  practice_id: string | null;
  case_id: string | null;
  title: string | null;
  body: string | null;
  created_at: Date | null;
}

export interface PageInput {
  kinds: readonly TextKind[];
  terms: readonly string[];
  /** The practice asked for; undefined: every practice the caller may read (as searchScope()). */
  practiceId?: string;
  /** The query vector and its model; null: no semantic leg (no model, provider down). */
  model: { model: string; dimensions: number } | null;
  vector: readonly number[] | null;
  candidates?: number;
  overfetch?: number;
  efSearch?: number;
  ranking?: 'bm25' | 'bm25_exact' | 'ts_rank' | 'bm25_0084' | 'bm25_0117';
  params?: { k1: number; b: number };
  /**
   * The weighted fusion's parameters and the page size: the function fuses, cuts the page and
   * returns its rows. Undefined: both legs' candidates, unfused and without rows.
   */
  fuse?: { semanticWeight: number; normalize: 'minmax' | 'max'; limit: number };
  /**
   * Vector pseudo-relevance feedback after the first fusion (db 0099; fusion.ts feedbackVector); needs `fuse`.
   * With `pool`, the second leg rescores the first walk's pool instead of walking again (db 0106).
   */
  feedback?: { k: number; alpha: number; pool?: number | null } | null;
}

/** Powers of ten 1e0 … 1e50 (each the double nearest the decimal; exact up to 1e22), for float4VectorText. */
const POW10 = Array.from({ length: 51 }, (_, i) => Number(`1e${i}`));
/** One float4's bits, to read its binary exponent. */
const F4 = new Float32Array(1);
const F4_BITS = new Uint32Array(F4.buffer);
let vectorBuffer = Buffer.allocUnsafe(16 * 1024);

/** |x| / 10^e, rounded: e ≤ 0 multiplies by an exact power of ten (one rounding). */
const scaled = (a: number, e: number) => Math.round(e <= 0 ? a * POW10[-e]! : a / POW10[e]!);

/**
 * A query vector as pgvector's text form for search_page()'s `p_vector`, which reads it only as
 * `vector` and `halfvec` (db 0152): pgvector parses each number with strtof, so what must survive
 * is each value as a float4, not as a double. A model's vector holds float4 values (doubles
 * equal to their Math.fround): each is written as 9 significant digits, `<9-digit integer>e<exp>`,
 * which strtof reads back as exactly that float4 (a float4 needs at most 9 digits: the decimal is
 * within 5e-9 of the value relative, a float4's half spacing at least 3e-8), straight into bytes.
 * Array.join() wrote the shortest decimal of each double (~17 digits for a float4 value) at ~70 µs
 * per 384 numbers, ~8,000 characters; this ~20 µs, ~5,600 (session 12, s-api, bench/SEARCH.md).
 * An integer below 1e9 in size (bench:search's synthetic vectors) and any other number (not a
 * float4 value, subnormal, out of range) is written as join() wrote it, so the text parses to the
 * same float4 values as join()'s for every input, and is join()'s text for integer vectors.
 */
export function float4VectorText(values: readonly number[]): string {
  // At most 25 characters a number (String() of a double), a comma each, the brackets.
  if (vectorBuffer.length < values.length * 26 + 2) vectorBuffer = Buffer.allocUnsafe(values.length * 26 + 2);
  const buf = vectorBuffer;
  let p = 0;
  buf[p++] = 0x5b; // [
  for (let i = 0; i < values.length; i++) {
    if (i > 0) buf[p++] = 0x2c; // ,
    const x = values[i]!;
    if (x === (x | 0) && x > -1e9 && x < 1e9) {
      // An integer (bench:search's synthetic vectors): its digits, as join() wrote them (-0 as 0).
      let d = x < 0 ? -x : x;
      if (x < 0) buf[p++] = 0x2d;
      const end = p + (d < 10 ? 1 : d < 100 ? 2 : d < 1e3 ? 3 : d < 1e4 ? 4 : d < 1e5 ? 5 : d < 1e6 ? 6 : d < 1e7 ? 7 : d < 1e8 ? 8 : 9);
      for (let k = end - 1; k >= p; k--) {
        const q = (d / 10) | 0;
        buf[k] = 0x30 + d - q * 10;
        d = q;
      }
      p = end;
      continue;
    }
    F4[0] = x;
    const exp2 = ((F4_BITS[0]! >>> 23) & 0xff) - 127;
    let m = 0;
    let e = 0;
    // A normal, finite float4 (exponent field neither 0 nor 255) that is x itself.
    if (exp2 > -127 && exp2 < 128 && F4[0] === x) {
      const a = x < 0 ? -x : x;
      // m: the 9-digit integer with a ≈ m × 10^e; the exponent from log10(2) × exp2, corrected by one either way.
      e = Math.floor(exp2 * 0.30102999566398120) - 8;
      m = scaled(a, e);
      if (m < 1e8) m = scaled(a, --e);
      if (m >= 1e9) m = scaled(a, ++e);
    }
    if (!(m >= 1e8 && m < 1e9)) {
      p += buf.write(String(x), p, 'latin1');
      continue;
    }
    if (x < 0) buf[p++] = 0x2d; // -
    let d = m | 0;
    for (let k = 8; k >= 0; k--) {
      const q = (d / 10) | 0;
      buf[p + k] = 0x30 + d - q * 10;
      d = q;
    }
    p += 9;
    buf[p++] = 0x65; // e
    if (e < 0) {
      buf[p++] = 0x2d;
      e = -e;
    }
    if (e >= 10) buf[p++] = 0x30 + ((e / 10) | 0);
    buf[p++] = 0x30 + (e % 10);
  }
  buf[p++] = 0x5d; // ]
  return buf.toString('latin1', 0, p);
}

/**
 * A whole search in one statement (`public.search_page()`, db 0098): the scope, both legs of
 * every kind, and with `fuse` the weighted fusion and the page's rows, in the caller's RLS
 * transaction, as `searchScope()`, `lexicalBm25()`/`lexical()`, `semantic()` and `loadRows()`
 * do in separate statements. The vector travels once, as a halfvec text literal.
 */
/** search_page()'s arguments in its parameter order, each with its SQL type (both paths below). */
function pageArgs(input: PageInput): [unknown, string][] {
  // The same alphabet check as semantic(), without building a literal nobody uses (~1 % of the API's CPU per search, session 11).
  if (input.model) checkModelId(input.model.model);
  const p = input.params ?? BM25;
  const vec = input.vector && input.model ? float4VectorText(input.vector) : null;
  return [
    [[...input.kinds], 'text[]'],
    [[...input.terms], 'text[]'],
    [input.practiceId ?? null, 'uuid'],
    [input.model?.model ?? null, 'text'],
    [input.model?.dimensions ?? null, 'int'],
    [vec, 'text'],
    [input.candidates ?? CANDIDATES, 'int'],
    [input.overfetch ?? SEMANTIC_OVERFETCH, 'float8'],
    [input.efSearch ?? HNSW_EF_SEARCH, 'int'],
    [input.ranking ?? 'bm25', 'text'],
    [p.k1, 'float8'],
    [p.b, 'float8'],
    [input.fuse?.semanticWeight ?? null, 'float8'],
    [input.fuse?.normalize ?? 'minmax', 'text'],
    [input.fuse?.limit ?? null, 'int'],
    [input.feedback?.k ?? null, 'int'],
    [input.feedback?.alpha ?? null, 'float8'],
    [input.feedback?.pool ?? null, 'float8'],
  ];
}

export async function searchPage(trx: Tx, input: PageInput): Promise<PageRow[]> {
  const args = pageArgs(input).map(([v, type]) => sql`${v}::${sql.raw(type)}`);
  const r = await sql<PageRow>`SELECT * FROM public.search_page(${sql.join(args)})`.execute(trx);
  return r.rows;
}

/**
 * pg.escapeLiteral()'s result, without its character-by-character copy when there is nothing to
 * escape: a model's query vector (~8,000 characters) cost ~0.055 ms of the API process's CPU per
 * search that way, three times what building the whole statement costs now (session 9,
 * bench/SEARCH.md). A text with a quote or a backslash goes through escapeLiteral.
 */
function quoted(v: string): string {
  return v.includes("'") || v.includes('\\') ? pg.escapeLiteral(v) : `'${v}'`;
}

/**
 * A value as an SQL literal, for the simple protocol (which has no parameters): what node-postgres
 * sends for it as a parameter (String() of a number, an array in PostgreSQL's array syntax), quoted.
 */
export function sqlLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
    return `'${String(v)}'`;
  }
  if (typeof v === 'string') return quoted(v);
  if (Array.isArray(v)) return quoted(`{${v.map((x) => `"${String(x).replace(/[\\"]/g, '\\$&')}"`).join(',')}}`);
  throw new Error(`no SQL literal for a ${typeof v}`);
}


/**
 * searchPage()'s statement as one SQL text with its arguments inlined as literals, for
 * Database.asActorStatement(): the claims and this statement in one round trip, one implicit
 * transaction (session 8 with BEGIN and COMMIT, session 10 without). The same arguments as
 * searchPage() (the same text for each value), so the same rows; with `audit`, the page's PHI log
 * too (db 0136, 0146), and each row carries its `ordinality`.
 */
export function searchPageSql(input: PageInput, audit?: PhiRead): string {
  const call = `public.search_page(${pageArgs(input).map(([v, type]) => `${sqlLiteral(v)}::${type}`).join(', ')})`;
  if (!audit) return `SELECT * FROM ${call}`;
  // The page's PHI reads in the same statement, so in the same implicit transaction: the log
  // commits with the read or the search fails. The page is materialised once; the audit is an
  // uncorrelated scalar subquery, an InitPlan the one-time filter runs exactly once before the
  // first row, over exactly the page's rows (the results GET /search shows: its cases' patients
  // and its patients); it returns the rows written (>= 0), so it filters nothing. ORDER BY
  // ordinality keeps the page's order (spelled out rather than left to the plan). Session 11: db
  // 0146's record_search_phi_reads() (SECURITY DEFINER, the caller's visibility decided once)
  // instead of 0136's record_search_phi_access(), and no audit CTE joined to the page nor
  // DISTINCT (the function reads each case and patient once): 0.09-0.18 ms less backend CPU per search.
  return (
    `WITH page AS MATERIALIZED (SELECT * FROM ${call} WITH ORDINALITY) ` +
    `SELECT page.* FROM page WHERE (SELECT public.record_search_phi_reads(array_agg(case_id), array_agg(id) FILTER (WHERE kind = 'patient'), ` +
    `${sqlLiteral(audit.route)}, ${sqlLiteral(audit.resource)}) FROM page) >= 0 ORDER BY page.ordinality`
  );
}

