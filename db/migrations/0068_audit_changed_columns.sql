-- One definition of the audit's changed columns, used by both audit triggers: 0050's row-level
-- audit_row_change() and 0027's statement-level audit_statement_change() each carried their own
-- copy of "old → new, without audit_excluded_columns(), unchanged columns left out", and the
-- statement-level test (test/foundation/audit-statement.test.ts) is the only thing that would
-- notice the two drifting apart.
--
-- The trigger functions are not rewritten here: only their changed-columns computation is
-- replaced, in the source text the database holds, by a call of audit_changed_columns(). Any
-- other change a migration makes to those functions (before or after this one in the order in
-- which databases happen to receive them) is kept. If a function no longer contains the
-- computation 0027/0050 wrote, this migration stops with an error naming it instead of guessing.
-- After it: `\sf public.audit_statement_change` / `\sf public.audit_row_change` show the current
-- text.

/**
 * The audit's `changed` value of one row: {"col": [old, new]} for every column whose value
 * differs, secrets, hashes, vectors and derived columns (audit_excluded_columns()) left out.
 * `o` is the old row as jsonb (NULL for an INSERT), `n` the new row (NULL for a DELETE); an
 * absent value counts as JSON null, so an INSERT lists only the columns it set and a DELETE only
 * the non-null ones. '{}' when nothing audited changed.
 *
 * A set-returning LANGUAGE sql function with a single SELECT, not SECURITY DEFINER, without SET:
 * PostgreSQL inlines it into the statement-level trigger's INSERT … SELECT (`CROSS JOIN LATERAL
 * public.audit_changed_columns(x.o, x.n) d`), whose plan stays one jsonb_each() per row: 0027
 * measured per-column lookups (jsonb_object_keys + ->) at most of the audit's CPU. Only the UPDATE
 * case looks the old value up by key; INSERT and DELETE read the value jsonb_each() returns.
 */
CREATE OR REPLACE FUNCTION public.audit_changed_columns(o jsonb, n jsonb)
RETURNS TABLE (diff jsonb) LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(jsonb_object_agg(e.key, jsonb_build_array(
           CASE WHEN n IS NULL THEN e.value ELSE o -> e.key END,
           CASE WHEN n IS NULL THEN NULL ELSE e.value END)), '{}'::jsonb)
  FROM jsonb_each(coalesce(n, o)) AS e -- old and new rows of one table have the same columns
  WHERE e.key <> ALL (public.audit_excluded_columns())
    AND coalesce(CASE WHEN n IS NULL THEN e.value ELSE o -> e.key END, 'null')
        IS DISTINCT FROM coalesce(CASE WHEN n IS NULL THEN NULL ELSE e.value END, 'null')
$$;

-- Each replacement: the function, 0027's or 0050's text of the computation, and the call that
-- takes its place. The statement-level INSERT and DELETE read their rows through a subquery that
-- is now `OFFSET 0`: without it PostgreSQL flattens it and re-evaluates to_jsonb(t) wherever the
-- inlined function mentions `n` or `o`, i.e. once per column.
DO $migration$
DECLARE
  r record;
  def text;
  patched text;
BEGIN
  FOR r IN
    SELECT * FROM (VALUES
      ('public.audit_row_change()', 1, $from$
  SELECT coalesce(jsonb_object_agg(k, jsonb_build_array(o -> k, n -> k)), '{}'::jsonb) INTO diff
  FROM (SELECT jsonb_object_keys(o || n) AS k) keys
  WHERE k <> ALL (public.audit_excluded_columns()) AND coalesce(o -> k, 'null') IS DISTINCT FROM coalesce(n -> k, 'null'); -- absent = JSON null: an INSERT lists only the values set
$from$, $to$
  SELECT c.diff INTO diff FROM public.audit_changed_columns(CASE WHEN TG_OP <> 'INSERT' THEN o END, CASE WHEN TG_OP <> 'DELETE' THEN n END) c; -- 0068
$to$),
      ('public.audit_statement_change()', 2, $from$
    FROM (SELECT to_jsonb(t) AS n FROM audit_new t) x
    CROSS JOIN LATERAL (
      SELECT coalesce(jsonb_object_agg(e.key, jsonb_build_array(NULL::jsonb, e.value)), '{}'::jsonb) AS diff
      FROM jsonb_each(x.n) AS e
      WHERE e.value <> 'null' AND e.key <> ALL (excluded)) d;
$from$, $to$
    FROM (SELECT to_jsonb(t) AS n FROM audit_new t OFFSET 0) x
    CROSS JOIN LATERAL public.audit_changed_columns(NULL, x.n) d; -- 0068
$to$),
      ('public.audit_statement_change()', 3, $from$
    FROM (SELECT to_jsonb(t) AS o FROM audit_old t) x
    CROSS JOIN LATERAL (
      SELECT coalesce(jsonb_object_agg(e.key, jsonb_build_array(e.value, NULL::jsonb)), '{}'::jsonb) AS diff
      FROM jsonb_each(x.o) AS e
      WHERE e.value <> 'null' AND e.key <> ALL (excluded)) d;
$from$, $to$
    FROM (SELECT to_jsonb(t) AS o FROM audit_old t OFFSET 0) x
    CROSS JOIN LATERAL public.audit_changed_columns(x.o, NULL) d; -- 0068
$to$),
      ('public.audit_statement_change()', 4, $from$
    CROSS JOIN LATERAL (
      SELECT jsonb_object_agg(e.key, jsonb_build_array(x.o -> e.key, e.value)) AS diff
      FROM jsonb_each(x.n) AS e -- old and new rows of one table have the same columns
      WHERE coalesce(x.o -> e.key, 'null') IS DISTINCT FROM e.value AND e.key <> ALL (excluded)) d
    WHERE d.diff IS NOT NULL; -- nothing audited changed (e.g. only updated_at): no row, as in 0050
$from$, $to$
    CROSS JOIN LATERAL public.audit_changed_columns(x.o, x.n) d -- 0068
    WHERE d.diff <> '{}'; -- nothing audited changed (e.g. only updated_at): no row, as in 0050
$to$)
    ) AS v(fn, step, from_text, to_text)
    ORDER BY step
  LOOP
    def := pg_get_functiondef(r.fn::regprocedure);
    IF position(r.from_text IN def) > 0 THEN
      patched := replace(def, r.from_text, r.to_text);
      EXECUTE patched;
    ELSIF position(r.to_text IN def) = 0 THEN
      RAISE EXCEPTION '0068: % does not contain the changed-columns computation of 0027/0050 (step %); fold audit_changed_columns() into its current definition by hand', r.fn, r.step;
    END IF; -- else: already replaced (this file ran before)
  END LOOP;
END
$migration$;
