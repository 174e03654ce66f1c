-- The lexical leg's common-terms BM25 (0084) with less work per search (issue 10 §3 "Speed").
--
-- Why. search_lexical() was ~15 ms of a ~25 ms GET /search at 1M messages, one search at a time.
-- Backend CPU per call (72 searches of the realistic fixture, bench/SEARCH.md): ~9 ms, of it
-- ~1 ms before the ranking query (of that the three pg_stats reads ~0.4-0.9 ms: the view joins
-- pg_class, pg_attribute and pg_namespace and checks column privileges on every call, and the
-- partition's 1,000 most_common_elems are converted to text and back), ~2 ms finding and reading
-- the candidates (one heap page each), and the rest scoring them, planning included: per
-- candidate 0084 looked each query lexeme up in the jsonb `tf` up to three times (`?` for each
-- selective word's df, `->>` twice in its score, as text then float8), and each BM25 term
-- recomputed its idf (ln of the aggregate's df) and the length norm.
--
-- What (same ranking, bit for bit: tests compare the ranks as text with 0084's):
--   * each candidate's tf of each query lexeme is read once, into the candidate set as a float8
--     column (`(tf -> lexeme)::int::float8`: the counts are integers, so this is the value
--     `(tf ->> lexeme)::float8` gave, without the text round trip); a selective word's df is
--     count(column) (tf holds no JSON nulls, so that is count(*) FILTER (WHERE tf ? lexeme));
--   * each lexeme's idf is computed once per search, each candidate's length norm
--     k1 * (1 - b + b * dl / avgdl) once per candidate, and the BM25 terms are summed in the
--     same order with the same operations as before;
--   * the partition's statistics are read from pg_statistic directly (the slots pg_stats
--     shows as most_common_vals/freqs and most_common_elems/freqs), the three in one statement.
-- 0084's function stays callable as search_index.rank_common_0084() and through
-- search_lexical(…, p_ranking => 'bm25_0084'), for the benchmark's side-by-side run.
-- Idempotent (functions replaced).

-- 0084's common-terms ranking, unchanged, under its own name (the "before" of bench:search-steps).
CREATE OR REPLACE FUNCTION search_index.rank_common_0084(
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
REVOKE EXECUTE ON FUNCTION search_index.rank_common_0084(text, text[], uuid, integer, double precision, double precision, double precision, double precision) FROM PUBLIC;

-- BM25 over the texts containing a selective query word (0084's header); no rows: not applicable.
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
  v_cols text := '';
  v_counts text := '';
  v_idfs text := '';
  v_score text := '';
  f double precision;
  i integer;
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
  -- ANALYZE's statistics of the partition, what pg_stats shows, read from pg_statistic: the
  -- practice's and the kind's MCV frequency (stakind 1) and the fts elements' (stakind 4).
  SELECT c.relname, c.reltuples,
         max(CASE WHEN a.attname = 'practice_id' THEN st.freqs[array_position(st.vals::text::text[], p_practice::text)] END),
         max(CASE WHEN a.attname = 'kind' THEN st.freqs[array_position(st.vals::text::text[], p_kind)] END)
    INTO v_rel, v_tuples, v_fp, v_fk
    FROM pg_catalog.pg_class c
    LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attname IN ('practice_id', 'kind') AND NOT a.attisdropped
    LEFT JOIN pg_catalog.pg_statistic s ON s.starelid = c.oid AND s.staattnum = a.attnum AND NOT s.stainherit
    LEFT JOIN LATERAL (SELECT CASE 1 WHEN s.stakind1 THEN s.stavalues1 WHEN s.stakind2 THEN s.stavalues2 WHEN s.stakind3 THEN s.stavalues3
                                     WHEN s.stakind4 THEN s.stavalues4 WHEN s.stakind5 THEN s.stavalues5 END AS vals,
                              CASE 1 WHEN s.stakind1 THEN s.stanumbers1 WHEN s.stakind2 THEN s.stanumbers2 WHEN s.stakind3 THEN s.stanumbers3
                                     WHEN s.stakind4 THEN s.stanumbers4 WHEN s.stakind5 THEN s.stanumbers5 END AS freqs) st ON true
   WHERE c.oid = v_part
   GROUP BY c.relname, c.reltuples;
  v_n := v_tuples * v_fp * v_fk;
  IF v_n IS NULL OR v_n < v_min THEN
    RETURN;
  END IF;
  SELECT CASE 4 WHEN s.stakind1 THEN s.stavalues1 WHEN s.stakind2 THEN s.stavalues2 WHEN s.stakind3 THEN s.stavalues3
                WHEN s.stakind4 THEN s.stavalues4 WHEN s.stakind5 THEN s.stavalues5 END::text::text[],
         CASE 4 WHEN s.stakind1 THEN s.stanumbers1 WHEN s.stakind2 THEN s.stanumbers2 WHEN s.stakind3 THEN s.stanumbers3
                WHEN s.stakind4 THEN s.stanumbers4 WHEN s.stakind5 THEN s.stanumbers5 END
    INTO v_elems, v_freqs
    FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_statistic s ON s.starelid = a.attrelid AND s.staattnum = a.attnum AND NOT s.stainherit
   WHERE a.attrelid = v_part AND a.attname = 'fts';
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
  -- Per lexeme i: t<i>, the candidate's tf (NULL: absent), once; w<i>, its idf, once per search
  -- (a selective word's from its df among the candidates, a common word's a constant, the same
  -- float8 operations as 0084); per candidate its length norm once; the terms summed in order.
  FOR i IN 1 .. cardinality(v_lexemes) LOOP
    v_cols := v_cols || format(', (d.tf -> %L)::int::float8 AS t%s', v_lexemes[i], i);
    IF v_df[i] IS NULL THEN
      v_counts := v_counts || format(', count(m.t%1$s)::float8 AS df%1$s', i);
      v_idfs := v_idfs || format(', ln(1 + (greatest($5, s.df%1$s) - s.df%1$s + 0.5) / (s.df%1$s + 0.5)) AS w%1$s', i);
    ELSE
      v_idfs := v_idfs || format(', %s::float8 AS w%s', ln(1 + (greatest(v_n, v_df[i]) - v_df[i] + 0.5) / (v_df[i] + 0.5)), i);
    END IF;
    v_score := v_score || CASE WHEN i > 1 THEN ' + ' ELSE '' END
      || format('coalesce(x.w%1$s * x.t%1$s * ($6 + 1) / (x.t%1$s + x.norm), 0)', i);
  END LOOP;
  -- The partition itself, not the parent: planning then has no partitions to prune.
  RETURN QUERY EXECUTE format(
    'WITH m AS MATERIALIZED (
       SELECT d.id, pg_catalog.length(d.fts)::float8 AS dl %2$s FROM search_index.%1$I d
        WHERE d.practice_id = $1 AND d.kind = $2 AND d.fts @@ $3
     ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl %3$s FROM m),
     w AS MATERIALIZED (SELECT s.avgdl %4$s FROM s)
     SELECT x.id, (%5$s)::float8 AS rank
       FROM (SELECT m.*, w.*, $6 * (1 - $7 + $7 * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
      ORDER BY 2 DESC, 1 LIMIT $4',
    v_rel, v_cols, v_counts, v_idfs, v_score)
  USING p_practice, p_kind, v_query, p_limit, v_n, p_k1, p_b;
END
$$;
REVOKE EXECUTE ON FUNCTION search_index.rank_common(text, text[], uuid, integer, double precision, double precision, double precision, double precision) FROM PUBLIC;

-- The ranking search_lexical() calls: common terms for one large practice (0084's by
-- 'bm25_0084'), else 0077's.
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
  ELSIF p_ranking = 'bm25_0084' AND cardinality(p_practices) = 1 THEN
    RETURN QUERY SELECT r.id, r.rank FROM search_index.rank_common_0084(p_kind, p_terms, p_practices[1], p_limit, p_k1, p_b) r;
    IF FOUND THEN
      RETURN;
    END IF;
  END IF;
  RETURN QUERY SELECT r.id, r.rank FROM search_index.rank_exact(p_kind, p_terms, p_practices, p_limit,
    CASE WHEN p_ranking IN ('bm25_exact', 'bm25_0084') THEN 'bm25' ELSE p_ranking END, p_k1, p_b) r;
END
$$;
REVOKE EXECUTE ON FUNCTION search_index.rank(text, text[], uuid[], integer, text, double precision, double precision) FROM PUBLIC;
