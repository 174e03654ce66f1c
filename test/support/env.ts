/** Addresses of the servers started by global setup. */
export function testEnv(): { databaseUrl: string; authenticatorUrl: string; temporalAddress: string; temporalCli: string; dir: string } {
  const databaseUrl = process.env.MDW_TEST_DATABASE_URL;
  const authenticatorUrl = process.env.MDW_TEST_AUTHENTICATOR_URL;
  const temporalAddress = process.env.MDW_TEST_TEMPORAL_ADDRESS;
  if (!databaseUrl || !authenticatorUrl || !temporalAddress) throw new Error('integration tests need Jest global setup (run them through npm test / npx jest)');
  return { databaseUrl, authenticatorUrl, temporalAddress, temporalCli: process.env.MDW_TEST_TEMPORAL_CLI ?? 'temporal', dir: process.env.MDW_TEST_DIR ?? '' };
}

/**
 * The payload key ring of the test harness (test/histories/encrypted/ was recorded with it).
 * Test-only: never the key of a real deployment.
 */
export const TEST_PAYLOAD_KEYS = 'test-1:TY+9OhjnIV01y4bL0PVTh47rOaiy51P9gI3/IXozGyo=';
