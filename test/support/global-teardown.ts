import { rmSync } from 'node:fs';
import type { EmbeddedPostgres } from '../../scripts/lib/embedded-postgres';
import type { DevServer } from '../../scripts/lib/temporal-dev-server';

export default async function globalTeardown(): Promise<void> {
  const s = (globalThis as Record<string, unknown>).__mdwServers as
    | { pg: EmbeddedPostgres; temporal: DevServer; dir: string }
    | undefined;
  if (!s) return;
  await s.temporal.stop();
  s.pg.stop();
  rmSync(s.dir, { recursive: true, force: true });
}
