-- The lexical leg's statistics readable by a migration owner that is not a superuser (issue 10 §3).
--
-- Why. 0104's search_index.rank_common() reads the partition's ANALYZE statistics from
-- pg_catalog.pg_statistic directly (cheaper than the pg_stats view). pg_statistic is readable by
-- superusers only, and on Supabase the migrations' owner (under whose rights search_lexical(),
-- SECURITY DEFINER, runs the ranking) has BYPASSRLS but is not a superuser (db/README.md), so the
-- common-terms path would fail there with "permission denied for table pg_statistic".
--
-- What. rank_common() reads pg_statistic where its role may (has_table_privilege), else the
-- pg_stats view as 0084 did (one statement for the three columns instead of three). The values
-- are the same (pg_stats shows exactly those slots), so the ranking is 0104's and 0084's; the
-- setting mdw.search_stats_view = on takes the view path for one transaction, which
-- test/ai/search-common-terms.test.ts compares with the direct one. Idempotent (function replaced).

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
  r record;
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
  -- ANALYZE's statistics of the partition: the practice's and the kind's MCV frequency and the fts
  -- elements'. From pg_statistic directly where this role may read it (a superuser owner), else
  -- (Supabase: the migrations' owner has BYPASSRLS, not superuser; pg_statistic is superusers'
  -- only) from the pg_stats view, as 0084 did, in one statement. The same values either way;
  -- mdw.search_stats_view = on takes the view for one transaction (the tests compare the two).
  IF pg_catalog.has_table_privilege('pg_catalog.pg_statistic', 'SELECT')
     AND coalesce(current_setting('mdw.search_stats_view', true), '') <> 'on' THEN
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
    SELECT CASE 4 WHEN s.stakind1 THEN s.stavalues1 WHEN s.stakind2 THEN s.stavalues2 WHEN s.stakind3 THEN s.stavalues3
                  WHEN s.stakind4 THEN s.stavalues4 WHEN s.stakind5 THEN s.stavalues5 END::text::text[],
           CASE 4 WHEN s.stakind1 THEN s.stanumbers1 WHEN s.stakind2 THEN s.stanumbers2 WHEN s.stakind3 THEN s.stanumbers3
                  WHEN s.stakind4 THEN s.stanumbers4 WHEN s.stakind5 THEN s.stanumbers5 END
      INTO v_elems, v_freqs
      FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_statistic s ON s.starelid = a.attrelid AND s.staattnum = a.attnum AND NOT s.stainherit
     WHERE a.attrelid = v_part AND a.attname = 'fts';
  ELSE
    SELECT c.relname, c.reltuples INTO v_rel, v_tuples FROM pg_catalog.pg_class c WHERE c.oid = v_part;
    FOR r IN SELECT s.attname, s.most_common_vals::text::text[] AS vals, s.most_common_freqs AS freqs,
                    s.most_common_elems::text::text[] AS elems, s.most_common_elem_freqs AS efreqs
               FROM pg_catalog.pg_stats s
              WHERE s.schemaname = 'search_index' AND s.tablename = v_rel AND s.attname IN ('practice_id', 'kind', 'fts') LOOP
      IF r.attname = 'practice_id' THEN
        v_fp := r.freqs[array_position(r.vals, p_practice::text)];
      ELSIF r.attname = 'kind' THEN
        v_fk := r.freqs[array_position(r.vals, p_kind)];
      ELSE
        v_elems := r.elems;
        v_freqs := r.efreqs;
      END IF;
    END LOOP;
  END IF;
  v_n := v_tuples * v_fp * v_fk;
  IF v_n IS NULL OR v_n < v_min THEN
    RETURN;
  END IF;
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
