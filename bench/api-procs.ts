/**
 * Child processes of bench/api-bench.ts: the MDW API (bench/api-server.ts), the legacy server
 * (bench/legacy/server.ts) and the MDW worker (src/worker/main.ts), each a `tsx` script in its own
 * process so that none shares the load generator's event loop. A child is ready when it prints a
 * JSON line that `ready` accepts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Starts `script` with tsx; `ready` resolves with what `ready()` returned for the first accepted JSON line. */
export function startTsx(
  script: string,
  env: Record<string, string>,
  ready: (line: Record<string, unknown>) => string | undefined = (m) => (typeof m.url === 'string' ? m.url : undefined),
  timeoutMs = 60_000,
  /** every stdout line after start-up (the child's log) */
  onLine?: (line: string) => void,
): { child: ChildProcess; ready: Promise<string> } {
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  // Keeps reading stdout after start-up, so that a chatty child never blocks on a full pipe.
  const rl = createInterface({ input: child.stdout! });
  let started = false;
  if (onLine) rl.on('line', (line) => started && onLine(line));
  const p = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within ${timeoutMs / 1000} s`)), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code})`));
    });
    rl.on('line', (line) => {
      try {
        if (started) return;
        const v = ready(JSON.parse(line) as Record<string, unknown>);
        if (v !== undefined) {
          started = true;
          clearTimeout(timer);
          resolve(v);
        }
      } catch {
        /* not our line */
      }
    });
  });
  p.catch(() => undefined);
  return { child, ready: p };
}

/** startTsx, awaited; the child is stopped if it does not become ready. */
export async function spawnTsx(
  script: string,
  env: Record<string, string>,
  ready?: (line: Record<string, unknown>) => string | undefined,
  timeoutMs?: number,
  onLine?: (line: string) => void,
): Promise<{ url: string; child: ChildProcess }> {
  const s = startTsx(script, env, ready, timeoutMs, onLine);
  try {
    return { url: await s.ready, child: s.child };
  } catch (err) {
    await stopChild(s.child);
    throw err;
  }
}

/** SIGTERM, then SIGKILL after `graceMs`. */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
