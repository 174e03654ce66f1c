import { loadConfig } from '../config';
import { createDatabase, poolLimits } from './database';

// No server: a pg.Pool connects on first use, so its options can be read without one.
const URL = 'postgres://nobody@127.0.0.1:1/none';

describe('DATABASE_POOL_IDLE_MS', () => {
  it('keeps a pooled connection 5 minutes by default (not node-postgres’ 10 s), on both pools', async () => {
    const limits = poolLimits(loadConfig({}));
    expect(limits.idleMs).toBe(300_000);
    const database = createDatabase(URL, limits, { authenticatorUrl: 'postgres://mdw_authenticator@127.0.0.1:1/none' });
    expect(database.pool.options.idleTimeoutMillis).toBe(300_000);
    expect(database.actorPool.options.idleTimeoutMillis).toBe(300_000);
    await database.destroy();
  });

  it('0 never closes an idle connection; unset leaves node-postgres’ default', async () => {
    const never = createDatabase(URL, poolLimits(loadConfig({ DATABASE_POOL_IDLE_MS: '0' })));
    expect(never.pool.options.idleTimeoutMillis).toBe(0);
    const plain = createDatabase(URL, { max: 2 });
    expect(plain.pool.options.idleTimeoutMillis).toBe(10_000);
    await never.destroy();
    await plain.destroy();
  });

  it('a value that is not a whole number of ms stops start-up naming the variable', () => {
    expect(() => loadConfig({ DATABASE_POOL_IDLE_MS: 'soon' })).toThrow(/DATABASE_POOL_IDLE_MS/);
    expect(() => loadConfig({ DATABASE_POOL_IDLE_MS: '-1' })).toThrow(/DATABASE_POOL_IDLE_MS/);
  });
});
