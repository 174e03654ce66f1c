/**
 * What goes into the workflow bundle besides src/workflows: the failure converter (failures'
 * messages and stacks encrypted, src/temporal/failure-converter.ts) and, with tracing on, the
 * OpenTelemetry workflow interceptors. The worker bundles with these when it bundles at start; a
 * bundle built ahead of time (WORKFLOW_BUNDLE_PATH, tests, benchmarks) must use the same options:
 * `bundleWorkflowCode({ ...workflowBundleOptions(config), logger })`.
 */
import type { BundleOptions } from '@temporalio/worker';
import type { Config } from '../config';
import { FAILURE_CONVERTER_PATH } from '../temporal/data-converter';
import { tracingEnabled } from '../telemetry/tracing';

/** The interceptors-opentelemetry module whose `interceptors` trace workflows (in the sandbox). */
export const OTEL_WORKFLOW_INTERCEPTORS = require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

export const WORKFLOWS_PATH = require.resolve('../workflows');

/** Workflow interceptor modules for this config: the OTel ones with tracing on, none otherwise. */
export function workflowInterceptorModules(config: Pick<Config, 'OTEL_TRACES_EXPORTER'>): string[] {
  return tracingEnabled(config) ? [OTEL_WORKFLOW_INTERCEPTORS] : [];
}

export function workflowBundleOptions(config: Pick<Config, 'OTEL_TRACES_EXPORTER'>): Pick<BundleOptions, 'workflowsPath' | 'failureConverterPath' | 'workflowInterceptorModules'> {
  return { workflowsPath: WORKFLOWS_PATH, failureConverterPath: FAILURE_CONVERTER_PATH, workflowInterceptorModules: workflowInterceptorModules(config) };
}
