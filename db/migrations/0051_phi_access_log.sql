-- PHI access log (issue 12, section 1): one row per patient whose identifying data a request
-- read (patient record, case detail, files, messages, search results, dashboard rows). HIPAA's
-- accounting of disclosures reads it per patient (GET /patients/{id}/access-log).
--
-- Written by the reading request itself, in its own transaction, one INSERT per request for all
-- the patients it read (src/repositories/phi-access.repository.ts). The row names ids only, no
-- PHI, so an erasure keeps it as it is: the fact that someone read the record survives the record.
--
-- Append-only like audit_log (0050): no UPDATE/DELETE/TRUNCATE privilege for the application's
-- roles, and public.audit_guard() refuses them for everyone else.

CREATE TABLE IF NOT EXISTS public.phi_access_log (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  actor_id     uuid NOT NULL,              -- profiles.id of the reader; no FK: the log outlives it
  patient_id   uuid NOT NULL,              -- no FK either: erasure keeps the fact
  practice_id  uuid NOT NULL,              -- the patient's practice
  route        text NOT NULL,              -- e.g. 'GET /patients/{id}'
  resource     text NOT NULL,              -- patient, case, file, message, dashboard, ...
  resource_id  text,
  request_id   text,
  accessed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_phi_access_log_patient ON public.phi_access_log (patient_id, accessed_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS idx_phi_access_log_practice ON public.phi_access_log (practice_id, accessed_at DESC, id DESC);

ALTER TABLE public.phi_access_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.phi_access_log FORCE ROW LEVEL SECURITY;
REVOKE ALL ON public.phi_access_log FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, INSERT ON public.phi_access_log TO authenticated, service_role;

-- A reader records only their own reads, and only of patients they can see (the EXISTS runs
-- under the patients policy), with the patient's real practice: nobody can fill another
-- practice's accounting with invented entries.
DROP POLICY IF EXISTS phi_access_log_insert ON public.phi_access_log;
CREATE POLICY phi_access_log_insert ON public.phi_access_log FOR INSERT TO authenticated
  WITH CHECK (actor_id = (SELECT auth.uid())
              AND EXISTS (SELECT 1 FROM public.patients p WHERE p.id = patient_id AND p.practice_id = phi_access_log.practice_id));
-- The accounting is for the practice's owners and admins, and for internal (lab) admins lab-wide.
DROP POLICY IF EXISTS phi_access_log_select ON public.phi_access_log;
CREATE POLICY phi_access_log_select ON public.phi_access_log FOR SELECT TO authenticated
  USING (practice_id IN (SELECT public.user_managed_practice_ids()) OR (SELECT public.is_internal_admin()));

DROP TRIGGER IF EXISTS phi_access_log_append_only ON public.phi_access_log;
CREATE TRIGGER phi_access_log_append_only BEFORE UPDATE OR DELETE ON public.phi_access_log
  FOR EACH ROW EXECUTE FUNCTION public.audit_guard();
DROP TRIGGER IF EXISTS phi_access_log_no_truncate ON public.phi_access_log;
CREATE TRIGGER phi_access_log_no_truncate BEFORE TRUNCATE ON public.phi_access_log
  FOR EACH STATEMENT EXECUTE FUNCTION public.audit_guard();
