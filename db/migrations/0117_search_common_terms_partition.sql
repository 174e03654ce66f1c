-- The lexical leg's common-terms BM25 (0104/0105) with a plan it keeps, and without scanning for
-- the practice's partition (issue 10 §3 "Speed": search_lexical() at 1M messages).
--
-- Why. search_index.rank_common() cost ~7 ms of backend CPU per search on the realistic 1M fixture
-- (bench/SEARCH.md, session 8). ~14 % of it was generating, parsing, analysing and planning its
-- ranking statement, built per search with the query's lexemes as literals (custom plan: ~0.6 ms of
-- planning alone; the same statement's generic plan 0.08 ms). And it began with
--   SELECT tableoid FROM search_index.documents WHERE practice_id = $1 AND kind = $2 LIMIT 1
-- to learn which hash partition holds the practice: a sequential scan of the partition until one of
-- the practice's rows comes up (~0.15 ms; each partition holds 3-6 practices, rows interleaved).
--
-- What.
--   * Queries of at most 16 lexemes (the labelled ones have 4-12) run a static statement per
--     lexeme count, search_index.rank_common_static_<n>() below, planned once per session; more
--     lexemes run 0104's generated statement, unchanged.
--   * The partition (whose statistics the ranking reads) is computed: satisfies_hash_partition()
--     (the function behind hash partition constraints) says which of the 32 remainders the
--     practice hashes to, and 0076 named partition r search_index.documents_p<r> (two digits); the
--     DO block below checks every partition's bound against its name, so the migration fails
--     rather than a search reading the wrong partition's statistics.
-- The same statistics, the same expressions, the same ranking bit for bit (tests compare ids and
-- float8 ranks as text with 0104's and 0084's; 0 of 432 differ at 1M).
-- 0104/0105's function stays callable as search_index.rank_common_0104() and through
-- search_lexical(…, p_ranking => 'bm25_0104'), for the benchmark's side-by-side run.
-- Idempotent (a check, functions replaced).

DO $do$
DECLARE
  bad text;
BEGIN
  SELECT string_agg(c.relname || ': ' || pg_get_expr(c.relpartbound, c.oid), ', ') INTO bad
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
   WHERE i.inhparent = 'search_index.documents'::regclass
     AND pg_get_expr(c.relpartbound, c.oid) IS DISTINCT FROM
         CASE WHEN c.relname ~ '^documents_p[0-9][0-9]$'
              THEN format('FOR VALUES WITH (modulus 32, remainder %s)', substr(c.relname, length('documents_p') + 1)::int) END;
  IF bad IS NOT NULL OR (SELECT count(*) FROM pg_inherits i WHERE i.inhparent = 'search_index.documents'::regclass) <> 32 THEN
    RAISE EXCEPTION 'search_index.documents is not 32 hash partitions named documents_p<remainder>: %', coalesce(bad, 'partition count');
  END IF;
END
$do$;

-- 0104/0105's common-terms ranking, unchanged, under its own name (the "before" of the benchmarks).
CREATE OR REPLACE FUNCTION search_index.rank_common_0104(
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
REVOKE EXECUTE ON FUNCTION search_index.rank_common_0104(text, text[], uuid, integer, double precision, double precision, double precision, double precision) FROM PUBLIC;

-- The ranking statement of rank_common() for a query of n lexemes (n = 1..16; the labelled
-- queries have 4-12), written once per n in search_index.rank_common_static_<n>() (generated here)
-- so that PL/pgSQL keeps it parsed and planned for the session (plan_cache_mode =
-- force_generic_plan: one generic plan per statement) instead of generating, parsing and planning
-- one per search. It reads the parent: the generic plan prunes the other 31 partitions when it
-- starts (the practice is a parameter), leaving the generated statement's plan, a bitmap scan of
-- the partition's GIN (practice_id, fts). One statement per partition as well (16 x 32) was ~0.4 ms
-- cheaper per search but held ~300 KB of plan per statement and partition in every session
-- (~100 MB per long-lived connection). Lexeme k is slot k: its tf, df and idf; the same expressions
-- and float8 operations as 0104's generated statement, in the same order, with the query's values
-- as parameters instead of literals (a common word's idf is the float8 0104 printed into its
-- statement: the text round-trips exactly).
DO $do$
DECLARE
  body text;
  cols text;
  counts text;
  idfs text;
  score text;
  decl text;
  n integer;
  k integer;
BEGIN
  FOR n IN 1 .. 16 LOOP
    cols := ''; counts := ''; idfs := ''; score := ''; decl := ''; body := '';
    FOR k IN 1 .. n LOOP
      decl := decl || format(E'  l%1$s text := p_lexemes[%1$s];\n  c%1$s boolean := coalesce(p_common[%1$s], false);\n  i%1$s double precision := p_idf[%1$s];\n', k);
      cols := cols || format(', (d.tf -> l%1$s)::int::float8 AS t%1$s', k);
      counts := counts || format(', count(m.t%1$s)::float8 AS df%1$s', k);
      idfs := idfs || format(', CASE WHEN c%1$s THEN i%1$s ELSE ln(1 + (greatest(p_n, s.df%1$s) - s.df%1$s + 0.5) / (s.df%1$s + 0.5)) END AS w%1$s', k);
      score := score || CASE WHEN k > 1 THEN ' + ' ELSE '' END
        || format('coalesce(x.w%1$s * x.t%1$s * k1p1 / (x.t%1$s + x.norm), 0)', k);
    END LOOP;
    body := format(
      E'  RETURN QUERY\n'
      '  WITH m AS MATERIALIZED (\n'
      '    SELECT d.id, pg_catalog.length(d.fts)::float8 AS dl %1$s FROM search_index.documents d\n'
      '     WHERE d.practice_id = p_practice AND d.kind = p_kind AND d.fts @@ p_query\n'
      '  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl %2$s FROM m),\n'
      '  w AS MATERIALIZED (SELECT s.avgdl %3$s FROM s)\n'
      '  SELECT x.id, (%4$s)::float8 AS rank\n'
      '    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x\n'
      '   ORDER BY 2 DESC, 1 LIMIT p_limit;\n',
      cols, counts, idfs, score);
    EXECUTE format($f$
CREATE OR REPLACE FUNCTION search_index.%1$I(
  p_practice uuid,
  p_kind text,
  p_query tsquery,
  p_limit integer,
  p_n double precision,
  p_k1 double precision,
  p_b double precision,
  p_lexemes text[],
  p_common boolean[],
  p_idf double precision[]
)
RETURNS TABLE (id uuid, rank double precision)
LANGUAGE plpgsql STABLE SET search_path = '' SET plan_cache_mode = force_generic_plan
AS $body$
DECLARE
  k1p1 double precision := p_k1 + 1;
%2$s
BEGIN
  IF cardinality(p_lexemes) <> %4$s THEN
    RAISE EXCEPTION '%1$s: %% lexemes, not %4$s', cardinality(p_lexemes);
  END IF;
%3$s
END
$body$;
REVOKE EXECUTE ON FUNCTION search_index.%1$I(uuid, text, tsquery, integer, double precision, double precision, double precision, text[], boolean[], double precision[]) FROM PUBLIC;
$f$, 'rank_common_static_' || n, decl, body, n);
  END LOOP;
END
$do$;

-- BM25 over the texts containing a selective query word (0084, 0104, 0105), its partition computed.
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
  v_rem integer;
  v_common_of boolean[] := '{}';
  v_idf_of double precision[] := '{}';
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
  -- The practice's partition, from the hash partitioning itself: the one of the 32 remainders
  -- whose constraint the practice satisfies (0076 names partition r documents_p<r>; this
  -- migration checks it). 0104 found it by reading the partition's rows until one of the
  -- practice's came up (a sequential scan past other practices' rows: ~0.5 ms per search at 1M).
  -- A practice without a text of the kind has no statistics of its own (v_n NULL below) or no
  -- candidates: nothing is ranked here either way, as before.
  SELECT g.rem, pg_catalog.to_regclass('search_index.documents_p' || pg_catalog.lpad(g.rem::text, 2, '0')) INTO v_rem, v_part
    FROM pg_catalog.generate_series(0, 31) g(rem)
   WHERE pg_catalog.satisfies_hash_partition('search_index.documents'::regclass, 32, g.rem, p_practice);
  IF v_part IS NULL THEN
    SELECT d.tableoid INTO v_part FROM search_index.documents d WHERE d.practice_id = p_practice AND d.kind = p_kind LIMIT 1;
    IF v_part IS NULL THEN
      RETURN;
    END IF;
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
  -- Up to 16 lexemes (the labelled queries have 4-12): the static statement for that many,
  -- planned once per session (rank_common_static_<n> above), instead of generating, parsing and
  -- planning one per search.
  IF v_rem IS NOT NULL AND cardinality(v_lexemes) <= 16 THEN
    FOR i IN 1 .. cardinality(v_lexemes) LOOP
      v_common_of := v_common_of || (v_df[i] IS NOT NULL);
      v_idf_of := v_idf_of || CASE WHEN v_df[i] IS NOT NULL THEN ln(1 + (greatest(v_n, v_df[i]) - v_df[i] + 0.5) / (v_df[i] + 0.5)) END;
    END LOOP;
    CASE cardinality(v_lexemes)
      WHEN 1 THEN RETURN QUERY SELECT rs.id, rs.rank FROM search_index.rank_common_static_1(p_practice, p_kind, v_query, p_limit, v_n, p_k1, p_b, v_lexemes, v_common_of, v_idf_of) rs;
      WHEN 2 THEN RETURN QUERY SELECT rs.id, rs.rank FROM search_index.rank_common_static_2(p_practice, p_kind, v_query, p_limit, v_n, p_k1, p_b, v_lexemes, v_common_of, v_idf_of) rs;
      WHEN 3 THEN RETURN QUERY SELECT rs.id, rs.rank FROM search_index.rank_common_static_3(p_practice, p_kind, v_query, p_limit, v_n, p_k1, p_b, v_lexemes, v_common_of, v_idf_of) rs;
      WHEN 4 THEN RETURN QUERY SELECT rs.id, rs.rank FROM search_index.rank_common_static_4(p_practice, p_kind, v_query, p_limit, v_n, p_k1, p_b, v_lexemes, v_common_of, v_idf_of) rs;
      WHEN 5 THEN RETURN QUERY SELECT rs.id, rs.rank FROM search_index.rank_common_static_5(p_practice, p_kind, v_query, p_limit, v_n, p_k1, p_b, v_lexemes, v_common_of, v_idf_of) rs;
      WHEN 6 THEN RETURN QUERY SELECT rs.id, rs.rank FROM search_index.rank_common_static_6(p_practice, p_kind, v_query, p_limit, v_n, p_k1, p_b, v_lexemes, v_common_of, v_idf_of) rs;
      WHEN 7 THEN RETURN QUERY SELECT rs.id, rs.rank FROM search_index.rank_common_static_7(p_practice, p_kind, v_query, p_limit, v_n, p_k1, p_b, v_lexemes, v_common_of, v_idf_of) rs;
      WHEN 8 THEN RETURN QUERY SELECT rs.id, rs.rank FROM search_index.rank_common_static_8(p_practice, p_kind, v_query, p_limit, v_n, p_k1, p_b, v_lexemes, v_common_of, v_idf_of) rs;
      WHEN 9 THEN RETURN QUERY SELECT rs.id, rs.rank FROM search_index.rank_common_static_9(p_practice, p_kind, v_query, p_limit, v_n, p_k1, p_b, v_lexemes, v_common_of, v_idf_of) rs;
      WHEN 10 THEN RETURN QUERY SELECT rs.id, rs.rank FROM search_index.rank_common_static_10(p_practice, p_kind, v_query, p_limit, v_n, p_k1, p_b, v_lexemes, v_common_of, v_idf_of) rs;
      WHEN 11 THEN RETURN QUERY SELECT rs.id, rs.rank FROM search_index.rank_common_static_11(p_practice, p_kind, v_query, p_limit, v_n, p_k1, p_b, v_lexemes, v_common_of, v_idf_of) rs;
      WHEN 12 THEN RETURN QUERY SELECT rs.id, rs.rank FROM search_index.rank_common_static_12(p_practice, p_kind, v_query, p_limit, v_n, p_k1, p_b, v_lexemes, v_common_of, v_idf_of) rs;
      WHEN 13 THEN RETURN QUERY SELECT rs.id, rs.rank FROM search_index.rank_common_static_13(p_practice, p_kind, v_query, p_limit, v_n, p_k1, p_b, v_lexemes, v_common_of, v_idf_of) rs;
      WHEN 14 THEN RETURN QUERY SELECT rs.id, rs.rank FROM search_index.rank_common_static_14(p_practice, p_kind, v_query, p_limit, v_n, p_k1, p_b, v_lexemes, v_common_of, v_idf_of) rs;
      WHEN 15 THEN RETURN QUERY SELECT rs.id, rs.rank FROM search_index.rank_common_static_15(p_practice, p_kind, v_query, p_limit, v_n, p_k1, p_b, v_lexemes, v_common_of, v_idf_of) rs;
      WHEN 16 THEN RETURN QUERY SELECT rs.id, rs.rank FROM search_index.rank_common_static_16(p_practice, p_kind, v_query, p_limit, v_n, p_k1, p_b, v_lexemes, v_common_of, v_idf_of) rs;
    END CASE;
    RETURN;
  END IF;
  -- More lexemes: 0104's statement, generated for the query.
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

-- The ranking search_lexical() calls: common terms for one large practice (0104's by 'bm25_0104',
-- 0084's by 'bm25_0084'), else 0077's.
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
  ELSIF p_ranking = 'bm25_0104' AND cardinality(p_practices) = 1 THEN
    RETURN QUERY SELECT r.id, r.rank FROM search_index.rank_common_0104(p_kind, p_terms, p_practices[1], p_limit, p_k1, p_b) r;
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
    CASE WHEN p_ranking IN ('bm25_exact', 'bm25_0084', 'bm25_0104') THEN 'bm25' ELSE p_ranking END, p_k1, p_b) r;
END
$$;
REVOKE EXECUTE ON FUNCTION search_index.rank(text, text[], uuid[], integer, text, double precision, double precision) FROM PUBLIC;
