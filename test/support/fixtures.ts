/** Test data: a fresh practice per test (isolation by unique ids, never by wiping tables). */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/database';
import { addMember, createPatient, createPractice, createProfile, type UserRole } from '../../src/repositories/identity.repository';
import { saveTemplate, type TemplateDefinition } from '../../src/repositories/templates.repository';
import type { PracticeRole } from '../../src/workflows/plan/plan.types';

export interface PracticeFixture {
  practiceId: string;
  patientId: string;
  members: Record<PracticeRole, string>;
}

const tag = () => randomUUID().slice(0, 8);

export async function createUser(db: Db, name: string, role: UserRole = 'technician'): Promise<string> {
  return createProfile(db, { email: `${name}-${tag()}@test.mdw`, firstName: name, lastName: 'Tester', role });
}

/** A practice with one member of every practice role and one patient. */
export async function createPracticeFixture(db: Db, name = `Practice ${tag()}`): Promise<PracticeFixture> {
  const practiceId = await createPractice(db, { name });
  const members = {} as Record<PracticeRole, string>;
  for (const role of ['owner', 'doctor', 'technician', 'assistant', 'admin'] as const) {
    members[role] = await createUser(db, role);
    await addMember(db, practiceId, members[role], role);
  }
  const patient = await createPatient(db, { practiceId, email: `patient-${tag()}@test.mdw`, firstName: 'Pat', lastName: `Ient${tag()}` });
  return { practiceId, patientId: patient.id, members };
}

export async function createTemplate(db: Db, def: TemplateDefinition): Promise<string> {
  return (await saveTemplate(db, def)).id;
}
