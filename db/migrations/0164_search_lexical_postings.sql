-- The lexical leg's ranking from search_index.postings (0160) instead of the documents' heap and
-- their jsonb tf: the same ids and float8 ranks (issue 10 §3 "Speed"; bench/SEARCH.md, session 12,
-- s-postings).
--
-- Why. 0133's ranking statement (the common-terms path: one practice, one kind, <= 16 lexemes) read
-- its candidates by the GIN (practice_id, fts) bitmap and the heap (~873 rows at 1M, ~1 ms) and
-- probed each one's jsonb tf once per query lexeme (~6,000 probes, 78 % misses, ~1 ms). The postings
-- hold exactly the (text, lexeme, tf, dl) rows the ranking scores, in the primary key's leaf pages
-- (INCLUDE (tf, dl)): an index-only scan of each query lexeme's range gives them.
--
-- What.
--   * search_index.rank_postings_<n>(practice, kind, lexemes, idfs, n, limit, k1, b), n = 1..16: one
--     LANGUAGE sql statement each (not STRICT, no SET, no SECURITY DEFINER: the planner inlines it
--     into the caller's statement, planned once per session under search_lexical()'s
--     force_generic_plan). idfs[k] is the common lexeme's idf, NULL for a selective one (0133's i<k>).
--     - m: every query lexeme's postings of the practice and kind (one index-only range per lexeme,
--       the lexeme's ordinal o from unnest … WITH ORDINALITY), grouped into one row per text: its dl
--       and its tfs packed into bigints, 9 bits per lexeme, 7 lexemes per word (bit_or of
--       tf << 9 * ((o - 1) % 7); the fields are disjoint, so the aggregate is exact in any order), one
--       aggregate per posting row (a pivot with one FILTER per lexeme costs n comparisons per row:
--       slower than 0133, bench/SEARCH.md). HAVING keeps the candidates, the texts with a selective
--       lexeme (a field of the mask of the lexemes whose idf is NULL is set), as 0133's
--       `fts @@ v_query` (the tsquery of the selective lexemes); t<k> unpacked, NULL where the text
--       lacks lexeme k (as 0133's jsonb `->` gave NULL). The common lexemes' postings of
--       non-candidates are read and dropped: reading a common lexeme's whole range costs less than
--       probing it once per candidate, or hash-joining it to the candidates (bench/SEARCH.md).
--     - s, w and the final SELECT are 0133's text: avgdl = avg(dl::float8) over the candidates (dl
--       integers: the float8 sum is exact in any order), df<k> = count(t<k>) among them, the weight
--       coalesce(idf, ln(1 + (greatest(n, df) - df + 0.5) / (df + 0.5))), the score as the sum of
--       the same terms in lexeme order (k1 + 1 computed once, as 0133's v_k1p1), ORDER BY rank
--       DESC, id LIMIT p_limit.
--   * public.search_lexical(): 0133's function (replaced in place, same signature and grants) with
--     one change, in the DO block that writes it: each generated CASE branch `WHEN <n> THEN` is
--     `RETURN QUERY SELECT r.id, r.rank FROM search_index.rank_postings_<n>(v_practice, p_kind,
--     ARRAY[l1, …, l<n>], ARRAY[i1, …, i<n>]::float8[], v_n, p_limit, p_k1, p_b) r;` instead of
--     0133's WITH m … statement over search_index.documents. In 0133's text: its generator loop
--     (lines 69-87: `FOR n IN 1 .. 16 LOOP` … `END LOOP;`) is replaced by the one below, and the
--     DECLAREd `counts` and `score` (lines 59, 61) are gone. The prelude, the caller check, the
--     fallbacks (search_index.rank(), rank_exact()) and everything else are 0133's, byte for byte;
--     v_query still decides whether there is a selective word (`v_query IS NOT NULL`).
-- Postings and documents agree for every text whose tf is given (0160's triggers; 0102 fills tf for
-- every writer): candidates, dl and tfs are the same rows 0133 read. FOUND is false exactly when
-- 0133's statement returned nothing (no candidate), and then rank_exact() ranks, as before.
--
-- Measured (100k x 10 copy, one at a time, 0133 side by side; bench/SEARCH.md session 12): the
-- production search 6.05 -> 5.30 and 5.85 -> 4.78 ms of backend CPU (search-page-ab, 0 of 100 pages
-- differ); search_lexical() 0.5-0.9 ms less per call in six runs (search-lexical-cpu, 0 lists differ).
--
-- Idempotent (CREATE OR REPLACE).

-- search_index.rank_postings_1 .. _16 (what each statement does: the header above).
DO $do$
DECLARE
  n integer;
  k integer;
  words integer;   -- bigints of packed tfs: 7 lexemes of 9 bits each
  word text[];     -- word k: the aggregate packing lexemes 7k-6 .. 7k of a text
  cand text;       -- a selective lexeme's field is set in some word
  cols text;
  counts text;
  idfs text;
  score text;
BEGIN
  FOR n IN 1 .. 16 LOOP
    words := (n + 6) / 7;
    word := '{}'; cand := ''; cols := ''; counts := ''; idfs := ''; score := '';
    FOR k IN 1 .. words LOOP
      -- 9 bits hold a tf: a tsvector keeps at most 256 positions of a lexeme (tf is their count, or
      -- 1 for a stripped lexeme). A text has one posting per lexeme: the fields never overlap.
      word := word || format('bit_or(p.tf::int8 << (9 * ((q.o - 1) %% 7))::int4)%s',
                             CASE WHEN words > 1 THEN format(' FILTER (WHERE (q.o - 1) / 7 = %s)', k - 1) ELSE '' END);
      -- The mask of the selective lexemes' fields in word k (an InitPlan: once per statement).
      cand := cand || format('%s(%s & (SELECT bit_or(511::int8 << (9 * ((x.o - 1) %% 7))::int4) FILTER (WHERE x.i IS NULL AND (x.o - 1) / 7 = %s)'
                             ' FROM unnest(p_idf) WITH ORDINALITY AS x(i, o))) <> 0',
                             CASE WHEN k > 1 THEN ' OR ' ELSE '' END, word[k], k - 1);
    END LOOP;
    FOR k IN 1 .. n LOOP
      cols := cols || format(', NULLIF((%s >> %s) & 511, 0)::float8 AS t%s', word[(k - 1) / 7 + 1], 9 * ((k - 1) % 7), k);
      counts := counts || format(', count(m.t%1$s)::float8 AS df%1$s', k);
      idfs := idfs || format(', coalesce(p_idf[%1$s], ln(1 + (greatest(p_n, s.df%1$s) - s.df%1$s + 0.5) / (s.df%1$s + 0.5))) AS w%1$s', k);
      score := score || CASE WHEN k > 1 THEN ' + ' ELSE '' END
        || format('coalesce(x.w%1$s * x.t%1$s * x.k1p1 / (x.t%1$s + x.norm), 0)', k);
    END LOOP;
    -- The same aggregate written twice (HAVING, select list) is computed once per group.
    EXECUTE format($f$
CREATE OR REPLACE FUNCTION search_index.rank_postings_%1$s(
  p_practice uuid, p_kind text, p_lexemes text[], p_idf double precision[], p_n double precision,
  p_limit integer, p_k1 double precision, p_b double precision)
RETURNS TABLE (id uuid, rank double precision)
LANGUAGE sql STABLE
AS $body$
  WITH m AS MATERIALIZED (
    SELECT p.id, max(p.dl)::float8 AS dl %2$s
      FROM unnest(p_lexemes) WITH ORDINALITY AS q(l, o)
      JOIN search_index.postings p ON p.practice_id = p_practice AND p.kind = p_kind AND p.lexeme = q.l
     GROUP BY p.id
    HAVING %3$s
  ), s AS (SELECT greatest(avg(m.dl), 1)::float8 AS avgdl %4$s FROM m),
  w AS MATERIALIZED (SELECT s.avgdl, p_k1 + 1 AS k1p1 %5$s FROM s)
  SELECT x.id, (%6$s)::float8 AS rank
    FROM (SELECT m.*, w.*, p_k1 * (1 - p_b + p_b * m.dl / w.avgdl) AS norm FROM m, w OFFSET 0) x
   ORDER BY 2 DESC, 1 LIMIT p_limit
$body$;
$f$, n, cols, cand, counts, idfs, score);
    EXECUTE format('REVOKE EXECUTE ON FUNCTION search_index.rank_postings_%s(uuid, text, text[], double precision[], double precision, integer, double precision, double precision) FROM PUBLIC', n);
  END LOOP;
END
$do$;

DO $do$
DECLARE
  branches text := '';
  cols text;
  idfs text;
  decl text := '';
  n integer;
  k integer;
BEGIN
  FOR k IN 1 .. 16 LOOP
    decl := decl || format(E'  l%1$s text;\n  i%1$s double precision;\n', k);
  END LOOP;
  FOR n IN 1 .. 16 LOOP
    -- 0164: the ranking statement is search_index.rank_postings_<n>() (inlined into this one: a
    -- LANGUAGE sql function), given the lexemes and their idfs (NULL: selective) in lexeme order.
    cols := ''; idfs := '';
    FOR k IN 1 .. n LOOP
      cols := cols || CASE WHEN k > 1 THEN ', ' ELSE '' END || format('l%1$s', k);
      idfs := idfs || CASE WHEN k > 1 THEN ', ' ELSE '' END || format('i%1$s', k);
    END LOOP;
    branches := branches || format(
      E'      WHEN %3$s THEN\n'
      '        RETURN QUERY SELECT r.id, r.rank FROM search_index.rank_postings_%3$s(v_practice, p_kind,\n'
      '          ARRAY[%1$s], ARRAY[%2$s]::float8[], v_n, p_limit, p_k1, p_b) r;\n',
      cols, idfs, n);
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
REVOKE EXECUTE ON FUNCTION public.search_lexical(text, text[], uuid[], integer, text, double precision, double precision) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.search_lexical(text, text[], uuid[], integer, text, double precision, double precision) TO authenticated, service_role;
