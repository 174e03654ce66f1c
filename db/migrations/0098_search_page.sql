-- GET /search in one statement (issue 10 §3 "Speed": per-search overhead).
--
-- Why. A search was 7 statements in the caller's transaction (claims, scope, lexical leg, HNSW
-- settings, HNSW query, result rows, commit), each a round trip, parsed and planned afresh, with
-- the query vector sent twice as 384 numbers of text. bench:search-steps (bench/SEARCH.md) put the
-- round trips and planning at several ms of a ~33 ms search.
--
-- What. `public.search_page()` runs, in the caller's own transaction and under the caller's RLS
-- (SECURITY INVOKER: the embeddings and the rows shown are read as the caller, exactly as the
-- separate statements read them):
--   1. the scope of the semantic leg as search.repository.ts's searchScope() decided it: the
--      practice asked for, else the caller's practices (user_practice_ids()), or none (every
--      practice RLS lets the caller read) for internal admins and roles other than authenticated;
--   2. per kind, the lexical leg through public.search_lexical() (0076/0084: it decides the
--      caller's practices itself) and the semantic leg: the nearest chunks through the model's
--      partial HNSW index (model and dimensions are literals of a dynamic statement, so the
--      partial index matches and the practice filter prunes at planning time), best chunk per
--      text, LIMIT 1.2 × candidates and again with 2 × when duplicate chunks left the page short
--      (search.repository.ts SEMANTIC_OVERFETCH); hnsw.ef_search and iterative_scan are set by
--      the function's own SET clauses (restored when it returns, no separate statement);
--   3. with p_limit given, the weighted fusion of src/ai/fusion.ts (lexical rank / best rank ×
--      (1 - w) + min–max (or max) normalised similarity × w, ties by id) over every kind's
--      candidates, the first p_limit, and their rows from the source tables (as loadRows()):
--      a row RLS hides is absent, as before. Without p_limit (another fusion method, done in
--      TypeScript), every candidate of both legs, unfused and without rows.
-- The fused scores are computed with the same float8 operations in the same order as fuse(), so
-- the page is identical (test/ai/search-page.test.ts compares it with the separate statements').
-- Idempotent (function replaced).

CREATE OR REPLACE FUNCTION public.search_page(
  p_kinds text[],
  p_terms text[],
  p_practice uuid,
  p_model text,
  p_dims integer,
  p_vector text,
  p_candidates integer,
  p_overfetch double precision DEFAULT 1.2,
  p_ef_search integer DEFAULT 40,
  p_ranking text DEFAULT 'bm25',
  p_k1 double precision DEFAULT 1.2,
  p_b double precision DEFAULT 0.75,
  p_semantic_weight double precision DEFAULT 0.6,
  p_normalize text DEFAULT 'minmax',
  p_limit integer DEFAULT NULL
)
RETURNS TABLE (
  kind text,
  id uuid,
  score double precision,
  lexical_rank double precision,
  similarity double precision,
  chunk_text text,
  practice_id uuid,
  case_id uuid,
  title text,
  body text,
  created_at timestamptz
)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
-- pgvector's types and operators live in public (the HNSW index's expression names them).
SET search_path = pg_catalog, public
SET hnsw.iterative_scan = 'relaxed_order'
SET hnsw.ef_search = 40
AS $$
DECLARE
  v_scope uuid[];
  v_everything boolean;
  v_kind text;
  v_table text;
  v_fk text;
  v_filter text;
  v_sql text;
  v_first integer;
  v_fetched integer;
  v_lex_kind text[] := '{}';
  v_lex_id uuid[] := '{}';
  v_lex_rank double precision[] := '{}';
  v_sem_kind text[] := '{}';
  v_sem_id uuid[] := '{}';
  v_sem_sim double precision[] := '{}';
  v_sem_chunk text[] := '{}';
  v_ids uuid[];
  v_sims double precision[];
  v_chunks text[];
BEGIN
  IF p_kinds IS NULL OR cardinality(p_kinds) = 0 OR p_candidates IS NULL OR p_candidates < 1 THEN
    RETURN;
  END IF;
  IF p_ef_search IS NOT NULL AND p_ef_search <> 40 THEN
    -- Local to the transaction, but the function's SET clause restores 40 when it returns.
    PERFORM pg_catalog.set_config('hnsw.ef_search', p_ef_search::text, true);
  END IF;
  -- The semantic leg's practices (searchScope()): named besides RLS so that partitions are pruned.
  IF p_practice IS NOT NULL THEN
    v_scope := ARRAY[p_practice];
  ELSE
    v_everything := current_user <> 'authenticated' OR coalesce((SELECT public.is_internal_admin()), false);
    IF NOT v_everything THEN
      v_scope := ARRAY(SELECT public.user_practice_ids());
    END IF;
  END IF;
  v_filter := CASE
    WHEN v_scope IS NULL THEN ''
    WHEN cardinality(v_scope) = 1 THEN format('AND e.practice_id = %L::uuid', v_scope[1])
    ELSE format('AND e.practice_id = ANY (%L::uuid[])', v_scope) END;

  FOREACH v_kind IN ARRAY p_kinds LOOP
    CASE v_kind
      WHEN 'case' THEN v_table := 'case_embeddings'; v_fk := 'case_id';
      WHEN 'message' THEN v_table := 'message_embeddings'; v_fk := 'message_id';
      WHEN 'project' THEN v_table := 'project_embeddings'; v_fk := 'project_id';
      WHEN 'patient' THEN v_table := 'patient_embeddings'; v_fk := 'patient_id';
      ELSE RAISE EXCEPTION 'unknown search kind %', v_kind USING ERRCODE = '22023';
    END CASE;
    -- Lexical leg (no words: no leg, as lexicalLeg() does without a call).
    IF p_terms IS NOT NULL AND cardinality(p_terms) > 0 THEN
      SELECT coalesce(array_agg(l.id ORDER BY l.rank DESC, l.id), '{}'), coalesce(array_agg(l.rank ORDER BY l.rank DESC, l.id), '{}')
        INTO v_ids, v_sims
        FROM public.search_lexical(v_kind, p_terms, CASE WHEN p_practice IS NULL THEN NULL ELSE ARRAY[p_practice] END, p_candidates, p_ranking, p_k1, p_b) l;
      v_lex_kind := v_lex_kind || array_fill(v_kind, ARRAY[cardinality(v_ids)]);
      v_lex_id := v_lex_id || v_ids;
      v_lex_rank := v_lex_rank || v_sims;
    END IF;
    -- Semantic leg (no vector: the provider is down or no model is active).
    IF p_vector IS NOT NULL AND p_model IS NOT NULL AND (v_scope IS NULL OR cardinality(v_scope) > 0) THEN
      v_sql := format(
        'WITH nearest AS MATERIALIZED (
           SELECT e.%1$I AS id, e.content_text, e.embedding::halfvec(%2$s) <=> $1::halfvec(%2$s) AS distance
             FROM public.%3$I e
            WHERE e.model = %4$L %5$s
            ORDER BY e.embedding::halfvec(%2$s) <=> $1::halfvec(%2$s)
            LIMIT $2
         ), best AS (
           SELECT DISTINCT ON (n.id) n.id, 1 - n.distance AS similarity, n.content_text FROM nearest n ORDER BY n.id, n.distance
         )
         SELECT coalesce(array_agg(b.id ORDER BY b.similarity DESC, b.id), ''{}''), coalesce(array_agg(b.similarity ORDER BY b.similarity DESC, b.id), ''{}''),
                coalesce(array_agg(b.content_text ORDER BY b.similarity DESC, b.id), ''{}''), (SELECT count(*) FROM nearest)::int
           FROM best b',
        v_fk, p_dims, v_table, p_model, v_filter);
      v_first := greatest(p_candidates, ceil(p_candidates * coalesce(p_overfetch, 1.2))::integer);
      EXECUTE v_sql INTO v_ids, v_sims, v_chunks, v_fetched USING p_vector, v_first;
      -- Duplicate chunks of the same texts used up the margin (LIMIT reached, too few texts): again, wider.
      IF cardinality(v_ids) < p_candidates AND cardinality(v_ids) > 0 AND v_fetched >= v_first AND v_first < p_candidates * 2 THEN
        EXECUTE v_sql INTO v_ids, v_sims, v_chunks, v_fetched USING p_vector, p_candidates * 2;
      END IF;
      v_sem_kind := v_sem_kind || array_fill(v_kind, ARRAY[least(cardinality(v_ids), p_candidates)]);
      v_sem_id := v_sem_id || v_ids[1:p_candidates];
      v_sem_sim := v_sem_sim || v_sims[1:p_candidates];
      v_sem_chunk := v_sem_chunk || v_chunks[1:p_candidates];
    END IF;
  END LOOP;

  IF p_limit IS NULL THEN
    -- Candidates only: the caller fuses them (rrf, learned) and loads the rows itself.
    RETURN QUERY
      SELECT l.k, l.i, NULL::float8, l.r, NULL::float8, NULL::text, NULL::uuid, NULL::uuid, NULL::text, NULL::text, NULL::timestamptz
        FROM unnest(v_lex_kind, v_lex_id, v_lex_rank) AS l(k, i, r)
      UNION ALL
      SELECT s.k, s.i, NULL::float8, NULL::float8, s.sim, s.c, NULL::uuid, NULL::uuid, NULL::text, NULL::text, NULL::timestamptz
        FROM unnest(v_sem_kind, v_sem_id, v_sem_sim, v_sem_chunk) AS s(k, i, sim, c);
    RETURN;
  END IF;

  -- fuse() with the weighted method: the same float8 operations in the same order.
  RETURN QUERY
    WITH lex AS (SELECT l.k, l.i, l.r FROM unnest(v_lex_kind, v_lex_id, v_lex_rank) AS l(k, i, r)),
    sem AS (SELECT s.k, s.i, s.sim, s.c FROM unnest(v_sem_kind, v_sem_id, v_sem_sim, v_sem_chunk) AS s(k, i, sim, c)),
    norm AS (
      SELECT greatest(0::float8, (SELECT max(lex.r) FROM lex)) AS max_rank,
             CASE WHEN p_normalize = 'max' THEN 0::float8 ELSE (SELECT min(sem.sim) FROM sem) END AS lo,
             (SELECT max(sem.sim) FROM sem) AS hi
    ),
    fused AS (
      SELECT coalesce(lex.k, sem.k) AS k, coalesce(lex.i, sem.i) AS i, lex.r, sem.sim, sem.c,
             coalesce(CASE WHEN lex.i IS NULL THEN NULL WHEN n.max_rank > 0 THEN (1 - p_semantic_weight) * (lex.r / n.max_rank) ELSE 0::float8 END, 0::float8)
             + coalesce(CASE WHEN sem.i IS NULL THEN NULL ELSE p_semantic_weight * (CASE WHEN n.hi > n.lo THEN (sem.sim - n.lo) / (n.hi - n.lo) ELSE 1::float8 END) END, 0::float8) AS s
        FROM lex FULL JOIN sem ON sem.i = lex.i CROSS JOIN norm n
    ),
    page AS (SELECT f.*, row_number() OVER (ORDER BY f.s DESC, f.i) AS pos FROM fused f ORDER BY f.s DESC, f.i LIMIT p_limit),
    shown AS (
      SELECT 'case' AS k, c.id, c.practice_id, c.id AS case_id, c.case_number || ' ' || c.title AS title, coalesce(c.description, '') AS body, c.created_at
        FROM public.cases c WHERE c.id = ANY (ARRAY(SELECT page.i FROM page WHERE page.k = 'case'))
      UNION ALL
      SELECT 'message', m.id, m.practice_id, m.case_id, coalesce(m.subject, ''), m.content, m.created_at
        FROM public.case_messages m WHERE m.id = ANY (ARRAY(SELECT page.i FROM page WHERE page.k = 'message'))
      UNION ALL
      SELECT 'project', pr.id, pr.practice_id, pr.case_id, pr.name, coalesce(pr.metadata ->> 'notes', ''), pr.created_at
        FROM public.projects pr WHERE pr.id = ANY (ARRAY(SELECT page.i FROM page WHERE page.k = 'project'))
      UNION ALL
      SELECT 'patient', pa.id, pa.practice_id, NULL::uuid, pa.patient_number, coalesce(pa.clinical_summary, ''), pa.created_at
        FROM public.patients pa WHERE pa.id = ANY (ARRAY(SELECT page.i FROM page WHERE page.k = 'patient'))
    )
    SELECT p.k, p.i, p.s, p.r, p.sim, p.c, r.practice_id, r.case_id, r.title, r.body, r.created_at
      FROM page p JOIN shown r ON r.k = p.k AND r.id = p.i
     ORDER BY p.pos;
END
$$;
REVOKE EXECUTE ON FUNCTION public.search_page(text[], text[], uuid, text, integer, text, integer, double precision, integer, text, double precision, double precision, double precision, text, integer) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.search_page(text[], text[], uuid, text, integer, text, integer, double precision, integer, text, double precision, double precision, double precision, text, integer) TO authenticated, service_role;
