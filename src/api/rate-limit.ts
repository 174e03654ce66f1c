/**
 * A fixed-window counter in memory (per API process): enough to slow password guessing per
 * email + IP. Several API processes each count on their own; put a shared limiter in front
 * (proxy, Redis) when that matters.
 */
import { ApiError } from './errors';

export interface RateLimiter {
  /** Counts one attempt for `key`; throws 429 with Retry-After once the window is full. */
  hit(key: string): void;
  reset(key: string): void;
  stop(): void;
}

export function createRateLimiter(maxPerWindow: number, windowMs = 60_000): RateLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>();
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [k, w] of windows) if (w.resetAt <= now) windows.delete(k);
  }, windowMs);
  sweep.unref();
  return {
    hit(key) {
      const now = Date.now();
      let w = windows.get(key);
      if (!w || w.resetAt <= now) {
        w = { count: 0, resetAt: now + windowMs };
        windows.set(key, w);
      }
      w.count += 1;
      if (w.count > maxPerWindow) {
        const retry = Math.max(1, Math.ceil((w.resetAt - now) / 1000));
        throw new ApiError(429, 'too_many_requests', `Too many attempts; retry in ${retry} s.`, null, { 'Retry-After': String(retry) });
      }
    },
    reset(key) {
      windows.delete(key);
    },
    stop() {
      clearInterval(sweep);
      windows.clear();
    },
  };
}
