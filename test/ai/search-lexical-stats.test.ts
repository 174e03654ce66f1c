/**
 * The lexical statistics copy (db 0168) is refreshed by the worker on a Temporal Schedule
 * (src/services/search-stats-start.ts): after an ANALYZE, one scheduled run copies the partitions
 * whose statistics changed, and a second run finds nothing to copy.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { ensureLexicalStatsSchedule } from '../../src/services/search-stats-start';
import { lexicalStatsScheduleId } from '../../src/workflows/search-stats.workflow';
import { recordHistory } from '../support/case-driver';
import { createHarness, type Harness } from '../support/harness';
import { createPracticeFixture, type PracticeFixture } from '../support/fixtures';
import { setupAndTeardown } from '../support/lifecycle';

let h: Harness;
let a: PracticeFixture;

setupAndTeardown(
  async () => {
    h = await createHarness();
    a = await createPracticeFixture(h.database.system);
  },
  [() => h?.close()],
  { setup: 120_000 },
);

/** A's partition of search_index.documents and when its copy was made (null: none). */
async function copyOfA(): Promise<{ part: number; copiedAt: Date | null; current: boolean }> {
  const r = await sql<{ part: number; copied_at: Date | null; current: boolean }>`
    SELECT p.part, ls.copied_at, coalesce(ls.reltuples = c.reltuples AND ls.stats_rows = search_index.lexical_stats_rows(p.part), false) AS current
      FROM (SELECT d.tableoid::int AS part FROM search_index.documents d WHERE d.practice_id = ${a.practiceId}::uuid LIMIT 1) p
      JOIN pg_class c ON c.oid = p.part
      LEFT JOIN search_index.lexical_stats ls ON ls.part = p.part`.execute(h.database.system);
  return { part: r.rows[0]!.part, copiedAt: r.rows[0]!.copied_at, current: r.rows[0]!.current };
}

test('the Schedule’s run copies the statistics an ANALYZE changed; the copy is then current', async () => {
  const caseId = (
    await h.database.system
      .insertInto('cases')
      .values({ practice_id: a.practiceId, patient_id: a.patientId, case_number: `S-${randomUUID().slice(0, 8)}`, title: 'Stats', case_type: 'active_treatment' })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
  await h.database.system
    .insertInto('case_messages')
    .values(Array.from({ length: 30 }, (_, i) => ({ case_id: caseId, practice_id: a.practiceId, sender_id: a.members.doctor, content: `crown margin note ${i}` })))
    .execute();
  // New statistics: every partition's pg_statistic rows are new versions, so no copy is current.
  await sql`ANALYZE search_index.documents`.execute(h.database.system);
  expect((await copyOfA()).current).toBe(false);
  const before = new Date(Date.now() - 1000);

  expect(await ensureLexicalStatsSchedule(h.client, h.taskQueue, '1 hour')).toBe(true);
  const schedule = h.client.schedule.getHandle(lexicalStatsScheduleId(h.taskQueue));
  try {
    expect(await ensureLexicalStatsSchedule(h.client, h.taskQueue, '1 hour')).toBe(false); // kept, not duplicated
    expect((await schedule.describe()).action).toMatchObject({ type: 'startWorkflow', workflowType: 'lexicalStatsWorkflow' });
    await schedule.trigger();
    let started: { workflowId: string; firstExecutionRunId: string } | undefined;
    for (let i = 0; i < 600 && !started; i++) {
      started = (await schedule.describe()).info.recentActions[0]?.action.workflow;
      if (!started) await new Promise((r) => setTimeout(r, 100));
    }
    const run = h.client.workflow.getHandle(started!.workflowId, started!.firstExecutionRunId);
    expect((await run.result()).partitions).toBeGreaterThan(0);
    await recordHistory(run, 'encrypted/lexical-stats');
  } finally {
    await schedule.delete();
  }
  // Copied by that run (autovacuum may have analyzed it again since: when, not whether).
  expect((await copyOfA()).copiedAt!.getTime()).toBeGreaterThanOrEqual(before.getTime());
  // Right after a refresh, another finds nothing to copy (one snapshot: an ANALYZE that other files'
  // writes set off meanwhile is not seen).
  const [, again] = await h.database.system
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const refresh = async () => (await sql<{ n: number }>`SELECT search_index.refresh_lexical_stats() AS n`.execute(trx)).rows[0]!.n;
      return [await refresh(), await refresh()];
    });
  expect(again).toBe(0);
}, 120_000);
