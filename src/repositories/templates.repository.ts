/**
 * Workflow templates: loading them as compiler input, and saving them validated and versioned.
 * A template that a case has used is never changed under it: saving makes a new version.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db, Tx } from '../db/database';
import { compileTemplate } from '../workflows/plan/compiler';
import type {
  CompileResult,
  PracticeRole,
  TaskFunction,
  TemplateError,
  TemplateInput,
  TemplateTaskInput,
  WorkflowCategory,
  WorkflowStepInput,
  CaseState,
} from '../workflows/plan/plan.types';

type Handle = Db | Tx;

const intervalMs = (column: string) => sql<number | null>`(extract(epoch from ${sql.ref(column)}) * 1000)::float8`;

/** Loads one template version with its tasks and steps, ready for the compiler. */
export async function loadTemplateInput(db: Handle, templateId: string): Promise<TemplateInput | null> {
  const t = await db
    .selectFrom('workflow_templates')
    .select(['id', 'name', 'case_type', 'version'])
    .where('id', '=', templateId)
    .executeTakeFirst();
  if (!t) return null;
  const tasks = await db
    .selectFrom('workflow_template_tasks')
    .select([
      'id',
      'task_name',
      'task_order',
      'function_type',
      'action_name',
      'text_prompt',
      intervalMs('estimated_duration').as('estimated_ms'),
      'required_roles',
      'category',
      'auto_transition',
      'predecessor_tasks',
      'metadata',
    ])
    .where('workflow_template_id', '=', templateId)
    .orderBy('task_order')
    .execute();
  const steps = await db
    .selectFrom('workflow_steps')
    .select(['step_order', 'name', 'state', 'auto_transition', 'required_roles', intervalMs('estimated_duration').as('estimated_ms')])
    .where('workflow_template_id', '=', templateId)
    .orderBy('step_order')
    .execute();
  return {
    id: t.id,
    version: t.version,
    name: t.name,
    caseType: t.case_type,
    tasks: tasks.map(
      (r): TemplateTaskInput => ({
        id: r.id,
        taskName: r.task_name,
        taskOrder: r.task_order,
        functionType: r.function_type as TaskFunction,
        actionName: r.action_name,
        textPrompt: r.text_prompt,
        estimatedDurationMs: r.estimated_ms === null ? null : Number(r.estimated_ms),
        requiredRoles: parseRoles(r.required_roles),
        category: (r.category as WorkflowCategory | null) ?? null,
        autoTransition: r.auto_transition ?? false,
        predecessorTasks: r.predecessor_tasks ?? null,
        metadata: (r.metadata as Record<string, unknown> | null) ?? {},
      }),
    ),
    steps: steps.map(
      (r): WorkflowStepInput => ({
        stepOrder: r.step_order,
        name: r.name,
        state: r.state as CaseState,
        autoTransition: r.auto_transition ?? false,
        requiredRoles: parseRoles(r.required_roles),
        estimatedDurationMs: r.estimated_ms === null ? null : Number(r.estimated_ms),
      }),
    ),
  };
}

/** node-postgres returns arrays of enums as the literal `{a,b}` (no parser for custom types). */
export function parseRoles(value: unknown): PracticeRole[] | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value as PracticeRole[];
  const text = String(value).replace(/^\{|\}$/g, '');
  return text ? (text.split(',') as PracticeRole[]) : [];
}

/** The newest active template version for a case type: the practice's own first, then the lab's. */
export async function findTemplateForCaseType(db: Handle, practiceId: string, caseType: string): Promise<string | null> {
  const row = await db
    .selectFrom('workflow_templates')
    .select('id')
    .where('case_type', '=', caseType as never)
    .where('active', '=', true)
    .where('superseded_by', 'is', null)
    .where((eb) => eb.or([eb('practice_id', '=', practiceId), eb('practice_id', 'is', null)]))
    .orderBy(sql`practice_id is null`)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.id ?? null;
}

export async function compileStoredTemplate(db: Handle, templateId: string): Promise<CompileResult | null> {
  const input = await loadTemplateInput(db, templateId);
  return input && compileTemplate(input);
}

/** A template as staff write it: tasks refer to each other by `key` (stable across versions). */
export interface TemplateDefinition {
  name: string;
  description?: string | null;
  caseType: string;
  practiceId?: string | null;
  metadata?: Record<string, unknown>;
  tasks: Array<{
    key: string;
    name: string;
    order: number;
    functionType: TaskFunction;
    requiredRoles?: PracticeRole[] | null;
    estimatedMinutes?: number | null;
    category?: WorkflowCategory | null;
    autoTransition?: boolean;
    /** Keys of predecessor tasks; omitted = the previous task by order; [] = starts immediately. */
    after?: string[] | null;
    /** Key of the task a rejection sends the case back to. */
    reworkTo?: string | null;
    actionName?: string | null;
    textPrompt?: string | null;
    metadata?: Record<string, unknown>;
  }>;
}

export class TemplateInvalidError extends Error {
  constructor(readonly errors: TemplateError[]) {
    super(`template is invalid: ${errors.map((e) => e.message).join(' ')}`);
  }
}

/** Maps a definition (tasks keyed by `key`) to compiler input with the given task ids. */
function toInput(def: TemplateDefinition, templateId: string, version: number, ids: Map<string, string>): TemplateInput {
  return {
    id: templateId,
    version,
    name: def.name,
    caseType: def.caseType,
    tasks: def.tasks.map((t) => ({
      id: ids.get(t.key)!,
      taskName: t.name,
      taskOrder: t.order,
      functionType: t.functionType,
      actionName: t.actionName ?? null,
      textPrompt: t.textPrompt ?? null,
      estimatedDurationMs: t.estimatedMinutes === null || t.estimatedMinutes === undefined ? null : t.estimatedMinutes * 60_000,
      requiredRoles: t.requiredRoles ?? null,
      category: t.category ?? null,
      autoTransition: t.autoTransition ?? false,
      predecessorTasks: t.after === undefined || t.after === null ? null : t.after.map((k) => ids.get(k) ?? `unknown:${k}`),
      metadata: { ...(t.metadata ?? {}), key: t.key, ...(t.reworkTo ? { rework_task_id: ids.get(t.reworkTo) ?? `unknown:${t.reworkTo}` } : {}) },
    })),
  };
}

/** Validates a definition without saving it (dry run). */
export function validateDefinition(def: TemplateDefinition): CompileResult {
  const ids = new Map(def.tasks.map((t, i) => [t.key, `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`]));
  const dup = def.tasks.find((t, i) => def.tasks.findIndex((u) => u.key === t.key) !== i);
  if (dup) {
    return { ok: false, errors: [{ code: 'duplicate_task_id', taskId: null, taskName: dup.name, message: `Two tasks share the key "${dup.key}".` }] };
  }
  const result = compileTemplate(toInput(def, 'dry-run', 1, ids));
  if (result.ok) return result;
  // The ids above exist only for this dry run: errors name the task by the key the caller sent
  // (what an editor shows them on), not by an id nobody else knows.
  const keyOf = new Map([...ids].map(([key, id]) => [id, key]));
  return { ...result, errors: result.errors.map((e) => ({ ...e, taskId: e.taskId === null ? null : (keyOf.get(e.taskId) ?? e.taskId) })) };
}

/**
 * Saves a template. With `replacesId`, the template is edited: in place while no case has used
 * it, otherwise as a new version (same family) that supersedes it, so running cases keep theirs.
 * @returns the id of the saved version.
 */
export async function saveTemplate(db: Db, def: TemplateDefinition, replacesId?: string): Promise<{ id: string; version: number }> {
  const check = validateDefinition(def);
  if (!check.ok) throw new TemplateInvalidError(check.errors);
  return db.transaction().execute(async (trx) => {
    let familyId: string | null = null;
    let version = 1;
    if (replacesId) {
      const old = await trx
        .selectFrom('workflow_templates')
        .select(['id', 'family_id', 'version', 'superseded_by'])
        .where('id', '=', replacesId)
        .forUpdate()
        .executeTakeFirst();
      if (!old) throw new Error(`template ${replacesId} not found`);
      if (old.superseded_by) throw new TemplateInvalidError([{ code: 'no_tasks', taskId: null, taskName: null, message: 'Only the newest version of a template can be edited.' }]);
      const used = await trx.selectFrom('cases').select('id').where('workflow_template_id', '=', replacesId).limit(1).executeTakeFirst();
      if (!used) {
        await trx.deleteFrom('workflow_template_tasks').where('workflow_template_id', '=', replacesId).execute();
        await trx
          .updateTable('workflow_templates')
          .set({ name: def.name, description: def.description ?? null, case_type: def.caseType as never, metadata: JSON.stringify(def.metadata ?? {}) })
          .where('id', '=', replacesId)
          .execute();
        await insertTasks(trx, def, replacesId, old.version);
        return { id: replacesId, version: old.version };
      }
      familyId = old.family_id ?? old.id;
      version = old.version + 1;
    }
    const id = randomUUID();
    const created = await trx
      .insertInto('workflow_templates')
      .values({
        id,
        family_id: familyId ?? id,
        name: def.name,
        description: def.description ?? null,
        case_type: def.caseType as never,
        practice_id: def.practiceId ?? null,
        metadata: JSON.stringify(def.metadata ?? {}),
        version,
      })
      .returning(['id', 'version'])
      .executeTakeFirstOrThrow();
    if (replacesId) await trx.updateTable('workflow_templates').set({ superseded_by: created.id, active: false }).where('id', '=', replacesId).execute();
    await insertTasks(trx, def, created.id, created.version);
    return { id: created.id, version: created.version };
  });
}

async function insertTasks(trx: Tx, def: TemplateDefinition, templateId: string, version: number): Promise<void> {
  const ids = new Map(def.tasks.map((t) => [t.key, randomUUID()]));
  const input = toInput(def, templateId, version, ids);
  if (input.tasks.length === 0) return;
  await trx
    .insertInto('workflow_template_tasks')
    .values(
      input.tasks.map((t) => ({
        id: t.id,
        workflow_template_id: templateId,
        task_name: t.taskName,
        task_order: t.taskOrder,
        function_type: t.functionType,
        action_name: t.actionName ?? null,
        text_prompt: t.textPrompt ?? null,
        estimated_duration: t.estimatedDurationMs === null ? null : `${t.estimatedDurationMs} milliseconds`,
        required_roles: t.requiredRoles === null ? null : sql`${`{${t.requiredRoles.join(',')}}`}::practice_role[]`,
        category: t.category,
        auto_transition: t.autoTransition,
        predecessor_tasks: t.predecessorTasks,
        metadata: JSON.stringify(t.metadata),
      })),
    )
    .execute();
}

/** The columns a template is answered with (templates.routes.ts toTemplate), and its keyset text. */
export function templateQuery(db: Handle) {
  return db
    .selectFrom('workflow_templates')
    .select(['id', 'family_id', 'version', 'name', 'description', 'case_type', 'practice_id', 'active', 'superseded_by', 'created_at', sql<string>`created_at::text`.as('created_at_text')]);
}
export type TemplateRow = Awaited<ReturnType<ReturnType<typeof templateQuery>['executeTakeFirstOrThrow']>>;

/**
 * One page of the templates the caller sees (lab-wide ones and those of their practices; a lab
 * admin every practice's), newest first by (created_at, id) like listPractices. The list used to
 * stop silently at 500 by name: a lab admin sees every client practice's templates, and with
 * `includeInactive` every superseded version too.
 * @param f.practiceId - that practice's templates and the lab-wide ones.
 * @param f.after - the (created_at, id) of the previous page's last row (decodeCursor).
 */
export async function listTemplates(
  db: Handle,
  f: { caseType?: string; practiceId?: string; includeInactive: boolean; limit: number; after: { createdAt: string; id: string } | null },
): Promise<{ items: TemplateRow[]; more: boolean }> {
  let q = templateQuery(db).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit + 1);
  if (f.caseType) q = q.where('case_type', '=', f.caseType as never);
  const practiceId = f.practiceId;
  if (practiceId) q = q.where((eb) => eb.or([eb('practice_id', '=', practiceId), eb('practice_id', 'is', null)]));
  if (!f.includeInactive) q = q.where('active', '=', true);
  if (f.after) q = q.where(sql<boolean>`(created_at, id) < (${f.after.createdAt}::timestamptz, ${f.after.id}::uuid)`);
  const rows = await q.execute();
  return { items: rows.slice(0, f.limit), more: rows.length > f.limit };
}
