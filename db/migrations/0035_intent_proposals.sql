-- 0035: proposals of workflow changes read from case messages (src/ai/intent/, issue 10 §4).
-- A posted message whose intent maps to something the case's workflow can do now (approve the
-- task awaiting a doctor, hold, resume, cancel) gets one proposal. A person with a role in
-- allowed_roles confirms it (a Workflow Update with that person as actor and the message as
-- evidence) or dismisses it; a practice may opt in to auto-apply (practices.settings.ai).
-- The message's own classification (intent, confidence, evidence) is in case_messages.metadata.
-- Members read their practices' proposals; only the backend writes them (system handle).

CREATE TABLE IF NOT EXISTS public.intent_proposals (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  message_id     uuid NOT NULL,
  case_id        uuid NOT NULL,
  practice_id    uuid NOT NULL REFERENCES public.practices(id) ON DELETE CASCADE,
  intent         text NOT NULL CHECK (intent IN ('approved', 'on_hold', 'resume', 'cancelled')),
  action         text NOT NULL CHECK (action IN ('approve', 'hold', 'resume', 'cancel')),
  task_id        text,                                   -- the decision task an 'approve' answers
  -- Who may confirm or dismiss: practice roles, as text[] (node-postgres returns enum arrays as
  -- unparsed strings), checked against the enum's values.
  allowed_roles  text[] NOT NULL CHECK (allowed_roles <@ ARRAY['owner', 'doctor', 'technician', 'assistant', 'admin']),
  confidence     numeric(4,3) NOT NULL CHECK (confidence BETWEEN 0 AND 1),
  evidence       jsonb NOT NULL DEFAULT '[]'::jsonb,
  model          text,
  status         text NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'confirmed', 'dismissed', 'auto_applied', 'failed')),
  decided_by     uuid REFERENCES public.profiles(id) ON DELETE SET NULL,
  decided_at     timestamptz,
  outcome        text,                                   -- the workflow's refusal, or a dismissal note
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT intent_proposals_message_key UNIQUE (message_id),
  CONSTRAINT intent_proposals_decided CHECK ((status = 'pending') = (decided_at IS NULL)),
  CONSTRAINT intent_proposals_approve_task CHECK ((action = 'approve') = (task_id IS NOT NULL)),
  FOREIGN KEY (message_id, practice_id) REFERENCES public.case_messages (id, practice_id) ON UPDATE CASCADE ON DELETE CASCADE,
  FOREIGN KEY (case_id, practice_id) REFERENCES public.cases (id, practice_id) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS idx_intent_proposals_case ON public.intent_proposals (case_id, created_at DESC);
CREATE INDEX IF NOT EXISTS idx_intent_proposals_practice_pending ON public.intent_proposals (practice_id, created_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS idx_intent_proposals_decided_by ON public.intent_proposals (decided_by);

DROP TRIGGER IF EXISTS set_updated_at ON public.intent_proposals;
CREATE TRIGGER set_updated_at BEFORE UPDATE ON public.intent_proposals
  FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

ALTER TABLE public.intent_proposals ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.intent_proposals FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS intent_proposals_select ON public.intent_proposals;
CREATE POLICY intent_proposals_select ON public.intent_proposals
  FOR SELECT TO authenticated
  USING (practice_id = ANY (ARRAY(SELECT public.user_practice_ids())) OR (SELECT public.is_internal_admin()));
REVOKE ALL ON public.intent_proposals FROM anon, authenticated;
GRANT SELECT ON public.intent_proposals TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.intent_proposals TO service_role;
