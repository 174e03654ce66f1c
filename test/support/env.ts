/** Addresses of the servers started by global setup. */
export function testEnv(): { databaseUrl: string; temporalAddress: string; temporalCli: string; dir: string } {
  const databaseUrl = process.env.MDW_TEST_DATABASE_URL;
  const temporalAddress = process.env.MDW_TEST_TEMPORAL_ADDRESS;
  if (!databaseUrl || !temporalAddress) throw new Error('integration tests need Jest global setup (run them through npm test / npx jest)');
  return { databaseUrl, temporalAddress, temporalCli: process.env.MDW_TEST_TEMPORAL_CLI ?? 'temporal', dir: process.env.MDW_TEST_DIR ?? '' };
}
