/**
 * Workflow templates: list, get, validate (dry run: the compiler's errors, naming tasks), create,
 * and new version. A practice's templates are written by its owner/admin; lab-wide templates by
 * internal admins. Saving goes through saveTemplate (validates, versions) on the system handle
 * after those checks, which are made under RLS.
 */
import { sql } from 'kysely';
import type { Tx } from '../../db/database';
import { listTemplates, loadTemplateInput, saveTemplate, templateQuery, validateDefinition, type TemplateDefinition, type TemplateRow } from '../../repositories/templates.repository';
import { TASK_FUNCTIONS, WORKFLOW_CATEGORIES } from '../../workflows/plan/plan.types';
import { ApiError } from '../errors';
import { ctx } from '../context';
import { decodeCursor, encodeCursor, isoReq, page, requireManager, ZCaseType, ZIdParams, ZPageQuery, ZJsonObject, ZPracticeRole, ZTimestamp, ZUuid, ZName, ZText } from '../common';
import { route, type RouteKit } from '../route';
import type { ApiServices } from '../types';
import { z } from '../zod';

const ZTaskFunction = z.enum(TASK_FUNCTIONS as [string, ...string[]]);
const ZCategory = z.enum(WORKFLOW_CATEGORIES as [string, ...string[]]);
const ZKey = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

export const ZTemplateDefinition = z
  .object({
    name: ZName(200),
    description: ZText({ max: 5000 }).nullable().optional(),
    caseType: ZCaseType,
    practiceId: ZUuid.nullable().optional().openapi({ description: 'null/omitted = lab-wide (internal admins only)' }),
    metadata: ZJsonObject.optional(),
    tasks: z
      .array(
        z.object({
          key: ZKey,
          name: ZName(200),
          order: z.number().int().min(0).max(1_000_000),
          functionType: ZTaskFunction,
          requiredRoles: z.array(ZPracticeRole).nullable().optional(),
          estimatedMinutes: z.number().int().min(0).max(1_000_000).nullable().optional(),
          category: ZCategory.nullable().optional(),
          autoTransition: z.boolean().optional(),
          after: z.array(ZKey).nullable().optional(),
          reworkTo: ZKey.nullable().optional(),
          actionName: ZText({ max: 200 }).nullable().optional(),
          textPrompt: ZText({ max: 10_000 }).nullable().optional(),
          metadata: ZJsonObject.optional(),
        }),
      )
      .max(200),
  })
  .openapi('TemplateDefinition');
export type TTemplateDefinition = z.infer<typeof ZTemplateDefinition>;

export const ZTemplateError = z.object({ code: z.string(), taskId: z.string().nullable().openapi({ description: 'the key of the task concerned (as sent in the definition); null for the whole template' }), taskName: z.string().nullable(), message: z.string() }).openapi('TemplateError');
export const ZValidation = z.object({ valid: z.boolean(), errors: z.array(ZTemplateError) }).openapi('TemplateValidation');
export type TValidation = z.infer<typeof ZValidation>;

export const ZTemplate = z
  .object({
    id: ZUuid,
    familyId: ZUuid,
    version: z.number().int(),
    name: z.string(),
    description: z.string().nullable(),
    caseType: ZCaseType,
    practiceId: ZUuid.nullable(),
    active: z.boolean(),
    supersededBy: ZUuid.nullable(),
    createdAt: ZTimestamp,
    tasks: z
      .array(
        z.object({
          id: ZUuid,
          name: z.string(),
          order: z.number().int(),
          functionType: z.string(),
          requiredRoles: z.array(ZPracticeRole).nullable(),
          estimatedMinutes: z.number().nullable(),
          category: z.string().nullable(),
          autoTransition: z.boolean(),
          predecessorTaskIds: z.array(z.string()).nullable(),
          // What an editor needs to send the template back as a definition (POST …/versions) without
          // losing anything: the task's key (what `after`, `reworkTo` and the compiler's errors name),
          // its rework target by key, and the rest of its metadata.
          key: z.string(),
          reworkTo: z.string().nullable(),
          actionName: z.string().nullable(),
          textPrompt: z.string().nullable(),
          metadata: ZJsonObject,
        }),
      )
      .optional(),
  })
  .openapi('WorkflowTemplate');
export type TTemplate = z.infer<typeof ZTemplate>;

const toTemplate = (r: TemplateRow): TTemplate => ({
  id: r.id,
  familyId: r.family_id,
  version: r.version,
  name: r.name,
  description: r.description,
  caseType: r.case_type,
  practiceId: r.practice_id,
  active: r.active,
  supersededBy: r.superseded_by,
  createdAt: isoReq(r.created_at),
});

async function loadTemplate(trx: Tx, id: string): Promise<TTemplate> {
  const r = await templateQuery(trx).where('id', '=', id).executeTakeFirst();
  if (!r) throw ApiError.notFound('Workflow template');
  const input = await loadTemplateInput(trx, id);
  const keyOf = new Map((input?.tasks ?? []).map((t) => [t.id, typeof t.metadata.key === 'string' ? t.metadata.key : t.id]));
  return {
    ...toTemplate(r),
    tasks: (input?.tasks ?? []).map(({ metadata: { key: _key, rework_task_id: rework, ...metadata }, ...t }) => ({
      id: t.id,
      name: t.taskName,
      order: t.taskOrder,
      functionType: t.functionType,
      requiredRoles: t.requiredRoles,
      estimatedMinutes: t.estimatedDurationMs === null ? null : t.estimatedDurationMs / 60_000,
      category: t.category,
      autoTransition: t.autoTransition,
      predecessorTaskIds: t.predecessorTasks,
      key: keyOf.get(t.id)!,
      reworkTo: typeof rework === 'string' ? (keyOf.get(rework) ?? null) : null,
      actionName: t.actionName ?? null,
      textPrompt: t.textPrompt ?? null,
      metadata,
    })),
  };
}

/** Owner/admin of the template's practice, or an internal admin for lab-wide templates. */
async function requireTemplateWriter(trx: Tx, practiceId: string | null | undefined, field?: string): Promise<void> {
  if (practiceId) {
    await requireManager(trx, practiceId, field);
    return;
  }
  const admin = await sql<{ a: boolean }>`select public.is_internal_admin() as a`.execute(trx);
  if (!admin.rows[0]?.a) throw ApiError.forbidden('Only internal admins write lab-wide templates; set practiceId.');
}

export function templateRoutes(kit: RouteKit, s: ApiServices): void {
  route(kit, {
    method: 'get',
    path: '/workflow-templates',
    tags: ['templates'],
    summary: 'Templates the caller can use (lab-wide and their practices’), newest first, keyset-paginated',
    description:
      'Lab-wide templates and those of the practices the caller belongs to (a lab admin: every practice’s); `practiceId` narrows to that practice’s and the lab-wide ones, `includeInactive=true` adds superseded versions. Pages of `limit` (default 25, at most 100), newest first; follow `nextCursor` (null on the last page) to see them all.',
    query: ZPageQuery.extend({ caseType: ZCaseType.optional(), practiceId: ZUuid.optional(), includeInactive: z.enum(['true', 'false']).optional() }),
    response: page(ZTemplate, 'WorkflowTemplatePage'),
    handler: ({ query }) =>
      ctx().db(async (trx) => {
        const { items, more } = await listTemplates(trx, {
          caseType: query.caseType,
          practiceId: query.practiceId,
          includeInactive: query.includeInactive === 'true',
          limit: query.limit,
          after: decodeCursor(query.cursor),
        });
        const last = items.at(-1);
        return { items: items.map(toTemplate), nextCursor: more && last ? encodeCursor(last.created_at_text, last.id) : null };
      }),
  });

  route(kit, {
    method: 'get',
    path: '/workflow-templates/:id',
    tags: ['templates'],
    summary: 'One template version with its tasks',
    params: ZIdParams,
    response: ZTemplate,
    handler: ({ params }) => ctx().db((trx) => loadTemplate(trx, params.id)),
  });

  route(kit, {
    method: 'post',
    path: '/workflow-templates/validate',
    tags: ['templates'],
    summary: 'Validate a template definition without saving it (dry run)',
    body: ZTemplateDefinition,
    response: ZValidation,
    handler: async ({ body }) => {
      const r = validateDefinition(body as TemplateDefinition);
      return r.ok ? { valid: true, errors: [] } : { valid: false, errors: r.errors };
    },
  });

  route(kit, {
    method: 'post',
    path: '/workflow-templates',
    tags: ['templates'],
    summary: 'Create a template (422 template_invalid with the compiler’s errors)',
    body: ZTemplateDefinition,
    status: 201,
    response: ZTemplate,
    errors: [403, 404, 422],
    idempotent: true,
    handler: async ({ body }) => {
      const c = ctx();
      await c.db((trx) => requireTemplateWriter(trx, body.practiceId, 'practiceId'));
      const saved = await saveTemplate(s.database.system, body as TemplateDefinition);
      return c.db((trx) => loadTemplate(trx, saved.id));
    },
  });

  route(kit, {
    method: 'post',
    path: '/workflow-templates/:id/versions',
    tags: ['templates'],
    summary: 'Save a new version of a template (edits in place while no case used it)',
    params: ZIdParams,
    body: ZTemplateDefinition.omit({ practiceId: true }),
    status: 201,
    response: ZTemplate,
    errors: [403, 422],
    idempotent: true,
    handler: async ({ params, body }) => {
      const c = ctx();
      const current = await c.db(async (trx) => {
        const t = await templateQuery(trx).where('id', '=', params.id).executeTakeFirst();
        if (!t) throw ApiError.notFound('Workflow template');
        await requireTemplateWriter(trx, t.practice_id);
        return t;
      });
      const saved = await saveTemplate(s.database.system, { ...(body as TemplateDefinition), practiceId: current.practice_id }, current.id);
      return c.db((trx) => loadTemplate(trx, saved.id));
    },
  });
}
