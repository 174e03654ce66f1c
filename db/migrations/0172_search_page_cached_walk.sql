-- search_page() as 0152 with the HNSW walk's plan cached per connection (issue 10 §3 Speed; s-plan,
-- session 12; bench/SEARCH.md "Session 12 (s-plan)").
--
-- Why. The walk names the model and the practice as constants when it is planned: the model's
-- partial HNSW index matches and the planner prunes to the practice's partition. So it was planned
-- again in every search (0131's static statement keeps a custom plan; EXECUTE never caches): ~0.25 ms
-- of backend CPU per search (bench/search-page-stmts.ts, pg_stat_statements track_planning). A
-- generic plan over the partitioned parent would lock every partition at each execution (PG 18).
--
-- Now, when the semantic leg's scope is one practice (a member of one practice, or p_practice),
-- the walk's statement is written with the model, the practice and the LIMIT as literals (the
-- query vector is its only parameter, a halfvec) and run as a session-level prepared statement named
-- after the md5 of its text: 'mdw_search_walk_' || md5(text). The name changes with anything the
-- plan depends on (model, practice, dimensions, kind, LIMIT, this text), so a model change or a new
-- definition of this function prepares a new statement and never runs a stale one; a partition
-- attached or detached invalidates the cached plan (PostgreSQL re-plans it). With every value but the
-- vector a literal, the generic plan is the custom plan's (the vector's value does not enter the
-- estimates), so it is used from the first execution (plan_cache_mode = force_generic_plan around
-- the EXECUTE, put back after it) instead of after five custom plans.
-- - First use on a connection (never prepared, DISCARD ALL, DEALLOCATE ALL): EXECUTE fails with
--   26000 inside a sub-block, the handler prepares it, and it runs. PREPARE is not
--   transactional: a search that fails later keeps the statement, which is right (it does not depend
--   on the search).
-- - Memory: ~100 kB per statement (CachedPlan ~67 kB + CachedPlanSource ~33 kB, measured at 100k x 10);
--   at most `mdw.search_walk_plans` per connection (unset: 100, ~10 MB; a server, database or role
--   setting; 0 turns the cache off), the least used deallocated first when another is prepared.
-- - The preparing is inside search_page(), not a function of its own: a function that PREPAREs a
--   text it is given would let any caller of the API's RPC run SQL of its choosing.
-- - RLS: PostgreSQL re-checks a cached plan against the current role (search_page is SECURITY INVOKER
--   and runs as 'authenticated'; another role re-plans it) and the policies' helpers read the caller's
--   claims at execution, so a statement prepared for one member gives another member only their rows.
-- - Scope NULL (everything) or several practices: 0152's statements, unchanged.
-- The pages are 0152's: the same statement text but for literals in place of 0152's parameters, the
-- vector parsed by the same halfvec_in once (as the EXECUTE's parameter) instead of in the plan.
-- Idempotent.

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
  v_f double precision[];
  v_n integer := 0;
  v_qv vector;
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
  v_embs halfvec[];
  v_p bigint[];
  v_e halfvec[];
  v_rescored boolean := false;
  v_pool_no integer[] := '{}';
  v_pnos integer[];
  v_at integer;
  v_ix integer;
  v_one uuid;
  v_lim integer;
  v_hit boolean;
  v_name text;
  v_exec text;
  v_pcm text;
  v_old text;
  -- How many walks a connection keeps prepared (0: none, 0152's statements); unset or not a number: 100.
  v_plans text := current_setting('mdw.search_walk_plans', true);
  v_max integer := CASE WHEN v_plans ~ '^[0-9]{1,6}$' THEN v_plans::integer ELSE 100 END;
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
              v_e := v_e || v_pool_vec[v_at];
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
               FROM (SELECT DISTINCT ON (t.pos) t.pos, e.embedding AS emb
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
      -- q' = q + mean * alpha in pgvector's float4 arithmetic (0152): the top texts' stored halfvecs
      -- widened to vector (exact), summed in rank order (sum(vector) adds them one by one, each sum
      -- rounded to float4), times alpha / n (rounded once to float4) element by element, plus q
      -- (its text parsed by strtof, as halfvec_in does), each element rounded to float4; then cast
      -- to the halfvec the rescoring compares (Float4ToHalf, as halfvec_in rounds each strtof).
      -- fusion.ts feedbackVector does the same operations with Math.fround. Not normalised: the
      -- rescoring and the walk compare by cosine distance, which a scale does not change, and
      -- pgvector's l2_normalize() sums the squares in an order its compiler may change
      -- (-fassociative-math, vectorised), which TypeScript could not reproduce. Instead of 0143's
      -- float8 statement over 384 rows (~0.4 ms per search): C loops over 384 floats.
      v_n := cardinality(v_pos);
      IF v_n > 0 THEN
        SELECT p_vector::vector + sum(t.emb::vector ORDER BY t.pos) * array_fill((p_feedback_alpha / v_n)::real, ARRAY[p_dims])::vector
          INTO v_qv
          FROM unnest(v_pos, v_embs) AS t(pos, emb);
      ELSE
        v_qv := p_vector::vector;
      END IF;
      IF v_rescore THEN
        v_qh := v_qv::halfvec;
      ELSE
        -- The second walk's vector as text: vector_out prints each float's shortest digits, which
        -- strtof reads back as the same float (the walk's $1::halfvec), as TypeScript's text of q'.
        v_vector := v_qv::text;
      END IF;
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
        v_rescored := true;
        EXIT;
      ELSIF v_vector IS NOT NULL AND p_model IS NOT NULL AND cardinality(v_scope) = 1 AND v_max > 0 THEN
        -- The walk of one practice as a cached prepared statement (0172): the statement of the
        -- dynamic branch below with the LIMIT a literal and the vector a halfvec parameter (a text
        -- one would be parsed again in every row's distance of a generic plan: ~3 x the walk).
        -- EXECUTE's parameters cannot be PL/pgSQL's (USING): the vector is a literal of its text.
        v_first := greatest(p_candidates, ceil(p_candidates * CASE WHEN v_rescore THEN greatest(coalesce(p_overfetch, 1.2), p_feedback_pool) ELSE coalesce(p_overfetch, 1.2) END)::integer);
        v_lim := v_first;
        v_pcm := current_setting('plan_cache_mode');
        LOOP
          v_sql := format(
            'WITH nearest AS MATERIALIZED (
               SELECT e.%1$I AS id, e.content_text, e.embedding::halfvec(%2$s) <=> $1::halfvec(%2$s) AS distance%6$s
                 FROM public.%3$I e
                WHERE e.model = %4$L %5$s
                ORDER BY e.embedding::halfvec(%2$s) <=> $1::halfvec(%2$s)
                LIMIT %9$s
             ), best AS (
               SELECT DISTINCT ON (n.id) n.id, 1 - n.distance AS similarity, n.content_text FROM nearest n ORDER BY n.id, n.distance
             )
             SELECT coalesce(array_agg(b.id ORDER BY b.similarity DESC, b.id), ''{}''), coalesce(array_agg(b.similarity ORDER BY b.similarity DESC, b.id), ''{}''),
                    %8$s, (SELECT count(*) FROM nearest)::int%7$s
               FROM best b',
            v_fk, p_dims, v_table, p_model, v_filter,
            CASE WHEN v_rescore THEN format(', e.embedding::halfvec(%s) AS h, e.chunk AS no', p_dims) ELSE '' END,
            CASE WHEN v_rescore THEN ', (SELECT coalesce(array_agg(n.id), ''{}'') FROM nearest n), (SELECT coalesce(array_agg(n.content_text), ''{}'') FROM nearest n),
                    (SELECT coalesce(array_agg(n.h), ''{}'') FROM nearest n), (SELECT coalesce(array_agg(n.no), ''{}'') FROM nearest n)'
                 ELSE ', NULL::uuid[], NULL::text[], NULL::halfvec[], NULL::integer[]' END,
            CASE WHEN v_rescore THEN 'NULL::text[]' ELSE 'coalesce(array_agg(b.content_text ORDER BY b.similarity DESC, b.id), ''{}'')' END,
            v_lim);
          v_name := 'mdw_search_walk_' || md5(v_sql);
          v_exec := format('EXECUTE %I(%L)', v_name, v_vector);
          -- Every value the plan depends on is a literal: the generic plan is the custom one, used at once.
          PERFORM pg_catalog.set_config('plan_cache_mode', 'force_generic_plan', true);
          BEGIN
            EXECUTE v_exec INTO v_ids, v_sims, v_chunks, v_fetched, v_pids, v_pchunks, v_pvecs, v_pnos;
          EXCEPTION WHEN invalid_sql_statement_name THEN
            -- Not prepared on this connection yet (or deallocated since).
            -- At most v_max walks per connection. The least used go first (then the oldest): with
            -- more practices than room the busy ones keep their plans and only the rest are prepared
            -- again and again (a miss costs ~0.2 ms more than 0152's custom plan, a hit ~0.4 ms less:
            -- bench/SEARCH.md); dropping the oldest instead would make every search a miss once the
            -- working set is larger. Only on a miss: no scan of the view in a cached search.
            FOR v_old IN
              SELECT s.name FROM pg_catalog.pg_prepared_statements s
               WHERE s.name LIKE 'mdw\_search\_walk\_%'
               ORDER BY s.generic_plans + s.custom_plans DESC, s.prepare_time DESC, s.name
              OFFSET v_max - 1
            LOOP
              EXECUTE format('DEALLOCATE %I', v_old);
            END LOOP;
            EXECUTE format('PREPARE %I(halfvec) AS %s', v_name, v_sql);
            EXECUTE v_exec INTO v_ids, v_sims, v_chunks, v_fetched, v_pids, v_pchunks, v_pvecs, v_pnos;
          END;
          PERFORM pg_catalog.set_config('plan_cache_mode', v_pcm, true);
          -- As below: duplicate chunks used up the margin, again once, wider.
          EXIT WHEN NOT (cardinality(v_ids) < p_candidates AND cardinality(v_ids) > 0 AND v_fetched >= v_lim AND v_lim < p_candidates * 2);
          v_lim := p_candidates * 2;
        END LOOP;
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
    shown AS MATERIALIZED (
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
    shown AS MATERIALIZED (
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
    shown AS MATERIALIZED (
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
