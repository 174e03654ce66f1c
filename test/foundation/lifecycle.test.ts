/** test/support/lifecycle.ts: a file's teardown closes everything its setup opened, whatever failed. */
import { closeAll } from '../support/lifecycle';

test('closeAll runs every closer in order, each even when an earlier one threw, and rethrows the first error', async () => {
  const ran: string[] = [];
  const first = new Error('first closer failed');
  await expect(
    closeAll([
      () => ran.push('worker'),
      () => {
        ran.push('connection');
        throw first;
      },
      async () => {
        await new Promise((r) => setTimeout(r, 5));
        ran.push('pool');
      },
      () => Promise.reject(new Error('second failure')).finally(() => ran.push('server')),
      () => ran.push('dir'),
    ]),
  ).rejects.toBe(first);
  expect(ran).toEqual(['worker', 'connection', 'pool', 'server', 'dir']);
  await expect(closeAll([() => undefined, async () => undefined])).resolves.toBeUndefined();
});
