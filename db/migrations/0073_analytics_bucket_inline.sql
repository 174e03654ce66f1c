-- analytics_bucket() (0065) carried `SET search_path = ''`, which keeps PostgreSQL from inlining a
-- SQL function: every call ran as its own little query (~20 µs each on the loaded benchmark
-- machine). The partial edge weeks of a period compute a bucket per task run and per case from
-- the facts, so a lab-wide 4.5-day edge of task rows (9,000 runs) spent about half of its ~460 ms
-- there (bench/ANALYTICS.md). Same expression, inlinable: no SET clause, and every operator and
-- function schema-qualified, so no search_path can change what it calls. Same results: the stored
-- rollups stay valid.
CREATE OR REPLACE FUNCTION public.analytics_bucket(x float8)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN x IS NULL THEN NULL
              WHEN x OPERATOR(pg_catalog.<=) 1 THEN 0
              ELSE pg_catalog.ceil(pg_catalog.ln(x) OPERATOR(pg_catalog./) pg_catalog.ln(1.005::pg_catalog.float8))::pg_catalog.int4 END
$$;
