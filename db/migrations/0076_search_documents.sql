-- The lexical leg's own index, partitioned by practice (issue 10 §3 "Speed").
--
-- Why. Under RLS the lexical leg could not use the source tables' GIN indexes (`@@` is not
-- leakproof, so the planner must apply the policy first): it read all of a practice's texts by
-- their practice_id index and tested each, ~10,000 heap pages of case_messages per search at
-- 1,000,000 messages (bench/SEARCH.md: 1.3-1.7 s p95 under load, the whole search's bottleneck).
--
-- Shape. `search_index.documents (practice_id, kind, id, fts)`: one row per searchable text
-- (cases, case_messages, projects, patients: the same `fts` as the source row), hash-partitioned
-- by practice_id like the embedding tables (0063), 32 partitions, each with its own GIN index on
-- fts and a btree on (practice_id, kind, id). The schema is not reachable by `authenticated`: the
-- texts are read only through `public.search_lexical()`, a SECURITY DEFINER function that decides
-- once what the caller may read (as the source tables' policies do) and then searches the
-- caller's partitions through their GIN indexes.
--
-- Who may read what (the source tables' SELECT policies, 0005/0040): a member their practices'
-- texts of every kind; lab staff (lab_role() set) cases, messages and projects of every practice,
-- but no patient texts (patients have no lab-staff policy); an internal admin everything; a
-- session that bypasses RLS itself (superuser, BYPASSRLS, service_role: the backend) everything.
-- The rows the search then shows are loaded from the source tables under RLS all the same.
--
-- Kept in sync by triggers on the sources: statement-level on INSERT and DELETE (one statement per
-- bulk load, with transition tables), row-level on UPDATE only when the text (fts) or the
-- practice changed (a case's state changes often, its text seldom). Withdrawing AI consent does
-- not touch full-text search (it deletes embeddings only, 0030), so it does not touch this index.
-- A patient's erasure rewrites or deletes its texts, which the triggers follow.
--
-- Backfilled here, with the sources locked against writes for the migration's transaction so
-- that no text is missed between the copy and the triggers. Idempotent: the table is created and
-- filled only when missing; functions and triggers are replaced.

CREATE SCHEMA IF NOT EXISTS search_index;
REVOKE ALL ON SCHEMA search_index FROM PUBLIC;

DO $do$
DECLARE
  p integer;
  modulus constant integer := 32;
BEGIN
  IF to_regclass('search_index.documents') IS NOT NULL THEN
    RETURN;
  END IF;
  LOCK TABLE public.cases, public.case_messages, public.projects, public.patients IN SHARE MODE;
  CREATE TABLE search_index.documents (
    practice_id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('case', 'message', 'project', 'patient')),
    id uuid NOT NULL,
    fts tsvector NOT NULL
  ) PARTITION BY HASH (practice_id);
  FOR p IN 0 .. modulus - 1 LOOP
    EXECUTE format('CREATE TABLE search_index.%I PARTITION OF search_index.documents FOR VALUES WITH (modulus %s, remainder %s)',
                   'documents_p' || lpad(p::text, 2, '0'), modulus, p);
  END LOOP;
  -- Ordered by practice: a practice's texts start out on neighbouring pages of its partition.
  INSERT INTO search_index.documents (practice_id, kind, id, fts)
  SELECT practice_id, kind, id, fts FROM (
    SELECT practice_id, 'case' AS kind, id, fts FROM public.cases
    UNION ALL SELECT practice_id, 'message', id, fts FROM public.case_messages
    UNION ALL SELECT practice_id, 'project', id, fts FROM public.projects
    UNION ALL SELECT practice_id, 'patient', id, fts FROM public.patients
  ) s
  WHERE fts IS NOT NULL
  ORDER BY practice_id, kind;
  -- Indexes after the copy: several times faster than maintaining them row by row.
  ALTER TABLE search_index.documents ADD CONSTRAINT documents_pkey PRIMARY KEY (practice_id, kind, id);
  CREATE INDEX documents_fts ON search_index.documents USING gin (fts);
END
$do$;

-- ---------------------------------------------------------------------------
-- Sync triggers. One function per event; TG_ARGV[0] is the kind.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION search_index.documents_insert()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  INSERT INTO search_index.documents (practice_id, kind, id, fts)
  SELECT n.practice_id, TG_ARGV[0], n.id, n.fts FROM new_rows n WHERE n.fts IS NOT NULL
  ON CONFLICT (practice_id, kind, id) DO UPDATE SET fts = EXCLUDED.fts;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION search_index.documents_delete()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  DELETE FROM search_index.documents d USING old_rows o
   WHERE d.practice_id = o.practice_id AND d.kind = TG_ARGV[0] AND d.id = o.id;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION search_index.documents_update()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  IF OLD.practice_id IS DISTINCT FROM NEW.practice_id OR NEW.fts IS NULL THEN
    DELETE FROM search_index.documents d WHERE d.practice_id = OLD.practice_id AND d.kind = TG_ARGV[0] AND d.id = OLD.id;
  END IF;
  IF NEW.fts IS NOT NULL THEN
    INSERT INTO search_index.documents (practice_id, kind, id, fts) VALUES (NEW.practice_id, TG_ARGV[0], NEW.id, NEW.fts)
    ON CONFLICT (practice_id, kind, id) DO UPDATE SET fts = EXCLUDED.fts;
  END IF;
  RETURN NULL;
END
$$;

REVOKE EXECUTE ON FUNCTION search_index.documents_insert(), search_index.documents_delete(), search_index.documents_update() FROM PUBLIC;

DO $do$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT * FROM (VALUES ('cases', 'case'), ('case_messages', 'message'), ('projects', 'project'), ('patients', 'patient')) AS v(tbl, kind) LOOP
    EXECUTE format('DROP TRIGGER IF EXISTS search_documents_insert ON public.%I', r.tbl);
    EXECUTE format('DROP TRIGGER IF EXISTS search_documents_delete ON public.%I', r.tbl);
    EXECUTE format('DROP TRIGGER IF EXISTS search_documents_update ON public.%I', r.tbl);
    EXECUTE format('CREATE TRIGGER search_documents_insert AFTER INSERT ON public.%I REFERENCING NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION search_index.documents_insert(%L)', r.tbl, r.kind);
    EXECUTE format('CREATE TRIGGER search_documents_delete AFTER DELETE ON public.%I REFERENCING OLD TABLE AS old_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION search_index.documents_delete(%L)', r.tbl, r.kind);
    EXECUTE format('CREATE TRIGGER search_documents_update AFTER UPDATE ON public.%I FOR EACH ROW
                    WHEN (OLD.fts IS DISTINCT FROM NEW.fts OR OLD.practice_id IS DISTINCT FROM NEW.practice_id)
                    EXECUTE FUNCTION search_index.documents_update(%L)', r.tbl, r.kind);
  END LOOP;
END
$do$;

-- ---------------------------------------------------------------------------
-- Ranking over the index, for the practices given (NULL: every practice). Not reachable by
-- `authenticated` (schema): public.search_lexical() below decides the practices.
--   p_terms   the query's words (letters and digits only; OR semantics)
--   p_ranking 'bm25' (default) or 'ts_rank'
-- BM25 exactly as src/repositories/search.repository.ts documents it: a word's df counted among
-- the matches (every text containing a query word is one), N the count of the kind's texts in the
-- practices, avgdl over the matches. tf is read from a copy of each match's tsvector reduced to
-- the query's lexemes (setweight marks them, ts_filter keeps them): the same positions as
-- unnesting the whole vector, without producing a row per lexeme of every match.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION search_index.rank(
  p_kind text,
  p_terms text[],
  p_practices uuid[],
  p_limit integer,
  p_ranking text DEFAULT 'bm25',
  p_k1 double precision DEFAULT 1.2,
  p_b double precision DEFAULT 0.75
)
RETURNS TABLE (id uuid, rank double precision)
LANGUAGE plpgsql STABLE SET search_path = ''
-- The practices must reach the planner as constants, so that it prunes to their partitions.
SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
  v_query tsquery;
  v_lexemes text[];
BEGIN
  IF p_terms IS NULL OR cardinality(p_terms) = 0 OR p_limit IS NULL OR p_limit < 1 THEN
    RETURN;
  END IF;
  v_query := pg_catalog.to_tsquery('english'::regconfig, array_to_string(p_terms, ' | '));
  v_lexemes := ARRAY(SELECT w.lexeme FROM unnest(pg_catalog.to_tsvector('english'::regconfig, array_to_string(p_terms, ' '))) w);
  IF p_ranking = 'ts_rank' THEN
    RETURN QUERY
      SELECT d.id, pg_catalog.ts_rank(d.fts, v_query, 1)::double precision AS rank
        FROM search_index.documents d
       WHERE d.fts @@ v_query AND d.kind = p_kind AND (p_practices IS NULL OR d.practice_id = ANY (p_practices))
       ORDER BY 2 DESC, 1
       LIMIT p_limit;
    RETURN;
  END IF;
  RETURN QUERY
    WITH m AS MATERIALIZED (
      SELECT d.id, d.fts FROM search_index.documents d
       WHERE d.fts @@ v_query AND d.kind = p_kind AND (p_practices IS NULL OR d.practice_id = ANY (p_practices))
    ), hits AS (
      SELECT m.id, pg_catalog.length(m.fts)::float8 AS dl, u.lexeme, coalesce(array_length(u.positions, 1), 1)::float8 AS tf
        FROM m, unnest(pg_catalog.ts_filter(pg_catalog.setweight(pg_catalog.setweight(m.fts, 'D'), 'A', v_lexemes), '{a}')) u
    ), df AS (SELECT h.lexeme, count(*)::float8 AS df FROM hits h GROUP BY h.lexeme),
    corpus AS (
      SELECT (SELECT count(*) FROM search_index.documents d
               WHERE d.kind = p_kind AND (p_practices IS NULL OR d.practice_id = ANY (p_practices)))::float8 AS n,
             (SELECT avg(pg_catalog.length(m.fts)) FROM m)::float8 AS avgdl
    )
    SELECT h.id,
           sum(ln(1 + (c.n - df.df + 0.5) / (df.df + 0.5)) * h.tf * (p_k1 + 1)
               / (h.tf + p_k1 * (1 - p_b + p_b * h.dl / greatest(c.avgdl, 1))))::float8 AS rank
      FROM hits h JOIN df USING (lexeme) CROSS JOIN corpus c
     GROUP BY h.id
     ORDER BY 2 DESC, 1
     LIMIT p_limit;
END
$$;
REVOKE EXECUTE ON FUNCTION search_index.rank(text, text[], uuid[], integer, text, double precision, double precision) FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- The lexical leg as the caller: p_practices NULL means every practice the caller may read;
-- given, only those of them the caller may read.
-- ---------------------------------------------------------------------------
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
