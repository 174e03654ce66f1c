-- Bulk loads audited by a summary (issue 9, performance): the legacy migration writes millions of
-- rows in a few statements per table, and the per-row audit (0027: ~3 audit rows per legacy row,
-- each a jsonb image) was its biggest cost. A registered bulk load writes, instead of one audit
-- row per row, ONE audit row per table and operation per transaction: table, op, actor (the
-- system profile), db role, and in `changed` {"bulk": {rows, run_id, actor, started_at}}.
-- legacy_id_map keeps every legacy row's fate (target row, disposition, reason, run_id), so the
-- audit still says who wrote what, when and in which run (db/README.md "Bulk loads").
--
-- Safety: switching the per-row audit off takes a row in audit_bulk_loads for the current
-- transaction and backend, which only audit_bulk_begin() writes, and only its owner (the
-- migration role) may execute it. The setting mdw.audit_bulk is a hint that any session can set;
-- without the row it changes nothing (test/foundation/audit-bulk.test.ts: an `authenticated`
-- session that sets it is audited row by row). audit_bulk_end() writes the summary rows and
-- deletes the registration in the same transaction as the data: a rolled-back load leaves
-- neither data nor summary.
--
-- The embedding queue's insert triggers (0030) become statement-level too: one INSERT … SELECT
-- per statement from its transition table instead of one INSERT (and one statement-level audit
-- of embedding_queue) per inserted row. The update triggers stay row-level (their WHEN compares
-- old and new texts).

CREATE TABLE IF NOT EXISTS public.audit_bulk_loads (
  xact       xid8 PRIMARY KEY,           -- the transaction the bulk mode holds for (never reused)
  pid        integer NOT NULL,           -- and its backend
  run_id     uuid NOT NULL,              -- e.g. the legacy migration run
  actor      text NOT NULL,              -- what is loading ('legacy-migration')
  counts     jsonb NOT NULL DEFAULT '{}', -- {"table:OP": rows}
  started_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
ALTER TABLE public.audit_bulk_loads ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.audit_bulk_loads FORCE ROW LEVEL SECURITY;
REVOKE ALL ON public.audit_bulk_loads FROM PUBLIC, anon, authenticated, service_role;

-- Not audited itself (its rows live for one transaction; the summary is the audit).
CREATE OR REPLACE FUNCTION public.audit_skipped_tables()
RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['audit_log', 'phi_access_log', 'schema_migrations', 'idempotency_keys', 'query_performance_log', 'audit_bulk_loads']
$$;
DO $$
BEGIN
  EXECUTE 'DROP TRIGGER IF EXISTS audit_row_change ON public.audit_bulk_loads';
  EXECUTE 'DROP TRIGGER IF EXISTS audit_row_change_update ON public.audit_bulk_loads';
  EXECUTE 'DROP TRIGGER IF EXISTS audit_row_change_delete ON public.audit_bulk_loads';
END
$$;

CREATE OR REPLACE FUNCTION public.audit_statement_change()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  claims jsonb;
  sub text;
  excluded text[];
  actor uuid;
  kind text;
  dbrole text;
  req text := nullif(current_setting('mdw.request_id', true), '');
  wf text := nullif(current_setting('mdw.workflow_id', true), '');
  practice_col text := CASE WHEN TG_TABLE_NAME = 'practices' THEN 'id' ELSE 'practice_id' END;
  bulk text := nullif(current_setting('mdw.audit_bulk', true), '');
  n bigint;
BEGIN
  -- A registered bulk load (0061): count the rows towards its summary instead. The setting alone
  -- does nothing: only a transaction that audit_bulk_begin() registered (owner only) matches.
  IF bulk IS NOT NULL THEN
    IF TG_OP = 'DELETE' THEN SELECT count(*) INTO n FROM audit_old; ELSE SELECT count(*) INTO n FROM audit_new; END IF;
    UPDATE public.audit_bulk_loads b
       SET counts = jsonb_set(b.counts, ARRAY[TG_TABLE_NAME || ':' || TG_OP], to_jsonb(coalesce((b.counts ->> (TG_TABLE_NAME || ':' || TG_OP))::bigint, 0) + n))
     WHERE b.xact = pg_catalog.pg_current_xact_id() AND b.pid = pg_catalog.pg_backend_pid() AND b.run_id::text = bulk;
    IF FOUND THEN
      RETURN NULL;
    END IF;
  END IF;
  excluded := public.audit_excluded_columns();
  -- Not a BEGIN … EXCEPTION block as in 0050: that is a subtransaction per statement.
  claims := CASE WHEN pg_input_is_valid(current_setting('request.jwt.claims', true), 'jsonb') THEN nullif(current_setting('request.jwt.claims', true), '')::jsonb END;
  sub := coalesce(claims ->> 'sub', nullif(current_setting('mdw.actor_id', true), ''));
  actor := CASE WHEN sub ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN sub::uuid ELSE '00000000-0000-0000-0000-000000000001'::uuid END;
  kind := CASE WHEN sub IS NULL THEN 'system' ELSE 'user' END;
  dbrole := session_user::text || CASE WHEN current_setting('role', true) NOT IN ('', 'none') THEN '>' || current_setting('role', true) ELSE '' END;

  IF TG_OP = 'INSERT' THEN
    INSERT INTO public.audit_log (table_name, row_id, op, actor_id, actor_kind, db_role, request_id, workflow_id, practice_id, changed)
    SELECT TG_TABLE_NAME,
      coalesce(CASE WHEN TG_NARGS = 1 THEN x.n ->> TG_ARGV[0] ELSE (SELECT string_agg(x.n ->> a, '/' ORDER BY ord) FROM unnest(TG_ARGV) WITH ORDINALITY AS u(a, ord)) END, ''), 'INSERT', actor, kind, dbrole, req, wf,
      CASE WHEN x.n ->> practice_col ~* '^[0-9a-f-]{36}$' THEN (x.n ->> practice_col)::uuid END, d.diff
    FROM (SELECT to_jsonb(t) AS n FROM audit_new t) x
    CROSS JOIN LATERAL (
      SELECT coalesce(jsonb_object_agg(e.key, jsonb_build_array(NULL::jsonb, e.value)), '{}'::jsonb) AS diff
      FROM jsonb_each(x.n) AS e
      WHERE e.value <> 'null' AND e.key <> ALL (excluded)) d;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO public.audit_log (table_name, row_id, op, actor_id, actor_kind, db_role, request_id, workflow_id, practice_id, changed)
    SELECT TG_TABLE_NAME,
      coalesce(CASE WHEN TG_NARGS = 1 THEN x.o ->> TG_ARGV[0] ELSE (SELECT string_agg(x.o ->> a, '/' ORDER BY ord) FROM unnest(TG_ARGV) WITH ORDINALITY AS u(a, ord)) END, ''), 'DELETE', actor, kind, dbrole, req, wf,
      CASE WHEN x.o ->> practice_col ~* '^[0-9a-f-]{36}$' THEN (x.o ->> practice_col)::uuid END, d.diff
    FROM (SELECT to_jsonb(t) AS o FROM audit_old t) x
    CROSS JOIN LATERAL (
      SELECT coalesce(jsonb_object_agg(e.key, jsonb_build_array(e.value, NULL::jsonb)), '{}'::jsonb) AS diff
      FROM jsonb_each(x.o) AS e
      WHERE e.value <> 'null' AND e.key <> ALL (excluded)) d;
  ELSE
    -- Old and new rows pair by position: PostgreSQL appends both images of each updated row to
    -- the two transition tables together, so the n-th old row is the n-th new row's (a primary
    -- key may itself have changed, so it cannot be the join key).
    INSERT INTO public.audit_log (table_name, row_id, op, actor_id, actor_kind, db_role, request_id, workflow_id, practice_id, changed)
    SELECT TG_TABLE_NAME,
      coalesce(CASE WHEN TG_NARGS = 1 THEN x.n ->> TG_ARGV[0] ELSE (SELECT string_agg(x.n ->> a, '/' ORDER BY ord) FROM unnest(TG_ARGV) WITH ORDINALITY AS u(a, ord)) END, ''), 'UPDATE', actor, kind, dbrole, req, wf,
      CASE WHEN x.n ->> practice_col ~* '^[0-9a-f-]{36}$' THEN (x.n ->> practice_col)::uuid END, d.diff
    -- unnest() of two arrays zips them by position, in one pass (a join on row_number() over
    -- the two transition tables let the planner choose a nested loop: quadratic).
    FROM unnest(ARRAY(SELECT to_jsonb(t) FROM audit_old t), ARRAY(SELECT to_jsonb(t) FROM audit_new t)) AS x(o, n)
    CROSS JOIN LATERAL (
      SELECT jsonb_object_agg(e.key, jsonb_build_array(x.o -> e.key, e.value)) AS diff
      FROM jsonb_each(x.n) AS e -- old and new rows of one table have the same columns
      WHERE coalesce(x.o -> e.key, 'null') IS DISTINCT FROM e.value AND e.key <> ALL (excluded)) d
    WHERE d.diff IS NOT NULL; -- nothing audited changed (e.g. only updated_at): no row, as in 0050
  END IF;
  RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION public.audit_statement_change() FROM PUBLIC, anon;

/** Registers the current transaction as a bulk load (owner only): its writes are summarised. */
CREATE OR REPLACE FUNCTION public.audit_bulk_begin(p_run_id uuid, p_actor text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  INSERT INTO public.audit_bulk_loads (xact, pid, run_id, actor)
  VALUES (pg_catalog.pg_current_xact_id(), pg_catalog.pg_backend_pid(), p_run_id, p_actor)
  ON CONFLICT (xact) DO UPDATE SET run_id = EXCLUDED.run_id, actor = EXCLUDED.actor;
  PERFORM pg_catalog.set_config('mdw.audit_bulk', p_run_id::text, true);
END
$$;
REVOKE EXECUTE ON FUNCTION public.audit_bulk_begin(uuid, text) FROM PUBLIC, anon, authenticated, service_role;

/**
 * Ends the current transaction's bulk load: one audit_log row per table and operation it wrote
 * (row_id 'bulk:<run id>', practice NULL: lab admins read them), then the registration goes.
 * Returns the number of summary rows.
 */
CREATE OR REPLACE FUNCTION public.audit_bulk_end()
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  b public.audit_bulk_loads;
  written integer;
BEGIN
  DELETE FROM public.audit_bulk_loads WHERE xact = pg_catalog.pg_current_xact_id() AND pid = pg_catalog.pg_backend_pid() RETURNING * INTO b;
  IF NOT FOUND THEN
    RETURN 0;
  END IF;
  PERFORM pg_catalog.set_config('mdw.audit_bulk', '', true);
  INSERT INTO public.audit_log (table_name, row_id, op, actor_id, actor_kind, db_role, request_id, workflow_id, practice_id, changed)
  SELECT split_part(e.key, ':', 1), 'bulk:' || b.run_id, split_part(e.key, ':', 2), '00000000-0000-0000-0000-000000000001'::uuid, 'system',
    session_user::text || CASE WHEN current_setting('role', true) NOT IN ('', 'none') THEN '>' || current_setting('role', true) ELSE '' END,
    NULL, NULL, NULL,
    jsonb_build_object('bulk', jsonb_build_object('rows', e.value::bigint, 'run_id', b.run_id, 'actor', b.actor, 'started_at', b.started_at))
  FROM jsonb_each_text(b.counts) AS e
  WHERE e.value::bigint > 0
  ORDER BY e.key;
  GET DIAGNOSTICS written = ROW_COUNT;
  RETURN written;
END
$$;
REVOKE EXECUTE ON FUNCTION public.audit_bulk_end() FROM PUBLIC, anon, authenticated, service_role;

-- ---- the embedding queue at statement level -------------------------------------------------
CREATE OR REPLACE FUNCTION public.enqueue_embedding_statement()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  INSERT INTO public.embedding_queue (kind, source_id, practice_id)
  SELECT TG_ARGV[0], n.id, n.practice_id FROM embedding_new n
  ON CONFLICT (kind, source_id) DO UPDATE SET queued_at = clock_timestamp(), practice_id = EXCLUDED.practice_id;
  RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION public.enqueue_embedding_statement() FROM PUBLIC;

/** Patients are queued only with a clinical summary (0030's WHEN). */
CREATE OR REPLACE FUNCTION public.enqueue_patient_embedding_statement()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  INSERT INTO public.embedding_queue (kind, source_id, practice_id)
  SELECT 'patient', n.id, n.practice_id FROM embedding_new n WHERE n.clinical_summary IS NOT NULL
  ON CONFLICT (kind, source_id) DO UPDATE SET queued_at = clock_timestamp(), practice_id = EXCLUDED.practice_id;
  RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION public.enqueue_patient_embedding_statement() FROM PUBLIC;

DROP TRIGGER IF EXISTS enqueue_embedding_ins ON public.cases;
CREATE TRIGGER enqueue_embedding_ins AFTER INSERT ON public.cases REFERENCING NEW TABLE AS embedding_new
  FOR EACH STATEMENT EXECUTE FUNCTION public.enqueue_embedding_statement('case');
DROP TRIGGER IF EXISTS enqueue_embedding_ins ON public.case_messages;
CREATE TRIGGER enqueue_embedding_ins AFTER INSERT ON public.case_messages REFERENCING NEW TABLE AS embedding_new
  FOR EACH STATEMENT EXECUTE FUNCTION public.enqueue_embedding_statement('message');
DROP TRIGGER IF EXISTS enqueue_embedding_ins ON public.projects;
CREATE TRIGGER enqueue_embedding_ins AFTER INSERT ON public.projects REFERENCING NEW TABLE AS embedding_new
  FOR EACH STATEMENT EXECUTE FUNCTION public.enqueue_embedding_statement('project');
DROP TRIGGER IF EXISTS enqueue_embedding_ins ON public.patients;
CREATE TRIGGER enqueue_embedding_ins AFTER INSERT ON public.patients REFERENCING NEW TABLE AS embedding_new
  FOR EACH STATEMENT EXECUTE FUNCTION public.enqueue_patient_embedding_statement();
