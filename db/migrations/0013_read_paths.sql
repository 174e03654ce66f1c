-- Read paths the API benchmark found slow at full scale (bench/API.md), made index-driven.
--
-- 1. Patient search. Under RLS PostgreSQL may not evaluate a non-leakproof operator such as
--    ILIKE before the row's policy, so a trigram index on profiles/patients is never used as an
--    index condition: the search read every patient of the practice and checked the profiles
--    policy per row (35-90 ms for a practice of 5,600 patients). Now:
--    * patients.search_text: lower(first name, last name, email, patient number), kept by
--      triggers (a patient's own row and a change of the profile's name or email);
--    * search_patient_ids(): SECURITY DEFINER, checks once that the caller belongs to the
--      practice (the same test as the RLS policies), then runs the trigram query with the index.
--      It returns ids only; the API loads those rows under RLS as always.
-- 2. Dashboard page. case_dashboard_secure is a security-barrier view, which PostgreSQL plans as a
--    separate subquery: ORDER BY ... LIMIT cannot use the (practice_id, created_at, id) index, so
--    a page read and sorted all of a practice's rows (17k rows, 20-45 ms). case_dashboard_page()
--    checks membership once and reads one page by index (under 1 ms).

ALTER TABLE public.patients ADD COLUMN IF NOT EXISTS search_text text;

CREATE OR REPLACE FUNCTION public.patient_search_text(p_first text, p_last text, p_email text, p_number text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = ''
AS $$ SELECT lower(concat_ws(' ', p_first, p_last, p_email, p_number)) $$;

-- Backfill before the triggers exist, and without set_updated_at: deriving a column is not an
-- edit of the patient. The WHERE keeps a re-run from rewriting every row.
ALTER TABLE public.patients DISABLE TRIGGER set_updated_at;
UPDATE public.patients pt
   SET search_text = public.patient_search_text(p.first_name, p.last_name, p.email, pt.patient_number)
  FROM public.profiles p
 WHERE p.id = pt.profile_id
   AND pt.search_text IS DISTINCT FROM public.patient_search_text(p.first_name, p.last_name, p.email, pt.patient_number);
ALTER TABLE public.patients ENABLE TRIGGER set_updated_at;

-- Always recomputed from the profile, so a client cannot write its own search_text.
-- SECURITY DEFINER: the caller may not see the patient's profile under RLS at that moment.
CREATE OR REPLACE FUNCTION public.patients_set_search_text()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  SELECT public.patient_search_text(p.first_name, p.last_name, p.email, NEW.patient_number)
    INTO NEW.search_text
    FROM public.profiles p
   WHERE p.id = NEW.profile_id;
  RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS patients_search_text ON public.patients;
CREATE TRIGGER patients_search_text
  BEFORE INSERT OR UPDATE ON public.patients
  FOR EACH ROW EXECUTE FUNCTION public.patients_set_search_text();

-- A renamed profile or a new email: touch its patient rows, whose trigger recomputes the text.
CREATE OR REPLACE FUNCTION public.profiles_refresh_patient_search_text()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  UPDATE public.patients SET search_text = NULL WHERE profile_id = NEW.id;
  RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS profiles_patient_search_text ON public.profiles;
CREATE TRIGGER profiles_patient_search_text
  AFTER UPDATE OF first_name, last_name, email ON public.profiles
  FOR EACH ROW
  WHEN (OLD.first_name IS DISTINCT FROM NEW.first_name OR OLD.last_name IS DISTINCT FROM NEW.last_name OR OLD.email IS DISTINCT FROM NEW.email)
  EXECUTE FUNCTION public.profiles_refresh_patient_search_text();

DO $do$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_trgm') THEN
    CREATE INDEX IF NOT EXISTS idx_patients_search_trgm ON public.patients USING gin (search_text gin_trgm_ops);
  ELSE
    RAISE NOTICE 'pg_trgm is not available: patient search filters without a trigram index';
  END IF;
END
$do$;

-- Patient ids matching p_query (a substring of name, email or patient number; case-insensitive),
-- newest first, after the keyset cursor (p_before_created_at, p_before_id) when given. Searches
-- one practice (p_practice_id) or all practices of the caller; an internal admin may search any.
-- Nothing for a practice the caller does not belong to, exactly as RLS would show it.
CREATE OR REPLACE FUNCTION public.search_patient_ids(
  p_query text,
  p_practice_id uuid DEFAULT NULL,
  p_limit integer DEFAULT 50,
  p_before_created_at timestamptz DEFAULT NULL,
  p_before_id uuid DEFAULT NULL
)
RETURNS TABLE (id uuid, created_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = ''
-- plpgsql would switch to a generic plan after 5 calls, which cannot see the pattern or the
-- practice: 2-4x slower here.
SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
  v_admin boolean := public.is_internal_admin();
  v_practices uuid[] := ARRAY(SELECT public.user_practice_ids());
  v_pattern text := '%' || replace(replace(replace(lower(p_query), '\', '\\'), '%', '\%'), '_', '\_') || '%';
BEGIN
  IF p_query IS NULL OR p_query = '' OR p_limit IS NULL OR p_limit < 1 THEN
    RETURN;
  END IF;
  IF p_practice_id IS NOT NULL THEN
    IF NOT (v_admin OR p_practice_id = ANY (v_practices)) THEN
      RETURN;
    END IF;
    v_practices := ARRAY[p_practice_id];
  ELSIF v_admin THEN
    v_practices := NULL; -- every practice
  END IF;
  RETURN QUERY
    SELECT pt.id, pt.created_at
      FROM public.patients pt
     WHERE (v_practices IS NULL OR pt.practice_id = ANY (v_practices))
       AND pt.search_text LIKE v_pattern
       AND (p_before_created_at IS NULL OR (pt.created_at, pt.id) < (p_before_created_at, p_before_id))
     ORDER BY pt.created_at DESC, pt.id DESC
     LIMIT p_limit;
END
$$;

-- One page of the case dashboard of one practice, newest first, after the keyset cursor; the
-- same rows case_dashboard_secure shows the caller.
CREATE OR REPLACE FUNCTION public.case_dashboard_page(
  p_practice_id uuid,
  p_limit integer DEFAULT 50,
  p_state public.case_state_enum DEFAULT NULL,
  p_overdue boolean DEFAULT NULL,
  p_before_created_at timestamptz DEFAULT NULL,
  p_before_id uuid DEFAULT NULL
)
RETURNS SETOF public.case_dashboard
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = ''
SET plan_cache_mode = force_custom_plan
AS $$
BEGIN
  IF p_practice_id IS NULL OR p_limit IS NULL OR p_limit < 1
     OR NOT (p_practice_id = ANY (ARRAY(SELECT public.user_practice_ids())) OR public.is_internal_admin()) THEN
    RETURN;
  END IF;
  -- The cursor as one row comparison with infinite defaults, so the index range applies.
  RETURN QUERY
    SELECT d.*
      FROM public.case_dashboard d
     WHERE d.practice_id = p_practice_id
       AND (d.created_at, d.id) < (coalesce(p_before_created_at, 'infinity'::timestamptz), coalesce(p_before_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid))
       AND (p_state IS NULL OR d.current_state = p_state)
       AND (p_overdue IS NULL OR d.is_overdue = p_overdue)
     ORDER BY d.created_at DESC, d.id DESC
     LIMIT p_limit;
END
$$;

REVOKE EXECUTE ON FUNCTION
  public.search_patient_ids(text, uuid, integer, timestamptz, uuid),
  public.case_dashboard_page(uuid, integer, public.case_state_enum, boolean, timestamptz, uuid),
  public.patients_set_search_text(),
  public.profiles_refresh_patient_search_text()
FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION
  public.search_patient_ids(text, uuid, integer, timestamptz, uuid),
  public.case_dashboard_page(uuid, integer, public.case_state_enum, boolean, timestamptz, uuid)
TO authenticated, service_role;
