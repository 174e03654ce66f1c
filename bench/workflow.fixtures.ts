/**
 * Test data for bench/workflow.bench.ts, in the spirit of test/support/fixtures.ts: every case
 * gets a fresh practice and patient (isolation by unique ids). The staff who act on cases are
 * two profiles shared by every practice (each practice gets them as members), so creating
 * hundreds of practices stays cheap.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../src/db/database';
import { addMember, createPatient, createPractice, createProfile } from '../src/repositories/identity.repository';
import type { TemplateDefinition } from '../src/repositories/templates.repository';
import type { Actor } from '../src/workflows/case.messages';

export interface BenchStaff {
  doctor: string;
  technician: string;
}

export interface BenchPractice {
  practiceId: string;
  patientId: string;
}

const tag = () => randomUUID().slice(0, 8);

export async function createStaff(db: Db): Promise<BenchStaff> {
  const person = (name: string, role: 'doctor' | 'technician') =>
    createProfile(db, { email: `bench-${name}-${tag()}@bench.mdw`, firstName: name, lastName: 'Bench', role });
  return { doctor: await person('doctor', 'doctor'), technician: await person('technician', 'technician') };
}

/** A practice whose doctor and technician are the shared staff, with one patient. */
export async function createBenchPractice(db: Db, staff: BenchStaff): Promise<BenchPractice> {
  const practiceId = await createPractice(db, { name: `Bench practice ${tag()}` });
  await addMember(db, practiceId, staff.doctor, 'doctor');
  await addMember(db, practiceId, staff.technician, 'technician');
  const patient = await createPatient(db, { practiceId, email: `patient-${tag()}@bench.mdw`, firstName: 'Pat', lastName: `Ient${tag()}` });
  return { practiceId, patientId: patient.id };
}

export async function createBenchPractices(db: Db, staff: BenchStaff, n: number, concurrency = 8): Promise<BenchPractice[]> {
  return mapPool(n, concurrency, () => createBenchPractice(db, staff));
}

export const technician = (staff: BenchStaff): Actor => ({ profileId: staff.technician, practiceRole: 'technician' });

/**
 * (c) One decision task whose rework target is itself: `request_changes` (with a reason) sends it
 * back to itself and re-activates it in the same update, so one case accepts decision after
 * decision. No estimate: no SLA timer interferes.
 */
export const selfReworkTemplate = (): TemplateDefinition => ({
  name: 'Bench: self-rework review',
  description: 'One review task that sends rework to itself (workflow benchmark).',
  caseType: 'follow_up',
  tasks: [{ key: 'review', name: 'Repeated review', order: 10, functionType: 'review', requiredRoles: ['technician'], reworkTo: 'review' }],
});

/** Runs fn(0..n-1) with at most `limit` in flight; results in index order. */
export async function mapPool<T>(n: number, limit: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(n);
  let next = 0;
  const lane = async () => {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, n)) }, lane));
  return out;
}
