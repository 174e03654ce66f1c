/**
 * scripts/lib/huge-pages.ts (session 12, s-huge): what the benches use to give their PostgreSQL
 * 2 MB pages. Only what cannot disturb the machine is exercised here: reading the pool, a
 * reservation that needs nothing, and asking a cluster that is not there. Reserving changes
 * vm.nr_hugepages for everyone, so it runs only in the benches (bench/search-settings-ab.ts).
 */
import os from 'node:os';
import path from 'node:path';
import { ensurePostgresInstalled } from '../../scripts/lib/embedded-postgres';
import { hugePagesNeeded, hugePagesState, reserveHugePages } from '../../scripts/lib/huge-pages';

describe('huge pages for the bench servers', () => {
  test('reads the kernel pool from /proc/meminfo', () => {
    const s = hugePagesState();
    expect(s).not.toBeNull();
    expect(s!.sizeKb).toBeGreaterThan(0);
    for (const n of [s!.total, s!.free, s!.reserved]) expect(Number.isInteger(n) && n >= 0).toBe(true);
    expect(s!.free).toBeLessThanOrEqual(s!.total);
  });

  test('a reservation that needs no pages is kept without touching the pool', () => {
    const r = reserveHugePages(0);
    expect(r.ok).toBe(true);
    expect(r.message).toMatch(/^0 huge pages needed, \d+ free already$/);
    expect(() => r.release()).not.toThrow();
  });

  test('a cluster that is not there needs no count, and asking does not throw', async () => {
    const home = await ensurePostgresInstalled();
    expect(hugePagesNeeded(path.join(home, 'bin', 'postgres'), path.join(os.tmpdir(), `no-cluster-${process.pid}`), { shared_buffers: '4GB' })).toBeNull();
  });
});
