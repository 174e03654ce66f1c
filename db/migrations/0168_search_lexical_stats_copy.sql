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
--     ANALYZE rewrites is a new version, a dropped statistic no row). Otherwise it calls
--     search_index.lexical_prelude_live(), 0133's statement (not inlined: a search with a current
--     copy neither plans nor starts it). Both give the same float8 numbers: the same float4 values,
--     the same casts and operations in the same order.
--   * search_index.refresh_lexical_stats(): rebuilds the copy of every partition whose statistics
--     changed (returns how many). Nothing on the read path writes: the worker calls it on a
--     Temporal Schedule, the bench fixture paths after ANALYZE. A stale copy costs a search 0133's
--     prelude, never a wrong idf.
--   * public.search_lexical(): its prelude statement (0133's) replaced by one that reads
--     search_index.lexical_prelude(), patched into the current definition (the rest unchanged).
--
-- Measured (bench/SEARCH.md, session 12, s-prelude; 100k x 10 copy): search_lexical() 2.83 vs 3.13
-- ms backend CPU per call (0133), production searches 0.3-1.0 ms less backend CPU (search-page-ab,
-- load ~8), 0 of 1,152 candidate lists and 0 of 100 pages differ.
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


-- public.search_lexical(): its current definition (0133's, or a later one that kept 0133's prelude
-- statement, e.g. a new ranking statement) with that one statement replaced by a read of
-- search_index.lexical_prelude(). Patched in place rather than re-created from 0133's text, so that
-- an earlier migration that changed the function's other statements (keeping this one) is kept.
-- The statement must occur exactly once; already patched: nothing to do.
DO $do$
DECLARE
  fn constant regprocedure := 'public.search_lexical(text, text[], uuid[], integer, text, double precision, double precision)'::regprocedure;
  def text := pg_catalog.pg_get_functiondef(fn);
  v_old constant text := $old$  -- 0117's prelude in one statement: the lexemes; the practice's partition (the one of the 32
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
$old$;
  v_new constant text := $new$  -- 0117's prelude in one statement (0133's, in search_index.lexical_prelude() since 0168: there it
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
$new$;
BEGIN
  IF strpos(def, v_new) > 0 THEN
    RETURN;
  END IF;
  IF (length(def) - length(replace(def, v_old, ''))) / length(v_old) <> 1 THEN
    RAISE EXCEPTION 'db 0168: public.search_lexical() does not hold 0133''s prelude statement exactly once; combine this migration with the change that altered it';
  END IF;
  EXECUTE replace(def, v_old, v_new);
END
$do$;
REVOKE EXECUTE ON FUNCTION public.search_lexical(text, text[], uuid[], integer, text, double precision, double precision) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.search_lexical(text, text[], uuid[], integer, text, double precision, double precision) TO authenticated, service_role;
