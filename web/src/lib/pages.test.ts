import { allPages, MAX_PAGES } from './pages';

describe('allPages', () => {
  test('follows nextCursor until null, passing each cursor once, in order', async () => {
    const seen: Array<string | undefined> = [];
    const pages: Record<string, { items: number[]; nextCursor: string | null }> = {
      first: { items: [1, 2], nextCursor: 'c1' },
      c1: { items: [3, 4], nextCursor: 'c2' },
      c2: { items: [5], nextCursor: null },
    };
    const items = await allPages(async (cursor) => {
      seen.push(cursor);
      return pages[cursor ?? 'first']!;
    });
    expect(items).toEqual([1, 2, 3, 4, 5]);
    expect(seen).toEqual([undefined, 'c1', 'c2']);
  });

  test('one page without a cursor is the whole list', async () => {
    expect(await allPages(async () => ({ items: ['a'], nextCursor: null }))).toEqual(['a']);
  });

  test('a failing page fails the whole read (no partial list shown as complete)', async () => {
    await expect(allPages(async (cursor) => (cursor ? Promise.reject(new Error('503')) : { items: [1], nextCursor: 'x' }))).rejects.toThrow('503');
  });

  test('a server that never ends the list is cut off with an error', async () => {
    let calls = 0;
    await expect(
      allPages(async () => {
        calls++;
        return { items: [], nextCursor: 'again' };
      }),
    ).rejects.toThrow(/did not end/);
    expect(calls).toBe(MAX_PAGES);
  });
});
