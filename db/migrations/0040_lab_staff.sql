-- Lab staff across client practices (issue 11, part 1).
--
-- The design lab serves every client practice. Its people are profiles whose GLOBAL role is
-- technician or support (lab admins: admin). The global role alone cannot mark them: it
-- defaults to 'technician' for every profile (practice staff and patients included), so the
-- lab's roster is explicit: lab_staff lists the profiles that are lab staff, and only internal
-- admins (or the backend) write it. public.lab_role() is then
--   'admin'                 for an internal admin (profiles.role = 'admin'),
--   'technician'/'support'  for a listed profile with that global role,
--   NULL                    for everyone else.
--
-- Least privilege: lab staff READ what their work needs across practices -- cases and their
-- states, messages, files, orders, projects, the tasks awaiting people, the analytics rows and
-- the practice's name -- and WRITE messages, files and projects as themselves. They get no
-- policy on patients (the patient's name, number and birthdate come from case_patient_card(),
-- never the other fields), none on practice_members or practice settings, and no UPDATE or
-- DELETE anywhere (marking a message read goes through the read_by-only guard below).

CREATE TABLE IF NOT EXISTS public.lab_staff (
  profile_id uuid PRIMARY KEY REFERENCES public.profiles (id) ON DELETE CASCADE,
  added_by   uuid REFERENCES public.profiles (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE public.lab_staff ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.lab_staff FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS "Enable all access for admin users" ON public.lab_staff;
CREATE POLICY "Enable all access for admin users" ON public.lab_staff AS PERMISSIVE FOR ALL TO authenticated
  USING ((SELECT public.is_internal_admin())) WITH CHECK ((SELECT public.is_internal_admin()));
DROP POLICY IF EXISTS lab_staff_select_self ON public.lab_staff;
CREATE POLICY lab_staff_select_self ON public.lab_staff FOR SELECT TO authenticated
  USING (profile_id = (SELECT auth.uid()));
REVOKE ALL ON public.lab_staff FROM anon;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.lab_staff TO authenticated, service_role;

-- The caller's lab role (see above). SECURITY DEFINER like the other RLS helpers (0003).
CREATE OR REPLACE FUNCTION public.lab_role()
RETURNS public.user_role
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT CASE
           WHEN p.role = 'admin'::public.user_role THEN 'admin'::public.user_role
           WHEN p.role IN ('technician'::public.user_role, 'support'::public.user_role)
                AND EXISTS (SELECT 1 FROM public.lab_staff l WHERE l.profile_id = p.id) THEN p.role
         END
    FROM public.profiles p
   WHERE p.id = (SELECT auth.uid())
$$;

CREATE OR REPLACE FUNCTION public.is_lab_staff()
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT public.lab_role() IS NOT NULL
$$;

REVOKE EXECUTE ON FUNCTION public.lab_role() FROM PUBLIC, anon;
REVOKE EXECUTE ON FUNCTION public.is_lab_staff() FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.lab_role() TO authenticated, service_role;
GRANT EXECUTE ON FUNCTION public.is_lab_staff() TO authenticated, service_role;

-- Read policies for lab staff: one InitPlan per statement, OR-ed with the member policies.
DO $do$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY[
    'cases', 'case_states', 'case_messages', 'case_files', 'orders', 'order_items', 'order_states',
    'instruction_states', 'projects', 'awaiting_tasks', 'state_analytics', 'workflow_performance', 'practices'
  ] LOOP
    EXECUTE format('DROP POLICY IF EXISTS %I ON public.%I', 'lab_staff_read_' || t, t);
    EXECUTE format('CREATE POLICY %I ON public.%I FOR SELECT TO authenticated USING ((SELECT public.is_lab_staff()))',
                   'lab_staff_read_' || t, t);
  END LOOP;
END
$do$;

-- Writes as themselves: messages, files, projects.
DO $do$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT * FROM (VALUES ('case_messages', 'sender_id'), ('case_files', 'uploaded_by'), ('projects', 'creator_id')) AS v(tbl, author) LOOP
    EXECUTE format('DROP POLICY IF EXISTS %I ON public.%I', 'lab_staff_insert_' || r.tbl, r.tbl);
    EXECUTE format('CREATE POLICY %I ON public.%I FOR INSERT TO authenticated WITH CHECK ((SELECT public.is_lab_staff()) AND %I = (SELECT auth.uid()))',
                   'lab_staff_insert_' || r.tbl, r.tbl, r.author);
  END LOOP;
END
$do$;

-- Marking a message read: lab staff may update case_messages, but only read_by, and only to add
-- themselves. The trigger refuses anything else from a caller whose access comes from the lab
-- policy alone (not a member of the practice, not an internal admin).
DROP POLICY IF EXISTS lab_staff_update_case_messages ON public.case_messages;
CREATE POLICY lab_staff_update_case_messages ON public.case_messages FOR UPDATE TO authenticated
  USING ((SELECT public.is_lab_staff())) WITH CHECK ((SELECT public.is_lab_staff()));

CREATE OR REPLACE FUNCTION public.guard_lab_message_update()
RETURNS trigger LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
  IF current_user <> 'authenticated' OR public.is_internal_admin()
     OR NEW.practice_id = ANY (ARRAY(SELECT public.user_practice_ids())) THEN
    RETURN NEW;
  END IF;
  -- fts is a stored generated column (0030): NULL in NEW before the row is written, so not compared.
  IF (to_jsonb(NEW) - 'read_by' - 'updated_at' - 'fts') IS DISTINCT FROM (to_jsonb(OLD) - 'read_by' - 'updated_at' - 'fts')
     OR NOT (NEW.read_by @> OLD.read_by)
     OR EXISTS (SELECT 1 FROM jsonb_object_keys(NEW.read_by - ARRAY(SELECT jsonb_object_keys(OLD.read_by))) k
                 WHERE k <> (SELECT auth.uid())::text) THEN
    RAISE EXCEPTION 'lab staff may only mark messages read'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER guard_lab_message_update BEFORE UPDATE ON public.case_messages
  FOR EACH ROW EXECUTE FUNCTION public.guard_lab_message_update();

-- Profiles: lab staff see practice staff and other lab staff (who wrote, who is assigned), never
-- patients' profiles.
-- (SECURITY DEFINER: lab staff cannot read practice_members themselves.)
CREATE OR REPLACE FUNCTION public.is_staff_profile(p_profile_id uuid)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT EXISTS (SELECT 1 FROM public.practice_members pm WHERE pm.profile_id = p_profile_id)
      OR EXISTS (SELECT 1 FROM public.lab_staff l WHERE l.profile_id = p_profile_id)
$$;
REVOKE EXECUTE ON FUNCTION public.is_staff_profile(uuid) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.is_staff_profile(uuid) TO authenticated, service_role;

DROP POLICY IF EXISTS lab_staff_read_profiles ON public.profiles;
CREATE POLICY lab_staff_read_profiles ON public.profiles FOR SELECT TO authenticated
  USING ((SELECT public.is_lab_staff()) AND public.is_staff_profile(id));

-- The patient of a case as the people working on it may see them: name, number, birthdate.
-- Members of the case's practice, lab staff and internal admins; nobody else gets a row.
CREATE OR REPLACE FUNCTION public.case_patient_card(p_case_id uuid)
RETURNS TABLE (patient_id uuid, patient_number text, full_name text, date_of_birth date)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT pt.id, pt.patient_number, pr.full_name, pt.date_of_birth
    FROM public.cases c
    JOIN public.patients pt ON pt.id = c.patient_id
    LEFT JOIN public.profiles pr ON pr.id = pt.profile_id
   WHERE c.id = p_case_id
     AND (c.practice_id = ANY (ARRAY(SELECT public.user_practice_ids()))
          OR public.is_lab_staff())
$$;
REVOKE EXECUTE ON FUNCTION public.case_patient_card(uuid) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.case_patient_card(uuid) TO authenticated, service_role;
