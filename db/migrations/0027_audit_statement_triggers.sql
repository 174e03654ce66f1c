-- The audit of every write (0050), at statement level: the same audit_log rows, written by one
-- INSERT … SELECT per statement over its transition tables instead of one PL/pgSQL call and one
-- INSERT per row. bench:trust measured 0050's row-level trigger making bulk inserts 3.47× slower;
-- the legacy migration writes millions of rows in a handful of statements.
--
-- Content is 0050's, column for column: table, primary key ('/'-joined), op, actor (JWT `sub`,
-- else `mdw.actor_id`, else the system profile), db role, request / workflow id, practice,
-- changed columns {"col": [old, new]} without audit_excluded_columns(); an UPDATE that changed
-- nothing audited leaves no row. Settings are read once per statement: they cannot change
-- within one.
--
-- PostgreSQL allows transition tables only on single-event triggers, so each table gets three:
-- `audit_row_change` (AFTER INSERT; it keeps 0050's name, which 0050's audit_attach_all() and
-- its users look for), `audit_row_change_update` and `audit_row_change_delete`.
--
-- Numbered before 0050 (this engineer's numbers), so on a fresh database 0050 runs after this
-- file and attaches its row-level trigger; the migration runner (src/db/migrate.ts) calls
-- audit_attach_statement() after audit_attach_all() at the end of every run, which replaces
-- row-level triggers with these. On a database that already has 0050 this file converts at once.

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
BEGIN
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

/**
 * Gives every audited table (0050's audit_attach_all() criteria) the three statement-level
 * triggers, replacing a row-level `audit_row_change` where 0050 (or a later run of
 * audit_attach_all() for a new table) put one. Returns the number of tables converted.
 */
CREATE OR REPLACE FUNCTION public.audit_attach_statement()
RETURNS integer LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  t record;
  converted integer := 0;
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
       AND NOT EXISTS (SELECT 1 FROM pg_trigger tg WHERE tg.tgrelid = c.oid AND tg.tgname = 'audit_row_change_update')
  LOOP
    EXECUTE format('DROP TRIGGER IF EXISTS audit_row_change ON public.%I', t.relname);
    EXECUTE format('CREATE TRIGGER audit_row_change AFTER INSERT ON public.%I REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION public.audit_statement_change(%s)',
                   t.relname, coalesce(t.pk, quote_literal('id')));
    EXECUTE format('CREATE TRIGGER audit_row_change_update AFTER UPDATE ON public.%I REFERENCING OLD TABLE AS audit_old NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION public.audit_statement_change(%s)',
                   t.relname, coalesce(t.pk, quote_literal('id')));
    EXECUTE format('CREATE TRIGGER audit_row_change_delete AFTER DELETE ON public.%I REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION public.audit_statement_change(%s)',
                   t.relname, coalesce(t.pk, quote_literal('id')));
    converted := converted + 1;
  END LOOP;
  RETURN converted;
END
$$;
REVOKE EXECUTE ON FUNCTION public.audit_attach_statement() FROM PUBLIC, anon, authenticated;

-- A database that already has 0050 converts now; a fresh one when the runner finishes (above).
DO $$
BEGIN
  IF to_regprocedure('public.audit_skipped_tables()') IS NOT NULL AND to_regprocedure('public.audit_excluded_columns()') IS NOT NULL THEN
    PERFORM public.audit_attach_statement();
  END IF;
END
$$;
