/**
 * The journeys, in its order, through the real browser against the real system. Each
 * saves screenshots (web/test-results/screenshots/) and checks the pages it passes with axe-core.
 */
import { advanceTo, apiAs, expect, expectAccessible, fixtures, newCase, shot, signIn, test, waitForCase } from './support';

test('a doctor signs in, approves a plan and sees the timeline move', async ({ page }) => {
  const f = fixtures();
  const doctor = await apiAs(f.logins.doctor);
  const tech = await apiAs(f.logins.technician);
  const c = await advanceTo(await newCase(doctor, 'Journey 1 aligners'), 'Doctor approval', { tech, doctor });

  await signIn(page, f.logins.doctor);
  await page.getByRole('tab', { name: 'My roles' }).click();
  const row = page.getByRole('row').filter({ hasText: c.caseNumber });
  await expect(row).toContainText('Doctor approval');
  await shot(page, '01-inbox-doctor');
  await expectAccessible(page, 'inbox');
  await row.getByRole('link').click();

  await expect(page.getByRole('heading', { level: 1 })).toContainText(c.caseNumber);
  await expect(page).toHaveTitle('Case · MDW'); // no patient or case details in the title
  const timeline = page.getByRole('list', { name: 'Timeline, newest first' });
  const approvedState = timeline.getByRole('listitem').filter({ hasText: /State: .*→ Approved/ });
  await expect(timeline.getByRole('listitem').first()).toBeVisible();
  await expect(approvedState).toHaveCount(0);
  await shot(page, '02-case-before-approval');
  await expectAccessible(page, 'case page');

  await page.getByRole('group', { name: /Doctor approval/ }).getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Approve “Doctor approval”: done.' })).toBeVisible();
  // The workflow moves on by itself: the page picks it up without a reload.
  await expect(approvedState).toHaveCount(1);
  await expect(page.getByRole('group', { name: "The case's plan: tasks and their order" })).toContainText('Doctor approval: done');
  await shot(page, '03-case-after-approval');
});

test('a technician claims a task from the lab queue and completes it', async ({ page }) => {
  const f = fixtures();
  const doctor = await apiAs(f.logins.doctor);
  const tech = await apiAs(f.logins.technician);
  const c = await advanceTo(await newCase(doctor, 'Journey 2 printing'), 'Aligner printing', { tech, doctor });

  await signIn(page, f.logins.lab);
  await page.getByRole('tab', { name: 'Lab queue' }).click();
  const row = page.getByRole('row').filter({ hasText: c.caseNumber });
  await expect(row).toContainText('Aligner printing');
  await expect(row).toContainText('Bright Smiles Orthodontics');
  await shot(page, '04-lab-queue');
  await row.getByRole('link').click();

  const printing = page.getByRole('group', { name: /Aligner printing/ });
  await printing.getByRole('button', { name: 'Claim' }).click();
  await expect(printing).toContainText('held by you');
  await shot(page, '05-task-claimed');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
  await page.getByRole('tab', { name: 'Mine' }).click();
  await expect(page.getByRole('row').filter({ hasText: c.caseNumber })).toContainText('Aligner printing');
  await page.getByRole('row').filter({ hasText: c.caseNumber }).getByRole('link').click();

  await page.getByRole('group', { name: /Aligner printing/ }).getByRole('button', { name: 'Complete' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Complete “Aligner printing”: done.' })).toBeVisible();
  await expect(page.getByRole('group', { name: "The case's plan: tasks and their order" })).toContainText('Aligner printing: done');
  await shot(page, '06-task-completed');
  const after = await waitForCase(doctor, c.id, (x) => !!x.workflow?.tasks.some((t) => t.name === 'Aligner printing' && t.status === 'done'), 'printing done');
  expect(after.workflow!.tasks.find((t) => t.name === 'Final inspection')!.status).toBe('active');
});

test('a refusal is said in words: the lab cannot approve for the doctor', async ({ page }) => {
  const f = fixtures();
  const doctor = await apiAs(f.logins.doctor);
  const tech = await apiAs(f.logins.technician);
  const c = await advanceTo(await newCase(doctor, 'Journey refusal'), 'Doctor approval', { tech, doctor });
  await signIn(page, f.logins.technician, `/app/cases/${c.id}`);
  await page.getByRole('group', { name: /Doctor approval/ }).getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByRole('alert')).toContainText('Approve “Doctor approval” refused: Your role cannot do this step.');
});

test('an upload with progress', async ({ page }) => {
  const f = fixtures();
  const doctor = await apiAs(f.logins.doctor);
  const c = await newCase(doctor, 'Journey 3 upload');
  await signIn(page, f.logins.doctor, `/app/cases/${c.id}`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(c.caseNumber);

  // Slow the upload down (Chromium's network emulation) so the bar is seen moving.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 2 * 1024 * 1024 });
  const seen: number[] = [];
  const sample = setInterval(() => {
    void page
      .locator('progress')
      .getAttribute('value', { timeout: 100 })
      .then((v) => v !== null && seen.push(Number(v)))
      .catch(() => undefined);
  }, 100);
  const bytes = Buffer.alloc(6 * 1024 * 1024, 'solid test\n');
  await page.getByLabel('Kind').selectOption('model');
  await page.getByLabel('Upload a file').setInputFiles({ name: 'upper-arch.stl', mimeType: 'model/stl', buffer: bytes });
  await expect(page.getByLabel('Upload progress')).toBeVisible();
  await shot(page, '07-upload-in-progress');
  await expect(page.getByRole('list', { name: 'Files of the case' })).toContainText(/upper-arch\.stl \(Model, 6144 KB/);
  clearInterval(sample);
  await expect(page.locator('progress')).toHaveAttribute('value', '1');
  expect(seen.some((v) => v > 0 && v < 1)).toBe(true);
  await expect(page.getByRole('list', { name: 'Timeline, newest first' })).toContainText('File: upper-arch.stl');
  await shot(page, '08-upload-done');
});

/** A binary STL of a tetrahedron (4 triangles), 10 mm along each axis. */
function tetrahedron(): Buffer {
  const v = [
    [0, 0, 0],
    [10, 0, 0],
    [0, 10, 0],
    [0, 0, 10],
  ];
  const faces = [
    [0, 2, 1],
    [0, 1, 3],
    [0, 3, 2],
    [1, 2, 3],
  ];
  const buf = Buffer.alloc(84 + faces.length * 50);
  buf.write('mdw e2e tetrahedron', 0);
  buf.writeUInt32LE(faces.length, 80);
  faces.forEach((f, i) => {
    const o = 84 + i * 50 + 12; // normal left zero: the viewer computes normals
    f.forEach((vi, k) => v[vi]!.forEach((c, j) => buf.writeFloatLE(c, o + k * 12 + j * 4)));
  });
  return buf;
}

test('an STL model previewed in 3D (three.js)', async ({ page }) => {
  const f = fixtures();
  const doctor = await apiAs(f.logins.doctor);
  const c = await newCase(doctor, 'Journey STL preview');
  await signIn(page, f.logins.doctor, `/app/cases/${c.id}`);
  await page.getByLabel('Kind').selectOption('model');
  await page.getByLabel('Upload a file').setInputFiles({ name: 'setup-v1.stl', mimeType: 'model/stl', buffer: tetrahedron() });
  await page.getByRole('button', { name: 'Preview setup-v1.stl in 3D' }).click();
  const figure = page.getByRole('figure', { name: '3D preview of setup-v1.stl' });
  await expect(figure).toContainText('4 triangles');
  await expect(figure.locator('canvas')).toBeVisible();
  await figure.getByRole('button', { name: 'Turn right' }).click();
  await shot(page, '13-stl-preview');
});

test('project versions: the doctor approves one, the page shows which, and previews it in 3D', async ({ page }) => {
  const f = fixtures();
  const doctor = await apiAs(f.logins.doctor);
  const tech = await apiAs(f.logins.technician);
  const c = await advanceTo(await newCase(doctor, 'Journey project versions'), 'Doctor approval', { tech, doctor });
  const v1 = await tech.upload<{ id: string; projectId: string }>(`/cases/${c.id}/projects?name=Aligner%20setup&projectType=aligner_design&fileName=setup-v1.stl`, tetrahedron(), 'model/stl');
  const v2 = await tech.upload<{ id: string; version: number }>(`/projects/${v1.projectId}/versions?fileName=setup-v2.stl`, tetrahedron(), 'model/stl');
  expect(v2.version).toBe(2);

  await signIn(page, f.logins.doctor, `/app/cases/${c.id}`);
  const project = page.getByRole('region', { name: 'Project Aligner setup' });
  await expect(project).toContainText('2 versions');
  await expect(project).not.toContainText('Approved by the doctor');
  const approval = page.getByRole('group', { name: /Doctor approval/ });
  await approval.getByLabel('About the version').selectOption({ label: 'Aligner setup v2' });
  await approval.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Approve “Doctor approval”: done.' })).toBeVisible();
  const approvedRow = project.getByRole('listitem').filter({ hasText: 'Approved by the doctor' });
  await expect(approvedRow).toHaveCount(1);
  await expect(approvedRow).toContainText('v2');
  await project.getByRole('button', { name: 'Preview Aligner setup version 2 in 3D' }).click();
  await expect(page.getByRole('figure', { name: '3D preview of Aligner setup v2' })).toContainText('4 triangles');
  await shot(page, '14-project-approved-version');
});

test('a proposal confirmed from a message', async ({ page }) => {
  const f = fixtures();
  const doctor = await apiAs(f.logins.doctor);
  const tech = await apiAs(f.logins.technician);
  const assistant = await apiAs(f.logins.assistant);
  const c = await advanceTo(await newCase(doctor, 'Journey 4 proposal'), 'Doctor approval', { tech, doctor });
  await assistant.call('POST', `/cases/${c.id}/messages`, { content: 'Dr. says plan approved, send to mfg' });

  await signIn(page, f.logins.doctor, `/app/cases/${c.id}`);
  const proposal = page.getByRole('group', { name: 'Proposal from this message' });
  await expect(proposal).toContainText('This reads as an approval');
  await expect(proposal).toContainText('confirm?');
  await shot(page, '09-proposal');
  await proposal.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Confirm the proposal: done.' })).toBeVisible();
  await expect(proposal).toHaveCount(0);
  await expect(page.getByRole('group', { name: "The case's plan: tasks and their order" })).toContainText('Doctor approval: done');
  await shot(page, '10-proposal-confirmed');
});

test('a template edited with an error shown on the right task', async ({ page }) => {
  const f = fixtures();
  await signIn(page, f.logins.owner);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Templates' }).click();
  await page.getByRole('navigation', { name: 'Templates' }).getByRole('link', { name: 'Clear aligners — standard' }).click();
  await expect(page.getByRole('group', { name: "The template's tasks and their order" })).toContainText('Final inspection');
  await expectAccessible(page, 'templates');

  await page.getByLabel('inspection comes after').fill('print, attachments, polishing');
  await page.getByRole('button', { name: 'Check (dry run)' }).click();
  await expect(page.getByRole('alert').filter({ hasText: /error/ })).toBeVisible();
  const bad = page.locator('tr[data-task-key="inspection"]');
  await expect(bad).toHaveClass(/row-error/);
  await expect(bad.locator('td.error')).toContainText('polishing');
  // Only that task is marked: its neighbours carry no error.
  await expect(page.locator('tr.row-error')).toHaveCount(1);
  await expect(page.getByRole('group', { name: "The template's tasks and their order" })).toContainText(/Final inspection.*Error/);
  await expect(page.getByLabel('inspection comes after')).toHaveAccessibleDescription(/polishing/);
  await shot(page, '11-template-error');

  await page.getByLabel('inspection comes after').fill('print, attachments');
  await page.getByRole('button', { name: 'Check (dry run)' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'No errors' })).toBeVisible();
  await expect(page.locator('tr.row-error')).toHaveCount(0);
});

test("a member of practice B never sees practice A's case, not even by pasting its URL", async ({ page }) => {
  const f = fixtures();
  const doctor = await apiAs(f.logins.doctor);
  const c = await newCase(doctor, 'Journey 6 tenancy');
  const full = await doctor.call<{ patient: { fullName: string } }>('GET', `/cases/${c.id}`);

  await signIn(page, f.logins.doctorB);
  for (const tab of ['Mine', 'My roles']) {
    await page.getByRole('tab', { name: tab }).click();
    await expect(page.getByText('Nothing waiting here.')).toBeVisible();
  }
  await page.goto(`/app/cases/${c.id}`);
  await expect(page.getByRole('alert')).toContainText('Not found');
  await expect(page.locator('body')).not.toContainText(c.caseNumber);
  await expect(page.locator('body')).not.toContainText(full.patient.fullName);
  await shot(page, '12-other-practice-not-found');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Patients' }).click();
  await expect(page.getByRole('table')).toContainText('Bianca Other');
  await expect(page.locator('body')).not.toContainText(full.patient.fullName);
});

test("a patient's page lists all of the patient's cases, however many newer cases the practice has", async ({ page }) => {
  // Practice B (web/e2e/system.ts): Bianca's 52 cases are older than another patient's 100.
  const f = fixtures();
  await signIn(page, f.logins.doctorB);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Patients' }).click();
  await page.getByRole('link', { name: 'Bianca Other' }).click();
  const cases = page.getByRole('list', { name: 'Cases of this patient' });
  await expect(cases.getByRole('listitem')).toHaveCount(50);
  await expect(cases).toContainText('H-0052 · Retainer 52'); // newest first
  await expect(cases).not.toContainText('Aligners');
  await expectAccessible(page, 'patient page');
  await page.getByRole('button', { name: 'Show older cases' }).click();
  await expect(cases.getByRole('listitem')).toHaveCount(52);
  await expect(cases.getByRole('listitem').last()).toContainText('H-0001 · Retainer 1');
  await expect(page.getByRole('button', { name: 'Show older cases' })).toHaveCount(0);
  await shot(page, '13-patient-cases');
});

test('an expired session brings the user back to where they were', async ({ page }) => {
  const f = fixtures();
  const doctor = await apiAs(f.logins.doctor);
  const c = await newCase(doctor, 'Journey session');
  await signIn(page, f.logins.doctor, `/app/cases/${c.id}`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(c.caseNumber);
  // Tokens live in sessionStorage only; make both lapse (the refresh token is revoked on the server side by signing out elsewhere).
  const stored = await page.evaluate(() => JSON.parse(sessionStorage.getItem('mdw.session')!) as { refreshToken: string });
  await fetch(`${f.url}/auth/logout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: stored.refreshToken }) });
  await page.evaluate(() => {
    const s = JSON.parse(sessionStorage.getItem('mdw.session')!) as { expiresAt: number };
    sessionStorage.setItem('mdw.session', JSON.stringify({ ...s, expiresAt: Date.now() - 1000 }));
  });
  expect(await page.evaluate(() => Object.keys(localStorage).length)).toBe(0);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Sign in to MDW' })).toBeVisible();
  await page.getByLabel('Email').fill(f.logins.doctor.email);
  await page.getByLabel('Password').fill(f.logins.doctor.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(new RegExp(`/app/cases/${c.id}$`));
  await expect(page.getByRole('heading', { level: 1 })).toContainText(c.caseNumber);
});
