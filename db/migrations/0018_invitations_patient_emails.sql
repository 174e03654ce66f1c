-- 0018_invitations_patient_emails.sql
--
-- Email lookups no longer disclose people across practices (issue 8 item 6).
--
-- 1. Invitations. Inviting an email used to make that person a member at
--    once, without their consent, and answered with their full name. Now a
--    manager creates an invitation (practice, email, role); the person it is
--    addressed to sees it (matched by their own profile's email) and accepts
--    it with accept_practice_invitation(), which makes them a member. The
--    inviter learns nothing about whether or whom the email belongs to.
--
-- 2. Patient contact emails. A patient's email was stored on the patient's
--    profile, whose email is unique across all practices, so practice B
--    creating a patient with the email of a patient of A answered
--    409 email_in_use. The email a practice keeps for its patient is that
--    practice's data: patients.contact_email, unique within the practice only
--    (the API checks, as a duplicate). New patients' profiles get a
--    placeholder address; reads show coalesce(contact_email, profile email).

-- ---------------------------------------------------------------------------
-- Invitations
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS public.practice_invitations (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  practice_id  uuid NOT NULL REFERENCES public.practices(id) ON DELETE CASCADE,
  email        text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 320),
  role         public.practice_role NOT NULL,
  invited_by   uuid REFERENCES public.profiles(id) ON DELETE SET NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL DEFAULT now() + interval '14 days',
  accepted_at  timestamptz,
  accepted_by  uuid REFERENCES public.profiles(id) ON DELETE SET NULL,
  revoked_at   timestamptz,
  CHECK (accepted_at IS NULL OR revoked_at IS NULL)
);
-- One open invitation per practice and email.
CREATE UNIQUE INDEX IF NOT EXISTS practice_invitations_open_key
  ON public.practice_invitations (practice_id, email) WHERE accepted_at IS NULL AND revoked_at IS NULL;
-- A recipient's open invitations.
CREATE INDEX IF NOT EXISTS idx_practice_invitations_email
  ON public.practice_invitations (email) WHERE accepted_at IS NULL AND revoked_at IS NULL;

ALTER TABLE public.practice_invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.practice_invitations FORCE ROW LEVEL SECURITY;

SET LOCAL client_min_messages = warning;

-- Managers (owner/admin) of the practice read, create and revoke its
-- invitations. Recipients read theirs through my_practice_invitations() and
-- accept through accept_practice_invitation(); neither needs a policy.
DROP POLICY IF EXISTS practice_invitations_manager ON public.practice_invitations;
CREATE POLICY practice_invitations_manager ON public.practice_invitations
  FOR ALL TO authenticated
  USING (practice_id = ANY (ARRAY(SELECT public.user_managed_practice_ids())))
  WITH CHECK (practice_id = ANY (ARRAY(SELECT public.user_managed_practice_ids())));
DROP POLICY IF EXISTS "Enable all access for admin users" ON public.practice_invitations;
CREATE POLICY "Enable all access for admin users" ON public.practice_invitations
  FOR ALL TO authenticated
  USING ((SELECT public.is_internal_admin()))
  WITH CHECK ((SELECT public.is_internal_admin()));

REVOKE ALL ON public.practice_invitations FROM anon;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.practice_invitations TO authenticated, service_role;

-- The caller's open invitations, with the name of the practice they are
-- invited to (which they cannot read under RLS before they join).
CREATE OR REPLACE FUNCTION public.my_practice_invitations()
RETURNS TABLE (id uuid, practice_id uuid, practice_name text, role public.practice_role, created_at timestamptz, expires_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT i.id, i.practice_id, pr.name, i.role, i.created_at, i.expires_at
    FROM public.practice_invitations i
    JOIN public.practices pr ON pr.id = i.practice_id
   WHERE i.email = (SELECT lower(p.email) FROM public.profiles p WHERE p.id = auth.uid())
     AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()
   ORDER BY i.created_at DESC, i.id
$$;

-- Accepts an open invitation addressed to the caller's email: the caller
-- becomes a member with the invited role, linked to their own practitioner
-- record if they have one (never to someone else's). Returns the membership
-- id, or NULL when there is no such open invitation for the caller (missing,
-- someone else's, expired, revoked, accepted): one answer, nothing disclosed.
CREATE OR REPLACE FUNCTION public.accept_practice_invitation(p_invitation_id uuid)
RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  v_me uuid := auth.uid();
  v_inv public.practice_invitations%ROWTYPE;
  v_member uuid;
BEGIN
  IF v_me IS NULL THEN
    RETURN NULL;
  END IF;
  SELECT i.* INTO v_inv
    FROM public.practice_invitations i
   WHERE i.id = p_invitation_id
     AND i.email = (SELECT lower(p.email) FROM public.profiles p WHERE p.id = v_me)
     AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()
   FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  INSERT INTO public.practice_members (practice_id, profile_id, role, practitioner_id)
  VALUES (v_inv.practice_id, v_me, v_inv.role, (SELECT pr.id FROM public.practitioners pr WHERE pr.profile_id = v_me))
  ON CONFLICT (practice_id, profile_id) DO NOTHING
  RETURNING id INTO v_member;
  IF v_member IS NULL THEN
    SELECT m.id INTO v_member FROM public.practice_members m WHERE m.practice_id = v_inv.practice_id AND m.profile_id = v_me;
  END IF;
  UPDATE public.practice_invitations SET accepted_at = now(), accepted_by = v_me WHERE id = v_inv.id;
  RETURN v_member;
END
$$;

REVOKE EXECUTE ON FUNCTION public.my_practice_invitations(), public.accept_practice_invitation(uuid) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.my_practice_invitations(), public.accept_practice_invitation(uuid) TO authenticated, service_role;

-- ---------------------------------------------------------------------------
-- Patient contact emails
-- ---------------------------------------------------------------------------
ALTER TABLE public.patients ADD COLUMN IF NOT EXISTS contact_email text;
DO $do$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conname = 'patients_contact_email_lower') THEN
    ALTER TABLE public.patients ADD CONSTRAINT patients_contact_email_lower CHECK (contact_email = lower(contact_email));
  END IF;
END
$do$;
-- The duplicate check within a practice.
CREATE INDEX IF NOT EXISTS idx_patients_practice_contact_email
  ON public.patients (practice_id, contact_email) WHERE contact_email IS NOT NULL;

-- Search finds a patient by the email the practice keeps for them.
CREATE OR REPLACE FUNCTION public.patients_set_search_text()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  SELECT public.patient_search_text(p.first_name, p.last_name, coalesce(NEW.contact_email, p.email), NEW.patient_number)
    INTO NEW.search_text
    FROM public.profiles p
   WHERE p.id = NEW.profile_id;
  RETURN NEW;
END
$$;
