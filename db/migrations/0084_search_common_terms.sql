-- BM25 of one large practice without scoring every match (issue 10 §3 "Speed": GET /search p95).
--
-- Why. After 0077 the lexical leg of a practice with 10,000 messages still cost ~10-30 ms warm:
-- an expanded query has common words ("aligner", "lower", "teeth") that match 30-45 % of the
-- practice's texts, and each match was fetched from its heap page (a practice's texts are spread
-- over its partition: about one page per match) and scored. The texts a user wants share the
-- query's selective words; the common ones only order them.
--
-- What. Lucene's CommonTermsQuery: a query word is common when ANALYZE's statistics of the
-- practice's partition (pg_stats.most_common_elems of fts) say at least `p_common` of its texts
-- contain it (10 %; setting mdw.search_common_freq). Only texts containing at least one selective
-- word are candidates; common words add to their score. `search_index.rank_common()` answers
-- nothing (and `rank()` then runs the exact BM25 of 0077, kept as `search_index.rank_exact()`) when
--   * more than one practice is searched (lab staff, internal admins, members of several),
--   * the practice has fewer than `p_min_texts` texts of the kind by the statistics (2,000;
--     setting mdw.search_common_min_texts): the exact ranking of a small practice is cheap, and
--     small practices rank exactly as before,
--   * the partition has no statistics yet, or the practice is not among its most common values,
--   * every query word is common (Lucene's fallback: the common words are then the query), or no
--     text contains a selective word.
-- Statistics. A selective word's df is exact: every text containing it is a candidate. A common
-- word's df is its partition frequency × N. N (the practice's texts of the kind) is the
-- partition's reltuples × the practice's and the kind's frequencies in the partition (pg_stats
-- MCVs): an estimate kept current by autovacuum's ANALYZE, where counting cost ~2-7 ms per search.
-- avgdl is taken over the candidates (0077 took it over all matches). bench/SEARCH.md compares the
-- two rankings' top 10s at 1M messages; test/ai/search-common-terms.test.ts on a small practice.
--
-- `search_lexical(…, p_ranking)` also accepts 'bm25_exact' (0077's ranking, whatever the size),
-- which the benchmark runs side by side. Idempotent (functions replaced).

-- 0077's ranking, unchanged, under its own name.
CREATE OR REPLACE FUNCTION search_index.rank_exact(
  p_kind text,
  p_terms text[],
  p_practices uuid[],
  p_limit integer,
  p_ranking text DEFAULT 'bm25',
  p_k1 double precision DEFAULT 1.2,
  p_b double precision DEFAULT 0.75
)
RETURNS TABLE (id uuid, rank double precision)
LANGUAGE plpgsql STABLE SET search_path = ''
-- The practices must reach the planner as constants, so that it prunes to their partitions.
SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
  v_query tsquery;
  v_lexemes text[];
  v_df text := '';
  v_score text := '';
  i integer;
BEGIN
  IF p_terms IS NULL OR cardinality(p_terms) = 0 OR p_limit IS NULL OR p_limit < 1 THEN
    RETURN;
  END IF;
  v_query := pg_catalog.to_tsquery('english'::regconfig, array_to_string(p_terms, ' | '));
  -- Distinct, as a tsvector's lexemes are ("aligner" and "aligners" are one word).
  v_lexemes := ARRAY(SELECT w.lexeme FROM unnest(pg_catalog.to_tsvector('english'::regconfig, array_to_string(p_terms, ' '))) w);
  IF p_ranking = 'ts_rank' THEN
    RETURN QUERY
      SELECT d.id, pg_catalog.ts_rank(d.fts, v_query, 1)::double precision AS rank
        FROM search_index.documents d
       WHERE d.fts @@ v_query AND d.kind = p_kind AND (p_practices IS NULL OR d.practice_id = ANY (p_practices))
       ORDER BY 2 DESC, 1
       LIMIT p_limit;
    RETURN;
  END IF;
  IF cardinality(v_lexemes) = 0 THEN
    RETURN;
  END IF;
  -- Per query lexeme: its df among the matches, and its BM25 term, 0 where a text lacks it.
  FOR i IN 1 .. cardinality(v_lexemes) LOOP
    v_df := v_df || format(', count(*) FILTER (WHERE m.tf ? %L)::float8 AS df%s', v_lexemes[i], i);
    v_score := v_score || CASE WHEN i > 1 THEN ' + ' ELSE '' END
      || format('coalesce(ln(1 + (n.n - s.df%1$s + 0.5) / (s.df%1$s + 0.5)) * (m.tf ->> %2$L)::float8 * ($5 + 1)'
                || ' / ((m.tf ->> %2$L)::float8 + $5 * (1 - $6 + $6 * m.dl / greatest(s.avgdl, 1))), 0)', i, v_lexemes[i]);
  END LOOP;
  RETURN QUERY EXECUTE format(
    'WITH m AS MATERIALIZED (
       SELECT d.id, pg_catalog.length(d.fts)::float8 AS dl, d.tf FROM search_index.documents d
        WHERE d.fts @@ $1 AND d.kind = $2 %1$s
     ), s AS (SELECT avg(m.dl)::float8 AS avgdl %2$s FROM m),
     n AS (SELECT count(*)::float8 AS n FROM search_index.documents d WHERE d.kind = $2 %1$s)
     SELECT m.id, (%3$s)::float8 AS rank FROM m, s, n ORDER BY 2 DESC, 1 LIMIT $4',
    CASE WHEN p_practices IS NULL THEN '' ELSE 'AND d.practice_id = ANY ($3)' END, v_df, v_score)
  USING v_query, p_kind, p_practices, p_limit, p_k1, p_b;
END
$$;
REVOKE EXECUTE ON FUNCTION search_index.rank_exact(text, text[], uuid[], integer, text, double precision, double precision) FROM PUBLIC;

-- BM25 over the texts containing a selective query word (see the header). No rows: not applicable.
CREATE OR REPLACE FUNCTION search_index.rank_common(
  p_kind text,
  p_terms text[],
  p_practice uuid,
  p_limit integer,
  p_k1 double precision DEFAULT 1.2,
  p_b double precision DEFAULT 0.75,
  p_common double precision DEFAULT NULL,
  p_min_texts double precision DEFAULT NULL
)
RETURNS TABLE (id uuid, rank double precision)
LANGUAGE plpgsql STABLE SET search_path = ''
AS $$
DECLARE
  v_lexemes text[];
  v_part oid;
  v_rel name;
  v_tuples double precision;
  v_fp double precision;
  v_fk double precision;
  v_n double precision;
  v_elems text[];
  v_freqs real[];
  v_df double precision[] := '{}';
  v_selective text[] := '{}';
  v_query tsquery;
  v_counts text := '';
  v_idf text;
  v_score text := '';
  f double precision;
  i integer;
  -- Defaults 10 % and 2,000 texts; the settings let a test or the benchmark move them for one
  -- transaction (they change only how the caller's own practice is ranked).
  v_common double precision := coalesce(p_common, nullif(current_setting('mdw.search_common_freq', true), '')::float8, 0.1);
  v_min double precision := coalesce(p_min_texts, nullif(current_setting('mdw.search_common_min_texts', true), '')::float8, 2000);
BEGIN
  IF p_terms IS NULL OR cardinality(p_terms) = 0 OR p_practice IS NULL OR p_limit IS NULL OR p_limit < 1 THEN
    RETURN;
  END IF;
  v_lexemes := ARRAY(SELECT w.lexeme FROM unnest(pg_catalog.to_tsvector('english'::regconfig, array_to_string(p_terms, ' '))) w);
  IF cardinality(v_lexemes) = 0 THEN
    RETURN;
  END IF;
  -- The practice's partition (one index probe; no text of the kind: nothing to rank).
  SELECT d.tableoid INTO v_part FROM search_index.documents d WHERE d.practice_id = p_practice AND d.kind = p_kind LIMIT 1;
  IF v_part IS NULL THEN
    RETURN;
  END IF;
  SELECT c.relname, c.reltuples INTO v_rel, v_tuples FROM pg_catalog.pg_class c WHERE c.oid = v_part;
  -- N: the partition's rows × the practice's share × the kind's share (ANALYZE's MCV lists).
  SELECT u.f INTO v_fp FROM pg_catalog.pg_stats s, unnest(s.most_common_vals::text::text[], s.most_common_freqs) AS u(v, f)
   WHERE s.schemaname = 'search_index' AND s.tablename = v_rel AND s.attname = 'practice_id' AND u.v = p_practice::text;
  SELECT u.f INTO v_fk FROM pg_catalog.pg_stats s, unnest(s.most_common_vals::text::text[], s.most_common_freqs) AS u(v, f)
   WHERE s.schemaname = 'search_index' AND s.tablename = v_rel AND s.attname = 'kind' AND u.v = p_kind;
  v_n := v_tuples * v_fp * v_fk;
  IF v_n IS NULL OR v_n < v_min THEN
    RETURN;
  END IF;
  SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs INTO v_elems, v_freqs
    FROM pg_catalog.pg_stats s WHERE s.schemaname = 'search_index' AND s.tablename = v_rel AND s.attname = 'fts';
  IF v_elems IS NULL THEN
    RETURN;
  END IF;
  -- A word missing from the list is rarer than its least frequent entry: selective.
  FOR i IN 1 .. cardinality(v_lexemes) LOOP
    f := v_freqs[array_position(v_elems, v_lexemes[i])];
    IF f IS NOT NULL AND f >= v_common THEN
      v_df := v_df || (f * v_n);
    ELSE
      v_df := v_df || NULL::double precision;
      v_selective := v_selective || v_lexemes[i];
    END IF;
  END LOOP;
  IF cardinality(v_selective) = 0 THEN
    RETURN;
  END IF;
  -- The lexemes as they are (already stemmed): quoted, so that the parser does not stem them again.
  v_query := array_to_string(ARRAY(SELECT quote_literal(x) FROM unnest(v_selective) x), ' | ')::tsquery;
  -- One expression per candidate, built for the query's lexemes (as 0077 does for every match):
  -- a selective word's df is counted among the candidates, a common word's idf is a constant.
  FOR i IN 1 .. cardinality(v_lexemes) LOOP
    IF v_df[i] IS NULL THEN
      v_counts := v_counts || format(', count(*) FILTER (WHERE m.tf ? %L)::float8 AS df%s', v_lexemes[i], i);
      v_idf := format('ln(1 + (greatest($5, s.df%1$s) - s.df%1$s + 0.5) / (s.df%1$s + 0.5))', i);
    ELSE
      v_idf := format('%s::float8', ln(1 + (greatest(v_n, v_df[i]) - v_df[i] + 0.5) / (v_df[i] + 0.5)));
    END IF;
    v_score := v_score || CASE WHEN i > 1 THEN ' + ' ELSE '' END
      || format('coalesce(%3$s * (m.tf ->> %2$L)::float8 * ($6 + 1)'
                || ' / ((m.tf ->> %2$L)::float8 + $6 * (1 - $7 + $7 * m.dl / s.avgdl)), 0)', i, v_lexemes[i], v_idf);
  END LOOP;
  -- The partition itself, not the parent: planning then has no partitions to prune (~1-2 ms less
  -- per search at 32 partitions).
  RETURN QUERY EXECUTE format(
    'WITH m AS MATERIALIZED (
       SELECT d.id, pg_catalog.length(d.fts)::float8 AS dl, d.tf FROM search_index.%1$I d
        WHERE d.practice_id = $1 AND d.kind = $2 AND d.fts @@ $3
     ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl %2$s FROM m)
     SELECT m.id, (%3$s)::float8 AS rank FROM m, s ORDER BY 2 DESC, 1 LIMIT $4',
    v_rel, v_counts, v_score)
  USING p_practice, p_kind, v_query, p_limit, v_n, p_k1, p_b;
END
$$;
REVOKE EXECUTE ON FUNCTION search_index.rank_common(text, text[], uuid, integer, double precision, double precision, double precision, double precision) FROM PUBLIC;

-- The ranking search_lexical() calls: common terms for one large practice, else 0077's.
CREATE OR REPLACE FUNCTION search_index.rank(
  p_kind text,
  p_terms text[],
  p_practices uuid[],
  p_limit integer,
  p_ranking text DEFAULT 'bm25',
  p_k1 double precision DEFAULT 1.2,
  p_b double precision DEFAULT 0.75
)
RETURNS TABLE (id uuid, rank double precision)
LANGUAGE plpgsql STABLE SET search_path = ''
AS $$
BEGIN
  IF p_ranking = 'bm25' AND cardinality(p_practices) = 1 THEN
    RETURN QUERY SELECT r.id, r.rank FROM search_index.rank_common(p_kind, p_terms, p_practices[1], p_limit, p_k1, p_b) r;
    IF FOUND THEN
      RETURN;
    END IF;
  END IF;
  RETURN QUERY SELECT r.id, r.rank FROM search_index.rank_exact(p_kind, p_terms, p_practices, p_limit,
    CASE WHEN p_ranking = 'bm25_exact' THEN 'bm25' ELSE p_ranking END, p_k1, p_b) r;
END
$$;
REVOKE EXECUTE ON FUNCTION search_index.rank(text, text[], uuid[], integer, text, double precision, double precision) FROM PUBLIC;
