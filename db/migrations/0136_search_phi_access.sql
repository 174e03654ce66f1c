-- GET /search's PHI access log in the search's own statement (session 10, s-phi).
--
-- Before this, the route read the page in one round trip (search_page(), db 0098) and then wrote
-- its PHI reads in a second transaction of ~4 round trips (BEGIN, the cases' patients, the INSERT,
-- maybe record_lab_phi_access(), COMMIT): the page was read even when the log failed, and the
-- second transaction cost more of the API's CPU than the search itself (bench/SEARCH.md).
-- record_search_phi_access() writes exactly the rows the route wrote (recordCaseAccess, then
-- recordPhiAccess, src/repositories/phi-access.repository.ts), called once from the search's own
-- statement over its page (search.repository.ts searchPageSql), so the entry commits with the read
-- or the read fails.
--
-- record_phi_reads(): recordPhiAccess() in SQL. SECURITY INVOKER: the caller's RLS decides which
-- patients are recorded (only those they can see, with the patient's own practice; 0051's insert
-- policy checks the same), and lab staff, who see no patients row (0040), go through
-- record_lab_phi_access() (0047) when fewer rows were written than patients named, as the
-- TypeScript did. Returns the rows written by the first INSERT plus those of the lab function.
CREATE OR REPLACE FUNCTION public.record_phi_reads(p_patient_ids uuid[], p_route text, p_resource text, p_resource_id text)
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = ''
AS $$
DECLARE
  ids uuid[];
  n integer;
BEGIN
  ids := ARRAY(SELECT DISTINCT x FROM unnest(p_patient_ids) AS x WHERE x IS NOT NULL);
  IF cardinality(ids) = 0 THEN
    RETURN 0;
  END IF;
  INSERT INTO public.phi_access_log (actor_id, patient_id, practice_id, route, resource, resource_id, request_id)
  SELECT auth.uid(), p.id, p.practice_id, p_route, p_resource, p_resource_id, nullif(current_setting('mdw.request_id', true), '')
    FROM public.patients p
   WHERE p.id = ANY (ids);
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n < cardinality(ids) THEN
    n := n + public.record_lab_phi_access(ids, p_route, p_resource, p_resource_id);
  END IF;
  RETURN n;
END
$$;
REVOKE EXECUTE ON FUNCTION public.record_phi_reads(uuid[], text, text, text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.record_phi_reads(uuid[], text, text, text) TO authenticated, service_role;

-- A search page's reads: its cases' patients (as the caller sees the cases: lab staff see cases,
-- not patients rows), then the patients it shows itself, as two writes like the route's two calls.
-- NULL arrays (an empty page's aggregates) record nothing.
CREATE OR REPLACE FUNCTION public.record_search_phi_access(p_case_ids uuid[], p_patient_ids uuid[], p_route text, p_resource text)
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = ''
AS $$
DECLARE
  n integer := 0;
BEGIN
  IF cardinality(p_case_ids) > 0 THEN
    n := public.record_phi_reads(ARRAY(SELECT c.patient_id FROM public.cases c WHERE c.id = ANY (p_case_ids)), p_route, p_resource, NULL);
  END IF;
  IF cardinality(p_patient_ids) > 0 THEN
    n := n + public.record_phi_reads(p_patient_ids, p_route, p_resource, NULL);
  END IF;
  RETURN n;
END
$$;
REVOKE EXECUTE ON FUNCTION public.record_search_phi_access(uuid[], uuid[], text, text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.record_search_phi_access(uuid[], uuid[], text, text) TO authenticated, service_role;
