-- 0003_functions_triggers.sql
--
-- Functions and triggers. Defects of the design document fixed here:
--  * get_embedding(query_text) does not exist and cannot: SQL cannot call the
--    OpenAI API (and must not: a network call inside a transaction, per row).
--    Dropped, together with the generate_case_embeddings() trigger. Embeddings
--    are written by a worker activity (upsert on the UNIQUE keys of 0002);
--    search_*_semantic() take the query vector instead of the query text.
--  * search_cases_semantic computed the distance twice and filtered on it in
--    WHERE, which prevents the vector index from being used, and ordered by an
--    alias. Now: ORDER BY embedding <=> query LIMIT n (an HNSW index scan) in
--    an inner query, the threshold applied in the outer query. SECURITY
--    INVOKER, so RLS applies to the caller.
--  * log_slow_queries() was never attached to anything: it is now an AFTER
--    INSERT trigger on query_performance_log (SECURITY DEFINER, because
--    callers have no access to performance_alerts).
--  * refresh_case_dashboard() was declared RETURNS trigger: see 0004.
--  * updated_at was never maintained: set_updated_at() BEFORE UPDATE on every
--    table with an updated_at column.
--  * The admin policy compared (SELECT role FROM profiles ...) per row and under
--    RLS: replaced by the STABLE SECURITY DEFINER helpers below, evaluated
--    once per statement in the policies as (SELECT public.is_internal_admin()).
--  * Nothing stopped a user from making himself an internal admin by updating
--    profiles.role: protect_profile_role() trigger.
--  * A case could use another practice's private workflow template:
--    validate_case_workflow_template() trigger.

-- ---------------------------------------------------------------------------
-- RLS helper functions. SECURITY DEFINER (owner bypasses RLS) with an empty
-- search_path and qualified names, so that policies -- including those of
-- practice_members itself -- can call them without recursing into RLS.
-- ---------------------------------------------------------------------------

-- Practices the caller (auth.uid()) is a member of, whatever the practice role.
CREATE OR REPLACE FUNCTION public.user_practice_ids()
RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
ROWS 5
AS $$
  SELECT pm.practice_id
  FROM public.practice_members pm
  WHERE pm.profile_id = (SELECT auth.uid())
$$;

-- Practices where the caller's PRACTICE role is 'owner' or 'admin'.
CREATE OR REPLACE FUNCTION public.user_managed_practice_ids()
RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
ROWS 5
AS $$
  SELECT pm.practice_id
  FROM public.practice_members pm
  WHERE pm.profile_id = (SELECT auth.uid())
    AND pm.role IN ('owner'::public.practice_role, 'admin'::public.practice_role)
$$;

-- True if the caller's GLOBAL role (profiles.role) is 'admin' (internal staff).
CREATE OR REPLACE FUNCTION public.is_internal_admin()
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT EXISTS (
    SELECT 1 FROM public.profiles p
    WHERE p.id = (SELECT auth.uid())
      AND p.role = 'admin'::public.user_role
  )
$$;

-- ---------------------------------------------------------------------------
-- updated_at
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION public.set_updated_at()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;

DO $do$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY[
    'profiles', 'practices', 'practitioners', 'patients', 'workflow_templates',
    'cases', 'products', 'orders', 'projects',
    'case_embeddings', 'patient_embeddings', 'message_embeddings', 'project_embeddings'
  ] LOOP
    EXECUTE format(
      'CREATE OR REPLACE TRIGGER set_updated_at BEFORE UPDATE ON public.%I
         FOR EACH ROW EXECUTE FUNCTION public.set_updated_at()', t);
  END LOOP;
END
$do$;

-- ---------------------------------------------------------------------------
-- Denormalised practice_id: copied from the parent on INSERT when the caller
-- omits it. SECURITY DEFINER so the lookup works whatever the caller can see;
-- RLS (WITH CHECK) still decides whether the caller may insert the row, and
-- the composite FKs of 0002 reject a practice_id that differs from the parent's.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION public.set_practice_id_from_case()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  IF NEW.practice_id IS NULL AND NEW.case_id IS NOT NULL THEN
    SELECT c.practice_id INTO NEW.practice_id FROM public.cases c WHERE c.id = NEW.case_id;
  END IF;
  RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION public.set_practice_id_from_patient()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  IF NEW.practice_id IS NULL THEN
    SELECT p.practice_id INTO NEW.practice_id FROM public.patients p WHERE p.id = NEW.patient_id;
  END IF;
  RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION public.set_practice_id_from_order()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  IF NEW.practice_id IS NULL THEN
    SELECT o.practice_id INTO NEW.practice_id FROM public.orders o WHERE o.id = NEW.order_id;
  END IF;
  RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION public.set_practice_id_from_message()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  IF NEW.practice_id IS NULL THEN
    SELECT m.practice_id INTO NEW.practice_id FROM public.case_messages m WHERE m.id = NEW.message_id;
  END IF;
  RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION public.set_practice_id_from_project()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  IF NEW.practice_id IS NULL THEN
    SELECT p.practice_id INTO NEW.practice_id FROM public.projects p WHERE p.id = NEW.project_id;
  END IF;
  RETURN NEW;
END
$$;

DO $do$
DECLARE
  r record;
BEGIN
  FOR r IN
    SELECT * FROM (VALUES
      ('cases',                'set_practice_id_from_patient'),
      ('patient_embeddings',   'set_practice_id_from_patient'),
      ('case_states',          'set_practice_id_from_case'),
      ('orders',               'set_practice_id_from_case'),
      ('case_messages',        'set_practice_id_from_case'),
      ('case_files',           'set_practice_id_from_case'),
      ('projects',             'set_practice_id_from_case'),
      ('case_embeddings',      'set_practice_id_from_case'),
      ('workflow_performance', 'set_practice_id_from_case'),
      ('instruction_states',   'set_practice_id_from_case'),
      ('state_analytics',      'set_practice_id_from_case'),
      ('order_items',          'set_practice_id_from_order'),
      ('order_states',         'set_practice_id_from_order'),
      ('message_embeddings',   'set_practice_id_from_message'),
      ('project_embeddings',   'set_practice_id_from_project')
    ) AS v(tbl, fn)
  LOOP
    EXECUTE format(
      'CREATE OR REPLACE TRIGGER set_practice_id BEFORE INSERT ON public.%I
         FOR EACH ROW EXECUTE FUNCTION public.%I()', r.tbl, r.fn);
  END LOOP;
END
$do$;

-- ---------------------------------------------------------------------------
-- Workflow template versioning: family_id defaults to the row's own id (the
-- first version founds the family; later versions pass the family_id).
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION public.set_workflow_template_family()
RETURNS trigger LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
  IF NEW.family_id IS NULL THEN
    NEW.family_id := NEW.id;
  END IF;
  RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER set_family_id BEFORE INSERT ON public.workflow_templates
  FOR EACH ROW EXECUTE FUNCTION public.set_workflow_template_family();

-- A case may follow a lab-wide template (practice_id NULL) or one of its own
-- practice's templates, never another practice's.
CREATE OR REPLACE FUNCTION public.validate_case_workflow_template()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  tpl_practice uuid;
BEGIN
  IF NEW.workflow_template_id IS NOT NULL THEN
    SELECT t.practice_id INTO tpl_practice
    FROM public.workflow_templates t WHERE t.id = NEW.workflow_template_id;
    IF tpl_practice IS NOT NULL AND tpl_practice IS DISTINCT FROM NEW.practice_id THEN
      RAISE EXCEPTION 'workflow template % belongs to another practice', NEW.workflow_template_id
        USING ERRCODE = 'foreign_key_violation';
    END IF;
  END IF;
  RETURN NEW;
END
$$;

-- Trigger names fire in alphabetical order: set_practice_id runs before this.
CREATE OR REPLACE TRIGGER validate_workflow_template
  BEFORE INSERT OR UPDATE OF workflow_template_id, practice_id ON public.cases
  FOR EACH ROW EXECUTE FUNCTION public.validate_case_workflow_template();

-- ---------------------------------------------------------------------------
-- profiles.role is the GLOBAL role ('admin' = internal admin, who bypasses
-- practice isolation). Only an internal admin, or a privileged database role
-- (superuser / BYPASSRLS: migrations, service_role), may set 'admin' on insert
-- or change role at all. SECURITY INVOKER on purpose: current_user must be
-- the caller.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION public.protect_profile_role()
RETURNS trigger LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  privileged boolean;
BEGIN
  SELECT r.rolsuper OR r.rolbypassrls INTO privileged
  FROM pg_catalog.pg_roles r WHERE r.rolname = current_user;

  IF coalesce(privileged, false) OR public.is_internal_admin() THEN
    RETURN NEW;
  END IF;

  IF TG_OP = 'INSERT' AND NEW.role = 'admin'::public.user_role THEN
    RAISE EXCEPTION 'only an internal admin may create an admin profile'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.role IS DISTINCT FROM OLD.role THEN
    RAISE EXCEPTION 'only an internal admin may change profiles.role'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER protect_role BEFORE INSERT OR UPDATE ON public.profiles
  FOR EACH ROW EXECUTE FUNCTION public.protect_profile_role();

-- ---------------------------------------------------------------------------
-- Monitoring: slow queries (> 1000 ms) raise a performance alert.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION public.log_slow_queries()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  IF NEW.execution_time_ms > 1000 THEN
    INSERT INTO public.performance_alerts (alert_type, message, metadata)
    VALUES ('slow_query', 'Query exceeded 1 second', jsonb_build_object(
      'query_type', NEW.query_type,
      'execution_time', NEW.execution_time_ms,
      'user_id', NEW.user_id,
      'query_performance_log_id', NEW.id
    ));
  END IF;
  RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER trigger_log_slow_queries AFTER INSERT ON public.query_performance_log
  FOR EACH ROW EXECUTE FUNCTION public.log_slow_queries();

-- ---------------------------------------------------------------------------
-- Semantic search. The caller computes the query embedding (same model as the
-- stored vectors) and passes it in. SECURITY INVOKER: the caller's RLS applies.
-- The inner query is an HNSW index scan (ORDER BY distance LIMIT n); the
-- similarity threshold is applied afterwards so it cannot disable the index.
-- similarity = 1 - cosine distance.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION public.search_cases_semantic(
  query_embedding      vector(1536),
  practice_id_param    uuid,
  similarity_threshold double precision DEFAULT 0.8,
  max_results          integer DEFAULT 10
)
RETURNS TABLE (case_id uuid, case_number text, title text, similarity double precision, content_text text)
LANGUAGE sql STABLE
SET search_path = public, extensions, pg_temp
AS $$
  WITH nearest AS MATERIALIZED (
    SELECT ce.case_id, ce.content_text, ce.embedding <=> query_embedding AS distance
    FROM public.case_embeddings ce
    WHERE ce.practice_id = practice_id_param
      AND ce.embedding IS NOT NULL
    ORDER BY ce.embedding <=> query_embedding
    LIMIT max_results
  )
  SELECT n.case_id, c.case_number, c.title, 1 - n.distance, n.content_text
  FROM nearest n
  JOIN public.cases c ON c.id = n.case_id
  WHERE 1 - n.distance >= similarity_threshold
  ORDER BY n.distance
$$;

CREATE OR REPLACE FUNCTION public.search_messages_semantic(
  query_embedding      vector(1536),
  practice_id_param    uuid,
  similarity_threshold double precision DEFAULT 0.8,
  max_results          integer DEFAULT 10
)
RETURNS TABLE (message_id uuid, case_id uuid, similarity double precision, content_text text)
LANGUAGE sql STABLE
SET search_path = public, extensions, pg_temp
AS $$
  WITH nearest AS MATERIALIZED (
    SELECT me.message_id, me.content_text, me.embedding <=> query_embedding AS distance
    FROM public.message_embeddings me
    WHERE me.practice_id = practice_id_param
      AND me.embedding IS NOT NULL
    ORDER BY me.embedding <=> query_embedding
    LIMIT max_results
  )
  SELECT n.message_id, m.case_id, 1 - n.distance, n.content_text
  FROM nearest n
  JOIN public.case_messages m ON m.id = n.message_id
  WHERE 1 - n.distance >= similarity_threshold
  ORDER BY n.distance
$$;

CREATE OR REPLACE FUNCTION public.search_patients_semantic(
  query_embedding      vector(1536),
  practice_id_param    uuid,
  similarity_threshold double precision DEFAULT 0.8,
  max_results          integer DEFAULT 10
)
RETURNS TABLE (patient_id uuid, patient_number text, similarity double precision, content_text text)
LANGUAGE sql STABLE
SET search_path = public, extensions, pg_temp
AS $$
  WITH nearest AS MATERIALIZED (
    SELECT pe.patient_id, pe.content_text, pe.embedding <=> query_embedding AS distance
    FROM public.patient_embeddings pe
    WHERE pe.practice_id = practice_id_param
      AND pe.embedding IS NOT NULL
    ORDER BY pe.embedding <=> query_embedding
    LIMIT max_results
  )
  SELECT n.patient_id, p.patient_number, 1 - n.distance, n.content_text
  FROM nearest n
  JOIN public.patients p ON p.id = n.patient_id
  WHERE 1 - n.distance >= similarity_threshold
  ORDER BY n.distance
$$;

-- pgvector >= 0.8: let the HNSW scan continue past ef_search candidates when
-- the practice filter (and RLS) discards rows, so a practice with few vectors
-- among many still gets max_results hits. Older pgvector lacks the setting.
DO $do$
BEGIN
  IF (SELECT string_to_array(extversion, '.')::int[] >= ARRAY[0, 8]
        FROM pg_catalog.pg_extension WHERE extname = 'vector') THEN
    ALTER FUNCTION public.search_cases_semantic(vector, uuid, double precision, integer)
      SET hnsw.iterative_scan = 'relaxed_order';
    ALTER FUNCTION public.search_messages_semantic(vector, uuid, double precision, integer)
      SET hnsw.iterative_scan = 'relaxed_order';
    ALTER FUNCTION public.search_patients_semantic(vector, uuid, double precision, integer)
      SET hnsw.iterative_scan = 'relaxed_order';
  END IF;
END
$do$;
