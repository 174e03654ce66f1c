-- 0019: update_patient_profile(): lets a member change the profile fields of a patient of their
-- practice (name, phone) inside their own RLS transaction. Not the email: a practice writes its own
-- copy, patients.contact_email (0018), and never a person's global address.
--
-- A patient's profile is not the caller's, so the profiles policy lets nobody but the patient
-- update it. PATCH /patients/{id} therefore wrote the patient row as the caller and the profile on
-- the system handle, in two transactions: a 409 or a 500 between them kept half the change. This
-- function does the profile part in the caller's transaction, so the whole PATCH is one
-- transaction: all or nothing. It checks the same thing the patients policy does (a member of
-- the patient's practice, or an internal admin) because it bypasses RLS as its owner.
CREATE OR REPLACE FUNCTION public.update_patient_profile(p_patient_id uuid, p_changes jsonb)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  v_profile uuid;
BEGIN
  SELECT pt.profile_id INTO v_profile
    FROM public.patients pt
   WHERE pt.id = p_patient_id
     AND ((SELECT public.is_internal_admin()) OR pt.practice_id = ANY (ARRAY(SELECT public.user_practice_ids())));
  IF v_profile IS NULL THEN
    RETURN false; -- no such patient, or not the caller's: indistinguishable, as under RLS
  END IF;
  -- Only the keys present change; a JSON null clears a nullable column (phone).
  UPDATE public.profiles p
     SET first_name = CASE WHEN p_changes ? 'first_name' THEN p_changes->>'first_name' ELSE p.first_name END,
         last_name  = CASE WHEN p_changes ? 'last_name'  THEN p_changes->>'last_name'  ELSE p.last_name  END,
         phone      = CASE WHEN p_changes ? 'phone'      THEN p_changes->>'phone'      ELSE p.phone      END
   WHERE p.id = v_profile;
  RETURN true;
END
$$;

REVOKE EXECUTE ON FUNCTION public.update_patient_profile(uuid, jsonb) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.update_patient_profile(uuid, jsonb) TO authenticated, service_role;
