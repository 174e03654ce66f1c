-- One HNSW graph per large practice (issue 10 §3 "Speed", session 8).
--
-- Why. 0063 hash-partitioned the embedding tables by practice into 32 partitions: at 100 practices
-- a partition holds ~3 practices, so the semantic walk for one practice reads the other practices'
-- rows of its graph too (1,412 buffer hits per search at 1M, 62 % of them other practices' rows;
-- a graph of the practice alone read 536: bench/SEARCH.md "The walk itself"). A larger hash modulus
-- does not give every practice its own graph (100 practices in 256 hash partitions: ~17 still
-- share one) and multiplies the tables of every database (the suite's too) for nothing.
--
-- Shape. Every embedding table becomes `PARTITION BY LIST (practice_id)` whose DEFAULT partition
-- is 0063's hash-partitioned table itself, moved to `embedding_partitions.<table>_default` with
-- its 32 hash partitions, rows and indexes untouched (no rewrite: the DEFAULT is attached, and the
-- parent's indexes, keys and foreign keys adopt the default's existing ones). A new practice's
-- rows go to the DEFAULT, as today: no DDL runs in a request path and a new practice's texts are
-- searchable at once. `embedding_partitions.own_partitions(table, practices)` gives practices
-- their own LIST partition (`<table>_<practice id hex>`) with their rows and its own graph per
-- model: a maintenance step (`mdw ai partitions`, and 0116 for practices that are large already),
-- never a request. A query naming the practice (`practice_id = $1`, as search_page() does) is
-- pruned to the practice's partition, or to the DEFAULT and within it to one hash partition; lab
-- staff and internal admins (no practice filter) read every partition through the parent, under
-- the parent's policies. The model's partial HNSW index on the parent is one graph per partition,
-- so an index still never mixes models.
--
-- Partitions stay unreachable by `authenticated` (schema embedding_partitions, no USAGE). The
-- runner re-attaches the audit triggers to the new parent after the run (audit_attach_all /
-- audit_attach_statement); the moved table's own are dropped (it is a partition now).
-- Idempotent: a table already partitioned by LIST is left alone.

DO $do$
DECLARE
  r record;
  i record;
  t text;
  d text;
  def text;
BEGIN
  FOREACH t IN ARRAY ARRAY['case_embeddings', 'message_embeddings', 'project_embeddings', 'patient_embeddings'] LOOP
    IF (SELECT pt.partstrat FROM pg_catalog.pg_partitioned_table pt WHERE pt.partrelid = format('public.%I', t)::regclass) = 'l' THEN
      CONTINUE;
    END IF;
    d := t || '_default';

    -- The hash-partitioned table steps aside as the DEFAULT partition (its indexes move with it).
    EXECUTE format('DROP TRIGGER IF EXISTS audit_row_change ON public.%I', t);
    EXECUTE format('DROP TRIGGER IF EXISTS audit_row_change_update ON public.%I', t);
    EXECUTE format('DROP TRIGGER IF EXISTS audit_row_change_delete ON public.%I', t);
    EXECUTE format('DROP TRIGGER IF EXISTS set_updated_at ON public.%I', t);
    EXECUTE format('ALTER TABLE public.%I RENAME TO %I', t, d);
    EXECUTE format('ALTER TABLE public.%I SET SCHEMA embedding_partitions', d);

    EXECUTE format('CREATE TABLE public.%I (LIKE embedding_partitions.%I INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY LIST (practice_id)', t, d);
    EXECUTE format('ALTER TABLE public.%I ATTACH PARTITION embedding_partitions.%I DEFAULT', t, d);

    -- Keys and indexes as they were: each adopts the default's matching index (no build).
    FOR i IN
      SELECT k.conname, pg_get_constraintdef(k.oid) AS def FROM pg_catalog.pg_constraint k
       WHERE k.conrelid = format('embedding_partitions.%I', d)::regclass AND k.contype IN ('p', 'u') ORDER BY k.contype, k.conname
    LOOP
      EXECUTE format('ALTER TABLE public.%I ADD CONSTRAINT %I %s', t, i.conname, i.def);
    END LOOP;
    FOR i IN
      SELECT ic.relname, pg_get_indexdef(x.indexrelid) AS def FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class ic ON ic.oid = x.indexrelid
       WHERE x.indrelid = format('embedding_partitions.%I', d)::regclass
         AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid = x.indexrelid)
    LOOP
      -- `CREATE INDEX name ON ONLY embedding_partitions.<d> USING …` → the same on the parent.
      def := regexp_replace(i.def, '^CREATE (UNIQUE )?INDEX \S+ ON ONLY \S+ ',
                            format('CREATE \1INDEX %I ON public.%I ', i.relname, t));
      EXECUTE def;
    END LOOP;
    FOR i IN
      SELECT k.conname, pg_get_constraintdef(k.oid) AS def FROM pg_catalog.pg_constraint k
       WHERE k.conrelid = format('embedding_partitions.%I', d)::regclass AND k.contype = 'f' ORDER BY k.conname
    LOOP
      EXECUTE format('ALTER TABLE public.%I ADD CONSTRAINT %I %s', t, i.conname, i.def);
    END LOOP;

    -- Policies, grants and the updated_at trigger as they were.
    EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE public.%I FORCE ROW LEVEL SECURITY', t);
    FOR i IN SELECT * FROM pg_catalog.pg_policies pp WHERE pp.schemaname = 'embedding_partitions' AND pp.tablename = d LOOP
      EXECUTE format('CREATE POLICY %I ON public.%I AS %s FOR %s TO %s%s%s', i.policyname, t, i.permissive, i.cmd,
                     (SELECT string_agg(quote_ident(x), ', ') FROM unnest(i.roles) x),
                     CASE WHEN i.qual IS NULL THEN '' ELSE ' USING (' || i.qual || ')' END,
                     CASE WHEN i.with_check IS NULL THEN '' ELSE ' WITH CHECK (' || i.with_check || ')' END);
      EXECUTE format('DROP POLICY %I ON embedding_partitions.%I', i.policyname, d);
    END LOOP;
    FOR i IN
      SELECT a.privilege_type, a.grantee::regrole::text AS grantee
        FROM pg_catalog.pg_class c, aclexplode(c.relacl) a
       WHERE c.oid = format('embedding_partitions.%I', d)::regclass AND a.grantee <> 0 AND a.grantee <> c.relowner
    LOOP
      EXECUTE format('GRANT %s ON public.%I TO %s', i.privilege_type, t, i.grantee);
      EXECUTE format('REVOKE %s ON embedding_partitions.%I FROM %s', i.privilege_type, d, i.grantee);
    END LOOP;
    EXECUTE format('CREATE TRIGGER set_updated_at BEFORE UPDATE ON public.%I FOR EACH ROW EXECUTE FUNCTION public.set_updated_at()', t);
  END LOOP;
END
$do$;

/**
 * Gives each of `p_practices` its own LIST partition of `p_table` (one of the four embedding
 * tables), with the practice's rows and its own graph per model; practices that have one already
 * are skipped. Returns how many partitions it created. A maintenance step, never a request:
 *  - it takes ACCESS EXCLUSIVE on the parent first and holds it to the end: searches and writes
 *    of that table wait for the step (for a practice just past the threshold, its rows' copy and
 *    graph build: ~1-3 s). One lock taken first, never upgraded, so it cannot deadlock with a
 *    writer that holds the parent and waits for a partition (DETACH needs ACCESS EXCLUSIVE anyway);
 *  - the new partitions are filled and indexed as plain tables (keys, the per-model HNSW graphs:
 *    each a copy of the parent's index definition, which the attach adopts instead of building);
 *  - the DEFAULT is detached, the moved rows deleted from it (a hash partition holding only them is
 *    truncated: no dead tuples in its graph), the new partitions attached (their CHECK
 *    (practice_id = …) spares a scan) and the DEFAULT attached again (PostgreSQL scans it once
 *    to check that none of the new practices' rows remain).
 * Partitions are named `<table>_<practice id without dashes>` in embedding_partitions.
 */
CREATE OR REPLACE FUNCTION embedding_partitions.own_partitions(p_table text, p_practices uuid[])
RETURNS integer LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  v_parent regclass;
  v_default text := p_table || '_default';
  v_practice uuid;
  v_part text;
  v_new text[] := '{}';
  v_ids uuid[] := '{}';
  i record;
  def text;
  n integer;
BEGIN
  IF p_table NOT IN ('case_embeddings', 'message_embeddings', 'project_embeddings', 'patient_embeddings') THEN
    RAISE EXCEPTION 'own_partitions: % is not an embedding table', p_table USING ERRCODE = '22023';
  END IF;
  v_parent := format('public.%I', p_table)::regclass;
  EXECUTE format('LOCK TABLE public.%I IN ACCESS EXCLUSIVE MODE', p_table);

  FOREACH v_practice IN ARRAY (SELECT array_agg(DISTINCT x) FROM unnest(p_practices) x WHERE x IS NOT NULL) LOOP
    v_part := p_table || '_' || replace(v_practice::text, '-', '');
    CONTINUE WHEN to_regclass(format('embedding_partitions.%I', v_part)) IS NOT NULL;
    EXECUTE format('CREATE TABLE embedding_partitions.%I (LIKE public.%I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', v_part, p_table);
    EXECUTE format('ALTER TABLE embedding_partitions.%I ADD CONSTRAINT %I CHECK (practice_id = %L::uuid)', v_part, v_part || '_practice', v_practice);
    EXECUTE format('INSERT INTO embedding_partitions.%I SELECT * FROM embedding_partitions.%I WHERE practice_id = %L::uuid', v_part, v_default, v_practice);
    -- Names: the partition's name (at most 51 characters) and a number, unique in the schema.
    FOR i IN
      SELECT row_number() OVER (ORDER BY k.contype, k.conname) AS n, pg_get_constraintdef(k.oid) AS def FROM pg_catalog.pg_constraint k
       WHERE k.conrelid = v_parent AND k.contype IN ('p', 'u')
    LOOP
      EXECUTE format('ALTER TABLE embedding_partitions.%I ADD CONSTRAINT %I %s', v_part, v_part || '_k' || i.n, i.def);
    END LOOP;
    FOR i IN
      SELECT row_number() OVER (ORDER BY ic.relname) AS n, pg_get_indexdef(x.indexrelid) AS def
        FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class ic ON ic.oid = x.indexrelid
       WHERE x.indrelid = v_parent AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid = x.indexrelid)
    LOOP
      def := regexp_replace(i.def, '^CREATE (UNIQUE )?INDEX \S+ ON ONLY \S+ ',
                            format('CREATE \1INDEX %I ON embedding_partitions.%I ', v_part || '_i' || i.n, v_part));
      EXECUTE def;
    END LOOP;
    EXECUTE format('ANALYZE embedding_partitions.%I', v_part);
    v_new := v_new || v_part;
    v_ids := v_ids || v_practice;
  END LOOP;
  IF cardinality(v_new) = 0 THEN
    RETURN 0;
  END IF;

  EXECUTE format('ALTER TABLE public.%I DETACH PARTITION embedding_partitions.%I', p_table, v_default);
  FOR i IN SELECT c.relid::regclass AS leaf FROM pg_partition_tree(format('embedding_partitions.%I', v_default)::regclass) c WHERE c.isleaf LOOP
    -- A hash partition holding nobody else is truncated (cheaper than deleting every row, and
    -- no dead tuples left in its graphs); otherwise the moved rows are deleted.
    EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM %s WHERE practice_id <> ALL (%L::uuid[]) LIMIT 1) x', i.leaf, v_ids) INTO n;
    IF n = 0 THEN
      EXECUTE format('TRUNCATE %s', i.leaf);
    ELSE
      EXECUTE format('DELETE FROM %s WHERE practice_id = ANY (%L::uuid[])', i.leaf, v_ids);
    END IF;
  END LOOP;
  FOR n IN 1 .. cardinality(v_new) LOOP
    EXECUTE format('ALTER TABLE public.%I ATTACH PARTITION embedding_partitions.%I FOR VALUES IN (%L)', p_table, v_new[n], v_ids[n]);
  END LOOP;
  EXECUTE format('ALTER TABLE public.%I ATTACH PARTITION embedding_partitions.%I DEFAULT', p_table, v_default);
  RETURN cardinality(v_new);
END
$$;
REVOKE ALL ON FUNCTION embedding_partitions.own_partitions(text, uuid[]) FROM PUBLIC;

/**
 * Every practice with at least `p_min_rows` rows in a table's DEFAULT partition gets its own
 * partition of that table (own_partitions). Returns the partitions created. `mdw ai partitions`
 * runs it; 0116 ran it once for the practices that were large already.
 */
CREATE OR REPLACE FUNCTION embedding_partitions.own_large_practices(p_min_rows integer)
RETURNS integer LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  t text;
  v_ids uuid[];
  created integer := 0;
BEGIN
  IF p_min_rows IS NULL OR p_min_rows < 1 THEN
    RAISE EXCEPTION 'own_large_practices: p_min_rows must be at least 1' USING ERRCODE = '22023';
  END IF;
  FOREACH t IN ARRAY ARRAY['case_embeddings', 'message_embeddings', 'project_embeddings', 'patient_embeddings'] LOOP
    EXECUTE format('SELECT coalesce(array_agg(practice_id ORDER BY practice_id), ''{}'') FROM (
                      SELECT practice_id FROM embedding_partitions.%I GROUP BY practice_id HAVING count(*) >= %s) x', t || '_default', p_min_rows)
      INTO v_ids;
    IF cardinality(v_ids) > 0 THEN
      created := created + embedding_partitions.own_partitions(t, v_ids);
    END IF;
  END LOOP;
  RETURN created;
END
$$;
REVOKE ALL ON FUNCTION embedding_partitions.own_large_practices(integer) FROM PUBLIC;
