-- 0017_authenticator_role.sql
--
-- The login role of the API's requests, after Supabase's `authenticator`:
-- LOGIN NOINHERIT, not a superuser, no BYPASSRLS, member of anon and
-- authenticated only. The API begins every actor transaction with
-- `set_config('role', 'authenticated', true)`; because this role is a member
-- of nothing privileged, SQL inside that transaction cannot `SET ROLE
-- service_role` or `SET ROLE postgres`, and `RESET ROLE` lands on anon (its
-- session default, below), which may read nothing. Before, the API logged in
-- as the migration owner (a superuser), so RLS rested entirely on there never
-- being an SQL injection.
--
-- No password here: a migration must not ship a secret. On servers that
-- authenticate loopback by trust (the embedded server of `npm run up` and of
-- the tests) none is needed; elsewhere `scripts/setup.ts` sets the password
-- given in DATABASE_AUTHENTICATOR_URL.
--
-- The worker and the API's named system handle keep the privileged
-- connection (DATABASE_URL); see db/README.md, "Login roles".

DO $do$
DECLARE
  escapes text;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'mdw_authenticator') THEN
    CREATE ROLE mdw_authenticator LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;

  -- A pre-existing role of that name must not be able to leave its actors'
  -- roles either: refuse rather than hand the API a privileged login.
  SELECT string_agg(g.rolname, ', ' ORDER BY g.rolname) INTO escapes
  FROM pg_catalog.pg_roles g
  WHERE (g.rolsuper OR g.rolbypassrls OR g.rolcreaterole)
    AND pg_catalog.pg_has_role('mdw_authenticator', g.oid, 'MEMBER');
  IF escapes IS NOT NULL THEN
    RAISE EXCEPTION 'role mdw_authenticator is or can become % (superuser, BYPASSRLS or CREATEROLE); it must be an unprivileged login role: fix it, then migrate again', escapes;
  END IF;
END
$do$;

GRANT anon, authenticated TO mdw_authenticator;

-- Outside an actor's transaction, and after a RESET ROLE inside one, the
-- session is anon: no table privileges, no policies.
ALTER ROLE mdw_authenticator SET role = 'anon';
