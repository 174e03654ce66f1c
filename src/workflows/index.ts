/** Entry point of the workflow bundle: every workflow type the worker serves. */
export { caseWorkflow } from './case.workflow';
export { templateInsightsWorkflow } from './insights.workflow';
export { embeddingPipelineWorkflow, embeddingReindexWorkflow } from './embedding.workflow';
export { patientErasureWorkflow } from './erasure.workflow';
export { notificationDispatcherWorkflow, notificationDigestWorkflow } from './notification.workflow';
export { analyticsRollupsWorkflow } from './analytics.workflow';
export { lexicalStatsWorkflow } from './search-stats.workflow';
