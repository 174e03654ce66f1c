-- Seat appointment and "at risk" (issue 11, part 3).
--
-- cases.seat_date: when the patient is seated; cases.transit_days: shipping time to the practice.
-- The case workflow plans backward from them: a task's latest start = seat date − transit −
-- the remaining critical path (estimates scaled by priority). Slack = latest start − now for
-- the active tasks; below the threshold (CASE_AT_RISK_SLACK_HOURS) the case is at risk.
-- The workflow writes the columns below through one activity (recordCaseAtRisk); people change
-- the seat date through the workflow (the setSeatDate Update), never by writing the row.
ALTER TABLE public.cases ADD COLUMN IF NOT EXISTS seat_date timestamptz;
ALTER TABLE public.cases ADD COLUMN IF NOT EXISTS transit_days integer NOT NULL DEFAULT 0 CONSTRAINT cases_transit_days_check CHECK (transit_days BETWEEN 0 AND 60);
-- 'on_track' | 'at_risk' | 'pool' | 'lead' (see case_risk_events.level); NULL without a seat date.
ALTER TABLE public.cases ADD COLUMN IF NOT EXISTS risk_level text;
ALTER TABLE public.cases ADD COLUMN IF NOT EXISTS at_risk boolean NOT NULL DEFAULT false;
ALTER TABLE public.cases ADD COLUMN IF NOT EXISTS slack_minutes integer;
CREATE INDEX IF NOT EXISTS idx_cases_practice_at_risk ON public.cases (practice_id, seat_date) WHERE at_risk;

-- The inbox flag: every awaiting task of an at-risk case carries it (inbox_page filters on it).
-- recordCaseAtRisk updates the case's rows; rows inserted later copy the case's flag.
ALTER TABLE public.awaiting_tasks ADD COLUMN IF NOT EXISTS at_risk boolean NOT NULL DEFAULT false;

CREATE OR REPLACE FUNCTION public.awaiting_tasks_copy_at_risk()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  NEW.at_risk := coalesce((SELECT c.at_risk FROM public.cases c WHERE c.id = NEW.case_id), false);
  RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION public.awaiting_tasks_copy_at_risk() FROM PUBLIC, anon;
CREATE OR REPLACE TRIGGER awaiting_tasks_copy_at_risk BEFORE INSERT ON public.awaiting_tasks
  FOR EACH ROW EXECUTE FUNCTION public.awaiting_tasks_copy_at_risk();

-- Every change of a case's risk level, as the workflow saw it: the persisted event that
-- notifications hang on (one row per change, keyed by the workflow's idempotency key).
CREATE TABLE IF NOT EXISTS public.case_risk_events (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id         uuid NOT NULL,
  practice_id     uuid NOT NULL,
  level           text NOT NULL CHECK (level IN ('on_track', 'at_risk', 'pool', 'lead')),
  previous_level  text CHECK (previous_level IN ('on_track', 'at_risk', 'pool', 'lead')),
  seat_date       timestamptz,
  transit_days    integer NOT NULL DEFAULT 0,
  slack_minutes   integer,
  latest_start    timestamptz,
  task_ids        text[] NOT NULL DEFAULT '{}',
  -- Who is told: roles of the case's practice (or the lab's technician role) and profiles.
  notify_roles    text[] NOT NULL DEFAULT '{}',
  notify_profiles uuid[] NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL DEFAULT now(),
  idempotency_key text NOT NULL UNIQUE,
  FOREIGN KEY (case_id, practice_id) REFERENCES public.cases (id, practice_id) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS idx_case_risk_events_case ON public.case_risk_events (case_id, created_at);

ALTER TABLE public.case_risk_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.case_risk_events FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS "Enable all access for admin users" ON public.case_risk_events;
CREATE POLICY "Enable all access for admin users" ON public.case_risk_events AS PERMISSIVE FOR ALL TO authenticated
  USING ((SELECT public.is_internal_admin())) WITH CHECK ((SELECT public.is_internal_admin()));
DROP POLICY IF EXISTS case_risk_events_select ON public.case_risk_events;
CREATE POLICY case_risk_events_select ON public.case_risk_events FOR SELECT TO authenticated
  USING (practice_id = ANY (ARRAY(SELECT public.user_practice_ids())) OR (SELECT public.is_lab_staff()));
-- Only the workflow writes it (as the owner); signed-in users read.
REVOKE ALL ON public.case_risk_events FROM anon, authenticated;
GRANT SELECT ON public.case_risk_events TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.case_risk_events TO service_role;

-- inbox_page() of 0041 with the at-risk filter (p_at_risk, last, so positional callers keep
-- working). Its rows are awaiting_tasks, so they carry at_risk. Dropped first: a new parameter
-- makes a new overload, and two would make calls ambiguous.
DROP FUNCTION IF EXISTS public.inbox_page(text, uuid, public.priority_level, timestamptz, boolean, public.priority_level, timestamptz, uuid, text, integer);
CREATE OR REPLACE FUNCTION public.inbox_page(
  p_view text,
  p_practice_id uuid DEFAULT NULL,
  p_priority public.priority_level DEFAULT NULL,
  p_due_before timestamptz DEFAULT NULL,
  p_overdue boolean DEFAULT NULL,
  p_after_priority public.priority_level DEFAULT NULL,
  p_after_created timestamptz DEFAULT NULL,
  p_after_case uuid DEFAULT NULL,
  p_after_task text DEFAULT NULL,
  p_limit integer DEFAULT 50,
  p_at_risk boolean DEFAULT NULL
)
RETURNS SETOF public.awaiting_tasks
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  me constant uuid := (SELECT auth.uid());
  lab constant boolean := public.is_lab_staff();
  n constant integer := greatest(least(p_limit, 500), 0);
BEGIN
  IF p_view = 'mine' THEN
    RETURN QUERY
      SELECT t.* FROM public.awaiting_tasks t
       WHERE t.assignee_id = me
         AND t.role::text = t.required_roles[1]            -- one row per task
         AND (lab OR t.practice_id = ANY (ARRAY(SELECT public.user_practice_ids())))
         AND (p_practice_id IS NULL OR t.practice_id = p_practice_id)
         AND (p_priority IS NULL OR t.priority = p_priority)
         AND (p_due_before IS NULL OR t.due_at <= p_due_before)
         AND (p_overdue IS NULL OR t.overdue = p_overdue)
         AND (p_at_risk IS NULL OR t.at_risk = p_at_risk)
         AND (p_after_priority IS NULL OR t.priority < p_after_priority
              OR (t.priority = p_after_priority AND (t.case_created_at, t.case_id, t.task_id) > (p_after_created, p_after_case, p_after_task)))
       ORDER BY t.priority DESC, t.case_created_at, t.case_id, t.task_id
       LIMIT n;
  ELSIF p_view = 'roles' THEN
    RETURN QUERY
      SELECT a.* FROM public.practice_members m
       CROSS JOIN LATERAL (
         SELECT t.* FROM public.awaiting_tasks t
          WHERE t.practice_id = m.practice_id AND t.role = m.role
            AND (t.assignee_id IS NULL OR t.assignee_id = me)
            AND (p_priority IS NULL OR t.priority = p_priority)
            AND (p_due_before IS NULL OR t.due_at <= p_due_before)
            AND (p_overdue IS NULL OR t.overdue = p_overdue)
            AND (p_at_risk IS NULL OR t.at_risk = p_at_risk)
            AND (p_after_priority IS NULL OR t.priority < p_after_priority
                 OR (t.priority = p_after_priority AND (t.case_created_at, t.case_id, t.task_id) > (p_after_created, p_after_case, p_after_task)))
          ORDER BY t.priority DESC, t.case_created_at, t.case_id, t.task_id
          LIMIT n
       ) a
       WHERE m.profile_id = me AND (p_practice_id IS NULL OR m.practice_id = p_practice_id)
       ORDER BY a.priority DESC, a.case_created_at, a.case_id, a.task_id
       LIMIT n;
  ELSIF p_view = 'lab' THEN
    IF NOT lab THEN
      RETURN;
    END IF;
    RETURN QUERY
      SELECT t.* FROM public.awaiting_tasks t
       WHERE t.role = 'technician'::public.practice_role
         AND (t.assignee_id IS NULL OR t.assignee_id = me)
         AND (p_practice_id IS NULL OR t.practice_id = p_practice_id)
         AND (p_priority IS NULL OR t.priority = p_priority)
         AND (p_due_before IS NULL OR t.due_at <= p_due_before)
         AND (p_overdue IS NULL OR t.overdue = p_overdue)
         AND (p_at_risk IS NULL OR t.at_risk = p_at_risk)
         AND (p_after_priority IS NULL OR t.priority < p_after_priority
              OR (t.priority = p_after_priority AND (t.case_created_at, t.case_id, t.task_id) > (p_after_created, p_after_case, p_after_task)))
       ORDER BY t.priority DESC, t.case_created_at, t.case_id, t.task_id
       LIMIT n;
  ELSE
    RAISE EXCEPTION 'unknown inbox view %', p_view USING ERRCODE = 'invalid_parameter_value';
  END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION public.inbox_page(text, uuid, public.priority_level, timestamptz, boolean, public.priority_level, timestamptz, uuid, text, integer, boolean) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.inbox_page(text, uuid, public.priority_level, timestamptz, boolean, public.priority_level, timestamptz, uuid, text, integer, boolean) TO authenticated, service_role;
