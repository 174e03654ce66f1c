import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `probe` until `until` holds (a workflow reached a state, a row appeared).
 * @returns the last probed value; throws with it when `timeoutMs` passes.
 */
export async function waitFor<T>(probe: () => Promise<T>, until: (v: T) => boolean, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!until(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)?.slice(0, 2000)}`);
    await sleep(100);
    last = await probe();
  }
  return last;
}
