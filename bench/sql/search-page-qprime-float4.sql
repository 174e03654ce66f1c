-- public.search_page() as db 0131, except that q' is computed in pgvector's float4 arithmetic from the
-- top messages' pooled halfvecs, without text, on the production path (messages, every top text
-- in the pool): q + sum * (alpha / n), l2_normalize(), to halfvec. q' differs from fusion.ts
-- feedbackVector's float8 one in its last bits, so a page can differ (1 of 200 on the 100k fixture).
-- For side-by-side runs, 0131 named last so that it stays installed (search-page-ab.ts leaves its
-- --b): `bench/search-page-ab.ts --dir <copy> --a bench/sql/<this file> --b
-- 0131_search_page_lean_feedback.sql` (session 11, s-frontier: what the feedback would cost computed that way; bench/SEARCH.md).
-- Not a migration.
DO $do$
BEGIN
  -- The first chunk of a message is chunk 0 (item 1 above); checked on every partition.
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint
                  WHERE conrelid = 'public.message_embeddings'::regclass AND conname = 'message_embeddings_chunk_not_negative') THEN
    ALTER TABLE public.message_embeddings ADD CONSTRAINT message_embeddings_chunk_not_negative CHECK (chunk >= 0);
  END IF;
END
$do$;

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
  p_limit integer DEFAULT NULL,
  p_feedback_k integer DEFAULT NULL,
  p_feedback_alpha double precision DEFAULT NULL,
  p_feedback_pool double precision DEFAULT NULL
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
-- q' travels as text like TypeScript's (shortest exact digits), whatever the session's setting.
SET extra_float_digits = 1
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
  v_vector text := p_vector;
  v_pass integer;
  v_top_kind text[];
  v_top_id uuid[];
  v_q double precision[];
  v_f double precision[];
  v_sum double precision[];
  v_n integer := 0;
  v_norm double precision;
  v_emb text;
  j integer;
  -- The feedback's second leg rescored from the first walk's pool (p_feedback_pool) instead of walked.
  v_rescore boolean := p_feedback_pool IS NOT NULL AND p_feedback_k IS NOT NULL AND p_limit IS NOT NULL;
  v_pool_kind text[] := '{}';
  v_pool_id uuid[] := '{}';
  v_pool_chunk text[] := '{}';
  v_pool_vec halfvec[] := '{}';
  v_pids uuid[];
  v_pchunks text[];
  v_pvecs halfvec[];
  v_qh halfvec;
  v_pos bigint[];
  v_embs text[];
  v_p bigint[];
  v_e text[];
  v_rescored boolean := false;
  v_pool_no integer[] := '{}';
  v_pnos integer[];
  v_at integer;
  v_ix integer;
  v_one uuid;
  v_lim integer;
  v_hit boolean;
  v_sumv vector;
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
  END LOOP;

  FOR v_pass IN 1 .. CASE WHEN p_feedback_k IS NULL OR p_limit IS NULL THEN 1 ELSE 2 END LOOP
    IF v_pass = 2 THEN
      -- Vector pseudo-relevance feedback (fusion.ts feedbackVector, search.service.ts rank()): the
      -- first fusion's best p_feedback_k texts (over every candidate), their stored vectors (first
      -- chunk, under RLS and the scope), q' = q + alpha * mean, unit length, then the semantic leg
      -- again and the same fusion. Arithmetic as TypeScript's, in the same order: the vectors are
      -- read from their text form as float8 (what JSON.parse gives), sums start at 0.
      IF p_vector IS NULL OR p_model IS NULL OR (cardinality(v_lex_id) = 0 AND cardinality(v_sem_id) = 0) THEN
        EXIT;
      END IF;
      WITH lex AS (SELECT l.k, l.i, l.r FROM unnest(v_lex_kind, v_lex_id, v_lex_rank) AS l(k, i, r)),
      sem AS (SELECT s.k, s.i, s.sim FROM unnest(v_sem_kind, v_sem_id, v_sem_sim) AS s(k, i, sim)),
      norm AS (
        SELECT greatest(0::float8, (SELECT max(lex.r) FROM lex)) AS max_rank,
               CASE WHEN p_normalize = 'max' THEN 0::float8 ELSE (SELECT min(sem.sim) FROM sem) END AS lo,
               (SELECT max(sem.sim) FROM sem) AS hi
      ),
      fused AS (
        SELECT coalesce(lex.k, sem.k) AS k, coalesce(lex.i, sem.i) AS i,
               coalesce(CASE WHEN lex.i IS NULL THEN NULL WHEN n.max_rank > 0 THEN (1 - p_semantic_weight) * (lex.r / n.max_rank) ELSE 0::float8 END, 0::float8)
               + coalesce(CASE WHEN sem.i IS NULL THEN NULL ELSE p_semantic_weight * (CASE WHEN n.hi > n.lo THEN (sem.sim - n.lo) / (n.hi - n.lo) ELSE 1::float8 END) END, 0::float8) AS s
          FROM lex FULL JOIN sem ON sem.i = lex.i CROSS JOIN norm n
      ),
      top AS (SELECT f.k, f.i, row_number() OVER (ORDER BY f.s DESC, f.i) AS pos FROM fused f ORDER BY f.s DESC, f.i LIMIT p_feedback_k)
      SELECT array_agg(top.k ORDER BY top.pos), array_agg(top.i ORDER BY top.pos)
        INTO v_top_kind, v_top_id
        FROM top;
      -- s-frontier (session 11), a measurement only: q' in pgvector's float4 arithmetic from the
      -- top messages' pooled halfvecs (chunk 0), no text: sum(vector), vector + vector, an
      -- elementwise product by alpha / n, l2_normalize(). Not fusion.ts's float8 arithmetic, so
      -- not the TypeScript path's q' to the last bit.
      IF v_rescore AND p_kinds = ARRAY['message'] THEN
        SELECT count(*)::int, sum(x.h::vector) INTO v_n, v_sumv
          FROM (SELECT DISTINCT ON (t.pos) t.pos, p.h
                  FROM unnest(v_top_id, v_top_kind) WITH ORDINALITY AS t(i, k, pos)
                  JOIN unnest(v_pool_id, v_pool_no, v_pool_kind, v_pool_vec) AS p(i, no, k, h) ON p.i = t.i AND p.no = 0 AND p.k = 'message'
                 WHERE t.k = 'message'
                 ORDER BY t.pos) x;
        IF v_n = cardinality(v_top_id) AND v_n > 0 THEN
          v_qh := l2_normalize(p_vector::vector + v_sumv * array_fill((p_feedback_alpha / v_n)::real, ARRAY[p_dims])::vector)::halfvec;
          v_rescored := true;
          EXIT;
        END IF;
      END IF;
      -- The brackets dropped by replace(), not btrim(): btrim() walks the ~4,000 characters of a
      -- vector's text character by character (a UTF-8 database), replace() searches bytes (search-fb's 0130).
      v_q := string_to_array(replace(replace(p_vector, '[', ''), ']', ''), ',')::float8[];
      -- The top texts' stored vectors (first chunk, under RLS and the scope), one statement per
      -- kind among them instead of one per text (0107: three statements, each planned).
      v_pos := '{}';
      v_embs := '{}';
      IF v_scope IS NULL OR cardinality(v_scope) > 0 THEN
        FOREACH v_kind IN ARRAY p_kinds LOOP
          CONTINUE WHEN NOT (v_kind = ANY (v_top_kind));
          IF v_kind = 'message' AND v_rescore THEN
            -- A top message whose first chunk (chunk 0: the writer numbers from 0 and 0131 checks
            -- chunk >= 0) the first walk pooled: its vector is that pooled halfvec (the column's own
            -- value: embedding is a halfvec, the pool its typmod cast), read under the same RLS,
            -- scope and model as the statement below would read it. When every top message has
            -- one, that statement (planned per search) is not run (0131).
            v_p := '{}';
            v_e := '{}';
            v_hit := true;
            FOR j IN 1 .. cardinality(v_top_id) LOOP
              CONTINUE WHEN v_top_kind[j] <> 'message';
              v_at := NULL;
              FOREACH v_ix IN ARRAY array_positions(v_pool_id, v_top_id[j]) LOOP
                IF v_pool_no[v_ix] = 0 AND v_pool_kind[v_ix] = 'message' THEN
                  v_at := v_ix;
                  EXIT;
                END IF;
              END LOOP;
              IF v_at IS NULL THEN
                v_hit := false;
                EXIT;
              END IF;
              v_p := v_p || j::bigint;
              v_e := v_e || v_pool_vec[v_at]::text;
            END LOOP;
            IF v_hit THEN
              v_pos := v_pos || v_p;
              v_embs := v_embs || v_e;
              CONTINUE;
            END IF;
          END IF;
          CASE v_kind
            WHEN 'case' THEN v_table := 'case_embeddings'; v_fk := 'case_id';
            WHEN 'message' THEN v_table := 'message_embeddings'; v_fk := 'message_id';
            WHEN 'project' THEN v_table := 'project_embeddings'; v_fk := 'project_id';
            WHEN 'patient' THEN v_table := 'patient_embeddings'; v_fk := 'patient_id';
            ELSE RAISE EXCEPTION 'unknown search kind %', v_kind USING ERRCODE = '22023';
          END CASE;
          EXECUTE format(
            'SELECT coalesce(array_agg(f.pos ORDER BY f.pos), ''{}''), coalesce(array_agg(f.emb ORDER BY f.pos), ''{}'')
               FROM (SELECT DISTINCT ON (t.pos) t.pos, e.embedding::text AS emb
                       FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS t(i, k, pos)
                       JOIN public.%I e ON e.%I = t.i
                      WHERE t.k = %L AND e.model = %L %s
                      ORDER BY t.pos, e.chunk) f',
            v_table, v_fk, v_kind, p_model, v_filter)
            INTO v_p, v_e USING v_top_id, v_top_kind;
          v_pos := v_pos || v_p;
          v_embs := v_embs || v_e;
        END LOOP;
      END IF;
      -- q' = (q + alpha * mean) / |q + alpha * mean| with the same float8 operations in the same
      -- order as 0107/0119 (and fusion.ts feedbackVector), the vectors read from their text form
      -- as float8: a running sum text by text (0126) instead of 0119's grouped, sorted statement.
      v_n := cardinality(v_pos);
      IF v_n > 0 AND v_n <= 3 THEN
        -- One statement (search-fb's 0130): the texts in rank order zipped with q, a missing text's column NULL
        -- and its term +0 (exact: the running sum starts at +0, so it is never -0); the norm is
        -- the squares summed in dimension order (the window's rows in o order).
        SELECT array_agg(CASE WHEN y.nrm > 0 THEN y.v / y.nrm ELSE y.v END ORDER BY y.o)
          INTO v_q
          FROM (SELECT x.o, x.v, sqrt(sum(x.v * x.v) OVER (ORDER BY x.o ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)) AS nrm
                  FROM (SELECT z.o, z.q + (p_feedback_alpha * (0::float8 + z.a + coalesce(z.b, 0::float8) + coalesce(z.c, 0::float8))) / v_n AS v
                          FROM (SELECT array_agg(t.emb ORDER BY t.pos) AS a FROM unnest(v_pos, v_embs) AS t(pos, emb)) e,
                               unnest(v_q,
                                      string_to_array(replace(replace(e.a[1], '[', ''), ']', ''), ',')::float8[],
                                      string_to_array(replace(replace(e.a[2], '[', ''), ']', ''), ',')::float8[],
                                      string_to_array(replace(replace(e.a[3], '[', ''), ']', ''), ',')::float8[]) WITH ORDINALITY AS z(q, a, b, c, o)) x) y;
      ELSIF v_n > 3 THEN
        -- Each dimension's sum over the texts in rank order, starting at 0 (0119's sum(... ORDER BY
        -- pos)), one text at a time in rank order (v_embs is in kind order when several kinds are searched).
        v_sum := array_fill(0::float8, ARRAY[cardinality(v_q)]);
        FOR v_emb IN SELECT t.emb FROM unnest(v_pos, v_embs) AS t(pos, emb) ORDER BY t.pos LOOP
          v_sum := ARRAY(SELECT s.s + s.v FROM unnest(v_sum, string_to_array(btrim(v_emb, '[]'), ',')::float8[]) WITH ORDINALITY AS s(s, v, o) ORDER BY s.o);
        END LOOP;
        v_q := ARRAY(SELECT x.v + (p_feedback_alpha * x.s) / v_n FROM unnest(v_q, v_sum) WITH ORDINALITY AS x(v, s, o) ORDER BY x.o);
        SELECT sqrt(sum(x.v * x.v ORDER BY x.o)) INTO v_norm FROM unnest(v_q) WITH ORDINALITY AS x(v, o);
        IF v_norm > 0 THEN
          v_q := ARRAY(SELECT x.v / v_norm FROM unnest(v_q) WITH ORDINALITY AS x(v, o) ORDER BY x.o);
        END IF;
      END IF;
      v_vector := '[' || array_to_string(v_q, ',') || ']';
      v_sem_kind := '{}';
      v_sem_id := '{}';
      v_sem_sim := '{}';
      v_sem_chunk := '{}';
    END IF;
    FOREACH v_kind IN ARRAY p_kinds LOOP
      CASE v_kind
        WHEN 'case' THEN v_table := 'case_embeddings'; v_fk := 'case_id';
        WHEN 'message' THEN v_table := 'message_embeddings'; v_fk := 'message_id';
        WHEN 'project' THEN v_table := 'project_embeddings'; v_fk := 'project_id';
        WHEN 'patient' THEN v_table := 'patient_embeddings'; v_fk := 'patient_id';
        ELSE RAISE EXCEPTION 'unknown search kind %', v_kind USING ERRCODE = '22023';
      END CASE;
      -- Semantic leg (no vector: the provider is down or no model is active).
      IF v_pass = 2 AND v_rescore THEN
        -- The feedback's leg is the first walk's pool rescored against q' (the halfvecs the walk
        -- compares, q' parsed once): by the page's statement below (0131), not into arrays here.
        v_qh := v_vector::halfvec;
        v_rescored := true;
        EXIT;
      ELSIF v_rescore AND v_kind = 'message' AND p_dims = 384 AND v_vector IS NOT NULL AND p_model IS NOT NULL AND (v_scope IS NULL OR cardinality(v_scope) > 0) THEN
        -- The production walk (messages, a 384-dimension model, with the pool): the dynamic
        -- statement below as a static one, parsed, analysed and rewritten (RLS) once per session
        -- instead of per search (~0.1 ms). Its plan stays custom (the model and the scope are
        -- constants when it is planned: the model's partial HNSW index matches, the partitions are
        -- pruned; a generic plan could use neither, so it costs more and is never chosen).
        v_first := greatest(p_candidates, ceil(p_candidates * greatest(coalesce(p_overfetch, 1.2), p_feedback_pool))::integer);
        v_one := CASE WHEN cardinality(v_scope) = 1 THEN v_scope[1] END;
        v_lim := v_first;
        LOOP
          WITH nearest AS MATERIALIZED (
            SELECT e.message_id AS id, e.content_text, e.embedding::halfvec(384) <=> v_vector::halfvec(384) AS distance,
                   e.embedding::halfvec(384) AS h, e.chunk AS no
              FROM public.message_embeddings e
             WHERE e.model = p_model
               AND (v_scope IS NULL OR (v_one IS NOT NULL AND e.practice_id = v_one) OR (v_one IS NULL AND e.practice_id = ANY (v_scope)))
             ORDER BY e.embedding::halfvec(384) <=> v_vector::halfvec(384)
             LIMIT v_lim
          ), best AS (
            SELECT DISTINCT ON (n.id) n.id, 1 - n.distance AS similarity FROM nearest n ORDER BY n.id, n.distance
          )
          SELECT coalesce(array_agg(b.id ORDER BY b.similarity DESC, b.id), '{}'), coalesce(array_agg(b.similarity ORDER BY b.similarity DESC, b.id), '{}'),
                 (SELECT count(*) FROM nearest)::int, (SELECT coalesce(array_agg(n.id), '{}') FROM nearest n),
                 (SELECT coalesce(array_agg(n.content_text), '{}') FROM nearest n), (SELECT coalesce(array_agg(n.h), '{}') FROM nearest n),
                 (SELECT coalesce(array_agg(n.no), '{}') FROM nearest n)
            INTO v_ids, v_sims, v_fetched, v_pids, v_pchunks, v_pvecs, v_pnos
            FROM best b;
          -- As below: duplicate chunks used up the margin, again once, wider.
          EXIT WHEN NOT (cardinality(v_ids) < p_candidates AND cardinality(v_ids) > 0 AND v_fetched >= v_lim AND v_lim < p_candidates * 2);
          v_lim := p_candidates * 2;
        END LOOP;
        v_pool_kind := v_pool_kind || array_fill(v_kind, ARRAY[cardinality(v_pids)]);
        v_pool_id := v_pool_id || v_pids;
        v_pool_chunk := v_pool_chunk || v_pchunks;
        v_pool_vec := v_pool_vec || v_pvecs;
        v_pool_no := v_pool_no || v_pnos;
        v_sem_kind := v_sem_kind || array_fill(v_kind, ARRAY[least(cardinality(v_ids), p_candidates)]);
        v_sem_id := v_sem_id || v_ids[1:p_candidates];
        v_sem_sim := v_sem_sim || v_sims[1:p_candidates];
      ELSIF v_vector IS NOT NULL AND p_model IS NOT NULL AND (v_scope IS NULL OR cardinality(v_scope) > 0) THEN
        -- With rescoring, the walk also returns its pool: every chunk it fetched, with its halfvec.
        v_sql := format(
          'WITH nearest AS MATERIALIZED (
             SELECT e.%1$I AS id, e.content_text, e.embedding::halfvec(%2$s) <=> $1::halfvec(%2$s) AS distance%6$s
               FROM public.%3$I e
              WHERE e.model = %4$L %5$s
              ORDER BY e.embedding::halfvec(%2$s) <=> $1::halfvec(%2$s)
              LIMIT $2
           ), best AS (
             SELECT DISTINCT ON (n.id) n.id, 1 - n.distance AS similarity, n.content_text FROM nearest n ORDER BY n.id, n.distance
           )
           SELECT coalesce(array_agg(b.id ORDER BY b.similarity DESC, b.id), ''{}''), coalesce(array_agg(b.similarity ORDER BY b.similarity DESC, b.id), ''{}''),
                  %8$s, (SELECT count(*) FROM nearest)::int%7$s
             FROM best b',
          v_fk, p_dims, v_table, p_model, v_filter,
          CASE WHEN v_rescore THEN format(', e.embedding::halfvec(%s) AS h, e.chunk AS no', p_dims) ELSE '' END,
          CASE WHEN v_rescore THEN ', (SELECT coalesce(array_agg(n.id), ''{}'') FROM nearest n), (SELECT coalesce(array_agg(n.content_text), ''{}'') FROM nearest n),
                  (SELECT coalesce(array_agg(n.h), ''{}'') FROM nearest n), (SELECT coalesce(array_agg(n.no), ''{}'') FROM nearest n)' ELSE '' END,
          -- With rescoring the first leg's texts are never shown (the second leg replaces it): not carried.
          CASE WHEN v_rescore THEN 'NULL::text[]' ELSE 'coalesce(array_agg(b.content_text ORDER BY b.similarity DESC, b.id), ''{}'')' END);
        v_first := greatest(p_candidates, ceil(p_candidates * CASE WHEN v_rescore THEN greatest(coalesce(p_overfetch, 1.2), p_feedback_pool) ELSE coalesce(p_overfetch, 1.2) END)::integer);
        IF v_rescore THEN
          EXECUTE v_sql INTO v_ids, v_sims, v_chunks, v_fetched, v_pids, v_pchunks, v_pvecs, v_pnos USING v_vector, v_first;
        ELSE
          EXECUTE v_sql INTO v_ids, v_sims, v_chunks, v_fetched USING v_vector, v_first;
        END IF;
        -- Duplicate chunks of the same texts used up the margin (LIMIT reached, too few texts): again, wider.
        IF cardinality(v_ids) < p_candidates AND cardinality(v_ids) > 0 AND v_fetched >= v_first AND v_first < p_candidates * 2 THEN
          IF v_rescore THEN
            EXECUTE v_sql INTO v_ids, v_sims, v_chunks, v_fetched, v_pids, v_pchunks, v_pvecs, v_pnos USING v_vector, p_candidates * 2;
          ELSE
            EXECUTE v_sql INTO v_ids, v_sims, v_chunks, v_fetched USING v_vector, p_candidates * 2;
          END IF;
        END IF;
        IF v_rescore THEN
          v_pool_kind := v_pool_kind || array_fill(v_kind, ARRAY[cardinality(v_pids)]);
          v_pool_id := v_pool_id || v_pids;
          v_pool_chunk := v_pool_chunk || v_pchunks;
          v_pool_vec := v_pool_vec || v_pvecs;
          v_pool_no := v_pool_no || v_pnos;
        END IF;
        v_sem_kind := v_sem_kind || array_fill(v_kind, ARRAY[least(cardinality(v_ids), p_candidates)]);
        v_sem_id := v_sem_id || v_ids[1:p_candidates];
        v_sem_sim := v_sem_sim || v_sims[1:p_candidates];
        v_sem_chunk := v_sem_chunk || v_chunks[1:p_candidates];
      END IF;
    END LOOP;
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
  IF v_rescored THEN
    -- The feedback's leg rescored from the pool in this statement (0131): no arrays in between.
    IF p_kinds = ARRAY['message'] THEN
      RETURN QUERY
    WITH lex AS (SELECT l.k, l.i, l.r FROM unnest(v_lex_kind, v_lex_id, v_lex_rank) AS l(k, i, r)),
    -- 0126's rescoring, kind by kind: each pooled chunk against q', the best chunk per text (ties in
    -- the same sort as 0126's, the kind a constant within it), a kind's best p_candidates texts by
    -- similarity, then id.
    sem AS (
      SELECT b.k, b.i, b.sim, b.c
        FROM (SELECT d.k, d.i, d.sim, d.c, row_number() OVER (PARTITION BY d.k ORDER BY d.sim DESC, d.i) AS n
                FROM (SELECT DISTINCT ON (p.k, p.i) p.k, p.i, 1 - (p.h <=> v_qh) AS sim, p.c
                        FROM unnest(v_pool_kind, v_pool_id, v_pool_chunk, v_pool_vec) AS p(k, i, c, h)
                       ORDER BY p.k, p.i, p.h <=> v_qh) d) b
       WHERE b.n <= p_candidates),
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
    -- Messages only (0131): the other kinds' branches, never run for such a page, are not even
    -- started (their scans, locks and RLS subqueries).
    shown AS (
      SELECT 'message' AS k, m.id, m.practice_id, m.case_id, coalesce(m.subject, '') AS title, m.content AS body, m.created_at
        FROM public.case_messages m WHERE m.id = ANY (ARRAY(SELECT page.i FROM page WHERE page.k = 'message'))
    )
    SELECT p.k, p.i, p.s, p.r, p.sim, p.c, r.practice_id, r.case_id, r.title, r.body, r.created_at
      FROM page p JOIN shown r ON r.k = p.k AND r.id = p.i
     ORDER BY p.pos;
      RETURN;
    END IF;
    RETURN QUERY
    WITH lex AS (SELECT l.k, l.i, l.r FROM unnest(v_lex_kind, v_lex_id, v_lex_rank) AS l(k, i, r)),
    -- 0126's rescoring, kind by kind: each pooled chunk against q', the best chunk per text (ties in
    -- the same sort as 0126's, the kind a constant within it), a kind's best p_candidates texts by
    -- similarity, then id.
    sem AS (
      SELECT b.k, b.i, b.sim, b.c
        FROM (SELECT d.k, d.i, d.sim, d.c, row_number() OVER (PARTITION BY d.k ORDER BY d.sim DESC, d.i) AS n
                FROM (SELECT DISTINCT ON (p.k, p.i) p.k, p.i, 1 - (p.h <=> v_qh) AS sim, p.c
                        FROM unnest(v_pool_kind, v_pool_id, v_pool_chunk, v_pool_vec) AS p(k, i, c, h)
                       ORDER BY p.k, p.i, p.h <=> v_qh) d) b
       WHERE b.n <= p_candidates),
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
    -- A kind's branch only when the page shows that kind (0126): a one-time filter skips the scan and its RLS.
    shown AS (
      SELECT 'case' AS k, c.id, c.practice_id, c.id AS case_id, c.case_number || ' ' || c.title AS title, coalesce(c.description, '') AS body, c.created_at
        FROM public.cases c WHERE EXISTS (SELECT 1 FROM page WHERE page.k = 'case') AND c.id = ANY (ARRAY(SELECT page.i FROM page WHERE page.k = 'case'))
      UNION ALL
      SELECT 'message', m.id, m.practice_id, m.case_id, coalesce(m.subject, ''), m.content, m.created_at
        FROM public.case_messages m WHERE EXISTS (SELECT 1 FROM page WHERE page.k = 'message') AND m.id = ANY (ARRAY(SELECT page.i FROM page WHERE page.k = 'message'))
      UNION ALL
      SELECT 'project', pr.id, pr.practice_id, pr.case_id, pr.name, coalesce(pr.metadata ->> 'notes', ''), pr.created_at
        FROM public.projects pr WHERE EXISTS (SELECT 1 FROM page WHERE page.k = 'project') AND pr.id = ANY (ARRAY(SELECT page.i FROM page WHERE page.k = 'project'))
      UNION ALL
      SELECT 'patient', pa.id, pa.practice_id, NULL::uuid, pa.patient_number, coalesce(pa.clinical_summary, ''), pa.created_at
        FROM public.patients pa WHERE EXISTS (SELECT 1 FROM page WHERE page.k = 'patient') AND pa.id = ANY (ARRAY(SELECT page.i FROM page WHERE page.k = 'patient'))
    )
    SELECT p.k, p.i, p.s, p.r, p.sim, p.c, r.practice_id, r.case_id, r.title, r.body, r.created_at
      FROM page p JOIN shown r ON r.k = p.k AND r.id = p.i
     ORDER BY p.pos;
    RETURN;
  END IF;
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
    -- A kind's branch only when the page shows that kind (0126): a one-time filter skips the scan and its RLS.
    shown AS (
      SELECT 'case' AS k, c.id, c.practice_id, c.id AS case_id, c.case_number || ' ' || c.title AS title, coalesce(c.description, '') AS body, c.created_at
        FROM public.cases c WHERE EXISTS (SELECT 1 FROM page WHERE page.k = 'case') AND c.id = ANY (ARRAY(SELECT page.i FROM page WHERE page.k = 'case'))
      UNION ALL
      SELECT 'message', m.id, m.practice_id, m.case_id, coalesce(m.subject, ''), m.content, m.created_at
        FROM public.case_messages m WHERE EXISTS (SELECT 1 FROM page WHERE page.k = 'message') AND m.id = ANY (ARRAY(SELECT page.i FROM page WHERE page.k = 'message'))
      UNION ALL
      SELECT 'project', pr.id, pr.practice_id, pr.case_id, pr.name, coalesce(pr.metadata ->> 'notes', ''), pr.created_at
        FROM public.projects pr WHERE EXISTS (SELECT 1 FROM page WHERE page.k = 'project') AND pr.id = ANY (ARRAY(SELECT page.i FROM page WHERE page.k = 'project'))
      UNION ALL
      SELECT 'patient', pa.id, pa.practice_id, NULL::uuid, pa.patient_number, coalesce(pa.clinical_summary, ''), pa.created_at
        FROM public.patients pa WHERE EXISTS (SELECT 1 FROM page WHERE page.k = 'patient') AND pa.id = ANY (ARRAY(SELECT page.i FROM page WHERE page.k = 'patient'))
    )
    SELECT p.k, p.i, p.s, p.r, p.sim, p.c, r.practice_id, r.case_id, r.title, r.body, r.created_at
      FROM page p JOIN shown r ON r.k = p.k AND r.id = p.i
     ORDER BY p.pos;
END
$$;
REVOKE EXECUTE ON FUNCTION public.search_page(text[], text[], uuid, text, integer, text, integer, double precision, integer, text, double precision, double precision, double precision, text, integer, integer, double precision, double precision) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.search_page(text[], text[], uuid, text, integer, text, integer, double precision, integer, text, double precision, double precision, double precision, text, integer, integer, double precision, double precision) TO authenticated, service_role;
