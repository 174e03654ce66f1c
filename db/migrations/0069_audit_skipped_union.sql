-- 0061 (bulk-load audit) and 0065 (analytics rollups) were written in parallel and each
-- redefined audit_skipped_tables() with its own addition; 0065, running later, dropped 0061's
-- audit_bulk_loads. One list with both, and audit_bulk_loads' audit triggers removed again in
-- case audit_attach_all() attached them in between. Idempotent.
CREATE OR REPLACE FUNCTION public.audit_skipped_tables()
RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['audit_log', 'phi_access_log', 'schema_migrations', 'idempotency_keys', 'query_performance_log',
               'audit_bulk_loads',
               'analytics_weekly_cases', 'analytics_weekly_tasks', 'analytics_weekly_reasons', 'analytics_stale_weeks']
$$;
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['audit_row_change', 'audit_row_change_update', 'audit_row_change_delete'] LOOP
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON public.audit_bulk_loads', t);
  END LOOP;
END
$$;
