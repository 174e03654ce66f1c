-- Analytics facts (issue 11, part 5): one row per task of a finished case, written with its
-- workflow_performance row (same transaction, same idempotency) and backfilled from the existing
-- rows here. The analytics questions aggregate plain indexed columns instead of unpacking the
-- jsonb of every finished case in the period (bench/analytics.bench.ts: the jsonb version took
-- most of its time in jsonb_array_elements).
CREATE TABLE IF NOT EXISTS public.task_runs (
  case_id              uuid NOT NULL,
  practice_id          uuid NOT NULL,
  workflow_template_id uuid NOT NULL,
  task_id              text NOT NULL,
  name                 text NOT NULL,
  outcome              text NOT NULL,                 -- the case's: completed | cancelled
  finished_at          timestamptz NOT NULL,          -- when the case finished
  planned_ms           float8,
  actual_ms            float8,
  on_time              boolean,
  reworks              integer NOT NULL DEFAULT 0,
  kind                 text,                          -- automatic | external | decision (NULL: recorded before 0043's workflow)
  lab                  boolean,                       -- the task awaited the lab's role (technician)
  queue_ms             float8,                        -- of actual_ms, before a claim
  PRIMARY KEY (case_id, task_id),
  FOREIGN KEY (case_id, practice_id) REFERENCES public.cases (id, practice_id) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS idx_task_runs_practice_finished ON public.task_runs (practice_id, finished_at);
CREATE INDEX IF NOT EXISTS idx_task_runs_finished ON public.task_runs (finished_at);

ALTER TABLE public.task_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.task_runs FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS "Enable all access for admin users" ON public.task_runs;
CREATE POLICY "Enable all access for admin users" ON public.task_runs AS PERMISSIVE FOR ALL TO authenticated
  USING ((SELECT public.is_internal_admin())) WITH CHECK ((SELECT public.is_internal_admin()));
DROP POLICY IF EXISTS task_runs_select ON public.task_runs;
CREATE POLICY task_runs_select ON public.task_runs FOR SELECT TO authenticated
  USING (practice_id = ANY (ARRAY(SELECT public.user_practice_ids())) OR (SELECT public.is_lab_staff()));
REVOKE ALL ON public.task_runs FROM anon, authenticated;
GRANT SELECT ON public.task_runs TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.task_runs TO service_role;

-- Facts of one workflow_performance row (used by the backfill and by the trigger below).
CREATE OR REPLACE FUNCTION public.task_runs_of(wp public.workflow_performance)
RETURNS SETOF public.task_runs
LANGUAGE sql STABLE SET search_path = '' AS $$
  SELECT wp.case_id, wp.practice_id, wp.workflow_template_id, x->>'taskId', coalesce(x->>'name', x->>'taskId'),
         coalesce(wp.task_performance->>'outcome', 'completed'), wp.created_at,
         (x->>'plannedMs')::float8, (x->>'actualMs')::float8, (x->>'onTime')::boolean, coalesce((x->>'reworks')::int, 0),
         x->>'kind', CASE WHEN x ? 'roles' THEN (x->'roles') ? 'technician' END, (x->>'queueMs')::float8
    FROM jsonb_array_elements(coalesce(wp.task_performance->'tasks', '[]'::jsonb)) x
   WHERE x ? 'taskId'
$$;

-- Written by a trigger, so every writer of workflow_performance (the workflow's activity, a
-- migration, a seed) keeps the facts in step, in the same transaction.
CREATE OR REPLACE FUNCTION public.write_task_runs()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  INSERT INTO public.task_runs SELECT * FROM public.task_runs_of(NEW) ON CONFLICT (case_id, task_id) DO NOTHING;
  RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER write_task_runs AFTER INSERT ON public.workflow_performance
  FOR EACH ROW EXECUTE FUNCTION public.write_task_runs();

INSERT INTO public.task_runs
  SELECT r.* FROM public.workflow_performance wp CROSS JOIN LATERAL public.task_runs_of(wp) r
ON CONFLICT (case_id, task_id) DO NOTHING;
