-- Analytics rollups (0065): the refresh of one practice's weeks (what the case-close activity
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
