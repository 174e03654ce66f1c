/** Drives cases through their workflows the way staff and integrations do, for tests. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import {
  caseViewQuery,
  completeTaskUpdate,
  decideUpdate,
  type Actor,
  type CaseView,
  type CaseWorkflowOptions,
  type DecisionKind,
} from '../../src/workflows/case.messages';
import type { caseWorkflow } from '../../src/workflows/case.workflow';
import type { Harness } from './harness';
import type { PracticeFixture } from './fixtures';
import { waitFor } from './wait';

export type CaseHandle = WorkflowHandle<typeof caseWorkflow>;

export const as = (f: PracticeFixture, role: keyof PracticeFixture['members']): Actor => ({ profileId: f.members[role], practiceRole: role });
export const view = (handle: CaseHandle) => handle.query(caseViewQuery);
export const taskId = (v: CaseView, name: string) => v.tasks.find((t) => t.name === name)!.id;

export function caseDriver(h: Harness) {
  async function startCase(f: PracticeFixture, templateId: string, workflowOptions?: CaseWorkflowOptions) {
    const started = await h.cases.startCase({
      practiceId: f.practiceId,
      patientId: f.patientId,
      createdBy: f.members.doctor,
      title: 'Upper and lower aligners',
      caseType: 'active_treatment',
      templateId,
      workflowOptions,
    });
    return { ...started, handle: h.client.workflow.getHandle<typeof caseWorkflow>(started.workflowId) };
  }

  /** Waits until the named task awaits a decision or completion. */
  async function awaiting(handle: CaseHandle, name: string, timeoutMs = 20_000): Promise<CaseView> {
    return waitFor(() => view(handle), (v) => v.tasks.some((t) => t.name === name && t.awaitingDecision), timeoutMs, `"${name}" to await a decision`);
  }

  async function decide(handle: CaseHandle, name: string, actor: Actor, decision: DecisionKind = 'approve', reason?: string, updateId?: string) {
    const v = await awaiting(handle, name);
    return handle.executeUpdate(decideUpdate, { args: [{ taskId: taskId(v, name), decision, actor, reason }], updateId });
  }

  async function completeExternal(handle: CaseHandle, name: string, actor: Actor) {
    const v = await awaiting(handle, name);
    return handle.executeUpdate(completeTaskUpdate, { args: [{ taskId: taskId(v, name), actor }] });
  }

  /** The clear-aligner template from start to the end, by the right roles. */
  async function runToEnd(f: PracticeFixture, handle: CaseHandle) {
    await decide(handle, 'Records review', as(f, 'technician'));
    await decide(handle, 'Treatment plan design', as(f, 'technician'));
    await decide(handle, 'Doctor approval', as(f, 'doctor'));
    await completeExternal(handle, 'Aligner printing', as(f, 'technician'));
    await decide(handle, 'Final inspection', as(f, 'technician'));
    await completeExternal(handle, 'Shipping', as(f, 'technician'));
    await completeExternal(handle, 'Delivery confirmation', as(f, 'assistant'));
    return handle.result();
  }

  async function states(caseId: string) {
    const rows = await h.database.system
      .selectFrom('case_states')
      .select(['from_state', 'to_state'])
      .where('case_id', '=', caseId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => `${r.from_state ?? '∅'}→${r.to_state}`);
  }

  return { startCase, awaiting, decide, completeExternal, runToEnd, states };
}

/** The refusal of an update: its ApplicationFailure type and message. */
export async function refusal(p: Promise<unknown>): Promise<{ type: string | undefined; message: string }> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof WorkflowUpdateFailedError)) throw err;
    const cause = err.cause;
    if (!(cause instanceof ApplicationFailure)) throw err;
    return { type: cause.type ?? undefined, message: cause.message };
  }
  throw new Error('expected the update to be refused');
}

export const FULL_CASE_STATES = [
  '∅→submitted',
  'submitted→under_review',
  'under_review→planning',
  'planning→approved',
  'approved→in_production',
  'in_production→quality_check',
  'quality_check→shipped',
  'shipped→delivered',
  'delivered→completed',
];

export const HISTORIES_DIR = path.resolve(__dirname, '..', 'histories');

/**
 * Records a finished workflow's history into test/histories/ when MDW_RECORD_HISTORIES=1, so
 * the replay test catches non-deterministic changes to workflow code. Recording is deliberate
 * (run `npm run histories:record`), never a side effect of an ordinary test run.
 */
export async function recordHistory(handle: Pick<CaseHandle, 'fetchHistory'>, name: string): Promise<void> {
  if (process.env.MDW_RECORD_HISTORIES !== '1') return;
  const history = await handle.fetchHistory();
  mkdirSync(HISTORIES_DIR, { recursive: true });
  writeFileSync(path.join(HISTORIES_DIR, `${name}.json`), historyToJSON(history));
}
