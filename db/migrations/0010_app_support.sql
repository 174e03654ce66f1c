-- Application support tables and columns for the workflow engine and the standalone API.
-- Backend-only tables (credentials, refresh tokens, idempotency keys) have RLS enabled and
-- forced with no policy for anon/authenticated: only the privileged system handle reads them.

-- A case row is committed before its workflow starts; NULL here means the start has not been
-- confirmed yet, and workers start such workflows at start-up (no case without a workflow).
ALTER TABLE public.cases ADD COLUMN IF NOT EXISTS workflow_started_at timestamptz;
CREATE INDEX IF NOT EXISTS idx_cases_workflow_not_started ON public.cases (created_at)
  WHERE workflow_started_at IS NULL;

-- Standalone deployments sign people in themselves (Supabase deployments use Supabase Auth).
CREATE TABLE IF NOT EXISTS public.user_credentials (
  profile_id     uuid PRIMARY KEY REFERENCES public.profiles(id) ON DELETE CASCADE,
  password_hash  text NOT NULL,            -- argon2id, encoded with its parameters
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS public.refresh_tokens (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  profile_id   uuid NOT NULL REFERENCES public.profiles(id) ON DELETE CASCADE,
  token_hash   text NOT NULL UNIQUE,       -- sha256 of the opaque token; the token itself is never stored
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz,
  replaced_by  uuid REFERENCES public.refresh_tokens(id) ON DELETE SET NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_refresh_tokens_profile ON public.refresh_tokens (profile_id) WHERE revoked_at IS NULL;

-- Idempotency-Key on POSTs: a retried request returns the first response.
CREATE TABLE IF NOT EXISTS public.idempotency_keys (
  profile_id    uuid NOT NULL REFERENCES public.profiles(id) ON DELETE CASCADE,
  key           text NOT NULL,
  method        text NOT NULL,
  path          text NOT NULL,
  request_hash  text NOT NULL,
  status_code   integer,                   -- NULL while the first request is still running
  response      jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (profile_id, key)
);
CREATE INDEX IF NOT EXISTS idx_idempotency_keys_created ON public.idempotency_keys (created_at);

DO $do$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['user_credentials', 'refresh_tokens', 'idempotency_keys'] LOOP
    EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE public.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('REVOKE ALL ON public.%I FROM anon, authenticated', t);
  END LOOP;
END
$do$;

CREATE OR REPLACE TRIGGER set_updated_at BEFORE UPDATE ON public.user_credentials
  FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();
