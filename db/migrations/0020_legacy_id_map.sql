-- Legacy migration (src/migration/): where every row of the legacy Django database went.
-- (legacy_table, legacy_id) is the idempotency key of the whole tool: a re-run looks a row up
-- here before writing anything, and support staff answer "where did legacy case 4711 go?"
-- with `mdw legacy-lookup dispatch_case 4711`. Every legacy row read gets exactly one line,
-- including the rows that were not migrated (disposition + reason), so nothing disappears
-- without a line saying why.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'legacy_disposition') THEN
    CREATE TYPE public.legacy_disposition AS ENUM ('migrated', 'merged', 'skipped', 'rejected');
  END IF;
END
$$;

CREATE TABLE IF NOT EXISTS public.legacy_id_map (
  legacy_table  text NOT NULL,                 -- e.g. 'dispatch_case', 'auth_user'
  legacy_id     text NOT NULL,                 -- text: composite keys join with ':'
  target_table  text,                          -- NULL when nothing was written (skipped/rejected)
  target_id     uuid,
  disposition   public.legacy_disposition NOT NULL,
  reason        text,                          -- why not migrated, or what was merged into what
  -- Hash of the legacy row as last migrated: a changed row is detected without reading MDW.
  row_hash      text,
  run_id        uuid NOT NULL,
  migrated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (legacy_table, legacy_id),
  CHECK (disposition IN ('skipped', 'rejected') OR (target_table IS NOT NULL AND target_id IS NOT NULL)),
  CHECK (disposition = 'migrated' OR reason IS NOT NULL)
);
CREATE INDEX IF NOT EXISTS idx_legacy_id_map_target ON public.legacy_id_map (target_table, target_id);
CREATE INDEX IF NOT EXISTS idx_legacy_id_map_run ON public.legacy_id_map (run_id);

-- Backend only (the migration tool and operator CLI run with the migration role), like
-- idempotency_keys: no policy for application roles.
ALTER TABLE public.legacy_id_map ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.legacy_id_map FORCE ROW LEVEL SECURITY;
REVOKE ALL ON public.legacy_id_map FROM anon, authenticated;
