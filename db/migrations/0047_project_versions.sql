-- 3D projects with versions (issue 11, section 6) and lab staff's PHI reads in the access log.
--
-- A project is a chain of versions: each version is its own projects row, whose
-- parent_project_id is the version before it (as the legacy system kept them; 0002). The chain's
-- first row (parent NULL) names the project; `version` counts from 1 along the chain. Each row
-- holds its own file (storage_path, file_size and, new here, file_name and mime_type) and, for
-- STL files, the metadata read while the upload streamed (triangle_count, bounding_box
-- {min: {x,y,z}, max: {x,y,z}}). Legacy chains may branch (two children of one parent), so no
-- unique index forbids it; the API appends after the newest version under an advisory lock.

ALTER TABLE public.projects ADD COLUMN IF NOT EXISTS file_name text;
ALTER TABLE public.projects ADD COLUMN IF NOT EXISTS mime_type text;
ALTER TABLE public.projects ADD COLUMN IF NOT EXISTS triangle_count bigint;
ALTER TABLE public.projects ADD COLUMN IF NOT EXISTS bounding_box jsonb;
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'projects_triangle_count_check') THEN
    ALTER TABLE public.projects ADD CONSTRAINT projects_triangle_count_check CHECK (triangle_count >= 0);
  END IF;
END
$$;

-- Lab staff move a project's status along (draft → in_progress → review; archive): they do the
-- design work. 0040 gave them no UPDATE anywhere; this policy allows it on projects, and the
-- trigger below confines a caller whose access comes from the lab policy alone to the status
-- column, and keeps 'approved' for the practice (the doctor approves a design, not the lab).
DROP POLICY IF EXISTS lab_staff_update_projects ON public.projects;
CREATE POLICY lab_staff_update_projects ON public.projects FOR UPDATE TO authenticated
  USING ((SELECT public.is_lab_staff())) WITH CHECK ((SELECT public.is_lab_staff()));

CREATE OR REPLACE FUNCTION public.guard_lab_project_update()
RETURNS trigger LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
  IF current_user <> 'authenticated' OR public.is_internal_admin()
     OR NEW.practice_id = ANY (ARRAY(SELECT public.user_practice_ids())) THEN
    RETURN NEW;
  END IF;
  -- fts is a stored generated column (0030): NULL in NEW before the row is written, so not compared.
  IF (to_jsonb(NEW) - 'status' - 'updated_at' - 'fts') IS DISTINCT FROM (to_jsonb(OLD) - 'status' - 'updated_at' - 'fts') THEN
    RAISE EXCEPTION 'lab staff may only change a project''s status'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.status = 'approved' AND OLD.status IS DISTINCT FROM 'approved' THEN
    RAISE EXCEPTION 'a project is approved by its practice, not by the lab'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER guard_lab_project_update BEFORE UPDATE ON public.projects
  FOR EACH ROW EXECUTE FUNCTION public.guard_lab_project_update();

-- PHI access log for lab staff. 0051 records a read only for patients the reader can see in
-- `patients`; lab staff have no policy there (0040: they get name, number and birthdate through
-- case_patient_card()), so their reads of case detail, files, messages and projects went
-- unrecorded. record_lab_phi_access() writes those rows for lab staff: SECURITY DEFINER, with the
-- same guarantees as 0051's insert policy (the actor is the caller, the practice is the patient's
-- own, nothing for anyone but lab staff), for patients outside the caller's own practices (their
-- member reads are recorded by the ordinary INSERT). plpgsql, so that it may be created before
-- phi_access_log (0051) exists: its body is resolved when it first runs.
CREATE OR REPLACE FUNCTION public.record_lab_phi_access(p_patient_ids uuid[], p_route text, p_resource text, p_resource_id text)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  n integer;
BEGIN
  IF auth.uid() IS NULL OR NOT public.is_lab_staff() OR public.is_internal_admin() THEN
    RETURN 0;
  END IF;
  INSERT INTO public.phi_access_log (actor_id, patient_id, practice_id, route, resource, resource_id, request_id)
  SELECT auth.uid(), p.id, p.practice_id, p_route, p_resource, p_resource_id, nullif(current_setting('mdw.request_id', true), '')
    FROM public.patients p
   WHERE p.id = ANY (p_patient_ids)
     AND NOT (p.practice_id = ANY (ARRAY(SELECT public.user_practice_ids())));
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;
REVOKE EXECUTE ON FUNCTION public.record_lab_phi_access(uuid[], text, text, text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.record_lab_phi_access(uuid[], text, text, text) TO authenticated, service_role;
