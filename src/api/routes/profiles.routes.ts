/** The caller's profile (GET/PATCH /me) and practitioners. All under RLS. */
import type { Tx } from '../../db/database';
import { ApiError } from '../errors';
import { ctx } from '../context';
import { decodeCursor, encodeCursor, isoReq, page, ZIdParams, ZPageQuery, ZPracticeRole, ZTimestamp, ZUserRole, ZUuid, ZJsonObject, ZName, ZText } from '../common';
import { listPractitioners } from '../../repositories/practitioners.repository';
import { route, type RouteKit } from '../route';
import type { ApiServices } from '../types';
import { z } from '../zod';

export const ZProfile = z
  .object({
    id: ZUuid,
    email: z.string(),
    firstName: z.string(),
    lastName: z.string(),
    fullName: z.string(),
    phone: z.string().nullable(),
    avatarUrl: z.string().nullable(),
    role: ZUserRole.openapi({ description: 'GLOBAL role; admin = internal lab staff' }),
  })
  .openapi('Profile');
export type TProfile = z.infer<typeof ZProfile>;

export const ZMe = z
  .object({
    profile: ZProfile,
    memberships: z.array(z.object({ practiceId: ZUuid, practiceName: z.string(), role: ZPracticeRole, memberId: ZUuid })),
  })
  .openapi('Me');
export type TMe = z.infer<typeof ZMe>;

export const ZUpdateMeBody = z
  .object({
    firstName: ZName(100).optional(),
    lastName: ZName(100).optional(),
    phone: ZText({ max: 50 }).nullable().optional(),
    avatarUrl: z.url().max(2000).nullable().optional(),
  })
  .openapi('UpdateMeBody');
export type TUpdateMeBody = z.infer<typeof ZUpdateMeBody>;

export const ZPractitioner = z
  .object({
    id: ZUuid,
    profileId: ZUuid,
    fullName: z.string().nullable(),
    email: z.string().nullable(),
    licenseNumber: z.string().nullable(),
    specialties: z.array(z.string()),
    credentials: ZJsonObject,
    bio: z.string().nullable(),
    createdAt: ZTimestamp,
    updatedAt: ZTimestamp,
  })
  .openapi('Practitioner');
export type TPractitioner = z.infer<typeof ZPractitioner>;

export const ZCreatePractitionerBody = z
  .object({
    profileId: ZUuid,
    licenseNumber: ZName(100).nullable().optional(),
    specialties: z.array(ZName(100)).max(50).optional(),
    credentials: ZJsonObject.optional(),
    bio: ZText({ max: 5000 }).nullable().optional(),
  })
  .openapi('CreatePractitionerBody');
export type TCreatePractitionerBody = z.infer<typeof ZCreatePractitionerBody>;
export const ZUpdatePractitionerBody = ZCreatePractitionerBody.omit({ profileId: true }).openapi('UpdatePractitionerBody');
export type TUpdatePractitionerBody = z.infer<typeof ZUpdatePractitionerBody>;

const profileColumns = ['p.id', 'p.email', 'p.first_name', 'p.last_name', 'p.full_name', 'p.phone', 'p.avatar_url', 'p.role'] as const;

function toProfile(r: { id: string; email: string; first_name: string; last_name: string; full_name: string | null; phone: string | null; avatar_url: string | null; role: TProfile['role'] }): TProfile {
  return { id: r.id, email: r.email, firstName: r.first_name, lastName: r.last_name, fullName: r.full_name ?? `${r.first_name} ${r.last_name}`, phone: r.phone, avatarUrl: r.avatar_url, role: r.role };
}

async function loadMe(trx: Tx, profileId: string): Promise<TMe> {
  const p = await trx.selectFrom('profiles as p').select(profileColumns).where('p.id', '=', profileId).executeTakeFirst();
  if (!p) throw ApiError.notFound('Profile');
  const memberships = await trx
    .selectFrom('practice_members as m')
    .innerJoin('practices as pr', 'pr.id', 'm.practice_id')
    .select(['m.id', 'm.practice_id', 'm.role', 'pr.name'])
    .where('m.profile_id', '=', profileId)
    .orderBy('pr.name')
    .execute();
  return { profile: toProfile(p), memberships: memberships.map((m) => ({ practiceId: m.practice_id, practiceName: m.name, role: m.role, memberId: m.id })) };
}

async function loadPractitioner(trx: Tx, id: string): Promise<TPractitioner> {
  const r = await trx
    .selectFrom('practitioners as pr')
    .leftJoin('profiles as p', 'p.id', 'pr.profile_id')
    .select(['pr.id', 'pr.profile_id', 'p.full_name', 'p.email', 'pr.license_number', 'pr.specialties', 'pr.credentials', 'pr.bio', 'pr.created_at', 'pr.updated_at'])
    .where('pr.id', '=', id)
    .executeTakeFirst();
  if (!r) throw ApiError.notFound('Practitioner');
  return toPractitioner(r);
}

function toPractitioner(r: { id: string; profile_id: string; full_name: string | null; email: string | null; license_number: string | null; specialties: string[] | null; credentials: unknown; bio: string | null; created_at: Date; updated_at: Date }): TPractitioner {
  return {
    id: r.id,
    profileId: r.profile_id,
    fullName: r.full_name,
    email: r.email,
    licenseNumber: r.license_number,
    specialties: r.specialties ?? [],
    credentials: (r.credentials as Record<string, unknown>) ?? {},
    bio: r.bio,
    createdAt: isoReq(r.created_at),
    updatedAt: isoReq(r.updated_at),
  };
}

export function profileRoutes(kit: RouteKit, _s: ApiServices): void {
  route(kit, {
    method: 'get',
    path: '/me',
    tags: ['profiles'],
    summary: 'The caller: profile and practice memberships',
    response: ZMe,
    handler: () => ctx().db((trx) => loadMe(trx, ctx().actor!.profileId)),
  });

  route(kit, {
    method: 'patch',
    path: '/me',
    tags: ['profiles'],
    summary: "Update the caller's own profile",
    body: ZUpdateMeBody,
    response: ZMe,
    handler: ({ body }) =>
      ctx().db(async (trx) => {
        const me = ctx().actor!.profileId;
        const set = {
          ...(body.firstName !== undefined && { first_name: body.firstName }),
          ...(body.lastName !== undefined && { last_name: body.lastName }),
          ...(body.phone !== undefined && { phone: body.phone }),
          ...(body.avatarUrl !== undefined && { avatar_url: body.avatarUrl }),
        };
        if (Object.keys(set).length) await trx.updateTable('profiles').set(set).where('id', '=', me).execute();
        return loadMe(trx, me);
      }),
  });

  route(kit, {
    method: 'get',
    path: '/practitioners',
    tags: ['practitioners'],
    summary: 'Practitioners of the practices the caller belongs to (newest first, keyset-paginated)',
    description: 'Lab staff see those of every client practice. Pages of `limit` (default 25, at most 100), newest first; follow `nextCursor` (null on the last page) to see them all; `q` narrows by name.',
    query: ZPageQuery.extend({ practiceId: ZUuid.optional(), q: ZName(100).optional() }),
    response: page(ZPractitioner, 'PractitionerPage'),
    handler: ({ query }) =>
      ctx().db(async (trx) => {
        const { items, more } = await listPractitioners(trx, { practiceId: query.practiceId, q: query.q, limit: query.limit, after: decodeCursor(query.cursor) });
        const last = items.at(-1);
        return { items: items.map(toPractitioner), nextCursor: more && last ? encodeCursor(last.created_at_text, last.id) : null };
      }),
  });

  route(kit, {
    method: 'get',
    path: '/practitioners/:id',
    tags: ['practitioners'],
    summary: 'One practitioner',
    params: ZIdParams,
    response: ZPractitioner,
    handler: ({ params }) => ctx().db((trx) => loadPractitioner(trx, params.id)),
  });

  route(kit, {
    method: 'post',
    path: '/practitioners',
    tags: ['practitioners'],
    summary: 'Create the practitioner record of a person (oneself, or a member of a practice the caller manages)',
    body: ZCreatePractitionerBody,
    status: 201,
    response: ZPractitioner,
    errors: [403, 404, 409],
    idempotent: true,
    handler: ({ body }) =>
      ctx().db(async (trx) => {
        const visible = await trx.selectFrom('profiles').select('id').where('id', '=', body.profileId).executeTakeFirst();
        if (!visible) throw ApiError.notFound('Profile', 'profileId');
        const row = await trx
          .insertInto('practitioners')
          .values({
            profile_id: body.profileId,
            license_number: body.licenseNumber ?? null,
            specialties: body.specialties ?? null,
            credentials: JSON.stringify(body.credentials ?? {}),
            bio: body.bio ?? null,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        return loadPractitioner(trx, row.id);
      }),
  });

  route(kit, {
    method: 'patch',
    path: '/practitioners/:id',
    tags: ['practitioners'],
    summary: 'Update a practitioner (oneself, or a member of a practice the caller manages)',
    params: ZIdParams,
    body: ZUpdatePractitionerBody,
    response: ZPractitioner,
    errors: [403],
    handler: ({ params, body }) =>
      ctx().db(async (trx) => {
        await loadPractitioner(trx, params.id);
        const set = {
          ...(body.licenseNumber !== undefined && { license_number: body.licenseNumber }),
          ...(body.specialties !== undefined && { specialties: body.specialties }),
          ...(body.credentials !== undefined && { credentials: JSON.stringify(body.credentials) }),
          ...(body.bio !== undefined && { bio: body.bio }),
        };
        if (Object.keys(set).length) {
          const r = await trx.updateTable('practitioners').set(set).where('id', '=', params.id).returning('id').executeTakeFirst();
          if (!r) throw ApiError.forbidden('Only the practitioner or a manager of their practice may change this record.');
        }
        return loadPractitioner(trx, params.id);
      }),
  });
}
