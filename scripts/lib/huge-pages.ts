/**
 * Huge pages for an embedded PostgreSQL's shared memory (session 12, s-huge; bench/SEARCH.md
 * "Session 12 (s-huge)"). PostgreSQL maps shared_buffers with 2 MB pages only from the kernel's
 * reserved pool (vm.nr_hugepages; transparent huge pages do not cover shared memory unless
 * shmem_enabled says so, 'never' here). Reserving is root-only and takes that memory away from
 * everything else until released, so a bench reserves what its server needs just before starting
 * it and gives the pages back when it stops it. Nothing here ever fails a caller: a server that asked
 * for `huge_pages = try` starts with 4 kB pages when the pages are not there, and the caller says so.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const NR_HUGEPAGES = '/proc/sys/vm/nr_hugepages';

export interface HugePagesState {
  total: number;
  free: number;
  /** Promised to a mapping (a starting server) but not yet touched: not available to another. */
  reserved: number;
  sizeKb: number;
}

/** The kernel's huge page pool (/proc/meminfo), or null where there is none. */
export function hugePagesState(): HugePagesState | null {
  try {
    const info = readFileSync('/proc/meminfo', 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(info)?.[1] ?? NaN);
    const s = { total: field('HugePages_Total'), free: field('HugePages_Free'), reserved: field('HugePages_Rsvd'), sizeKb: field('Hugepagesize') };
    return Object.values(s).every(Number.isFinite) ? s : null;
  } catch {
    return null;
  }
}

/**
 * How many huge pages a server with these settings maps (`postgres -C
 * shared_memory_size_in_huge_pages`, which PostgreSQL computes only with the server stopped), or
 * null when it cannot say (no huge page support, or the cluster is running).
 */
export function hugePagesNeeded(postgresBin: string, cluster: string, settings: Record<string, string>, asUser?: string): number | null {
  const args = ['-C', 'shared_memory_size_in_huge_pages', '-D', cluster, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const r = asUser ? spawnSync('runuser', ['-u', asUser, '--', postgresBin, ...args], { encoding: 'utf8' }) : spawnSync(postgresBin, args, { encoding: 'utf8' });
  const n = Number(r.stdout?.trim());
  return r.status === 0 && Number.isInteger(n) && n > 0 ? n : null;
}

export interface HugePagesReservation {
  /** Whether `pages` free huge pages were there when the server was about to start. */
  ok: boolean;
  /** One line for the log: what was reserved, or why not and how an operator would. */
  message: string;
  /** Gives back what this reservation added (nothing when it added nothing); idempotent. */
  release(): void;
}

/**
 * Makes `pages` huge pages free for a server about to start: nothing when enough are free, else
 * (as root) raises vm.nr_hugepages by what is missing. The kernel may find fewer contiguous 2 MB
 * blocks than asked for; then the pool is put back and the reservation reports it.
 */
export function reserveHugePages(pages: number): HugePagesReservation {
  const before = hugePagesState();
  const noop = (ok: boolean, message: string): HugePagesReservation => ({ ok, message, release: () => undefined });
  if (!before) return noop(false, 'this kernel has no huge page pool');
  const available = before.free - before.reserved;
  if (available >= pages) return noop(true, `${pages} huge pages needed, ${available} free already`);
  const wanted = before.total + (pages - available);
  const hint = `${pages} huge pages (${((pages * before.sizeKb) / 1024 / 1024).toFixed(1)} GB) needed, ${available} free; as root: echo ${wanted} > ${NR_HUGEPAGES}`;
  if (process.getuid?.() !== 0) return noop(false, hint);
  // The kernel finds free 2 MB blocks only where no 4 kB page is in the way. On a host whose memory
  // is mostly page cache (here: 24 GB, 18-23 GB of it cache), one try got 1,791 of 2,147 pages,
  // and with other servers' shared memory in place only 21-32, however often compacted. What frees
  // whole blocks is demand for them: a short-lived process that maps the missing amount as
  // transparent huge pages (MADV_HUGEPAGE: the kernel reclaims and compacts for each 2 MB) and
  // exits, leaving 2 MB blocks free for the pool (2,147 pages in 10 s here). That reclaims the
  // least recently used page cache, as the server's own 4 kB shared memory would have.
  let after: HugePagesState | null = null;
  for (let attempt = 0; attempt < 6; attempt++) {
    try {
      // What is still missing and an eighth more: the last few blocks are the hardest to find.
      if (attempt > 0) makeRoom(Math.ceil((pages - ((after?.free ?? 0) - (after?.reserved ?? 0))) * 1.125) + 16, before.sizeKb);
      writeFileSync(NR_HUGEPAGES, String(wanted));
    } catch (err) {
      if (attempt === 0) return noop(false, `${hint} (writing it failed: ${(err as Error).message})`);
    }
    after = hugePagesState();
    if (after && after.free - after.reserved >= pages) break;
  }
  let released = false;
  // What this reservation added, as the pool stood after it: release takes back that much only.
  const added = Math.max(0, (after?.total ?? wanted) - before.total);
  const release = () => {
    if (released) return;
    released = true;
    // Lowering the pool below what a live mapping uses only frees those pages when it ends.
    const now = hugePagesState();
    const target = Math.max(0, (now?.total ?? before.total + added) - added);
    try {
      writeFileSync(NR_HUGEPAGES, String(target));
    } catch {
      // best effort: the pool stays larger, which costs memory, not correctness
    }
  };
  if (!after || after.free - after.reserved < pages) {
    release();
    return noop(false, `${hint} (the kernel found only ${added} more: memory too fragmented)`);
  }
  return { ok: true, message: `reserved ${added} huge pages (vm.nr_hugepages ${before.total} -> ${wanted}) for the server; given back when it stops`, release };
}

/**
 * Touches `pages` huge pages' worth of transparent-huge-page memory in a child that then exits;
 * nothing when the kernel could not give that much without pushing out more than page cache
 * (MemAvailable below twice the amount), so that making room never risks the OOM killer.
 */
function makeRoom(pages: number, sizeKb: number): void {
  if (pages <= 0) return;
  const availableKb = Number(/^MemAvailable:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
  if (availableKb < 2 * pages * sizeKb) return;
  const script = [
    'import mmap, sys',
    'n = int(sys.argv[1])',
    'm = mmap.mmap(-1, n, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)',
    "getattr(m, 'madvise', lambda *a: None)(getattr(mmap, 'MADV_HUGEPAGE', 14))",
    'for off in range(0, n, 4096): m[off] = 1',
  ].join('\n');
  // python3 is there wherever the embedded PostgreSQL is (it installs from PyPI into a venv).
  spawnSync('python3', ['-c', script, String(pages * sizeKb * 1024)], { stdio: 'ignore', timeout: 120_000 });
}
