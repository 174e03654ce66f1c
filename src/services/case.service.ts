/**
 * Starting a case: the one path used by the API, the demo seed and the legacy migration.
 * The case row and its workflow come into being together and idempotently:
 * - the workflow id derives from the business key (practice + case number), so a retry never
 *   starts a second workflow (`USE_EXISTING` while running, `REJECT_DUPLICATE` once closed);
 * - the row is committed first, then the workflow is started; if that start fails, the row keeps
 *   `workflow_started_at` null and `ensureCaseWorkflows()` (run by every worker at start-up)
 *   starts it later, so no case stays without its workflow;
 * - the row is inserted with `ON CONFLICT DO NOTHING`, so of concurrent starts with one case
 *   number exactly one inserts and the others find its row: identical requests all get that
 *   case, a request that differs gets `case_number_taken` naming the fields that differ
 *   (compared with what the case was created with, `cases.start_request`).
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { sql } from 'kysely';
import type { Db, Tx } from '../db/database';
import * as SA from '../../temporal/search-attributes';
import { compileStoredTemplate, findTemplateForCaseType } from '../repositories/templates.repository';
import { caseWorkflow } from '../workflows/case.workflow';
import {
  caseViewQuery,
  caseWorkflowId,
  DEFAULT_AT_RISK_SLACK_MS,
  type CaseSnapshot,
  type CaseWorkflowOptions,
  type Priority,
  type SeatPlan,
} from '../workflows/case.messages';
import type { AwaitingTask } from '../workflows/case.events';
import { replaceAwaitingTasks } from '../repositories/case-events.repository';
import type { Plan, TemplateError } from '../workflows/plan/plan.types';

export interface CaseServiceDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  /** Slack below which a case with a seat date is at risk (config CASE_AT_RISK_SLACK_HOURS); default 24 h. */
  atRiskSlackMs?: number;
  /** ensureCaseWorkflows() skips cases younger than this (config CASE_SWEEP_MIN_AGE_MS); default 0. */
  sweepMinAgeMs?: number;
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
  /** The seat appointment: the workflow plans backward from it (issue 11, part 3). */
  seat?: { seatDate: string; transitDays: number };
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
    readonly details?: TemplateError[] | Array<{ field: string; message: string }>,
  ) {
    super(message);
  }
}

/** What a case is created with, defaults filled in: stored as `cases.start_request` (0015). */
export interface StartRequest {
  patientId: string;
  title: string;
  description: string | null;
  caseType: string;
  priority: Priority;
  /** The template the case runs (the request's, or the one chosen for its case type). */
  templateId: string | null;
  assignedPractitionerId: string | null;
  metadata: Record<string, unknown>;
  /** Absent (compared as null) in requests stored before seat dates existed. */
  seatDate?: string | null;
  transitDays?: number | null;
}

function startRequestOf(input: StartCaseInput, templateId: string | null): StartRequest {
  return {
    patientId: input.patientId,
    title: input.title,
    description: input.description ?? null,
    caseType: input.caseType,
    priority: input.priority ?? 'medium',
    templateId,
    assignedPractitionerId: input.assignedPractitionerId ?? null,
    metadata: input.metadata ?? {},
    seatDate: input.seat ? new Date(input.seat.seatDate).toISOString() : null,
    transitDays: input.seat ? input.seat.transitDays : null,
  };
}

interface ExistingCase {
  id: string;
  practice_id: string;
  case_number: string;
  case_type: string;
  priority: string | null;
  workflow_id: string | null;
  workflow_template_id: string | null;
  patient_id: string;
  title: string;
  description: string | null;
  assigned_practitioner_id: string | null;
  metadata: unknown;
  start_request: unknown;
  seat_date?: Date | null;
  transit_days?: number;
}

/** JSON with object keys sorted: jsonb does not keep the key order it was given. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

/**
 * The fields in which a start request differs from the one the existing case was created with.
 * A request without templateId leaves the choice to the server, so it never differs in it.
 * Cases created before start_request existed compare with their current columns.
 */
export function startRequestDifferences(existing: ExistingCase, input: StartCaseInput): string[] {
  const first: StartRequest =
    (existing.start_request as StartRequest | null) ?? {
      patientId: existing.patient_id,
      title: existing.title,
      description: existing.description,
      caseType: existing.case_type,
      priority: (existing.priority ?? 'medium') as Priority,
      templateId: existing.workflow_template_id,
      assignedPractitionerId: existing.assigned_practitioner_id,
      metadata: (existing.metadata as Record<string, unknown> | null) ?? {},
    };
  const now = startRequestOf(input, input.templateId ?? first.templateId);
  return (Object.keys(now) as Array<keyof StartRequest>).filter((k) => canonical(now[k]) !== canonical(first[k]));
}

/** The columns a workflow start needs. */
interface StartRow {
  id: string;
  practice_id: string;
  case_number: string;
  case_type: string;
  priority: string | null;
  workflow_id: string;
  seat_date?: Date | null;
  transit_days?: number;
}

export function createCaseService(deps: CaseServiceDeps) {
  const { db, temporal, taskQueue } = deps;
  const atRiskSlackMs = deps.atRiskSlackMs ?? DEFAULT_AT_RISK_SLACK_MS;
  /** The workflow's seat plan from a case row's columns. */
  const seatOf = (row: StartRow): SeatPlan | undefined =>
    row.seat_date ? { seatDate: row.seat_date.toISOString(), transitDays: row.transit_days ?? 0, atRiskSlackMs } : undefined;

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

  async function startWorkflow(row: StartRow, plan: Plan, options?: CaseWorkflowOptions, startFrom?: CaseSnapshot) {
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
            ...(seatOf(row) ? { seat: seatOf(row) } : {}),
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
   * an in-place edit cannot slip between compile and insert. Null when the template changed;
   * 'exists' when the requested case number is taken (by a committed row: the insert waits for
   * a concurrent one to commit or roll back).
   */
  async function insertCase(input: StartCaseInput, plan: Plan, stamp: string): Promise<StartRow | 'exists' | null> {
    return db.transaction().execute(async (trx) => {
      const current = await trx
        .selectFrom('workflow_templates')
        .select(sql<string>`updated_at::text`.as('at'))
        .where('id', '=', plan.templateId)
        .forShare()
        .executeTakeFirst();
      if (current?.at !== stamp) return null;
      let inserted: StartRow | undefined;
      let workflowId: string;
      // A generated number can still meet one typed by hand an instant ago: take the next.
      do {
        const caseNumber = input.caseNumber ?? (await nextCaseNumber(trx, input.practiceId));
        workflowId = caseWorkflowId(input.practiceId, caseNumber);
        // No conflict target: every unique key (practice + number, workflow id) is an arbiter,
        // so the loser of a race gets no row instead of a unique violation.
        inserted = (await trx
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
            start_request: JSON.stringify(startRequestOf(input, plan.templateId)),
            seat_date: input.seat ? new Date(input.seat.seatDate) : null,
            transit_days: input.seat?.transitDays ?? 0,
          })
          .onConflict((oc) => oc.doNothing())
          .returning(['id', 'practice_id', 'case_number', 'case_type', 'priority', 'workflow_id', 'seat_date', 'transit_days'])
          .executeTakeFirst()) as StartRow | undefined;
        if (!inserted && input.caseNumber) return 'exists';
      } while (!inserted);
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
      return inserted;
    });
  }

  async function findCase(practiceId: string, caseNumber: string): Promise<ExistingCase | undefined> {
    return db
      .selectFrom('cases')
      .select(['id', 'practice_id', 'case_number', 'case_type', 'priority', 'workflow_id', 'workflow_template_id', 'patient_id', 'title', 'description', 'assigned_practitioner_id', 'metadata', 'start_request', 'seat_date', 'transit_days'])
      .where('practice_id', '=', practiceId)
      .where('case_number', '=', caseNumber)
      .executeTakeFirst();
  }

  /** A start that found its case number taken: the same request gets that case, another a 409. */
  async function useExisting(existing: ExistingCase, input: StartCaseInput): Promise<StartedCase> {
    const differs = startRequestDifferences(existing, input);
    if (differs.length) {
      throw new CaseServiceError(
        'case_number_taken',
        `Case number ${existing.case_number} is already used by a case created with a different ${differs.join(', ')}.`,
        differs.map((field) => ({ field, message: 'differs from the existing case with this case number' })),
      );
    }
    const { plan } = await resolvePlan({ ...input, templateId: existing.workflow_template_id ?? input.templateId });
    await startWorkflow(existing as StartRow, plan, input.workflowOptions, input.startFrom);
    return { caseId: existing.id, caseNumber: existing.case_number, workflowId: existing.workflow_id!, templateId: plan.templateId, created: false };
  }

  return {
    /** Creates the case and starts its workflow; a retry with the same case number returns the first. */
    async startCase(input: StartCaseInput): Promise<StartedCase> {
      // A retry is the common case of a taken number: answer it without compiling a plan.
      const existing = input.caseNumber ? await findCase(input.practiceId, input.caseNumber) : undefined;
      if (existing) return useExisting(existing, input);
      let plan: Plan;
      let row: StartRow;
      for (let attempt = 1; ; attempt++) {
        const resolved = await resolvePlan(input);
        plan = resolved.plan;
        const inserted = await insertCase(input, plan, resolved.stamp);
        if (inserted === 'exists') {
          // Lost the race to a concurrent start with this number: its row is committed now.
          const winner = await findCase(input.practiceId, input.caseNumber!);
          if (winner) return useExisting(winner, input);
          // ...and deleted again since: insert again.
        } else if (inserted) {
          row = inserted;
          break;
        }
        // The template was edited in place between compiling and inserting: compile again.
        if (attempt === 3) throw new CaseServiceError('template_invalid', 'The workflow template or the case number kept changing while the case was created; retry.');
      }
      await startWorkflow(row, plan, input.workflowOptions, input.startFrom);
      return { caseId: row.id, caseNumber: row.case_number, workflowId: row.workflow_id, templateId: plan.templateId, created: true };
    },

    /**
     * Starts workflows for case rows whose start never completed (crash between commit and start),
     * `limit` at a time; `practiceId` keeps the sweep to one practice's cases.
     */
    async ensureCaseWorkflows(limit = 500, scope: { practiceId?: string } = {}): Promise<number> {
      const orphans = await db
        .selectFrom('cases')
        .select(['id', 'practice_id', 'case_number', 'case_type', 'priority', 'workflow_id', 'workflow_template_id', 'patient_id', 'seat_date', 'transit_days'])
        .where('workflow_started_at', 'is', null)
        .where('workflow_id', 'is not', null)
        .where('closed_at', 'is', null)
        .$if((deps.sweepMinAgeMs ?? 0) > 0, (q) => q.where('created_at', '<', sql<Date>`now() - make_interval(secs => ${(deps.sweepMinAgeMs ?? 0) / 1000})`))
        .$if(scope.practiceId !== undefined, (q) => q.where('practice_id', '=', scope.practiceId!))
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
