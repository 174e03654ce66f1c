/** `npm run migrate`: applies pending migrations to DATABASE_URL. */
import { config, ConfigError, required } from '../src/config';
import { migrate, migrationFailureLine } from '../src/db/migrate';
import { processErrorRedactor } from '../src/telemetry/log-redaction';
import { checkDatabase, PreflightError } from '../src/db/preflight';

async function main(): Promise<void> {
  const url = required(config(), 'DATABASE_URL', 'migrations need a database (npm run up uses an embedded one)');
  await checkDatabase(url);
  const r = await migrate(url, (line) => console.log(line));
  console.log(`${r.applied.length} applied, ${r.skipped.length} already current`);
}

main().catch((err: unknown) => {
  // Our own messages say what to fix; the server's error is described without its text (it can quote a row's value).
  const redactor = processErrorRedactor();
  console.error(err instanceof ConfigError || err instanceof PreflightError ? err.message : migrationFailureLine(err, (e) => redactor.describe(e)));
  process.exit(1);
});
