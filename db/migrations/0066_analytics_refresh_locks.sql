-- Analytics rollups (0065), two refinements. The refresh of one practice's weeks (what the case-close activity
-- runs) no longer waits for, or turns away, the refreshes of other practices. A refresh of every
-- practice (the Schedule's) still excludes all others: a shared lock that per-practice refreshes
-- hold, exclusive for the global one, plus an exclusive lock per practice.
/**
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

  DELETE FROM public.analytics_stale_weeks WHERE id = ANY (ids);
  RETURN cardinality(pr);
END
$$;
REVOKE EXECUTE ON FUNCTION public.analytics_refresh_rollups(uuid, integer, boolean) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION public.analytics_refresh_rollups(uuid, integer, boolean) TO service_role;

-- The partial weeks at a period's edges are computed per request: which cases were reworked is
-- one range read of task_runs joined in, not a lookup per case (the full-scale benchmark's
-- lab-wide edges spent most of their time in that lookup's random reads).
CREATE OR REPLACE FUNCTION public.analytics_case_rows(p_from timestamptz, p_to timestamptz, p_practice uuid, p_template uuid)
RETURNS SETOF public.analytics_weekly_cases
LANGUAGE plpgsql STABLE SET search_path = '' AS $fn$
BEGIN
  RETURN QUERY EXECUTE format($q$
    WITH rw AS (
      SELECT DISTINCT r.case_id FROM public.task_runs r
       WHERE r.finished_at >= $1 AND r.finished_at < $2 AND r.reworks > 0 %s %s),
    f AS (
      SELECT wp.practice_id, date_trunc('week', wp.created_at AT TIME ZONE 'UTC')::date AS week, wp.workflow_template_id,
             wp.task_performance->>'outcome' AS outcome, wp.completion_rate,
             CASE WHEN wp.task_performance->>'outcome' = 'completed' THEN extract(epoch FROM wp.created_at - c.created_at)::float8 * 1000 END AS turnaround_ms,
             rw.case_id IS NOT NULL AS reworked,
             (SELECT sum(s.duration_minutes)::float8 FROM public.state_analytics s
               WHERE s.case_id = wp.case_id AND s.practice_id = wp.practice_id AND s.from_state = 'on_hold') AS hold_minutes
        FROM public.workflow_performance wp
        LEFT JOIN public.cases c ON c.id = wp.case_id
        LEFT JOIN rw ON rw.case_id = wp.case_id
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
  $q$, CASE WHEN p_practice IS NOT NULL THEN 'AND r.practice_id = $3' ELSE '' END, CASE WHEN p_template IS NOT NULL THEN 'AND r.workflow_template_id = $4' ELSE '' END,
        CASE WHEN p_practice IS NOT NULL THEN 'AND wp.practice_id = $3' ELSE '' END, CASE WHEN p_template IS NOT NULL THEN 'AND wp.workflow_template_id = $4' ELSE '' END)
  USING p_from, p_to, p_practice, p_template;
END
$fn$;
