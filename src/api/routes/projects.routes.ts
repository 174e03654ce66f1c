/**
 * 3D projects with versions (issue 11 section 6). A project is created on a case with its first
 * file; each later upload is a new version (a new projects row whose parent is the newest
 * version). STL uploads have their triangle count and bounding box read while they stream into
 * storage (src/services/stl.ts). A new version is announced to the case workflow, which puts an
 * approval pinned to an older version of the project back up for decision.
 *
 * Everything runs under RLS as the caller: practice members, and lab staff (0040 read and insert
 * as themselves, 0047 status changes other than approval). Reads are in the PHI access log.
 */
import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Tx } from '../../db/database';
import { InvalidStlError, isStl, stlTap, type StlMetadata } from '../../services/stl';
import {
  appendVersion,
  caseProjects,
  findVersion,
  insertProject,
  PROJECT_STATUSES,
  PROJECT_TRANSITIONS,
  PROJECT_TYPES,
  setStatus,
  versionChain,
  type ProjectRow,
} from '../../repositories/projects.repository';
import { recordCaseAccess } from '../../repositories/phi-access.repository';
import { CaseRefusal, LAB_TASK_ROLE, projectVersionAddedUpdate, type Actor } from '../../workflows/case.messages';
import type { caseWorkflow } from '../../workflows/case.workflow';
import { ApiError } from '../errors';
import { ctx } from '../context';
import { FILE_NAME, isoReq, myLabRole, myPracticeRole, trimBlank, ZIdParams, ZJsonObject, ZName, ZText, ZTimestamp, ZUuid } from '../common';
import { route, type RouteKit } from '../route';
import type { ApiServices } from '../types';
import { z } from '../zod';
import { loadCase } from './cases.routes';
import { ALLOWED_MIME_TYPES, keepIfRecorded, receiveUpload, sendStored } from '../stored-files';

const ZPoint = z.object({ x: z.number(), y: z.number(), z: z.number() });
export const ZProject = z
  .object({
    id: ZUuid.openapi({ description: "this version's id" }),
    projectId: ZUuid.openapi({ description: "the project's id: its first version's" }),
    caseId: ZUuid.nullable(),
    practiceId: ZUuid,
    creatorId: ZUuid,
    name: z.string(),
    projectType: z.enum(PROJECT_TYPES),
    status: z.enum([...PROJECT_STATUSES, 'deleted']),
    version: z.number().int(),
    parentId: ZUuid.nullable().openapi({ description: 'the version before this one' }),
    fileName: z.string().nullable(),
    fileSize: z.number().int(),
    mimeType: z.string().nullable(),
    stl: z
      .object({ triangleCount: z.number().int(), boundingBox: z.object({ min: ZPoint, max: ZPoint }).nullable() })
      .nullable()
      .openapi({ description: 'for STL files: triangle count and axis-aligned bounding box (file units)' }),
    metadata: ZJsonObject,
    createdAt: ZTimestamp,
    updatedAt: ZTimestamp,
  })
  .openapi('Project');
export type TProject = z.infer<typeof ZProject>;

const ZCaseProject = ZProject.extend({ versionCount: z.number().int() }).openapi('CaseProject');

const ZFileName = ZText({ max: 255, pattern: FILE_NAME, patternMessage: 'must not be blank nor contain slashes, backslashes or control characters' }).overwrite(trimBlank);
/** A version's notes (metadata.notes): with the name, the text the embedding pipeline embeds and search finds (kind=projects). */
const ZNotes = ZText({ max: 2000 })
  .overwrite(trimBlank)
  .optional()
  .openapi({ description: "Free-text notes on this version (what it shows, what changed); kept in metadata.notes and searchable with the project's name." });
export const ZCreateProjectQuery = z.object({ name: ZName(255), projectType: z.enum(PROJECT_TYPES), fileName: ZFileName, notes: ZNotes });
export const ZVersionQuery = z.object({ fileName: ZFileName, notes: ZNotes });
const notesMetadata = (notes: string | undefined) => (notes ? { metadata: { notes } } : {});
export const ZStatusBody = z.object({ status: z.enum(PROJECT_STATUSES) }).openapi('ProjectStatusBody');
export type TStatusBody = z.infer<typeof ZStatusBody>;

const toProject = (r: ProjectRow): TProject => ({
  id: r.id,
  projectId: r.root_id,
  caseId: r.case_id,
  practiceId: r.practice_id,
  creatorId: r.creator_id,
  name: r.name,
  projectType: r.project_type as TProject['projectType'],
  status: r.status as TProject['status'],
  version: r.version,
  parentId: r.parent_project_id,
  fileName: r.file_name,
  fileSize: Number(r.file_size),
  mimeType: r.mime_type,
  stl: r.triangle_count === null ? null : { triangleCount: Number(r.triangle_count), boundingBox: (r.bounding_box ?? null) as NonNullable<TProject['stl']>['boundingBox'] },
  metadata: (r.metadata as Record<string, unknown>) ?? {},
  createdAt: isoReq(r.created_at),
  updatedAt: isoReq(r.updated_at),
});

/** A version the caller may see; 404 like a missing one otherwise. */
async function loadVersion(trx: Tx, id: string): Promise<ProjectRow> {
  const row = await findVersion(trx, id);
  if (!row) throw ApiError.notFound('Project');
  ctx().practiceId = row.practice_id;
  return row;
}

/** Reading a project is reading its case's patient (a design names no one, its case does). */
const recordRead = (trx: Tx, row: { case_id: string | null }, route: string, resource: string, id: string) =>
  row.case_id ? recordCaseAccess(trx, [row.case_id], { route, resource, resourceId: id }) : Promise.resolve();

/**
 * Streams the upload into storage under `key` (stored-files.ts: 415, 413), reading STL metadata
 * on the way; an STL that is not one → 422 invalid_stl (nothing kept).
 */
async function receive(s: ApiServices, req: Request, key: string, fileName: string): Promise<{ size: number; mime: string; stl: StlMetadata | null }> {
  const { size, mime, tap } = await receiveUpload(s, req, key, (type) => (isStl(type, fileName) ? stlTap() : null));
  if (!tap) return { size, mime, stl: null };
  try {
    return { size, mime, stl: tap.result() };
  } catch (err) {
    await s.storage.delete(key).catch(() => undefined);
    if (err instanceof InvalidStlError) throw new ApiError(422, 'invalid_stl', `The file is not a readable STL: ${err.message}.`, [{ field: 'body', message: err.message }]);
    throw err;
  }
}

/** The uploader as the workflow's actor: their practice role, else the lab's (technician). */
async function uploaderActor(trx: Tx, practiceId: string): Promise<Actor> {
  const profileId = ctx().actor!.profileId;
  const role = await myPracticeRole(trx, practiceId);
  if (role) return { profileId, practiceRole: role };
  const lab = await myLabRole(trx);
  return { profileId, practiceRole: LAB_TASK_ROLE, ...(lab ? { lab } : {}) };
}

/**
 * Design work is for the practice's members, lab technicians and lab admins. Lab support reads
 * projects but neither creates, versions nor moves them (db 0070): refused by name before an
 * upload is stored, like a task action (403 not_a_member).
 */
async function requireProjectWriter(trx: Tx, practiceId: string): Promise<void> {
  if (await myPracticeRole(trx, practiceId)) return;
  if ((await myLabRole(trx)) === 'support') throw new ApiError(403, 'not_a_member', 'Lab support reads projects; design work is for lab technicians.');
}

export function projectRoutes(kit: RouteKit, s: ApiServices): void {
  const stlNote = 'STL files (model/stl, application/sla, or a name ending .stl) have their triangle count and bounding box read on upload; one that is not a readable STL answers 422 invalid_stl.';

  route(kit, {
    method: 'post',
    path: '/cases/:id/projects',
    tags: ['projects'],
    summary: 'Create a project on a case with its first version (raw body; Content-Type is the file type)',
    description: stlNote,
    params: ZIdParams,
    query: ZCreateProjectQuery,
    rawBody: [...ALLOWED_MIME_TYPES],
    status: 201,
    response: ZProject,
    errors: [403, 413, 415, 422],
    handler: async ({ params, query, req }) => {
      const c = ctx();
      const kase = await c.db(async (trx) => {
        const k = await loadCase(trx, params.id);
        await requireProjectWriter(trx, k.practice_id);
        return k;
      });
      const id = randomUUID();
      const key = `projects/${kase.practice_id}/${kase.id}/${id}`;
      const file = await receive(s, req, key, query.fileName);
      return keepIfRecorded(s.storage, key, () =>
        c.db(async (trx) => {
          await insertProject(trx, {
            id,
            caseId: kase.id,
            practiceId: kase.practice_id,
            creatorId: c.actor!.profileId,
            name: query.name,
            projectType: query.projectType,
            fileName: query.fileName,
            fileSize: file.size,
            mimeType: file.mime,
            storagePath: key,
            stl: file.stl ? { triangleCount: file.stl.triangleCount, boundingBox: file.stl.boundingBox } : null,
            ...notesMetadata(query.notes),
          });
          return toProject(await loadVersion(trx, id));
        }),
      );
    },
  });

  route(kit, {
    method: 'get',
    path: '/cases/:id/projects',
    tags: ['projects'],
    summary: "A case's projects, each as its newest version, newest project first",
    params: ZIdParams,
    response: z.object({ items: z.array(ZCaseProject) }).openapi('CaseProjectList'),
    handler: ({ params }) =>
      ctx().db(async (trx) => {
        const kase = await loadCase(trx, params.id);
        await recordCaseAccess(trx, [kase.id], { route: 'GET /cases/{id}/projects', resource: 'projects', resourceId: kase.id });
        const rows = await caseProjects(trx, kase.id);
        return { items: rows.map((r) => ({ ...toProject(r), versionCount: r.version_count })) };
      }),
  });

  route(kit, {
    method: 'get',
    path: '/projects/:id',
    tags: ['projects'],
    summary: 'One project version (any version id)',
    params: ZIdParams,
    response: ZProject,
    handler: ({ params }) =>
      ctx().db(async (trx) => {
        const row = await loadVersion(trx, params.id);
        await recordRead(trx, row, 'GET /projects/{id}', 'project', row.id);
        return toProject(row);
      }),
  });

  route(kit, {
    method: 'get',
    path: '/projects/:id/versions',
    tags: ['projects'],
    summary: "A project's version chain, oldest first (any version id of it)",
    params: ZIdParams,
    response: z.object({ items: z.array(ZProject) }).openapi('ProjectVersionList'),
    handler: ({ params }) =>
      ctx().db(async (trx) => {
        const row = await loadVersion(trx, params.id);
        await recordRead(trx, row, 'GET /projects/{id}/versions', 'project_versions', row.root_id);
        return { items: (await versionChain(trx, row.root_id)).map(toProject) };
      }),
  });

  route(kit, {
    method: 'post',
    path: '/projects/:id/versions',
    tags: ['projects'],
    summary: 'Upload a new version of a project (raw body; Content-Type is the file type)',
    description: `The new version follows the newest one (any version id of the project may be given) and starts as draft. A plan approval pinned to an older version of this project goes back up for decision. ${stlNote} Idempotency-Key makes a retry return the first answer.`,
    params: ZIdParams,
    query: ZVersionQuery,
    rawBody: [...ALLOWED_MIME_TYPES],
    status: 201,
    response: ZProject,
    errors: [403, 413, 415, 422],
    idempotent: true,
    handler: async ({ params, query, req }) => {
      const c = ctx();
      const base = await c.db(async (trx) => {
        const b = await loadVersion(trx, params.id);
        await requireProjectWriter(trx, b.practice_id);
        return b;
      });
      const id = randomUUID();
      const key = `projects/${base.practice_id}/${base.case_id ?? 'none'}/${id}`;
      const file = await receive(s, req, key, query.fileName);
      const created = await keepIfRecorded(s.storage, key, () =>
        c.db(async (trx) => {
          const row = await appendVersion(trx, base.root_id, {
            id,
            creatorId: c.actor!.profileId,
            fileName: query.fileName,
            fileSize: file.size,
            mimeType: file.mime,
            storagePath: key,
            stl: file.stl ? { triangleCount: file.stl.triangleCount, boundingBox: file.stl.boundingBox } : null,
            ...notesMetadata(query.notes),
          });
          const kase = row.case_id ? await loadCase(trx, row.case_id) : null;
          return { project: toProject(row), workflowId: kase?.closed_at ? null : (kase?.workflow_id ?? null), actor: await uploaderActor(trx, row.practice_id) };
        }),
      );
      if (created.workflowId) {
        const { project } = created;
        try {
          await s.temporal.workflow.getHandle<typeof caseWorkflow>(created.workflowId).executeUpdate(projectVersionAddedUpdate, {
            args: [{ actor: created.actor, project: { projectId: project.projectId, versionId: project.id, version: project.version } }],
            updateId: `project-version:${project.id}`,
          });
        } catch (err) {
          // A case that finished meanwhile has no approval left to reopen.
          const finished =
            err instanceof WorkflowNotFoundError || (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === CaseRefusal.CaseFinished);
          if (!finished) throw err;
        }
      }
      return created.project;
    },
  });

  route(kit, {
    method: 'get',
    path: '/projects/:id/content',
    tags: ['projects'],
    summary: "Download a project version's file",
    params: ZIdParams,
    rawResponse: 'application/octet-stream',
    handler: async ({ params, res }) => {
      const row = await ctx().db(async (trx) => {
        const r = await loadVersion(trx, params.id);
        await recordRead(trx, r, 'GET /projects/{id}/content', 'project_content', r.id);
        return r;
      });
      const content = row.storage_path ? await s.storage.get(row.storage_path) : null;
      if (!content) throw ApiError.notFound('Project file');
      await sendStored(res, content, row.mime_type ?? 'application/octet-stream', row.file_name ?? `${row.name}-v${row.version}`);
    },
  });

  route(kit, {
    method: 'post',
    path: '/projects/:id/status',
    tags: ['projects'],
    summary: "Move a version's status: draft → in_progress → review → approved → archived",
    description:
      'Also review → in_progress (changes wanted) and any status but archived → archived. Anything else answers 409 invalid_status_transition naming status. Lab technicians move projects along but do not approve them (403): approval is the practice\'s. Lab support reads projects only (403 not_a_member).',
    params: ZIdParams,
    body: ZStatusBody,
    response: ZProject,
    errors: [403, 409],
    handler: ({ params, body }) =>
      ctx().db(async (trx) => {
        const row = await loadVersion(trx, params.id);
        await requireProjectWriter(trx, row.practice_id);
        const from = row.status;
        if (from === body.status) return toProject(row);
        if (!PROJECT_TRANSITIONS[from]?.includes(body.status)) {
          throw new ApiError(409, 'invalid_status_transition', `A project cannot go from ${from} to ${body.status}.`, [
            { field: 'status', message: `from ${from}: ${PROJECT_TRANSITIONS[from]?.join(', ') || 'no further status'}` },
          ]);
        }
        if (body.status === 'approved' && !(await myPracticeRole(trx, row.practice_id)) && (await myLabRole(trx)) !== 'admin') {
          throw ApiError.forbidden('A project is approved by its practice, not by the lab.');
        }
        if (!(await setStatus(trx, row.id, from, body.status))) {
          const now = await loadVersion(trx, row.id);
          throw new ApiError(409, 'invalid_status_transition', `The project's status changed meanwhile (now ${now.status}).`, [{ field: 'status', message: `now ${now.status}` }]);
        }
        return toProject(await loadVersion(trx, row.id));
      }),
  });
}
