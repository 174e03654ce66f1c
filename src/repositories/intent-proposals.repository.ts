/**
 * Reads and writes of message intents and their proposals (db/migrations/0035). Plain functions
 * whose first argument is the database handle: reads run under the caller's RLS when given the
 * caller's transaction; writes are the backend's (system handle).
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../db/database';
import type { CaseSituation, ProposalPlan } from '../ai/intent/proposals';
import type { IntentResult } from '../ai/intent/types';
import type { PracticeRole } from '../workflows/plan/plan.types';

type Handle = Db | Tx;

export interface ProposalRow {
  id: string;
  message_id: string;
  case_id: string;
  practice_id: string;
  intent: string;
  action: string;
  task_id: string | null;
  allowed_roles: PracticeRole[];
  confidence: string;
  evidence: unknown;
  model: string | null;
  status: string;
  decided_by: string | null;
  decided_at: Date | null;
  outcome: string | null;
  created_at: Date;
}

/** What the case's workflow can do now, from the rows it persists (cases, awaiting_tasks). */
export async function caseSituation(db: Handle, caseId: string): Promise<CaseSituation | null> {
  const c = await db.selectFrom('cases').select(['current_state', 'closed_at']).where('id', '=', caseId).executeTakeFirst();
  if (!c) return null;
  const rows = await db
    .selectFrom('awaiting_tasks')
    .select(['task_id', 'task_name', 'required_roles'])
    .where('case_id', '=', caseId)
    .where('task_kind', '=', 'decision')
    .execute();
  const tasks = new Map<string, CaseSituation['decisionTasks'][number]>();
  for (const r of rows) tasks.set(r.task_id, { taskId: r.task_id, name: r.task_name, roles: r.required_roles as PracticeRole[] });
  return { closed: c.closed_at !== null || c.current_state === 'completed' || c.current_state === 'cancelled', onHold: c.current_state === 'on_hold', decisionTasks: [...tasks.values()] };
}

/** Records a message's classification in its metadata (`metadata.intent`). */
export async function setMessageIntent(db: Handle, messageId: string, result: IntentResult & { model: string | null }): Promise<void> {
  await db
    .updateTable('case_messages')
    .set({ metadata: sql`metadata || jsonb_build_object('intent', ${JSON.stringify(result)}::jsonb)` })
    .where('id', '=', messageId)
    .execute();
}

/** One proposal per message: a repeat (retried request) returns the existing row. */
export async function insertProposal(
  db: Handle,
  p: ProposalPlan & { messageId: string; caseId: string; practiceId: string; confidence: number; evidence: string[]; model: string | null },
): Promise<ProposalRow> {
  await db
    .insertInto('intent_proposals')
    .values({
      message_id: p.messageId,
      case_id: p.caseId,
      practice_id: p.practiceId,
      intent: p.intent,
      action: p.action,
      task_id: p.taskId,
      allowed_roles: p.allowedRoles,
      confidence: String(Math.round(p.confidence * 1000) / 1000),
      evidence: JSON.stringify(p.evidence),
      model: p.model,
    })
    .onConflict((oc) => oc.constraint('intent_proposals_message_key').doNothing())
    .execute();
  return (await db.selectFrom('intent_proposals').selectAll().where('message_id', '=', p.messageId).executeTakeFirstOrThrow()) as ProposalRow;
}

export async function getProposal(db: Handle, caseId: string, id: string): Promise<(ProposalRow & { content: string }) | undefined> {
  return (await db
    .selectFrom('intent_proposals as p')
    .innerJoin('case_messages as m', 'm.id', 'p.message_id')
    .selectAll('p')
    .select('m.content')
    .where('p.id', '=', id)
    .where('p.case_id', '=', caseId)
    .executeTakeFirst()) as (ProposalRow & { content: string }) | undefined;
}

/**
 * One page of a case's proposals, newest first by (created_at, id) like listPractices. The list
 * used to stop silently at 200: a case gets one proposal per message with an actionable intent,
 * and a long treatment (or a migrated case's history) has more than that.
 * @param f.status - only proposals in this status (the console reads the pending ones).
 * @param f.after - the (created_at, id) of the previous page's last row (decodeCursor).
 */
export async function listProposals(
  db: Handle,
  caseId: string,
  f: { status?: string; limit: number; after: { createdAt: string; id: string } | null },
): Promise<{ items: Array<ProposalRow & { created_at_text: string }>; more: boolean }> {
  let q = db.selectFrom('intent_proposals').selectAll().select(sql<string>`created_at::text`.as('created_at_text')).where('case_id', '=', caseId);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.after) q = q.where(sql<boolean>`(created_at, id) < (${f.after.createdAt}::timestamptz, ${f.after.id}::uuid)`);
  const rows = (await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit + 1).execute()) as Array<ProposalRow & { created_at_text: string }>;
  return { items: rows.slice(0, f.limit), more: rows.length > f.limit };
}

/**
 * Moves a pending proposal to its outcome; returns the row, or undefined when it was no longer
 * pending (someone else decided first).
 */
export async function decideProposal(
  db: Handle,
  id: string,
  status: 'confirmed' | 'dismissed' | 'auto_applied' | 'failed',
  by: string | null,
  outcome: string | null,
): Promise<ProposalRow | undefined> {
  return (await db
    .updateTable('intent_proposals')
    .set({ status, decided_by: by, decided_at: sql`now()`, outcome })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .returningAll()
    .executeTakeFirst()) as ProposalRow | undefined;
}

/** Notes on a pending proposal (an auto-apply the workflow refused), leaving it pending. */
export async function noteProposal(db: Handle, id: string, outcome: string): Promise<void> {
  await db.updateTable('intent_proposals').set({ outcome }).where('id', '=', id).where('status', '=', 'pending').execute();
}
