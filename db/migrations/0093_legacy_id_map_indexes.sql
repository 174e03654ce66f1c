-- legacy_id_map keeps only the indexes something reads (issue 9: the map's writes were the
-- migration's second-largest step at 1M rows, 25 s; every legacy row writes one line).
--
-- Who reads the map (searched in src/, bench/, web/, scripts/ and every function in db/migrations):
-- the migration and `mdw legacy-lookup` by (legacy_table, legacy_id), the primary key, which stays;
-- accept_patient_match() (0026) by target, and only for `target_table = 'patients'`. Nothing reads
-- it by run_id (the run's rows are counted from legacy_migration_runs' report and the audit).
--
-- idx_legacy_id_map_target (target_table, target_id) took an entry for every line, at a random
-- place (target ids are md5 uuids), so at a million lines each insert touched a cold page; the
-- partial index below holds the patients' lines only (about 2 % of them) and serves 0026's
-- `WHERE target_table = 'patients' AND target_id = …` exactly as before.
CREATE INDEX IF NOT EXISTS idx_legacy_id_map_patient_target ON public.legacy_id_map (target_id) WHERE target_table = 'patients';
DROP INDEX IF EXISTS public.idx_legacy_id_map_target;
DROP INDEX IF EXISTS public.idx_legacy_id_map_run;
