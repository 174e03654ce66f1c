-- 0004_case_dashboard.sql
--
-- The case dashboard. Defects of the design document fixed here:
--  * COUNT(cm.id) and COUNT(cf.id) through two LEFT JOINs counted the cross
--    product (a case with 3 messages and 2 files showed 6 and 6): messages and
--    files are aggregated in separate subqueries.
--  * The view lacked practice_id (and patient_id, case_type,
--    assigned_practitioner_id, updated_at), so it could not be filtered per
--    practice.
--  * REFRESH ... CONCURRENTLY requires a UNIQUE index: case_dashboard_id_key.
--  * refresh_case_dashboard() was a trigger function (RETURNS trigger); a
--    refresh per written row would be a denial of service. It is a plain
--    function the application calls on a schedule.
--  * A materialized view ignores RLS: SELECT on it is revoked from
--    anon/authenticated (0006) and members read case_dashboard_secure, a
--    security-barrier view that filters by the caller's practices.

CREATE MATERIALIZED VIEW IF NOT EXISTS public.case_dashboard AS
SELECT
  c.id,
  c.practice_id,
  c.patient_id,
  pt.patient_number,
  c.case_number,
  c.title,
  c.case_type,
  c.current_state,
  c.priority,
  c.assigned_practitioner_id,
  c.workflow_template_id,
  c.due_at,
  c.is_overdue,
  c.closed_at,
  c.created_at,
  c.updated_at,
  p.first_name || ' ' || p.last_name   AS patient_name,
  pr.first_name || ' ' || pr.last_name AS practitioner_name,
  coalesce(m.message_count, 0)::bigint AS message_count,
  coalesce(f.file_count, 0)::bigint    AS file_count,
  m.last_message_at
FROM public.cases c
JOIN public.patients pt ON pt.id = c.patient_id
JOIN public.profiles p ON p.id = pt.profile_id
LEFT JOIN public.practitioners prac ON prac.id = c.assigned_practitioner_id
LEFT JOIN public.profiles pr ON pr.id = prac.profile_id
LEFT JOIN (
  SELECT cm.case_id, count(*) AS message_count, max(cm.created_at) AS last_message_at
  FROM public.case_messages cm
  GROUP BY cm.case_id
) m ON m.case_id = c.id
LEFT JOIN (
  SELECT cf.case_id, count(*) AS file_count
  FROM public.case_files cf
  GROUP BY cf.case_id
) f ON f.case_id = c.id
WITH DATA;

CREATE UNIQUE INDEX IF NOT EXISTS case_dashboard_id_key ON public.case_dashboard (id);
CREATE INDEX IF NOT EXISTS idx_case_dashboard_practice_created
  ON public.case_dashboard (practice_id, created_at DESC, id DESC);

-- Called by the application on a schedule (e.g. every minute), never per row.
-- SECURITY DEFINER: REFRESH requires ownership of the view.
CREATE OR REPLACE FUNCTION public.refresh_case_dashboard()
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public
AS $$
BEGIN
  REFRESH MATERIALIZED VIEW CONCURRENTLY public.case_dashboard;
END
$$;

-- What members read: the rows of their practices (internal admins: all).
-- Not security_invoker: it runs with the owner's rights to read the
-- materialized view; security_barrier keeps callers' functions from seeing
-- rows before the filter.
CREATE OR REPLACE VIEW public.case_dashboard_secure
WITH (security_barrier = true) AS
SELECT d.*
FROM public.case_dashboard d
WHERE d.practice_id = ANY (ARRAY(SELECT public.user_practice_ids()))
   OR (SELECT public.is_internal_admin());
