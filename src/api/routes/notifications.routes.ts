/**
 * Notifications (issue 11 §4): a person's preferences per kind (on, off, digest) and, for the
 * practice's owners/admins and lab admins, the deliveries that failed. Under RLS as the caller.
 */
import { sql } from 'kysely';
import type { Tx } from '../../db/database';
import { NOTIFICATION_KINDS, NOTIFICATION_MODES, type NotificationKind, type NotificationMode } from '../../domain/notifications';
import { getPreferences, listFailures, setPreferences } from '../../repositories/notifications.repository';
import { ApiError } from '../errors';
import { ctx } from '../context';
import { decodeCursor, encodeCursor, ZPageQuery, ZTimestamp, ZUuid } from '../common';
import { route, type RouteKit } from '../route';
import type { ApiServices } from '../types';
import { z } from '../zod';

const ZMode = z.enum(NOTIFICATION_MODES).openapi({ description: 'on: email at once; off: none; digest: in the daily digest' });
const kindShape = Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, ZMode])) as Record<NotificationKind, typeof ZMode>;

const ZPreferences = z.object(kindShape).openapi('NotificationPreferences', { description: 'Per kind of notification: on, off or digest (default on).' });

/** Any subset of the kinds; an unknown kind is refused naming it. */
const ZPreferencesUpdate = z
  .object(Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, ZMode.optional()])) as Record<NotificationKind, z.ZodOptional<typeof ZMode>>)
  .strict()
  .openapi('NotificationPreferencesUpdate', { description: `Kinds to change (${NOTIFICATION_KINDS.join(', ')}); the others stay as they are.` });

const ZFailure = z
  .object({
    id: ZUuid,
    kind: z.enum([...NOTIFICATION_KINDS, 'digest']),
    practiceId: ZUuid.nullable(),
    caseId: ZUuid.nullable(),
    recipientId: ZUuid,
    recipientEmail: z.string(),
    attempts: z.number().int(),
    error: z.string().nullable().openapi({ description: "The mail server's last answer, e.g. `SMTP 550: mailbox unavailable`" }),
    failedAt: ZTimestamp,
  })
  .openapi('NotificationFailure');

async function isInternalAdmin(trx: Tx): Promise<boolean> {
  const r = await sql<{ admin: boolean }>`SELECT public.is_internal_admin() AS admin`.execute(trx);
  return !!r.rows[0]?.admin;
}

async function managesAnyPractice(trx: Tx): Promise<boolean> {
  const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM public.user_managed_practice_ids()`.execute(trx);
  return (r.rows[0]?.n ?? 0) > 0;
}

export function notificationRoutes(kit: RouteKit, _s: ApiServices): void {
  route(kit, {
    method: 'get',
    path: '/profiles/me/notification-preferences',
    tags: ['notifications', 'profiles'],
    summary: "The caller's email notification preferences",
    response: ZPreferences,
    handler: () => ctx().db((trx) => getPreferences(trx, ctx().actor!.profileId)),
  });

  route(kit, {
    method: 'put',
    path: '/profiles/me/notification-preferences',
    tags: ['notifications', 'profiles'],
    summary: "Set the caller's email notification preferences (any subset of kinds)",
    description: 'Approval requests, at-risk and overdue cases, escalations and holds each go out at once (on), not at all (off) or in the daily digest (digest).',
    body: ZPreferencesUpdate,
    response: ZPreferences,
    handler: ({ body }) =>
      ctx().db(async (trx) => {
        const me = ctx().actor!.profileId;
        await setPreferences(trx, me, body as Partial<Record<NotificationKind, NotificationMode>>);
        return getPreferences(trx, me);
      }),
  });

  route(kit, {
    method: 'get',
    path: '/notifications/failures',
    tags: ['notifications'],
    summary: 'Email deliveries that failed (practice owners/admins: their practices; lab admins: all)',
    description: 'A delivery fails when the mail server rejects it (5xx) or every attempt failed (NOTIFY_MAX_ATTEMPTS). Newest first.',
    query: ZPageQuery.extend({ practiceId: ZUuid.optional() }),
    response: z.object({ items: z.array(ZFailure), nextCursor: z.string().nullable() }).openapi('NotificationFailurePage'),
    errors: [403],
    handler: ({ query }) =>
      ctx().db(async (trx) => {
        if (!(await managesAnyPractice(trx)) && !(await isInternalAdmin(trx))) {
          throw ApiError.forbidden('Only practice owners and admins, and lab admins, see failed notifications.');
        }
        const before = decodeCursor(query.cursor);
        const rows = await listFailures(trx, { limit: query.limit + 1, practiceId: query.practiceId, before: before && { at: before.createdAt, id: before.id } });
        const items = rows.slice(0, query.limit);
        const last = items.at(-1);
        return {
          items: items.map(({ failedAtText: _t, ...f }) => ({ ...f, kind: f.kind as z.infer<typeof ZFailure>['kind'] })),
          nextCursor: rows.length > query.limit && last ? encodeCursor(last.failedAtText, last.id) : null,
        };
      }),
  });
}
