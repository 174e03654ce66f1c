/**
 * Starting a case: the one path used by the API, the demo seed and the legacy migration.
 * The case row and its workflow come into being together and idempotently:
 * - the workflow id derives from the business key (practice + case number), so a retry never
 *   starts a second workflow (`USE_EXISTING` while running, `REJECT_DUPLICATE` once closed);
 * - the row is committed first, then the workflow is started; if that start fails, the row keeps
 *   `workflow_started_at` null and `ensureCaseWorkflows()` (run by every worker at start-up)
 *   starts it later, so no case stays without its workflow.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { sql } from 'kysely';
import type { Db, Tx } from '../db/database';
import * as SA from '../../temporal/search-attributes';
import { compileStoredTemplate, findTemplateForCaseType } from '../repositories/templates.repository';
import { caseWorkflow } from '../workflows/case.workflow';
import { caseViewQuery, caseWorkflowId, type CaseSnapshot, type CaseWorkflowOptions, type Priority } from '../workflows/case.messages';
import type { AwaitingTask } from '../workflows/case.events';
import { replaceAwaitingTasks } from '../repositories/case-events.repository';
import type { Plan, TemplateError } from '../workflows/plan/plan.types';

export interface CaseServiceDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
}

export interface StartCaseInput {
  practiceId: string;
  patientId: string;
  createdBy: string;
  title: string;
  description?: string | null;
  caseType: string;
  priority?: Priority;
  /** Practice-specific number; generated (`C-000001`, …) when omitted. */
  caseNumber?: string;
  templateId?: string;
  assignedPractitionerId?: string | null;
  metadata?: Record<string, unknown>;
  workflowOptions?: CaseWorkflowOptions;
  /**
   * Start at a position instead of the beginning (the legacy migration's live cases): the
   * workflow resumes from this snapshot exactly as after continue-as-new.
   */
  startFrom?: CaseSnapshot;
}

export interface StartedCase {
  caseId: string;
  caseNumber: string;
  workflowId: string;
  templateId: string;
  /** false when an existing case with that number was found (idempotent retry). */
  created: boolean;
}

export class CaseServiceError extends Error {
  constructor(
    readonly code: 'no_template' | 'template_invalid' | 'template_not_found' | 'case_number_taken',
    message: string,
    readonly details?: TemplateError[],
  ) {
    super(message);
  }
}

export function createCaseService(deps: CaseServiceDeps) {
  const { db, temporal, taskQueue } = deps;

  /**
   * Compiled plans by template id and version stamp. A template is edited in place only while
   * no case uses it, and every edit moves its updated_at, so a stamp names one plan forever.
   */
  const plans = new Map<string, Plan>();

  async function resolvePlan(input: StartCaseInput): Promise<{ plan: Plan; stamp: string }> {
    const templateId = input.templateId ?? (await findTemplateForCaseType(db, input.practiceId, input.caseType));
    if (!templateId) throw new CaseServiceError('no_template', `No active workflow template for case type "${input.caseType}".`);
    const stamp = await db.selectFrom('workflow_templates').select(sql<string>`updated_at::text`.as('at')).where('id', '=', templateId).executeTakeFirst();
    if (!stamp) throw new CaseServiceError('template_not_found', `Workflow template ${templateId} does not exist.`);
    const key = `${templateId}@${stamp.at}`;
    const cached = plans.get(key);
    if (cached) return { plan: cached, stamp: stamp.at };
    const compiled = await compileStoredTemplate(db, templateId);
    if (!compiled) throw new CaseServiceError('template_not_found', `Workflow template ${templateId} does not exist.`);
    if (!compiled.ok) throw new CaseServiceError('template_invalid', `Workflow template ${templateId} is invalid.`, compiled.errors);
    if (plans.size > 1000) plans.clear();
    plans.set(key, compiled.plan);
    return { plan: compiled.plan, stamp: stamp.at };
  }

  async function startWorkflow(
    row: { id: string; practice_id: string; case_number: string; case_type: string; priority: string | null; workflow_id: string },
    plan: Plan,
    options?: CaseWorkflowOptions,
    startFrom?: CaseSnapshot,
  ) {
    try {
      await temporal.workflow.start(caseWorkflow, {
        taskQueue,
        workflowId: row.workflow_id,
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        args: [
          {
            caseId: row.id,
            practiceId: row.practice_id,
            caseNumber: row.case_number,
            caseType: row.case_type,
            priority: (row.priority ?? 'medium') as Priority,
            plan,
            options,
            ...(startFrom ? { snapshot: startFrom } : {}),
          },
        ],
        typedSearchAttributes: [
          { key: SA.CaseNumber, value: row.case_number },
          { key: SA.PracticeId, value: row.practice_id },
          { key: SA.CaseState, value: startFrom?.state ?? 'submitted' },
          { key: SA.CasePriority, value: row.priority ?? 'medium' },
          { key: SA.CaseType, value: row.case_type },
          { key: SA.TemplateId, value: plan.templateId },
          { key: SA.Overdue, value: false },
          ...(startFrom ? [{ key: SA.AwaitingRoles, value: awaitedRolesOf(plan, startFrom) }] : []),
        ],
      });
    } catch (err) {
      // A closed workflow with this id: the case already ran; nothing to start.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    await db.updateTable('cases').set({ workflow_started_at: sql`coalesce(workflow_started_at, now())` }).where('id', '=', row.id).execute();
  }

  /**
   * Inserts the case row and its first state in one transaction, holding the template row so
   * an in-place edit cannot slip between compile and insert. Null when the template changed.
   */
  async function insertCase(input: StartCaseInput, plan: Plan, stamp: string) {
    return db.transaction().execute(async (trx) => {
      const current = await trx
        .selectFrom('workflow_templates')
        .select(sql<string>`updated_at::text`.as('at'))
        .where('id', '=', plan.templateId)
        .forShare()
        .executeTakeFirst();
      if (current?.at !== stamp) return null;
      const caseNumber = input.caseNumber ?? (await nextCaseNumber(trx, input.practiceId));
      const workflowId = caseWorkflowId(input.practiceId, caseNumber);
      const inserted = await trx
        .insertInto('cases')
        .values({
          practice_id: input.practiceId,
          patient_id: input.patientId,
          assigned_practitioner_id: input.assignedPractitionerId ?? null,
          case_number: caseNumber,
          title: input.title,
          description: input.description ?? null,
          case_type: input.caseType as never,
          priority: input.priority ?? 'medium',
          current_state: 'submitted',
          workflow_template_id: plan.templateId,
          workflow_id: workflowId,
          metadata: JSON.stringify(input.metadata ?? {}),
        })
        .returning(['id', 'practice_id', 'case_number', 'case_type', 'priority', 'workflow_id'])
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('case_states')
        .values({
          case_id: inserted.id,
          practice_id: input.practiceId,
          from_state: null,
          to_state: 'submitted',
          changed_by: input.createdBy,
          reason: 'case submitted',
          metadata: JSON.stringify({ workflowId }),
          idempotency_key: `${workflowId}/0:state`,
        })
        .execute();
      return inserted as typeof inserted & { workflow_id: string };
    });
  }

  return {
    /** Creates the case and starts its workflow; a retry with the same case number returns the first. */
    async startCase(input: StartCaseInput): Promise<StartedCase> {
      if (input.caseNumber) {
        const existing = await db
          .selectFrom('cases')
          .selectAll()
          .where('practice_id', '=', input.practiceId)
          .where('case_number', '=', input.caseNumber)
          .executeTakeFirst();
        if (existing) {
          if (existing.patient_id !== input.patientId) {
            throw new CaseServiceError('case_number_taken', `Case number ${input.caseNumber} is already used by another case of this practice.`);
          }
          const { plan } = await resolvePlan({ ...input, templateId: existing.workflow_template_id ?? input.templateId });
          await startWorkflow(existing as never, plan, input.workflowOptions, input.startFrom);
          return { caseId: existing.id, caseNumber: existing.case_number, workflowId: existing.workflow_id!, templateId: plan.templateId, created: false };
        }
      }
      let plan: Plan;
      let row: { id: string; practice_id: string; case_number: string; case_type: string; priority: string | null; workflow_id: string };
      for (let attempt = 1; ; attempt++) {
        const resolved = await resolvePlan(input);
        plan = resolved.plan;
        const inserted = await insertCase(input, plan, resolved.stamp);
        if (inserted) {
          row = inserted;
          break;
        }
        // The template was edited in place between compiling and inserting: compile again.
        if (attempt === 3) throw new CaseServiceError('template_invalid', 'The workflow template kept changing while the case was created; retry.');
      }
      await startWorkflow(row, plan, input.workflowOptions, input.startFrom);
      return { caseId: row.id, caseNumber: row.case_number, workflowId: row.workflow_id, templateId: plan.templateId, created: true };
    },

    /** Starts workflows for case rows whose start never completed (crash between commit and start). */
    async ensureCaseWorkflows(limit = 500): Promise<number> {
      const orphans = await db
        .selectFrom('cases')
        .select(['id', 'practice_id', 'case_number', 'case_type', 'priority', 'workflow_id', 'workflow_template_id', 'patient_id'])
        .where('workflow_started_at', 'is', null)
        .where('workflow_id', 'is not', null)
        .where('closed_at', 'is', null)
        .limit(limit)
        .execute();
      for (const c of orphans) {
        if (!c.workflow_template_id) continue;
        const compiled = await compileStoredTemplate(db, c.workflow_template_id);
        if (!compiled?.ok) continue;
        await startWorkflow(c as never, compiled.plan);
      }
      return orphans.length;
    },

    /**
     * Writes awaiting_tasks for running cases that have none yet (awaiting_seq NULL): cases
     * started before workflows persisted them (db/migrations/0014) appear in inboxes without
     * waiting for their next change. Asks each workflow for its view; seq 0 loses to any event.
     * Returns the number of cases written.
     */
    async backfillAwaitingTasks(limit = 500, queryTimeoutMs = 5000): Promise<number> {
      const open = await db
        .selectFrom('cases')
        .select(['id', 'practice_id', 'workflow_id'])
        .where('awaiting_seq', 'is', null)
        .where('workflow_started_at', 'is not', null)
        .where('workflow_id', 'is not', null)
        .where('closed_at', 'is', null)
        .limit(limit)
        .execute();
      let written = 0;
      for (const c of open) {
        const view = await temporal.connection
          .withDeadline(Date.now() + queryTimeoutMs, () => temporal.workflow.getHandle(c.workflow_id!).query(caseViewQuery))
          .catch(() => null);
        if (!view || view.status !== 'active') continue;
        const tasks: AwaitingTask[] = view.tasks
          .filter((t) => t.awaitingDecision)
          .map((t) => ({ taskId: t.id, name: t.name, kind: t.kind as AwaitingTask['kind'], roles: t.requiredRoles, dueAt: t.dueAt, overdue: t.overdue }));
        await replaceAwaitingTasks(db, { caseId: c.id, practiceId: c.practice_id }, { seq: 0, priority: view.priority, tasks });
        written += 1;
      }
      return written;
    },
  };
}

export type CaseService = ReturnType<typeof createCaseService>;

/** Roles awaited at a start position (what the workflow would upsert as AwaitingRoles). */
function awaitedRolesOf(plan: Plan, s: CaseSnapshot): string[] {
  if (s.hold) return [];
  const roles = new Set<string>();
  for (const t of plan.tasks) if (s.tasks[t.id]?.status === 'active' && t.kind !== 'automatic') t.requiredRoles.forEach((r) => roles.add(r));
  return [...roles].sort();
}

/**
 * The next free generated case number of a practice (`C-000001`, …). A number someone typed by
 * hand may already hold a value of the sequence: such values are skipped.
 */
async function nextCaseNumber(db: Db | Tx, practiceId: string): Promise<string> {
  for (;;) {
    const r = await sql<{ n: string }>`select public.next_case_number(${practiceId})::text as n`.execute(db);
    const candidate = `C-${r.rows[0]!.n.padStart(6, '0')}`;
    const taken = await db.selectFrom('cases').select('id').where('practice_id', '=', practiceId).where('case_number', '=', candidate).executeTakeFirst();
    if (!taken) return candidate;
  }
}
