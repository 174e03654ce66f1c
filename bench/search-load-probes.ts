/**
 * What a concurrent search benchmark needs beside latencies (session 10, s-contend): where the
 * machine's CPU went while a method ran (the database server's processes, this process, everyone
 * else), how busy this process's event loop was (is the single client process a bottleneck?), and
 * what the server's backends were doing (pg_stat_activity's wait events, sampled). Linux /proc
 * only; elsewhere the CPU figures are null.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';
import pg from 'pg';
import { guardClient } from '../src/db/connection-errors';

/** Clock ticks per second of /proc's utime, stime and /proc/stat (USER_HZ, 100 on Linux). */
const TICK_MS = 10;

/** utime, stime, cutime, cstime of one process (fields 14–17 of /proc/<pid>/stat), in ticks. */
function procTicks(pid: number): { own: number; children: number; ppid: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command's closing parenthesis: state is the 3rd field, ppid the 4th, utime the 14th.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), own: Number(f[11]) + Number(f[12]), children: Number(f[13]) + Number(f[14]) };
  } catch {
    return null;
  }
}

/**
 * CPU ticks of a PostgreSQL server so far: the postmaster's own and its reaped children's (a
 * backend that exits, e.g. a pool's idle connection closed, moves its time there), plus every
 * live child's (backends, checkpointer, walwriter, autovacuum).
 */
export function serverTicks(postmasterPid: number): number | null {
  const pm = procTicks(postmasterPid);
  if (!pm) return null;
  let sum = pm.own + pm.children;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const p = procTicks(Number(name));
    if (p && p.ppid === postmasterPid) sum += p.own;
  }
  return sum;
}

/** The whole machine's busy ticks (everything but idle and iowait) and how many of them were niced. */
function machineTicks(): { busy: number; nice: number } | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal
    return { busy: f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!, nice: f[1]! };
  } catch {
    return null;
  }
}

export interface LoadSample {
  /** Server processes' CPU per search, ms. */
  serverCpuMs: number | null;
  /** This process's CPU per search (the service's TypeScript, the driver, the clients), ms. */
  clientCpuMs: number | null;
  /** The rest of the machine's busy CPU per search (other users' work, the kernel's), ms; niced part separately. */
  otherCpuMs: number | null;
  otherNicedCpuMs: number | null;
  /** Share of the wall time this process's event loop was busy (1 = saturated: the client is the bottleneck). */
  eventLoopUtilization: number;
  /** How late the event loop ran a timer: p99 and max, ms. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

/** Starts measuring; `stop(searches)` returns the figures per search since. */
export function startLoadProbe(postmasterPid: number | null): { stop: (searches: number) => LoadSample } {
  const s0 = postmasterPid ? serverTicks(postmasterPid) : null;
  const m0 = machineTicks();
  const c0 = process.cpuUsage();
  const elu0: EventLoopUtilization = performance.eventLoopUtilization();
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  return {
    stop(searches) {
      const s1 = postmasterPid ? serverTicks(postmasterPid) : null;
      const m1 = machineTicks();
      const c = process.cpuUsage(c0);
      const elu = performance.eventLoopUtilization(elu0);
      delay.disable();
      const per = (ms: number) => Number((ms / searches).toFixed(3));
      const serverMs = s0 !== null && s1 !== null ? (s1 - s0) * TICK_MS : null;
      const clientMs = (c.user + c.system) / 1000;
      const machineMs = m0 && m1 ? (m1.busy - m0.busy) * TICK_MS : null;
      return {
        serverCpuMs: serverMs === null ? null : per(serverMs),
        clientCpuMs: per(clientMs),
        otherCpuMs: machineMs === null || serverMs === null ? null : per(Math.max(0, machineMs - serverMs - clientMs)),
        otherNicedCpuMs: m0 && m1 ? per((m1.nice - m0.nice) * TICK_MS) : null,
        eventLoopUtilization: Number(elu.utilization.toFixed(3)),
        loopDelayP99Ms: Number((delay.percentile(99) / 1e6).toFixed(2)),
        loopDelayMaxMs: Number((delay.max / 1e6).toFixed(2)),
      };
    },
  };
}

/** The postmaster's pid from its data directory's postmaster.pid (first line); null when absent. */
export function postmasterPid(pgdata: string): number | null {
  try {
    const pid = Number(readFileSync(`${pgdata}/postmaster.pid`, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Samples pg_stat_activity every `everyMs` on its own connection: for the client backends of
 * `application`, how often each was active on CPU (no wait event), waiting (by event), or idle.
 * "active, no wait event" includes a backend that is runnable but waiting for a core: the
 * kernel's run queue is not a PostgreSQL wait.
 */
export function sampleWaitEvents(url: string, application: string, everyMs = 10): { stop: () => Promise<{ samples: number; states: Record<string, number> }> } {
  const client = guardClient(new pg.Client({ connectionString: url, application_name: 'bench-wait-sampler' }));
  const states: Record<string, number> = {};
  let samples = 0;
  let running = true;
  const done = (async () => {
    await client.connect();
    while (running) {
      const r = await client.query<{ what: string; n: number }>(
        `SELECT CASE WHEN state = 'active' THEN 'active: ' || coalesce(wait_event_type || '/' || wait_event, 'CPU (or run queue)')
                     ELSE coalesce(state, '?') || coalesce(': ' || wait_event_type || '/' || wait_event, '') END AS what, count(*)::int AS n
           FROM pg_stat_activity WHERE application_name = $1 AND backend_type = 'client backend' GROUP BY 1`,
        [application],
      );
      samples++;
      for (const x of r.rows) states[x.what] = (states[x.what] ?? 0) + x.n;
      await new Promise((res) => setTimeout(res, everyMs));
    }
    await client.end();
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return { samples, states: Object.fromEntries(Object.entries(states).sort((a, b) => b[1] - a[1])) };
    },
  };
}
