-- 0001_supabase_compat.sql
--
-- What Supabase provides, created only where it is missing, so that the same
-- migrations run on Supabase and on plain PostgreSQL (tests, CI, local dev):
--   * schema auth, a minimal auth.users table (only if there is none),
--   * auth.uid(), auth.role(), auth.jwt() reading the GUC request.jwt.claims
--     (only if the functions do not exist: Supabase has its own),
--   * roles anon, authenticated (NOLOGIN) and service_role (NOLOGIN BYPASSRLS),
--   * extensions vector (required) and pg_trgm (optional: trigram indexes are
--     created only if it is installed).
-- Not created: citext, btree_gist, pgcrypto (unused; gen_random_uuid() is core).
--
-- Idempotent: every statement is guarded or IF NOT EXISTS.

-- The RLS helper functions (0003) are SECURITY DEFINER and read
-- practice_members/profiles, which have FORCE ROW LEVEL SECURITY (0005). They
-- only bypass RLS if their owner -- the role applying these migrations --
-- is a superuser or has BYPASSRLS (Supabase's "postgres" role has BYPASSRLS).
-- Anything else would make the policies recurse, so refuse early.
DO $do$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_roles
    WHERE rolname = current_user AND (rolsuper OR rolbypassrls)
  ) THEN
    RAISE EXCEPTION 'MDW migrations must be applied by a superuser or a role with BYPASSRLS (current_user = %)', current_user;
  END IF;
END
$do$;

-- ---------------------------------------------------------------------------
-- Extensions
-- ---------------------------------------------------------------------------
CREATE EXTENSION IF NOT EXISTS vector;

DO $do$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = 'pg_trgm') THEN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
  ELSE
    RAISE NOTICE 'pg_trgm is not available: trigram search indexes will be skipped';
  END IF;
END
$do$;

-- ---------------------------------------------------------------------------
-- Roles (Supabase has them; plain PostgreSQL does not)
-- ---------------------------------------------------------------------------
DO $do$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'anon') THEN
    CREATE ROLE anon NOLOGIN NOINHERIT;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'authenticated') THEN
    CREATE ROLE authenticated NOLOGIN NOINHERIT;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'service_role') THEN
    CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;
  END IF;
END
$do$;

-- ---------------------------------------------------------------------------
-- Schema auth and auth.users (minimal stand-in for GoTrue's table)
-- ---------------------------------------------------------------------------
DO $do$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'auth') THEN
    CREATE SCHEMA auth;
  END IF;

  IF to_regclass('auth.users') IS NULL THEN
    -- Column names are a subset of Supabase's auth.users, so code and seeds
    -- that use only these columns work on both.
    CREATE TABLE auth.users (
      id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      email              text,
      raw_app_meta_data  jsonb NOT NULL DEFAULT '{}'::jsonb,
      raw_user_meta_data jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at         timestamptz NOT NULL DEFAULT now(),
      updated_at         timestamptz NOT NULL DEFAULT now()
    );
    -- Only the backend (service_role) manages users on plain PostgreSQL.
    GRANT SELECT, INSERT, UPDATE, DELETE ON auth.users TO service_role;
  END IF;
END
$do$;

-- ---------------------------------------------------------------------------
-- auth.uid(), auth.role(), auth.jwt(): same definitions as Supabase, which
-- reads the claims PostgREST stores in request.jwt.claims (and the legacy
-- per-claim GUCs request.jwt.claim.*). Created only where missing.
-- ---------------------------------------------------------------------------
DO $do$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'auth' AND p.proname = 'uid'
  ) THEN
    EXECUTE $fn$
      CREATE FUNCTION auth.uid() RETURNS uuid
      LANGUAGE sql STABLE
      AS $body$
        SELECT coalesce(
          nullif(current_setting('request.jwt.claim.sub', true), ''),
          nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'
        )::uuid
      $body$
    $fn$;
  END IF;

  IF NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'auth' AND p.proname = 'role'
  ) THEN
    EXECUTE $fn$
      CREATE FUNCTION auth.role() RETURNS text
      LANGUAGE sql STABLE
      AS $body$
        SELECT coalesce(
          nullif(current_setting('request.jwt.claim.role', true), ''),
          nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role'
        )::text
      $body$
    $fn$;
  END IF;

  IF NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'auth' AND p.proname = 'jwt'
  ) THEN
    EXECUTE $fn$
      CREATE FUNCTION auth.jwt() RETURNS jsonb
      LANGUAGE sql STABLE
      AS $body$
        SELECT coalesce(
          nullif(current_setting('request.jwt.claim', true), ''),
          nullif(current_setting('request.jwt.claims', true), '')
        )::jsonb
      $body$
    $fn$;
  END IF;
END
$do$;

-- ---------------------------------------------------------------------------
-- Schema usage. On Supabase the auth schema belongs to supabase_auth_admin,
-- which already grants usage to these roles: granting is left to it there.
-- ---------------------------------------------------------------------------
GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;

DO $do$
BEGIN
  IF pg_catalog.pg_has_role(current_user,
       (SELECT nspowner FROM pg_catalog.pg_namespace WHERE nspname = 'auth'), 'USAGE')
     OR EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = current_user AND rolsuper) THEN
    GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;
  ELSE
    RAISE NOTICE 'schema auth belongs to another role; assuming the platform grants usage on it';
  END IF;
END
$do$;
