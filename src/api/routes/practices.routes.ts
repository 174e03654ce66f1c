/**
 * Practices and their members. Reading: members. Changing the practice and its membership: the
 * practice's owner/admin (RLS enforces it; the app checks first to answer 403 rather than 0 rows).
 * People join by invitation: a manager invites an email, the person it belongs to accepts
 * (db/migrations/0018). No answer tells the inviter whether, or whom, the email belongs to.
 * Practices are created by lab administrators (internal admins), with their first owner.
 */
import { sql } from 'kysely';
import type { Tx } from '../../db/database';
import { createProfile } from '../../repositories/identity.repository';
import { getPractice, invitationQuery, listMembers, listOpenInvitations, listPractices, memberQuery, type InvitationRow, type MemberRow, type PracticeRow } from '../../repositories/practices.repository';
import { ApiError } from '../errors';
import { ctx } from '../context';
import { decodeCursor, encodeCursor, isoReq, page, requireManager, requireMember, ZIdParams, ZJsonObject, ZPageQuery, ZPracticeRole, ZTimestamp, ZUuid, ZName, ZText, ZEmail } from '../common';
import { route, type RouteKit } from '../route';
import type { ApiServices } from '../types';
import { z } from '../zod';
import { PROPOSABLE_INTENTS } from '../../ai/intent/vocabulary';

export const ZPractice = z
  .object({
    id: ZUuid,
    name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    licenseNumber: z.string().nullable(),
    address: z.unknown().nullable(),
    settings: ZJsonObject,
    myRole: ZPracticeRole.nullable(),
    createdAt: ZTimestamp,
    updatedAt: ZTimestamp,
  })
  .openapi('Practice');
export type TPractice = z.infer<typeof ZPractice>;

/** Auto-apply of message intents (issue 10 §4): off unless a practice names intents and a threshold. */
const ZAutoApply = z
  .object({
    intents: z.array(z.enum(PROPOSABLE_INTENTS)).min(1, 'must name at least one intent'),
    minConfidence: z.number().gt(0).lte(1),
  })
  .strict()
  .openapi({ description: "Message intents applied without a person's confirmation (audited like a confirmation), at or above minConfidence. Absent: off." });

/**
 * A practice's settings: free JSON, except `ai.autoApply`, which is checked. It was stored as
 * sent and read leniently (malformed means off), so `minConfidence: "high"` answered 200 and the
 * practice believed itself opted in while nothing was ever applied.
 */
const ZPracticeSettings = z
  .object({ ai: z.object({ autoApply: ZAutoApply.optional() }).catchall(z.unknown()).optional() })
  .catchall(z.unknown());

export const ZUpdatePracticeBody = z
  .object({
    name: ZName(200).optional(),
    email: ZEmail.nullable().optional(),
    phone: ZText({ max: 50 }).nullable().optional(),
    licenseNumber: ZText({ max: 100 }).nullable().optional(),
    address: ZJsonObject.nullable().optional(),
    settings: ZPracticeSettings.optional(),
  })
  .openapi('UpdatePracticeBody');
export type TUpdatePracticeBody = z.infer<typeof ZUpdatePracticeBody>;

export const ZCreatePracticeBody = z
  .object({
    name: ZName(200),
    email: ZEmail.nullable().optional(),
    phone: ZText({ max: 50 }).nullable().optional(),
    licenseNumber: ZText({ max: 100 }).nullable().optional(),
    address: ZJsonObject.nullable().optional(),
    settings: ZPracticeSettings.optional(),
    owner: z
      .object({
        email: ZEmail,
        firstName: ZName(100).optional().openapi({ description: 'Required when the person has no profile yet.' }),
        lastName: ZName(100).optional(),
      })
      .openapi({ description: 'The first owner; invited like a member.' }),
  })
  .openapi('CreatePracticeBody');
export type TCreatePracticeBody = z.infer<typeof ZCreatePracticeBody>;

export const ZMember = z
  .object({
    id: ZUuid,
    practiceId: ZUuid,
    profileId: ZUuid,
    role: ZPracticeRole,
    practitionerId: ZUuid.nullable(),
    email: z.string().nullable(),
    fullName: z.string().nullable(),
    joinedAt: ZTimestamp,
  })
  .openapi('Member');
export type TMember = z.infer<typeof ZMember>;

export const ZInviteMemberBody = z
  .object({
    email: ZEmail,
    role: ZPracticeRole,
    firstName: ZName(100).openapi({ description: 'The name a person new to MDW is given; a person who already has a profile keeps theirs (and it is never shown to the inviter).' }),
    lastName: ZName(100),
  })
  .openapi('InviteMemberBody');
export type TInviteMemberBody = z.infer<typeof ZInviteMemberBody>;

export const ZInvitation = z
  .object({
    id: ZUuid,
    practiceId: ZUuid,
    email: z.string(),
    role: ZPracticeRole,
    status: z.enum(['pending', 'accepted', 'revoked', 'expired']),
    createdAt: ZTimestamp,
    expiresAt: ZTimestamp,
  })
  .openapi('Invitation');
export type TInvitation = z.infer<typeof ZInvitation>;

export const ZMyInvitation = z
  .object({ id: ZUuid, practiceId: ZUuid, practiceName: z.string(), role: ZPracticeRole, createdAt: ZTimestamp, expiresAt: ZTimestamp })
  .openapi('MyInvitation');
export type TMyInvitation = z.infer<typeof ZMyInvitation>;
const ZInvitationParams = z.object({ id: ZUuid, invitationId: ZUuid });
export const ZUpdateMemberBody = z.object({ role: ZPracticeRole }).openapi('UpdateMemberBody');
export type TUpdateMemberBody = z.infer<typeof ZUpdateMemberBody>;
const ZMemberParams = z.object({ id: ZUuid, memberId: ZUuid });

const toPractice = (r: PracticeRow): TPractice => ({
  id: r.id,
  name: r.name,
  email: r.email,
  phone: r.phone,
  licenseNumber: r.license_number,
  address: r.address ?? null,
  settings: (r.settings as Record<string, unknown>) ?? {},
  myRole: r.my_role ?? null,
  createdAt: isoReq(r.created_at),
  updatedAt: isoReq(r.updated_at),
});

async function loadPractice(trx: Tx, id: string): Promise<TPractice> {
  const r = await getPractice(trx, ctx().actor!.profileId, id);
  if (!r) throw ApiError.notFound('Practice');
  return toPractice(r);
}

const toMember = (r: MemberRow): TMember => ({
  id: r.id,
  practiceId: r.practice_id,
  profileId: r.profile_id,
  role: r.role,
  practitionerId: r.practitioner_id,
  email: r.email,
  fullName: r.full_name,
  joinedAt: isoReq(r.joined_at),
});

async function loadMember(trx: Tx, practiceId: string, memberId: string): Promise<MemberRow> {
  const r = await memberQuery(trx).where('m.id', '=', memberId).where('m.practice_id', '=', practiceId).executeTakeFirst();
  if (!r) throw ApiError.notFound('Member');
  return r;
}

/** A practice keeps at least one owner. */
async function assertNotLastOwner(trx: Tx, member: MemberRow): Promise<void> {
  if (member.role !== 'owner') return;
  const n = await trx
    .selectFrom('practice_members')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('practice_id', '=', member.practice_id)
    .where('role', '=', 'owner')
    .executeTakeFirstOrThrow();
  if (n.n <= 1) throw new ApiError(409, 'last_owner', 'A practice must keep at least one owner.');
}

/**
 * The profile of the person with this email, created when there is none. Who has an email is not
 * visible under RLS (other practices' people), so this uses the system handle: callers check
 * first that the actor may invite, and answer nothing about the person (an invitation's answer
 * is the same whether the profile existed or was just created).
 */
async function profileForEmail(s: ApiServices, person: { email: string; firstName?: string; lastName?: string }, field: string): Promise<string> {
  const existing = await s.database.system
    .selectFrom('profiles')
    .select('id')
    .where(sql`lower(email)`, '=', person.email.toLowerCase())
    .executeTakeFirst();
  if (existing) return existing.id;
  if (!person.firstName || !person.lastName) {
    throw new ApiError(400, 'validation_failed', `This person has no profile yet: ${field}firstName and ${field}lastName are required.`, [
      { field: `${field}firstName`, message: 'required for a new person' },
      { field: `${field}lastName`, message: 'required for a new person' },
    ]);
  }
  return s.database.system.transaction().execute((trx) => createProfile(trx, { email: person.email, firstName: person.firstName!, lastName: person.lastName!, role: 'technician' }));
}

const toInvitation = (r: InvitationRow): TInvitation => ({
  id: r.id,
  practiceId: r.practice_id,
  email: r.email,
  role: r.role,
  status: r.accepted_at ? 'accepted' : r.revoked_at ? 'revoked' : new Date(r.expires_at) <= new Date() ? 'expired' : 'pending',
  createdAt: isoReq(r.created_at),
  expiresAt: isoReq(r.expires_at),
});

export function practiceRoutes(kit: RouteKit, s: ApiServices): void {
  route(kit, {
    method: 'post',
    path: '/practices',
    tags: ['practices'],
    summary: 'Onboard a practice with its first owner (lab administrators)',
    description: 'Only internal administrators (profiles.role = admin) create practices; RLS enforces it. Send Idempotency-Key to make retries safe.',
    body: ZCreatePracticeBody,
    status: 201,
    response: ZPractice,
    errors: [403],
    idempotent: true,
    handler: async ({ body }) => {
      const c = ctx();
      const admin = await c.db(async (trx) => (await sql<{ admin: boolean }>`select public.is_internal_admin() as admin`.execute(trx)).rows[0]?.admin === true);
      if (!admin) throw ApiError.forbidden('Only lab administrators create practices.');
      const ownerId = await profileForEmail(s, body.owner, 'owner.');
      return c.db(async (trx) => {
        const practice = await trx
          .insertInto('practices')
          .values({
            name: body.name,
            email: body.email ?? null,
            phone: body.phone ?? null,
            license_number: body.licenseNumber ?? null,
            address: body.address ? JSON.stringify(body.address) : null,
            settings: JSON.stringify(body.settings ?? {}),
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        c.practiceId = practice.id;
        await trx.insertInto('practice_members').values({ practice_id: practice.id, profile_id: ownerId, role: 'owner' }).execute();
        return loadPractice(trx, practice.id);
      });
    },
  });

  route(kit, {
    method: 'get',
    path: '/practices',
    tags: ['practices'],
    summary: 'Practices the caller sees (newest first, keyset-paginated)',
    description:
      "A member sees the practices they belong to; lab staff every client practice (its name and contact). Pages of `limit` (default 25, at most 100), newest first; follow `nextCursor` (null on the last page) to see them all.",
    query: ZPageQuery,
    response: page(ZPractice, 'PracticePage'),
    handler: ({ query }) =>
      ctx().db(async (trx) => {
        const { items, more } = await listPractices(trx, ctx().actor!.profileId, { limit: query.limit, after: decodeCursor(query.cursor) });
        const last = items.at(-1);
        return { items: items.map(toPractice), nextCursor: more && last ? encodeCursor(last.created_at_text, last.id) : null };
      }),
  });

  route(kit, {
    method: 'get',
    path: '/practices/:id',
    tags: ['practices'],
    summary: 'One practice',
    params: ZIdParams,
    response: ZPractice,
    handler: ({ params }) =>
      ctx().db(async (trx) => {
        const practice = await loadPractice(trx, params.id);
        ctx().practiceId = practice.id;
        return practice;
      }),
  });

  route(kit, {
    method: 'patch',
    path: '/practices/:id',
    tags: ['practices'],
    summary: 'Update a practice (owner/admin)',
    params: ZIdParams,
    body: ZUpdatePracticeBody,
    response: ZPractice,
    errors: [403],
    handler: ({ params, body }) =>
      ctx().db(async (trx) => {
        await requireManager(trx, params.id);
        const set = {
          ...(body.name !== undefined && { name: body.name }),
          ...(body.email !== undefined && { email: body.email }),
          ...(body.phone !== undefined && { phone: body.phone }),
          ...(body.licenseNumber !== undefined && { license_number: body.licenseNumber }),
          ...(body.address !== undefined && { address: body.address === null ? null : JSON.stringify(body.address) }),
          ...(body.settings !== undefined && { settings: JSON.stringify(body.settings) }),
        };
        if (Object.keys(set).length) await trx.updateTable('practices').set(set).where('id', '=', params.id).execute();
        return loadPractice(trx, params.id);
      }),
  });

  route(kit, {
    method: 'get',
    path: '/practices/:id/members',
    tags: ['practices'],
    summary: 'Members of a practice (in the order they joined, keyset-paginated)',
    description: 'Pages of `limit` (default 25, at most 100), the first to join first; follow `nextCursor` (null on the last page) to see them all.',
    params: ZIdParams,
    query: ZPageQuery,
    response: page(ZMember, 'MemberPage'),
    handler: ({ params, query }) =>
      ctx().db(async (trx) => {
        await requireMember(trx, params.id);
        const { items, more } = await listMembers(trx, params.id, { limit: query.limit, after: decodeCursor(query.cursor) });
        const last = items.at(-1);
        return { items: items.map(toMember), nextCursor: more && last ? encodeCursor(last.joined_at_text, last.id) : null };
      }),
  });

  route(kit, {
    method: 'post',
    path: '/practices/:id/invitations',
    tags: ['practices'],
    summary: 'Invite a person by email (owner/admin); they become a member when they accept',
    description:
      'Answers the invitation only: whether the email belongs to someone, and whose it is, is not disclosed. A person new to MDW gets a profile with the given name. 409 when the email already has an open invitation here or is a member here.',
    params: ZIdParams,
    body: ZInviteMemberBody,
    status: 201,
    response: ZInvitation,
    errors: [403, 409],
    idempotent: true,
    handler: async ({ params, body }) => {
      const c = ctx();
      const email = body.email.trim().toLowerCase();
      await c.db(async (trx) => {
        await requireManager(trx, params.id);
        const member = await trx
          .selectFrom('practice_members as m')
          .innerJoin('profiles as p', 'p.id', 'm.profile_id')
          .select('m.id')
          .where('m.practice_id', '=', params.id)
          .where(sql`lower(p.email)`, '=', email)
          .executeTakeFirst();
        if (member) throw new ApiError(409, 'conflict', 'This email is already a member of the practice.', [{ field: 'email', message: 'already a member' }]);
      });
      // The recipient needs a profile to sign in and accept; it is created when there is none,
      // and the answer is the same either way.
      await profileForEmail(s, body, '');
      return c.db(async (trx) => {
        const open = await trx.selectFrom('practice_invitations').select('id').where('practice_id', '=', params.id).where('email', '=', email).where('accepted_at', 'is', null).where('revoked_at', 'is', null).executeTakeFirst();
        if (open) {
          // An expired one makes way for the new one; a live one is a conflict.
          const live = await trx.updateTable('practice_invitations').set({ revoked_at: new Date() }).where('id', '=', open.id).where('expires_at', '<=', new Date()).returning('id').executeTakeFirst();
          if (!live) throw new ApiError(409, 'conflict', 'This email already has an open invitation to the practice.', [{ field: 'email', message: 'already invited' }]);
        }
        const row = await trx
          .insertInto('practice_invitations')
          .values({ practice_id: params.id, email, role: body.role, invited_by: c.actor!.profileId })
          .returning('id')
          .executeTakeFirstOrThrow();
        return toInvitation(await invitationQuery(trx).where('id', '=', row.id).executeTakeFirstOrThrow());
      });
    },
  });

  route(kit, {
    method: 'get',
    path: '/practices/:id/invitations',
    tags: ['practices'],
    summary: 'Open invitations of a practice (owner/admin; newest first, keyset-paginated)',
    description: 'Invitations neither accepted nor revoked (expired ones show as `expired`). Pages of `limit` (default 25, at most 100), newest first; follow `nextCursor` (null on the last page) to see them all.',
    params: ZIdParams,
    query: ZPageQuery,
    response: page(ZInvitation, 'InvitationPage'),
    errors: [403],
    handler: ({ params, query }) =>
      ctx().db(async (trx) => {
        await requireManager(trx, params.id);
        const { items, more } = await listOpenInvitations(trx, params.id, { limit: query.limit, after: decodeCursor(query.cursor) });
        const last = items.at(-1);
        return { items: items.map(toInvitation), nextCursor: more && last ? encodeCursor(last.created_at_text, last.id) : null };
      }),
  });

  route(kit, {
    method: 'delete',
    path: '/practices/:id/invitations/:invitationId',
    tags: ['practices'],
    summary: 'Revoke an open invitation (owner/admin)',
    params: ZInvitationParams,
    errors: [403],
    handler: ({ params }) =>
      ctx().db(async (trx) => {
        await requireManager(trx, params.id);
        const r = await trx
          .updateTable('practice_invitations')
          .set({ revoked_at: new Date() })
          .where('id', '=', params.invitationId)
          .where('practice_id', '=', params.id)
          .where('accepted_at', 'is', null)
          .where('revoked_at', 'is', null)
          .returning('id')
          .executeTakeFirst();
        if (!r) throw ApiError.notFound('Invitation');
      }),
  });

  route(kit, {
    method: 'get',
    path: '/invitations',
    tags: ['practices'],
    summary: 'Open invitations addressed to the caller (by the email of their profile)',
    response: z.object({ items: z.array(ZMyInvitation) }).openapi('MyInvitationList'),
    handler: () =>
      ctx().db(async (trx) => {
        const rows = await sql<{ id: string; practice_id: string; practice_name: string; role: TInvitation['role']; created_at: Date; expires_at: Date }>`
          select * from public.my_practice_invitations()`.execute(trx);
        return {
          items: rows.rows.map((r) => ({ id: r.id, practiceId: r.practice_id, practiceName: r.practice_name, role: r.role, createdAt: isoReq(r.created_at), expiresAt: isoReq(r.expires_at) })),
        };
      }),
  });

  route(kit, {
    method: 'post',
    path: '/invitations/:id/accept',
    tags: ['practices'],
    summary: 'Accept an invitation addressed to the caller: they become a member',
    description: '404 for an invitation that is not open or not addressed to the caller, alike.',
    params: ZIdParams,
    status: 201,
    response: ZMember,
    idempotent: true,
    handler: ({ params }) =>
      ctx().db(async (trx) => {
        const r = await sql<{ member: string | null }>`select public.accept_practice_invitation(${params.id}::uuid) as member`.execute(trx);
        const memberId = r.rows[0]?.member;
        if (!memberId) throw ApiError.notFound('Invitation');
        const member = await memberQuery(trx).where('m.id', '=', memberId).executeTakeFirstOrThrow();
        ctx().practiceId = member.practice_id;
        return toMember(member);
      }),
  });

  route(kit, {
    method: 'patch',
    path: '/practices/:id/members/:memberId',
    tags: ['practices'],
    summary: "Change a member's role (owner/admin)",
    params: ZMemberParams,
    body: ZUpdateMemberBody,
    response: ZMember,
    errors: [403, 409],
    handler: ({ params, body }) =>
      ctx().db(async (trx) => {
        await requireManager(trx, params.id);
        const member = await loadMember(trx, params.id, params.memberId);
        if (body.role !== 'owner') await assertNotLastOwner(trx, member);
        await trx.updateTable('practice_members').set({ role: body.role }).where('id', '=', params.memberId).where('practice_id', '=', params.id).execute();
        return toMember(await loadMember(trx, params.id, params.memberId));
      }),
  });

  route(kit, {
    method: 'delete',
    path: '/practices/:id/members/:memberId',
    tags: ['practices'],
    summary: 'Remove a member (owner/admin)',
    params: ZMemberParams,
    errors: [403, 409],
    handler: ({ params }) =>
      ctx().db(async (trx) => {
        await requireManager(trx, params.id);
        const member = await loadMember(trx, params.id, params.memberId);
        await assertNotLastOwner(trx, member);
        await trx.deleteFrom('practice_members').where('id', '=', params.memberId).where('practice_id', '=', params.id).execute();
      }),
  });
}
