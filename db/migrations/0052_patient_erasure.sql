-- Right to erasure (issue 12, section 3): legal holds, the practice's retention period for
-- clinical records, erasure requests (one durable Temporal workflow per patient runs them:
-- src/workflows/erasure.workflow.ts) and the certificate each completed erasure leaves.
--
-- Erasure anonymises rather than deletes the clinical skeleton (patient row, cases, states,
-- orders): ids, states and times stay, so analytics, the lab's order records and both logs keep
-- their facts, while every text, name, contact detail, file object and embedding goes. The audit
-- log keeps each event with its PHI values replaced (public.erasure_redact_audit, below, the
-- 0050 mechanism); phi_access_log holds ids only and stays as it is.

-- How long a practice keeps clinical records after the last treatment. Default 7 years: most US
-- states require adult dental/medical records for 5-7 years after the last visit (and HIPAA keeps
-- its own documentation 6 years), so 7 erases no earlier than the common state minimums allow;
-- a practice sets its own state's figure (PATCH /practices/{id}/retention). For minors the period
-- starts at their 18th birthday if that is later, as state rules for minors generally require.
ALTER TABLE public.practices ADD COLUMN IF NOT EXISTS clinical_retention_years integer NOT NULL DEFAULT 7;
DO $do$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conname = 'practices_clinical_retention_years_check') THEN
    ALTER TABLE public.practices ADD CONSTRAINT practices_clinical_retention_years_check CHECK (clinical_retention_years BETWEEN 0 AND 100);
  END IF;
END
$do$;

-- ---------------------------------------------------------------------------
-- Legal holds: while one is in force (lifted_at IS NULL) the patient cannot be erased. Placed and
-- lifted by the practice's owner or admin; the audit trigger records both (audit_attach_all).
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS public.legal_holds (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  patient_id   uuid NOT NULL,
  practice_id  uuid NOT NULL,
  reason       text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  placed_by    uuid NOT NULL REFERENCES public.profiles(id),
  placed_at    timestamptz NOT NULL DEFAULT now(),
  lifted_by    uuid REFERENCES public.profiles(id),
  lifted_at    timestamptz,
  lift_reason  text CHECK (length(lift_reason) <= 2000),
  CONSTRAINT legal_holds_lifted_check CHECK ((lifted_at IS NULL) = (lifted_by IS NULL)),
  CONSTRAINT legal_holds_patient_practice_fkey FOREIGN KEY (patient_id, practice_id)
    REFERENCES public.patients (id, practice_id) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS idx_legal_holds_patient ON public.legal_holds (patient_id, placed_at DESC);
CREATE INDEX IF NOT EXISTS idx_legal_holds_practice ON public.legal_holds (practice_id);

ALTER TABLE public.legal_holds ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.legal_holds FORCE ROW LEVEL SECURITY;
REVOKE ALL ON public.legal_holds FROM PUBLIC, anon, authenticated;
GRANT SELECT, INSERT, UPDATE ON public.legal_holds TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.legal_holds TO service_role;
DROP POLICY IF EXISTS legal_holds_select ON public.legal_holds;
CREATE POLICY legal_holds_select ON public.legal_holds FOR SELECT TO authenticated
  USING (practice_id IN (SELECT public.user_managed_practice_ids()) OR (SELECT public.is_internal_admin()));
DROP POLICY IF EXISTS legal_holds_insert ON public.legal_holds;
CREATE POLICY legal_holds_insert ON public.legal_holds FOR INSERT TO authenticated
  WITH CHECK (practice_id IN (SELECT public.user_managed_practice_ids()) AND placed_by = (SELECT auth.uid()) AND lifted_at IS NULL);
DROP POLICY IF EXISTS legal_holds_lift ON public.legal_holds;
CREATE POLICY legal_holds_lift ON public.legal_holds FOR UPDATE TO authenticated
  USING (practice_id IN (SELECT public.user_managed_practice_ids()) AND lifted_at IS NULL)
  WITH CHECK (practice_id IN (SELECT public.user_managed_practice_ids()) AND lifted_by = (SELECT auth.uid()));

/** A hold is placed once and lifted once: nothing but the lift columns ever changes. */
CREATE OR REPLACE FUNCTION public.legal_hold_guard()
RETURNS trigger LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
  IF OLD.lifted_at IS NOT NULL
     OR to_jsonb(NEW) - 'lifted_by' - 'lifted_at' - 'lift_reason' IS DISTINCT FROM to_jsonb(OLD) - 'lifted_by' - 'lifted_at' - 'lift_reason' THEN
    RAISE EXCEPTION 'a legal hold is only ever lifted, once' USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS legal_hold_guard ON public.legal_holds;
CREATE TRIGGER legal_hold_guard BEFORE UPDATE ON public.legal_holds
  FOR EACH ROW EXECUTE FUNCTION public.legal_hold_guard();

-- ---------------------------------------------------------------------------
-- Erasure requests. Ids only (no FK: the request and its certificate outlive what they name).
-- At most one open (pending/running) per patient; re-running after completion is a new row and a
-- new run of the patient's workflow id.
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS public.patient_erasures (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  patient_id      uuid NOT NULL,
  practice_id     uuid NOT NULL,
  requested_by    uuid NOT NULL,
  requested_at    timestamptz NOT NULL DEFAULT now(),
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'completed', 'refused')),
  workflow_id     text NOT NULL,
  refusal_code    text,
  refusal_reason  text,
  started_at      timestamptz,
  completed_at    timestamptz,
  -- Progress of the steps (counts only), so GET shows how far a running erasure got.
  progress        jsonb NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX IF NOT EXISTS patient_erasures_one_open ON public.patient_erasures (patient_id) WHERE status IN ('pending', 'running');
CREATE INDEX IF NOT EXISTS idx_patient_erasures_patient ON public.patient_erasures (patient_id, requested_at DESC);
CREATE INDEX IF NOT EXISTS idx_patient_erasures_practice ON public.patient_erasures (practice_id);

ALTER TABLE public.patient_erasures ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.patient_erasures FORCE ROW LEVEL SECURITY;
REVOKE ALL ON public.patient_erasures FROM PUBLIC, anon, authenticated;
GRANT SELECT, INSERT ON public.patient_erasures TO authenticated;
GRANT SELECT, INSERT, UPDATE ON public.patient_erasures TO service_role;
DROP POLICY IF EXISTS patient_erasures_select ON public.patient_erasures;
CREATE POLICY patient_erasures_select ON public.patient_erasures FOR SELECT TO authenticated
  USING (practice_id IN (SELECT public.user_managed_practice_ids()) OR (SELECT public.is_internal_admin()));
-- Only the practice's owner asks (the route checks the role too); the worker updates the row.
DROP POLICY IF EXISTS patient_erasures_insert ON public.patient_erasures;
CREATE POLICY patient_erasures_insert ON public.patient_erasures FOR INSERT TO authenticated
  WITH CHECK (requested_by = (SELECT auth.uid()) AND status = 'pending'
              AND EXISTS (SELECT 1 FROM public.practice_members pm WHERE pm.practice_id = patient_erasures.practice_id
                             AND pm.profile_id = (SELECT auth.uid()) AND pm.role = 'owner')
              AND EXISTS (SELECT 1 FROM public.patients p WHERE p.id = patient_id AND p.practice_id = patient_erasures.practice_id));

-- ---------------------------------------------------------------------------
-- Certificates: what was erased, when, at whose request. Append-only like the logs.
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS public.erasure_certificates (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  erasure_id    uuid NOT NULL UNIQUE REFERENCES public.patient_erasures(id),
  patient_id    uuid NOT NULL,
  practice_id   uuid NOT NULL,
  requested_by  uuid NOT NULL,
  requested_at  timestamptz NOT NULL,
  completed_at  timestamptz NOT NULL,
  erased        jsonb NOT NULL,   -- per category: how many rows, objects, vectors, histories
  retained      jsonb NOT NULL,   -- what stays, and why
  issued_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_erasure_certificates_patient ON public.erasure_certificates (patient_id);
ALTER TABLE public.erasure_certificates ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.erasure_certificates FORCE ROW LEVEL SECURITY;
REVOKE ALL ON public.erasure_certificates FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.erasure_certificates TO authenticated;
GRANT SELECT, INSERT ON public.erasure_certificates TO service_role;
DROP POLICY IF EXISTS erasure_certificates_select ON public.erasure_certificates;
CREATE POLICY erasure_certificates_select ON public.erasure_certificates FOR SELECT TO authenticated
  USING (practice_id IN (SELECT public.user_managed_practice_ids()) OR (SELECT public.is_internal_admin()));
DROP TRIGGER IF EXISTS erasure_certificates_append_only ON public.erasure_certificates;
CREATE TRIGGER erasure_certificates_append_only BEFORE UPDATE OR DELETE ON public.erasure_certificates
  FOR EACH ROW EXECUTE FUNCTION public.audit_guard();
DROP TRIGGER IF EXISTS erasure_certificates_no_truncate ON public.erasure_certificates;
CREATE TRIGGER erasure_certificates_no_truncate BEFORE TRUNCATE ON public.erasure_certificates
  FOR EACH STATEMENT EXECUTE FUNCTION public.audit_guard();

-- ---------------------------------------------------------------------------
-- Audit redaction (the mechanism 0050 built for erasure).
-- ---------------------------------------------------------------------------

/**
 * `changed` without PHI: ids, states, kinds and times keep their values (the fact of the event);
 * every other column keeps its name, and its old/new values become "[erased]" (null stays null).
 */
CREATE OR REPLACE FUNCTION public.erasure_redacted_changes(changed jsonb)
RETURNS jsonb LANGUAGE sql IMMUTABLE SET search_path = '' AS $$
  SELECT coalesce(jsonb_object_agg(k, CASE
      WHEN k = 'id' OR k LIKE '%\_id' OR k = ANY (ARRAY['current_state', 'from_state', 'to_state', 'priority', 'case_type', 'message_type',
             'file_type', 'project_type', 'status', 'kind', 'granted', 'version', 'content_type', 'model', 'chunk', 'is_overdue', 'role',
             'created_at', 'closed_at', 'due_at', 'placed_at', 'lifted_at', 'recorded_at', 'workflow_started_at', 'joined_at'])
        THEN v
      WHEN jsonb_typeof(v) = 'array' THEN jsonb_build_array(
        CASE WHEN v -> 0 IS NULL OR v -> 0 = 'null'::jsonb THEN 'null'::jsonb ELSE '"[erased]"'::jsonb END,
        CASE WHEN v -> 1 IS NULL OR v -> 1 = 'null'::jsonb THEN 'null'::jsonb ELSE '"[erased]"'::jsonb END)
      ELSE '"[erased]"'::jsonb END), '{}'::jsonb)
  FROM jsonb_each(changed) AS e(k, v)
$$;

/**
 * Redacts the audit entries of the given rows (ids as text) of one practice, and of the rows
 * that were inserted as their children (a deleted file or embedding leaves only its INSERT entry
 * naming the case, message or project: it is found through that). Profiles and auth users have no
 * practice: their ids are matched with practice_id NULL. Returns how many entries were redacted.
 * The only code path that may UPDATE audit_log (audit_guard checks mdw.audit_redaction and that
 * nothing but `changed`/`redacted_at` changes).
 */
CREATE OR REPLACE FUNCTION public.erasure_redact_audit(p_practice_id uuid, p_row_ids text[])
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  ids text[];
  n integer;
BEGIN
  -- Children inserted under one of the rows, alive or long deleted.
  SELECT array_agg(DISTINCT a.row_id) INTO ids
    FROM public.audit_log a
   WHERE a.practice_id = p_practice_id AND a.op = 'INSERT'
     AND (a.changed -> 'case_id' ->> 1 = ANY (p_row_ids) OR a.changed -> 'patient_id' ->> 1 = ANY (p_row_ids)
          OR a.changed -> 'message_id' ->> 1 = ANY (p_row_ids) OR a.changed -> 'project_id' ->> 1 = ANY (p_row_ids)
          OR a.changed -> 'order_id' ->> 1 = ANY (p_row_ids));
  ids := p_row_ids || coalesce(ids, '{}');
  PERFORM set_config('mdw.audit_redaction', 'on', true);
  UPDATE public.audit_log a
     SET changed = public.erasure_redacted_changes(a.changed), redacted_at = coalesce(a.redacted_at, now())
   WHERE a.row_id = ANY (ids)
     AND (a.practice_id = p_practice_id OR (a.practice_id IS NULL AND a.table_name IN ('profiles', 'users')))
     AND a.changed IS DISTINCT FROM public.erasure_redacted_changes(a.changed);
  GET DIAGNOSTICS n = ROW_COUNT;
  PERFORM set_config('mdw.audit_redaction', 'off', true);
  RETURN n;
END
$$;
REVOKE EXECUTE ON FUNCTION public.erasure_redact_audit(uuid, text[]) FROM PUBLIC, anon, authenticated;

/**
 * Other rows' audit entries that quote the patient by name (a message in another patient's case
 * that names them): only the matching text is replaced, the rest of the entry stays.
 */
CREATE OR REPLACE FUNCTION public.erasure_scrub_audit_mentions(p_practice_id uuid, p_row_ids text[], p_pattern text)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  n integer;
BEGIN
  IF p_pattern IS NULL OR cardinality(p_row_ids) = 0 THEN
    RETURN 0;
  END IF;
  PERFORM set_config('mdw.audit_redaction', 'on', true);
  UPDATE public.audit_log a
     SET changed = regexp_replace(a.changed::text, p_pattern, '[erased patient]', 'gi')::jsonb, redacted_at = coalesce(a.redacted_at, now())
   WHERE a.practice_id = p_practice_id AND a.row_id = ANY (p_row_ids) AND a.changed::text ~* p_pattern;
  GET DIAGNOSTICS n = ROW_COUNT;
  PERFORM set_config('mdw.audit_redaction', 'off', true);
  RETURN n;
END
$$;
REVOKE EXECUTE ON FUNCTION public.erasure_scrub_audit_mentions(uuid, text[], text) FROM PUBLIC, anon, authenticated;
