-- A schema for the legacy migration's shared staging (issue 9: the records phase on both cores).
--
-- Why. The migration stages the legacy rows in TEMP tables, which only its own session sees. The
-- records phase writes case_messages and case_states from two sessions at once (two backends, two
-- cores), each its share of the cases in its own transaction; the second session reads its rows
-- from UNLOGGED tables in this schema, written and committed by the run's session just before
-- (no WAL: a server crash empties them, and the next run writes them again). Copying the second
-- session's rows to it over COPY instead costs both backends the text formatting and parsing.
--
-- What. Only the schema: the run creates its tables (legacy_stage.record_*) when it splits and
-- drops them when both sessions have committed; a run killed in between leaves them until the next
-- run's records phase drops them. Not readable by the API's roles (no USAGE granted); excluded
-- from the Kysely types (scripts/gen-db-types.ts includes public and auth only).
--
-- Idempotent.

CREATE SCHEMA IF NOT EXISTS legacy_stage;
REVOKE ALL ON SCHEMA legacy_stage FROM PUBLIC;
COMMENT ON SCHEMA legacy_stage IS 'legacy migration: UNLOGGED staging shared by its sessions (src/migration/pipeline.ts, records split)';
