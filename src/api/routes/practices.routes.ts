/**
 * Practices and their members. Reading: members. Changing the practice and its membership: the
 * practice's owner/admin (RLS enforces it; the app checks first to answer 403 rather than 0 rows).
 * People invited by email get a profile (system handle) when they have none. Practices are created
 * by lab administrators (internal admins), with their first owner.
 */
import { sql } from 'kysely';
import type { Tx } from '../../db/database';
import { createProfile } from '../../repositories/identity.repository';
import { ApiError } from '../errors';
import { ctx } from '../context';
import { isoReq, requireManager, requireMember, ZIdParams, ZJsonObject, ZPracticeRole, ZTimestamp, ZUuid, ZName, ZText, ZEmail } from '../common';
import { route, type RouteKit } from '../route';
import type { ApiServices } from '../types';
import { z } from '../zod';

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

export const ZUpdatePracticeBody = z
  .object({
    name: ZName(200).optional(),
    email: ZEmail.nullable().optional(),
    phone: ZText({ max: 50 }).nullable().optional(),
    licenseNumber: ZText({ max: 100 }).nullable().optional(),
    address: ZJsonObject.nullable().optional(),
    settings: ZJsonObject.optional(),
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
    settings: ZJsonObject.optional(),
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
    firstName: ZName(100).optional().openapi({ description: 'Required when the person has no profile yet.' }),
    lastName: ZName(100).optional(),
    practitionerId: ZUuid.nullable().optional(),
  })
  .openapi('InviteMemberBody');
export type TInviteMemberBody = z.infer<typeof ZInviteMemberBody>;
export const ZUpdateMemberBody = z.object({ role: ZPracticeRole }).openapi('UpdateMemberBody');
export type TUpdateMemberBody = z.infer<typeof ZUpdateMemberBody>;
const ZMemberParams = z.object({ id: ZUuid, memberId: ZUuid });

async function loadPractice(trx: Tx, id: string): Promise<TPractice> {
  const r = await trx.selectFrom('practices').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw ApiError.notFound('Practice');
  const m = await trx.selectFrom('practice_members').select('role').where('practice_id', '=', id).where('profile_id', '=', ctx().actor!.profileId).executeTakeFirst();
  return {
    id: r.id,
    name: r.name,
    email: r.email,
    phone: r.phone,
    licenseNumber: r.license_number,
    address: r.address ?? null,
    settings: (r.settings as Record<string, unknown>) ?? {},
    myRole: m?.role ?? null,
    createdAt: isoReq(r.created_at),
    updatedAt: isoReq(r.updated_at),
  };
}

function memberQuery(trx: Tx) {
  return trx
    .selectFrom('practice_members as m')
    .leftJoin('profiles as p', 'p.id', 'm.profile_id')
    .select(['m.id', 'm.practice_id', 'm.profile_id', 'm.role', 'm.practitioner_id', 'm.joined_at', 'p.email', 'p.full_name']);
}
type MemberRow = Awaited<ReturnType<ReturnType<typeof memberQuery>['executeTakeFirstOrThrow']>>;
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
 * first that the actor may invite, and answer nothing about the person but the new membership.
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
    summary: 'Practices the caller belongs to',
    response: z.object({ items: z.array(ZPractice) }).openapi('PracticeList'),
    handler: () =>
      ctx().db(async (trx) => {
        const ids = await trx.selectFrom('practices').select('id').orderBy('name').limit(500).execute();
        return { items: await Promise.all(ids.map((r) => loadPractice(trx, r.id))) };
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
    summary: 'Members of a practice',
    params: ZIdParams,
    response: z.object({ items: z.array(ZMember) }).openapi('MemberList'),
    handler: ({ params }) =>
      ctx().db(async (trx) => {
        await requireMember(trx, params.id);
        const rows = await memberQuery(trx).where('m.practice_id', '=', params.id).orderBy('m.joined_at').orderBy('m.id').execute();
        return { items: rows.map(toMember) };
      }),
  });

  route(kit, {
    method: 'post',
    path: '/practices/:id/members',
    tags: ['practices'],
    summary: 'Invite a person by email (owner/admin); creates their profile when they have none',
    params: ZIdParams,
    body: ZInviteMemberBody,
    status: 201,
    response: ZMember,
    errors: [403, 409],
    idempotent: true,
    handler: async ({ params, body }) => {
      const c = ctx();
      await c.db((trx) => requireManager(trx, params.id));
      const profileId = await profileForEmail(s, body, '');
      return c.db(async (trx) => {
        const dup = await trx.selectFrom('practice_members').select('id').where('practice_id', '=', params.id).where('profile_id', '=', profileId).executeTakeFirst();
        if (dup) throw new ApiError(409, 'conflict', 'This person is already a member of the practice.');
        const row = await trx
          .insertInto('practice_members')
          .values({ practice_id: params.id, profile_id: profileId, role: body.role, practitioner_id: body.practitionerId ?? null })
          .returning('id')
          .executeTakeFirstOrThrow();
        return toMember(await loadMember(trx, params.id, row.id));
      });
    },
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
