-- BM25 over search_index.documents (0076) without unnesting every match (issue 10 §3 "Speed").
--
-- Why. After 0076 a BM25 search of one practice cost ~30 ms at 1,000,000 messages (bench/SEARCH.md),
-- two thirds of it reading each match's term frequencies: an expanded query matches a third of a
-- practice's texts, and each match's tsvector was copied, filtered and unnested into rows that
-- were then joined and grouped. Now each text carries its term frequencies as a jsonb object
-- (`tf`: lexeme -> number of positions, what the unnest counted), kept by the database as a
-- generated column, and the ranking reads the few query lexemes from it (a binary search each)
-- in one expression per text, built for the query's lexemes.
--
-- The ranking is the same BM25 (same matches, df, N, avgdl, k1, b; test/ai/search-lexical-index
-- compares it with the SQL before 0076). Adding the column rewrites the table once (about a minute
-- at 1,000,000 texts). Idempotent.

CREATE OR REPLACE FUNCTION search_index.term_frequencies(p_fts tsvector)
RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = '' AS $$
  SELECT coalesce(pg_catalog.jsonb_object_agg(u.lexeme, coalesce(pg_catalog.array_length(u.positions, 1), 1)), '{}'::jsonb)
    FROM pg_catalog.unnest(p_fts) u
$$;

ALTER TABLE search_index.documents
  ADD COLUMN IF NOT EXISTS tf jsonb GENERATED ALWAYS AS (search_index.term_frequencies(fts)) STORED;

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
REVOKE EXECUTE ON FUNCTION search_index.rank(text, text[], uuid[], integer, text, double precision, double precision) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION search_index.term_frequencies(tsvector) FROM PUBLIC;
