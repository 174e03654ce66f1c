-- 0005_rls.sql
--
-- Row-level security. Defects of the design document fixed here:
--  * RLS was enabled on 5 tables only, and three of them (practices, orders,
--    case_messages) had no policy at all, i.e. were unreadable. RLS is now
--    ENABLEd and FORCEd on every table of the schema, each with policies.
--  * The policies called auth.uid() per row and looked memberships up in
--    practice_members under RLS (which recurses once practice_members has its
--    own policy). Now: practice_id = ANY (ARRAY(SELECT public.user_practice_ids()))
--    -- an InitPlan evaluated once per statement, usable by the practice_id
--    indexes -- with SECURITY DEFINER helpers (0003) that bypass RLS.
--  * Policies applied to every role (PUBLIC): now TO authenticated only; anon
--    has no policy (and no grant), service_role has BYPASSRLS.
--  * FOR ALL USING (...) gave every member every command. Commands are split
--    where the check differs: audit trails (case_states, order_states,
--    state_analytics, workflow_performance) are append-only for members;
--    author columns must be the caller on insert (no impersonation);
--    practice_members, practices, private templates are managed by the
--    practice's owner/admin only.
--  * "Enable all access for admin users" means the GLOBAL role
--    profiles.role = 'admin' (internal staff): kept, on every table, as
--    (SELECT public.is_internal_admin()). A PRACTICE role 'owner'/'admin'
--    (practice_members.role) grants nothing outside its own practice.
--
-- Re-runnable: every policy is dropped (IF EXISTS) and created again.

SET LOCAL client_min_messages = warning;  -- silence "policy does not exist, skipping"

-- ---------------------------------------------------------------------------
-- Enable and force RLS everywhere
-- ---------------------------------------------------------------------------
DO $do$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY[
    'profiles', 'practices', 'practitioners', 'practice_members', 'patients',
    'workflow_templates', 'workflow_steps', 'workflow_template_tasks',
    'cases', 'case_states', 'products', 'orders', 'order_items', 'order_states',
    'case_messages', 'case_files', 'projects',
    'case_embeddings', 'patient_embeddings', 'message_embeddings', 'project_embeddings',
    'workflow_performance', 'instruction_states', 'state_analytics',
    'query_performance_log', 'performance_alerts'
  ] LOOP
    EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE public.%I FORCE ROW LEVEL SECURITY', t);

    -- Internal admins (profiles.role = 'admin'): everything, everywhere.
    EXECUTE format('DROP POLICY IF EXISTS %I ON public.%I', 'Enable all access for admin users', t);
    EXECUTE format(
      'CREATE POLICY %I ON public.%I AS PERMISSIVE FOR ALL TO authenticated
         USING ((SELECT public.is_internal_admin()))
         WITH CHECK ((SELECT public.is_internal_admin()))',
      'Enable all access for admin users', t);
  END LOOP;
END
$do$;

-- ---------------------------------------------------------------------------
-- Practice-scoped tables with a practice_id column.
--   mode 'all'    : members of the practice may select/insert/update/delete:
--                   one FOR ALL policy practice_isolation_<table>
--   mode 'crud'   : same, but INSERT also requires <author column> = auth.uid():
--                   practice_isolation_<table>_{select,insert,update,delete}
--   mode 'append' : members may select and insert only (audit trails):
--                   practice_isolation_<table>_{select,insert}
-- ---------------------------------------------------------------------------
DO $do$
DECLARE
  r record;
  member constant text := 'practice_id = ANY (ARRAY(SELECT public.user_practice_ids()))';
  author text;
  suffix text;
BEGIN
  FOR r IN
    SELECT * FROM (VALUES
      ('patients',             'all',    NULL),
      ('cases',                'all',    NULL),
      ('orders',               'all',    NULL),
      ('order_items',          'all',    NULL),
      ('case_embeddings',      'all',    NULL),
      ('patient_embeddings',   'all',    NULL),
      ('message_embeddings',   'all',    NULL),
      ('project_embeddings',   'all',    NULL),
      ('case_messages',        'crud',   'sender_id'),
      ('case_files',           'crud',   'uploaded_by'),
      ('projects',             'crud',   'creator_id'),
      ('instruction_states',   'crud',   'changed_by'),
      ('case_states',          'append', 'changed_by'),
      ('order_states',         'append', 'changed_by'),
      ('state_analytics',      'append', NULL),
      ('workflow_performance', 'append', NULL)
    ) AS v(tbl, mode, author_col)
  LOOP
    FOREACH suffix IN ARRAY ARRAY['', '_select', '_insert', '_update', '_delete'] LOOP
      EXECUTE format('DROP POLICY IF EXISTS %I ON public.%I', 'practice_isolation_' || r.tbl || suffix, r.tbl);
    END LOOP;

    IF r.mode = 'all' THEN
      EXECUTE format(
        'CREATE POLICY %I ON public.%I FOR ALL TO authenticated USING (%s) WITH CHECK (%s)',
        'practice_isolation_' || r.tbl, r.tbl, member, member);
      CONTINUE;
    END IF;

    author := CASE WHEN r.author_col IS NULL THEN ''
                   ELSE format(' AND %I = (SELECT auth.uid())', r.author_col) END;

    EXECUTE format(
      'CREATE POLICY %I ON public.%I FOR SELECT TO authenticated USING (%s)',
      'practice_isolation_' || r.tbl || '_select', r.tbl, member);
    EXECUTE format(
      'CREATE POLICY %I ON public.%I FOR INSERT TO authenticated WITH CHECK (%s%s)',
      'practice_isolation_' || r.tbl || '_insert', r.tbl, member, author);

    IF r.mode = 'crud' THEN
      EXECUTE format(
        'CREATE POLICY %I ON public.%I FOR UPDATE TO authenticated USING (%s) WITH CHECK (%s)',
        'practice_isolation_' || r.tbl || '_update', r.tbl, member, member);
      EXECUTE format(
        'CREATE POLICY %I ON public.%I FOR DELETE TO authenticated USING (%s)',
        'practice_isolation_' || r.tbl || '_delete', r.tbl, member);
    END IF;
  END LOOP;
END
$do$;

-- ---------------------------------------------------------------------------
-- practices: members read their practices; the practice's owner/admin update
-- it; creating and deleting practices is for internal admins (or service_role).
-- ---------------------------------------------------------------------------
DROP POLICY IF EXISTS practices_select_member ON public.practices;
CREATE POLICY practices_select_member ON public.practices
  FOR SELECT TO authenticated
  USING (id = ANY (ARRAY(SELECT public.user_practice_ids())));

DROP POLICY IF EXISTS practices_update_manager ON public.practices;
CREATE POLICY practices_update_manager ON public.practices
  FOR UPDATE TO authenticated
  USING (id = ANY (ARRAY(SELECT public.user_managed_practice_ids())))
  WITH CHECK (id = ANY (ARRAY(SELECT public.user_managed_practice_ids())));

-- ---------------------------------------------------------------------------
-- practice_members: members read the membership of their practices; the
-- practice's owner/admin insert, update and delete members of that practice.
-- ---------------------------------------------------------------------------
DROP POLICY IF EXISTS practice_members_select ON public.practice_members;
CREATE POLICY practice_members_select ON public.practice_members
  FOR SELECT TO authenticated
  USING (practice_id = ANY (ARRAY(SELECT public.user_practice_ids())));

DROP POLICY IF EXISTS practice_members_insert_manager ON public.practice_members;
CREATE POLICY practice_members_insert_manager ON public.practice_members
  FOR INSERT TO authenticated
  WITH CHECK (practice_id = ANY (ARRAY(SELECT public.user_managed_practice_ids())));

DROP POLICY IF EXISTS practice_members_update_manager ON public.practice_members;
CREATE POLICY practice_members_update_manager ON public.practice_members
  FOR UPDATE TO authenticated
  USING (practice_id = ANY (ARRAY(SELECT public.user_managed_practice_ids())))
  WITH CHECK (practice_id = ANY (ARRAY(SELECT public.user_managed_practice_ids())));

DROP POLICY IF EXISTS practice_members_delete_manager ON public.practice_members;
CREATE POLICY practice_members_delete_manager ON public.practice_members
  FOR DELETE TO authenticated
  USING (practice_id = ANY (ARRAY(SELECT public.user_managed_practice_ids())));

-- ---------------------------------------------------------------------------
-- profiles: own profile; profiles of members and of patients of the caller's
-- practices, of senders of messages on its cases, and the system profile
-- (read only). Updates: own profile only (role changes are blocked
-- by the protect_role trigger). Insert: own profile (sign-up).
-- ---------------------------------------------------------------------------
DROP POLICY IF EXISTS profiles_select ON public.profiles;
CREATE POLICY profiles_select ON public.profiles
  FOR SELECT TO authenticated
  USING (
    id = (SELECT auth.uid())
    OR EXISTS (
      SELECT 1 FROM public.practice_members pm
      WHERE pm.profile_id = profiles.id
        AND pm.practice_id = ANY (ARRAY(SELECT public.user_practice_ids()))
    )
    OR EXISTS (
      SELECT 1 FROM public.patients pt
      WHERE pt.profile_id = profiles.id
        AND pt.practice_id = ANY (ARRAY(SELECT public.user_practice_ids()))
    )
    -- lab staff who are not members but wrote on the practice's cases
    OR EXISTS (
      SELECT 1 FROM public.case_messages cm
      WHERE cm.sender_id = profiles.id
        AND cm.practice_id = ANY (ARRAY(SELECT public.user_practice_ids()))
    )
    -- the system actor (0007) of automated transitions and messages
    OR id = '00000000-0000-0000-0000-000000000001'::uuid
  );

DROP POLICY IF EXISTS profiles_insert_self ON public.profiles;
CREATE POLICY profiles_insert_self ON public.profiles
  FOR INSERT TO authenticated
  WITH CHECK (id = (SELECT auth.uid()));

DROP POLICY IF EXISTS profiles_update_self ON public.profiles;
CREATE POLICY profiles_update_self ON public.profiles
  FOR UPDATE TO authenticated
  USING (id = (SELECT auth.uid()))
  WITH CHECK (id = (SELECT auth.uid()));

-- ---------------------------------------------------------------------------
-- practitioners (not practice-scoped: one practitioner may work in several
-- practices through practice_members.practitioner_id). Visible to themselves
-- and to members of a practice they belong to; created/updated by themselves
-- or by the owner/admin of a practice they are a member of. Delete: internal
-- admins only.
-- ---------------------------------------------------------------------------
DROP POLICY IF EXISTS practitioners_select ON public.practitioners;
CREATE POLICY practitioners_select ON public.practitioners
  FOR SELECT TO authenticated
  USING (
    profile_id = (SELECT auth.uid())
    OR EXISTS (
      SELECT 1 FROM public.practice_members pm
      WHERE (pm.practitioner_id = practitioners.id OR pm.profile_id = practitioners.profile_id)
        AND pm.practice_id = ANY (ARRAY(SELECT public.user_practice_ids()))
    )
  );

DROP POLICY IF EXISTS practitioners_insert ON public.practitioners;
CREATE POLICY practitioners_insert ON public.practitioners
  FOR INSERT TO authenticated
  WITH CHECK (
    profile_id = (SELECT auth.uid())
    OR EXISTS (
      SELECT 1 FROM public.practice_members pm
      WHERE pm.profile_id = practitioners.profile_id
        AND pm.practice_id = ANY (ARRAY(SELECT public.user_managed_practice_ids()))
    )
  );

DROP POLICY IF EXISTS practitioners_update ON public.practitioners;
CREATE POLICY practitioners_update ON public.practitioners
  FOR UPDATE TO authenticated
  USING (
    profile_id = (SELECT auth.uid())
    OR EXISTS (
      SELECT 1 FROM public.practice_members pm
      WHERE pm.profile_id = practitioners.profile_id
        AND pm.practice_id = ANY (ARRAY(SELECT public.user_managed_practice_ids()))
    )
  )
  WITH CHECK (
    profile_id = (SELECT auth.uid())
    OR EXISTS (
      SELECT 1 FROM public.practice_members pm
      WHERE pm.profile_id = practitioners.profile_id
        AND pm.practice_id = ANY (ARRAY(SELECT public.user_managed_practice_ids()))
    )
  );

-- ---------------------------------------------------------------------------
-- products: global catalogue, readable by every authenticated user; written
-- by internal admins only (admin policy above).
-- ---------------------------------------------------------------------------
DROP POLICY IF EXISTS products_select_all ON public.products;
CREATE POLICY products_select_all ON public.products
  FOR SELECT TO authenticated
  USING (true);

-- ---------------------------------------------------------------------------
-- workflow_templates: practice_id NULL = lab-wide, readable by everyone,
-- written by internal admins only; practice_id set = private to that
-- practice, readable by its members, written by its owner/admin.
-- workflow_steps / workflow_template_tasks follow their template.
-- ---------------------------------------------------------------------------
DROP POLICY IF EXISTS workflow_templates_select ON public.workflow_templates;
CREATE POLICY workflow_templates_select ON public.workflow_templates
  FOR SELECT TO authenticated
  USING (practice_id IS NULL OR practice_id = ANY (ARRAY(SELECT public.user_practice_ids())));

DROP POLICY IF EXISTS workflow_templates_insert_manager ON public.workflow_templates;
CREATE POLICY workflow_templates_insert_manager ON public.workflow_templates
  FOR INSERT TO authenticated
  WITH CHECK (practice_id = ANY (ARRAY(SELECT public.user_managed_practice_ids())));

DROP POLICY IF EXISTS workflow_templates_update_manager ON public.workflow_templates;
CREATE POLICY workflow_templates_update_manager ON public.workflow_templates
  FOR UPDATE TO authenticated
  USING (practice_id = ANY (ARRAY(SELECT public.user_managed_practice_ids())))
  WITH CHECK (practice_id = ANY (ARRAY(SELECT public.user_managed_practice_ids())));

DROP POLICY IF EXISTS workflow_templates_delete_manager ON public.workflow_templates;
CREATE POLICY workflow_templates_delete_manager ON public.workflow_templates
  FOR DELETE TO authenticated
  USING (practice_id = ANY (ARRAY(SELECT public.user_managed_practice_ids())));

DO $do$
DECLARE
  t text;
  readable constant text :=
    'EXISTS (SELECT 1 FROM public.workflow_templates wt
             WHERE wt.id = workflow_template_id
               AND (wt.practice_id IS NULL
                    OR wt.practice_id = ANY (ARRAY(SELECT public.user_practice_ids()))))';
  managed constant text :=
    'EXISTS (SELECT 1 FROM public.workflow_templates wt
             WHERE wt.id = workflow_template_id
               AND wt.practice_id = ANY (ARRAY(SELECT public.user_managed_practice_ids())))';
BEGIN
  FOREACH t IN ARRAY ARRAY['workflow_steps', 'workflow_template_tasks'] LOOP
    EXECUTE format('DROP POLICY IF EXISTS %I ON public.%I', t || '_select', t);
    EXECUTE format('DROP POLICY IF EXISTS %I ON public.%I', t || '_insert_manager', t);
    EXECUTE format('DROP POLICY IF EXISTS %I ON public.%I', t || '_update_manager', t);
    EXECUTE format('DROP POLICY IF EXISTS %I ON public.%I', t || '_delete_manager', t);

    EXECUTE format('CREATE POLICY %I ON public.%I FOR SELECT TO authenticated USING (%s)',
                   t || '_select', t, readable);
    EXECUTE format('CREATE POLICY %I ON public.%I FOR INSERT TO authenticated WITH CHECK (%s)',
                   t || '_insert_manager', t, managed);
    EXECUTE format('CREATE POLICY %I ON public.%I FOR UPDATE TO authenticated USING (%s) WITH CHECK (%s)',
                   t || '_update_manager', t, managed, managed);
    EXECUTE format('CREATE POLICY %I ON public.%I FOR DELETE TO authenticated USING (%s)',
                   t || '_delete_manager', t, managed);
  END LOOP;
END
$do$;

-- ---------------------------------------------------------------------------
-- Monitoring: any user may log his own query timings (user_id = himself or
-- NULL) and read his own rows; alerts are for internal admins only.
-- ---------------------------------------------------------------------------
DROP POLICY IF EXISTS query_performance_log_insert_own ON public.query_performance_log;
CREATE POLICY query_performance_log_insert_own ON public.query_performance_log
  FOR INSERT TO authenticated
  WITH CHECK (user_id IS NULL OR user_id = (SELECT auth.uid()));

DROP POLICY IF EXISTS query_performance_log_select_own ON public.query_performance_log;
CREATE POLICY query_performance_log_select_own ON public.query_performance_log
  FOR SELECT TO authenticated
  USING (user_id = (SELECT auth.uid()));
