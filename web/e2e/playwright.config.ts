/**
 * The console's browser tests: one Chromium (Debian's, through executablePath: Playwright's own
 * download cannot work here) against the real system that global-setup starts from the test
 * harness (PostgreSQL, Temporal, a worker, the API serving web/dist). One worker: the machine's
 * two cores are shared. Screenshots of every journey land in web/test-results/.
 */
import { defineConfig } from '@playwright/test';
import { CHROMIUM_CANDIDATES } from '../../scripts/lib/chromium';
import { existsSync } from 'node:fs';

export default defineConfig({
  testDir: '.',
  outputDir: '../test-results/artifacts',
  globalSetup: './system.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  // The first page of a run waits on a cold API; workflow steps take a second or two each.
  timeout: 120_000,
  expect: { timeout: 20_000 },
  reporter: [['list'], ['json', { outputFile: '../test-results/report.json' }]],
  use: {
    baseURL: process.env.MDW_E2E_URL,
    viewport: { width: 1366, height: 800 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: CHROMIUM_CANDIDATES.find((p) => existsSync(p)) ?? CHROMIUM_CANDIDATES[0],
      // No GPU here: WebGL (the STL preview) through the software rasteriser.
      args: ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
    },
  },
});
