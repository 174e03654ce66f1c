-- Audit of every write (issue 12, section 2): one row per inserted, updated or deleted row of
-- every table, written by a trigger, so no code path (API, workflow activity, direct SQL as
-- `authenticated`, a migration) can write without leaving a trace.
--
-- Who: the JWT claims' `sub` when set (API requests, PostgREST-style SQL), else `mdw.actor_id`
-- (the API's system handle writing for a signed-in caller), otherwise the system profile (the
-- worker and other backend processes, which run without claims).
-- Why: `mdw.request_id` (the API sets it with the claims) or `mdw.workflow_id` (the worker sets it
-- for each activity), both read with current_setting(…, true) so that their absence is NULL.
-- What: the changed columns as {"col": [old, new]}; secrets, password hashes, vectors and derived
-- search columns are never copied (public.audit_excluded_columns()).
--
-- Append-only: authenticated and service_role hold no UPDATE/DELETE/TRUNCATE, and a trigger
-- refuses UPDATE and DELETE from anyone (even the owner) except the erasure function that
-- removes PHI from the `changed` values (it sets `mdw.audit_redaction` inside a SECURITY
-- DEFINER function; see public.audit_guard()).

CREATE TABLE IF NOT EXISTS public.audit_log (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  table_name   text NOT NULL,
  row_id       text NOT NULL,              -- the primary key; composite keys joined with '/'
  op           text NOT NULL CHECK (op IN ('INSERT', 'UPDATE', 'DELETE')),
  actor_id     uuid,                       -- profiles.id; no FK: the log outlives what it names
  actor_kind   text NOT NULL CHECK (actor_kind IN ('user', 'system')),
  db_role      text NOT NULL,              -- the role that wrote (authenticated, postgres, ...)
  request_id   text,
  workflow_id  text,
  practice_id  uuid,                       -- the row's practice, for RLS; NULL for global rows
  changed      jsonb NOT NULL DEFAULT '{}',
  redacted_at  timestamptz,                -- set when an erasure removed PHI from `changed`
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_audit_log_record ON public.audit_log (table_name, row_id, id);
CREATE INDEX IF NOT EXISTS idx_audit_log_practice ON public.audit_log (practice_id, id);

ALTER TABLE public.audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.audit_log FORCE ROW LEVEL SECURITY;
-- Nobody but the trigger writes: INSERT comes from the SECURITY DEFINER trigger function.
REVOKE ALL ON public.audit_log FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.audit_log TO authenticated, service_role;

-- A practice's owners and admins read their practice's audit (it shows old and new values of
-- every column, so not every member); internal (lab) admins read all of it.
DROP POLICY IF EXISTS audit_log_select ON public.audit_log;
CREATE POLICY audit_log_select ON public.audit_log FOR SELECT TO authenticated
  USING (practice_id IN (SELECT public.user_managed_practice_ids()) OR (SELECT public.is_internal_admin()));

/** Columns never copied into the audit: secrets, hashes, vectors, derived search columns. */
CREATE OR REPLACE FUNCTION public.audit_excluded_columns()
RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['password_hash', 'token_hash', 'request_hash', 'secret', 'embedding', 'search_text', 'fts', 'full_name', 'updated_at']
$$;

CREATE OR REPLACE FUNCTION public.audit_row_change()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  o jsonb := CASE WHEN TG_OP = 'INSERT' THEN '{}'::jsonb ELSE to_jsonb(OLD) END;
  n jsonb := CASE WHEN TG_OP = 'DELETE' THEN '{}'::jsonb ELSE to_jsonb(NEW) END;
  r jsonb := CASE WHEN TG_OP = 'DELETE' THEN o ELSE n END;
  claims jsonb;
  sub text;
  diff jsonb;
  pk text;
  practice text;
BEGIN
  SELECT coalesce(jsonb_object_agg(k, jsonb_build_array(o -> k, n -> k)), '{}'::jsonb) INTO diff
  FROM (SELECT jsonb_object_keys(o || n) AS k) keys
  WHERE k <> ALL (public.audit_excluded_columns()) AND coalesce(o -> k, 'null') IS DISTINCT FROM coalesce(n -> k, 'null'); -- absent = JSON null: an INSERT lists only the values set
  IF TG_OP = 'UPDATE' AND diff = '{}'::jsonb THEN
    RETURN NULL; -- nothing audited changed (e.g. only updated_at)
  END IF;
  SELECT string_agg(r ->> a, '/' ORDER BY ord) INTO pk FROM unnest(TG_ARGV) WITH ORDINALITY AS t(a, ord);
  practice := CASE WHEN TG_TABLE_NAME = 'practices' THEN r ->> 'id' ELSE r ->> 'practice_id' END;
  BEGIN
    claims := nullif(current_setting('request.jwt.claims', true), '')::jsonb;
  EXCEPTION WHEN others THEN
    claims := NULL;
  END;
  -- No claims: the backend's system handle, writing for a signed-in caller (mdw.actor_id, set by
  -- the API after authentication) or for nobody (the worker, jobs: the system profile).
  sub := coalesce(claims ->> 'sub', nullif(current_setting('mdw.actor_id', true), ''));
  INSERT INTO public.audit_log (table_name, row_id, op, actor_id, actor_kind, db_role, request_id, workflow_id, practice_id, changed)
  VALUES (
    TG_TABLE_NAME, coalesce(pk, ''), TG_OP,
    CASE WHEN sub ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN sub::uuid ELSE '00000000-0000-0000-0000-000000000001'::uuid END,
    CASE WHEN sub IS NULL THEN 'system' ELSE 'user' END,
    session_user::text || CASE WHEN current_setting('role', true) NOT IN ('', 'none') THEN '>' || current_setting('role', true) ELSE '' END,
    nullif(current_setting('mdw.request_id', true), ''),
    nullif(current_setting('mdw.workflow_id', true), ''),
    CASE WHEN practice ~* '^[0-9a-f-]{36}$' THEN practice::uuid END,
    diff
  );
  RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION public.audit_row_change() FROM PUBLIC, anon;

/** Refuses UPDATE and DELETE of a log row unless an erasure's redaction function is running. */
CREATE OR REPLACE FUNCTION public.audit_guard()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    -- Only PHI may go, never the fact: every column but `changed` and `redacted_at` stays.
    IF current_setting('mdw.audit_redaction', true) = 'on'
       AND to_jsonb(NEW) - 'changed' - 'redacted_at' = to_jsonb(OLD) - 'changed' - 'redacted_at' THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = '42501';
END
$$;
DROP TRIGGER IF EXISTS audit_log_append_only ON public.audit_log;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON public.audit_log
  FOR EACH ROW EXECUTE FUNCTION public.audit_guard();
DROP TRIGGER IF EXISTS audit_log_no_truncate ON public.audit_log;
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON public.audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION public.audit_guard();

/** Tables that are not audited: the logs themselves, and caches of what is audited elsewhere. */
CREATE OR REPLACE FUNCTION public.audit_skipped_tables()
RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['audit_log', 'phi_access_log', 'schema_migrations', 'idempotency_keys', 'query_performance_log']
$$;

/**
 * Attaches the audit trigger to every table of `public` that lacks it, with its primary key
 * columns as arguments. The migration runner calls it after each run, so tables added by later
 * migrations are audited without each of them remembering to.
 */
CREATE OR REPLACE FUNCTION public.audit_attach_all()
RETURNS integer LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  t record;
  attached integer := 0;
BEGIN
  FOR t IN
    SELECT c.oid, c.relname,
           (SELECT string_agg(quote_literal(a.attname), ', ' ORDER BY k.ord)
              FROM pg_index i, unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
              JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
             WHERE i.indrelid = c.oid AND i.indisprimary) AS pk
      FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
     WHERE ns.nspname = 'public' AND c.relkind IN ('r', 'p')
       AND c.relname <> ALL (public.audit_skipped_tables())
       AND NOT c.relispartition
       AND NOT EXISTS (SELECT 1 FROM pg_trigger tg WHERE tg.tgrelid = c.oid AND tg.tgname = 'audit_row_change')
  LOOP
    EXECUTE format('CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE OR DELETE ON public.%I FOR EACH ROW EXECUTE FUNCTION public.audit_row_change(%s)',
                   t.relname, coalesce(t.pk, quote_literal('id')));
    attached := attached + 1;
  END LOOP;
  RETURN attached;
END
$$;
REVOKE EXECUTE ON FUNCTION public.audit_attach_all() FROM PUBLIC, anon, authenticated;

SELECT public.audit_attach_all();
