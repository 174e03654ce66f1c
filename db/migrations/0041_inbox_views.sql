-- Personal assignment and the three inboxes (issue 11, part 2).
--
-- The case workflow holds each task's assignee (a validated Workflow Update) and persists it with
-- the awaiting tasks: awaiting_tasks.assignee_id, on every role row of the task.
--
-- inbox_page() serves three views, each one ordered index range with keyset pagination over
-- (priority DESC, case_created_at, case_id, task_id) and the filters practice, priority, due
-- before, overdue:
--   'mine'  tasks assigned to the caller (in practices they belong to, or any for lab staff);
--   'roles' tasks awaiting the caller's role in each practice they belong to, unassigned or theirs;
--   'lab'   for lab staff: tasks awaiting the lab's role (technician) across every client
--           practice, unassigned or theirs; nothing for anybody else.
-- SECURITY DEFINER for the reason of 0014 (inbox_tasks): the role join cannot be an index
-- condition under RLS. It shows the caller only rows the awaiting_tasks policies would.
ALTER TABLE public.awaiting_tasks ADD COLUMN IF NOT EXISTS assignee_id uuid REFERENCES public.profiles (id) ON DELETE SET NULL;

CREATE INDEX IF NOT EXISTS idx_awaiting_tasks_assignee
  ON public.awaiting_tasks (assignee_id, priority DESC, case_created_at, case_id, task_id) WHERE assignee_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_awaiting_tasks_lab
  ON public.awaiting_tasks (role, priority DESC, case_created_at, case_id, task_id);

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
  p_limit integer DEFAULT 50
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
         AND (p_after_priority IS NULL OR t.priority < p_after_priority
              OR (t.priority = p_after_priority AND (t.case_created_at, t.case_id, t.task_id) > (p_after_created, p_after_case, p_after_task)))
       ORDER BY t.priority DESC, t.case_created_at, t.case_id, t.task_id
       LIMIT n;
  ELSE
    RAISE EXCEPTION 'unknown inbox view %', p_view USING ERRCODE = 'invalid_parameter_value';
  END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION public.inbox_page(text, uuid, public.priority_level, timestamptz, boolean, public.priority_level, timestamptz, uuid, text, integer) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.inbox_page(text, uuid, public.priority_level, timestamptz, boolean, public.priority_level, timestamptz, uuid, text, integer) TO authenticated, service_role;
