/**
 * Jest runs TypeScript through SWC (fast, no type check: `tsc --noEmit` does that in `npm test`).
 * Two projects: `unit` (pure modules beside their source, no servers) and `integration`
 * (test/, against one real PostgreSQL and one real Temporal dev server started in global setup).
 */
const transform = { '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2022' } }] };

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60000,
  // A backstop, not a known leak: with @temporalio 1.24 a file that starts and stops a worker,
  // the time-skipping server, onnxruntime or pools exits cleanly in band (README "Tests", "Open
  // handles at the end of a run"). Jest prints "Force exiting Jest" on every run because of this
  // option, whether or not anything was left open.
  forceExit: true,
  // Suites share one PostgreSQL and one Temporal dev server; 2 cores want 2 workers at most.
  maxWorkers: 2,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/src', '<rootDir>/web/src'],
      testMatch: ['**/*.test.ts'],
      transform,
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      transform,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
