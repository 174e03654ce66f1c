-- 0036: recommendations per workflow template and practice (src/ai/recommendations/, issue 10 §5),
-- computed daily by a Temporal Schedule per template and whenever a case closes. Per practice,
-- because a lab-wide template serves many practices and each sees only its own numbers.
-- The per-case copies live in workflow_performance.ai_recommendations (on close) and
-- state_analytics.ai_recommendations (running cases: outcomes of similar past cases).
CREATE TABLE IF NOT EXISTS public.template_insights (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workflow_template_id  uuid NOT NULL REFERENCES public.workflow_templates(id) ON DELETE CASCADE,
  practice_id           uuid NOT NULL REFERENCES public.practices(id) ON DELETE CASCADE,
  recommendations       jsonb NOT NULL,
  cases_considered      integer NOT NULL CHECK (cases_considered >= 0),
  trigger               text NOT NULL CHECK (trigger IN ('schedule', 'case_closed')),
  idempotency_key       text UNIQUE,
  computed_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_template_insights_latest ON public.template_insights (workflow_template_id, practice_id, computed_at DESC);
CREATE INDEX IF NOT EXISTS idx_template_insights_practice ON public.template_insights (practice_id);

ALTER TABLE public.template_insights ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.template_insights FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS template_insights_select ON public.template_insights;
CREATE POLICY template_insights_select ON public.template_insights
  FOR SELECT TO authenticated
  USING (practice_id = ANY (ARRAY(SELECT public.user_practice_ids())) OR (SELECT public.is_internal_admin()));
REVOKE ALL ON public.template_insights FROM anon, authenticated;
GRANT SELECT ON public.template_insights TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.template_insights TO service_role;
