-- Slow queries (issue 12 section 5). The API and the worker record every statement slower than
-- SLOW_QUERY_MS in query_performance_log (src/db/slow-queries.ts); the design's log_slow_queries()
-- trigger (0003, AFTER INSERT) raises a performance_alerts row for those over one second, which
-- lab admins read at GET /ops/alerts and Prometheus sees as mdw_performance_alerts_open.
--
-- What the design's table lacked to act on an entry: which process, which statement (the SQL text
-- with $n placeholders: parameter values, which may be patient data, are never recorded), and the
-- request or workflow that ran it.

ALTER TABLE public.query_performance_log ADD COLUMN IF NOT EXISTS service text;
ALTER TABLE public.query_performance_log ADD COLUMN IF NOT EXISTS statement text;
ALTER TABLE public.query_performance_log ADD COLUMN IF NOT EXISTS request_id text;
ALTER TABLE public.query_performance_log ADD COLUMN IF NOT EXISTS workflow_id text;

-- The design's trigger, unchanged in what it decides (over 1000 ms), with the new columns in the
-- alert's metadata so that an operator can find the statement without a join.
CREATE OR REPLACE FUNCTION public.log_slow_queries()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  IF NEW.execution_time_ms > 1000 THEN
    INSERT INTO public.performance_alerts (alert_type, message, metadata)
    VALUES ('slow_query', 'Query exceeded 1 second', jsonb_build_object(
      'query_type', NEW.query_type,
      'execution_time', NEW.execution_time_ms,
      'user_id', NEW.user_id,
      'query_performance_log_id', NEW.id,
      'service', NEW.service,
      'statement', left(NEW.statement, 500),
      'request_id', NEW.request_id,
      'workflow_id', NEW.workflow_id
    ));
  END IF;
  RETURN NEW;
END;
$$;
