/**
 * Open-loop (fixed-rate) load for bench/api-bench.ts `--open-loop`: request i is scheduled at
 * t0 + i/rate whatever the earlier requests are doing, and its latency runs from that scheduled
 * time to its completion. A server that falls behind therefore shows its queueing delay in the
 * latency instead of slowing the generator down (no coordinated omission, unlike closed-loop
 * clients that only send when the previous answer is back).
 *
 * `maxInFlight` is the number of users: a request whose time has come while every user is still
 * waiting for an answer cannot be sent; it is counted as `dropped` (and as an error).
 *
 * Also: a small HTTP client on node:http with a keep-alive Agent (maxSockets = users), used for
 * the HTTP level of the open-loop mode.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { latencyStats, round, type LoadStats } from './api-load';

export interface OpenLoopOptions {
  /** offered load, requests per second */
  rate: number;
  /** scheduling window: requests are scheduled during this time, then the runner waits for the answers */
  durationMs: number;
  /** users: at most this many requests in flight; a request due while all are busy is dropped */
  maxInFlight: number;
  /** a request not answered within this time (from when it was sent) counts as a timeout error */
  timeoutMs: number;
  /** optional cap on scheduled requests */
  maxRequests?: number;
}

export interface OpenLoopStats extends LoadStats {
  /** the offered rate (req/s) */
  rate: number;
  /** successful answers per second of wall time (first scheduled request → last answer) */
  achievedRate: number;
  /** requests due while all `users` were busy: not sent, counted in `errors` */
  dropped: number;
  /** requests actually sent */
  sent: number;
  users: number;
  /** most requests in flight at once */
  peakInFlight: number;
}

const TIMEOUT_RE = /timeout|timed out|canceling statement|aborted/i;

/**
 * Runs `fn(i)` for i = 0, 1, … at `rate` per second for `durationMs`, at most `maxInFlight` at
 * once. Resolves once every sent request has answered or timed out, and the work behind the
 * timed-out ones has settled too (bounded: `fn` is expected to give up by itself, e.g. through a
 * statement timeout or an aborted HTTP request; the runner waits at most another `timeoutMs`).
 */
export async function runOpenLoop(fn: (i: number) => Promise<unknown>, o: OpenLoopOptions): Promise<OpenLoopStats> {
  if (!(o.rate > 0) || !(o.maxInFlight >= 1)) throw new Error('runOpenLoop: rate and maxInFlight must be positive');
  const interval = 1000 / o.rate;
  const total = Math.max(1, Math.min(Math.floor((o.durationMs * o.rate) / 1000), o.maxRequests ?? Infinity));
  const lat: number[] = [];
  let errors = 0;
  let timeouts = 0;
  let dropped = 0;
  let sent = 0;
  let inFlight = 0;
  let peak = 0;
  let firstError: string | undefined;
  const underlying = new Set<Promise<unknown>>();
  const t0 = performance.now() + 2;
  let last = t0;

  await new Promise<void>((resolveAll) => {
    let next = 0;
    let scheduling = true;
    const maybeDone = () => {
      if (!scheduling && inFlight === 0) resolveAll();
    };
    const fire = (i: number, scheduled: number) => {
      inFlight += 1;
      sent += 1;
      peak = Math.max(peak, inFlight);
      let settled = false;
      const finish = () => {
        settled = true;
        inFlight -= 1;
        last = Math.max(last, performance.now());
        maybeDone();
      };
      const timer = setTimeout(() => {
        if (settled) return;
        timeouts += 1;
        errors += 1;
        firstError ??= `timeout: no answer within ${o.timeoutMs} ms`;
        finish();
      }, o.timeoutMs);
      const p = Promise.resolve()
        .then(() => fn(i))
        .then(
          () => {
            if (settled) return;
            clearTimeout(timer);
            lat.push(performance.now() - scheduled);
            finish();
          },
          (err: unknown) => {
            if (settled) return;
            clearTimeout(timer);
            const msg = (err as Error)?.message ?? String(err);
            if (TIMEOUT_RE.test(msg)) timeouts += 1;
            errors += 1;
            firstError ??= msg.slice(0, 200);
            finish();
          },
        );
      underlying.add(p);
      void p.finally(() => underlying.delete(p));
    };
    const pump = () => {
      const now = performance.now();
      // Catch up on every request whose time has come (timers fire late under load).
      while (next < total && t0 + next * interval <= now) {
        const i = next++;
        if (inFlight >= o.maxInFlight) {
          dropped += 1;
          errors += 1;
          firstError ??= `dropped: all ${o.maxInFlight} users busy`;
          continue;
        }
        fire(i, t0 + i * interval);
      }
      if (next < total) {
        setTimeout(pump, Math.max(0, t0 + next * interval - performance.now()));
      } else {
        scheduling = false;
        last = Math.max(last, performance.now());
        maybeDone();
      }
    };
    setTimeout(pump, Math.max(0, t0 - performance.now()));
  });
  // Work behind timed-out requests may still run: let it end before the next cell starts.
  if (underlying.size) await Promise.race([Promise.allSettled([...underlying]), new Promise((r) => setTimeout(r, o.timeoutMs).unref())]);

  const wall = Math.max(1, last - t0);
  const requests = sent + dropped;
  return {
    ...latencyStats(lat, { requests, errors, timeouts, wallMs: wall, firstError }),
    rate: o.rate,
    achievedRate: round((lat.length * 1000) / wall),
    dropped,
    sent,
    users: o.maxInFlight,
    peakInFlight: peak,
  };
}

// ---- HTTP --------------------------------------------------------------------------------------

export interface HttpReq {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  /**
   * called once the answer is in: releases what the request held (a case lease). Not called for
   * a request that got no answer (timeout, connection error): the server may still be working on
   * it, so what it held stays taken until it expires.
   */
  release?: () => void;
  /** inspects a 2xx answer; a string names what is wrong with it (counted as `incomplete`, not as an error) */
  check?: (body: string) => string | null;
}

/** Thrown for a non-2xx answer; the message carries the status and the API's error code. */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    body: string,
  ) {
    let code = '';
    try {
      const j = JSON.parse(body) as { code?: string; error?: string | { code?: string; message?: string } };
      code = typeof j.error === 'object' ? (j.error.code ?? j.error.message ?? '') : (j.code ?? j.error ?? '');
    } catch {
      code = body.slice(0, 80);
    }
    super(`HTTP ${status}${code ? ` ${code}` : ''}`);
  }
}

export interface HttpClient {
  send(r: HttpReq): Promise<string>;
  /** answers by status code ('error' for a failed connection or a client-side timeout) */
  statuses: Record<string, number>;
  /** 2xx answers that `check` found wanting, and the first reason */
  incomplete: number;
  firstIncomplete?: string;
  close(): void;
}

/**
 * node:http with a keep-alive Agent of `maxSockets` sockets (one per user). Each request is
 * aborted after `timeoutMs` (the time waiting for a free socket included).
 */
export function httpClient(base: string, maxSockets: number, timeoutMs: number): HttpClient {
  const url = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  const c: HttpClient = {
    statuses: {},
    incomplete: 0,
    send(r) {
      return new Promise<string>((resolve, reject) => {
        const headers: Record<string, string | number> = { ...r.headers };
        if (r.body !== undefined) {
          headers['content-type'] = 'application/json';
          headers['content-length'] = Buffer.byteLength(r.body);
        }
        let done = false;
        const end = (err: Error | null, body = '', answered = true) => {
          if (done) return;
          done = true;
          if (answered) r.release?.();
          if (err) reject(err);
          else resolve(body);
        };
        const req = http.request(
          { host: url.hostname, port: url.port, method: r.method, path: r.path, headers, agent, signal: AbortSignal.timeout(timeoutMs) },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (b: Buffer) => chunks.push(b));
            res.on('error', (e) => end(e, '', false));
            res.on('end', () => {
              const status = res.statusCode ?? 0;
              c.statuses[status] = (c.statuses[status] ?? 0) + 1;
              const body = Buffer.concat(chunks).toString('utf8');
              if (status < 200 || status >= 300) return end(new HttpStatusError(status, body));
              const bad = r.check?.(body);
              if (bad) {
                c.incomplete += 1;
                c.firstIncomplete ??= bad;
              }
              end(null, body);
            });
          },
        );
        req.on('error', (e: Error) => {
          c.statuses.error = (c.statuses.error ?? 0) + 1;
          end(e.name === 'AbortError' || e.name === 'TimeoutError' ? new Error(`timeout after ${timeoutMs} ms`) : e, '', false);
        });
        req.end(r.body);
      });
    },
    close() {
      agent.destroy();
    },
  };
  return c;
}
