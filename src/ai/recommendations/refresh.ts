/**
 * Computing and storing recommendations: per practice using a template, from its closed cases.
 * Called by the daily Schedule's activity (with similar-case outcomes for every running case)
 * and when a case closes (into that case's workflow_performance row).
 */
import type { Db } from '../../db/database';
import * as repo from '../../repositories/insights.repository';
import { computeTemplateInsights, similarCaseOutcomes } from './compute';

export interface RefreshResult {
  practices: number;
  casesConsidered: number;
  runningCases: number;
}

/**
 * Recomputes a template's insights for every practice that uses it; stores them with `key`
 * (idempotent per run) and gives each running case the outcomes of its most similar closed cases.
 */
export async function refreshTemplateInsights(db: Db, templateId: string, key: string, now: Date): Promise<RefreshResult> {
  const tasks = await repo.templateTasks(db, templateId);
  let casesConsidered = 0;
  let runningCases = 0;
  const practices = await repo.practicesOfTemplate(db, templateId);
  for (const practiceId of practices) {
    const history = await repo.closedCases(db, templateId, practiceId);
    const insights = computeTemplateInsights(templateId, tasks, history, now);
    casesConsidered += history.length;
    await repo.insertInsights(db, { templateId, practiceId, recommendations: insights, casesConsidered: history.length, trigger: 'schedule', key: `${key}/${practiceId}`, at: now.toISOString() });
    for (const c of await repo.openCases(db, templateId, practiceId)) {
      runningCases += 1;
      await repo.insertCaseRecommendations(db, {
        caseId: c.id,
        practiceId,
        state: c.current_state,
        recommendations: {
          kind: 'similar_case_outcomes',
          computedAt: now.toISOString(),
          similar: similarCaseOutcomes(c.case_type, history, 10, await repo.caseSimilarities(db, c.id, history.map((h) => h.caseId))),
        },
        key: `${key}/${c.id}`,
        at: now.toISOString(),
      });
    }
  }
  return { practices: practices.length, casesConsidered, runningCases };
}

/** On case close: the template's insights as of now, stored beside the case's performance row. */
export async function insightsOnCaseClosed(db: Db, p: { key: string; caseId: string; practiceId: string; templateId: string; at: string }): Promise<void> {
  const tasks = await repo.templateTasks(db, p.templateId);
  const history = await repo.closedCases(db, p.templateId, p.practiceId);
  const insights = computeTemplateInsights(p.templateId, tasks, history, new Date(p.at));
  const thisCase = history.find((c) => c.caseId === p.caseId);
  const slower = thisCase
    ? thisCase.tasks
        .filter((t) => t.actualMs !== null && insights.durations.some((d) => d.taskId === t.taskId && t.actualMs! / 60_000 > d.p90Minutes))
        .map((t) => t.taskId)
    : [];
  await repo.setPerformanceRecommendations(db, p.key, { ...insights, case: { caseId: p.caseId, tasksSlowerThanP90: slower } });
  await repo.insertInsights(db, { templateId: p.templateId, practiceId: p.practiceId, recommendations: insights, casesConsidered: history.length, trigger: 'case_closed', key: `${p.key}/insights`, at: p.at });
}
