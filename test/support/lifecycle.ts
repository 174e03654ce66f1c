/**
 * A test file's shared setup (a harness, servers, pools) and its teardown, paired so that the
 * teardown closes what the setup opened whatever happened to it. Jest runs afterAll even when
 * beforeAll threw or timed out, and a timed-out beforeAll keeps running: without this, a worker,
 * Temporal connection or pool that the setup opens after its timeout, or that a closer never
 * reaches because an earlier closer threw, stays open, keeps the Jest worker alive, and its
 * "did not exit" is what one sees instead of the setup's own error.
 */

/**
 * Registers beforeAll(setup) and afterAll(teardown). The teardown first waits for the setup to
 * settle (it may still be opening things after a timeout), then runs every closer in order, each
 * even when an earlier one failed; closers close only what exists (`() => env?.close()`), since
 * the setup may have stopped before assigning it. The first closer's error is rethrown at the end.
 * @param timeouts - setup: beforeAll's timeout (default: Jest's); teardown: afterAll's.
 */
export function setupAndTeardown(setup: () => Promise<unknown>, closers: Array<() => unknown>, timeouts: { setup?: number; teardown?: number } = {}): void {
  let running: Promise<unknown> | undefined;
  beforeAll(() => (running = setup()), timeouts.setup);
  afterAll(async () => {
    await running?.catch(() => undefined);
    await closeAll(closers);
  }, timeouts.teardown);
}

/** Runs every closer in order, each even when an earlier one threw; rethrows the first error. */
export async function closeAll(closers: Array<() => unknown>): Promise<void> {
  const errors: unknown[] = [];
  for (const close of closers) {
    try {
      await close();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length) throw errors[0];
}
