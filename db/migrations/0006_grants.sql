-- 0006_grants.sql
--
-- Privileges. RLS (0005) decides which rows; these grants decide which
-- tables and functions at all.
--   authenticated, service_role: SELECT/INSERT/UPDATE/DELETE on the tables of
--     schema public (service_role bypasses RLS).
--   anon: nothing (Supabase's default privileges would otherwise give anon
--     every new table).
--   case_dashboard (materialized view, no RLS): service_role only; members
--     read case_dashboard_secure.

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO authenticated, service_role;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO authenticated, service_role;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM anon;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM anon;

ALTER DEFAULT PRIVILEGES IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM anon;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM anon;

-- The migration runner's bookkeeping table is not application data.
DO $do$
BEGIN
  IF to_regclass('public.schema_migrations') IS NOT NULL THEN
    REVOKE ALL ON public.schema_migrations FROM anon, authenticated;
  END IF;
END
$do$;

-- Dashboard: the materialized view bypasses RLS, so only the filtered view is
-- exposed to users, and only for reading.
REVOKE ALL ON public.case_dashboard FROM PUBLIC, anon, authenticated;
GRANT SELECT ON public.case_dashboard TO service_role;
REVOKE ALL ON public.case_dashboard_secure FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.case_dashboard_secure TO authenticated, service_role;

-- Functions: EXECUTE is granted to PUBLIC by default (and to anon by
-- Supabase's default privileges); restrict ours.
REVOKE EXECUTE ON FUNCTION
  public.user_practice_ids(),
  public.user_managed_practice_ids(),
  public.is_internal_admin(),
  public.search_cases_semantic(vector, uuid, double precision, integer),
  public.search_messages_semantic(vector, uuid, double precision, integer),
  public.search_patients_semantic(vector, uuid, double precision, integer),
  public.refresh_case_dashboard()
FROM PUBLIC, anon;

GRANT EXECUTE ON FUNCTION
  public.user_practice_ids(),
  public.user_managed_practice_ids(),
  public.is_internal_admin(),
  public.search_cases_semantic(vector, uuid, double precision, integer),
  public.search_messages_semantic(vector, uuid, double precision, integer),
  public.search_patients_semantic(vector, uuid, double precision, integer)
TO authenticated, service_role;

-- Refreshing the dashboard is the scheduler's job (service_role), not a user's.
REVOKE EXECUTE ON FUNCTION public.refresh_case_dashboard() FROM authenticated;
GRANT EXECUTE ON FUNCTION public.refresh_case_dashboard() TO service_role;

-- Trigger functions are not callable directly anyway; keep anon off them.
REVOKE EXECUTE ON FUNCTION
  public.set_updated_at(),
  public.set_practice_id_from_case(),
  public.set_practice_id_from_patient(),
  public.set_practice_id_from_order(),
  public.set_practice_id_from_message(),
  public.set_practice_id_from_project(),
  public.set_workflow_template_family(),
  public.validate_case_workflow_template(),
  public.protect_profile_role(),
  public.log_slow_queries()
FROM anon;
