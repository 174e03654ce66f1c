-- 0007_system_profile.sql  (data migration)
--
-- case_states.changed_by, order_states.changed_by, instruction_states.changed_by,
-- case_messages.sender_id, case_files.uploaded_by and projects.creator_id are
-- NOT NULL references to profiles, so automated transitions, system messages
-- and migrated legacy rows without an author need an actor: the well-known
-- system user/profile below. Its global role is 'support' (not 'admin': it
-- grants no RLS privilege; the workflow worker writes as service_role).

INSERT INTO auth.users (id, email)
VALUES ('00000000-0000-0000-0000-000000000001', 'system@mdw.local')
ON CONFLICT DO NOTHING;

INSERT INTO public.profiles (id, email, first_name, last_name, role)
VALUES ('00000000-0000-0000-0000-000000000001', 'system@mdw.local', 'MDW', 'System', 'support')
ON CONFLICT DO NOTHING;
