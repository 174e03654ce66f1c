/**
 * Installs (once, cached outside the work tree) the tools the suite and `npm run up` need:
 * the Temporal CLI, PostgreSQL with pgvector, the compose validator, schemathesis, and Temporal's time-skipping test server. Idempotent and quick
 * when everything is cached; prints progress when it has to build.
 */
import { ensureComposeConfig } from './lib/compose-config';
import { ensurePostgresInstalled } from './lib/embedded-postgres';
import { ensureAllEmbeddingModels } from './lib/embedding-models';
import { ensureTemporalCli } from './lib/temporal-dev-server';
import { ensureSchemathesis } from './lib/schemathesis';
import { ensureTemporalTestServer } from './lib/temporal-test-server';
import { progress } from './lib/tool-cache';

async function main(): Promise<void> {
  const [temporal, postgres, compose, schemathesis, models, testServer] = await Promise.all([
    ensureTemporalCli(),
    ensurePostgresInstalled(),
    ensureComposeConfig(),
    ensureSchemathesis(),
    ensureAllEmbeddingModels(),
    ensureTemporalTestServer(),
  ]);
  progress(`tools ready: temporal=${temporal} postgres=${postgres} compose-config=${compose} schemathesis=${schemathesis} models=${models.join(',')} test-server=${testServer}`);
}

main().catch((err: unknown) => {
  console.error(`could not install the project's tools: ${(err as Error).message}`);
  process.exit(1);
});
