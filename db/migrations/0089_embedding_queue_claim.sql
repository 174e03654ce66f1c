-- Claims on the embedding queue (issue 10 §2). Every worker process runs the embedding pipeline;
-- each read the oldest queued texts with no lock, so with N workers every batch was embedded N
-- times (the most expensive step). A pipeline step now claims its batch: it sets a lease
-- (claimed_by, claimed_until) on the oldest entries whose lease is null or expired, picked
-- FOR UPDATE SKIP LOCKED, so another worker takes the next entries instead. A crashed worker's
-- lease expires and its entries are taken again (nothing lost); a finished step releases what it
-- could not dequeue (a text edited meanwhile) at once. The backlog still counts claimed entries.
--
-- Nullable columns with no default: adding them rewrites nothing, and the enqueue triggers
-- (0030, 0061) and the bulk load's set-based enqueue (src/migration/bulk-insert.ts), which name
-- their columns, are unchanged. Idempotent.

ALTER TABLE public.embedding_queue
  ADD COLUMN IF NOT EXISTS claimed_by text,
  ADD COLUMN IF NOT EXISTS claimed_until timestamptz;
