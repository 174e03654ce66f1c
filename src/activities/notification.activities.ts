/**
 * Activities of the notification workflows: expand the outbox into deliveries, send one email
 * over SMTP (nodemailer), give a delivery up, gather the daily digests. Thin over the
 * notifications repository.
 *
 * Exactly once: the sender locks the delivery row, sends, and marks it sent in that transaction.
 * A retry (the worker died, the acknowledgement was lost) waits for the lock and finds it sent.
 * The one window left is between the SMTP server's "250 accepted" and the commit a millisecond
 * later: a process killed exactly there sends again on retry, with the same Message-ID
 * (`<delivery id@domain>`), which receivers may use to drop the copy. SMTP offers nothing better.
 */
import { ApplicationFailure, activityInfo, log } from '@temporalio/activity';
import { createTransport, type Transporter } from 'nodemailer';
import type { Config } from '../config';
import type { Db } from '../db/database';
import { composeDigest, composeEmail } from '../domain/notifications';
import * as repo from '../repositories/notifications.repository';

export interface NotificationActivityDeps {
  db: Db;
  config: Config;
  /** A transport of one's own (tests); default: SMTP from config, none without SMTP_HOST. */
  transport?: Transporter | null;
}

/** An SMTP reply that retrying will not change (5xx: unknown mailbox, policy, authentication). */
export const SMTP_REJECTED = 'SmtpRejected';
/** SMTP_HOST is not set. */
export const SMTP_DISABLED = 'SmtpDisabled';

/** The SMTP transport of a config, or null when SMTP_HOST is unset (deliveries disabled). */
export function smtpTransport(config: Config): Transporter | null {
  if (!config.SMTP_HOST) return null;
  return createTransport({
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    secure: config.SMTP_SECURE,
    ...(config.SMTP_USER ? { auth: { user: config.SMTP_USER, pass: config.SMTP_PASS ?? '' } } : {}),
    // Inside one activity attempt (NOTIFY_SEND_TIMEOUT_MS), so a hung server fails the attempt
    // with a clear error before Temporal's timeout does.
    connectionTimeout: Math.min(30_000, Math.floor(config.NOTIFY_SEND_TIMEOUT_MS / 3)),
    greetingTimeout: Math.min(30_000, Math.floor(config.NOTIFY_SEND_TIMEOUT_MS / 3)),
    socketTimeout: Math.floor(config.NOTIFY_SEND_TIMEOUT_MS / 2),
  });
}

const domainOf = (from: string) => /@([^>\s]+)/.exec(from)?.[1] ?? 'mdw.invalid';

function describe(err: unknown): { message: string; permanent: boolean } {
  const e = err as { responseCode?: number; response?: string; code?: string; message?: string };
  const code = typeof e?.responseCode === 'number' ? e.responseCode : null;
  const text = (e?.response ?? e?.message ?? String(err)).replace(/\s+/g, ' ').trim();
  // The server's reply starts with its code ("550 5.1.1 …"); other errors get theirs in front.
  const prefix = code !== null ? (text.startsWith(String(code)) ? 'SMTP ' : `SMTP ${code} `) : e?.code ? `${e.code}: ` : '';
  return { message: `${prefix}${text}`.slice(0, 500), permanent: code !== null && code >= 500 && code < 600 };
}

export function createNotificationActivities({ db, config, transport }: NotificationActivityDeps) {
  const mailer = transport === undefined ? smtpTransport(config) : transport;
  const messageDomain = domainOf(config.SMTP_FROM);

  return {
    /**
     * Expands new outbox events into deliveries (by recipients' preferences), then returns the
     * ids of the deliveries waiting to be sent, oldest first.
     */
    async nextDeliveries(limit: number): Promise<string[]> {
      await repo.fanOutEvents(db, { limit: Math.max(limit, 100), maxAgeMs: config.NOTIFY_MAX_EVENT_AGE_MS });
      return repo.pendingDeliveryIds(db, limit);
    },

    /**
     * Sends one delivery's email, once. A 5xx reply fails for good (SmtpRejected); anything else
     * (server unreachable, 4xx, timeout) is retried by Temporal. Each failed attempt is counted
     * on the row with its error.
     * @returns 'sent', or 'skipped' when it was sent before or no longer exists.
     */
    async sendNotification(id: string): Promise<'sent' | 'skipped'> {
      if (!mailer) throw ApplicationFailure.nonRetryable('Email deliveries are disabled: SMTP_HOST is not set.', SMTP_DISABLED);
      let failure: unknown = null;
      const outcome = await db.transaction().execute(async (trx) => {
        const d = await repo.lockDelivery(trx, id);
        if (!d || d.status !== 'pending' || d.items.length === 0) return 'skipped' as const;
        const mail = d.kind === 'digest' ? composeDigest(d.items, config.APP_PUBLIC_URL) : composeEmail(d.items[0]!, config.APP_PUBLIC_URL);
        const messageId = `<${d.id}@${messageDomain}>`;
        try {
          await mailer.sendMail({ from: config.SMTP_FROM, to: d.recipientEmail, subject: mail.subject, text: mail.text, messageId, headers: { 'X-MDW-Delivery': d.id } });
        } catch (err) {
          failure = err;
          return 'failed' as const;
        }
        await repo.markSent(trx, d.id, messageId, activityInfo().attempt);
        return 'sent' as const;
      });
      if (outcome !== 'failed') return outcome;
      const { message, permanent } = describe(failure);
      await repo.recordAttemptError(db, id, message, activityInfo().attempt);
      // The error, not its text: the worker's logger keeps its class, code and SMTP response code (an SMTP reply may quote the recipient).
      log.warn('notification delivery failed', { deliveryId: id, permanent, error: failure });
      if (permanent) throw ApplicationFailure.nonRetryable(message, SMTP_REJECTED);
      throw ApplicationFailure.retryable(message, 'SmtpUnavailable');
    },

    /** Gives a delivery up after its last attempt: listed in GET /notifications/failures. */
    async recordDeliveryFailure(args: { id: string; error: string }): Promise<void> {
      await repo.markFailed(db, args.id, args.error);
    },

    /** Gathers each person's held items into one digest delivery (the dispatcher sends it). */
    async prepareDigests(args: { key: string }): Promise<number> {
      return repo.prepareDigests(db, args.key);
    },
  };
}

export type NotificationActivities = ReturnType<typeof createNotificationActivities>;
