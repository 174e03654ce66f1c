-- search_lexical()'s prelude without decoding pg_statistic on every search, the same ranks bit for
-- bit (issue 10 §3 "Speed": GET /search at 1M messages; bench/SEARCH.md, session 12, s-prelude).
--
-- Why. 0133's prelude statement (0.45-0.50 ms of backend CPU per search at 1M, session 11) reads the
-- practice's partition's three pg_statistic rows and turns its fts most_common_elems (~1,000 lexemes,
-- anyarray) into text and back into text[] (array_out, array_in), then finds each query lexeme in
-- it with array_position (a linear scan). ANALYZE changes those rows; searches only read them.
--
-- What.
--   * search_index.lexical_stats (one row per partition of search_index.documents) and
--     search_index.lexical_stats_elems (partition, lexeme -> frequency): exactly the numbers the
--     prelude uses, as pg_statistic holds them (float4): pg_class.reltuples, the practice_id and kind
--     MCV lists and frequencies, the fts MCELEM lexemes and frequencies (the first position of a
--     lexeme, as array_position finds it), and the identity (xmin, ctid) of the pg_statistic rows
--     they were read from.
--   * search_index.lexical_prelude(kind, terms, practice): 0133's prelude statement as an inlinable
--     SQL function (it runs inside search_lexical()'s statement, as its owner). It uses the copy only
--     while it is provably current: the partition's reltuples equal the copy's and its three
--     pg_statistic rows (found by column name, as 0133) are the same tuple versions (xmin, ctid; a row
--     ANALYZE rewrites is a new version, a dropped statistic no row). Otherwise it computes exactly
--     as 0133 (the live statement below is 0133's, gated so it runs only then). Both give the same
--     float8 numbers: the same float4 values, the same casts and operations in the same order.
--   * search_index.refresh_lexical_stats(): rebuilds the copy of every partition whose statistics
--     changed (returns how many). Nothing on the read path writes: the worker calls it on a
--     Temporal Schedule, the bench fixture paths after ANALYZE. A stale copy costs a search 0133's
--     prelude, never a wrong idf.
--   * public.search_lexical(): 0133's definition with its prelude statement's FROM replaced by
--     search_index.lexical_prelude() (the rest of the function is 0133's text, unchanged).
--
-- Idempotent.

CREATE TABLE IF NOT EXISTS search_index.lexical_stats (
  part oid PRIMARY KEY,
  -- pg_class.reltuples when copied; pg_statistic rows' identity 'attname xmin ctid', by attname.
  reltuples real NOT NULL,
  stats_rows text NOT NULL,
  practice_ids uuid[],
  practice_freqs real[],
  kinds text[],
  kind_freqs real[],
  has_elems boolean NOT NULL,
  copied_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS search_index.lexical_stats_elems (
  part oid NOT NULL,
  lexeme text NOT NULL,
  freq real,
  PRIMARY KEY (part, lexeme)
);
REVOKE ALL ON search_index.lexical_stats, search_index.lexical_stats_elems FROM PUBLIC;

-- The identity of a partition's three statistics rows as the prelude compares it: one text, in
-- attname order, of the rows that exist (none: '').
CREATE OR REPLACE FUNCTION search_index.lexical_stats_rows(p_part oid)
RETURNS text
LANGUAGE sql STABLE
AS $$
  SELECT coalesce(pg_catalog.string_agg(a.attname::text || ' ' || s.xmin::text || ' ' || s.ctid::text, ',' ORDER BY a.attname), '')
    FROM pg_catalog.pg_attribute a
    JOIN pg_catalog.pg_statistic s ON s.starelid = a.attrelid AND s.staattnum = a.attnum AND NOT s.stainherit
   WHERE a.attrelid = p_part AND a.attname IN ('practice_id', 'kind', 'fts') AND NOT a.attisdropped
$$;
REVOKE EXECUTE ON FUNCTION search_index.lexical_stats_rows(oid) FROM PUBLIC;

CREATE OR REPLACE FUNCTION search_index.refresh_lexical_stats()
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = ''
AS $$
DECLARE
  r record;
  v_done integer := 0;
BEGIN
  -- The prelude reads pg_statistic only as a role that may (0133): nothing to copy otherwise.
  IF NOT pg_catalog.has_table_privilege('pg_catalog.pg_statistic'::regclass, 'SELECT') THEN
    RETURN 0;
  END IF;
  -- One refresh at a time (two would insert the same keys); searches never wait for it.
  PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('search_index.refresh_lexical_stats'));
  DELETE FROM search_index.lexical_stats ls
   WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits h WHERE h.inhparent = 'search_index.documents'::regclass AND h.inhrelid = ls.part);
  DELETE FROM search_index.lexical_stats_elems e
   WHERE NOT EXISTS (SELECT 1 FROM search_index.lexical_stats ls WHERE ls.part = e.part);
  FOR r IN
    SELECT h.inhrelid AS part, c.reltuples, search_index.lexical_stats_rows(h.inhrelid) AS stats_rows
      FROM pg_catalog.pg_inherits h JOIN pg_catalog.pg_class c ON c.oid = h.inhrelid
     WHERE h.inhparent = 'search_index.documents'::regclass
  LOOP
    CONTINUE WHEN EXISTS (SELECT 1 FROM search_index.lexical_stats ls
                           WHERE ls.part = r.part AND ls.reltuples = r.reltuples AND ls.stats_rows = r.stats_rows);
    DELETE FROM search_index.lexical_stats WHERE part = r.part;
    DELETE FROM search_index.lexical_stats_elems WHERE part = r.part;
    -- The same expressions as 0133's prelude (the MCV slot, kind 1; the MCELEM slot, kind 4; the
    -- values through text), read in the same snapshot as the rows' identity below.
    INSERT INTO search_index.lexical_stats (part, reltuples, stats_rows, practice_ids, practice_freqs, kinds, kind_freqs, has_elems)
    SELECT r.part, (SELECT c.reltuples FROM pg_catalog.pg_class c WHERE c.oid = r.part), search_index.lexical_stats_rows(r.part),
           max(CASE WHEN a.attname = 'practice_id' THEN (CASE 1 WHEN s.stakind1 THEN s.stavalues1 WHEN s.stakind2 THEN s.stavalues2 WHEN s.stakind3 THEN s.stavalues3 WHEN s.stakind4 THEN s.stavalues4 WHEN s.stakind5 THEN s.stavalues5 END)::text END)::uuid[],
           max(CASE WHEN a.attname = 'practice_id' THEN (CASE 1 WHEN s.stakind1 THEN s.stanumbers1 WHEN s.stakind2 THEN s.stanumbers2 WHEN s.stakind3 THEN s.stanumbers3 WHEN s.stakind4 THEN s.stanumbers4 WHEN s.stakind5 THEN s.stanumbers5 END) END),
           max(CASE WHEN a.attname = 'kind' THEN (CASE 1 WHEN s.stakind1 THEN s.stavalues1 WHEN s.stakind2 THEN s.stavalues2 WHEN s.stakind3 THEN s.stavalues3 WHEN s.stakind4 THEN s.stavalues4 WHEN s.stakind5 THEN s.stavalues5 END)::text END)::text[],
           max(CASE WHEN a.attname = 'kind' THEN (CASE 1 WHEN s.stakind1 THEN s.stanumbers1 WHEN s.stakind2 THEN s.stanumbers2 WHEN s.stakind3 THEN s.stanumbers3 WHEN s.stakind4 THEN s.stanumbers4 WHEN s.stakind5 THEN s.stanumbers5 END) END),
           max(CASE WHEN a.attname = 'fts' THEN (CASE 4 WHEN s.stakind1 THEN s.stavalues1 WHEN s.stakind2 THEN s.stavalues2 WHEN s.stakind3 THEN s.stavalues3 WHEN s.stakind4 THEN s.stavalues4 WHEN s.stakind5 THEN s.stavalues5 END)::text END) IS NOT NULL
      FROM pg_catalog.pg_attribute a
      LEFT JOIN pg_catalog.pg_statistic s ON s.starelid = a.attrelid AND s.staattnum = a.attnum AND NOT s.stainherit
     WHERE a.attrelid = r.part AND a.attname IN ('practice_id', 'kind', 'fts') AND NOT a.attisdropped;
    INSERT INTO search_index.lexical_stats_elems (part, lexeme, freq)
    SELECT DISTINCT ON (x.l) r.part, x.l, x.f
      FROM pg_catalog.pg_attribute a
      JOIN pg_catalog.pg_statistic s ON s.starelid = a.attrelid AND s.staattnum = a.attnum AND NOT s.stainherit
     CROSS JOIN LATERAL (
       SELECT (CASE 4 WHEN s.stakind1 THEN s.stavalues1 WHEN s.stakind2 THEN s.stavalues2 WHEN s.stakind3 THEN s.stavalues3 WHEN s.stakind4 THEN s.stavalues4 WHEN s.stakind5 THEN s.stavalues5 END)::text::text[] AS elems,
              (CASE 4 WHEN s.stakind1 THEN s.stanumbers1 WHEN s.stakind2 THEN s.stanumbers2 WHEN s.stakind3 THEN s.stanumbers3 WHEN s.stakind4 THEN s.stanumbers4 WHEN s.stakind5 THEN s.stanumbers5 END) AS freqs
     ) m
     CROSS JOIN LATERAL (SELECT e.l, m.freqs[e.o] AS f, e.o FROM unnest(m.elems) WITH ORDINALITY AS e(l, o)) x
     WHERE a.attrelid = r.part AND a.attname = 'fts' AND NOT a.attisdropped AND m.elems IS NOT NULL
     -- array_position finds a lexeme's first position.
     ORDER BY x.l, x.o;
    v_done := v_done + 1;
  END LOOP;
  RETURN v_done;
END
$$;
REVOKE EXECUTE ON FUNCTION search_index.refresh_lexical_stats() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION search_index.refresh_lexical_stats() TO service_role;
-- (Each statement above reads its own snapshot: an ANALYZE that commits between the two INSERTs
-- leaves a copy whose stats_rows no longer match the live rows, so it is never used.)

-- 0133's prelude statement as it was (reading pg_statistic): the path without a current copy. Not
-- inlined (SET search_path), so a search that has a current copy never plans or starts it.
CREATE OR REPLACE FUNCTION search_index.lexical_prelude_live(p_kind text, p_terms text[], p_practice uuid)
RETURNS TABLE (lexemes text[], part oid, n double precision, query tsquery, idf double precision[])
LANGUAGE sql STABLE SET search_path = ''
AS $$
  SELECT q.lexemes, q.part, q.n,
         CASE WHEN q.n >= q.min_texts AND q.elems IS NOT NULL AND pg_catalog.array_position(q.idf, NULL) IS NOT NULL THEN
           pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.quote_literal(x.l) FROM unnest(q.lexemes, q.idf) AS x(l, i) WHERE x.i IS NULL), ' | ')::tsquery END,
         q.idf
    FROM (
      SELECT lx.lexemes, lx.part, lx.min_texts, st.n, st.elems,
             ARRAY(SELECT CASE WHEN f.f >= lx.common THEN ln(1 + (greatest(st.n, f.f * st.n) - f.f * st.n + 0.5) / (f.f * st.n + 0.5)) END
                     FROM unnest(lx.lexemes) WITH ORDINALITY AS x(l, o)
                     CROSS JOIN LATERAL (SELECT st.freqs[pg_catalog.array_position(st.elems, x.l)]::float8 AS f) f
                    ORDER BY x.o) AS idf
        FROM (SELECT pg_catalog.tsvector_to_array(pg_catalog.to_tsvector('english'::regconfig, pg_catalog.array_to_string(p_terms, ' '))) AS lexemes,
                     (SELECT pg_catalog.to_regclass('search_index.documents_p' || pg_catalog.lpad(g.rem::text, 2, '0'))::oid
                        FROM pg_catalog.generate_series(0, 31) g(rem)
                       WHERE pg_catalog.satisfies_hash_partition('search_index.documents'::regclass, 32, g.rem, p_practice)) AS part,
                     coalesce(nullif(current_setting('mdw.search_common_freq', true), '')::float8, 0.1) AS common,
                     coalesce(nullif(current_setting('mdw.search_common_min_texts', true), '')::float8, 2000) AS min_texts
              OFFSET 0) lx
        -- The partition's three statistics rows in one pass (no row: no statistics, n NULL).
        LEFT JOIN LATERAL (
          SELECT c.reltuples::float8
                 * max(CASE WHEN a.attname = 'practice_id' THEN (CASE 1 WHEN s.stakind1 THEN s.stanumbers1 WHEN s.stakind2 THEN s.stanumbers2 WHEN s.stakind3 THEN s.stanumbers3 WHEN s.stakind4 THEN s.stanumbers4 WHEN s.stakind5 THEN s.stanumbers5 END)[
                              pg_catalog.array_position((CASE 1 WHEN s.stakind1 THEN s.stavalues1 WHEN s.stakind2 THEN s.stavalues2 WHEN s.stakind3 THEN s.stavalues3 WHEN s.stakind4 THEN s.stavalues4 WHEN s.stakind5 THEN s.stavalues5 END)::text::text[], p_practice::text)] END)::float8
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
    ) q
$$;
REVOKE EXECUTE ON FUNCTION search_index.lexical_prelude_live(text, text[], uuid) FROM PUBLIC;

-- search_lexical()'s prelude (0133's statement, since 0168 in this function). One row: the query's
-- lexemes (tsvector_to_array() of the terms), the practice's partition, n (reltuples x the practice's
-- x the kind's MCV frequency), the tsquery of the selective lexemes (NULL: rank every match), each
-- lexeme's idf if it is common (NULL if selective). From the copy when it is current, with the same
-- float4 values, casts and float8 operations in the same order as 0133; otherwise
-- lexical_prelude_live(), which is 0133's statement. LANGUAGE sql, STABLE, no SET, not SECURITY
-- DEFINER: planned inline in search_lexical()'s statement, as its owner (who alone may execute it).
CREATE OR REPLACE FUNCTION search_index.lexical_prelude(p_kind text, p_terms text[], p_practice uuid)
RETURNS TABLE (lexemes text[], part oid, n double precision, query tsquery, idf double precision[])
LANGUAGE sql STABLE
AS $$
  SELECT CASE WHEN q.copied THEN q.lexemes ELSE lv.lexemes END,
         CASE WHEN q.copied THEN q.part ELSE lv.part END,
         CASE WHEN q.copied THEN q.n ELSE lv.n END,
         CASE WHEN q.copied THEN
           CASE WHEN q.n >= q.min_texts AND q.has_elems AND pg_catalog.array_position(q.idf, NULL) IS NOT NULL THEN
             pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.quote_literal(x.l) FROM unnest(q.lexemes, q.idf) AS x(l, i) WHERE x.i IS NULL), ' | ')::tsquery END
         ELSE lv.query END,
         CASE WHEN q.copied THEN q.idf ELSE lv.idf END
    FROM (
      SELECT cq.*,
             CASE WHEN cq.copied THEN
               ARRAY(SELECT CASE WHEN e.freq::float8 >= cq.common THEN ln(1 + (greatest(cq.n, e.freq::float8 * cq.n) - e.freq::float8 * cq.n + 0.5) / (e.freq::float8 * cq.n + 0.5)) END
                       FROM unnest(cq.lexemes) WITH ORDINALITY AS x(l, o)
                       LEFT JOIN search_index.lexical_stats_elems e ON e.part = cq.part AND e.lexeme = x.l
                      ORDER BY x.o) END AS idf
        FROM (
          SELECT lx.lexemes, lx.part, lx.common, lx.min_texts, cp.part IS NOT NULL AS copied, cp.n, cp.has_elems
            FROM (SELECT pg_catalog.tsvector_to_array(pg_catalog.to_tsvector('english'::regconfig, pg_catalog.array_to_string(p_terms, ' '))) AS lexemes,
                         (SELECT pg_catalog.to_regclass('search_index.documents_p' || pg_catalog.lpad(g.rem::text, 2, '0'))::oid
                            FROM pg_catalog.generate_series(0, 31) g(rem)
                           WHERE pg_catalog.satisfies_hash_partition('search_index.documents'::regclass, 32, g.rem, p_practice)) AS part,
                         coalesce(nullif(current_setting('mdw.search_common_freq', true), '')::float8, 0.1) AS common,
                         coalesce(nullif(current_setting('mdw.search_common_min_texts', true), '')::float8, 2000) AS min_texts
                  OFFSET 0) lx
            -- The copy, if it is current: the same reltuples, the same pg_statistic tuple versions.
            LEFT JOIN LATERAL (
              SELECT ls.part,
                     ls.reltuples::float8
                     * (ls.practice_freqs[pg_catalog.array_position(ls.practice_ids, p_practice)])::float8
                     * (ls.kind_freqs[pg_catalog.array_position(ls.kinds, p_kind)])::float8 AS n,
                     ls.has_elems
                FROM search_index.lexical_stats ls
               WHERE ls.part = lx.part
                 AND ls.reltuples = (SELECT c.reltuples FROM pg_catalog.pg_class c WHERE c.oid = lx.part)
                 AND ls.stats_rows = (
                   SELECT coalesce(pg_catalog.string_agg(a.attname::text || ' ' || s.xmin::text || ' ' || s.ctid::text, ',' ORDER BY a.attname), '')
                     FROM pg_catalog.pg_attribute a
                     JOIN pg_catalog.pg_statistic s ON s.starelid = a.attrelid AND s.staattnum = a.attnum AND NOT s.stainherit
                    WHERE a.attrelid = lx.part AND a.attname IN ('practice_id', 'kind', 'fts') AND NOT a.attisdropped)
              OFFSET 0
            ) cp ON true
          OFFSET 0) cq
      OFFSET 0
    ) q
    -- No current copy: 0133's statement (runs only then).
    -- (OFFSET 0 keeps the condition inside: a one-time filter before the call, not a join filter after it.)
    LEFT JOIN LATERAL (SELECT * FROM search_index.lexical_prelude_live(p_kind, p_terms, p_practice) WHERE NOT q.copied OFFSET 0) lv ON true
$$;
REVOKE EXECUTE ON FUNCTION search_index.lexical_prelude(text, text[], uuid) FROM PUBLIC;

-- public.search_lexical(): 0133's text with the prelude statement's FROM replaced (see above).
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
CREATE OR REPLACE FUNCTION public.search_lexical(
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
  -- 0117's prelude in one statement (0133's, in search_index.lexical_prelude() since 0168: there it
  -- reads a current copy of the partition's statistics instead of pg_statistic when it can).
  SELECT cardinality(q.lexemes), q.part, q.n, q.query,
         q.lexemes[1], q.lexemes[2], q.lexemes[3], q.lexemes[4], q.lexemes[5], q.lexemes[6], q.lexemes[7], q.lexemes[8],
         q.lexemes[9], q.lexemes[10], q.lexemes[11], q.lexemes[12], q.lexemes[13], q.lexemes[14], q.lexemes[15], q.lexemes[16],
         q.idf[1], q.idf[2], q.idf[3], q.idf[4], q.idf[5], q.idf[6], q.idf[7], q.idf[8],
         q.idf[9], q.idf[10], q.idf[11], q.idf[12], q.idf[13], q.idf[14], q.idf[15], q.idf[16]
    INTO v_count, v_part, v_n, v_query,
         l1, l2, l3, l4, l5, l6, l7, l8, l9, l10, l11, l12, l13, l14, l15, l16,
         i1, i2, i3, i4, i5, i6, i7, i8, i9, i10, i11, i12, i13, i14, i15, i16
    FROM search_index.lexical_prelude(p_kind, p_terms, v_practice) q;
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
REVOKE EXECUTE ON FUNCTION public.search_lexical(text, text[], uuid[], integer, text, double precision, double precision) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.search_lexical(text, text[], uuid[], integer, text, double precision, double precision) TO authenticated, service_role;
