/**
 * A migration whose records phase takes the two-session path (recordsSplitMinRows: 1) and that
 * kills itself (SIGKILL) at `point`: 'cases committed' (the cases are committed, no record is) or
 * 'shard committed' (the second session's share of the records is committed, the run's session's
 * is not). Used by bulk-insert.test.ts.
 *   node --import tsx split-kill-child.ts <legacy url> <target url> <point>
 */
import { dedupPatients } from '../../src/migration/dedup';
import { migrateLegacy } from '../../src/migration/pipeline';

const [legacyUrl, targetUrl, point] = process.argv.slice(2) as [string, string, string];
migrateLegacy({
  legacyUrl,
  targetUrl,
  dedup: dedupPatients,
  recordsSplitMinRows: 1,
  onRecordsSplit: (p) => {
    if (p === point) process.kill(process.pid, 'SIGKILL');
  },
}).then(
  () => process.exit(3), // never reached the kill: the test fails on the exit code
  (err: unknown) => {
    console.error(err);
    process.exit(2);
  },
);
