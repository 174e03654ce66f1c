/**
 * `mdw`: the operator CLI. One subcommand per file under `src/cli/commands/`, each exporting a
 * `register(program)` function; this file only lists them. Run it as `npx mdw <command>` or
 * `npm run mdw -- <command>`; `mdw --help` lists what exists.
 */
import { Command } from 'commander';
import { CliError } from './cli-error';
import { ConfigError } from '../config';
import { processErrorRedactor } from '../telemetry/log-redaction';
import { register as migrateLegacy } from './commands/migrate-legacy';
import { register as legacyLookup } from './commands/legacy-lookup';
import { register as aiCommands } from './commands/ai';

/** Each command module adds itself (name, options, action) to the program. */
const commands: Array<(program: Command) => void> = [
  // Commands register here, one import per line (see src/cli/commands/).
  migrateLegacy,
  legacyLookup,
  aiCommands,
];

export function buildProgram(): Command {
  const program = new Command('mdw').description('MDW operator commands').showHelpAfterError();
  for (const register of commands) register(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    // A CliError is an operator mistake or an expected refusal: one line, no stack.
    if (err instanceof CliError) {
      console.error(`mdw: ${err.message}`);
      process.exitCode = err.exitCode;
      return;
    }
    // A setting missing or wrong: its message names the variable and carries no data, and it is
    // what the operator must read (redacted, `mdw ai status` without DATABASE_URL said only
    // "ConfigError#…; its message is withheld").
    if (err instanceof ConfigError) {
      console.error(`mdw: ${err.message}`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
}

if (require.main === module) {
  main(process.argv).catch((err: unknown) => {
    // Not ours: a driver or library error, whose text can quote the legacy row it failed on.
    console.error(`mdw: failed: ${processErrorRedactor().describe(err)}`);
    process.exitCode = 1;
  });
}
