import { isDatabaseUnavailable } from './connection-errors';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

test('outages are told apart from bad statements', () => {
  // Unreachable, restarting, or our connection ended.
  for (const e of [
    withCode('ECONNREFUSED'),
    withCode('ECONNRESET'),
    withCode('57P01', 'terminating connection due to administrator command'),
    withCode('57P03', 'the database system is starting up'),
    withCode('08006'),
    withCode('08P01'),
    withCode('53300'),
    new Error('Connection terminated unexpectedly'),
    new Error('Client has encountered a connection error and is not queryable'),
    new AggregateError([withCode('ECONNREFUSED')], ''),
    new Error('wrapped', { cause: withCode('57P01') }),
  ]) {
    expect([e.message, isDatabaseUnavailable(e)]).toEqual([e.message, true]);
  }
  // The caller's problem or a bug: not an outage.
  for (const e of [withCode('23505'), withCode('42501'), withCode('22P02'), withCode('57014'), new Error('boom'), null, undefined, 'ECONNREFUSED']) {
    expect(isDatabaseUnavailable(e)).toBe(false);
  }
});
