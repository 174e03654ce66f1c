/**
 * Reading practices under the caller's RLS (members see theirs, lab staff every client
 * practice: db/migrations/0005, 0040).
 */
import { sql } from 'kysely';
import type { Tx } from '../db/database';

function practiceQuery(trx: Tx, profileId: string) {
  return trx
    .selectFrom('practices as pr')
    .leftJoin('practice_members as m', (j) => j.onRef('m.practice_id', '=', 'pr.id').on('m.profile_id', '=', profileId))
    .select([
      'pr.id',
      'pr.name',
      'pr.email',
      'pr.phone',
      'pr.license_number',
      'pr.address',
      'pr.settings',
      'pr.created_at',
      'pr.updated_at',
      sql<string>`pr.created_at::text`.as('created_at_text'),
      'm.role as my_role',
    ]);
}
export type PracticeRow = Awaited<ReturnType<ReturnType<typeof practiceQuery>['executeTakeFirstOrThrow']>>;

/**
 * One practice with the caller's role in it (null when not a member).
 * @returns undefined when the caller cannot see it (or it does not exist).
 */
export function getPractice(trx: Tx, profileId: string, id: string): Promise<PracticeRow | undefined> {
  return practiceQuery(trx, profileId).where('pr.id', '=', id).executeTakeFirst();
}

/**
 * One page of the practices the caller sees, newest first by (created_at, id): the keyset every
 * other list pages by, so a practice created while a client pages is never shown twice, and none
 * is skipped. limit + 1 rows are read so the caller knows whether more follow.
 * @param after - the (created_at, id) of the previous page's last row (decodeCursor).
 */
export async function listPractices(trx: Tx, profileId: string, f: { limit: number; after: { createdAt: string; id: string } | null }): Promise<{ items: PracticeRow[]; more: boolean }> {
  let q = practiceQuery(trx, profileId).orderBy('pr.created_at', 'desc').orderBy('pr.id', 'desc').limit(f.limit + 1);
  if (f.after) q = q.where(sql<boolean>`(pr.created_at, pr.id) < (${f.after.createdAt}::timestamptz, ${f.after.id}::uuid)`);
  const rows = await q.execute();
  return { items: rows.slice(0, f.limit), more: rows.length > f.limit };
}

/** The columns an invitation is answered with (practices.routes.ts toInvitation). */
export function invitationQuery(trx: Tx) {
  return trx.selectFrom('practice_invitations').select(['id', 'practice_id', 'email', 'role', 'created_at', 'expires_at', 'accepted_at', 'revoked_at', sql<string>`created_at::text`.as('created_at_text')]);
}
export type InvitationRow = Awaited<ReturnType<ReturnType<typeof invitationQuery>['executeTakeFirstOrThrow']>>;

/**
 * One page of a practice's open invitations (neither accepted nor revoked; expired ones included,
 * shown as expired), newest first by the same (created_at, id) keyset as listPractices. The list
 * used to stop silently at 500; invitations sent in one transaction share created_at, which is
 * why id breaks the tie in both the order and the cursor.
 * @param after - the (created_at, id) of the previous page's last row (decodeCursor).
 */
export async function listOpenInvitations(trx: Tx, practiceId: string, f: { limit: number; after: { createdAt: string; id: string } | null }): Promise<{ items: InvitationRow[]; more: boolean }> {
  let q = invitationQuery(trx)
    .where('practice_id', '=', practiceId)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(f.limit + 1);
  if (f.after) q = q.where(sql<boolean>`(created_at, id) < (${f.after.createdAt}::timestamptz, ${f.after.id}::uuid)`);
  const rows = await q.execute();
  return { items: rows.slice(0, f.limit), more: rows.length > f.limit };
}

/** The columns a member is answered with (practices.routes.ts toMember), and its keyset text. */
export function memberQuery(trx: Tx) {
  return trx
    .selectFrom('practice_members as m')
    .leftJoin('profiles as p', 'p.id', 'm.profile_id')
    .select(['m.id', 'm.practice_id', 'm.profile_id', 'm.role', 'm.practitioner_id', 'm.joined_at', 'p.email', 'p.full_name', sql<string>`m.joined_at::text`.as('joined_at_text')]);
}
export type MemberRow = Awaited<ReturnType<ReturnType<typeof memberQuery>['executeTakeFirstOrThrow']>>;

/**
 * One page of a practice's members in the order they joined (the first owner first) by
 * (joined_at, id). The list had no limit at all: a group practice or a DSO's shared practice can
 * have hundreds of members, all in one answer. Members added in one transaction share joined_at,
 * which is why id breaks the tie in both the order and the cursor.
 * @param after - the (joined_at, id) of the previous page's last row (decodeCursor).
 */
export async function listMembers(trx: Tx, practiceId: string, f: { limit: number; after: { createdAt: string; id: string } | null }): Promise<{ items: MemberRow[]; more: boolean }> {
  let q = memberQuery(trx).where('m.practice_id', '=', practiceId).orderBy('m.joined_at').orderBy('m.id').limit(f.limit + 1);
  if (f.after) q = q.where(sql<boolean>`(m.joined_at, m.id) > (${f.after.createdAt}::timestamptz, ${f.after.id}::uuid)`);
  const rows = await q.execute();
  return { items: rows.slice(0, f.limit), more: rows.length > f.limit };
}
