/**
 * Admission control: at most `limit` calls run at once, the rest wait in arrival order (FIFO).
 *
 * Why: a search is CPU-bound in PostgreSQL (both legs read shared buffers). With more searches in
 * flight than the database server has cores, the kernel time-slices all of them and every one
 * finishes late; queueing the surplus in the API lets the running ones finish at full speed, which
 * cuts the tail latency at the same throughput (PostgreSQL's own advice on pool sizing). The wait
 * is part of the caller's latency: bench:search measures from the call, wait included.
 */
export interface Admission {
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Calls running now. */
  readonly active: number;
  /** Calls waiting for a slot now. */
  readonly waiting: number;
}

/**
 * `limit` 0 (or less): no limit, calls run at once. `onAdmit`, when given, is told how long each
 * call waited for its slot (0 when it had one at once), synchronously just before the call starts:
 * bench:search's decomposition of a search's latency (session 11) reads it there.
 */
export function createAdmission(limit: number, onAdmit?: (waitedMs: number) => void): Admission {
  let active = 0;
  const queue: (() => void)[] = [];
  const release = () => {
    const next = queue.shift();
    // The slot passes straight to the next caller: `active` stays the same.
    if (next) next();
    else active--;
  };
  return {
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
    async run<T>(fn: () => Promise<T>): Promise<T> {
      if (limit <= 0) {
        onAdmit?.(0);
        return fn();
      }
      if (active < limit) {
        active++;
        onAdmit?.(0);
      } else {
        const t0 = onAdmit ? performance.now() : 0;
        await new Promise<void>((resolve) => queue.push(resolve));
        onAdmit?.(performance.now() - t0);
      }
      try {
        return await fn();
      } finally {
        release();
      }
    },
  };
}
