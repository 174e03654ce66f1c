-- Per-practice number sequences (case numbers, later order and patient numbers). Allocating
-- with max(case_number) + 1 read every case of the practice and needed a lock around it; a
-- counter row is O(1) and its row lock serialises concurrent allocations.
CREATE TABLE IF NOT EXISTS public.practice_counters (
  practice_id  uuid NOT NULL REFERENCES public.practices(id) ON DELETE CASCADE,
  kind         text NOT NULL,
  value        bigint NOT NULL,
  PRIMARY KEY (practice_id, kind)
);
ALTER TABLE public.practice_counters ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.practice_counters FORCE ROW LEVEL SECURITY;
REVOKE ALL ON public.practice_counters FROM anon, authenticated;

-- The next number of a practice's sequence. The first call of a sequence starts after the
-- highest number already used in the matching column, so numbering continues existing data.
CREATE OR REPLACE FUNCTION public.next_case_number(p_practice uuid)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = ''
AS $fn$
DECLARE
  n bigint;
BEGIN
  UPDATE public.practice_counters SET value = value + 1
   WHERE practice_id = p_practice AND kind = 'case'
  RETURNING value INTO n;
  IF FOUND THEN
    RETURN n;
  END IF;
  INSERT INTO public.practice_counters AS c (practice_id, kind, value)
  SELECT p_practice, 'case', coalesce(max(substring(case_number FROM '^C-(\d+)$')::bigint), 0) + 1
    FROM public.cases WHERE practice_id = p_practice AND case_number ~ '^C-\d+$'
  ON CONFLICT (practice_id, kind) DO UPDATE SET value = c.value + 1
  RETURNING value INTO n;
  RETURN n;
END
$fn$;
REVOKE ALL ON FUNCTION public.next_case_number(uuid) FROM PUBLIC, anon, authenticated;
