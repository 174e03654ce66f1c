/**
 * One-shot set-up of an external deployment (docker-compose's `setup` service, or by hand):
 * applies migrations and registers MDW's search attributes on the Temporal namespace.
 * The dev server gets its search attributes from start-up flags instead.
 */
import pg from 'pg';
import { Connection } from '@temporalio/client';
import { config, ConfigError, required } from '../src/config';
import { migrate } from '../src/db/migrate';
import { checkAuthenticator, checkDatabase, checkTemporal, PreflightError } from '../src/db/preflight';
import { AUTHENTICATOR_ROLE } from '../src/db/database';
import { searchAttributeKeys } from '../temporal/search-attributes';

/** Proto enum values of temporal.api.enums.v1.IndexedValueType, by SDK type name. */
const INDEXED_VALUE_TYPE: Record<string, number> = { TEXT: 1, KEYWORD: 2, INT: 3, DOUBLE: 4, BOOL: 5, DATETIME: 6, KEYWORD_LIST: 7 };

export async function registerSearchAttributes(address: string, namespace: string): Promise<string[]> {
  const connection = await Connection.connect({ address });
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = searchAttributeKeys.filter((k) => !(k.name in (existing.customAttributes ?? {})));
    if (missing.length) {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map((k) => [k.name, INDEXED_VALUE_TYPE[k.type]!])),
      });
    }
    return missing.map((k) => k.name);
  } finally {
    await connection.close();
  }
}

/**
 * Gives the API's login role (created without a password by migration 0017: a migration must not
 * ship a secret) the password of DATABASE_AUTHENTICATOR_URL, so the deployment's secret lives in
 * its environment only.
 * @returns whether a password was set.
 */
export async function setAuthenticatorPassword(databaseUrl: string, authenticatorUrl: string): Promise<boolean> {
  const u = new URL(authenticatorUrl);
  const user = decodeURIComponent(u.username);
  if (user !== AUTHENTICATOR_ROLE) {
    throw new ConfigError(`Invalid configuration — DATABASE_AUTHENTICATOR_URL: must log in as ${AUTHENTICATOR_ROLE} (the role the migrations create), not "${user}"`);
  }
  if (!u.password) return false;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // ALTER ROLE takes no bind parameters; the literal is escaped.
    await client.query(`alter role ${AUTHENTICATOR_ROLE} with password ${client.escapeLiteral(decodeURIComponent(u.password))}`);
  } finally {
    await client.end();
  }
  return true;
}

async function main(): Promise<void> {
  const cfg = config();
  const url = required(cfg, 'DATABASE_URL', 'set-up migrates the database');
  await checkDatabase(url);
  await checkTemporal(cfg.TEMPORAL_ADDRESS, cfg.TEMPORAL_NAMESPACE, cfg.TEMPORAL_CONNECT_TIMEOUT_MS);
  const m = await migrate(url, (l) => console.log(l));
  console.log(`migrations: ${m.applied.length} applied, ${m.skipped.length} already current`);
  if (cfg.DATABASE_AUTHENTICATOR_URL) {
    if (await setAuthenticatorPassword(url, cfg.DATABASE_AUTHENTICATOR_URL)) console.log(`password of ${AUTHENTICATOR_ROLE} set from DATABASE_AUTHENTICATOR_URL`);
    await checkAuthenticator(cfg.DATABASE_AUTHENTICATOR_URL);
  }
  const added = await registerSearchAttributes(cfg.TEMPORAL_ADDRESS, cfg.TEMPORAL_NAMESPACE);
  console.log(added.length ? `search attributes added: ${added.join(', ')}` : 'search attributes already registered');
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof ConfigError || err instanceof PreflightError ? err.message : err);
    process.exit(1);
  });
}
