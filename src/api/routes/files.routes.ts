/**
 * Case files: metadata in case_files (under RLS), bytes through the storage adapter. Upload is
 * the raw body (Content-Type = the file's type, from an allow-list → 415; size limit
 * MAX_UPLOAD_BYTES → 413: src/api/stored-files.ts), with fileName and fileType in the query.
 */
import { randomUUID } from 'node:crypto';
import type { Tx } from '../../db/database';
import { fileQuery, listCaseFiles, type FileRow } from '../../repositories/case-files.repository';
import { ApiError } from '../errors';
import { ctx } from '../context';
import { decodeCursor, encodeCursor, isoReq, page, ZFileType, ZIdParams, ZPageQuery, ZJsonObject, ZTimestamp, ZUuid, ZText, trimBlank, FILE_NAME } from '../common';
import { route, type RouteKit } from '../route';
import type { ApiServices } from '../types';
import { z } from '../zod';
import { loadCase } from './cases.routes';
import { recordCaseAccess, recordPhiAccess } from '../../repositories/phi-access.repository';
import { ALLOWED_MIME_TYPES, keepIfRecorded, receiveUpload, sendStored } from '../stored-files';

export const ZCaseFile = z
  .object({
    id: ZUuid,
    caseId: ZUuid,
    uploadedBy: ZUuid,
    fileName: z.string(),
    fileType: ZFileType,
    fileSize: z.number().int(),
    mimeType: z.string(),
    metadata: ZJsonObject,
    createdAt: ZTimestamp,
  })
  .openapi('CaseFile');
export type TCaseFile = z.infer<typeof ZCaseFile>;

export const ZUploadQuery = z.object({
  fileName: ZText({ max: 255, pattern: FILE_NAME, patternMessage: 'must not be blank nor contain slashes, backslashes or control characters' }).overwrite(trimBlank),
  fileType: ZFileType,
});
const ZFileParams = z.object({ id: ZUuid, fileId: ZUuid });

const toFile = (r: FileRow): TCaseFile => ({
  id: r.id,
  caseId: r.case_id,
  uploadedBy: r.uploaded_by,
  fileName: r.file_name,
  fileType: r.file_type,
  fileSize: Number(r.file_size),
  mimeType: r.mime_type,
  metadata: (r.metadata as Record<string, unknown>) ?? {},
  createdAt: isoReq(r.created_at),
});

async function loadFile(trx: Tx, caseId: string, fileId: string): Promise<FileRow> {
  await loadCase(trx, caseId);
  const r = await fileQuery(trx).where('id', '=', fileId).where('case_id', '=', caseId).executeTakeFirst();
  if (!r) throw ApiError.notFound('File');
  return r;
}

export function fileRoutes(kit: RouteKit, s: ApiServices): void {
  route(kit, {
    method: 'post',
    path: '/cases/:id/files',
    tags: ['files'],
    summary: 'Upload a file to a case (raw body; Content-Type is the file type)',
    params: ZIdParams,
    query: ZUploadQuery,
    rawBody: [...ALLOWED_MIME_TYPES],
    status: 201,
    response: ZCaseFile,
    errors: [413, 415],
    handler: async ({ params, query, req }) => {
      const c = ctx();
      const kase = await c.db((trx) => loadCase(trx, params.id));
      const fileId = randomUUID();
      const key = `${kase.practice_id}/${kase.id}/${fileId}`;
      const { size, mime } = await receiveUpload(s, req, key);
      return keepIfRecorded(s.storage, key, () =>
        c.db(async (trx) => {
          await trx
            .insertInto('case_files')
            .values({ id: fileId, case_id: kase.id, practice_id: kase.practice_id, uploaded_by: c.actor!.profileId, file_name: query.fileName, file_type: query.fileType, file_size: size, storage_path: key, mime_type: mime })
            .execute();
          return toFile(await loadFile(trx, kase.id, fileId));
        }),
      );
    },
  });

  route(kit, {
    method: 'get',
    path: '/cases/:id/files',
    tags: ['files'],
    summary: "A case's files (metadata), newest first, keyset-paginated",
    description: 'Pages of `limit` (default 25, at most 100), newest first; follow `nextCursor` (null on the last page) to see them all.',
    params: ZIdParams,
    query: ZPageQuery,
    response: page(ZCaseFile, 'CaseFilePage'),
    handler: ({ params, query }) =>
      ctx().db(async (trx) => {
        const kase = await loadCase(trx, params.id);
        await recordPhiAccess(trx, [kase.patient_id], { route: 'GET /cases/{id}/files', resource: 'files', resourceId: kase.id });
        const { items, more } = await listCaseFiles(trx, params.id, { limit: query.limit, after: decodeCursor(query.cursor) });
        const last = items.at(-1);
        return { items: items.map(toFile), nextCursor: more && last ? encodeCursor(last.created_at_text, last.id) : null };
      }),
  });

  route(kit, {
    method: 'get',
    path: '/cases/:id/files/:fileId',
    tags: ['files'],
    summary: "A file's metadata",
    params: ZFileParams,
    response: ZCaseFile,
    handler: ({ params }) =>
      ctx().db(async (trx) => {
        const file = await loadFile(trx, params.id, params.fileId);
        await recordCaseAccess(trx, [params.id], { route: 'GET /cases/{id}/files/{fileId}', resource: 'file', resourceId: params.fileId });
        return toFile(file);
      }),
  });

  route(kit, {
    method: 'get',
    path: '/cases/:id/files/:fileId/content',
    tags: ['files'],
    summary: "Download a file's content",
    params: ZFileParams,
    rawResponse: 'application/octet-stream',
    handler: async ({ params, res }) => {
      const row = await ctx().db(async (trx) => {
        const file = await loadFile(trx, params.id, params.fileId);
        await recordCaseAccess(trx, [params.id], { route: 'GET /cases/{id}/files/{fileId}/content', resource: 'file_content', resourceId: params.fileId });
        return file;
      });
      const content = await s.storage.get(row.storage_path);
      if (!content) throw ApiError.notFound('File content');
      await sendStored(res, content, row.mime_type, row.file_name);
    },
  });
}
