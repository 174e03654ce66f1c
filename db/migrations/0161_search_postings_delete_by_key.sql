-- search_index.postings (0160): its UPDATE and DELETE triggers delete a text's postings by its key,
-- one statement per text, planned for that text's practice, instead of one join over the
-- transition table (s-postwrite, session 12; bench/SEARCH.md).
--
-- Why. 0160's set-based DELETE … USING old_docs CROSS JOIN jsonb_object_keys(tf) is one plan for
-- every call: a generic one reaches the practice's postings partition only at run time, so each
-- execution initialises all 32 partitions' scans (a message edit cost +0.96 ms of backend CPU, a
-- delete +0.75 ms, bench/search-postings-write.ts); planned per practice (its id a constant), the
-- join's shape depends on estimates (a transition table has no statistics): with a partition's
-- statistics out of date it was a hash join over a seq scan of the practice's postings, which grow
-- with the practice (10,000 texts: 130,000 rows read to delete 13). Now each changed or deleted text's postings are deleted by the
-- primary key itself, (practice_id, kind, lexeme = ANY (its tf's keys), id), planned with its values
-- (plan_cache_mode = force_custom_plan: pruned to one partition at plan time, one index search per
-- lexeme). The INSERT trigger stays set-based (an insert routes each row to its partition lazily).
-- A batch delete of documents runs one short statement per text (~0.1 ms each).
--
-- Idempotent: functions replaced.

CREATE OR REPLACE FUNCTION search_index.postings_delete()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' SET plan_cache_mode = force_custom_plan AS $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT o.practice_id, o.kind, o.id, ARRAY(SELECT pg_catalog.jsonb_object_keys(o.tf)) AS lexemes FROM old_docs o WHERE o.tf <> '{}' LOOP
    DELETE FROM search_index.postings p
     WHERE p.practice_id = r.practice_id AND p.kind = r.kind AND p.lexeme = ANY (r.lexemes) AND p.id = r.id;
  END LOOP;
  RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION search_index.postings_update()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' SET plan_cache_mode = force_custom_plan AS $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT o.practice_id, o.kind, o.id, ARRAY(SELECT pg_catalog.jsonb_object_keys(o.tf)) AS lexemes FROM old_docs o
            WHERE o.tf <> '{}'
              AND NOT EXISTS (SELECT 1 FROM new_docs n
                               WHERE n.practice_id = o.practice_id AND n.kind = o.kind AND n.id = o.id
                                 AND n.tf = o.tf AND pg_catalog.length(n.fts) = pg_catalog.length(o.fts)) LOOP
    DELETE FROM search_index.postings p
     WHERE p.practice_id = r.practice_id AND p.kind = r.kind AND p.lexeme = ANY (r.lexemes) AND p.id = r.id;
  END LOOP;
  INSERT INTO search_index.postings (practice_id, kind, lexeme, id, tf, dl)
  SELECT n.practice_id, n.kind, e.key, n.id, e.value::integer, pg_catalog.length(n.fts)
    FROM new_docs n CROSS JOIN LATERAL pg_catalog.jsonb_each_text(n.tf) e
   WHERE NOT EXISTS (SELECT 1 FROM old_docs o
                      WHERE o.practice_id = n.practice_id AND o.kind = n.kind AND o.id = n.id
                        AND o.tf = n.tf AND pg_catalog.length(o.fts) = pg_catalog.length(n.fts));
  RETURN NULL;
END
$$;
