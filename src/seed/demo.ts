/**
 * Demo data for `npm run up`: one practice with staff who can sign in, patients, the standard
 * aligner template and a few cases at different stages. Idempotent: a second run finds the
 * practice and changes nothing.
 */
import argon2 from 'argon2';
import type { Db } from '../db/database';
import { addMember, createPatient, createPractice, createProfile } from '../repositories/identity.repository';
import { findTemplateForCaseType, saveTemplate } from '../repositories/templates.repository';
import type { CaseService } from '../services/case.service';
import type { PracticeRole } from '../workflows/plan/plan.types';
import { clearAlignerTemplate } from './templates';

export const DEMO_PRACTICE = 'Bright Smiles Orthodontics (demo)';
const DEMO_PASSWORD = 'demo-password-1';
const STAFF: Array<{ role: PracticeRole; first: string; last: string }> = [
  { role: 'owner', first: 'Olivia', last: 'Owner' },
  { role: 'doctor', first: 'Dana', last: 'Doctor' },
  { role: 'technician', first: 'Theo', last: 'Technician' },
  { role: 'assistant', first: 'Ava', last: 'Assistant' },
];
const PATIENTS = [
  ['Sierra', 'Green', '1990-04-12'],
  ['Tori', 'Nolen', '1987-11-02'],
  ['Marcus', 'Hale', '2008-06-30'],
  ['Priya', 'Raman', '1995-01-19'],
] as const;

export interface DemoSummary {
  practiceId: string;
  practiceName: string;
  caseCount: number;
  logins: Array<{ role: PracticeRole; email: string; password: string }>;
}

const emailFor = (role: string) => `${role}@demo.mdw.local`;

export async function seedDemo({ db, cases }: { db: Db; cases: CaseService }): Promise<DemoSummary> {
  const logins = STAFF.map((s) => ({ role: s.role, email: emailFor(s.role), password: DEMO_PASSWORD }));
  const existing = await db.selectFrom('practices').select('id').where('name', '=', DEMO_PRACTICE).executeTakeFirst();
  if (existing) {
    const n = await db.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n')).where('practice_id', '=', existing.id).executeTakeFirstOrThrow();
    return { practiceId: existing.id, practiceName: DEMO_PRACTICE, caseCount: Number(n.n), logins };
  }

  const hash = await argon2.hash(DEMO_PASSWORD, { type: argon2.argon2id });
  const { practiceId, staff, patients } = await db.transaction().execute(async (trx) => {
    const practiceId = await createPractice(trx, { name: DEMO_PRACTICE, email: 'front-desk@demo.mdw.local' });
    const staff: Partial<Record<PracticeRole, string>> = {};
    for (const s of STAFF) {
      const id = await createProfile(trx, { email: emailFor(s.role), firstName: s.first, lastName: s.last, role: s.role === 'doctor' ? 'doctor' : 'technician' });
      await addMember(trx, practiceId, id, s.role);
      await trx.insertInto('user_credentials').values({ profile_id: id, password_hash: hash }).execute();
      staff[s.role] = id;
    }
    const patients: string[] = [];
    for (const [first, last, dob] of PATIENTS) {
      patients.push((await createPatient(trx, { practiceId, email: `${first}.${last}@patients.demo.mdw.local`.toLowerCase(), firstName: first, lastName: last, dateOfBirth: dob })).id);
    }
    return { practiceId, staff, patients };
  });

  if (!(await findTemplateForCaseType(db, practiceId, 'active_treatment'))) await saveTemplate(db, clearAlignerTemplate());

  const titles = ['Full arch aligners', 'Refinement after 20 weeks', 'Lower crowding', 'Class II correction'];
  for (const [i, patientId] of patients.entries()) {
    await cases.startCase({
      practiceId,
      patientId,
      createdBy: staff.doctor!,
      title: titles[i % titles.length]!,
      caseType: 'active_treatment',
      priority: i === 2 ? 'high' : 'medium',
    });
  }
  return { practiceId, practiceName: DEMO_PRACTICE, caseCount: patients.length, logins };
}
