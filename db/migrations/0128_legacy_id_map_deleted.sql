-- Legacy rows deleted in the legacy system after a run had mapped them (issue 9: the legacy system
-- keeps running until the lab switches, and the migration is re-run). MDW keeps what it made of
-- them (a case or message deleted in the legacy system may be a mistake there; the clinical record
-- stays); the map keeps the line and says when a run first found the row missing, and which run:
-- `mdw legacy-lookup` answers "deleted in legacy on <date>, MDW kept ...". A row that reappears
-- (same id) clears both. NULL = the row existed at the last run that read its table.
ALTER TABLE public.legacy_id_map
  ADD COLUMN IF NOT EXISTS legacy_deleted_at timestamptz,
  ADD COLUMN IF NOT EXISTS legacy_deleted_run uuid;

-- A run that reads every row (a first run, --practice, after an interrupted run) finds the marked
-- lines whose row is back through this index: few lines, and none at all in most maps. Lines
-- without a mark (nearly all) have no entry, so the map's writes do not pay for it.
CREATE INDEX IF NOT EXISTS idx_legacy_id_map_deleted
  ON public.legacy_id_map (legacy_table, legacy_id)
  WHERE legacy_deleted_at IS NOT NULL;
