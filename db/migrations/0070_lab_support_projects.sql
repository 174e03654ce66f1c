-- Lab support does not do design work (issue 11 §1, least privilege).
--
-- 0040 let every lab staff member (technician, support, admin) create projects as themselves, and
-- 0047 let them all move a project's status. Support reads the lab's work and talks to practices
-- (messages, files), and acts on no task (tasks.routes refuses them with not_a_member). A project,
-- though, IS the design work, and uploading a version reopens a plan approval pinned to an older one
-- in the case's workflow: that is acting on the case. So creating projects and changing them is for
-- lab technicians and lab admins (lab_role() technician/admin); support keeps reading them
-- (lab_staff_read_projects, 0040). Members of the practice are unaffected (their own policies).

DROP POLICY IF EXISTS lab_staff_insert_projects ON public.projects;
CREATE POLICY lab_staff_insert_projects ON public.projects FOR INSERT TO authenticated
  WITH CHECK ((SELECT public.lab_role()) IN ('technician'::public.user_role, 'admin'::public.user_role)
              AND creator_id = (SELECT auth.uid()));

DROP POLICY IF EXISTS lab_staff_update_projects ON public.projects;
CREATE POLICY lab_staff_update_projects ON public.projects FOR UPDATE TO authenticated
  USING ((SELECT public.lab_role()) IN ('technician'::public.user_role, 'admin'::public.user_role))
  WITH CHECK ((SELECT public.lab_role()) IN ('technician'::public.user_role, 'admin'::public.user_role));
