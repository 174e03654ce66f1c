-- A registered bulk load (0061) that writes rows with its triggers skipped (the legacy migration's
-- fast path, src/migration/bulk-insert.ts: session_replication_role = replica for one INSERT of
-- new rows, then each skipped trigger's work done once, set-based) still owes the audit its
-- count: the audit trigger did not see those rows. This adds them to the transaction's summary,
-- exactly as audit_statement_change() counts a registered transaction's statement.
--
-- Safety as 0061: SECURITY DEFINER, EXECUTE for the owner only, and it counts only for a
-- transaction that audit_bulk_begin() registered for this backend; otherwise it returns false
-- and changes nothing (the caller then refuses its fast path). Idempotent.

CREATE OR REPLACE FUNCTION public.audit_bulk_count(p_table text, p_op text, p_rows bigint)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  IF p_op NOT IN ('INSERT', 'UPDATE', 'DELETE') OR p_rows IS NULL OR p_rows < 0 THEN
    RAISE EXCEPTION 'audit_bulk_count: bad operation % or row count %', p_op, p_rows USING ERRCODE = 'invalid_parameter_value';
  END IF;
  UPDATE public.audit_bulk_loads b
     SET counts = jsonb_set(b.counts, ARRAY[p_table || ':' || p_op], to_jsonb(coalesce((b.counts ->> (p_table || ':' || p_op))::bigint, 0) + p_rows))
   WHERE b.xact = pg_catalog.pg_current_xact_id() AND b.pid = pg_catalog.pg_backend_pid();
  RETURN FOUND;
END
$$;
REVOKE EXECUTE ON FUNCTION public.audit_bulk_count(text, text, bigint) FROM PUBLIC, anon, authenticated, service_role;
