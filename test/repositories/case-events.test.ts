/**
 * The case event writer (src/repositories/case-events.repository.ts) against PostgreSQL: the
 * awaiting-tasks list follows the newest event, and an older event delivered late (a retried
 * activity attempt) neither overwrites it nor writes anything twice.
 */
import { randomUUID } from 'node:crypto';
import { createDatabase, type Database } from '../../src/db/database';
import { persist } from '../../src/repositories/case-events.repository';
import type { AwaitingTask, CaseEvent } from '../../src/workflows/case.events';
import { testEnv } from '../support/env';
import { createPracticeFixture, type PracticeFixture } from '../support/fixtures';

let database: Database;
let f: PracticeFixture;
beforeAll(async () => {
  database = createDatabase(testEnv().databaseUrl, 2);
  f = await createPracticeFixture(database.system);
});
afterAll(() => database.destroy());

const task = (taskId: string, roles: AwaitingTask['roles']): AwaitingTask => ({ taskId, name: taskId, kind: 'decision', roles, dueAt: null, overdue: false });

test('awaiting tasks follow the newest event; a late older event changes nothing and a repeated one writes nothing twice', async () => {
  const db = database.system;
  const c = await db
    .insertInto('cases')
    .values({ patient_id: f.patientId, practice_id: f.practiceId, case_number: `C-${randomUUID().slice(0, 6)}`, title: 'Awaiting', case_type: 'retention' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const event = (seq: number, tasks: AwaitingTask[]): CaseEvent => ({
    key: `wf-${c.id}/${seq}`,
    caseId: c.id,
    practiceId: f.practiceId,
    at: new Date().toISOString(),
    actorId: f.members.doctor,
    workflowId: `wf-${c.id}`,
    runId: 'run',
    taskId: null,
    message: { type: 'status_update', subject: `event ${seq}`, content: `event ${seq}` },
    awaiting: { seq, priority: 'high', tasks },
  });
  const read = async () => ({
    seq: (await db.selectFrom('cases').select('awaiting_seq').where('id', '=', c.id).executeTakeFirstOrThrow()).awaiting_seq,
    rows: (await db.selectFrom('awaiting_tasks').select(['task_id', 'role', 'required_roles', 'priority']).where('case_id', '=', c.id).orderBy('task_id').orderBy('role').execute()).map( // role: in practice_role enum order
      (r) => `${r.task_id}/${r.role} of [${r.required_roles.join(',')}] ${r.priority}`,
    ),
  });
  expect(await read()).toEqual({ seq: null, rows: [] });
  await persist(db, event(1, [task('records', ['technician'])]));
  await persist(db, event(2, [task('approval', ['doctor', 'owner']), task('print', ['technician'])]));
  const newest = { seq: 2, rows: ['approval/owner of [doctor,owner] high', 'approval/doctor of [doctor,owner] high', 'print/technician of [technician] high'] };
  expect(await read()).toEqual(newest);

  await persist(db, event(1, [task('records', ['technician'])])); // late retry of event 1
  await persist(db, event(2, [task('approval', ['doctor', 'owner']), task('print', ['technician'])])); // repeated delivery
  expect(await read()).toEqual(newest);
  const messages = await db.selectFrom('case_messages').select('subject').where('case_id', '=', c.id).orderBy('subject').execute();
  expect(messages.map((m) => m.subject)).toEqual(['event 1', 'event 2']);

  await persist(db, event(3, [])); // on hold or closed: nothing awaits
  expect(await read()).toEqual({ seq: 3, rows: [] });
});
