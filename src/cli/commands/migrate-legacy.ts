/**
 * `mdw migrate-legacy --from <legacy url>` (also `npm run migrate:legacy -- --from <url>`):
 * brings a lab's legacy Django database into DATABASE_URL's MDW database. See
 * src/migration/pipeline.ts. Exit codes: 0 every row accounted for; 1 rows unaccounted for;
 * 2 bad input (nothing written).
 */
import { Connection } from '@temporalio/client';
import type { Command } from 'commander';
import { config, ConfigError, required } from '../../config';
import { createDatabase } from '../../db/database';
import { dedupPatients } from '../../migration/dedup';
import { createEmbeddingProvider } from '../../ai/providers';
import { createMigrationClassifier } from '../../migration/intent';
import { createLiveCaseStarter } from '../../migration/live-cases';
import { migrateLegacy, MigrationInputError, type MigrateLegacyOptions } from '../../migration/pipeline';
import { progressFor } from '../../migration/progress';
import { renderReport } from '../../migration/report';
import { createCaseService } from '../../services/case.service';
import { CliError } from '../cli-error';
import { temporalClient } from '../../temporal/data-converter';

interface Flags {
  from: string;
  dryRun?: boolean;
  report?: string;
  practice?: string;
  startCases: boolean;
  /** false with --no-classify-intent. */
  classifyIntent?: boolean;
}

export function register(program: Command): void {
  program
    .command('migrate-legacy')
    .description("Migrate a lab's legacy (Django) database into DATABASE_URL's MDW database; safe to re-run")
    .requiredOption('--from <url>', 'legacy PostgreSQL URL (read only, one consistent snapshot)')
    .option('--dry-run', 'read and plan everything, write nothing; same report')
    .option('--report <file.json>', 'write the full report (every row not migrated, with its reason) to this file')
    .option('--practice <legacy id>', 'only this legacy practice (staged roll-out)')
    .option('--no-start-cases', 'do not start workflows for live cases (they can be started by a later run)')
    .option('--no-classify-intent', 'do not classify free staff text with the intent model (it is then reported as not understood)')
    .action(async (flags: Flags) => {
      process.exitCode = await runMigrateLegacy(flags);
    });
}

export async function runMigrateLegacy(flags: Flags, out: NodeJS.WriteStream = process.stdout): Promise<number> {
  let practice: number | undefined;
  if (flags.practice !== undefined) {
    if (!/^\d+$/.test(flags.practice)) throw new CliError(`--practice must be a legacy practice id (a number), got "${flags.practice}"`);
    practice = Number(flags.practice);
  }
  let cfg;
  let targetUrl: string;
  try {
    cfg = config();
    targetUrl = required(cfg, 'DATABASE_URL', 'the migration writes into it (use the migration/admin role)');
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
  const options: MigrateLegacyOptions = { legacyUrl: flags.from, targetUrl, dryRun: flags.dryRun, practice, dedup: dedupPatients, progress: progressFor(process.stderr) };
  if (flags.classifyIntent !== false) {
    // Free staff text → intent, as the API classifies messages (AI_INTENT_EMBEDDINGS: the embedding
    // model beside the lexical encoder). Built once, when the first free text needs it.
    const c = cfg;
    options.classifier = () =>
      createMigrationClassifier(c.AI_INTENT_EMBEDDINGS ? createEmbeddingProvider(c) : null, (err) =>
        process.stderr.write(`intent: embedding model unavailable (${(err as Error).message.split('\n')[0]}): lexical encoder only\n`),
      );
  }

  let connection: Connection | undefined;
  const database = createDatabase(targetUrl, 2);
  try {
    if (!flags.dryRun && flags.startCases) {
      // Checked before anything is written: a migration that cannot start live cases says so first.
      try {
        connection = await Connection.connect({ address: cfg.TEMPORAL_ADDRESS, connectTimeout: cfg.TEMPORAL_CONNECT_TIMEOUT_MS });
      } catch {
        throw new CliError(`cannot reach Temporal at ${cfg.TEMPORAL_ADDRESS} to start live cases: fix TEMPORAL_ADDRESS, or pass --no-start-cases`);
      }
      const cases = createCaseService({ db: database.system, temporal: temporalClient(cfg, connection), taskQueue: cfg.TEMPORAL_TASK_QUEUE });
      options.startLiveCases = createLiveCaseStarter({ db: database.system, cases });
    }
    if (flags.report) options.reportFile = flags.report;
    const report = await migrateLegacy(options);
    out.write(`${renderReport(report)}\n`);
    if (flags.report) {
      out.write(`report: ${flags.report}\n`);
    }
    return report.ok ? 0 : 1;
  } catch (err) {
    if (err instanceof MigrationInputError) throw new CliError(err.message);
    throw err;
  } finally {
    await connection?.close().catch(() => undefined);
    await database.destroy();
  }
}
