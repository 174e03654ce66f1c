/**
 * Baseline workflows for bench/workflow.bench.ts: the smallest Temporal workflows doing what
 * MDW's case workflow does, minus MDW. Bundled separately (`bundleWorkflowCode`) and served by
 * their own worker on their own task queue. Deterministic, no I/O: workflow rules apply.
 */
import { condition, defineSignal, defineUpdate, proxyActivities, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type { BaselineActivities } from './baseline.activities';

const { noop } = proxyActivities<BaselineActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** The same no-op as a local activity: run by the worker inside the workflow task, no dispatch. */
const { noop: localNoop } = proxyLocalActivities<BaselineActivities>({ startToCloseTimeout: '30 seconds' });

/** (a) Throughput baseline: a workflow that runs ONE no-op activity and ends. */
export async function rawNoopWorkflow(): Promise<void> {
  await noop();
}

/** (b)/(c) Latency baseline: an update whose handler increments a counter and returns it. */
export const incrementUpdate = defineUpdate<number>('increment');
/** (b) References: the same update, but its handler first awaits ONE no-op (local) activity. */
export const incrementAfterActivityUpdate = defineUpdate<number>('incrementAfterActivity');
export const incrementAfterLocalActivityUpdate = defineUpdate<number>('incrementAfterLocalActivity');
export const stopSignal = defineSignal('stop');

export async function counterWorkflow(): Promise<number> {
  let count = 0;
  let stopped = false;
  setHandler(incrementUpdate, () => {
    count += 1;
    return count;
  });
  setHandler(incrementAfterActivityUpdate, async () => {
    await noop();
    count += 1;
    return count;
  });
  setHandler(incrementAfterLocalActivityUpdate, async () => {
    await localNoop();
    count += 1;
    return count;
  });
  setHandler(stopSignal, () => {
    stopped = true;
  });
  await condition(() => stopped);
  return count;
}
