-- Indexes nothing reads any more (issue 9: per-row index cost of bulk loads such as the legacy
-- migration; bench/MIGRATE.md "where the time goes": INSERT case_messages was the largest step).
--
-- How "nothing reads them" was established: every query in src/, bench/, web/ and every function in
-- db/migrations was searched for the columns each index serves, and the real read paths were
-- EXPLAINed (bench/MIGRATE.md "Indexes nothing reads"). Dropping is reversible by re-creating
-- the index (0030 / 0002 hold the definitions); no constraint depends on any of these.

-- The four full-text GIN indexes of 0030 on the source tables. Since 0076 the lexical search leg
-- reads search_index.documents (its own GIN per practice partition) through search_lexical();
-- no query in the code base tests `fts @@` on cases, case_messages, projects or patients any more
-- (under RLS they could not use these indexes anyway: `@@` is not leakproof). The sync triggers
-- of 0076 read `fts` from transition tables and NEW rows, never through an index. The `fts`
-- columns themselves stay: search_index.documents is filled from them.
-- idx_case_messages_fts was the costliest index of every message insert (a GIN entry per lexeme).
DROP INDEX IF EXISTS public.idx_case_messages_fts;
DROP INDEX IF EXISTS public.idx_cases_fts;
DROP INDEX IF EXISTS public.idx_projects_fts;
DROP INDEX IF EXISTS public.idx_patients_fts;

-- case_messages (sender_id) is a prefix of idx_case_messages_sender_practice (sender_id,
-- practice_id) from 0011: every lookup by sender (the profiles_select policy of 0005, the
-- sender_id foreign key's check when a profile is deleted) is served by the composite index.
DROP INDEX IF EXISTS public.idx_case_messages_sender;

-- Kept, for the record: case_messages (practice_id) (the practice FK's cascade, RLS reads of a
-- practice's messages; the rework index is partial), (case_id, created_at) (the case FK, message
-- lists), (id, practice_id) and idempotency_key (constraints); case_states (case_id, created_at)
-- and (practice_id) (the two FKs' cascades, history reads); cases (patient_id) (the patient FK:
-- (practice_id, patient_id) does not lead with it); cases.search_text GIN (GET /cases?text=).
