/**
 * Reading practitioners under the caller's RLS (members see their practices' practitioners, lab
 * staff those of every client practice).
 */
import { sql } from 'kysely';
import type { Tx } from '../db/database';

function practitionerQuery(trx: Tx) {
  return trx
    .selectFrom('practitioners as pr')
    .leftJoin('profiles as p', 'p.id', 'pr.profile_id')
    .select(['pr.id', 'pr.profile_id', 'p.full_name', 'p.email', 'pr.license_number', 'pr.specialties', 'pr.credentials', 'pr.bio', 'pr.created_at', 'pr.updated_at', sql<string>`pr.created_at::text`.as('created_at_text')]);
}
export type PractitionerRow = Awaited<ReturnType<ReturnType<typeof practitionerQuery>['executeTakeFirstOrThrow']>>;

/**
 * One page of the practitioners the caller sees, newest first by (created_at, id) like
 * listPractices. The list used to stop silently at 500 (alphabetically), which lab staff, who see
 * every client practice's practitioners, would reach; `q` narrows by name for a picker.
 * @param f.practiceId - only practitioners who are members of this practice.
 * @param f.q - a substring of the full name (LIKE wildcards taken literally).
 * @param f.after - the (created_at, id) of the previous page's last row (decodeCursor).
 */
export async function listPractitioners(
  trx: Tx,
  f: { practiceId?: string; q?: string; limit: number; after: { createdAt: string; id: string } | null },
): Promise<{ items: PractitionerRow[]; more: boolean }> {
  let qb = practitionerQuery(trx).orderBy('pr.created_at', 'desc').orderBy('pr.id', 'desc').limit(f.limit + 1);
  const practiceId = f.practiceId;
  if (practiceId) {
    qb = qb.where((eb) =>
      eb.exists(
        eb
          .selectFrom('practice_members as m')
          .select('m.id')
          .where('m.practice_id', '=', practiceId)
          .where((w) => w.or([w('m.practitioner_id', '=', w.ref('pr.id')), w('m.profile_id', '=', w.ref('pr.profile_id'))])),
      ),
    );
  }
  if (f.q) qb = qb.where('p.full_name', 'ilike', `%${f.q.replace(/[\\%_]/g, '\\$&')}%`);
  if (f.after) qb = qb.where(sql<boolean>`(pr.created_at, pr.id) < (${f.after.createdAt}::timestamptz, ${f.after.id}::uuid)`);
  const rows = await qb.execute();
  return { items: rows.slice(0, f.limit), more: rows.length > f.limit };
}
