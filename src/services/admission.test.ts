import { createAdmission } from './admission';

/** A promise with its resolve handle, to finish calls in a chosen order. */
function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('createAdmission', () => {
  it('runs at most `limit` calls at once and starts the waiting ones in arrival order', async () => {
    const admission = createAdmission(2);
    const started: number[] = [];
    const gates = Array.from({ length: 5 }, () => deferred());
    const calls = gates.map((g, i) =>
      admission.run(async () => {
        started.push(i);
        await g.promise;
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect([admission.active, admission.waiting]).toEqual([2, 3]);
    gates[1]!.resolve();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.resolve();
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const g of gates) g.resolve();
    expect(await Promise.all(calls)).toEqual([0, 1, 2, 3, 4]);
    expect([admission.active, admission.waiting]).toEqual([0, 0]);
  });

  it('frees the slot of a call that throws', async () => {
    const admission = createAdmission(1);
    await expect(admission.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await admission.run(() => Promise.resolve('next'))).toBe('next');
    expect(admission.active).toBe(0);
  });

  it('limit 0 runs every call at once', async () => {
    const admission = createAdmission(0);
    const gate = deferred();
    const started: number[] = [];
    const calls = [0, 1, 2].map((i) => admission.run(async () => (started.push(i), await gate.promise)));
    await tick();
    expect(started).toEqual([0, 1, 2]);
    gate.resolve();
    await Promise.all(calls);
  });

  it('tells onAdmit how long each call waited, just before the call starts', async () => {
    const seen: string[] = [];
    const waits: number[] = [];
    const admission = createAdmission(1, (ms) => (waits.push(ms), seen.push(`admit ${waits.length - 1}`)));
    const gate = deferred();
    const first = admission.run(async () => (seen.push('start 0'), await gate.promise));
    const second = admission.run(async () => seen.push('start 1'));
    await tick();
    expect(seen).toEqual(['admit 0', 'start 0']);
    // The second call waits while the first holds the slot for at least 20 ms.
    await new Promise((r) => setTimeout(r, 25));
    gate.resolve();
    await Promise.all([first, second]);
    expect(seen).toEqual(['admit 0', 'start 0', 'admit 1', 'start 1']);
    expect(waits[0]).toBe(0);
    expect(waits[1]).toBeGreaterThanOrEqual(20);
    // Without a limit every call is admitted at once, and still reported.
    const free: number[] = [];
    await createAdmission(0, (ms) => free.push(ms)).run(() => Promise.resolve());
    expect(free).toEqual([0]);
  });
});
