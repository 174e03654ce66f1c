-- GET /search's PHI access log, cheaper (session 11, s-phi3): the same rows as 0136's
-- record_search_phi_access(), written by one SECURITY DEFINER function that decides the caller's
-- visibility once instead of through three lookups under RLS.
--
-- 0136 (SECURITY INVOKER) read the page's cases under their policies (is_internal_admin(),
-- user_practice_ids(), is_lab_staff()), then the patients under theirs (is_internal_admin(),
-- user_practice_ids()), then 0051's insert policy checked every row again (auth.uid(), and an
-- EXISTS on patients under the patients policies: the two helpers once more), through two PL/pgSQL
-- levels (record_phi_reads(), and record_lab_phi_access() for lab staff). One at a time that was
-- 0.22-0.33 ms of backend CPU per search, of which the write itself (xid, heap and index inserts,
-- commit) ~0.03 (bench/SEARCH.md, session 11, s-phi3).
--
-- record_search_phi_reads() asks the policies' helpers once: lab_role() IS NOT NULL, which is
-- is_internal_admin() OR is_lab_staff() in one call (0040: lab_role() is 'admin' for an internal
-- admin, and is_lab_staff() is lab_role() IS NOT NULL; 0133's caller check relies on the same):
-- they see every case, and their every patient read is recorded (admins' through the patients
-- policy, lab staff's through 0047's record_lab_phi_access(), which records exactly the patients
-- the member path could not); else user_practice_ids(). Then, as 0136 did (two writes):
--   1. the page's cases the caller sees (one of their practices, or everyone's for the above),
--      their distinct patients, each recorded when the caller sees the patient by the same rule;
--   2. the page's own patients (distinct), likewise.
-- Each row: the caller as actor, the patient's own practice, the route, the resource, the
-- transaction's mdw.request_id: the rows 0136 wrote, and what 0051's insert policy allows (the
-- caller as actor; a patient the caller sees, with its real practice; lab staff's reads are what
-- 0047's definer function writes for them). A caller without a user id records nothing, as before.
--
-- SECURITY DEFINER (owned by the migration's superuser, like 0047's record_lab_phi_access()) so that
-- neither the lookups nor the INSERT run the policies again; it grants nothing beyond them. Only
-- `authenticated` may run it: the role the search statement runs as (Database.asActorStatement) and
-- the only role the policies above apply to. Any other caller (service_role, which bypasses RLS)
-- gets a permission error rather than a log decided by rules written for someone else; 0136's
-- record_search_phi_access() is unchanged for the search's transaction paths.
CREATE OR REPLACE FUNCTION public.record_search_phi_reads(p_case_ids uuid[], p_patient_ids uuid[], p_route text, p_resource text)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  uid uuid := auth.uid();
  sees_all boolean;
  mine uuid[];
  ids uuid[];
  n integer := 0;
  k integer;
BEGIN
  IF uid IS NULL OR (cardinality(p_case_ids) IS NULL AND cardinality(p_patient_ids) IS NULL) THEN
    RETURN 0;
  END IF;
  sees_all := public.lab_role() IS NOT NULL;
  IF NOT sees_all THEN
    mine := ARRAY(SELECT public.user_practice_ids());
  END IF;
  IF cardinality(p_case_ids) > 0 THEN
    ids := ARRAY(SELECT DISTINCT c.patient_id FROM public.cases c
                  WHERE c.id = ANY (p_case_ids) AND c.patient_id IS NOT NULL AND (sees_all OR c.practice_id = ANY (mine)));
    IF cardinality(ids) > 0 THEN
      INSERT INTO public.phi_access_log (actor_id, patient_id, practice_id, route, resource, resource_id, request_id)
      SELECT uid, p.id, p.practice_id, p_route, p_resource, NULL, nullif(current_setting('mdw.request_id', true), '')
        FROM public.patients p
       WHERE p.id = ANY (ids) AND (sees_all OR p.practice_id = ANY (mine));
      GET DIAGNOSTICS n = ROW_COUNT;
    END IF;
  END IF;
  IF cardinality(p_patient_ids) > 0 THEN
    -- = ANY reads each patient once however often the array names it (0136's DISTINCT).
    INSERT INTO public.phi_access_log (actor_id, patient_id, practice_id, route, resource, resource_id, request_id)
    SELECT uid, p.id, p.practice_id, p_route, p_resource, NULL, nullif(current_setting('mdw.request_id', true), '')
      FROM public.patients p
     WHERE p.id = ANY (p_patient_ids) AND (sees_all OR p.practice_id = ANY (mine));
    GET DIAGNOSTICS k = ROW_COUNT;
    n := n + k;
  END IF;
  RETURN n;
END
$$;
REVOKE EXECUTE ON FUNCTION public.record_search_phi_reads(uuid[], uuid[], text, text) FROM PUBLIC, anon, service_role;
GRANT EXECUTE ON FUNCTION public.record_search_phi_reads(uuid[], uuid[], text, text) TO authenticated;
