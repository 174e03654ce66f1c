-- public.search_lexical() as it was before db 0133 (0076's definition: the caller check, then
-- search_index.rank(), whose 'bm25' path is 0117's rank_common()), for side-by-side runs of the
-- whole search: `bench/search-page-ab.ts --a bench/sql/search-lexical-0117.sql --b
-- 0133_search_lexical_fewer_statements.sql` (session 10, s-lex). Not a migration.
CREATE OR REPLACE FUNCTION public.search_lexical(
  p_kind text,
  p_terms text[],
  p_practices uuid[] DEFAULT NULL,
  p_limit integer DEFAULT 50,
  p_ranking text DEFAULT 'bm25',
  p_k1 double precision DEFAULT 1.2,
  p_b double precision DEFAULT 0.75
)
RETURNS TABLE (id uuid, rank double precision)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = ''
AS $$
DECLARE
  -- The role the caller runs as: SET ROLE's, else the login's (SECURITY DEFINER changes only
  -- current_user). A role that bypasses RLS reads every row of the sources anyway.
  v_role text := CASE WHEN current_setting('role') = 'none' THEN session_user::text ELSE current_setting('role') END;
  v_everything boolean;
  v_allowed uuid[];
BEGIN
  IF p_kind IS NULL OR p_kind NOT IN ('case', 'message', 'project', 'patient') THEN
    RETURN;
  END IF;
  v_everything := coalesce((SELECT r.rolsuper OR r.rolbypassrls FROM pg_catalog.pg_roles r WHERE r.rolname = v_role), false)
    OR coalesce(public.is_internal_admin(), false)
    OR (p_kind <> 'patient' AND public.lab_role() IS NOT NULL);
  IF v_everything THEN
    v_allowed := p_practices;
  ELSE
    v_allowed := ARRAY(SELECT x FROM public.user_practice_ids() x WHERE p_practices IS NULL OR x = ANY (p_practices));
    IF cardinality(v_allowed) = 0 THEN
      RETURN;
    END IF;
  END IF;
  RETURN QUERY SELECT r.id, r.rank FROM search_index.rank(p_kind, p_terms, v_allowed, p_limit, p_ranking, p_k1, p_b) r;
END
$$;
REVOKE EXECUTE ON FUNCTION public.search_lexical(text, text[], uuid[], integer, text, double precision, double precision) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.search_lexical(text, text[], uuid[], integer, text, double precision, double precision) TO authenticated, service_role;
