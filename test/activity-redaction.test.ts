/**
 * A failing statement inside an activity must not carry its values (patient data) into the
 * workflow history, which Temporal keeps and shows in its UI, nor into the worker's logs.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { caseWorkflow } from '../src/workflows/case.workflow';
import { createHarness, type Harness } from './support/harness';
import { createPracticeFixture, createTemplate } from './support/fixtures';
import { decodeFailure, failuresOf } from './support/failures';
import { setupAndTeardown } from './support/lifecycle';

const SECRET = `Zelda Quinterra ${randomUUID().slice(0, 6)}`;
let h: Harness;
let failures = 0;

setupAndTeardown(async () => {
  h = await createHarness({
    hooks: {
      // An integration's hook whose statement fails once on a value from a patient's record.
      manufacture: async () => {
        if (failures++ === 0) await sql`select ${SECRET}::int`.execute(h.database.system);
        return { summary: 'Printed' };
      },
    },
  });
}, [() => h?.close()]);

test('an activity that fails on a statement leaves no statement value in the history, and is retried as before', async () => {
  const f = await createPracticeFixture(h.database.system);
  const templateId = await createTemplate(h.database.system, {
    name: `Redaction ${randomUUID()}`,
    caseType: 'follow_up',
    tasks: [{ key: 'make', name: 'Print retainer', order: 1, functionType: 'manufacture', autoTransition: true }],
  });
  const started = await h.cases.startCase({ practiceId: f.practiceId, patientId: f.patientId, createdBy: f.members.doctor, title: 'Retainer', caseType: 'follow_up', templateId });
  const handle = h.client.workflow.getHandle<typeof caseWorkflow>(started.workflowId);
  expect((await handle.result()).state).toBe('completed');
  expect(failures).toBe(2); // failed once, retried, succeeded

  const raw = await handle.fetchHistory();
  const history = historyToJSON(raw);
  // The failure is recorded (its message encrypted, src/temporal/failure-converter.ts)…
  const messages = await Promise.all(failuresOf(raw).map(async (f) => (await decodeFailure(h.config, f)).message));
  expect(messages).toContain('invalid input syntax for type integer: [redacted]');
  expect(history).not.toContain(SECRET); // …without the value
  expect(history).not.toContain('Zelda');
  expect(messages.join('\n')).not.toContain('Zelda'); // not even behind the codec
});
