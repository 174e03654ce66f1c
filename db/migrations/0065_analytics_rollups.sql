-- Weekly analytics rollups (issue 11, part 5). bench/ANALYTICS.md showed that per practice the
-- facts of 0042/0043 answer in 50-600 ms, but lab-wide every request aggregated 22k-90k finished
-- cases (1-13 s). These tables hold, per practice and ISO week (Monday, UTC), what the five
-- /analytics questions sum: counts, sums, time split, rework counts by reason, and fixed log-scale
-- histograms from which p50/p90 are read. The endpoints read them for whole weeks and the facts
-- for the partial weeks at a period's edges (src/repositories/analytics.repository.ts).
--
-- Histograms: bucket i holds the values in (1.005^(i-1), 1.005^i] ms (bucket 0: ≤ 1 ms), stored
-- sparse as three parallel arrays: bucket, count, sum of the values. A percentile is read as
-- percentile_cont would, with each value replaced by the mean of its bucket; the mean lies in the
-- same bucket, so each order statistic, and their interpolation, is within 0.5 % of the exact
-- answer (exact when a bucket's values are equal).
--
-- Freshness: every write to the facts (workflow_performance with its task_runs, on-hold rows of
-- state_analytics, rework messages) records its (practice, week) in analytics_stale_weeks, in the
-- writer's transaction. analytics_refresh_rollups() recomputes exactly those weeks from the facts
-- and deletes the marks it consumed (a mark written meanwhile survives for the next run), so a
-- re-run recomputes the same rows and a backdated write (a migration, a late retry) is never
-- missed, which a watermark on finishing time would. Until a week is refreshed the endpoints read
-- it from the facts: answers are never stale.

CREATE OR REPLACE FUNCTION public.analytics_bucket(x float8)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = '' AS $$
  SELECT CASE WHEN x IS NULL THEN NULL WHEN x <= 1 THEN 0 ELSE ceil(ln(x) / ln(1.005::float8))::integer END
$$;

CREATE TABLE IF NOT EXISTS public.analytics_weekly_cases (
  practice_id          uuid NOT NULL,
  week                 date NOT NULL,                 -- Monday of the ISO week the cases finished in (UTC)
  workflow_template_id uuid NOT NULL,
  finished             integer NOT NULL,              -- workflow_performance rows (every outcome)
  completed            integer NOT NULL,
  cancelled            integer NOT NULL,
  on_time              integer NOT NULL,              -- completed with completion_rate 100 (or none)
  reworked             integer NOT NULL,              -- cases with a task reworked
  hold_minutes         float8 NOT NULL,               -- on_hold time (state_analytics) of these cases
  ta_b                 integer[] NOT NULL,            -- turnaround (created → finished) of completed cases: buckets,
  ta_n                 integer[] NOT NULL,            --   counts,
  ta_s                 float8[] NOT NULL,             --   sums of ms
  PRIMARY KEY (practice_id, week, workflow_template_id)
);
CREATE INDEX IF NOT EXISTS idx_analytics_weekly_cases_week ON public.analytics_weekly_cases (week);

CREATE TABLE IF NOT EXISTS public.analytics_weekly_tasks (
  practice_id          uuid NOT NULL,
  week                 date NOT NULL,
  workflow_template_id uuid NOT NULL,
  task_id              text NOT NULL,
  name                 text NOT NULL,
  runs                 integer NOT NULL,              -- task runs with an actual time (the rest below count only those)
  planned_n            integer NOT NULL,
  planned_ms           float8 NOT NULL,
  on_time              integer NOT NULL,
  judged               integer NOT NULL,              -- runs with an on_time verdict
  excess_ms            float8 NOT NULL,               -- time beyond the estimate
  reworks              integer NOT NULL,              -- of every run, timed or not
  practice_ms          float8 NOT NULL,               -- time split, as in analytics.repository.ts timeSplit
  lab_queue_ms         float8 NOT NULL,
  lab_active_ms        float8 NOT NULL,
  automatic_ms         float8 NOT NULL,
  h_b                  integer[] NOT NULL,            -- actual time: buckets, counts, sums of ms
  h_n                  integer[] NOT NULL,
  h_s                  float8[] NOT NULL,
  PRIMARY KEY (practice_id, week, workflow_template_id, task_id)
);
CREATE INDEX IF NOT EXISTS idx_analytics_weekly_tasks_week ON public.analytics_weekly_tasks (week);

-- Rework decisions by reason, by the week the decision's message was written (as the endpoint
-- counts them). decision and reason may be NULL, so no primary key: rows are replaced per week.
CREATE TABLE IF NOT EXISTS public.analytics_weekly_reasons (
  practice_id uuid NOT NULL,
  week        date NOT NULL,
  decision    text,
  reason      text,
  count       integer NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_analytics_weekly_reasons_practice_week ON public.analytics_weekly_reasons (practice_id, week);
CREATE INDEX IF NOT EXISTS idx_analytics_weekly_reasons_week ON public.analytics_weekly_reasons (week);

CREATE TABLE IF NOT EXISTS public.analytics_stale_weeks (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  practice_id uuid NOT NULL,
  week        date NOT NULL,
  marked_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_analytics_stale_weeks_practice_week ON public.analytics_stale_weeks (practice_id, week);
CREATE INDEX IF NOT EXISTS idx_analytics_stale_weeks_week ON public.analytics_stale_weeks (week);

-- Same visibility as the facts (task_runs): a member their practices, lab staff every practice.
-- The stale marks too: the endpoints read which of the caller's weeks must come from the facts.
DO $do$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['analytics_weekly_cases', 'analytics_weekly_tasks', 'analytics_weekly_reasons', 'analytics_stale_weeks'] LOOP
    EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE public.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('DROP POLICY IF EXISTS "Enable all access for admin users" ON public.%I', t);
    EXECUTE format('CREATE POLICY "Enable all access for admin users" ON public.%I AS PERMISSIVE FOR ALL TO authenticated USING ((SELECT public.is_internal_admin())) WITH CHECK ((SELECT public.is_internal_admin()))', t);
    EXECUTE format('DROP POLICY IF EXISTS %I ON public.%I', t || '_select', t);
    EXECUTE format('CREATE POLICY %I ON public.%I FOR SELECT TO authenticated USING (practice_id = ANY (ARRAY(SELECT public.user_practice_ids())) OR (SELECT public.is_lab_staff()))', t || '_select', t);
    EXECUTE format('REVOKE ALL ON public.%I FROM anon, authenticated', t);
    EXECUTE format('GRANT SELECT ON public.%I TO authenticated', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON public.%I TO service_role', t);
  END LOOP;
END
$do$;

-- Derived data, rewritten by every refresh: not audited (the facts it is computed from are).
CREATE OR REPLACE FUNCTION public.audit_skipped_tables()
RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['audit_log', 'phi_access_log', 'schema_migrations', 'idempotency_keys', 'query_performance_log',
               'analytics_weekly_cases', 'analytics_weekly_tasks', 'analytics_weekly_reasons', 'analytics_stale_weeks']
$$;

-- The rollup rows of the facts in [p_from, p_to), grouped by practice, week and template: what
-- the refresh stores for whole weeks and what the endpoints compute for partial ones (one
-- definition for both). SECURITY INVOKER: under the caller's RLS. Dynamic SQL so each call is
-- planned for its own arguments: a cached generic plan of `(p IS NULL OR practice_id = p)` would
-- scan every practice's facts.
CREATE OR REPLACE FUNCTION public.analytics_case_rows(p_from timestamptz, p_to timestamptz, p_practice uuid, p_template uuid)
RETURNS SETOF public.analytics_weekly_cases
LANGUAGE plpgsql STABLE SET search_path = '' AS $fn$
BEGIN
  RETURN QUERY EXECUTE format($q$
    WITH f AS (
      SELECT wp.practice_id, date_trunc('week', wp.created_at AT TIME ZONE 'UTC')::date AS week, wp.workflow_template_id,
             wp.task_performance->>'outcome' AS outcome, wp.completion_rate,
             CASE WHEN wp.task_performance->>'outcome' = 'completed' THEN extract(epoch FROM wp.created_at - c.created_at)::float8 * 1000 END AS turnaround_ms,
             EXISTS (SELECT 1 FROM public.task_runs r WHERE r.case_id = wp.case_id AND r.reworks > 0) AS reworked,
             (SELECT sum(s.duration_minutes)::float8 FROM public.state_analytics s
               WHERE s.case_id = wp.case_id AND s.practice_id = wp.practice_id AND s.from_state = 'on_hold') AS hold_minutes
        FROM public.workflow_performance wp
        LEFT JOIN public.cases c ON c.id = wp.case_id
       WHERE wp.created_at >= $1 AND wp.created_at < $2 %s %s),
    h AS (
      SELECT practice_id, week, workflow_template_id, public.analytics_bucket(turnaround_ms) AS b, count(*)::integer AS n, sum(turnaround_ms) AS s
        FROM f WHERE turnaround_ms IS NOT NULL GROUP BY 1, 2, 3, 4),
    ha AS (
      SELECT practice_id, week, workflow_template_id, array_agg(b ORDER BY b) AS b, array_agg(n ORDER BY b) AS n, array_agg(s ORDER BY b) AS s
        FROM h GROUP BY 1, 2, 3),
    a AS (
      SELECT practice_id, week, workflow_template_id, count(*)::integer AS finished,
             count(*) FILTER (WHERE outcome = 'completed')::integer AS completed,
             count(*) FILTER (WHERE outcome = 'cancelled')::integer AS cancelled,
             count(*) FILTER (WHERE outcome = 'completed' AND coalesce(completion_rate, 100) = 100)::integer AS on_time,
             count(*) FILTER (WHERE reworked)::integer AS reworked,
             coalesce(sum(hold_minutes), 0)::float8 AS hold_minutes
        FROM f GROUP BY 1, 2, 3)
    SELECT a.practice_id, a.week, a.workflow_template_id, a.finished, a.completed, a.cancelled, a.on_time, a.reworked, a.hold_minutes,
           coalesce(ha.b, '{}'), coalesce(ha.n, '{}'), coalesce(ha.s, '{}')
      FROM a LEFT JOIN ha ON ha.practice_id = a.practice_id AND ha.week = a.week AND ha.workflow_template_id = a.workflow_template_id
  $q$, CASE WHEN p_practice IS NOT NULL THEN 'AND wp.practice_id = $3' ELSE '' END, CASE WHEN p_template IS NOT NULL THEN 'AND wp.workflow_template_id = $4' ELSE '' END)
  USING p_from, p_to, p_practice, p_template;
END
$fn$;

CREATE OR REPLACE FUNCTION public.analytics_task_rows(p_from timestamptz, p_to timestamptz, p_practice uuid, p_template uuid)
RETURNS SETOF public.analytics_weekly_tasks
LANGUAGE plpgsql STABLE SET search_path = '' AS $fn$
BEGIN
  RETURN QUERY EXECUTE format($q$
    WITH t AS (
      SELECT r.practice_id, date_trunc('week', r.finished_at AT TIME ZONE 'UTC')::date AS week, r.workflow_template_id, r.task_id, r.name,
             r.planned_ms, r.actual_ms, r.on_time, r.reworks, r.kind, r.lab, r.queue_ms
        FROM public.task_runs r
       WHERE r.finished_at >= $1 AND r.finished_at < $2 %s %s),
    h AS (
      SELECT practice_id, week, workflow_template_id, task_id, public.analytics_bucket(actual_ms) AS b, count(*)::integer AS n, sum(actual_ms) AS s
        FROM t WHERE actual_ms IS NOT NULL GROUP BY 1, 2, 3, 4, 5),
    ha AS (
      SELECT practice_id, week, workflow_template_id, task_id, array_agg(b ORDER BY b) AS b, array_agg(n ORDER BY b) AS n, array_agg(s ORDER BY b) AS s
        FROM h GROUP BY 1, 2, 3, 4),
    a AS (
      SELECT practice_id, week, workflow_template_id, task_id, min(name) AS name,
             count(*) FILTER (WHERE actual_ms IS NOT NULL)::integer AS runs,
             count(planned_ms) FILTER (WHERE actual_ms IS NOT NULL)::integer AS planned_n,
             coalesce(sum(planned_ms) FILTER (WHERE actual_ms IS NOT NULL), 0) AS planned_ms,
             count(*) FILTER (WHERE actual_ms IS NOT NULL AND on_time)::integer AS on_time,
             count(on_time) FILTER (WHERE actual_ms IS NOT NULL)::integer AS judged,
             coalesce(sum(greatest(actual_ms - planned_ms, 0)) FILTER (WHERE actual_ms IS NOT NULL), 0) AS excess_ms,
             coalesce(sum(reworks) FILTER (WHERE reworks > 0), 0)::integer AS reworks,
             coalesce(sum(actual_ms) FILTER (WHERE actual_ms IS NOT NULL AND kind <> 'automatic' AND NOT lab), 0) AS practice_ms,
             coalesce(sum(coalesce(queue_ms, 0)) FILTER (WHERE actual_ms IS NOT NULL AND kind <> 'automatic' AND lab), 0) AS lab_queue_ms,
             coalesce(sum(actual_ms - coalesce(queue_ms, 0)) FILTER (WHERE actual_ms IS NOT NULL AND kind <> 'automatic' AND lab), 0) AS lab_active_ms,
             coalesce(sum(actual_ms) FILTER (WHERE actual_ms IS NOT NULL AND kind = 'automatic'), 0) AS automatic_ms
        FROM t GROUP BY 1, 2, 3, 4)
    SELECT a.practice_id, a.week, a.workflow_template_id, a.task_id, a.name, a.runs, a.planned_n, a.planned_ms, a.on_time, a.judged, a.excess_ms,
           a.reworks, a.practice_ms, a.lab_queue_ms, a.lab_active_ms, a.automatic_ms,
           coalesce(ha.b, '{}'), coalesce(ha.n, '{}'), coalesce(ha.s, '{}')
      FROM a LEFT JOIN ha ON ha.practice_id = a.practice_id AND ha.week = a.week AND ha.workflow_template_id = a.workflow_template_id AND ha.task_id = a.task_id
  $q$, CASE WHEN p_practice IS NOT NULL THEN 'AND r.practice_id = $3' ELSE '' END, CASE WHEN p_template IS NOT NULL THEN 'AND r.workflow_template_id = $4' ELSE '' END)
  USING p_from, p_to, p_practice, p_template;
END
$fn$;

CREATE OR REPLACE FUNCTION public.analytics_reason_rows(p_from timestamptz, p_to timestamptz, p_practice uuid)
RETURNS SETOF public.analytics_weekly_reasons
LANGUAGE plpgsql STABLE SET search_path = '' AS $fn$
BEGIN
  RETURN QUERY EXECUTE format($q$
    SELECT m.practice_id, date_trunc('week', m.created_at AT TIME ZONE 'UTC')::date,
           m.metadata->>'decision', coalesce(m.metadata->>'reason', substring(m.content FROM ': (.*)\. Back to "')), count(*)::integer
      FROM public.case_messages m
     WHERE m.metadata ? 'reworkTaskId'
       AND m.created_at >= $1 AND m.created_at < $2 %s
     GROUP BY 1, 2, 3, 4
  $q$, CASE WHEN p_practice IS NOT NULL THEN 'AND m.practice_id = $3' ELSE '' END)
  USING p_from, p_to, p_practice;
END
$fn$;

-- Marks: written by the facts' writers' transactions (triggers), consumed by the refresh.
CREATE OR REPLACE FUNCTION public.analytics_mark_performance()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  -- Statement level: one mark per (practice, week) a statement touched, however many rows.
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO public.analytics_stale_weeks (practice_id, week)
      SELECT DISTINCT n.practice_id, date_trunc('week', n.created_at AT TIME ZONE 'UTC')::date FROM analytics_new n;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    INSERT INTO public.analytics_stale_weeks (practice_id, week)
      SELECT DISTINCT o.practice_id, date_trunc('week', o.created_at AT TIME ZONE 'UTC')::date FROM analytics_old o;
  END IF;
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER analytics_mark_insert AFTER INSERT ON public.workflow_performance
  REFERENCING NEW TABLE AS analytics_new FOR EACH STATEMENT EXECUTE FUNCTION public.analytics_mark_performance();
CREATE OR REPLACE TRIGGER analytics_mark_update AFTER UPDATE ON public.workflow_performance
  REFERENCING OLD TABLE AS analytics_old NEW TABLE AS analytics_new FOR EACH STATEMENT EXECUTE FUNCTION public.analytics_mark_performance();
CREATE OR REPLACE TRIGGER analytics_mark_delete AFTER DELETE ON public.workflow_performance
  REFERENCING OLD TABLE AS analytics_old FOR EACH STATEMENT EXECUTE FUNCTION public.analytics_mark_performance();

-- A rework decision's message: the week it was written. Row level with WHEN, so the other
-- messages pay nothing.
CREATE OR REPLACE FUNCTION public.analytics_mark_message()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.metadata ? 'reworkTaskId' THEN
    INSERT INTO public.analytics_stale_weeks (practice_id, week) VALUES (NEW.practice_id, date_trunc('week', NEW.created_at AT TIME ZONE 'UTC')::date);
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') AND OLD.metadata ? 'reworkTaskId' THEN
    INSERT INTO public.analytics_stale_weeks (practice_id, week) VALUES (OLD.practice_id, date_trunc('week', OLD.created_at AT TIME ZONE 'UTC')::date);
  END IF;
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER analytics_mark_insert AFTER INSERT ON public.case_messages
  FOR EACH ROW WHEN (NEW.metadata ? 'reworkTaskId') EXECUTE FUNCTION public.analytics_mark_message();
CREATE OR REPLACE TRIGGER analytics_mark_update AFTER UPDATE ON public.case_messages
  FOR EACH ROW WHEN (OLD.metadata ? 'reworkTaskId' OR NEW.metadata ? 'reworkTaskId') EXECUTE FUNCTION public.analytics_mark_message();
CREATE OR REPLACE TRIGGER analytics_mark_delete AFTER DELETE ON public.case_messages
  FOR EACH ROW WHEN (OLD.metadata ? 'reworkTaskId') EXECUTE FUNCTION public.analytics_mark_message();

-- Time on hold counts in the week its case finished (nothing to mark while it runs: its close
-- marks the week).
CREATE OR REPLACE FUNCTION public.analytics_mark_hold()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  INSERT INTO public.analytics_stale_weeks (practice_id, week)
    SELECT DISTINCT wp.practice_id, date_trunc('week', wp.created_at AT TIME ZONE 'UTC')::date
      FROM public.workflow_performance wp
     WHERE wp.case_id IN (CASE WHEN TG_OP <> 'DELETE' THEN NEW.case_id END, CASE WHEN TG_OP <> 'INSERT' THEN OLD.case_id END);
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER analytics_mark_insert AFTER INSERT ON public.state_analytics
  FOR EACH ROW WHEN (NEW.from_state = 'on_hold') EXECUTE FUNCTION public.analytics_mark_hold();
CREATE OR REPLACE TRIGGER analytics_mark_update AFTER UPDATE ON public.state_analytics
  FOR EACH ROW WHEN (OLD.from_state = 'on_hold' OR NEW.from_state = 'on_hold') EXECUTE FUNCTION public.analytics_mark_hold();
CREATE OR REPLACE TRIGGER analytics_mark_delete AFTER DELETE ON public.state_analytics
  FOR EACH ROW WHEN (OLD.from_state = 'on_hold') EXECUTE FUNCTION public.analytics_mark_hold();

/**
 * Recomputes the rollups of the marked weeks (of one practice, or all) from the facts, and
 * deletes the marks it consumed, in the caller's transaction. At most p_limit marks per call
 * (NULL: all). One refresh at a time: without p_wait a concurrent call returns -1 at once (the
 * next run takes the marks). Returns the number of (practice, week) pairs recomputed.
 */
CREATE OR REPLACE FUNCTION public.analytics_refresh_rollups(p_practice uuid DEFAULT NULL, p_limit integer DEFAULT NULL, p_wait boolean DEFAULT false)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  ids bigint[];
  pr uuid[];
  wk date[];
BEGIN
  IF p_wait THEN
    PERFORM pg_advisory_xact_lock(4627165);
  ELSIF NOT pg_try_advisory_xact_lock(4627165) THEN
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

  DELETE FROM public.analytics_stale_weeks WHERE id = ANY (ids);
  RETURN cardinality(pr);
END
$$;
REVOKE EXECUTE ON FUNCTION public.analytics_refresh_rollups(uuid, integer, boolean) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION public.analytics_refresh_rollups(uuid, integer, boolean) TO service_role;

-- Existing history: mark every week that has facts, then build the rollups now.
INSERT INTO public.analytics_stale_weeks (practice_id, week)
  SELECT practice_id, date_trunc('week', created_at AT TIME ZONE 'UTC')::date FROM public.workflow_performance
  UNION
  SELECT practice_id, date_trunc('week', created_at AT TIME ZONE 'UTC')::date FROM public.case_messages WHERE metadata ? 'reworkTaskId';
SELECT public.analytics_refresh_rollups(NULL, NULL, true);
