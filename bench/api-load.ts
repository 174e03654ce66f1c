/**
 * Closed-loop load generator for the SQL-level comparison: `concurrency` virtual clients, each
 * issuing its next request as soon as the previous one answered, until the time or request budget
 * is spent. Latency is what a client sees (pool wait included). Also: targets of the questions.
 */
import { performance } from 'node:perf_hooks';
import type pg from 'pg';

export interface LoadStats {
  requests: number;
  errors: number;
  timeouts: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
  firstError?: string;
  /** HTTP levels: answers by status code ('error': failed connection or client-side timeout) */
  statuses?: Record<string, number>;
  /** HTTP levels: 2xx answers that were incomplete (the inbox missing awaiting tasks), with the first reason */
  incomplete?: number;
  firstIncomplete?: string;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export const round = (x: number) => Math.round(x * 100) / 100;

/** The statistics every load generator reports, from the latencies of the answered requests. */
export function latencyStats(lat: number[], c: { requests: number; errors: number; timeouts: number; wallMs: number; firstError?: string }): LoadStats {
  lat.sort((a, b) => a - b);
  return {
    requests: c.requests,
    errors: c.errors,
    timeouts: c.timeouts,
    rps: round((c.requests * 1000) / c.wallMs),
    p50: round(percentile(lat, 50)),
    p95: round(percentile(lat, 95)),
    p99: round(percentile(lat, 99)),
    mean: round(lat.reduce((a, b) => a + b, 0) / (lat.length || 1)),
    max: round(lat.at(-1) ?? NaN),
    ...(c.firstError ? { firstError: c.firstError } : {}),
  };
}

export async function runLoad(fn: (i: number) => Promise<unknown>, opts: { concurrency: number; durationMs: number; maxRequests: number; timeoutMs?: number }): Promise<LoadStats> {
  const lat: number[] = [];
  let errors = 0;
  let timeouts = 0;
  let issued = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const end = started + opts.durationMs;
  const client = async () => {
    while (performance.now() < end && issued < opts.maxRequests) {
      const i = issued++;
      const t = performance.now();
      try {
        await fn(i);
        lat.push(performance.now() - t);
      } catch (err) {
        const msg = (err as Error).message ?? String(err);
        if (/timeout|canceling statement/i.test(msg)) timeouts++;
        errors++;
        firstError ??= msg.slice(0, 200);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, client));
  return latencyStats(lat, { requests: lat.length + errors, errors, timeouts, wallMs: performance.now() - started, firstError });
}

// ---- targets ---------------------------------------------------------------------------------

export interface PracticeTarget {
  id: string;
  legacyId: number;
  /** profile id of the practice's first doctor (practice role 'doctor'): the caller */
  actor: string;
  actorEmail: string;
  legacyUser: number;
  doctorLastName: string;
}

export interface EntityTarget {
  id: string;
  legacyId: number;
  practice: number; // index into practices
}

export interface Targets {
  practices: PracticeTarget[];
  orders: EntityTarget[];
  cases: EntityTarget[];
  decisions: EntityTarget[];
  terms: string[];
}

/** Common last names, first names and fragments (≥ 3 characters, so trigram indexes apply). */
export const SEARCH_TERMS = ['smith', 'garcia', 'martinez', 'mar', 'son', 'lee', 'chen', 'ann', 'rod', 'patel', 'nguyen', 'will', 'kim', 'hale', 'jen', 'brown'];

export async function loadTargets(system: pg.Pool, sample = 2000): Promise<Targets> {
  const practices = (
    await system.query(`
      SELECT p.id, mp.id AS legacy_id, pm.profile_id AS actor, pr.email, mu.id AS legacy_user, pr.last_name
      FROM public.practices p
      JOIN legacy._map_practice mp ON mp.uid = p.id
      JOIN LATERAL (SELECT profile_id FROM public.practice_members m WHERE m.practice_id = p.id AND m.role = 'doctor'
                    ORDER BY m.joined_at, m.profile_id LIMIT 1) pm ON true
      JOIN public.profiles pr ON pr.id = pm.profile_id
      JOIN legacy._map_user mu ON mu.uid = pm.profile_id
      WHERE p.settings ? 'bench_seed'
      ORDER BY mp.id`)
  ).rows.map((r) => ({ id: r.id, legacyId: r.legacy_id, actor: r.actor, actorEmail: r.email, legacyUser: r.legacy_user, doctorLastName: r.last_name }) as PracticeTarget);
  const idx = new Map(practices.map((p, i) => [p.id, i]));
  const entities = async (q: string) =>
    (await system.query(q, [sample])).rows.filter((r) => idx.has(r.practice_id)).map((r) => ({ id: r.id, legacyId: r.legacy_id, practice: idx.get(r.practice_id)! }) as EntityTarget);
  return {
    practices,
    orders: await entities(`SELECT o.id, m.id AS legacy_id, o.practice_id FROM public.orders o JOIN legacy._map_order m ON m.uid = o.id ORDER BY hashtext(o.id::text) LIMIT $1`),
    cases: await entities(`SELECT c.id, m.id AS legacy_id, c.practice_id FROM public.cases c JOIN legacy._map_case m ON m.uid = c.id ORDER BY hashtext(c.id::text) LIMIT $1`),
    decisions: await entities(
      `SELECT c.id, m.id AS legacy_id, c.practice_id FROM public.cases c JOIN legacy._map_case m ON m.uid = c.id WHERE c.current_state = 'planning' ORDER BY hashtext(c.id::text) LIMIT $1`,
    ),
    terms: SEARCH_TERMS,
  };
}

/** Deterministic spread over a list: request i -> element (i · a large odd number) mod n. */
export const pickOf = <T>(xs: readonly T[], i: number): T => xs[(i * 2654435761) % xs.length]!;
