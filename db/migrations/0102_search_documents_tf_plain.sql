-- search_index.documents.tf is written by its writers, with term_frequencies()'s expression inline,
-- instead of a stored generated column calling the SQL function per row (issue 9: the legacy
-- migration's per-message cost).
--
-- Why. Filling the index for 58,818 migrated messages cost 2.95 s of backend CPU, 1.7 s of it the
-- generated `tf` (0077): a generated column may not hold a subquery, so it called the SQL function
-- search_index.term_frequencies(), which PostgreSQL cannot inline (its body has a FROM) and runs as
-- a query of its own per row. The same expression written inline in the INSERT's SELECT list (a
-- subplan) costs 0.9 s for the same rows (bench/MIGRATE.md, session 7 mig-row). A subquery is what a
-- generated column cannot have, so the column becomes a plain one that each writer fills.
--
-- What.
-- - `tf` stops being generated (ALTER COLUMN … DROP EXPRESSION): the stored values stay as they are,
--   no table rewrite (a catalog change, instant on the 1M-text bench databases too).
-- - The writers give it with the same expression as term_frequencies()'s body: the sync trigger
--   functions below (0076's, redefined) and the migration's bulk replay (src/migration/bulk-insert.ts);
--   the values are the same bytes (test/ai/search-documents-tf.test.ts compares every text's).
-- - A writer either gives tf (as term_frequencies(fts)) or leaves it out: anything that inserts
--   without it (bench/search.bench.ts's refill, a future writer) still gets it from a BEFORE INSERT
--   row trigger that fills a NULL tf with term_frequencies(fts), and an UPDATE that changes fts but
--   not tf (ON CONFLICT … DO UPDATE SET fts = EXCLUDED.fts) has it recomputed by a BEFORE UPDATE
--   trigger, so tf never falls behind fts. Their WHEN clauses keep them from running for the
--   writers that give it.
--
-- Idempotent: the expression is dropped only while the column is generated; functions and
-- triggers are replaced.

DO $do$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_attribute
              WHERE attrelid = 'search_index.documents'::regclass AND attname = 'tf' AND attgenerated <> '') THEN
    ALTER TABLE search_index.documents ALTER COLUMN tf DROP EXPRESSION;
  END IF;
END
$do$;

-- The fallback for writers that leave tf out, and the rule that tf follows fts on every update.
CREATE OR REPLACE FUNCTION search_index.documents_fill_tf()
RETURNS trigger LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
  NEW.tf := search_index.term_frequencies(NEW.fts);
  RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION search_index.documents_fill_tf() FROM PUBLIC;

DROP TRIGGER IF EXISTS documents_fill_tf_insert ON search_index.documents;
CREATE TRIGGER documents_fill_tf_insert BEFORE INSERT ON search_index.documents
  FOR EACH ROW WHEN (NEW.tf IS NULL) EXECUTE FUNCTION search_index.documents_fill_tf();
DROP TRIGGER IF EXISTS documents_fill_tf_update ON search_index.documents;
CREATE TRIGGER documents_fill_tf_update BEFORE UPDATE ON search_index.documents
  FOR EACH ROW WHEN (NEW.fts IS DISTINCT FROM OLD.fts AND NEW.tf IS NOT DISTINCT FROM OLD.tf) EXECUTE FUNCTION search_index.documents_fill_tf();

-- 0076's sync functions, now giving tf (term_frequencies()'s body, inline: a subplan per row).
CREATE OR REPLACE FUNCTION search_index.documents_insert()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  INSERT INTO search_index.documents (practice_id, kind, id, fts, tf)
  SELECT n.practice_id, TG_ARGV[0], n.id, n.fts,
         (SELECT coalesce(pg_catalog.jsonb_object_agg(u.lexeme, coalesce(pg_catalog.array_length(u.positions, 1), 1)), '{}'::jsonb)
            FROM pg_catalog.unnest(n.fts) u)
    FROM new_rows n WHERE n.fts IS NOT NULL
  ON CONFLICT (practice_id, kind, id) DO UPDATE SET fts = EXCLUDED.fts, tf = EXCLUDED.tf;
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
    INSERT INTO search_index.documents (practice_id, kind, id, fts, tf)
    VALUES (NEW.practice_id, TG_ARGV[0], NEW.id, NEW.fts,
            (SELECT coalesce(pg_catalog.jsonb_object_agg(u.lexeme, coalesce(pg_catalog.array_length(u.positions, 1), 1)), '{}'::jsonb)
               FROM pg_catalog.unnest(NEW.fts) u))
    ON CONFLICT (practice_id, kind, id) DO UPDATE SET fts = EXCLUDED.fts, tf = EXCLUDED.tf;
  END IF;
  RETURN NULL;
END
$$;

REVOKE EXECUTE ON FUNCTION search_index.documents_insert(), search_index.documents_update() FROM PUBLIC;
