-- Lab-wide weekly rollups (issue 11, part 5). bench/ANALYTICS.md: a lab-wide question read every
-- practice's rows of 0065 (a lab-wide year of turnaround merged the histograms of ~42k per-practice
-- task rows: 1.9 s at full scale). These tables hold the same rows summed over every practice, per
-- ISO week × template (× task; reasons per week): what a caller who sees every practice reads for
-- the whole weeks of a period.
--
-- Who may read them: the callers who today see every practice's analytics, i.e. lab staff
-- (is_lab_staff(): a technician or support profile on the lab's roster, or an admin). A practice
-- member reads none of it: a sum over other practices is other practices' data.
--
-- Kept current by the refresh of 0065/0066: whenever analytics_refresh_rollups() recomputes
-- (practice, week) rows it recomputes those weeks' lab-wide rows from the per-practice rows, in the
-- same transaction. Invariant: a lab-wide week is the sum of the stored per-practice rows of that
-- week. Until every practice's mark on a week is consumed, readers take that week from the
-- per-practice rows and the facts instead (analytics.repository.ts), so answers are never stale.
-- Refreshes of different practices run side by side (0066); two of them touching the same week
-- would each sum the other's old rows, so the lab-wide recompute takes a lock per week (in week
-- order: no deadlock) and runs its statements after it, each with a fresh READ COMMITTED snapshot
-- that sees the refresh that held the lock before.

CREATE TABLE IF NOT EXISTS public.analytics_lab_weekly_cases (
  week                 date NOT NULL,                 -- columns as analytics_weekly_cases without practice_id, same order
  workflow_template_id uuid NOT NULL,
  finished             integer NOT NULL,
  completed            integer NOT NULL,
  cancelled            integer NOT NULL,
  on_time              integer NOT NULL,
  reworked             integer NOT NULL,
  hold_minutes         float8 NOT NULL,
  ta_b                 integer[] NOT NULL,
  ta_n                 integer[] NOT NULL,
  ta_s                 float8[] NOT NULL,
  PRIMARY KEY (week, workflow_template_id)
);

CREATE TABLE IF NOT EXISTS public.analytics_lab_weekly_tasks (
  week                 date NOT NULL,                 -- columns as analytics_weekly_tasks without practice_id, same order
  workflow_template_id uuid NOT NULL,
  task_id              text NOT NULL,
  name                 text NOT NULL,
  runs                 integer NOT NULL,
  planned_n            integer NOT NULL,
  planned_ms           float8 NOT NULL,
  on_time              integer NOT NULL,
  judged               integer NOT NULL,
  excess_ms            float8 NOT NULL,
  reworks              integer NOT NULL,
  practice_ms          float8 NOT NULL,
  lab_queue_ms         float8 NOT NULL,
  lab_active_ms        float8 NOT NULL,
  automatic_ms         float8 NOT NULL,
  h_b                  integer[] NOT NULL,
  h_n                  integer[] NOT NULL,
  h_s                  float8[] NOT NULL,
  PRIMARY KEY (week, workflow_template_id, task_id)
);

CREATE TABLE IF NOT EXISTS public.analytics_lab_weekly_reasons (
  week     date NOT NULL,
  decision text,
  reason   text,
  count    integer NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_analytics_lab_weekly_reasons_week ON public.analytics_lab_weekly_reasons (week);

DO $do$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['analytics_lab_weekly_cases', 'analytics_lab_weekly_tasks', 'analytics_lab_weekly_reasons'] LOOP
    EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE public.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('DROP POLICY IF EXISTS %I ON public.%I', t || '_select', t);
    EXECUTE format('CREATE POLICY %I ON public.%I FOR SELECT TO authenticated USING ((SELECT public.is_lab_staff()))', t || '_select', t);
    EXECUTE format('REVOKE ALL ON public.%I FROM anon, authenticated', t);
    EXECUTE format('GRANT SELECT ON public.%I TO authenticated', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON public.%I TO service_role', t);
  END LOOP;
END
$do$;

-- Derived data: not audited (the facts are). Added to whatever list is current when this runs,
-- rather than restating it: 0065 and 0061, written in parallel, each restated the list and one
-- lost the other's entry (0069).
DO $do$
DECLARE
  cur text[] := public.audit_skipped_tables();
  want text[] := ARRAY['analytics_lab_weekly_cases', 'analytics_lab_weekly_tasks', 'analytics_lab_weekly_reasons'];
  t text;
BEGIN
  IF NOT cur @> want THEN
    EXECUTE format('CREATE OR REPLACE FUNCTION public.audit_skipped_tables() RETURNS text[] LANGUAGE sql IMMUTABLE AS %L',
                   format('SELECT %L::text[]', ARRAY(SELECT x FROM unnest(cur) x UNION SELECT x FROM unnest(want) x ORDER BY 1)));
  END IF;
  FOREACH t IN ARRAY want LOOP
    FOR i IN 1..3 LOOP
      EXECUTE format('DROP TRIGGER IF EXISTS %I ON public.%I', (ARRAY['audit_row_change', 'audit_row_change_update', 'audit_row_change_delete'])[i], t);
    END LOOP;
  END LOOP;
END
$do$;

/**
 * Recomputes the lab-wide rows of the given weeks from the stored per-practice rows. Called by
 * analytics_refresh_rollups() after it rewrote per-practice rows of those weeks, in its
 * transaction. Takes a transaction-level lock per week first, so that two refreshes of different
 * practices touching one week sum each other's committed rows (READ COMMITTED: every statement
 * below takes its snapshot after the lock).
 */
CREATE OR REPLACE FUNCTION public.analytics_lab_recompute(p_weeks date[])
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  k integer;
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    -- A snapshot older than the lock would miss a concurrent refresh of another practice's rows.
    RAISE EXCEPTION 'analytics_lab_recompute needs READ COMMITTED, not %', current_setting('transaction_isolation');
  END IF;
  -- One lock per week number modulo 512, ascending: at most 512 locks however many weeks a
  -- backfill refreshes (the lock table is finite); two weeks sharing a lock only queue.
  FOR k IN SELECT DISTINCT (((x - DATE '2000-01-03') / 7) % 512 + 512) % 512 FROM unnest(p_weeks) x WHERE x IS NOT NULL ORDER BY 1 LOOP
    PERFORM pg_advisory_xact_lock(4627167, k);
  END LOOP;

  DELETE FROM public.analytics_lab_weekly_cases WHERE week = ANY (p_weeks);
  DELETE FROM public.analytics_lab_weekly_tasks WHERE week = ANY (p_weeks);
  DELETE FROM public.analytics_lab_weekly_reasons WHERE week = ANY (p_weeks);

  -- Float sums in practice order: the same per-practice rows always give the same lab row to the
  -- last bit, whatever order a rewrite left them in (a re-run refresh is idempotent).
  INSERT INTO public.analytics_lab_weekly_cases
    WITH r AS (SELECT * FROM public.analytics_weekly_cases WHERE week = ANY (p_weeks)),
    h AS (SELECT r.week, r.workflow_template_id, x.b, sum(x.n)::integer AS n, sum(x.s ORDER BY r.practice_id) AS s
            FROM r CROSS JOIN LATERAL unnest(r.ta_b, r.ta_n, r.ta_s) AS x(b, n, s) GROUP BY 1, 2, 3),
    ha AS (SELECT week, workflow_template_id, array_agg(b ORDER BY b) AS b, array_agg(n ORDER BY b) AS n, array_agg(s ORDER BY b) AS s
             FROM h GROUP BY 1, 2),
    a AS (SELECT week, workflow_template_id, sum(finished)::integer AS finished, sum(completed)::integer AS completed,
                 sum(cancelled)::integer AS cancelled, sum(on_time)::integer AS on_time, sum(reworked)::integer AS reworked,
                 sum(hold_minutes ORDER BY practice_id)::float8 AS hold_minutes
            FROM r GROUP BY 1, 2)
    SELECT a.week, a.workflow_template_id, a.finished, a.completed, a.cancelled, a.on_time, a.reworked, a.hold_minutes,
           coalesce(ha.b, '{}'), coalesce(ha.n, '{}'), coalesce(ha.s, '{}')
      FROM a LEFT JOIN ha ON ha.week = a.week AND ha.workflow_template_id = a.workflow_template_id;

  INSERT INTO public.analytics_lab_weekly_tasks
    WITH r AS (SELECT * FROM public.analytics_weekly_tasks WHERE week = ANY (p_weeks)),
    h AS (SELECT r.week, r.workflow_template_id, r.task_id, x.b, sum(x.n)::integer AS n, sum(x.s ORDER BY r.practice_id) AS s
            FROM r CROSS JOIN LATERAL unnest(r.h_b, r.h_n, r.h_s) AS x(b, n, s) GROUP BY 1, 2, 3, 4),
    ha AS (SELECT week, workflow_template_id, task_id, array_agg(b ORDER BY b) AS b, array_agg(n ORDER BY b) AS n, array_agg(s ORDER BY b) AS s
             FROM h GROUP BY 1, 2, 3),
    a AS (SELECT week, workflow_template_id, task_id, min(name) AS name, sum(runs)::integer AS runs, sum(planned_n)::integer AS planned_n,
                 sum(planned_ms ORDER BY practice_id)::float8 AS planned_ms, sum(on_time)::integer AS on_time, sum(judged)::integer AS judged,
                 sum(excess_ms ORDER BY practice_id)::float8 AS excess_ms, sum(reworks)::integer AS reworks, sum(practice_ms ORDER BY practice_id)::float8 AS practice_ms,
                 sum(lab_queue_ms ORDER BY practice_id)::float8 AS lab_queue_ms, sum(lab_active_ms ORDER BY practice_id)::float8 AS lab_active_ms, sum(automatic_ms ORDER BY practice_id)::float8 AS automatic_ms
            FROM r GROUP BY 1, 2, 3)
    SELECT a.week, a.workflow_template_id, a.task_id, a.name, a.runs, a.planned_n, a.planned_ms, a.on_time, a.judged, a.excess_ms, a.reworks,
           a.practice_ms, a.lab_queue_ms, a.lab_active_ms, a.automatic_ms, coalesce(ha.b, '{}'), coalesce(ha.n, '{}'), coalesce(ha.s, '{}')
      FROM a LEFT JOIN ha ON ha.week = a.week AND ha.workflow_template_id = a.workflow_template_id AND ha.task_id = a.task_id;

  INSERT INTO public.analytics_lab_weekly_reasons
    SELECT week, decision, reason, sum(count)::integer FROM public.analytics_weekly_reasons WHERE week = ANY (p_weeks) GROUP BY 1, 2, 3;
END
$$;
REVOKE EXECUTE ON FUNCTION public.analytics_lab_recompute(date[]) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION public.analytics_lab_recompute(date[]) TO service_role;

/**
 * 0066's refresh, plus the lab-wide rows of the weeks it recomputed (analytics_lab_recompute).
 * Recomputes the rollups of the marked weeks (of one practice, or all) from the facts, and
 * deletes the marks it consumed, in the caller's transaction. At most p_limit marks per call
 * (NULL: all). Without p_wait a call that would wait for another refresh returns -1 at once (the
 * next run takes the marks). Returns the number of (practice, week) pairs recomputed.
 */
CREATE OR REPLACE FUNCTION public.analytics_refresh_rollups(p_practice uuid DEFAULT NULL, p_limit integer DEFAULT NULL, p_wait boolean DEFAULT false)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  ids bigint[];
  pr uuid[];
  wk date[];
BEGIN
  -- A refresh of every practice excludes all others; refreshes of different practices run side
  -- by side (disjoint rows), of one practice one at a time.
  IF p_practice IS NULL THEN
    IF p_wait THEN
      PERFORM pg_advisory_xact_lock(4627165, 0);
    ELSIF NOT pg_try_advisory_xact_lock(4627165, 0) THEN
      RETURN -1;
    END IF;
  ELSIF p_wait THEN
    PERFORM pg_advisory_xact_lock_shared(4627165, 0);
    PERFORM pg_advisory_xact_lock(4627166, hashtext(p_practice::text));
  ELSIF NOT (pg_try_advisory_xact_lock_shared(4627165, 0) AND pg_try_advisory_xact_lock(4627166, hashtext(p_practice::text))) THEN
    RETURN -1;
  END IF;
  SELECT array_agg(s.id) INTO ids
    FROM (SELECT id FROM public.analytics_stale_weeks WHERE p_practice IS NULL OR practice_id = p_practice ORDER BY id LIMIT p_limit) s;
  IF ids IS NULL THEN
    RETURN 0;
  END IF;
  SELECT array_agg(d.practice_id), array_agg(d.week) INTO pr, wk
    FROM (SELECT DISTINCT practice_id, week FROM public.analytics_stale_weeks WHERE id = ANY (ids)) d;

  DELETE FROM public.analytics_weekly_cases r USING unnest(pr, wk) AS p(practice_id, week) WHERE r.practice_id = p.practice_id AND r.week = p.week;
  DELETE FROM public.analytics_weekly_tasks r USING unnest(pr, wk) AS p(practice_id, week) WHERE r.practice_id = p.practice_id AND r.week = p.week;
  DELETE FROM public.analytics_weekly_reasons r USING unnest(pr, wk) AS p(practice_id, week) WHERE r.practice_id = p.practice_id AND r.week = p.week;

  -- One pass over each practice's span of marked weeks (usually one week), keeping the marked ones.
  INSERT INTO public.analytics_weekly_cases
    SELECT x.* FROM (SELECT practice_id, min(week) AS lo, max(week) AS hi FROM unnest(pr, wk) AS p(practice_id, week) GROUP BY 1) g
     CROSS JOIN LATERAL public.analytics_case_rows(g.lo::timestamp AT TIME ZONE 'UTC', (g.hi + 7)::timestamp AT TIME ZONE 'UTC', g.practice_id, NULL) x
     WHERE (x.practice_id, x.week) IN (SELECT * FROM unnest(pr, wk));
  INSERT INTO public.analytics_weekly_tasks
    SELECT x.* FROM (SELECT practice_id, min(week) AS lo, max(week) AS hi FROM unnest(pr, wk) AS p(practice_id, week) GROUP BY 1) g
     CROSS JOIN LATERAL public.analytics_task_rows(g.lo::timestamp AT TIME ZONE 'UTC', (g.hi + 7)::timestamp AT TIME ZONE 'UTC', g.practice_id, NULL) x
     WHERE (x.practice_id, x.week) IN (SELECT * FROM unnest(pr, wk));
  INSERT INTO public.analytics_weekly_reasons
    SELECT x.* FROM (SELECT practice_id, min(week) AS lo, max(week) AS hi FROM unnest(pr, wk) AS p(practice_id, week) GROUP BY 1) g
     CROSS JOIN LATERAL public.analytics_reason_rows(g.lo::timestamp AT TIME ZONE 'UTC', (g.hi + 7)::timestamp AT TIME ZONE 'UTC', g.practice_id) x
     WHERE (x.practice_id, x.week) IN (SELECT * FROM unnest(pr, wk));

  PERFORM public.analytics_lab_recompute(ARRAY(SELECT DISTINCT w FROM unnest(wk) w));

  DELETE FROM public.analytics_stale_weeks WHERE id = ANY (ids);
  RETURN cardinality(pr);
END
$$;
REVOKE EXECUTE ON FUNCTION public.analytics_refresh_rollups(uuid, integer, boolean) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION public.analytics_refresh_rollups(uuid, integer, boolean) TO service_role;

-- The lab-wide rows of the existing history, from the per-practice rows stored now (weeks still
-- marked are read from the facts until refreshed, and recomputed here again when they are).
SELECT public.analytics_lab_recompute(ARRAY(
  SELECT week FROM public.analytics_weekly_cases UNION SELECT week FROM public.analytics_weekly_tasks UNION SELECT week FROM public.analytics_weekly_reasons));
