-- Embedding tables partitioned by practice (issue 10 §3 "Speed").
--
-- Why. A member searches their own practices only. With one HNSW graph per model over every
-- practice's vectors, a search by a practice holding 1 % of the rows had to walk the global graph
-- until the tenant filter let enough rows through: at 1,000,000 messages across 100 practices the
-- production query took seconds at p95 (bench/SEARCH.md). Partitioned by hash of practice_id, a
-- practice's rows live in one partition, each partition has its own (smaller) graph per model,
-- and a query that names the caller's practices (`practice_id = ANY(...)`, besides RLS) is
-- pruned to those partitions: the filter inside a partition keeps about a third of the rows at
-- 100 practices instead of 1 %.
--
-- Shape. Every embedding table becomes `PARTITION BY HASH (practice_id)` with 32 partitions in
-- the schema `embedding_partitions`. The partitions are not reachable by `authenticated`
-- (no USAGE on the schema, no grants: default privileges cover `public` only; the backend
-- reads through the parent like everyone), so RLS cannot be
-- bypassed by reading a partition directly; through the parent the parent's policies apply.
-- Keys include the partition key, as PostgreSQL requires: the primary key is (id, practice_id)
-- and the source key (<source>, [content_type,] model, chunk, practice_id). A source's
-- practice_id is fixed by the FK (source, practice_id), so uniqueness is unchanged.
-- The per-model partial HNSW indexes (embeddings.repository.ts ensureModelIndexes) are created
-- on the parent, which creates one per partition: an index still never mixes models.
--
-- The BEFORE INSERT trigger that filled practice_id from the parent row is dropped: PostgreSQL
-- routes a row to its partition before row triggers run and refuses to move it afterwards, so
-- writers name practice_id (writeEmbeddings always did; omitting it is a NOT NULL violation).
--
-- Existing rows are moved in the migration's transaction; the runner re-attaches the audit
-- triggers (audit_attach_all / audit_attach_statement) after the run. Idempotent: a table
-- that is already partitioned is left alone.

CREATE SCHEMA IF NOT EXISTS embedding_partitions;
REVOKE ALL ON SCHEMA embedding_partitions FROM PUBLIC;

DO $do$
DECLARE
  r record;
  i record;
  p record;
  old_oid oid;
  hnsw_defs text[];
  def text;
  modulus constant integer := 32;
BEGIN
  FOR r IN
    SELECT * FROM (VALUES
      ('case_embeddings', 'idx_case_embeddings_case_type', 'case_id, content_type, model, chunk'),
      ('patient_embeddings', 'idx_patient_embeddings_patient_type', 'patient_id, content_type, model, chunk'),
      ('message_embeddings', 'message_embeddings_source_key', 'message_id, model, chunk'),
      ('project_embeddings', 'project_embeddings_source_key', 'project_id, content_type, model, chunk')
    ) AS v(tbl, source_key, source_cols)
  LOOP
    old_oid := format('public.%I', r.tbl)::regclass;
    IF (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = old_oid) = 'p' THEN
      CONTINUE;
    END IF;

    -- The per-model HNSW indexes are rebuilt on the new table from their definitions.
    SELECT coalesce(array_agg(pg_get_indexdef(x.indexrelid)), '{}') INTO hnsw_defs
      FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class ic ON ic.oid = x.indexrelid
      JOIN pg_catalog.pg_am am ON am.oid = ic.relam
     WHERE x.indrelid = old_oid AND am.amname IN ('hnsw', 'ivfflat');
    FOR i IN
      SELECT ic.relname, am.amname FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class ic ON ic.oid = x.indexrelid
        JOIN pg_catalog.pg_am am ON am.oid = ic.relam WHERE x.indrelid = old_oid
    LOOP
      IF i.amname IN ('hnsw', 'ivfflat') THEN
        EXECUTE format('DROP INDEX public.%I', i.relname);
      ELSE
        -- Index names are unique per schema: the old ones step aside (constraints follow).
        EXECUTE format('ALTER INDEX public.%I RENAME TO %I', i.relname, left(i.relname, 50) || '_unpart');
      END IF;
    END LOOP;
    EXECUTE format('ALTER TABLE public.%I RENAME TO %I', r.tbl, r.tbl || '_unpart');

    EXECUTE format('CREATE TABLE public.%I (LIKE public.%I INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY HASH (practice_id)',
                   r.tbl, r.tbl || '_unpart');
    FOR p IN SELECT g FROM generate_series(0, modulus - 1) g LOOP
      EXECUTE format('CREATE TABLE embedding_partitions.%I PARTITION OF public.%I FOR VALUES WITH (modulus %s, remainder %s)',
                     r.tbl || '_p' || lpad(p.g::text, 2, '0'), r.tbl, modulus, p.g);
    END LOOP;
    EXECUTE format('ALTER TABLE public.%I ADD CONSTRAINT %I PRIMARY KEY (id, practice_id)', r.tbl, r.tbl || '_pkey');
    EXECUTE format('ALTER TABLE public.%I ADD CONSTRAINT %I UNIQUE (%s, practice_id)', r.tbl, r.source_key, r.source_cols);
    EXECUTE format('CREATE INDEX %I ON public.%I (practice_id)', 'idx_' || r.tbl || '_practice', r.tbl);

    EXECUTE format('INSERT INTO public.%I SELECT * FROM public.%I', r.tbl, r.tbl || '_unpart');

    -- Foreign keys, policies and the updated_at trigger as they were.
    FOR i IN SELECT k.conname, pg_get_constraintdef(k.oid) AS def FROM pg_catalog.pg_constraint k
              WHERE k.conrelid = format('public.%I', r.tbl || '_unpart')::regclass AND k.contype = 'f' LOOP
      EXECUTE format('ALTER TABLE public.%I ADD CONSTRAINT %I %s', r.tbl, i.conname, i.def);
    END LOOP;
    EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', r.tbl);
    EXECUTE format('ALTER TABLE public.%I FORCE ROW LEVEL SECURITY', r.tbl);
    FOR i IN SELECT * FROM pg_catalog.pg_policies pp WHERE pp.schemaname = 'public' AND pp.tablename = r.tbl || '_unpart' LOOP
      EXECUTE format('CREATE POLICY %I ON public.%I AS %s FOR %s TO %s%s%s', i.policyname, r.tbl, i.permissive, i.cmd,
                     (SELECT string_agg(quote_ident(x), ', ') FROM unnest(i.roles) x),
                     CASE WHEN i.qual IS NULL THEN '' ELSE ' USING (' || i.qual || ')' END,
                     CASE WHEN i.with_check IS NULL THEN '' ELSE ' WITH CHECK (' || i.with_check || ')' END);
    END LOOP;
    EXECUTE format('CREATE TRIGGER set_updated_at BEFORE UPDATE ON public.%I FOR EACH ROW EXECUTE FUNCTION public.set_updated_at()', r.tbl);

    EXECUTE format('DROP TABLE public.%I', r.tbl || '_unpart');
    FOREACH def IN ARRAY hnsw_defs LOOP
      EXECUTE def;
    END LOOP;
  END LOOP;
END
$do$;
