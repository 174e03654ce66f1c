/**
 * Writes the API's OpenAPI document to a file without any server running: the app is built
 * in-process with lazy dependencies (pools and the Temporal connection connect on first use, and
 * nothing here uses them) and asked for /openapi.json. The console's build generates its API
 * client from this file, so a changed route breaks `npm run web:build`, not the user.
 * Usage: tsx scripts/openapi.ts <out.json>
 */
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../src/config';
import { createDatabase } from '../src/db/database';
import { createApp } from '../src/api/server';
import { createCaseService } from '../src/services/case.service';

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error('usage: tsx scripts/openapi.ts <out.json>');
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    // Never connected to: the document is built from the route declarations alone.
    DATABASE_URL: 'postgres://unused@127.0.0.1:1/unused',
    JWT_SECRET: 'openapi-dump-openapi-dump-openapi-dump-0',
    AI_INTENT_EMBEDDINGS: 'false',
  });
  const database = createDatabase(config.DATABASE_URL!, 1);
  const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  const cases = createCaseService({ db: database.system, temporal, taskQueue: config.TEMPORAL_TASK_QUEUE });
  const app = createApp({ config, database, temporal, cases });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  try {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/openapi.json`);
    if (!res.ok) throw new Error(`/openapi.json answered ${res.status}`);
    writeFileSync(out, JSON.stringify(await res.json(), null, 2) + '\n');
  } finally {
    server.close();
    await database.destroy();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`openapi: ${(err as Error).message}`);
    process.exit(1);
  },
);
