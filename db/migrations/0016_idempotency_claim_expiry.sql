-- Stale Idempotency-Key claims. A key is claimed (status_code NULL) before its request runs and
-- completed or released after. When the process dies, or the database goes away, in between,
-- the claim stayed forever and every retry answered 409 idempotency_in_progress: the client
-- could never learn the outcome (of a decision that the workflow had in fact applied).
--
-- claimed_at is when the current claim was made; a claim older than IDEMPOTENCY_CLAIM_TTL_MS is
-- taken over by the next retry with the same request (INSERT ... ON CONFLICT DO UPDATE ...
-- WHERE stale), which runs it again. Claims made before this column existed count from
-- created_at. A release deletes only the claim it made (claimed_at matches), never a successor's.
ALTER TABLE public.idempotency_keys ADD COLUMN IF NOT EXISTS claimed_at timestamptz;
-- Added without a default first, so existing rows keep NULL (a volatile default would stamp them
-- all with now()); new claims default to now().
ALTER TABLE public.idempotency_keys ALTER COLUMN claimed_at SET DEFAULT now();
