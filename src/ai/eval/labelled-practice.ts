/**
 * What every evaluation on the labelled search set shares: its texts stored as one practice's
 * cases and messages (the messages in one thread), and nDCG@10 over graded relevance.
 */
import type { Db } from '../../db/database';
import { createPatient, createPractice, createProfile } from '../../repositories/identity.repository';
import { SEARCH_DOCS } from './search-set';

/** Results per page an evaluation scores. */
export const K = 10;

/** nDCG@K of `grades` (the relevance of each result, in rank order) against the relevant documents' grades. */
export function ndcg(grades: number[], ideal: number[]): number {
  const dcg = (g: number[]) => g.slice(0, K).reduce((s, r, i) => s + (2 ** r - 1) / Math.log2(i + 2), 0);
  const best = dcg([...ideal].sort((a, b) => b - a));
  return best === 0 ? 0 : dcg(grades) / best;
}

/**
 * Stores SEARCH_DOCS as one practice's texts: each case with its description, each message in a
 * host case's thread. `label` names the practice and the two profiles' emails.
 * @returns the practice, the sender, the patient, and each stored id's document key
 */
export async function storeLabelledSet(db: Db, label: string): Promise<{ practiceId: string; sender: string; patientId: string; keyOf: Map<string, string> }> {
  const practiceId = await createPractice(db, { name: `${label} practice` });
  const sender = await createProfile(db, { email: `${label}-doctor@eval.mdw`, firstName: 'Eval', lastName: 'Doctor', role: 'doctor' });
  const patient = await createPatient(db, { practiceId, email: `${label}-patient@eval.mdw`, firstName: 'Eval', lastName: 'Patient' });
  const host = await db
    .insertInto('cases')
    .values({ practice_id: practiceId, patient_id: patient.id, case_number: 'HOST', title: 'Message thread', case_type: 'active_treatment' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const keyOf = new Map<string, string>();
  let n = 0;
  for (const d of SEARCH_DOCS) {
    const id =
      d.kind === 'case'
        ? (
            await db
              .insertInto('cases')
              .values({ practice_id: practiceId, patient_id: patient.id, case_number: `E${++n}`, title: d.title ?? d.text.slice(0, 40), description: d.text, case_type: 'active_treatment' })
              .returning('id')
              .executeTakeFirstOrThrow()
          ).id
        : (await db.insertInto('case_messages').values({ case_id: host.id, practice_id: practiceId, sender_id: sender, content: d.text }).returning('id').executeTakeFirstOrThrow()).id;
    keyOf.set(id, d.key);
  }
  return { practiceId, sender, patientId: patient.id, keyOf };
}
