-- Indexes found missing by the API benchmark (bench/API.md).

-- profiles_select checks "wrote a message on the caller's practices' cases" per profile row:
-- without this index that check read every message of the caller's practices.
CREATE INDEX IF NOT EXISTS idx_case_messages_sender_practice ON public.case_messages (sender_id, practice_id);

-- Open cases of a practice by state (inboxes, dashboards, overdue sweeps): the doc's
-- idx_cases_state_priority does not start with the practice, so it scans every tenant.
CREATE INDEX IF NOT EXISTS idx_cases_practice_open_state ON public.cases (practice_id, current_state, priority, created_at DESC)
  WHERE closed_at IS NULL;
