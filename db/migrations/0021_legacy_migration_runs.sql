-- Legacy migration (src/migration/): one row per run of `mdw migrate-legacy` (dry runs write
-- nothing, so they have none). A run killed with kill -9 stays 'running'; the next run marks it
-- 'interrupted', says so in its report, and resumes (every phase commits its rows together with
-- their legacy_id_map lines). The report JSON is kept for support staff.
CREATE TABLE IF NOT EXISTS public.legacy_migration_runs (
  id           uuid PRIMARY KEY,
  practice     text,                       -- --practice <legacy id>, NULL for the whole database
  dry_run      boolean NOT NULL DEFAULT false,
  status       text NOT NULL CHECK (status IN ('running', 'succeeded', 'unreconciled', 'interrupted')),
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  report       jsonb
);
CREATE INDEX IF NOT EXISTS idx_legacy_migration_runs_started ON public.legacy_migration_runs (started_at DESC);

-- Backend only, like legacy_id_map.
ALTER TABLE public.legacy_migration_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.legacy_migration_runs FORCE ROW LEVEL SECURITY;
REVOKE ALL ON public.legacy_migration_runs FROM anon, authenticated;
