-- Legacy migration, patient deduplication (src/migration/dedup/): the review queue for pairs of
-- patients that may be one person but were not merged automatically (FHIR $match grades
-- probable and possible). A person accepts (the two MDW patients are merged) or rejects (never
-- proposed again: the migration reads rejected pairs back as dedup's `rejectedPairs`).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'patient_match_grade') THEN
    CREATE TYPE public.patient_match_grade AS ENUM ('certain', 'probable', 'possible');
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'patient_match_status') THEN
    CREATE TYPE public.patient_match_status AS ENUM ('pending', 'accepted', 'rejected');
  END IF;
END
$$;

CREATE TABLE IF NOT EXISTS public.patient_match_reviews (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- The pair is identified by the legacy dispatch_patient ids (a < b, text order): they are
  -- stable across migration runs, while MDW patient ids change when patients are merged.
  legacy_key_a         text NOT NULL,
  legacy_key_b         text NOT NULL,
  -- The MDW patients the two legacy records live in now (re-pointed when one of them is merged
  -- into another patient; NULL if a patient was deleted by other means).
  patient_a_id         uuid REFERENCES public.patients(id) ON DELETE SET NULL,
  patient_b_id         uuid REFERENCES public.patients(id) ON DELETE SET NULL,
  -- The practice of both patients; NULL when they belong to different practices (then only lab
  -- admins see and decide the pair). Decides visibility (RLS below).
  practice_id          uuid REFERENCES public.practices(id) ON DELETE CASCADE,
  grade                public.patient_match_grade NOT NULL,
  score                numeric(8,2) NOT NULL,
  evidence             jsonb NOT NULL DEFAULT '[]'::jsonb,   -- FieldEvidence[]: field, outcome, weight, detail
  note                 text,
  status               public.patient_match_status NOT NULL DEFAULT 'pending',
  decided_by           uuid REFERENCES public.profiles(id) ON DELETE SET NULL,
  decided_at           timestamptz,
  -- After an accept: who survived and who was merged (history; the merged row is gone).
  survivor_patient_id  uuid,
  merged_patient_id    uuid,
  run_id               uuid NOT NULL,                       -- the migration run that last proposed it
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT patient_match_reviews_pair_key UNIQUE (legacy_key_a, legacy_key_b),
  CONSTRAINT patient_match_reviews_ordered CHECK (legacy_key_a < legacy_key_b),
  CONSTRAINT patient_match_reviews_decided CHECK ((status = 'pending') = (decided_at IS NULL))
);
-- The queue, newest first (keyset), per practice and across practices (lab admins).
CREATE INDEX IF NOT EXISTS idx_patient_match_reviews_practice_queue
  ON public.patient_match_reviews (practice_id, status, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS idx_patient_match_reviews_queue
  ON public.patient_match_reviews (status, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS idx_patient_match_reviews_patient_a ON public.patient_match_reviews (patient_a_id);
CREATE INDEX IF NOT EXISTS idx_patient_match_reviews_patient_b ON public.patient_match_reviews (patient_b_id);

CREATE OR REPLACE TRIGGER set_updated_at BEFORE UPDATE ON public.patient_match_reviews
  FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

-- Who may see and decide: lab admins (GLOBAL role admin) every pair; the owners and admins of
-- a practice the pairs whose two patients are both theirs. Other members, and anyone for a pair
-- across two practices, see nothing. Rows are written by the migration (privileged role) only;
-- deciding is an UPDATE (accept also merges, see src/repositories/patient-matches.repository.ts).
ALTER TABLE public.patient_match_reviews ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.patient_match_reviews FORCE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS "Enable all access for admin users" ON public.patient_match_reviews;
CREATE POLICY "Enable all access for admin users" ON public.patient_match_reviews AS PERMISSIVE FOR ALL TO authenticated
  USING ((SELECT public.is_internal_admin()))
  WITH CHECK ((SELECT public.is_internal_admin()));

DROP POLICY IF EXISTS patient_match_reviews_select ON public.patient_match_reviews;
CREATE POLICY patient_match_reviews_select ON public.patient_match_reviews FOR SELECT TO authenticated
  USING (practice_id = ANY (ARRAY(SELECT public.user_managed_practice_ids())));

DROP POLICY IF EXISTS patient_match_reviews_update ON public.patient_match_reviews;
CREATE POLICY patient_match_reviews_update ON public.patient_match_reviews FOR UPDATE TO authenticated
  USING (practice_id = ANY (ARRAY(SELECT public.user_managed_practice_ids())))
  WITH CHECK (practice_id = ANY (ARRAY(SELECT public.user_managed_practice_ids())));

REVOKE ALL ON public.patient_match_reviews FROM anon;
REVOKE INSERT, DELETE ON public.patient_match_reviews FROM authenticated;
GRANT SELECT, UPDATE ON public.patient_match_reviews TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.patient_match_reviews TO service_role;
