/**
 * Notifications: the outbox (notification_events), deliveries and preferences (0060). Plain
 * functions whose first argument is the database handle; the caller decides the transaction.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../db/database';
import type { CaseEvent, CaseRiskEvent } from '../workflows/case.events';
import type { PracticeRole } from '../workflows/plan/plan.types';
import { NOTIFICATION_KINDS, atRiskNotification, notificationFor, type NotificationEvent, type NotificationItem, type NotificationKind, type NotificationMode } from '../domain/notifications';

type Handle = Db | Tx;

/**
 * Records one notification in the outbox; safe to call again with the same key (nothing is
 * written twice). Call it in the transaction that persists what happened, e.g. lab-seat's
 * at-risk activity:
 *
 * ```ts
 * await recordNotificationEvent(trx, { key: `${workflowId}/${seq}:at-risk`, kind: 'at_risk', caseId, practiceId,
 *   taskId, taskName, recipients: rolePools(task.requiredRoles), detail: { slackMinutes }, at });
 * ```
 * @returns whether it was recorded now (false: the key was recorded before).
 */
export async function recordNotificationEvent(db: Handle, n: NotificationEvent): Promise<boolean> {
  const r = n.recipients;
  const row = await db
    .insertInto('notification_events')
    .values({
      event_key: n.key,
      kind: n.kind,
      practice_id: n.practiceId,
      case_id: n.caseId,
      task_id: n.taskId ?? null,
      task_name: n.taskName ?? null,
      recipient_ids: sql`${unique(r.profileIds)}::uuid[]`,
      recipient_roles: sql`${unique(r.practiceRoles)}::public.practice_role[]`,
      lab_roles: sql`${unique(r.labRoles)}::public.user_role[]`,
      exclude_profile_id: n.excludeProfileId ?? null,
      detail: JSON.stringify(n.detail ?? {}),
      occurred_at: n.at,
    })
    .onConflict((oc) => oc.column('event_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return !!row;
}

const unique = (xs: readonly string[] | undefined) => [...new Set(xs ?? [])];

/**
 * The notification a case event implies, recorded with it (case-events.repository calls this in
 * the event's transaction). Escalations to the leads of a lab task also reach lab admins: the
 * task's roles come from its awaiting_tasks row.
 */
export async function recordCaseEventNotification(db: Handle, e: CaseEvent): Promise<void> {
  let roles: PracticeRole[] | null = null;
  if (e.message?.metadata?.kind === 'escalation' && e.taskId) {
    const row = await db
      .selectFrom('awaiting_tasks')
      .select('required_roles')
      .where('case_id', '=', e.caseId)
      .where('task_id', '=', e.taskId)
      .limit(1)
      .executeTakeFirst();
    roles = (row?.required_roles as PracticeRole[] | null | undefined) ?? null;
  }
  const n = notificationFor(e, () => roles);
  if (n) await recordNotificationEvent(db, n);
}

/**
 * The at-risk notification of a risk change (case-risk.repository calls this in the risk
 * event's transaction, on its first delivery). The task's name and roles come from its
 * awaiting_tasks row.
 */
export async function recordCaseRiskNotification(db: Handle, e: CaseRiskEvent): Promise<void> {
  if (e.level === 'on_track') return;
  const row = e.taskIds.length
    ? await db.selectFrom('awaiting_tasks').select(['task_name', 'required_roles']).where('case_id', '=', e.caseId).where('task_id', 'in', e.taskIds).orderBy('task_id').limit(1).executeTakeFirst()
    : undefined;
  const n = atRiskNotification(e, row ? { name: row.task_name, roles: (row.required_roles ?? []) as PracticeRole[] } : null);
  if (n) await recordNotificationEvent(db, n);
}

/**
 * Expands up to `limit` outbox events into deliveries, one per recipient (explicit people,
 * practice members with the roles, lab staff with the lab roles; minus the excluded one),
 * by each recipient's preference for the kind: 'on' → pending, 'digest' → digest_pending,
 * 'off' → nothing. Events older than `maxAgeMs` are marked done without deliveries (news that
 * old, e.g. after running without SMTP, would mislead more than help).
 * @returns the number of events handled.
 */
export async function fanOutEvents(db: Handle, opts: { limit: number; maxAgeMs: number }): Promise<number> {
  const r = await sql<{ n: string }>`
    WITH ev AS (
      SELECT * FROM public.notification_events
       WHERE fanned_out_at IS NULL
       ORDER BY created_at, id
       LIMIT ${opts.limit}
       FOR UPDATE SKIP LOCKED
    ), recipient AS (
      SELECT DISTINCT ev.id AS event_id, x.profile_id
        FROM ev
        CROSS JOIN LATERAL (
          SELECT unnest(ev.recipient_ids) AS profile_id
          UNION
          SELECT pm.profile_id FROM public.practice_members pm
           WHERE pm.practice_id = ev.practice_id AND pm.role = ANY (ev.recipient_roles)
          UNION
          SELECT l.profile_id FROM public.lab_staff l JOIN public.profiles p ON p.id = l.profile_id
           WHERE p.role = ANY (ev.lab_roles)
        ) x
       WHERE ev.occurred_at > now() - make_interval(secs => ${opts.maxAgeMs / 1000})
         AND x.profile_id IS DISTINCT FROM ev.exclude_profile_id
    ), chosen AS (
      SELECT ev.*, rc.profile_id, p.email, coalesce(np.mode, 'on') AS mode
        FROM recipient rc
        JOIN ev ON ev.id = rc.event_id
        JOIN public.profiles p ON p.id = rc.profile_id
        LEFT JOIN public.notification_preferences np ON np.profile_id = rc.profile_id AND np.kind = ev.kind
    ), delivered AS (
      INSERT INTO public.notification_deliveries (idempotency_key, event_id, recipient_id, recipient_email, practice_id, case_id, kind, status, created_at)
      SELECT c.id || '/' || c.profile_id, c.id, c.profile_id, c.email, c.practice_id, c.case_id, c.kind,
             CASE c.mode WHEN 'digest' THEN 'digest_pending' ELSE 'pending' END, c.occurred_at
        FROM chosen c
       WHERE c.mode <> 'off'
      ON CONFLICT (idempotency_key) DO NOTHING
    ), done AS (
      UPDATE public.notification_events e SET fanned_out_at = now() FROM ev WHERE e.id = ev.id RETURNING e.id
    )
    SELECT count(*)::text AS n FROM done`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/** Ids of deliveries waiting to be sent, oldest first. */
export async function pendingDeliveryIds(db: Handle, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('notification_deliveries').select('id').where('status', '=', 'pending').orderBy('created_at').orderBy('id').limit(limit).execute();
  return rows.map((r) => r.id);
}

/** A pending delivery, locked for sending: its recipient and what to say. */
export interface DeliveryToSend {
  id: string;
  status: string;
  recipientEmail: string;
  kind: NotificationKind | 'digest';
  /** One item for a notification, all the digest's items for a digest. */
  items: NotificationItem[];
}

/**
 * Locks a delivery (FOR UPDATE: a concurrent attempt waits, then finds it sent) and loads what
 * its email says. null when it does not exist.
 */
export async function lockDelivery(trx: Tx, id: string): Promise<DeliveryToSend | null> {
  const d = await trx
    .selectFrom('notification_deliveries')
    .select(['id', 'status', 'recipient_email', 'kind'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!d) return null;
  const items = await trx
    .selectFrom('notification_deliveries as nd')
    .innerJoin('notification_events as ev', 'ev.id', 'nd.event_id')
    .innerJoin('cases as c', 'c.id', 'ev.case_id')
    .select(['ev.kind', 'ev.case_id', 'c.case_number', 'ev.task_name', 'ev.detail', 'ev.occurred_at'])
    .where(d.kind === 'digest' ? 'nd.digest_id' : 'nd.id', '=', id)
    .orderBy('ev.occurred_at')
    .orderBy('ev.id')
    .execute();
  return {
    id: d.id,
    status: d.status,
    recipientEmail: d.recipient_email,
    kind: d.kind as DeliveryToSend['kind'],
    items: items.map((i) => ({
      kind: i.kind as NotificationKind,
      caseId: i.case_id,
      caseNumber: i.case_number,
      taskName: i.task_name,
      detail: (i.detail ?? {}) as Record<string, unknown>,
      occurredAt: new Date(i.occurred_at).toISOString(),
    })),
  };
}

/**
 * `attempt`: Temporal's attempt number; an attempt that died with its worker recorded nothing,
 * so the count takes the larger of the two.
 */
export async function markSent(db: Handle, id: string, messageId: string, attempt: number): Promise<void> {
  await db
    .updateTable('notification_deliveries')
    .set({ status: 'sent', message_id: messageId, sent_at: sql`now()`, attempts: sql`greatest(attempts + 1, ${attempt}::int)`, last_error: null })
    .where('id', '=', id)
    .execute();
}

/** Counts a failed attempt (the delivery stays pending: Temporal retries it). */
export async function recordAttemptError(db: Handle, id: string, error: string, attempt: number): Promise<void> {
  await db
    .updateTable('notification_deliveries')
    .set({ attempts: sql`greatest(attempts + 1, ${attempt}::int)`, last_error: error.slice(0, 1000) })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .execute();
}

/** Gives a delivery up (rejected, or retries exhausted): visible in GET /notifications/failures. */
export async function markFailed(db: Handle, id: string, error: string): Promise<void> {
  await db
    .updateTable('notification_deliveries')
    .set({ status: 'failed', failed_at: sql`now()`, last_error: error.slice(0, 1000) })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .execute();
}

/**
 * Gathers every recipient's held items (digest_pending) into one pending digest delivery each,
 * keyed by the run (`digest/<runKey>/<profile>`), so a retried run creates nothing twice and an
 * item is in exactly one digest. The dispatcher sends them like any pending delivery.
 * @returns the number of digests created.
 */
export async function prepareDigests(db: Handle, runKey: string): Promise<number> {
  const r = await sql<{ n: string }>`
    WITH held AS (
      SELECT id, recipient_id, recipient_email, created_at FROM public.notification_deliveries
       WHERE status = 'digest_pending' AND digest_id IS NULL
       FOR UPDATE SKIP LOCKED
    ), per AS (
      SELECT DISTINCT ON (recipient_id) recipient_id, recipient_email FROM held ORDER BY recipient_id, created_at DESC
    ), digest AS (
      INSERT INTO public.notification_deliveries (idempotency_key, recipient_id, recipient_email, kind, status)
      SELECT 'digest/' || ${runKey}::text || '/' || per.recipient_id, per.recipient_id, per.recipient_email, 'digest', 'pending' FROM per
      -- A retried run after its commit: that person's digest exists (and may be sent); what
      -- arrived since stays held for the next run.
      ON CONFLICT (idempotency_key) DO NOTHING
      RETURNING id, recipient_id
    ), linked AS (
      UPDATE public.notification_deliveries d SET digest_id = digest.id, status = 'digested'
        FROM held JOIN digest ON digest.recipient_id = held.recipient_id
       WHERE d.id = held.id
      RETURNING d.id
    )
    SELECT count(*)::text AS n FROM digest`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/** A person's preferences, every kind (default 'on'). */
export async function getPreferences(db: Handle, profileId: string): Promise<Record<NotificationKind, NotificationMode>> {
  const rows = await db.selectFrom('notification_preferences').select(['kind', 'mode']).where('profile_id', '=', profileId).execute();
  const prefs = Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, 'on'])) as Record<NotificationKind, NotificationMode>;
  for (const r of rows) if ((NOTIFICATION_KINDS as readonly string[]).includes(r.kind)) prefs[r.kind as NotificationKind] = r.mode as NotificationMode;
  return prefs;
}

/** Sets the given kinds' modes (others unchanged). */
export async function setPreferences(db: Handle, profileId: string, prefs: Partial<Record<NotificationKind, NotificationMode>>): Promise<void> {
  const rows = Object.entries(prefs).flatMap(([kind, mode]) => (mode ? [{ profile_id: profileId, kind, mode }] : []));
  if (!rows.length) return;
  await db
    .insertInto('notification_preferences')
    .values(rows)
    .onConflict((oc) => oc.columns(['profile_id', 'kind']).doUpdateSet({ mode: (eb) => eb.ref('excluded.mode'), updated_at: sql`now()` }))
    .execute();
}

export interface FailedDelivery {
  id: string;
  kind: string;
  practiceId: string | null;
  caseId: string | null;
  recipientId: string;
  recipientEmail: string;
  attempts: number;
  error: string | null;
  failedAt: string;
  /** failed_at as PostgreSQL prints it (microseconds), for a page cursor. */
  failedAtText: string;
}

/** Failed deliveries the caller may see (RLS), newest first; keyset by (failed_at, id). */
export async function listFailures(db: Handle, opts: { limit: number; practiceId?: string; before?: { at: string; id: string } | null }): Promise<FailedDelivery[]> {
  let q = db
    .selectFrom('notification_deliveries')
    .select(['id', 'kind', 'practice_id', 'case_id', 'recipient_id', 'recipient_email', 'attempts', 'last_error', 'failed_at', sql<string>`failed_at::text`.as('failed_at_text')])
    .where('status', '=', 'failed')
    .orderBy('failed_at', 'desc')
    .orderBy('id', 'desc')
    .limit(opts.limit);
  if (opts.practiceId) q = q.where('practice_id', '=', opts.practiceId);
  if (opts.before) {
    const b = opts.before;
    q = q.where((eb) => eb.or([eb('failed_at', '<', b.at as never), eb.and([eb('failed_at', '=', b.at as never), eb('id', '<', b.id)])]));
  }
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    practiceId: r.practice_id,
    caseId: r.case_id,
    recipientId: r.recipient_id,
    recipientEmail: r.recipient_email,
    attempts: r.attempts,
    error: r.last_error,
    failedAt: new Date(r.failed_at!).toISOString(),
    failedAtText: r.failed_at_text,
  }));
}
