/** `npm run migrate`: applies pending migrations to DATABASE_URL. */
import { config, ConfigError, required } from '../src/config';
import { migrate } from '../src/db/migrate';
import { checkDatabase, PreflightError } from '../src/db/preflight';

async function main(): Promise<void> {
  const url = required(config(), 'DATABASE_URL', 'migrations need a database (npm run up uses an embedded one)');
  await checkDatabase(url);
  const r = await migrate(url, (line) => console.log(line));
  console.log(`${r.applied.length} applied, ${r.skipped.length} already current`);
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError || err instanceof PreflightError ? err.message : `migration failed: ${(err as Error).message}`);
  process.exit(1);
});
