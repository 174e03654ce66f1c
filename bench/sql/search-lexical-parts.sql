-- Scratch copies of 0133's public.search_lexical(), each stopped at one more step of its production
-- path, for bench/search-lexical-cpu.ts --parts (session 11, s-lexrank): where one call's backend CPU
-- goes, as differences of interleaved means. Installed into a fixture copy by the bench and dropped
-- again; never a migration. Generated from db/migrations/0133_search_lexical_fewer_statements.sql
-- (its DO block with the ranking statement's template replaced):
--   search_lexical_part_check    the call and the caller check, then returns one row
--   search_lexical_part_prelude  + the prelude statement (lexemes, partition, statistics, idf, tsquery)
--   search_lexical_part_scan     + the candidates (GIN bitmap, heap, kind filter) and each one's length(fts)
--   search_lexical_part_agg      + each candidate's tf of every query lexeme (jsonb) and the aggregates
--                                  over them (avgdl, df), no CTE
--   search_lexical_part_full     0133's ranking statement as it is (CTE, weights, scores, top-N)

DO $do$
DECLARE
  branches text := '';
  cols text;
  counts text;
  idfs text;
  score text;
  decl text := '';
  n integer;
  k integer;
BEGIN
  FOR k IN 1 .. 16 LOOP
    decl := decl || format(E'  l%1$s text;\n  i%1$s double precision;\n', k);
  END LOOP;
  FOR n IN 1 .. 16 LOOP
    cols := ''; counts := ''; idfs := ''; score := '';
    FOR k IN 1 .. n LOOP
      cols := cols || format(', (d.tf -> l%1$s)::int::float8 AS t%1$s', k);
      counts := counts || format(', count(m.t%1$s)::float8 AS df%1$s', k);
      idfs := idfs || format(', coalesce(i%1$s, ln(1 + (greatest(v_n, s.df%1$s) - s.df%1$s + 0.5) / (s.df%1$s + 0.5))) AS w%1$s', k);
      score := score || CASE WHEN k > 1 THEN ' + ' ELSE '' END
        || format('coalesce(x.w%1$s * x.t%1$s * v_k1p1 / (x.t%1$s + x.norm), 0)', k);
    END LOOP;
    branches := branches || format(
      E'      WHEN %5$s THEN\n'
      '        RETURN QUERY\n'
      '        WITH m AS MATERIALIZED (\n'
      '          SELECT d.id, pg_catalog.length(d.fts)::float8 AS dl %1$s FROM search_index.documents d\n'
      '           WHERE d.practice_id = v_practice AND d.kind = p_kind AND d.fts @@ v_query\n'
      '        ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl %2$s FROM m),\n'
      '        w AS MATERIALIZED (SELECT s.avgdl %3$s FROM s)\n'
      '        SELECT x.id, (%4$s)::float8 AS rank\n'
      '          FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x\n'
      '         ORDER BY 2 DESC, 1 LIMIT p_limit;\n',
      cols, counts, idfs, score, n);
  END LOOP;

  EXECUTE format($f$
CREATE OR REPLACE FUNCTION public.search_lexical_part_full(
  p_kind text,
  p_terms text[],
  p_practices uuid[] DEFAULT NULL,
  p_limit integer DEFAULT 50,
  p_ranking text DEFAULT 'bm25',
  p_k1 double precision DEFAULT 1.2,
  p_b double precision DEFAULT 0.75
)
RETURNS TABLE (id uuid, rank double precision)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = ''
-- The ranking statements below, parsed and planned once per session (0117's static statements).
SET plan_cache_mode = force_generic_plan
AS $body$
DECLARE
  v_role text;
  v_everything boolean;
  v_allowed uuid[];
  v_practice uuid;
  v_count integer;
  v_part oid;
  v_n double precision;
  v_query tsquery;
  v_k1p1 double precision := p_k1 + 1;
%1$s
BEGIN
  IF p_kind IS NULL OR p_kind NOT IN ('case', 'message', 'project', 'patient') THEN
    RETURN;
  END IF;
  -- v_role: the role the caller runs as, SET ROLE's, else the login's (SECURITY DEFINER changes
  -- only current_user). A role that bypasses RLS reads every row of the sources anyway.
  IF p_ranking = 'bm25_0117' THEN
    -- 0076's caller check and 0117's ranking as they were, for the side-by-side runs.
    v_role := CASE WHEN current_setting('role') = 'none' THEN session_user::text ELSE current_setting('role') END;
    v_everything := coalesce((SELECT r.rolsuper OR r.rolbypassrls FROM pg_catalog.pg_roles r WHERE r.rolname = v_role), false)
      OR coalesce(public.is_internal_admin(), false)
      OR (p_kind <> 'patient' AND public.lab_role() IS NOT NULL);
    IF v_everything THEN
      v_allowed := p_practices;
    ELSE
      v_allowed := ARRAY(SELECT x FROM public.user_practice_ids() x WHERE p_practices IS NULL OR x = ANY (p_practices));
      IF cardinality(v_allowed) = 0 THEN
        RETURN;
      END IF;
    END IF;
    RETURN QUERY SELECT r.id, r.rank FROM search_index.rank(p_kind, p_terms, v_allowed, p_limit, 'bm25', p_k1, p_b) r;
    RETURN;
  END IF;
  -- Who may read what (0076): a role that reads everything the practices named (all if none), any
  -- other caller those of them it is a member of. When the caller is a member of every practice
  -- named, in that order (search_page() names the practice a search asks for, ARRAY[p_practice]),
  -- both give the same array: the role need not be looked up.
  IF cardinality(p_practices) > 0 THEN
    v_allowed := ARRAY(SELECT x FROM public.user_practice_ids() x WHERE x = ANY (p_practices));
  END IF;
  IF cardinality(p_practices) > 0 AND v_allowed = p_practices THEN
    NULL;
  ELSE
    -- lab_role() is 'admin' for an internal admin (the same profiles row): for the kinds lab staff
    -- may read it alone answers "internal admin or lab staff" (one SECURITY DEFINER call, not two).
    v_role := CASE WHEN current_setting('role') = 'none' THEN session_user::text ELSE current_setting('role') END;
    v_everything := coalesce((SELECT r.rolsuper OR r.rolbypassrls FROM pg_catalog.pg_roles r WHERE r.rolname = v_role), false)
      OR CASE WHEN p_kind = 'patient' THEN coalesce(public.is_internal_admin(), false) ELSE public.lab_role() IS NOT NULL END;
    IF v_everything THEN
      v_allowed := p_practices;
    ELSE
      IF p_practices IS NULL OR cardinality(p_practices) = 0 THEN
        v_allowed := ARRAY(SELECT x FROM public.user_practice_ids() x WHERE p_practices IS NULL OR x = ANY (p_practices));
      END IF;
      IF cardinality(v_allowed) = 0 THEN
        RETURN;
      END IF;
    END IF;
  END IF;
  v_practice := v_allowed[1];
  -- Not the common-terms path this function runs itself: search_index.rank() as before (the other
  -- rankings, several or all practices, the pg_stats view path).
  IF p_ranking IS DISTINCT FROM 'bm25' OR cardinality(v_allowed) IS DISTINCT FROM 1 OR v_practice IS NULL
     OR p_terms IS NULL OR cardinality(p_terms) = 0 OR p_limit IS NULL OR p_limit < 1
     OR NOT pg_catalog.has_table_privilege('pg_catalog.pg_statistic'::regclass, 'SELECT')
     OR coalesce(current_setting('mdw.search_stats_view', true), '') = 'on' THEN
    RETURN QUERY SELECT r.id, r.rank FROM search_index.rank(p_kind, p_terms, v_allowed, p_limit, p_ranking, p_k1, p_b) r;
    RETURN;
  END IF;
  -- 0117's prelude in one statement: the lexemes; the practice's partition (the one of the 32
  -- remainders whose hash constraint the practice satisfies; 0117 checked the names); ANALYZE's
  -- statistics of it (reltuples, the practice's and the kind's MCV frequency, the fts elements and
  -- their frequencies); n = reltuples * f(practice) * f(kind); per lexeme, its frequency among the
  -- fts elements (a word missing from the list is rarer than its least frequent entry) and, when it
  -- is common (>= mdw.search_common_freq, 0.1), its idf from df = f * n; the selective lexemes as a
  -- tsquery (quoted: already stemmed). n is NULL when the practice or the kind has no MCV entry.
  SELECT cardinality(q.lexemes), q.part, q.n,
         CASE WHEN q.n >= q.min_texts AND q.elems IS NOT NULL AND pg_catalog.array_position(q.idf, NULL) IS NOT NULL THEN
           pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.quote_literal(x.l) FROM unnest(q.lexemes, q.idf) AS x(l, i) WHERE x.i IS NULL), ' | ')::tsquery END,
         q.lexemes[1], q.lexemes[2], q.lexemes[3], q.lexemes[4], q.lexemes[5], q.lexemes[6], q.lexemes[7], q.lexemes[8],
         q.lexemes[9], q.lexemes[10], q.lexemes[11], q.lexemes[12], q.lexemes[13], q.lexemes[14], q.lexemes[15], q.lexemes[16],
         q.idf[1], q.idf[2], q.idf[3], q.idf[4], q.idf[5], q.idf[6], q.idf[7], q.idf[8],
         q.idf[9], q.idf[10], q.idf[11], q.idf[12], q.idf[13], q.idf[14], q.idf[15], q.idf[16]
    INTO v_count, v_part, v_n, v_query,
         l1, l2, l3, l4, l5, l6, l7, l8, l9, l10, l11, l12, l13, l14, l15, l16,
         i1, i2, i3, i4, i5, i6, i7, i8, i9, i10, i11, i12, i13, i14, i15, i16
    FROM (
      SELECT lx.lexemes, lx.part, lx.min_texts, st.n, st.elems,
             ARRAY(SELECT CASE WHEN f.f >= lx.common THEN ln(1 + (greatest(st.n, f.f * st.n) - f.f * st.n + 0.5) / (f.f * st.n + 0.5)) END
                     FROM unnest(lx.lexemes) WITH ORDINALITY AS x(l, o)
                     CROSS JOIN LATERAL (SELECT st.freqs[pg_catalog.array_position(st.elems, x.l)]::float8 AS f) f
                    ORDER BY x.o) AS idf
        FROM (SELECT pg_catalog.tsvector_to_array(pg_catalog.to_tsvector('english'::regconfig, pg_catalog.array_to_string(p_terms, ' '))) AS lexemes,
                     (SELECT pg_catalog.to_regclass('search_index.documents_p' || pg_catalog.lpad(g.rem::text, 2, '0'))::oid
                        FROM pg_catalog.generate_series(0, 31) g(rem)
                       WHERE pg_catalog.satisfies_hash_partition('search_index.documents'::regclass, 32, g.rem, v_practice)) AS part,
                     coalesce(nullif(current_setting('mdw.search_common_freq', true), '')::float8, 0.1) AS common,
                     coalesce(nullif(current_setting('mdw.search_common_min_texts', true), '')::float8, 2000) AS min_texts
              OFFSET 0) lx
        -- The partition's three statistics rows in one pass (no row: no statistics, n NULL).
        LEFT JOIN LATERAL (
          SELECT c.reltuples::float8
                 * max(CASE WHEN a.attname = 'practice_id' THEN (CASE 1 WHEN s.stakind1 THEN s.stanumbers1 WHEN s.stakind2 THEN s.stanumbers2 WHEN s.stakind3 THEN s.stanumbers3 WHEN s.stakind4 THEN s.stanumbers4 WHEN s.stakind5 THEN s.stanumbers5 END)[
                              pg_catalog.array_position((CASE 1 WHEN s.stakind1 THEN s.stavalues1 WHEN s.stakind2 THEN s.stavalues2 WHEN s.stakind3 THEN s.stavalues3 WHEN s.stakind4 THEN s.stavalues4 WHEN s.stakind5 THEN s.stavalues5 END)::text::text[], v_practice::text)] END)::float8
                 * max(CASE WHEN a.attname = 'kind' THEN (CASE 1 WHEN s.stakind1 THEN s.stanumbers1 WHEN s.stakind2 THEN s.stanumbers2 WHEN s.stakind3 THEN s.stanumbers3 WHEN s.stakind4 THEN s.stanumbers4 WHEN s.stakind5 THEN s.stanumbers5 END)[
                              pg_catalog.array_position((CASE 1 WHEN s.stakind1 THEN s.stavalues1 WHEN s.stakind2 THEN s.stavalues2 WHEN s.stakind3 THEN s.stavalues3 WHEN s.stakind4 THEN s.stavalues4 WHEN s.stakind5 THEN s.stavalues5 END)::text::text[], p_kind)] END)::float8 AS n,
                 max(CASE WHEN a.attname = 'fts' THEN (CASE 4 WHEN s.stakind1 THEN s.stavalues1 WHEN s.stakind2 THEN s.stavalues2 WHEN s.stakind3 THEN s.stavalues3 WHEN s.stakind4 THEN s.stavalues4 WHEN s.stakind5 THEN s.stavalues5 END)::text::text[] END) AS elems,
                 -- [:] a decompressed copy: read once per lexeme below, not decompressed once per lexeme.
                 max(CASE WHEN a.attname = 'fts' THEN (CASE 4 WHEN s.stakind1 THEN s.stanumbers1 WHEN s.stakind2 THEN s.stanumbers2 WHEN s.stakind3 THEN s.stanumbers3 WHEN s.stakind4 THEN s.stanumbers4 WHEN s.stakind5 THEN s.stanumbers5 END)[:] END) AS freqs
            FROM pg_catalog.pg_class c
            JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attname IN ('practice_id', 'kind', 'fts') AND NOT a.attisdropped
            JOIN pg_catalog.pg_statistic s ON s.starelid = c.oid AND s.staattnum = a.attnum AND NOT s.stainherit
           WHERE c.oid = lx.part
           GROUP BY c.reltuples
          OFFSET 0
        ) st ON true
      -- OFFSET 0: each level evaluated once, not once per reference (no subquery pull-up).
      OFFSET 0
    ) q;
  -- No partition of that name (0117 then scans for it), or more lexemes than the ranking
  -- statements hold: 0117's path.
  IF v_count > 16 OR (v_count > 0 AND v_part IS NULL) THEN
    RETURN QUERY SELECT r.id, r.rank FROM search_index.rank(p_kind, p_terms, v_allowed, p_limit, 'bm25', p_k1, p_b) r;
    RETURN;
  END IF;
  -- A query (selective words) for a large practice with statistics: BM25 by common terms.
  IF v_query IS NOT NULL AND v_count > 0 THEN
    CASE v_count
%2$s
    END CASE;
    IF FOUND THEN
      RETURN;
    END IF;
  END IF;
  -- Nothing ranked by common terms (a small practice, no statistics, no selective word, no
  -- candidate): every match ranked, as search_index.rank() did.
  RETURN QUERY SELECT r.id, r.rank FROM search_index.rank_exact(p_kind, p_terms, v_allowed, p_limit, 'bm25', p_k1, p_b) r;
END
$body$;
$f$, decl, branches);
END
$do$;

GRANT EXECUTE ON FUNCTION public.search_lexical_part_full(text, text[], uuid[], integer, text, double precision, double precision) TO authenticated;

DO $do$
DECLARE
  branches text := '';
  cols text;
  counts text;
  idfs text;
  score text;
  decl text := '';
  dfsum text;
  n integer;
  k integer;
BEGIN
  FOR k IN 1 .. 16 LOOP
    decl := decl || format(E'  l%1$s text;\n  i%1$s double precision;\n', k);
  END LOOP;
  FOR n IN 1 .. 16 LOOP
    cols := ''; counts := ''; idfs := ''; score := ''; dfsum := '';
    FOR k IN 1 .. n LOOP
      cols := cols || format(', (d.tf -> l%1$s)::int::float8 AS t%1$s', k);
      counts := counts || format(', count(m.t%1$s)::float8 AS df%1$s', k);
      idfs := idfs || format(', coalesce(i%1$s, ln(1 + (greatest(v_n, s.df%1$s) - s.df%1$s + 0.5) / (s.df%1$s + 0.5))) AS w%1$s', k);
      dfsum := dfsum || CASE WHEN k > 1 THEN ' + ' ELSE '' END || format('s.df%1$s', k);
      score := score || CASE WHEN k > 1 THEN ' + ' ELSE '' END
        || format('coalesce(x.w%1$s * x.t%1$s * v_k1p1 / (x.t%1$s + x.norm), 0)', k);
    END LOOP;
    branches := branches || format(
      E'      WHEN %5$s THEN\n'
      '        RETURN QUERY SELECT NULL::uuid, (s.avgdl + %6$s)::float8 FROM (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl %2$s FROM (\n'
      '          SELECT d.id, pg_catalog.length(d.fts)::float8 AS dl %1$s FROM search_index.documents d\n'
      '           WHERE d.practice_id = v_practice AND d.kind = p_kind AND d.fts @@ v_query OFFSET 0) m) s;\n',
      cols, counts, idfs, score, n, dfsum);
  END LOOP;

  EXECUTE format($f$
CREATE OR REPLACE FUNCTION public.search_lexical_part_agg(
  p_kind text,
  p_terms text[],
  p_practices uuid[] DEFAULT NULL,
  p_limit integer DEFAULT 50,
  p_ranking text DEFAULT 'bm25',
  p_k1 double precision DEFAULT 1.2,
  p_b double precision DEFAULT 0.75
)
RETURNS TABLE (id uuid, rank double precision)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = ''
-- The ranking statements below, parsed and planned once per session (0117's static statements).
SET plan_cache_mode = force_generic_plan
AS $body$
DECLARE
  v_role text;
  v_everything boolean;
  v_allowed uuid[];
  v_practice uuid;
  v_count integer;
  v_part oid;
  v_n double precision;
  v_query tsquery;
  v_k1p1 double precision := p_k1 + 1;
%1$s
BEGIN
  IF p_kind IS NULL OR p_kind NOT IN ('case', 'message', 'project', 'patient') THEN
    RETURN;
  END IF;
  -- v_role: the role the caller runs as, SET ROLE's, else the login's (SECURITY DEFINER changes
  -- only current_user). A role that bypasses RLS reads every row of the sources anyway.
  IF p_ranking = 'bm25_0117' THEN
    -- 0076's caller check and 0117's ranking as they were, for the side-by-side runs.
    v_role := CASE WHEN current_setting('role') = 'none' THEN session_user::text ELSE current_setting('role') END;
    v_everything := coalesce((SELECT r.rolsuper OR r.rolbypassrls FROM pg_catalog.pg_roles r WHERE r.rolname = v_role), false)
      OR coalesce(public.is_internal_admin(), false)
      OR (p_kind <> 'patient' AND public.lab_role() IS NOT NULL);
    IF v_everything THEN
      v_allowed := p_practices;
    ELSE
      v_allowed := ARRAY(SELECT x FROM public.user_practice_ids() x WHERE p_practices IS NULL OR x = ANY (p_practices));
      IF cardinality(v_allowed) = 0 THEN
        RETURN;
      END IF;
    END IF;
    RETURN QUERY SELECT r.id, r.rank FROM search_index.rank(p_kind, p_terms, v_allowed, p_limit, 'bm25', p_k1, p_b) r;
    RETURN;
  END IF;
  -- Who may read what (0076): a role that reads everything the practices named (all if none), any
  -- other caller those of them it is a member of. When the caller is a member of every practice
  -- named, in that order (search_page() names the practice a search asks for, ARRAY[p_practice]),
  -- both give the same array: the role need not be looked up.
  IF cardinality(p_practices) > 0 THEN
    v_allowed := ARRAY(SELECT x FROM public.user_practice_ids() x WHERE x = ANY (p_practices));
  END IF;
  IF cardinality(p_practices) > 0 AND v_allowed = p_practices THEN
    NULL;
  ELSE
    -- lab_role() is 'admin' for an internal admin (the same profiles row): for the kinds lab staff
    -- may read it alone answers "internal admin or lab staff" (one SECURITY DEFINER call, not two).
    v_role := CASE WHEN current_setting('role') = 'none' THEN session_user::text ELSE current_setting('role') END;
    v_everything := coalesce((SELECT r.rolsuper OR r.rolbypassrls FROM pg_catalog.pg_roles r WHERE r.rolname = v_role), false)
      OR CASE WHEN p_kind = 'patient' THEN coalesce(public.is_internal_admin(), false) ELSE public.lab_role() IS NOT NULL END;
    IF v_everything THEN
      v_allowed := p_practices;
    ELSE
      IF p_practices IS NULL OR cardinality(p_practices) = 0 THEN
        v_allowed := ARRAY(SELECT x FROM public.user_practice_ids() x WHERE p_practices IS NULL OR x = ANY (p_practices));
      END IF;
      IF cardinality(v_allowed) = 0 THEN
        RETURN;
      END IF;
    END IF;
  END IF;
  v_practice := v_allowed[1];
  -- Not the common-terms path this function runs itself: search_index.rank() as before (the other
  -- rankings, several or all practices, the pg_stats view path).
  IF p_ranking IS DISTINCT FROM 'bm25' OR cardinality(v_allowed) IS DISTINCT FROM 1 OR v_practice IS NULL
     OR p_terms IS NULL OR cardinality(p_terms) = 0 OR p_limit IS NULL OR p_limit < 1
     OR NOT pg_catalog.has_table_privilege('pg_catalog.pg_statistic'::regclass, 'SELECT')
     OR coalesce(current_setting('mdw.search_stats_view', true), '') = 'on' THEN
    RETURN QUERY SELECT r.id, r.rank FROM search_index.rank(p_kind, p_terms, v_allowed, p_limit, p_ranking, p_k1, p_b) r;
    RETURN;
  END IF;
  -- 0117's prelude in one statement: the lexemes; the practice's partition (the one of the 32
  -- remainders whose hash constraint the practice satisfies; 0117 checked the names); ANALYZE's
  -- statistics of it (reltuples, the practice's and the kind's MCV frequency, the fts elements and
  -- their frequencies); n = reltuples * f(practice) * f(kind); per lexeme, its frequency among the
  -- fts elements (a word missing from the list is rarer than its least frequent entry) and, when it
  -- is common (>= mdw.search_common_freq, 0.1), its idf from df = f * n; the selective lexemes as a
  -- tsquery (quoted: already stemmed). n is NULL when the practice or the kind has no MCV entry.
  SELECT cardinality(q.lexemes), q.part, q.n,
         CASE WHEN q.n >= q.min_texts AND q.elems IS NOT NULL AND pg_catalog.array_position(q.idf, NULL) IS NOT NULL THEN
           pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.quote_literal(x.l) FROM unnest(q.lexemes, q.idf) AS x(l, i) WHERE x.i IS NULL), ' | ')::tsquery END,
         q.lexemes[1], q.lexemes[2], q.lexemes[3], q.lexemes[4], q.lexemes[5], q.lexemes[6], q.lexemes[7], q.lexemes[8],
         q.lexemes[9], q.lexemes[10], q.lexemes[11], q.lexemes[12], q.lexemes[13], q.lexemes[14], q.lexemes[15], q.lexemes[16],
         q.idf[1], q.idf[2], q.idf[3], q.idf[4], q.idf[5], q.idf[6], q.idf[7], q.idf[8],
         q.idf[9], q.idf[10], q.idf[11], q.idf[12], q.idf[13], q.idf[14], q.idf[15], q.idf[16]
    INTO v_count, v_part, v_n, v_query,
         l1, l2, l3, l4, l5, l6, l7, l8, l9, l10, l11, l12, l13, l14, l15, l16,
         i1, i2, i3, i4, i5, i6, i7, i8, i9, i10, i11, i12, i13, i14, i15, i16
    FROM (
      SELECT lx.lexemes, lx.part, lx.min_texts, st.n, st.elems,
             ARRAY(SELECT CASE WHEN f.f >= lx.common THEN ln(1 + (greatest(st.n, f.f * st.n) - f.f * st.n + 0.5) / (f.f * st.n + 0.5)) END
                     FROM unnest(lx.lexemes) WITH ORDINALITY AS x(l, o)
                     CROSS JOIN LATERAL (SELECT st.freqs[pg_catalog.array_position(st.elems, x.l)]::float8 AS f) f
                    ORDER BY x.o) AS idf
        FROM (SELECT pg_catalog.tsvector_to_array(pg_catalog.to_tsvector('english'::regconfig, pg_catalog.array_to_string(p_terms, ' '))) AS lexemes,
                     (SELECT pg_catalog.to_regclass('search_index.documents_p' || pg_catalog.lpad(g.rem::text, 2, '0'))::oid
                        FROM pg_catalog.generate_series(0, 31) g(rem)
                       WHERE pg_catalog.satisfies_hash_partition('search_index.documents'::regclass, 32, g.rem, v_practice)) AS part,
                     coalesce(nullif(current_setting('mdw.search_common_freq', true), '')::float8, 0.1) AS common,
                     coalesce(nullif(current_setting('mdw.search_common_min_texts', true), '')::float8, 2000) AS min_texts
              OFFSET 0) lx
        -- The partition's three statistics rows in one pass (no row: no statistics, n NULL).
        LEFT JOIN LATERAL (
          SELECT c.reltuples::float8
                 * max(CASE WHEN a.attname = 'practice_id' THEN (CASE 1 WHEN s.stakind1 THEN s.stanumbers1 WHEN s.stakind2 THEN s.stanumbers2 WHEN s.stakind3 THEN s.stanumbers3 WHEN s.stakind4 THEN s.stanumbers4 WHEN s.stakind5 THEN s.stanumbers5 END)[
                              pg_catalog.array_position((CASE 1 WHEN s.stakind1 THEN s.stavalues1 WHEN s.stakind2 THEN s.stavalues2 WHEN s.stakind3 THEN s.stavalues3 WHEN s.stakind4 THEN s.stavalues4 WHEN s.stakind5 THEN s.stavalues5 END)::text::text[], v_practice::text)] END)::float8
                 * max(CASE WHEN a.attname = 'kind' THEN (CASE 1 WHEN s.stakind1 THEN s.stanumbers1 WHEN s.stakind2 THEN s.stanumbers2 WHEN s.stakind3 THEN s.stanumbers3 WHEN s.stakind4 THEN s.stanumbers4 WHEN s.stakind5 THEN s.stanumbers5 END)[
                              pg_catalog.array_position((CASE 1 WHEN s.stakind1 THEN s.stavalues1 WHEN s.stakind2 THEN s.stavalues2 WHEN s.stakind3 THEN s.stavalues3 WHEN s.stakind4 THEN s.stavalues4 WHEN s.stakind5 THEN s.stavalues5 END)::text::text[], p_kind)] END)::float8 AS n,
                 max(CASE WHEN a.attname = 'fts' THEN (CASE 4 WHEN s.stakind1 THEN s.stavalues1 WHEN s.stakind2 THEN s.stavalues2 WHEN s.stakind3 THEN s.stavalues3 WHEN s.stakind4 THEN s.stavalues4 WHEN s.stakind5 THEN s.stavalues5 END)::text::text[] END) AS elems,
                 -- [:] a decompressed copy: read once per lexeme below, not decompressed once per lexeme.
                 max(CASE WHEN a.attname = 'fts' THEN (CASE 4 WHEN s.stakind1 THEN s.stanumbers1 WHEN s.stakind2 THEN s.stanumbers2 WHEN s.stakind3 THEN s.stanumbers3 WHEN s.stakind4 THEN s.stanumbers4 WHEN s.stakind5 THEN s.stanumbers5 END)[:] END) AS freqs
            FROM pg_catalog.pg_class c
            JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attname IN ('practice_id', 'kind', 'fts') AND NOT a.attisdropped
            JOIN pg_catalog.pg_statistic s ON s.starelid = c.oid AND s.staattnum = a.attnum AND NOT s.stainherit
           WHERE c.oid = lx.part
           GROUP BY c.reltuples
          OFFSET 0
        ) st ON true
      -- OFFSET 0: each level evaluated once, not once per reference (no subquery pull-up).
      OFFSET 0
    ) q;
  -- No partition of that name (0117 then scans for it), or more lexemes than the ranking
  -- statements hold: 0117's path.
  IF v_count > 16 OR (v_count > 0 AND v_part IS NULL) THEN
    RETURN QUERY SELECT r.id, r.rank FROM search_index.rank(p_kind, p_terms, v_allowed, p_limit, 'bm25', p_k1, p_b) r;
    RETURN;
  END IF;
  -- A query (selective words) for a large practice with statistics: BM25 by common terms.
  IF v_query IS NOT NULL AND v_count > 0 THEN
    CASE v_count
%2$s
    END CASE;
    IF FOUND THEN
      RETURN;
    END IF;
  END IF;
  -- Nothing ranked by common terms (a small practice, no statistics, no selective word, no
  -- candidate): every match ranked, as search_index.rank() did.
  RETURN QUERY SELECT r.id, r.rank FROM search_index.rank_exact(p_kind, p_terms, v_allowed, p_limit, 'bm25', p_k1, p_b) r;
END
$body$;
$f$, decl, branches);
END
$do$;

GRANT EXECUTE ON FUNCTION public.search_lexical_part_agg(text, text[], uuid[], integer, text, double precision, double precision) TO authenticated;

DO $do$
DECLARE
  branches text := '';
  cols text;
  counts text;
  idfs text;
  score text;
  decl text := '';
  dfsum text;
  n integer;
  k integer;
BEGIN
  FOR k IN 1 .. 16 LOOP
    decl := decl || format(E'  l%1$s text;\n  i%1$s double precision;\n', k);
  END LOOP;
  FOR n IN 1 .. 16 LOOP
    cols := ''; counts := ''; idfs := ''; score := ''; dfsum := '';
    FOR k IN 1 .. n LOOP
      cols := cols || format(', (d.tf -> l%1$s)::int::float8 AS t%1$s', k);
      counts := counts || format(', count(m.t%1$s)::float8 AS df%1$s', k);
      idfs := idfs || format(', coalesce(i%1$s, ln(1 + (greatest(v_n, s.df%1$s) - s.df%1$s + 0.5) / (s.df%1$s + 0.5))) AS w%1$s', k);
      dfsum := dfsum || CASE WHEN k > 1 THEN ' + ' ELSE '' END || format('s.df%1$s', k);
      score := score || CASE WHEN k > 1 THEN ' + ' ELSE '' END
        || format('coalesce(x.w%1$s * x.t%1$s * v_k1p1 / (x.t%1$s + x.norm), 0)', k);
    END LOOP;
    branches := branches || format(
      E'      WHEN %5$s THEN\n'
      '        RETURN QUERY SELECT NULL::uuid, sum(pg_catalog.length(d.fts))::float8 FROM search_index.documents d\n'
      '           WHERE d.practice_id = v_practice AND d.kind = p_kind AND d.fts @@ v_query;\n',
      cols, counts, idfs, score, n, dfsum);
  END LOOP;

  EXECUTE format($f$
CREATE OR REPLACE FUNCTION public.search_lexical_part_scan(
  p_kind text,
  p_terms text[],
  p_practices uuid[] DEFAULT NULL,
  p_limit integer DEFAULT 50,
  p_ranking text DEFAULT 'bm25',
  p_k1 double precision DEFAULT 1.2,
  p_b double precision DEFAULT 0.75
)
RETURNS TABLE (id uuid, rank double precision)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = ''
-- The ranking statements below, parsed and planned once per session (0117's static statements).
SET plan_cache_mode = force_generic_plan
AS $body$
DECLARE
  v_role text;
  v_everything boolean;
  v_allowed uuid[];
  v_practice uuid;
  v_count integer;
  v_part oid;
  v_n double precision;
  v_query tsquery;
  v_k1p1 double precision := p_k1 + 1;
%1$s
BEGIN
  IF p_kind IS NULL OR p_kind NOT IN ('case', 'message', 'project', 'patient') THEN
    RETURN;
  END IF;
  -- v_role: the role the caller runs as, SET ROLE's, else the login's (SECURITY DEFINER changes
  -- only current_user). A role that bypasses RLS reads every row of the sources anyway.
  IF p_ranking = 'bm25_0117' THEN
    -- 0076's caller check and 0117's ranking as they were, for the side-by-side runs.
    v_role := CASE WHEN current_setting('role') = 'none' THEN session_user::text ELSE current_setting('role') END;
    v_everything := coalesce((SELECT r.rolsuper OR r.rolbypassrls FROM pg_catalog.pg_roles r WHERE r.rolname = v_role), false)
      OR coalesce(public.is_internal_admin(), false)
      OR (p_kind <> 'patient' AND public.lab_role() IS NOT NULL);
    IF v_everything THEN
      v_allowed := p_practices;
    ELSE
      v_allowed := ARRAY(SELECT x FROM public.user_practice_ids() x WHERE p_practices IS NULL OR x = ANY (p_practices));
      IF cardinality(v_allowed) = 0 THEN
        RETURN;
      END IF;
    END IF;
    RETURN QUERY SELECT r.id, r.rank FROM search_index.rank(p_kind, p_terms, v_allowed, p_limit, 'bm25', p_k1, p_b) r;
    RETURN;
  END IF;
  -- Who may read what (0076): a role that reads everything the practices named (all if none), any
  -- other caller those of them it is a member of. When the caller is a member of every practice
  -- named, in that order (search_page() names the practice a search asks for, ARRAY[p_practice]),
  -- both give the same array: the role need not be looked up.
  IF cardinality(p_practices) > 0 THEN
    v_allowed := ARRAY(SELECT x FROM public.user_practice_ids() x WHERE x = ANY (p_practices));
  END IF;
  IF cardinality(p_practices) > 0 AND v_allowed = p_practices THEN
    NULL;
  ELSE
    -- lab_role() is 'admin' for an internal admin (the same profiles row): for the kinds lab staff
    -- may read it alone answers "internal admin or lab staff" (one SECURITY DEFINER call, not two).
    v_role := CASE WHEN current_setting('role') = 'none' THEN session_user::text ELSE current_setting('role') END;
    v_everything := coalesce((SELECT r.rolsuper OR r.rolbypassrls FROM pg_catalog.pg_roles r WHERE r.rolname = v_role), false)
      OR CASE WHEN p_kind = 'patient' THEN coalesce(public.is_internal_admin(), false) ELSE public.lab_role() IS NOT NULL END;
    IF v_everything THEN
      v_allowed := p_practices;
    ELSE
      IF p_practices IS NULL OR cardinality(p_practices) = 0 THEN
        v_allowed := ARRAY(SELECT x FROM public.user_practice_ids() x WHERE p_practices IS NULL OR x = ANY (p_practices));
      END IF;
      IF cardinality(v_allowed) = 0 THEN
        RETURN;
      END IF;
    END IF;
  END IF;
  v_practice := v_allowed[1];
  -- Not the common-terms path this function runs itself: search_index.rank() as before (the other
  -- rankings, several or all practices, the pg_stats view path).
  IF p_ranking IS DISTINCT FROM 'bm25' OR cardinality(v_allowed) IS DISTINCT FROM 1 OR v_practice IS NULL
     OR p_terms IS NULL OR cardinality(p_terms) = 0 OR p_limit IS NULL OR p_limit < 1
     OR NOT pg_catalog.has_table_privilege('pg_catalog.pg_statistic'::regclass, 'SELECT')
     OR coalesce(current_setting('mdw.search_stats_view', true), '') = 'on' THEN
    RETURN QUERY SELECT r.id, r.rank FROM search_index.rank(p_kind, p_terms, v_allowed, p_limit, p_ranking, p_k1, p_b) r;
    RETURN;
  END IF;
  -- 0117's prelude in one statement: the lexemes; the practice's partition (the one of the 32
  -- remainders whose hash constraint the practice satisfies; 0117 checked the names); ANALYZE's
  -- statistics of it (reltuples, the practice's and the kind's MCV frequency, the fts elements and
  -- their frequencies); n = reltuples * f(practice) * f(kind); per lexeme, its frequency among the
  -- fts elements (a word missing from the list is rarer than its least frequent entry) and, when it
  -- is common (>= mdw.search_common_freq, 0.1), its idf from df = f * n; the selective lexemes as a
  -- tsquery (quoted: already stemmed). n is NULL when the practice or the kind has no MCV entry.
  SELECT cardinality(q.lexemes), q.part, q.n,
         CASE WHEN q.n >= q.min_texts AND q.elems IS NOT NULL AND pg_catalog.array_position(q.idf, NULL) IS NOT NULL THEN
           pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.quote_literal(x.l) FROM unnest(q.lexemes, q.idf) AS x(l, i) WHERE x.i IS NULL), ' | ')::tsquery END,
         q.lexemes[1], q.lexemes[2], q.lexemes[3], q.lexemes[4], q.lexemes[5], q.lexemes[6], q.lexemes[7], q.lexemes[8],
         q.lexemes[9], q.lexemes[10], q.lexemes[11], q.lexemes[12], q.lexemes[13], q.lexemes[14], q.lexemes[15], q.lexemes[16],
         q.idf[1], q.idf[2], q.idf[3], q.idf[4], q.idf[5], q.idf[6], q.idf[7], q.idf[8],
         q.idf[9], q.idf[10], q.idf[11], q.idf[12], q.idf[13], q.idf[14], q.idf[15], q.idf[16]
    INTO v_count, v_part, v_n, v_query,
         l1, l2, l3, l4, l5, l6, l7, l8, l9, l10, l11, l12, l13, l14, l15, l16,
         i1, i2, i3, i4, i5, i6, i7, i8, i9, i10, i11, i12, i13, i14, i15, i16
    FROM (
      SELECT lx.lexemes, lx.part, lx.min_texts, st.n, st.elems,
             ARRAY(SELECT CASE WHEN f.f >= lx.common THEN ln(1 + (greatest(st.n, f.f * st.n) - f.f * st.n + 0.5) / (f.f * st.n + 0.5)) END
                     FROM unnest(lx.lexemes) WITH ORDINALITY AS x(l, o)
                     CROSS JOIN LATERAL (SELECT st.freqs[pg_catalog.array_position(st.elems, x.l)]::float8 AS f) f
                    ORDER BY x.o) AS idf
        FROM (SELECT pg_catalog.tsvector_to_array(pg_catalog.to_tsvector('english'::regconfig, pg_catalog.array_to_string(p_terms, ' '))) AS lexemes,
                     (SELECT pg_catalog.to_regclass('search_index.documents_p' || pg_catalog.lpad(g.rem::text, 2, '0'))::oid
                        FROM pg_catalog.generate_series(0, 31) g(rem)
                       WHERE pg_catalog.satisfies_hash_partition('search_index.documents'::regclass, 32, g.rem, v_practice)) AS part,
                     coalesce(nullif(current_setting('mdw.search_common_freq', true), '')::float8, 0.1) AS common,
                     coalesce(nullif(current_setting('mdw.search_common_min_texts', true), '')::float8, 2000) AS min_texts
              OFFSET 0) lx
        -- The partition's three statistics rows in one pass (no row: no statistics, n NULL).
        LEFT JOIN LATERAL (
          SELECT c.reltuples::float8
                 * max(CASE WHEN a.attname = 'practice_id' THEN (CASE 1 WHEN s.stakind1 THEN s.stanumbers1 WHEN s.stakind2 THEN s.stanumbers2 WHEN s.stakind3 THEN s.stanumbers3 WHEN s.stakind4 THEN s.stanumbers4 WHEN s.stakind5 THEN s.stanumbers5 END)[
                              pg_catalog.array_position((CASE 1 WHEN s.stakind1 THEN s.stavalues1 WHEN s.stakind2 THEN s.stavalues2 WHEN s.stakind3 THEN s.stavalues3 WHEN s.stakind4 THEN s.stavalues4 WHEN s.stakind5 THEN s.stavalues5 END)::text::text[], v_practice::text)] END)::float8
                 * max(CASE WHEN a.attname = 'kind' THEN (CASE 1 WHEN s.stakind1 THEN s.stanumbers1 WHEN s.stakind2 THEN s.stanumbers2 WHEN s.stakind3 THEN s.stanumbers3 WHEN s.stakind4 THEN s.stanumbers4 WHEN s.stakind5 THEN s.stanumbers5 END)[
                              pg_catalog.array_position((CASE 1 WHEN s.stakind1 THEN s.stavalues1 WHEN s.stakind2 THEN s.stavalues2 WHEN s.stakind3 THEN s.stavalues3 WHEN s.stakind4 THEN s.stavalues4 WHEN s.stakind5 THEN s.stavalues5 END)::text::text[], p_kind)] END)::float8 AS n,
                 max(CASE WHEN a.attname = 'fts' THEN (CASE 4 WHEN s.stakind1 THEN s.stavalues1 WHEN s.stakind2 THEN s.stavalues2 WHEN s.stakind3 THEN s.stavalues3 WHEN s.stakind4 THEN s.stavalues4 WHEN s.stakind5 THEN s.stavalues5 END)::text::text[] END) AS elems,
                 -- [:] a decompressed copy: read once per lexeme below, not decompressed once per lexeme.
                 max(CASE WHEN a.attname = 'fts' THEN (CASE 4 WHEN s.stakind1 THEN s.stanumbers1 WHEN s.stakind2 THEN s.stanumbers2 WHEN s.stakind3 THEN s.stanumbers3 WHEN s.stakind4 THEN s.stanumbers4 WHEN s.stakind5 THEN s.stanumbers5 END)[:] END) AS freqs
            FROM pg_catalog.pg_class c
            JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attname IN ('practice_id', 'kind', 'fts') AND NOT a.attisdropped
            JOIN pg_catalog.pg_statistic s ON s.starelid = c.oid AND s.staattnum = a.attnum AND NOT s.stainherit
           WHERE c.oid = lx.part
           GROUP BY c.reltuples
          OFFSET 0
        ) st ON true
      -- OFFSET 0: each level evaluated once, not once per reference (no subquery pull-up).
      OFFSET 0
    ) q;
  -- No partition of that name (0117 then scans for it), or more lexemes than the ranking
  -- statements hold: 0117's path.
  IF v_count > 16 OR (v_count > 0 AND v_part IS NULL) THEN
    RETURN QUERY SELECT r.id, r.rank FROM search_index.rank(p_kind, p_terms, v_allowed, p_limit, 'bm25', p_k1, p_b) r;
    RETURN;
  END IF;
  -- A query (selective words) for a large practice with statistics: BM25 by common terms.
  IF v_query IS NOT NULL AND v_count > 0 THEN
    CASE v_count
%2$s
    END CASE;
    IF FOUND THEN
      RETURN;
    END IF;
  END IF;
  -- Nothing ranked by common terms (a small practice, no statistics, no selective word, no
  -- candidate): every match ranked, as search_index.rank() did.
  RETURN QUERY SELECT r.id, r.rank FROM search_index.rank_exact(p_kind, p_terms, v_allowed, p_limit, 'bm25', p_k1, p_b) r;
END
$body$;
$f$, decl, branches);
END
$do$;

GRANT EXECUTE ON FUNCTION public.search_lexical_part_scan(text, text[], uuid[], integer, text, double precision, double precision) TO authenticated;

DO $do$
DECLARE
  branches text := '';
  cols text;
  counts text;
  idfs text;
  score text;
  decl text := '';
  dfsum text;
  n integer;
  k integer;
BEGIN
  FOR k IN 1 .. 16 LOOP
    decl := decl || format(E'  l%1$s text;\n  i%1$s double precision;\n', k);
  END LOOP;
  FOR n IN 1 .. 16 LOOP
    cols := ''; counts := ''; idfs := ''; score := ''; dfsum := '';
    FOR k IN 1 .. n LOOP
      cols := cols || format(', (d.tf -> l%1$s)::int::float8 AS t%1$s', k);
      counts := counts || format(', count(m.t%1$s)::float8 AS df%1$s', k);
      idfs := idfs || format(', coalesce(i%1$s, ln(1 + (greatest(v_n, s.df%1$s) - s.df%1$s + 0.5) / (s.df%1$s + 0.5))) AS w%1$s', k);
      dfsum := dfsum || CASE WHEN k > 1 THEN ' + ' ELSE '' END || format('s.df%1$s', k);
      score := score || CASE WHEN k > 1 THEN ' + ' ELSE '' END
        || format('coalesce(x.w%1$s * x.t%1$s * v_k1p1 / (x.t%1$s + x.norm), 0)', k);
    END LOOP;
    branches := branches || format(
      E'      WHEN %5$s THEN\n'
      '        RETURN QUERY SELECT NULL::uuid, 0::float8;\n',
      cols, counts, idfs, score, n, dfsum);
  END LOOP;

  EXECUTE format($f$
CREATE OR REPLACE FUNCTION public.search_lexical_part_prelude(
  p_kind text,
  p_terms text[],
  p_practices uuid[] DEFAULT NULL,
  p_limit integer DEFAULT 50,
  p_ranking text DEFAULT 'bm25',
  p_k1 double precision DEFAULT 1.2,
  p_b double precision DEFAULT 0.75
)
RETURNS TABLE (id uuid, rank double precision)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = ''
-- The ranking statements below, parsed and planned once per session (0117's static statements).
SET plan_cache_mode = force_generic_plan
AS $body$
DECLARE
  v_role text;
  v_everything boolean;
  v_allowed uuid[];
  v_practice uuid;
  v_count integer;
  v_part oid;
  v_n double precision;
  v_query tsquery;
  v_k1p1 double precision := p_k1 + 1;
%1$s
BEGIN
  IF p_kind IS NULL OR p_kind NOT IN ('case', 'message', 'project', 'patient') THEN
    RETURN;
  END IF;
  -- v_role: the role the caller runs as, SET ROLE's, else the login's (SECURITY DEFINER changes
  -- only current_user). A role that bypasses RLS reads every row of the sources anyway.
  IF p_ranking = 'bm25_0117' THEN
    -- 0076's caller check and 0117's ranking as they were, for the side-by-side runs.
    v_role := CASE WHEN current_setting('role') = 'none' THEN session_user::text ELSE current_setting('role') END;
    v_everything := coalesce((SELECT r.rolsuper OR r.rolbypassrls FROM pg_catalog.pg_roles r WHERE r.rolname = v_role), false)
      OR coalesce(public.is_internal_admin(), false)
      OR (p_kind <> 'patient' AND public.lab_role() IS NOT NULL);
    IF v_everything THEN
      v_allowed := p_practices;
    ELSE
      v_allowed := ARRAY(SELECT x FROM public.user_practice_ids() x WHERE p_practices IS NULL OR x = ANY (p_practices));
      IF cardinality(v_allowed) = 0 THEN
        RETURN;
      END IF;
    END IF;
    RETURN QUERY SELECT r.id, r.rank FROM search_index.rank(p_kind, p_terms, v_allowed, p_limit, 'bm25', p_k1, p_b) r;
    RETURN;
  END IF;
  -- Who may read what (0076): a role that reads everything the practices named (all if none), any
  -- other caller those of them it is a member of. When the caller is a member of every practice
  -- named, in that order (search_page() names the practice a search asks for, ARRAY[p_practice]),
  -- both give the same array: the role need not be looked up.
  IF cardinality(p_practices) > 0 THEN
    v_allowed := ARRAY(SELECT x FROM public.user_practice_ids() x WHERE x = ANY (p_practices));
  END IF;
  IF cardinality(p_practices) > 0 AND v_allowed = p_practices THEN
    NULL;
  ELSE
    -- lab_role() is 'admin' for an internal admin (the same profiles row): for the kinds lab staff
    -- may read it alone answers "internal admin or lab staff" (one SECURITY DEFINER call, not two).
    v_role := CASE WHEN current_setting('role') = 'none' THEN session_user::text ELSE current_setting('role') END;
    v_everything := coalesce((SELECT r.rolsuper OR r.rolbypassrls FROM pg_catalog.pg_roles r WHERE r.rolname = v_role), false)
      OR CASE WHEN p_kind = 'patient' THEN coalesce(public.is_internal_admin(), false) ELSE public.lab_role() IS NOT NULL END;
    IF v_everything THEN
      v_allowed := p_practices;
    ELSE
      IF p_practices IS NULL OR cardinality(p_practices) = 0 THEN
        v_allowed := ARRAY(SELECT x FROM public.user_practice_ids() x WHERE p_practices IS NULL OR x = ANY (p_practices));
      END IF;
      IF cardinality(v_allowed) = 0 THEN
        RETURN;
      END IF;
    END IF;
  END IF;
  v_practice := v_allowed[1];
  -- Not the common-terms path this function runs itself: search_index.rank() as before (the other
  -- rankings, several or all practices, the pg_stats view path).
  IF p_ranking IS DISTINCT FROM 'bm25' OR cardinality(v_allowed) IS DISTINCT FROM 1 OR v_practice IS NULL
     OR p_terms IS NULL OR cardinality(p_terms) = 0 OR p_limit IS NULL OR p_limit < 1
     OR NOT pg_catalog.has_table_privilege('pg_catalog.pg_statistic'::regclass, 'SELECT')
     OR coalesce(current_setting('mdw.search_stats_view', true), '') = 'on' THEN
    RETURN QUERY SELECT r.id, r.rank FROM search_index.rank(p_kind, p_terms, v_allowed, p_limit, p_ranking, p_k1, p_b) r;
    RETURN;
  END IF;
  -- 0117's prelude in one statement: the lexemes; the practice's partition (the one of the 32
  -- remainders whose hash constraint the practice satisfies; 0117 checked the names); ANALYZE's
  -- statistics of it (reltuples, the practice's and the kind's MCV frequency, the fts elements and
  -- their frequencies); n = reltuples * f(practice) * f(kind); per lexeme, its frequency among the
  -- fts elements (a word missing from the list is rarer than its least frequent entry) and, when it
  -- is common (>= mdw.search_common_freq, 0.1), its idf from df = f * n; the selective lexemes as a
  -- tsquery (quoted: already stemmed). n is NULL when the practice or the kind has no MCV entry.
  SELECT cardinality(q.lexemes), q.part, q.n,
         CASE WHEN q.n >= q.min_texts AND q.elems IS NOT NULL AND pg_catalog.array_position(q.idf, NULL) IS NOT NULL THEN
           pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.quote_literal(x.l) FROM unnest(q.lexemes, q.idf) AS x(l, i) WHERE x.i IS NULL), ' | ')::tsquery END,
         q.lexemes[1], q.lexemes[2], q.lexemes[3], q.lexemes[4], q.lexemes[5], q.lexemes[6], q.lexemes[7], q.lexemes[8],
         q.lexemes[9], q.lexemes[10], q.lexemes[11], q.lexemes[12], q.lexemes[13], q.lexemes[14], q.lexemes[15], q.lexemes[16],
         q.idf[1], q.idf[2], q.idf[3], q.idf[4], q.idf[5], q.idf[6], q.idf[7], q.idf[8],
         q.idf[9], q.idf[10], q.idf[11], q.idf[12], q.idf[13], q.idf[14], q.idf[15], q.idf[16]
    INTO v_count, v_part, v_n, v_query,
         l1, l2, l3, l4, l5, l6, l7, l8, l9, l10, l11, l12, l13, l14, l15, l16,
         i1, i2, i3, i4, i5, i6, i7, i8, i9, i10, i11, i12, i13, i14, i15, i16
    FROM (
      SELECT lx.lexemes, lx.part, lx.min_texts, st.n, st.elems,
             ARRAY(SELECT CASE WHEN f.f >= lx.common THEN ln(1 + (greatest(st.n, f.f * st.n) - f.f * st.n + 0.5) / (f.f * st.n + 0.5)) END
                     FROM unnest(lx.lexemes) WITH ORDINALITY AS x(l, o)
                     CROSS JOIN LATERAL (SELECT st.freqs[pg_catalog.array_position(st.elems, x.l)]::float8 AS f) f
                    ORDER BY x.o) AS idf
        FROM (SELECT pg_catalog.tsvector_to_array(pg_catalog.to_tsvector('english'::regconfig, pg_catalog.array_to_string(p_terms, ' '))) AS lexemes,
                     (SELECT pg_catalog.to_regclass('search_index.documents_p' || pg_catalog.lpad(g.rem::text, 2, '0'))::oid
                        FROM pg_catalog.generate_series(0, 31) g(rem)
                       WHERE pg_catalog.satisfies_hash_partition('search_index.documents'::regclass, 32, g.rem, v_practice)) AS part,
                     coalesce(nullif(current_setting('mdw.search_common_freq', true), '')::float8, 0.1) AS common,
                     coalesce(nullif(current_setting('mdw.search_common_min_texts', true), '')::float8, 2000) AS min_texts
              OFFSET 0) lx
        -- The partition's three statistics rows in one pass (no row: no statistics, n NULL).
        LEFT JOIN LATERAL (
          SELECT c.reltuples::float8
                 * max(CASE WHEN a.attname = 'practice_id' THEN (CASE 1 WHEN s.stakind1 THEN s.stanumbers1 WHEN s.stakind2 THEN s.stanumbers2 WHEN s.stakind3 THEN s.stanumbers3 WHEN s.stakind4 THEN s.stanumbers4 WHEN s.stakind5 THEN s.stanumbers5 END)[
                              pg_catalog.array_position((CASE 1 WHEN s.stakind1 THEN s.stavalues1 WHEN s.stakind2 THEN s.stavalues2 WHEN s.stakind3 THEN s.stavalues3 WHEN s.stakind4 THEN s.stavalues4 WHEN s.stakind5 THEN s.stavalues5 END)::text::text[], v_practice::text)] END)::float8
                 * max(CASE WHEN a.attname = 'kind' THEN (CASE 1 WHEN s.stakind1 THEN s.stanumbers1 WHEN s.stakind2 THEN s.stanumbers2 WHEN s.stakind3 THEN s.stanumbers3 WHEN s.stakind4 THEN s.stanumbers4 WHEN s.stakind5 THEN s.stanumbers5 END)[
                              pg_catalog.array_position((CASE 1 WHEN s.stakind1 THEN s.stavalues1 WHEN s.stakind2 THEN s.stavalues2 WHEN s.stakind3 THEN s.stavalues3 WHEN s.stakind4 THEN s.stavalues4 WHEN s.stakind5 THEN s.stavalues5 END)::text::text[], p_kind)] END)::float8 AS n,
                 max(CASE WHEN a.attname = 'fts' THEN (CASE 4 WHEN s.stakind1 THEN s.stavalues1 WHEN s.stakind2 THEN s.stavalues2 WHEN s.stakind3 THEN s.stavalues3 WHEN s.stakind4 THEN s.stavalues4 WHEN s.stakind5 THEN s.stavalues5 END)::text::text[] END) AS elems,
                 -- [:] a decompressed copy: read once per lexeme below, not decompressed once per lexeme.
                 max(CASE WHEN a.attname = 'fts' THEN (CASE 4 WHEN s.stakind1 THEN s.stanumbers1 WHEN s.stakind2 THEN s.stanumbers2 WHEN s.stakind3 THEN s.stanumbers3 WHEN s.stakind4 THEN s.stanumbers4 WHEN s.stakind5 THEN s.stanumbers5 END)[:] END) AS freqs
            FROM pg_catalog.pg_class c
            JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attname IN ('practice_id', 'kind', 'fts') AND NOT a.attisdropped
            JOIN pg_catalog.pg_statistic s ON s.starelid = c.oid AND s.staattnum = a.attnum AND NOT s.stainherit
           WHERE c.oid = lx.part
           GROUP BY c.reltuples
          OFFSET 0
        ) st ON true
      -- OFFSET 0: each level evaluated once, not once per reference (no subquery pull-up).
      OFFSET 0
    ) q;
  -- No partition of that name (0117 then scans for it), or more lexemes than the ranking
  -- statements hold: 0117's path.
  IF v_count > 16 OR (v_count > 0 AND v_part IS NULL) THEN
    RETURN QUERY SELECT r.id, r.rank FROM search_index.rank(p_kind, p_terms, v_allowed, p_limit, 'bm25', p_k1, p_b) r;
    RETURN;
  END IF;
  -- A query (selective words) for a large practice with statistics: BM25 by common terms.
  IF v_query IS NOT NULL AND v_count > 0 THEN
    CASE v_count
%2$s
    END CASE;
    IF FOUND THEN
      RETURN;
    END IF;
  END IF;
  -- Nothing ranked by common terms (a small practice, no statistics, no selective word, no
  -- candidate): every match ranked, as search_index.rank() did.
  RETURN QUERY SELECT r.id, r.rank FROM search_index.rank_exact(p_kind, p_terms, v_allowed, p_limit, 'bm25', p_k1, p_b) r;
END
$body$;
$f$, decl, branches);
END
$do$;

GRANT EXECUTE ON FUNCTION public.search_lexical_part_prelude(text, text[], uuid[], integer, text, double precision, double precision) TO authenticated;

DO $do$
DECLARE
  branches text := '';
  cols text;
  counts text;
  idfs text;
  score text;
  decl text := '';
  dfsum text;
  n integer;
  k integer;
BEGIN
  FOR k IN 1 .. 16 LOOP
    decl := decl || format(E'  l%1$s text;\n  i%1$s double precision;\n', k);
  END LOOP;
  FOR n IN 1 .. 16 LOOP
    cols := ''; counts := ''; idfs := ''; score := ''; dfsum := '';
    FOR k IN 1 .. n LOOP
      cols := cols || format(', (d.tf -> l%1$s)::int::float8 AS t%1$s', k);
      counts := counts || format(', count(m.t%1$s)::float8 AS df%1$s', k);
      idfs := idfs || format(', coalesce(i%1$s, ln(1 + (greatest(v_n, s.df%1$s) - s.df%1$s + 0.5) / (s.df%1$s + 0.5))) AS w%1$s', k);
      dfsum := dfsum || CASE WHEN k > 1 THEN ' + ' ELSE '' END || format('s.df%1$s', k);
      score := score || CASE WHEN k > 1 THEN ' + ' ELSE '' END
        || format('coalesce(x.w%1$s * x.t%1$s * v_k1p1 / (x.t%1$s + x.norm), 0)', k);
    END LOOP;
    branches := branches || format(
      E'      WHEN %5$s THEN\n'
      '        RETURN QUERY SELECT NULL::uuid, 0::float8;\n',
      cols, counts, idfs, score, n, dfsum);
  END LOOP;

  EXECUTE format($f$
CREATE OR REPLACE FUNCTION public.search_lexical_part_check(
  p_kind text,
  p_terms text[],
  p_practices uuid[] DEFAULT NULL,
  p_limit integer DEFAULT 50,
  p_ranking text DEFAULT 'bm25',
  p_k1 double precision DEFAULT 1.2,
  p_b double precision DEFAULT 0.75
)
RETURNS TABLE (id uuid, rank double precision)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = ''
-- The ranking statements below, parsed and planned once per session (0117's static statements).
SET plan_cache_mode = force_generic_plan
AS $body$
DECLARE
  v_role text;
  v_everything boolean;
  v_allowed uuid[];
  v_practice uuid;
  v_count integer;
  v_part oid;
  v_n double precision;
  v_query tsquery;
  v_k1p1 double precision := p_k1 + 1;
%1$s
BEGIN
  IF p_kind IS NULL OR p_kind NOT IN ('case', 'message', 'project', 'patient') THEN
    RETURN;
  END IF;
  -- v_role: the role the caller runs as, SET ROLE's, else the login's (SECURITY DEFINER changes
  -- only current_user). A role that bypasses RLS reads every row of the sources anyway.
  IF p_ranking = 'bm25_0117' THEN
    -- 0076's caller check and 0117's ranking as they were, for the side-by-side runs.
    v_role := CASE WHEN current_setting('role') = 'none' THEN session_user::text ELSE current_setting('role') END;
    v_everything := coalesce((SELECT r.rolsuper OR r.rolbypassrls FROM pg_catalog.pg_roles r WHERE r.rolname = v_role), false)
      OR coalesce(public.is_internal_admin(), false)
      OR (p_kind <> 'patient' AND public.lab_role() IS NOT NULL);
    IF v_everything THEN
      v_allowed := p_practices;
    ELSE
      v_allowed := ARRAY(SELECT x FROM public.user_practice_ids() x WHERE p_practices IS NULL OR x = ANY (p_practices));
      IF cardinality(v_allowed) = 0 THEN
        RETURN;
      END IF;
    END IF;
    RETURN QUERY SELECT r.id, r.rank FROM search_index.rank(p_kind, p_terms, v_allowed, p_limit, 'bm25', p_k1, p_b) r;
    RETURN;
  END IF;
  -- Who may read what (0076): a role that reads everything the practices named (all if none), any
  -- other caller those of them it is a member of. When the caller is a member of every practice
  -- named, in that order (search_page() names the practice a search asks for, ARRAY[p_practice]),
  -- both give the same array: the role need not be looked up.
  IF cardinality(p_practices) > 0 THEN
    v_allowed := ARRAY(SELECT x FROM public.user_practice_ids() x WHERE x = ANY (p_practices));
  END IF;
  IF cardinality(p_practices) > 0 AND v_allowed = p_practices THEN
    NULL;
  ELSE
    -- lab_role() is 'admin' for an internal admin (the same profiles row): for the kinds lab staff
    -- may read it alone answers "internal admin or lab staff" (one SECURITY DEFINER call, not two).
    v_role := CASE WHEN current_setting('role') = 'none' THEN session_user::text ELSE current_setting('role') END;
    v_everything := coalesce((SELECT r.rolsuper OR r.rolbypassrls FROM pg_catalog.pg_roles r WHERE r.rolname = v_role), false)
      OR CASE WHEN p_kind = 'patient' THEN coalesce(public.is_internal_admin(), false) ELSE public.lab_role() IS NOT NULL END;
    IF v_everything THEN
      v_allowed := p_practices;
    ELSE
      IF p_practices IS NULL OR cardinality(p_practices) = 0 THEN
        v_allowed := ARRAY(SELECT x FROM public.user_practice_ids() x WHERE p_practices IS NULL OR x = ANY (p_practices));
      END IF;
      IF cardinality(v_allowed) = 0 THEN
        RETURN;
      END IF;
    END IF;
  END IF;
  v_practice := v_allowed[1];
  RETURN QUERY SELECT NULL::uuid, 0::float8;
  RETURN;
  -- Not the common-terms path this function runs itself: search_index.rank() as before (the other
  -- rankings, several or all practices, the pg_stats view path).
  IF p_ranking IS DISTINCT FROM 'bm25' OR cardinality(v_allowed) IS DISTINCT FROM 1 OR v_practice IS NULL
     OR p_terms IS NULL OR cardinality(p_terms) = 0 OR p_limit IS NULL OR p_limit < 1
     OR NOT pg_catalog.has_table_privilege('pg_catalog.pg_statistic'::regclass, 'SELECT')
     OR coalesce(current_setting('mdw.search_stats_view', true), '') = 'on' THEN
    RETURN QUERY SELECT r.id, r.rank FROM search_index.rank(p_kind, p_terms, v_allowed, p_limit, p_ranking, p_k1, p_b) r;
    RETURN;
  END IF;
  -- 0117's prelude in one statement: the lexemes; the practice's partition (the one of the 32
  -- remainders whose hash constraint the practice satisfies; 0117 checked the names); ANALYZE's
  -- statistics of it (reltuples, the practice's and the kind's MCV frequency, the fts elements and
  -- their frequencies); n = reltuples * f(practice) * f(kind); per lexeme, its frequency among the
  -- fts elements (a word missing from the list is rarer than its least frequent entry) and, when it
  -- is common (>= mdw.search_common_freq, 0.1), its idf from df = f * n; the selective lexemes as a
  -- tsquery (quoted: already stemmed). n is NULL when the practice or the kind has no MCV entry.
  SELECT cardinality(q.lexemes), q.part, q.n,
         CASE WHEN q.n >= q.min_texts AND q.elems IS NOT NULL AND pg_catalog.array_position(q.idf, NULL) IS NOT NULL THEN
           pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.quote_literal(x.l) FROM unnest(q.lexemes, q.idf) AS x(l, i) WHERE x.i IS NULL), ' | ')::tsquery END,
         q.lexemes[1], q.lexemes[2], q.lexemes[3], q.lexemes[4], q.lexemes[5], q.lexemes[6], q.lexemes[7], q.lexemes[8],
         q.lexemes[9], q.lexemes[10], q.lexemes[11], q.lexemes[12], q.lexemes[13], q.lexemes[14], q.lexemes[15], q.lexemes[16],
         q.idf[1], q.idf[2], q.idf[3], q.idf[4], q.idf[5], q.idf[6], q.idf[7], q.idf[8],
         q.idf[9], q.idf[10], q.idf[11], q.idf[12], q.idf[13], q.idf[14], q.idf[15], q.idf[16]
    INTO v_count, v_part, v_n, v_query,
         l1, l2, l3, l4, l5, l6, l7, l8, l9, l10, l11, l12, l13, l14, l15, l16,
         i1, i2, i3, i4, i5, i6, i7, i8, i9, i10, i11, i12, i13, i14, i15, i16
    FROM (
      SELECT lx.lexemes, lx.part, lx.min_texts, st.n, st.elems,
             ARRAY(SELECT CASE WHEN f.f >= lx.common THEN ln(1 + (greatest(st.n, f.f * st.n) - f.f * st.n + 0.5) / (f.f * st.n + 0.5)) END
                     FROM unnest(lx.lexemes) WITH ORDINALITY AS x(l, o)
                     CROSS JOIN LATERAL (SELECT st.freqs[pg_catalog.array_position(st.elems, x.l)]::float8 AS f) f
                    ORDER BY x.o) AS idf
        FROM (SELECT pg_catalog.tsvector_to_array(pg_catalog.to_tsvector('english'::regconfig, pg_catalog.array_to_string(p_terms, ' '))) AS lexemes,
                     (SELECT pg_catalog.to_regclass('search_index.documents_p' || pg_catalog.lpad(g.rem::text, 2, '0'))::oid
                        FROM pg_catalog.generate_series(0, 31) g(rem)
                       WHERE pg_catalog.satisfies_hash_partition('search_index.documents'::regclass, 32, g.rem, v_practice)) AS part,
                     coalesce(nullif(current_setting('mdw.search_common_freq', true), '')::float8, 0.1) AS common,
                     coalesce(nullif(current_setting('mdw.search_common_min_texts', true), '')::float8, 2000) AS min_texts
              OFFSET 0) lx
        -- The partition's three statistics rows in one pass (no row: no statistics, n NULL).
        LEFT JOIN LATERAL (
          SELECT c.reltuples::float8
                 * max(CASE WHEN a.attname = 'practice_id' THEN (CASE 1 WHEN s.stakind1 THEN s.stanumbers1 WHEN s.stakind2 THEN s.stanumbers2 WHEN s.stakind3 THEN s.stanumbers3 WHEN s.stakind4 THEN s.stanumbers4 WHEN s.stakind5 THEN s.stanumbers5 END)[
                              pg_catalog.array_position((CASE 1 WHEN s.stakind1 THEN s.stavalues1 WHEN s.stakind2 THEN s.stavalues2 WHEN s.stakind3 THEN s.stavalues3 WHEN s.stakind4 THEN s.stavalues4 WHEN s.stakind5 THEN s.stavalues5 END)::text::text[], v_practice::text)] END)::float8
                 * max(CASE WHEN a.attname = 'kind' THEN (CASE 1 WHEN s.stakind1 THEN s.stanumbers1 WHEN s.stakind2 THEN s.stanumbers2 WHEN s.stakind3 THEN s.stanumbers3 WHEN s.stakind4 THEN s.stanumbers4 WHEN s.stakind5 THEN s.stanumbers5 END)[
                              pg_catalog.array_position((CASE 1 WHEN s.stakind1 THEN s.stavalues1 WHEN s.stakind2 THEN s.stavalues2 WHEN s.stakind3 THEN s.stavalues3 WHEN s.stakind4 THEN s.stavalues4 WHEN s.stakind5 THEN s.stavalues5 END)::text::text[], p_kind)] END)::float8 AS n,
                 max(CASE WHEN a.attname = 'fts' THEN (CASE 4 WHEN s.stakind1 THEN s.stavalues1 WHEN s.stakind2 THEN s.stavalues2 WHEN s.stakind3 THEN s.stavalues3 WHEN s.stakind4 THEN s.stavalues4 WHEN s.stakind5 THEN s.stavalues5 END)::text::text[] END) AS elems,
                 -- [:] a decompressed copy: read once per lexeme below, not decompressed once per lexeme.
                 max(CASE WHEN a.attname = 'fts' THEN (CASE 4 WHEN s.stakind1 THEN s.stanumbers1 WHEN s.stakind2 THEN s.stanumbers2 WHEN s.stakind3 THEN s.stanumbers3 WHEN s.stakind4 THEN s.stanumbers4 WHEN s.stakind5 THEN s.stanumbers5 END)[:] END) AS freqs
            FROM pg_catalog.pg_class c
            JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attname IN ('practice_id', 'kind', 'fts') AND NOT a.attisdropped
            JOIN pg_catalog.pg_statistic s ON s.starelid = c.oid AND s.staattnum = a.attnum AND NOT s.stainherit
           WHERE c.oid = lx.part
           GROUP BY c.reltuples
          OFFSET 0
        ) st ON true
      -- OFFSET 0: each level evaluated once, not once per reference (no subquery pull-up).
      OFFSET 0
    ) q;
  -- No partition of that name (0117 then scans for it), or more lexemes than the ranking
  -- statements hold: 0117's path.
  IF v_count > 16 OR (v_count > 0 AND v_part IS NULL) THEN
    RETURN QUERY SELECT r.id, r.rank FROM search_index.rank(p_kind, p_terms, v_allowed, p_limit, 'bm25', p_k1, p_b) r;
    RETURN;
  END IF;
  -- A query (selective words) for a large practice with statistics: BM25 by common terms.
  IF v_query IS NOT NULL AND v_count > 0 THEN
    CASE v_count
%2$s
    END CASE;
    IF FOUND THEN
      RETURN;
    END IF;
  END IF;
  -- Nothing ranked by common terms (a small practice, no statistics, no selective word, no
  -- candidate): every match ranked, as search_index.rank() did.
  RETURN QUERY SELECT r.id, r.rank FROM search_index.rank_exact(p_kind, p_terms, v_allowed, p_limit, 'bm25', p_k1, p_b) r;
END
$body$;
$f$, decl, branches);
END
$do$;

GRANT EXECUTE ON FUNCTION public.search_lexical_part_check(text, text[], uuid[], integer, text, double precision, double precision) TO authenticated;
