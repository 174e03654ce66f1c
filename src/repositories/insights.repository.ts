/**
 * Reads of a template's history and writes of its recommendations (db/migrations/0036,
 * workflow_performance.ai_recommendations, state_analytics.ai_recommendations). Plain functions
 * whose first argument is the database handle.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../db/database';
import type { ClosedCase, TemplateTask, TaskPerf } from '../ai/recommendations/compute';

type Handle = Db | Tx;

/** The most recent closed cases of a template in one practice (their workflow_performance rows). */
export async function closedCases(db: Handle, templateId: string, practiceId: string, limit = 200): Promise<ClosedCase[]> {
  const rows = await db
    .selectFrom('workflow_performance as wp')
    .innerJoin('cases as c', 'c.id', 'wp.case_id')
    .select(['c.id', 'c.case_type', 'wp.task_performance', 'c.created_at', sql<Date>`coalesce(c.closed_at, wp.created_at)`.as('closed_at')])
    .where('wp.workflow_template_id', '=', templateId)
    .where('wp.practice_id', '=', practiceId)
    .orderBy('wp.created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => {
    const perf = (r.task_performance ?? {}) as { outcome?: string; tasks?: TaskPerf[] };
    return {
      caseId: r.id,
      caseType: r.case_type,
      outcome: perf.outcome === 'cancelled' ? 'cancelled' : 'completed',
      startedAt: new Date(r.created_at).toISOString(),
      closedAt: new Date(r.closed_at).toISOString(),
      tasks: Array.isArray(perf.tasks) ? perf.tasks : [],
    };
  });
}

export async function templateTasks(db: Handle, templateId: string): Promise<TemplateTask[]> {
  const rows = await db
    .selectFrom('workflow_template_tasks')
    .select(['id', 'task_name', sql<string[] | null>`required_roles::text[]`.as('roles'), sql<number | null>`(extract(epoch from estimated_duration) * 1000)::float8`.as('estimate_ms')])
    .where('workflow_template_id', '=', templateId)
    .orderBy('task_order')
    .execute();
  return rows.map((r) => ({ taskId: r.id, name: r.task_name, roles: r.roles ?? [], estimateMs: r.estimate_ms }));
}

/** Practices with closed or running cases on the template. */
export async function practicesOfTemplate(db: Handle, templateId: string): Promise<string[]> {
  const rows = await db.selectFrom('cases').select('practice_id').distinct().where('workflow_template_id', '=', templateId).execute();
  return rows.map((r) => r.practice_id);
}

export async function openCases(db: Handle, templateId: string, practiceId: string, limit = 1000) {
  return db
    .selectFrom('cases')
    .select(['id', 'case_type', 'current_state'])
    .where('workflow_template_id', '=', templateId)
    .where('practice_id', '=', practiceId)
    .where('closed_at', 'is', null)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
}

export async function insertInsights(
  db: Handle,
  row: { templateId: string; practiceId: string; recommendations: unknown; casesConsidered: number; trigger: 'schedule' | 'case_closed'; key: string; at: string },
): Promise<void> {
  await db
    .insertInto('template_insights')
    .values({
      workflow_template_id: row.templateId,
      practice_id: row.practiceId,
      recommendations: JSON.stringify(row.recommendations),
      cases_considered: row.casesConsidered,
      trigger: row.trigger,
      idempotency_key: row.key,
      computed_at: row.at,
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .execute();
}

export async function setPerformanceRecommendations(db: Handle, performanceKey: string, recommendations: unknown): Promise<void> {
  await db.updateTable('workflow_performance').set({ ai_recommendations: JSON.stringify(recommendations) }).where('idempotency_key', '=', performanceKey).execute();
}

/** A state_analytics row carrying recommendations for a running case (no transition). */
export async function insertCaseRecommendations(db: Handle, c: { caseId: string; practiceId: string; state: string; recommendations: unknown; key: string; at: string }): Promise<void> {
  await db
    .insertInto('state_analytics')
    .values({
      case_id: c.caseId,
      practice_id: c.practiceId,
      from_state: c.state,
      to_state: c.state,
      duration_minutes: null,
      actor_id: null,
      bottleneck_detected: false,
      ai_recommendations: JSON.stringify(c.recommendations),
      idempotency_key: c.key,
      created_at: c.at,
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .execute();
}

/** The newest stored insights of a template per practice the handle may read. */
export async function latestInsights(db: Handle, templateId: string, practiceId?: string) {
  let q = db
    .selectFrom('template_insights')
    .select(['practice_id', 'recommendations', 'cases_considered', 'trigger', 'computed_at'])
    .distinctOn('practice_id')
    .where('workflow_template_id', '=', templateId)
    .orderBy('practice_id')
    .orderBy('computed_at', 'desc');
  if (practiceId) q = q.where('practice_id', '=', practiceId);
  return q.execute();
}

/**
 * Cosine similarity of each candidate case to `caseId`, by the first chunk of their title and
 * description in the active embedding model (the vectors search uses). Cases without a vector
 * in that model (not embedded yet, AI consent withdrawn) are absent; no active model: empty.
 */
export async function caseSimilarities(db: Handle, caseId: string, candidateIds: readonly string[]): Promise<Map<string, number>> {
  if (candidateIds.length === 0) return new Map();
  const r = await sql<{ id: string; similarity: number }>`
    WITH m AS (SELECT model FROM embedding_models WHERE state = 'active'),
         own AS (SELECT e.embedding FROM case_embeddings e JOIN m ON m.model = e.model WHERE e.case_id = ${caseId}::uuid AND e.chunk = 0)
    SELECT e.case_id AS id, (1 - (e.embedding <=> own.embedding))::float8 AS similarity
      FROM case_embeddings e JOIN m ON m.model = e.model CROSS JOIN own
     WHERE e.chunk = 0 AND e.case_id = ANY(${[...candidateIds]}::uuid[])`.execute(db);
  return new Map(r.rows.map((x) => [x.id, Number(x.similarity)]));
}
