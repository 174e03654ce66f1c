-- The inbox from PostgreSQL. With every event that changes them, the case workflow persists the
-- tasks that await people: one row per (case, task, role) in awaiting_tasks, written in the same
-- transaction as the event. An inbox is then one ordered index scan under RLS, consistent with
-- the case as soon as a decision has answered -- instead of a Temporal visibility search
-- (eventually consistent) and one workflow query per case found.
--
-- cases.awaiting_seq is the workflow's event sequence number of the last write: an older event
-- delivered late (a retried activity attempt) cannot overwrite a newer list.
ALTER TABLE public.cases ADD COLUMN IF NOT EXISTS awaiting_seq integer;

CREATE TABLE IF NOT EXISTS public.awaiting_tasks (
  case_id         uuid NOT NULL,
  practice_id     uuid NOT NULL,
  task_id         text NOT NULL,
  role            public.practice_role NOT NULL,  -- one of the task's required roles (enum: the join's = stays leakproof under RLS)
  task_name       text NOT NULL,
  task_kind       text NOT NULL CHECK (task_kind IN ('external', 'decision')),
  required_roles  text[] NOT NULL,
  due_at          timestamptz,
  overdue         boolean NOT NULL DEFAULT false,
  priority        public.priority_level NOT NULL,   -- copies of the case's, for the index order
  case_created_at timestamptz NOT NULL,
  PRIMARY KEY (case_id, task_id, role),
  FOREIGN KEY (case_id, practice_id) REFERENCES public.cases (id, practice_id) ON DELETE CASCADE
);

-- "My inbox in this practice as this role": most urgent first, then oldest.
CREATE INDEX IF NOT EXISTS idx_awaiting_tasks_inbox
  ON public.awaiting_tasks (practice_id, role, priority DESC, case_created_at, case_id);

ALTER TABLE public.awaiting_tasks ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.awaiting_tasks FORCE ROW LEVEL SECURITY;
-- Members read their practices' rows; only the workflow (system handle) writes them.
DROP POLICY IF EXISTS awaiting_tasks_select ON public.awaiting_tasks;
CREATE POLICY awaiting_tasks_select ON public.awaiting_tasks
  FOR SELECT TO authenticated
  USING (practice_id = ANY (ARRAY(SELECT public.user_practice_ids())) OR (SELECT public.is_internal_admin()));
REVOKE ALL ON public.awaiting_tasks FROM anon, authenticated;
GRANT SELECT ON public.awaiting_tasks TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.awaiting_tasks TO service_role;

-- The caller's inbox: tasks awaiting a role they hold, in their practices (or one of them), most
-- urgent first, then oldest. SECURITY DEFINER for the same reason as 0013: under RLS the join on
-- the role (enum equality is not leakproof) could not be an index condition, and every awaiting
-- row of the practice was read to keep a page (55-65 ms for 13k awaiting cases). Here each
-- membership is one ordered index range that stops at the limit. Rows of the caller's own
-- memberships only: what the awaiting_tasks policy would show them, restricted to their roles.
CREATE OR REPLACE FUNCTION public.inbox_tasks(p_practice_id uuid DEFAULT NULL, p_limit integer DEFAULT 50)
RETURNS SETOF public.awaiting_tasks
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT a.*
    FROM public.practice_members m
    CROSS JOIN LATERAL (
      SELECT t.* FROM public.awaiting_tasks t
       WHERE t.practice_id = m.practice_id AND t.role = m.role
       ORDER BY t.priority DESC, t.case_created_at, t.case_id, t.task_id
       LIMIT greatest(p_limit, 0)
    ) a
   WHERE m.profile_id = (SELECT auth.uid())
     AND (p_practice_id IS NULL OR m.practice_id = p_practice_id)
   ORDER BY a.priority DESC, a.case_created_at, a.case_id, a.task_id
   LIMIT greatest(p_limit, 0)
$$;
REVOKE EXECUTE ON FUNCTION public.inbox_tasks(uuid, integer) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.inbox_tasks(uuid, integer) TO authenticated, service_role;
