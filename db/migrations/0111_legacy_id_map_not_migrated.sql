-- The legacy migration's report lists every legacy row that was not migrated (merged, skipped,
-- rejected) with its reason, ordered by table and id, and counts them (issue 9: a no-change
-- re-run read the whole map, a million lines, for the few thousand that are listed).
--
-- A partial index holds those lines only, in the listing's order: the list, its first page and
-- its count read the index instead of every line. Lines that were migrated (nearly all) have no
-- entry, so the first run's inserts into the map pay for the few that are not migrated.
--
-- Idempotent.
CREATE INDEX IF NOT EXISTS idx_legacy_id_map_not_migrated
  ON public.legacy_id_map (legacy_table, length(legacy_id), legacy_id)
  WHERE disposition <> 'migrated';
