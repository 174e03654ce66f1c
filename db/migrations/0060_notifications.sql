-- Email notifications (issue 11, section 4): an outbox, per-recipient deliveries, preferences.
--
-- notification_events is the outbox. The places that already persist what happened (the case
-- event activity: approval requests, overdue, escalations, holds; lab-seat's at-risk activity)
-- insert one row in the same transaction, keyed by the source event's idempotency key, so a
-- retried activity records nothing twice and a rolled-back event records nothing at all.
-- Recipients are kept as they were asked for (explicit profiles, practice role pools, lab role
-- pools); the delivery workflow expands them later, off the case's hot path.
--
-- notification_deliveries holds one row per event and recipient (idempotency_key
-- '<event id>/<profile id>'), or per daily digest ('digest/<run>/<profile id>'). The sender
-- locks the row, sends, and marks it sent in one transaction: a retry finds it sent and sends
-- nothing. Failed deliveries stay visible to the practice's owners/admins and internal (lab)
-- admins (GET /notifications/failures).
--
-- notification_preferences: per profile and kind 'on' (email at once), 'off', 'digest' (in the
-- daily digest). No row means 'on'.
--
-- No PHI: events and deliveries carry ids, the case number, the template's task name and codes;
-- never a patient's name or the case's free text.

CREATE TABLE IF NOT EXISTS public.notification_events (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_key           text NOT NULL UNIQUE,
  kind                text NOT NULL CHECK (kind IN ('approval_request', 'at_risk', 'overdue', 'escalation', 'on_hold')),
  practice_id         uuid NOT NULL REFERENCES public.practices (id) ON DELETE CASCADE,
  case_id             uuid NOT NULL REFERENCES public.cases (id) ON DELETE CASCADE,
  task_id             text,
  task_name           text,
  recipient_ids       uuid[] NOT NULL DEFAULT '{}',
  recipient_roles     public.practice_role[] NOT NULL DEFAULT '{}',
  lab_roles           public.user_role[] NOT NULL DEFAULT '{}',
  -- Who caused it (a hold by a doctor): not told about their own action.
  exclude_profile_id  uuid,
  -- Short machine-made detail (an escalation level), never free text.
  detail              jsonb NOT NULL DEFAULT '{}',
  occurred_at         timestamptz NOT NULL,
  fanned_out_at       timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now()
);
-- The delivery workflow's scan: events not yet expanded into deliveries, oldest first.
CREATE INDEX IF NOT EXISTS idx_notification_events_pending ON public.notification_events (created_at, id) WHERE fanned_out_at IS NULL;
CREATE INDEX IF NOT EXISTS idx_notification_events_case ON public.notification_events (case_id);

CREATE TABLE IF NOT EXISTS public.notification_deliveries (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  idempotency_key  text NOT NULL UNIQUE,
  event_id         uuid REFERENCES public.notification_events (id) ON DELETE CASCADE,
  recipient_id     uuid NOT NULL REFERENCES public.profiles (id) ON DELETE CASCADE,
  -- The address used (staff contact data, not PHI): failures stay readable after a change.
  recipient_email  text NOT NULL,
  practice_id      uuid REFERENCES public.practices (id) ON DELETE CASCADE,
  case_id          uuid REFERENCES public.cases (id) ON DELETE CASCADE,
  kind             text NOT NULL CHECK (kind IN ('approval_request', 'at_risk', 'overdue', 'escalation', 'on_hold', 'digest')),
  status           text NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'digest_pending', 'digested')),
  attempts         integer NOT NULL DEFAULT 0,
  last_error       text,
  message_id       text,
  digest_id        uuid REFERENCES public.notification_deliveries (id) ON DELETE SET NULL,
  sent_at          timestamptz,
  failed_at        timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_notification_deliveries_pending ON public.notification_deliveries (created_at, id) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS idx_notification_deliveries_digest ON public.notification_deliveries (recipient_id, created_at) WHERE status = 'digest_pending';
CREATE INDEX IF NOT EXISTS idx_notification_deliveries_failed ON public.notification_deliveries (practice_id, failed_at DESC, id) WHERE status = 'failed';
CREATE INDEX IF NOT EXISTS idx_notification_deliveries_event ON public.notification_deliveries (event_id);
CREATE INDEX IF NOT EXISTS idx_notification_deliveries_case ON public.notification_deliveries (case_id);
CREATE INDEX IF NOT EXISTS idx_notification_deliveries_recipient ON public.notification_deliveries (recipient_id);
CREATE INDEX IF NOT EXISTS idx_notification_deliveries_digest_id ON public.notification_deliveries (digest_id);

CREATE TABLE IF NOT EXISTS public.notification_preferences (
  profile_id  uuid NOT NULL REFERENCES public.profiles (id) ON DELETE CASCADE,
  kind        text NOT NULL CHECK (kind IN ('approval_request', 'at_risk', 'overdue', 'escalation', 'on_hold')),
  mode        text NOT NULL CHECK (mode IN ('on', 'off', 'digest')),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (profile_id, kind)
);

-- The outbox is the backend's alone: RLS forced, no policy, no grants.
ALTER TABLE public.notification_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.notification_events FORCE ROW LEVEL SECURITY;
REVOKE ALL ON public.notification_events FROM PUBLIC, anon, authenticated;

-- Deliveries: written by the backend only; read by the practice's owners/admins (their
-- practice's rows) and internal (lab) admins (all rows, digests included).
ALTER TABLE public.notification_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.notification_deliveries FORCE ROW LEVEL SECURITY;
REVOKE ALL ON public.notification_deliveries FROM PUBLIC, anon, authenticated;
GRANT SELECT ON public.notification_deliveries TO authenticated;
DROP POLICY IF EXISTS notification_deliveries_select ON public.notification_deliveries;
CREATE POLICY notification_deliveries_select ON public.notification_deliveries FOR SELECT TO authenticated
  USING (practice_id IN (SELECT public.user_managed_practice_ids()) OR (SELECT public.is_internal_admin()));

-- Preferences: each person reads and writes their own.
ALTER TABLE public.notification_preferences ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.notification_preferences FORCE ROW LEVEL SECURITY;
REVOKE ALL ON public.notification_preferences FROM PUBLIC, anon;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.notification_preferences TO authenticated;
DROP POLICY IF EXISTS notification_preferences_own ON public.notification_preferences;
CREATE POLICY notification_preferences_own ON public.notification_preferences FOR ALL TO authenticated
  USING (profile_id = (SELECT auth.uid())) WITH CHECK (profile_id = (SELECT auth.uid()));
