/**
 * Keyset-paged lists (`{ items, nextCursor }`): the console reads a whole list by following
 * `nextCursor` until it is null, in pages of the API's largest size (100), instead of one call
 * that would show only the first page (the API's lists no longer stop silently at a cap).
 */
export const PAGE_MAX = 100;

/** A bound on the pages followed, so that a server that always answers a cursor cannot loop forever. */
export const MAX_PAGES = 1000;

/**
 * Every item of a paged list, in the API's order.
 * @param page - fetches one page; `cursor` is undefined for the first.
 */
export async function allPages<T>(page: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let n = 0; n < MAX_PAGES; n++) {
    const r = await page(cursor);
    items.push(...r.items);
    if (!r.nextCursor) return items;
    cursor = r.nextCursor;
  }
  throw new Error(`the list did not end after ${MAX_PAGES} pages`);
}
