/**
 * Where a run's seconds go: wall time per named step, exclusive of the steps nested inside it
 * (a step that calls flush() is not charged for the legacy_id_map write it triggers), so the
 * figures add up to the run. The steps run one after another on one session; no concurrency.
 */
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';

export interface StepTiming {
  step: string;
  ms: number;
  /** How many times the step ran (flush runs once per table). */
  calls: number;
  /** Peak V8 heap in use while the step ran (sampled; only when heap sampling is on). */
  peakHeapMb?: number;
  /**
   * Largest heap in use right after a full (mark-compact) GC during the step: what the step keeps
   * alive, without the garbage V8 had not collected yet that `peakHeapMb` also counts (only with
   * heap sampling on, and only for steps during which a full GC ran).
   */
  liveHeapMb?: number;
  /**
   * CPU milliseconds of the target session's server process in the step (exclusive as `ms`),
   * when the caller could measure it (bench: /proc): unlike wall time, independent of the load.
   */
  serverCpuMs?: number;
}

export class StepTimer {
  private readonly totals = new Map<string, { ms: number; calls: number; cpu: number }>();
  private readonly stack: Array<{ child: number; childCpu: number; step: string }> = [];
  private readonly heapPeaks = new Map<string, number>();
  private readonly livePeaks = new Map<string, number>();
  private sampler: NodeJS.Timeout | null = null;
  private gcProfiler: v8.GCProfiler | null = null;
  private lastGcPoll = 0;

  /** @param serverCpu - the target session's server CPU so far, in ms (optional). */
  constructor(private readonly serverCpu?: () => number) {}

  /**
   * Samples the heap in use every `ms` and charges each sample to the innermost running step,
   * so a report says which step needs the memory (bench:migrate's per-step peak heap).
   * @returns a function that stops the sampling.
   */
  sampleHeap(ms = 20): () => void {
    this.sampler = setInterval(() => this.sampleNow(), ms);
    this.sampler.unref();
    // The full GCs' "after" sizes are the live heap; the profiler is read and restarted every
    // quarter second so its list of GCs stays short.
    this.gcProfiler = new v8.GCProfiler();
    this.gcProfiler.start();
    return () => {
      if (this.sampler) clearInterval(this.sampler);
      this.sampler = null;
      this.pollGc(true);
      this.gcProfiler?.stop();
      this.gcProfiler = null;
    };
  }

  /** Charges the live heap after each full GC since the last poll to the innermost step. */
  private pollGc(force = false) {
    if (!this.gcProfiler || (!force && performance.now() - this.lastGcPoll < 250)) return;
    this.lastGcPoll = performance.now();
    const step = this.stack[this.stack.length - 1]?.step;
    const stats = this.gcProfiler.stop().statistics;
    this.gcProfiler = new v8.GCProfiler();
    this.gcProfiler.start();
    if (step === undefined) return;
    for (const s of stats) {
      if (s.gcType !== 'MarkSweepCompact') continue;
      const live = s.afterGC.heapStatistics.usedHeapSize;
      if (live > (this.livePeaks.get(step) ?? 0)) this.livePeaks.set(step, live);
    }
  }

  /** Charges the heap in use now to the innermost step (also at each step's end: a synchronous step blocks the interval). */
  private sampleNow(force = false) {
    const step = this.stack[this.stack.length - 1]?.step;
    if (step === undefined) return;
    const used = v8.getHeapStatistics().used_heap_size;
    if (used > (this.heapPeaks.get(step) ?? 0)) this.heapPeaks.set(step, used);
    this.pollGc(force);
  }

  async time<T>(step: string, fn: () => Promise<T>): Promise<T> {
    const start = performance.now();
    const cpuStart = this.serverCpu?.() ?? 0;
    // GCs so far belong to the enclosing step.
    if (this.sampler) this.sampleNow(true);
    this.stack.push({ child: 0, childCpu: 0, step });
    try {
      return await fn();
    } finally {
      if (this.sampler) this.sampleNow(true);
      const frame = this.stack.pop()!;
      const elapsed = performance.now() - start;
      const cpu = (this.serverCpu?.() ?? 0) - cpuStart;
      this.add(step, elapsed - frame.child, cpu - frame.childCpu);
      const parent = this.stack[this.stack.length - 1];
      if (parent) {
        parent.child += elapsed;
        parent.childCpu += cpu;
      }
    }
  }

  /** Time measured elsewhere (e.g. inside a loop), charged to `step` and taken from the enclosing one. */
  charge(step: string, ms: number): void {
    this.add(step, ms);
    const parent = this.stack[this.stack.length - 1];
    if (parent) parent.child += ms;
  }

  /**
   * A step measured outside the nesting (e.g. another session's server CPU, which ran beside the
   * timed steps): added as is, taken from no enclosing step.
   */
  record(step: string, ms: number, cpuMs = 0): void {
    this.add(step, ms, cpuMs);
  }

  private add(step: string, ms: number, cpu = 0) {
    const t = this.totals.get(step) ?? { ms: 0, calls: 0, cpu: 0 };
    t.ms += ms;
    t.cpu += cpu;
    t.calls += 1;
    this.totals.set(step, t);
  }

  list(): StepTiming[] {
    return [...this.totals].map(([step, t]) => {
      const peak = this.heapPeaks.get(step);
      const live = this.livePeaks.get(step);
      return {
        step,
        ms: Math.round(t.ms),
        calls: t.calls,
        ...(peak === undefined ? {} : { peakHeapMb: Math.round(peak / 2 ** 20) }),
        ...(live === undefined ? {} : { liveHeapMb: Math.round(live / 2 ** 20) }),
        ...(this.serverCpu ? { serverCpuMs: Math.round(t.cpu) } : {}),
      };
    });
  }
}
