/**
 * Live legacy cases get running workflows at the task their reconstructed state implies, with
 * the right search attributes; closed cases get none; a re-run starts nothing twice.
 */
import { createLiveCaseStarter } from '../../src/migration/live-cases';
import { caseViewQuery } from '../../src/workflows/case.messages';
import * as SA from '../../temporal/search-attributes';
import { createHarness, type Harness } from '../support/harness';
import { legacyDb, query, run, targetDb } from './support';
import { setupAndTeardown } from '../support/lifecycle';

let h: Harness;
let target: string;
let legacy: string;

setupAndTeardown(async () => {
  legacy = await legacyDb();
  target = await targetDb();
  h = await createHarness({ config: { DATABASE_URL: target } });
}, [() => h?.close()], { setup: 120_000 });

test('live cases run at their position; closed cases start nothing; a re-run starts nothing twice', async () => {
  const start = createLiveCaseStarter({ db: h.database.system, cases: h.cases });
  const report = await run(legacy, target, { startLiveCases: start });
  // 201 (planning), 204 (in production), 211 (under review); 206 and 209 have no template for their type.
  expect(report.liveCases).toMatchObject({ eligible: 3, started: 3, withoutTemplate: 2 });

  const cases = await query<{ legacy: string; workflow_id: string | null; state: string }>(
    target,
    `select metadata->'legacy'->>'case_id' as legacy, workflow_id, current_state::text as state from cases order by 1`,
  );
  const byLegacy = Object.fromEntries(cases.map((c) => [c.legacy, c]));
  for (const closed of ['200', '202', '203']) expect(byLegacy[closed]!.workflow_id).toBeNull();

  const expectations: Array<[string, string, string, string[]]> = [
    ['201', 'planning', 'Doctor approval', ['doctor']],
    ['204', 'in_production', 'Make retainer', ['technician']],
    ['211', 'under_review', 'Records review', ['technician']],
  ];
  for (const [legacyId, state, task, roles] of expectations) {
    const handle = h.client.workflow.getHandle(byLegacy[legacyId]!.workflow_id!);
    const view = await handle.query(caseViewQuery);
    expect({ legacyId, state: view.state, status: view.status }).toEqual({ legacyId, state, status: 'active' });
    const active = view.tasks.filter((t) => t.status === 'active').map((t) => t.name);
    expect(active).toEqual([task]);
    expect(view.rolesAwaited).toEqual(roles);
    const done = view.tasks.filter((t) => t.status === 'done').length;
    expect(done).toBe(view.tasks.findIndex((t) => t.name === task));
    const desc = await handle.describe();
    expect(desc.typedSearchAttributes.get(SA.CaseState)).toBe(state);
    expect(desc.typedSearchAttributes.get(SA.AwaitingRoles)).toEqual(roles);
  }
  // The inbox shows them.
  const inbox = await query<{ n: string }>(target, `select count(distinct case_id) as n from awaiting_tasks`);
  expect(Number(inbox[0]!.n)).toBe(3);

  const again = await run(legacy, target, { startLiveCases: start });
  expect(again.liveCases.eligible).toBe(0);
  const workflows = await query<{ n: string }>(target, `select count(*) as n from cases where workflow_id is not null`);
  expect(Number(workflows[0]!.n)).toBe(3);
}, 120_000);
