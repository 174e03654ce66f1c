/** What the journeys share: the system's fixtures, an API caller for set-up, sign-in, axe, screenshots. */
import path from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

export interface Login {
  email: string;
  password: string;
}

export interface Fixtures {
  url: string;
  practiceA: string;
  practiceB: string;
  logins: Record<'owner' | 'doctor' | 'technician' | 'assistant' | 'lab' | 'doctorB', Login>;
}

export function fixtures(): Fixtures {
  const raw = process.env.MDW_E2E_FIXTURES;
  if (!raw) throw new Error('run the browser tests through `npm run test:web` (its global setup starts the system)');
  return JSON.parse(raw) as Fixtures;
}

export const test = base.extend({
  // Known only after global setup has started the API on a free port. (Playwright reads a
  // fixture's dependencies from its destructuring pattern: this one has none.)
  // eslint-disable-next-line no-empty-pattern
  baseURL: async ({}, use) => use(fixtures().url),
});
export { expect };

export const SHOTS = path.resolve(__dirname, '..', 'test-results', 'screenshots');

/** A full-page screenshot kept as a test artifact (web/test-results/screenshots/<name>.png). */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** No serious or critical axe-core violation on the page as it is now. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${what}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`)).toEqual([]);
}

export async function signIn(page: Page, who: Login, path = '/app/'): Promise<void> {
  await page.goto(path);
  await expect(page.getByRole('heading', { name: 'Sign in to MDW' })).toBeVisible();
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}

/** The API as one person, for setting up what a journey starts from (the browser does the journey). */
export async function apiAs(who: Login) {
  const { url } = fixtures();
  const login = await fetch(`${url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(who) });
  if (!login.ok) throw new Error(`login ${who.email}: ${login.status}`);
  const { accessToken, profileId } = (await login.json()) as { accessToken: string; profileId: string };
  const call = async <T = Record<string, unknown>>(method: string, p: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}${p}`, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  /** A raw upload (files and project versions take the file itself as the body). */
  const upload = async <T = Record<string, unknown>>(p: string, body: Buffer, contentType: string): Promise<T> => {
    const res = await fetch(`${url}${p}`, { method: 'POST', headers: { authorization: `Bearer ${accessToken}`, 'content-type': contentType }, body: new Uint8Array(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`POST ${p}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };
  return { profileId, call, upload };
}
export type Caller = Awaited<ReturnType<typeof apiAs>>;

interface Task {
  id: string;
  name: string;
  status: string;
  awaitingDecision: boolean;
  kind: string;
}
interface CaseDetail {
  id: string;
  caseNumber: string;
  workflow: { state: string; tasks: Task[] } | null;
}

/** Polls the case until `pred` holds (the workflow moves asynchronously). */
export async function waitForCase(who: Caller, id: string, pred: (c: CaseDetail) => boolean, what: string): Promise<CaseDetail> {
  const until = Date.now() + 60_000;
  for (;;) {
    const c = await who.call<CaseDetail>('GET', `/cases/${id}`);
    if (pred(c)) return c;
    if (Date.now() > until) throw new Error(`case ${id}: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

const activeTask = (name: string) => (c: CaseDetail) => !!c.workflow?.tasks.some((t) => t.name === name && t.status === 'active');

/** A new case of the demo practice on the demo template (records review awaiting the lab). */
export async function newCase(doctor: Caller, title: string): Promise<CaseDetail> {
  const { practiceA } = fixtures();
  const patients = await doctor.call<{ items: Array<{ id: string }> }>('GET', `/patients?practiceId=${practiceA}&limit=5`);
  const created = await doctor.call<{ id: string }>('POST', '/cases', { practiceId: practiceA, patientId: patients.items[0]!.id, title, caseType: 'active_treatment' });
  return waitForCase(doctor, created.id, activeTask('Records review'), 'records review');
}

/** Takes a case through the steps before `task` (decisions by whoever may take them). */
export async function advanceTo(c: CaseDetail, task: 'Doctor approval' | 'Aligner printing', by: { tech: Caller; doctor: Caller }): Promise<CaseDetail> {
  const steps: Array<[string, Caller]> = [
    ['Records review', by.tech],
    ['Treatment plan design', by.tech],
    ...(task === 'Aligner printing' ? ([['Doctor approval', by.doctor]] as Array<[string, Caller]>) : []),
  ];
  let cur = c;
  for (const [name, who] of steps) {
    cur = await waitForCase(who, c.id, activeTask(name), name);
    const t = cur.workflow!.tasks.find((x) => x.name === name)!;
    await who.call('POST', `/cases/${c.id}/tasks/${t.id}/decision`, { decision: 'approve' });
  }
  return waitForCase(by.doctor, c.id, activeTask(task), task);
}
