/**
 * 3D projects and their versions (db/migrations/0002, 0047). A project is a chain of projects
 * rows linked by parent_project_id: the first row (parent NULL) is the project, each row one
 * version with its own file. Plain functions taking the caller's transaction first (RLS applies).
 */
import { sql } from 'kysely';
import type { Tx } from '../db/database';

export const PROJECT_STATUSES = ['draft', 'in_progress', 'review', 'approved', 'archived'] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

/**
 * Where a version's status may go. Forward along draft → in_progress → review → approved, back
 * from review to in_progress (changes wanted), and to archived from anywhere but archived.
 * 'deleted' (in the enum for legacy rows) is not reachable through the API.
 */
export const PROJECT_TRANSITIONS: Record<string, readonly ProjectStatus[]> = {
  draft: ['in_progress', 'archived'],
  in_progress: ['review', 'archived'],
  review: ['approved', 'in_progress', 'archived'],
  approved: ['archived'],
  archived: [],
  deleted: [],
};

export const PROJECT_TYPES = ['scan', 'model', 'simulation', 'treatment_plan', 'aligner_design', 'impression', 'xray', 'photo', 'document', 'other'] as const;
export type ProjectType = (typeof PROJECT_TYPES)[number];

const COLUMNS = [
  'p.id',
  'p.practice_id',
  'p.case_id',
  'p.creator_id',
  'p.name',
  'p.project_type',
  'p.status',
  'p.version',
  'p.parent_project_id',
  'p.file_name',
  'p.file_size',
  'p.mime_type',
  'p.storage_path',
  'p.triangle_count',
  'p.bounding_box',
  'p.metadata',
  'p.created_at',
  'p.updated_at',
] as const;

export function projectQuery(trx: Tx) {
  return trx.selectFrom('projects as p').select(COLUMNS);
}
export type ProjectRow = Awaited<ReturnType<ReturnType<typeof projectQuery>['executeTakeFirstOrThrow']>> & { root_id: string };

/** The first row of the chain `id` belongs to (walking parent links; bounded against cycles). */
export async function rootOf(trx: Tx, id: string): Promise<string | null> {
  const { rows } = await sql<{ id: string }>`
    WITH RECURSIVE up AS (
      SELECT p.id, p.parent_project_id, 0 AS depth FROM public.projects p WHERE p.id = ${id}::uuid
      UNION ALL
      SELECT p.id, p.parent_project_id, up.depth + 1 FROM public.projects p JOIN up ON p.id = up.parent_project_id WHERE up.depth < 10000
    )
    SELECT id FROM up ORDER BY depth DESC LIMIT 1`.execute(trx);
  return rows[0]?.id ?? null;
}

/** One version as the caller may see it, with its project (chain root) id; undefined otherwise. */
export async function findVersion(trx: Tx, id: string): Promise<ProjectRow | undefined> {
  const row = await projectQuery(trx).where('p.id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  return { ...row, root_id: (await rootOf(trx, id)) ?? id };
}

/** Every version of the project rooted at `rootId`, oldest first (legacy branches included). */
export async function versionChain(trx: Tx, rootId: string): Promise<ProjectRow[]> {
  const { rows } = await sql<{ id: string }>`
    WITH RECURSIVE down AS (
      SELECT p.id, 0 AS depth FROM public.projects p WHERE p.id = ${rootId}::uuid
      UNION ALL
      SELECT p.id, down.depth + 1 FROM public.projects p JOIN down ON p.parent_project_id = down.id WHERE down.depth < 10000
    )
    SELECT id FROM down`.execute(trx);
  if (!rows.length) return [];
  const all = await projectQuery(trx)
    .where(
      'p.id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('p.version')
    .orderBy('p.created_at')
    .orderBy('p.id')
    .execute();
  return all.map((r) => ({ ...r, root_id: rootId }));
}

/** The projects of a case: each project's newest version, newest project first. */
export async function caseProjects(trx: Tx, caseId: string): Promise<Array<ProjectRow & { version_count: number }>> {
  const { rows } = await sql<{ id: string; root_id: string; version_count: number }>`
    WITH RECURSIVE chain AS (
      SELECT p.id, p.id AS root_id, 0 AS depth FROM public.projects p WHERE p.case_id = ${caseId}::uuid AND p.parent_project_id IS NULL
      UNION ALL
      SELECT p.id, chain.root_id, chain.depth + 1 FROM public.projects p JOIN chain ON p.parent_project_id = chain.id WHERE chain.depth < 10000
    ), ranked AS (
      SELECT c.id, c.root_id, count(*) OVER (PARTITION BY c.root_id)::int AS version_count,
             row_number() OVER (PARTITION BY c.root_id ORDER BY p.version DESC, p.created_at DESC, p.id DESC) AS rn
        FROM chain c JOIN public.projects p ON p.id = c.id
    )
    SELECT id, root_id, version_count FROM ranked WHERE rn = 1`.execute(trx);
  if (!rows.length) return [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const heads = await projectQuery(trx)
    .where(
      'p.id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('p.created_at', 'desc')
    .orderBy('p.id', 'desc')
    .execute();
  return heads.map((h) => ({ ...h, root_id: byId.get(h.id)!.root_id, version_count: byId.get(h.id)!.version_count }));
}

export interface NewVersion {
  id: string;
  caseId: string;
  practiceId: string;
  creatorId: string;
  name: string;
  projectType: ProjectType;
  fileName: string;
  fileSize: number;
  mimeType: string;
  storagePath: string;
  stl: { triangleCount: number; boundingBox: unknown } | null;
  metadata?: Record<string, unknown>;
}

/** Inserts the first version of a new project. */
export async function insertProject(trx: Tx, v: NewVersion): Promise<void> {
  await trx.insertInto('projects').values(values(v, null, 1)).execute();
}

/**
 * Appends a version after the newest one of the chain rooted at `rootId` (same name and type),
 * serialised per project by an advisory lock so concurrent uploads get consecutive numbers.
 * Lab staff may not lock rows FOR UPDATE (no UPDATE on the parent), hence the advisory lock.
 */
export async function appendVersion(trx: Tx, rootId: string, v: Omit<NewVersion, 'name' | 'projectType' | 'caseId' | 'practiceId'>): Promise<ProjectRow> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`project:${rootId}`}, 0))`.execute(trx);
  const chain = await versionChain(trx, rootId);
  const newest = chain.reduce((a, b) => (b.version > a.version || (b.version === a.version && b.created_at > a.created_at) ? b : a));
  const root = chain[0]!;
  await trx
    .insertInto('projects')
    .values(values({ ...v, name: root.name, projectType: root.project_type as ProjectType, caseId: root.case_id!, practiceId: root.practice_id }, newest.id, newest.version + 1))
    .execute();
  return (await findVersion(trx, v.id))!;
}

function values(v: NewVersion, parentId: string | null, version: number) {
  return {
    id: v.id,
    case_id: v.caseId,
    practice_id: v.practiceId,
    creator_id: v.creatorId,
    name: v.name,
    project_type: v.projectType,
    file_name: v.fileName,
    file_size: v.fileSize,
    mime_type: v.mimeType,
    storage_path: v.storagePath,
    triangle_count: v.stl?.triangleCount ?? null,
    bounding_box: v.stl ? JSON.stringify(v.stl.boundingBox) : null,
    metadata: JSON.stringify(v.metadata ?? {}),
    parent_project_id: parentId,
    version,
  };
}

/**
 * Moves a version's status from `from` to `to`: one conditional UPDATE, so of two concurrent
 * transitions from the same status one wins. Returns whether it moved.
 */
export async function setStatus(trx: Tx, id: string, from: string, to: ProjectStatus): Promise<boolean> {
  const r = await trx.updateTable('projects').set({ status: to }).where('id', '=', id).where('status', '=', from as ProjectStatus).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
