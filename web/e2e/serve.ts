/**
 * While writing browser tests: starts the system the suite uses once and keeps it running, so
 * `MDW_E2E_FIXTURES='<printed JSON>' npx playwright test -c web/e2e/playwright.config.ts -g …`
 * skips the minute of set-up. Ctrl-C stops it. Usage: npx tsx web/e2e/serve.ts
 */
import setup from './system';

void setup().then((teardown) => {
  console.log(`MDW_E2E_FIXTURES='${process.env.MDW_E2E_FIXTURES}'`);
  const stop = () => void teardown().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
});
