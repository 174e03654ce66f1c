/**
 * Where a run's seconds go: wall time per named step, exclusive of the steps nested inside it
 * (a step that calls flush() is not charged for the legacy_id_map write it triggers), so the
 * figures add up to the run. The steps run one after another on one session; no concurrency.
 */
import { performance } from 'node:perf_hooks';

export interface StepTiming {
  step: string;
  ms: number;
  /** How many times the step ran (flush runs once per table). */
  calls: number;
}

export class StepTimer {
  private readonly totals = new Map<string, { ms: number; calls: number }>();
  private readonly stack: Array<{ child: number }> = [];

  async time<T>(step: string, fn: () => Promise<T>): Promise<T> {
    const start = performance.now();
    this.stack.push({ child: 0 });
    try {
      return await fn();
    } finally {
      const frame = this.stack.pop()!;
      const elapsed = performance.now() - start;
      this.add(step, elapsed - frame.child);
      const parent = this.stack[this.stack.length - 1];
      if (parent) parent.child += elapsed;
    }
  }

  /** Time measured elsewhere (e.g. inside a loop), charged to `step` and taken from the enclosing one. */
  charge(step: string, ms: number): void {
    this.add(step, ms);
    const parent = this.stack[this.stack.length - 1];
    if (parent) parent.child += ms;
  }

  private add(step: string, ms: number) {
    const t = this.totals.get(step) ?? { ms: 0, calls: 0 };
    t.ms += ms;
    t.calls += 1;
    this.totals.set(step, t);
  }

  list(): StepTiming[] {
    return [...this.totals].map(([step, t]) => ({ step, ms: Math.round(t.ms), calls: t.calls }));
  }
}
