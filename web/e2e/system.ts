/**
 * Playwright global setup: the real system from the test harness. Jest's global setup starts an
 * ephemeral PostgreSQL (migrated) and a Temporal dev server and bundles the workflows; the harness
 * starts a worker; the API serves the built console. Demo data (npm run up's) plus a lab
 * technician on the lab roster and a second practice, whose logins the journeys use.
 * Returns the teardown.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import argon2 from 'argon2';
import { sql } from 'kysely';
import jestGlobalSetup from '../../test/support/global-setup';
import jestGlobalTeardown from '../../test/support/global-teardown';
import { createHarness } from '../../test/support/harness';
import { startApi } from '../../src/api/server';
import { seedDemo } from '../../src/seed/demo';
import { addMember, createPatient, createPractice, createProfile } from '../../src/repositories/identity.repository';
import { ensureChromium } from '../../scripts/lib/chromium';
import type { Fixtures } from './support';

export const PASSWORD = 'e2e-password-1';

export default async function setup(): Promise<() => Promise<void>> {
  await ensureChromium();
  // A system already running (web/e2e/serve.ts, while writing tests): use it as it is.
  if (process.env.MDW_E2E_FIXTURES) return async () => undefined;
  await jestGlobalSetup();
  const h = await createHarness({ config: { API_PORT: '0', STORAGE_DIR: path.join(process.env.MDW_TEST_DIR!, 'files'), DASHBOARD_REFRESH_MS: '2000',
    // The journeys sign the same demo users in dozens of times a minute: the per-email limit (10) answered 429 on a fast machine.
    LOGIN_MAX_ATTEMPTS_PER_MINUTE: '1000' } });
  const api = await startApi({ config: h.config, database: h.database, temporal: h.client, cases: h.cases });
  const db = h.database.system;
  const demo = await seedDemo({ db, cases: h.cases });

  const hash = await argon2.hash(PASSWORD, { type: argon2.argon2id });
  const login = async (email: string, first: string, last: string, role: 'doctor' | 'technician') => {
    const id = await createProfile(db, { email, firstName: first, lastName: last, role });
    await db.insertInto('user_credentials').values({ profile_id: id, password_hash: hash }).execute();
    return id;
  };
  const tag = randomUUID().slice(0, 6);
  const labTech = await login(`lab-${tag}@e2e.mdw.local`, 'Lena', 'Lab', 'technician');
  await db.insertInto('lab_staff').values({ profile_id: labTech }).execute();
  const practiceB = await createPractice(db, { name: 'Harbour Dental (practice B)' });
  const doctorB = await login(`doctor-b-${tag}@e2e.mdw.local`, 'Bo', 'Bee', 'doctor');
  await addMember(db, practiceB, doctorB, 'doctor');
  const bianca = await createPatient(db, { practiceId: practiceB, email: `b-${tag}@patients.e2e.mdw.local`, firstName: 'Bianca', lastName: 'Other' });
  // Practice B's history (closed cases, as a legacy migration leaves them): Bianca's 52 cases, then
  // 100 newer ones of another patient, so hers are not among the practice's latest 100 and take
  // two of the patient page's pages.
  const nora = await createPatient(db, { practiceId: practiceB, email: `n-${tag}@patients.e2e.mdw.local`, firstName: 'Nora', lastName: 'Newer' });
  await sql`INSERT INTO public.cases (practice_id, patient_id, case_number, title, case_type, current_state, closed_at, workflow_started_at, created_at)
            SELECT ${practiceB}::uuid, CASE WHEN g <= 52 THEN ${bianca.id}::uuid ELSE ${nora.id}::uuid END, 'H-' || lpad(g::text, 4, '0'),
                   CASE WHEN g <= 52 THEN 'Retainer ' || g ELSE 'Aligners ' || g END, 'active_treatment', 'completed',
                   now() - interval '300 days' + g * interval '1 day', now(), now() - interval '400 days' + g * interval '1 day'
              FROM generate_series(1, 152) g`.execute(db);

  const byRole = Object.fromEntries(demo.logins.map((l) => [l.role, { email: l.email, password: l.password }]));
  const fixtures: Fixtures = {
    url: api.url,
    practiceA: demo.practiceId,
    practiceB,
    logins: {
      owner: byRole.owner!,
      doctor: byRole.doctor!,
      technician: byRole.technician!,
      assistant: byRole.assistant!,
      lab: { email: `lab-${tag}@e2e.mdw.local`, password: PASSWORD },
      doctorB: { email: `doctor-b-${tag}@e2e.mdw.local`, password: PASSWORD },
    },
  };
  process.env.MDW_E2E_URL = api.url;
  process.env.MDW_E2E_FIXTURES = JSON.stringify(fixtures);

  return async () => {
    await api.stop();
    await h.close();
    await jestGlobalTeardown();
  };
}
