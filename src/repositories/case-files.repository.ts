/**
 * Reading case files' metadata under the caller's RLS (members of the case's practice, lab staff
 * every client practice's cases). The bytes go through the storage adapter, not here.
 */
import { sql } from 'kysely';
import type { Tx } from '../db/database';

/** The columns a file is answered with (files.routes.ts toFile), and its keyset text. */
export function fileQuery(trx: Tx) {
  return trx
    .selectFrom('case_files')
    .select(['id', 'case_id', 'uploaded_by', 'file_name', 'file_type', 'file_size', 'mime_type', 'metadata', 'created_at', 'storage_path', sql<string>`created_at::text`.as('created_at_text')]);
}
export type FileRow = Awaited<ReturnType<ReturnType<typeof fileQuery>['executeTakeFirstOrThrow']>>;

/**
 * One page of a case's files, newest first by (created_at, id) like listPractices. The list used
 * to stop silently at 1,000: a case in active treatment for years gathers photos and scans at
 * every visit, and a migrated case brings its whole history. Files uploaded in one transaction
 * share created_at, which is why id breaks the tie in both the order and the cursor.
 * @param after - the (created_at, id) of the previous page's last row (decodeCursor).
 */
export async function listCaseFiles(trx: Tx, caseId: string, f: { limit: number; after: { createdAt: string; id: string } | null }): Promise<{ items: FileRow[]; more: boolean }> {
  let q = fileQuery(trx).where('case_id', '=', caseId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit + 1);
  if (f.after) q = q.where(sql<boolean>`(created_at, id) < (${f.after.createdAt}::timestamptz, ${f.after.id}::uuid)`);
  const rows = await q.execute();
  return { items: rows.slice(0, f.limit), more: rows.length > f.limit };
}
