-- The lexical index's postings: one row per (text, lexeme) with the lexeme's tf and the text's
-- length, kept in step with search_index.documents (issue 10 §3 "Speed", session 12).
--
-- Why. The lexical leg's ranking (search_index.rank*, 0084/0133) reads its candidates from the
-- documents' heap (GIN bitmap + heap, ~873 rows, ~1 ms at 1M texts) and probes each one's jsonb `tf`
-- for every query lexeme (~6,000 probes, 78 % misses, ~1 ms). An inverted index in rows gives the
-- ranking exactly the (text, lexeme) pairs it scores, read by index-only scans of the primary key
-- (its INCLUDE columns carry tf and dl), without touching the documents' heap.
--
-- Shape. `search_index.postings (practice_id, kind, lexeme, id, tf, dl)`, primary key
-- (practice_id, kind, lexeme, id) INCLUDE (tf, dl), hash-partitioned by practice_id with modulus 32
-- like documents (a practice's postings are in the partition of the same remainder).
--   tf = (documents.tf ->> lexeme)::integer   (positions of the lexeme, 1 for a stripped one: 0102)
--   dl = length(documents.fts)                (the number of distinct lexemes: what BM25's dl is)
-- Under the same rule as documents: schema search_index is not reachable by `authenticated`.
--
-- Kept in step by statement-level AFTER triggers on search_index.documents with transition tables
-- (PostgreSQL allows them on a partitioned table's root, for one event each), so every writer is
-- covered in its own transaction: the source tables' sync triggers (0076/0102, statement-level
-- inserts and deletes, a row's text edit), the legacy migration's bulk replay (src/migration/
-- bulk-insert.ts writes documents under session_replication_role = origin), an ON CONFLICT … DO
-- UPDATE (its updated rows reach the UPDATE trigger, its inserted ones the INSERT trigger), a TRUNCATE.
-- An UPDATE rewrites a text's postings only when its key, tf or length changed. A writer that runs
-- under session_replication_role = replica skips them (the bench builders: they call
-- search_index.postings_rebuild() after filling documents). Writes to a partition by its own name
-- (documents_p07) do not fire the root's statement triggers; nothing does that.
--
-- Backfill. search_index.postings_rebuild() (also the bench builders' refill): documents locked
-- against writes (SHARE) for the transaction, the postings emptied, the primary key dropped, every
-- text's tf expanded into rows, the key built after (several times faster than row by row), ANALYZE.
--
-- The visibility map. An index-only scan reads the heap for every page not marked all-visible, and
-- rows just inserted are not: VACUUM sets the bits, and VACUUM cannot run in a transaction, which
-- is how src/db/migrate.ts runs each file. So the migration leaves it to autovacuum: since
-- PostgreSQL 13 inserts alone start one (autovacuum_vacuum_insert_threshold 1000 +
-- autovacuum_vacuum_insert_scale_factor × reltuples rows inserted since the last), so each
-- partition is vacuumed within a naptime or so of the commit. Its scale factor is lowered to 0.02
-- on the postings' partitions, so that a practice's new postings stay a small share of heap
-- fetches in between (the default 0.2 lets a fifth of a partition's rows go unmarked). The bench
-- fixture path (bench/fixture-migrations.ts, --migrate) runs VACUUM (ANALYZE) itself right after.
--
-- Idempotent: the table is created and filled only when missing; functions and triggers replaced.

CREATE OR REPLACE FUNCTION search_index.postings_rebuild()
RETURNS bigint LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  n bigint;
BEGIN
  -- Writers of documents wait until the transaction ends: none is missed between copy and triggers.
  LOCK TABLE search_index.documents IN SHARE MODE;
  TRUNCATE search_index.postings;
  ALTER TABLE search_index.postings DROP CONSTRAINT IF EXISTS postings_pkey;
  INSERT INTO search_index.postings (practice_id, kind, lexeme, id, tf, dl)
  SELECT d.practice_id, d.kind, e.key, d.id, e.value::integer, pg_catalog.length(d.fts)
    FROM search_index.documents d CROSS JOIN LATERAL pg_catalog.jsonb_each_text(d.tf) e;
  GET DIAGNOSTICS n = ROW_COUNT;
  ALTER TABLE search_index.postings ADD CONSTRAINT postings_pkey PRIMARY KEY (practice_id, kind, lexeme, id) INCLUDE (tf, dl);
  ANALYZE search_index.postings;
  RETURN n;
END
$$;
REVOKE EXECUTE ON FUNCTION search_index.postings_rebuild() FROM PUBLIC;

DO $do$
DECLARE
  p integer;
  modulus constant integer := 32;
BEGIN
  IF to_regclass('search_index.postings') IS NOT NULL THEN
    RETURN;
  END IF;
  CREATE TABLE search_index.postings (
    practice_id uuid NOT NULL,
    kind text NOT NULL,
    lexeme text NOT NULL,
    id uuid NOT NULL,
    tf integer NOT NULL,
    dl integer NOT NULL,
    CONSTRAINT postings_pkey PRIMARY KEY (practice_id, kind, lexeme, id) INCLUDE (tf, dl)
  ) PARTITION BY HASH (practice_id);
  FOR p IN 0 .. modulus - 1 LOOP
    EXECUTE format('CREATE TABLE search_index.%I PARTITION OF search_index.postings FOR VALUES WITH (modulus %s, remainder %s)
                    WITH (autovacuum_vacuum_insert_scale_factor = 0.02)',
                   'postings_p' || lpad(p::text, 2, '0'), modulus, p);
  END LOOP;
  SET LOCAL maintenance_work_mem = '256MB';
  PERFORM search_index.postings_rebuild();
END
$do$;

-- ---------------------------------------------------------------------------
-- Sync triggers on documents: one function per event (a trigger with transition tables has one).
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION search_index.postings_insert()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  INSERT INTO search_index.postings (practice_id, kind, lexeme, id, tf, dl)
  SELECT n.practice_id, n.kind, e.key, n.id, e.value::integer, pg_catalog.length(n.fts)
    FROM new_docs n CROSS JOIN LATERAL pg_catalog.jsonb_each_text(n.tf) e;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION search_index.postings_delete()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  -- By the primary key: a text's lexemes are its tf's keys.
  DELETE FROM search_index.postings p
   USING old_docs o CROSS JOIN LATERAL pg_catalog.jsonb_object_keys(o.tf) k(lexeme)
   WHERE p.practice_id = o.practice_id AND p.kind = o.kind AND p.lexeme = k.lexeme AND p.id = o.id;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION search_index.postings_update()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  -- Only the texts whose postings change: another key, other term frequencies or another length.
  DELETE FROM search_index.postings p
   USING old_docs o CROSS JOIN LATERAL pg_catalog.jsonb_object_keys(o.tf) k(lexeme)
   WHERE p.practice_id = o.practice_id AND p.kind = o.kind AND p.lexeme = k.lexeme AND p.id = o.id
     AND NOT EXISTS (SELECT 1 FROM new_docs n
                      WHERE n.practice_id = o.practice_id AND n.kind = o.kind AND n.id = o.id
                        AND n.tf = o.tf AND pg_catalog.length(n.fts) = pg_catalog.length(o.fts));
  INSERT INTO search_index.postings (practice_id, kind, lexeme, id, tf, dl)
  SELECT n.practice_id, n.kind, e.key, n.id, e.value::integer, pg_catalog.length(n.fts)
    FROM new_docs n CROSS JOIN LATERAL pg_catalog.jsonb_each_text(n.tf) e
   WHERE NOT EXISTS (SELECT 1 FROM old_docs o
                      WHERE o.practice_id = n.practice_id AND o.kind = n.kind AND o.id = n.id
                        AND o.tf = n.tf AND pg_catalog.length(o.fts) = pg_catalog.length(n.fts));
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION search_index.postings_truncate()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  TRUNCATE search_index.postings;
  RETURN NULL;
END
$$;

REVOKE EXECUTE ON FUNCTION search_index.postings_insert(), search_index.postings_delete(), search_index.postings_update(),
  search_index.postings_truncate() FROM PUBLIC;

DROP TRIGGER IF EXISTS postings_insert ON search_index.documents;
CREATE TRIGGER postings_insert AFTER INSERT ON search_index.documents REFERENCING NEW TABLE AS new_docs
  FOR EACH STATEMENT EXECUTE FUNCTION search_index.postings_insert();
DROP TRIGGER IF EXISTS postings_update ON search_index.documents;
CREATE TRIGGER postings_update AFTER UPDATE ON search_index.documents REFERENCING OLD TABLE AS old_docs NEW TABLE AS new_docs
  FOR EACH STATEMENT EXECUTE FUNCTION search_index.postings_update();
DROP TRIGGER IF EXISTS postings_delete ON search_index.documents;
CREATE TRIGGER postings_delete AFTER DELETE ON search_index.documents REFERENCING OLD TABLE AS old_docs
  FOR EACH STATEMENT EXECUTE FUNCTION search_index.postings_delete();
DROP TRIGGER IF EXISTS postings_truncate ON search_index.documents;
CREATE TRIGGER postings_truncate AFTER TRUNCATE ON search_index.documents
  FOR EACH STATEMENT EXECUTE FUNCTION search_index.postings_truncate();
