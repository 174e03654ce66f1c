/** Case messages: post, list, mark read (read_by: { profileId: timestamp }). Under RLS. */
import { sql } from 'kysely';
import type { Tx } from '../../db/database';
import { ApiError } from '../errors';
import { ctx } from '../context';
import { decodeCursor, encodeCursor, isoReq, page, ZIdParams, ZPageQuery, ZTimestamp, ZUuid, ZName, ZText, trimBlank } from '../common';
import { route, type RouteKit } from '../route';
import type { ApiServices } from '../types';
import { z } from '../zod';
import { loadCase } from './cases.routes';
import { myPracticeRole } from '../common';
import { toProposal, ZIntentResult, ZProposal } from './intent.routes';
import { recordPhiAccess } from '../../repositories/phi-access.repository';

export const ZMessage = z
  .object({
    id: ZUuid,
    caseId: ZUuid,
    senderId: ZUuid,
    senderName: z.string().nullable(),
    messageType: z.enum(['general', 'status_update', 'question', 'instruction', 'approval_request', 'system_notification']),
    subject: z.string().nullable(),
    content: z.string(),
    attachments: z.array(z.unknown()),
    readBy: z.record(z.string(), z.string()),
    readByMe: z.boolean(),
    createdAt: ZTimestamp,
  })
  .openapi('Message');
export type TMessage = z.infer<typeof ZMessage>;

export const ZPostMessageBody = z
  .object({
    content: ZName(20_000),
    subject: ZText({ max: 300 }).overwrite(trimBlank).optional(),
    messageType: z.enum(['general', 'question', 'instruction', 'approval_request']).optional(),
  })
  .openapi('PostMessageBody');
export type TPostMessageBody = z.infer<typeof ZPostMessageBody>;

export const ZPostedMessage = ZMessage.extend({
  intent: ZIntentResult.nullable().openapi({ description: 'What the message implies; null when classification failed or took too long (the message stands).' }),
  proposal: ZProposal.nullable().openapi({ description: 'The workflow change the message proposes, when its case can do it now.' }),
}).openapi('PostedMessage');

const ZMessageParams = z.object({ id: ZUuid, messageId: ZUuid });

function messageQuery(trx: Tx) {
  return trx
    .selectFrom('case_messages as m')
    .leftJoin('profiles as p', 'p.id', 'm.sender_id')
    .select(['m.id', 'm.case_id', 'm.sender_id', 'p.full_name', 'm.message_type', 'm.subject', 'm.content', 'm.attachments', 'm.read_by', 'm.created_at', sql<string>`m.created_at::text`.as('created_at_text')]);
}
type MessageRow = Awaited<ReturnType<ReturnType<typeof messageQuery>['executeTakeFirstOrThrow']>>;

const toMessage = (r: MessageRow, me: string): TMessage => {
  const readBy = (r.read_by as Record<string, string> | null) ?? {};
  return {
    id: r.id,
    caseId: r.case_id,
    senderId: r.sender_id,
    senderName: r.full_name,
    messageType: r.message_type,
    subject: r.subject,
    content: r.content,
    attachments: Array.isArray(r.attachments) ? r.attachments : [],
    readBy,
    readByMe: me in readBy || r.sender_id === me,
    createdAt: isoReq(r.created_at),
  };
};

export function messageRoutes(kit: RouteKit, s: ApiServices): void {
  route(kit, {
    method: 'post',
    path: '/cases/:id/messages',
    tags: ['messages'],
    summary: 'Post a message on a case',
    params: ZIdParams,
    body: ZPostMessageBody,
    status: 201,
    response: ZPostedMessage,
    idempotent: true,
    handler: async ({ params, body }) => {
      const posted = await ctx().db(async (trx) => {
        const c = await loadCase(trx, params.id);
        const me = ctx().actor!.profileId;
        const row = await trx
          .insertInto('case_messages')
          .values({ case_id: c.id, practice_id: c.practice_id, sender_id: me, content: body.content, subject: body.subject ?? null, message_type: body.messageType ?? 'general' })
          .returning('id')
          .executeTakeFirstOrThrow();
        const role = await myPracticeRole(trx, c.practice_id);
        return { c, role, message: toMessage(await messageQuery(trx).where('m.id', '=', row.id).executeTakeFirstOrThrow(), me) };
      });
      // After the commit, and never failing the post (src/services/intent.service.ts).
      const { intent, proposal } = await s.intent.onMessagePosted({
        messageId: posted.message.id,
        caseId: posted.c.id,
        practiceId: posted.c.practice_id,
        workflowId: posted.c.workflow_id,
        content: body.content,
        // Internal admins who are not members have no practice role: nothing auto-applies for them.
        sender: posted.role ? { profileId: posted.message.senderId, practiceRole: posted.role } : null,
      });
      return { ...posted.message, intent, proposal: proposal ? toProposal(proposal) : null };
    },
  });

  route(kit, {
    method: 'get',
    path: '/cases/:id/messages',
    tags: ['messages'],
    summary: "A case's messages, newest first",
    params: ZIdParams,
    query: ZPageQuery.extend({ unread: z.enum(['true', 'false']).optional() }),
    response: page(ZMessage, 'MessagePage'),
    handler: ({ params, query }) =>
      ctx().db(async (trx) => {
        const kase = await loadCase(trx, params.id);
        await recordPhiAccess(trx, [kase.patient_id], { route: 'GET /cases/{id}/messages', resource: 'messages', resourceId: kase.id });
        const me = ctx().actor!.profileId;
        const cursor = decodeCursor(query.cursor);
        let qb = messageQuery(trx).where('m.case_id', '=', params.id).orderBy('m.created_at', 'desc').orderBy('m.id', 'desc').limit(query.limit + 1);
        if (cursor) qb = qb.where(sql<boolean>`(m.created_at, m.id) < (${cursor.createdAt}::timestamptz, ${cursor.id}::uuid)`);
        if (query.unread === 'true') qb = qb.where(sql<boolean>`not (m.read_by ? ${me})`).where('m.sender_id', '<>', me);
        const rows = await qb.execute();
        const items = rows.slice(0, query.limit);
        const last = items.at(-1);
        return { items: items.map((r) => toMessage(r, me)), nextCursor: rows.length > query.limit && last ? encodeCursor(last.created_at_text, last.id) : null };
      }),
  });

  route(kit, {
    method: 'post',
    path: '/cases/:id/messages/:messageId/read',
    tags: ['messages'],
    summary: 'Mark a message read by the caller',
    params: ZMessageParams,
    // Lab support reads across practices but marks nothing (the row-level policy answers 403).
    errors: [403],
    response: ZMessage,
    handler: ({ params }) =>
      ctx().db(async (trx) => {
        await loadCase(trx, params.id);
        const me = ctx().actor!.profileId;
        const updated = await trx
          .updateTable('case_messages')
          .set({ read_by: sql`case when read_by ? ${me} then read_by else read_by || jsonb_build_object(${me}::text, to_json(now())) end` })
          .where('id', '=', params.messageId)
          .where('case_id', '=', params.id)
          .returning('id')
          .executeTakeFirst();
        if (!updated) throw ApiError.notFound('Message');
        return toMessage(await messageQuery(trx).where('m.id', '=', params.messageId).executeTakeFirstOrThrow(), me);
      }),
  });
}
