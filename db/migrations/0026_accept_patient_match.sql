-- Accepting a patient-match review (0025) merges two MDW patients. The merge writes
-- legacy_id_map, which no application role may touch, and the API's requests log in as
-- mdw_authenticator (0017), which cannot leave its actor's role: so the merge is one SECURITY
-- DEFINER function that checks the caller with the same helpers as the policies of 0025 (lab
-- admin, or owner/admin of the practice of both patients), inside the caller's transaction.
--
-- What it does, all or nothing:
--  * serialises merges (advisory lock): two accepts sharing a patient would otherwise lock rows
--    in opposite orders;
--  * survivor: p_survivor_id if given (one of the two), else the patient with more cases, then
--    the older one;
--  * the merged patient's cases move to the survivor, and with them everything that hangs off a
--    case (orders, files, projects, messages, states); its embeddings are dropped;
--  * other reviews naming the merged patient name the survivor; a pending one whose two sides
--    are now one patient is accepted with a note;
--  * legacy_id_map rows that pointed at the merged patient become 'merged', target the
--    survivor, with a reason naming the survivor and the review;
--  * the merged patient row is deleted (nothing references it any more; its profile stays: a
--    profile is a person's login and may be referenced elsewhere); the survivor takes the
--    birthdate, gender and contact email it lacked;
--  * patients of two practices are refused: that would move one practice's cases into another's.
-- Errors (SQLSTATE): MDM00 not found or not allowed (one answer: nothing disclosed), MDM01
-- decided otherwise (rejected), MDM02 two practices, MDM03 a patient is gone, MDM04 the
-- survivor is not one of the two. An accepted review returns no row (idempotent).
CREATE OR REPLACE FUNCTION public.accept_patient_match(p_review_id uuid, p_survivor_id uuid DEFAULT NULL)
RETURNS TABLE (survivor_patient_id uuid, merged_patient_id uuid, cases_moved integer, legacy_rows_merged integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = ''
AS $fn$
DECLARE
  v_me uuid := auth.uid();
  v_r public.patient_match_reviews%ROWTYPE;
  v_a public.patients%ROWTYPE;
  v_b public.patients%ROWTYPE;
  v_s public.patients%ROWTYPE;
  v_m public.patients%ROWTYPE;
  v_cases_a bigint;
  v_cases_b bigint;
  v_s_key text;
  v_moved integer;
  v_legacy integer;
BEGIN
  PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('mdw:patient-merge'));
  SELECT r.* INTO v_r FROM public.patient_match_reviews r WHERE r.id = p_review_id FOR UPDATE;
  IF NOT FOUND OR v_me IS NULL
     OR NOT (public.is_internal_admin() OR v_r.practice_id IN (SELECT public.user_managed_practice_ids())) THEN
    RAISE EXCEPTION 'patient match not found' USING ERRCODE = 'MDM00';
  END IF;
  IF v_r.status = 'accepted' THEN
    RETURN;
  END IF;
  IF v_r.status = 'rejected' THEN
    RAISE EXCEPTION 'This pair was rejected; a rejected pair is never merged.' USING ERRCODE = 'MDM01';
  END IF;
  IF p_survivor_id IS NOT NULL AND p_survivor_id IS DISTINCT FROM v_r.patient_a_id AND p_survivor_id IS DISTINCT FROM v_r.patient_b_id THEN
    RAISE EXCEPTION 'The survivor must be one of the two patients of the pair.' USING ERRCODE = 'MDM04';
  END IF;
  -- Lock both patients in id order (concurrent merges are serialised anyway; other writers are not).
  PERFORM 1 FROM public.patients p WHERE p.id IN (v_r.patient_a_id, v_r.patient_b_id) ORDER BY p.id FOR UPDATE;
  SELECT p.* INTO v_a FROM public.patients p WHERE p.id = v_r.patient_a_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'One of the two patients no longer exists.' USING ERRCODE = 'MDM03';
  END IF;
  SELECT p.* INTO v_b FROM public.patients p WHERE p.id = v_r.patient_b_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'One of the two patients no longer exists.' USING ERRCODE = 'MDM03';
  END IF;
  IF v_a.practice_id <> v_b.practice_id THEN
    RAISE EXCEPTION 'The two patients belong to different practices; merging them would move one practice''s cases into another''s.' USING ERRCODE = 'MDM02';
  END IF;
  IF v_a.id = v_b.id THEN
    -- Both legacy records already live in one patient (merged through another pair).
    UPDATE public.patient_match_reviews SET status = 'accepted', decided_by = v_me, decided_at = now(), survivor_patient_id = v_a.id WHERE id = v_r.id;
    RETURN;
  END IF;

  SELECT count(*) INTO v_cases_a FROM public.cases c WHERE c.patient_id = v_a.id;
  SELECT count(*) INTO v_cases_b FROM public.cases c WHERE c.patient_id = v_b.id;
  IF p_survivor_id = v_b.id
     OR (p_survivor_id IS NULL AND (v_cases_b > v_cases_a OR (v_cases_b = v_cases_a AND v_b.created_at < v_a.created_at))) THEN
    v_s := v_b; v_m := v_a; v_s_key := v_r.legacy_key_b;
  ELSE
    v_s := v_a; v_m := v_b; v_s_key := v_r.legacy_key_a;
  END IF;

  UPDATE public.cases SET patient_id = v_s.id WHERE patient_id = v_m.id;
  GET DIAGNOSTICS v_moved = ROW_COUNT;
  DELETE FROM public.patient_embeddings WHERE patient_id = v_m.id;

  UPDATE public.patient_match_reviews SET patient_a_id = v_s.id WHERE patient_a_id = v_m.id;
  UPDATE public.patient_match_reviews SET patient_b_id = v_s.id WHERE patient_b_id = v_m.id;
  UPDATE public.patient_match_reviews
     SET status = 'accepted', decided_by = v_me, decided_at = now(), survivor_patient_id = v_s.id,
         note = concat_ws('; ', note, 'merged through review ' || v_r.id)
   WHERE status = 'pending' AND id <> v_r.id AND patient_a_id = patient_b_id;

  UPDATE public.legacy_id_map
     SET disposition = 'merged', target_id = v_s.id,
         reason = format('merged into patient %s (legacy patient %s) by review %s', v_s.id, v_s_key, v_r.id)
   WHERE target_table = 'patients' AND target_id = v_m.id;
  GET DIAGNOSTICS v_legacy = ROW_COUNT;

  DELETE FROM public.patients WHERE id = v_m.id;
  UPDATE public.patients
     SET date_of_birth = coalesce(date_of_birth, v_m.date_of_birth),
         gender = coalesce(gender, v_m.gender),
         contact_email = coalesce(contact_email, v_m.contact_email)
   WHERE id = v_s.id;

  UPDATE public.patient_match_reviews
     SET status = 'accepted', decided_by = v_me, decided_at = now(), survivor_patient_id = v_s.id, merged_patient_id = v_m.id
   WHERE id = v_r.id;
  RETURN QUERY SELECT v_s.id, v_m.id, v_moved, v_legacy;
END
$fn$;

REVOKE EXECUTE ON FUNCTION public.accept_patient_match(uuid, uuid) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.accept_patient_match(uuid, uuid) TO authenticated, service_role;
