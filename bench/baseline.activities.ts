/**
 * Activities of the baseline workflows (bench/baseline.workflows.ts): nothing but the cost of a
 * Temporal activity round trip, to compare MDW's case workflow against.
 */
export function createBaselineActivities() {
  return {
    /** Does nothing: what remains is scheduling, dispatch and completion by Temporal. */
    async noop(): Promise<void> {
      /* intentionally empty */
    },
  };
}

export type BaselineActivities = ReturnType<typeof createBaselineActivities>;
