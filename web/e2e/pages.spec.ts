/**
 * Every page at a laptop's and a tablet's width: no serious axe-core violation, a screenshot, and
 * the keyboard alone gets through sign-in and the main navigation. Also measures the inbox's time
 * to interactive on the demo data (written to web/test-results/metrics.json, not asserted).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { apiAs, expect, expectAccessible, fixtures, newCase, shot, signIn, test } from './support';

const WIDTHS = [
  { name: 'laptop', width: 1366, height: 800 },
  { name: 'tablet', width: 820, height: 1180 },
] as const;

for (const vp of WIDTHS) {
  test.describe(`at ${vp.name} width`, () => {
    test.use({ viewport: { width: vp.width, height: vp.height } });

    test('every page is accessible and fits', async ({ page }) => {
      const f = fixtures();
      const doctor = await apiAs(f.logins.doctor);
      const c = await newCase(doctor, `Pages ${vp.name}`);

      await page.goto('/app/');
      await expect(page.getByRole('heading', { name: 'Sign in to MDW' })).toBeVisible();
      await expectAccessible(page, 'sign in');
      await shot(page, `${vp.name}-signin`);
      await signIn(page, f.logins.technician);

      const visit = async (name: string, go: () => Promise<void>, ready: () => Promise<void>) => {
        await go();
        await ready();
        await expectAccessible(page, name);
        // Nothing wider than the window: the layout works at this width.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${name} overflows at ${vp.name} width`).toBeLessThanOrEqual(0);
        await shot(page, `${vp.name}-${name}`);
      };
      const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });

      await visit('inbox', () => nav('Inbox').click(), () => expect(page.getByRole('table')).toContainText(c.caseNumber));
      await visit('case', async () => void (await page.goto(`/app/cases/${c.id}`)), () => expect(page.getByRole('group', { name: /Records review/ })).toBeVisible());
      await visit('patients', () => nav('Patients').click(), () => expect(page.getByRole('table')).toContainText('Sierra Green'));
      await visit('patient', () => page.getByRole('link', { name: 'Sierra Green' }).click(), () => expect(page.getByRole('heading', { name: 'Cases' })).toBeVisible());
      await visit(
        'search',
        async () => {
          await nav('Search').click();
          await page.getByLabel('Search cases and messages').fill('aligners');
          await page.keyboard.press('Enter');
        },
        () => expect(page.getByRole('region', { name: 'Results' })).toBeVisible(),
      );
      await visit('dashboard', () => nav('Dashboard').click(), () => expect(page.getByText('Open cases by state')).toBeVisible());
      await visit(
        'templates',
        async () => {
          await nav('Templates').click();
          await page.getByRole('navigation', { name: 'Templates' }).getByRole('link').first().click();
        },
        () => expect(page.getByRole('button', { name: 'Check (dry run)' })).toBeVisible(),
      );
      // No PHI in the URL or the title on any of them.
      expect(page.url()).not.toMatch(/Sierra|Green|aligners/i);
      expect(await page.title()).toBe('Templates · MDW');
    });
  });
}

test('the keyboard alone signs in and moves through the console', async ({ page }) => {
  const f = fixtures();
  await page.goto('/app/');
  await page.getByLabel('Email').focus();
  await page.keyboard.type(f.logins.doctor.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(f.logins.doctor.password);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();

  // First Tab: the skip link; Enter moves focus to the content.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('main')).toBeFocused();

  // Tab from the top through the main navigation to Patients, Enter opens it.
  await page.getByRole('link', { name: 'Skip to content' }).focus();
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press('Tab');
    if (await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Patients' }).evaluate((el) => el === document.activeElement)) break;
  }
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Patients' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Patients', level: 1 })).toBeVisible();
  // The focus ring is visible (not removed by the styles).
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
  expect(outline).not.toBe('none');
});

test('time to interactive of the inbox on the demo data', async ({ page }) => {
  const f = fixtures();
  await signIn(page, f.logins.technician);
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = Date.now();
    await page.goto('/app/');
    await page.getByRole('tab', { name: 'My roles' }).click(); // the first click is taken
    await expect(page.getByRole('table')).toBeVisible();
    runs.push(Date.now() - started);
  }
  const nav = await page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    return { domInteractiveMs: Math.round(n.domInteractive), loadMs: Math.round(n.loadEventEnd) };
  });
  const dir = path.resolve(__dirname, '..', 'test-results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'metrics.json'), JSON.stringify({ inboxInteractiveMs: runs, median: [...runs].sort((a, b) => a - b)[1], ...nav }, null, 2));
  expect(runs).toHaveLength(3);
});
