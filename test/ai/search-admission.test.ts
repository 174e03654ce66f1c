/**
 * The search service's admission control as bench:search --decompose reads it (session 11): with
 * `concurrency` 1, a second search sends its statement only after the first has finished, and
 * `onAdmitted` reports each search's wait just before its statement is sent (0 for the first). The
 * statement runs through the caller's statement function (as GET /search's one round trip does),
 * here one that records the order and holds the first search until released; the database is only
 * read for the active model (whatever it is: a provider that fails makes both searches lexical).
 */
import { createDatabase, type Database } from '../../src/db/database';
import type { EmbeddingProvider } from '../../src/ai/providers/types';
import { createSearchService } from '../../src/services/search.service';
import { testEnv } from '../support/env';

let database: Database;
beforeAll(() => {
  database = createDatabase(testEnv().databaseUrl, 2);
});
afterAll(() => database.destroy());

const failing: EmbeddingProvider = {
  model: 'test/admission-none',
  dimensions: 3,
  embed: () => Promise.reject(new Error('no model here')),
  embedQuery: () => Promise.reject(new Error('no model here')),
};

test('one search at a time: the second waits for the first, and onAdmitted reports each wait before its statement', async () => {
  const events: string[] = [];
  const waits: number[] = [];
  const svc = createSearchService({
    system: database.system,
    providers: () => failing,
    embedTimeoutMs: 1_000,
    queryCacheSize: 0,
    concurrency: 1,
    onAdmitted: (ms) => {
      waits.push(ms);
      events.push(`admitted ${waits.length}`);
    },
  });
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let firstSent!: () => void;
  const sentFirst = new Promise<void>((r) => (firstSent = r));
  let sent = 0;
  const statement = async <R>(text: string): Promise<R[]> => {
    expect(text).toMatch(/search_page\(/);
    const n = ++sent;
    events.push(`statement ${n}`);
    if (n === 1) {
      firstSent();
      await held;
    }
    events.push(`done ${n}`);
    return [];
  };
  const noTransaction = () => Promise.reject(new Error('the one-statement path opens no transaction'));
  const first = svc.search(noTransaction, { q: 'aligner not tracking', kinds: ['message'], limit: 10 }, statement);
  await sentFirst;
  // The active model is cached now, so the second search reaches the queue without I/O: after one
  // turn of the event loop it waits there.
  const second = svc.search(noTransaction, { q: 'retainer broken', kinds: ['message'], limit: 10 }, statement);
  await new Promise((r) => setImmediate(r));
  expect(events).toEqual(['admitted 1', 'statement 1']);
  // The first holds its slot for at least 25 ms more.
  await new Promise((r) => setTimeout(r, 25));
  expect(events).toEqual(['admitted 1', 'statement 1']);
  release();
  const pages = await Promise.all([first, second]);
  expect(pages.map((p) => p.results)).toEqual([[], []]);
  expect(events).toEqual(['admitted 1', 'statement 1', 'done 1', 'admitted 2', 'statement 2', 'done 2']);
  expect(waits[0]).toBe(0);
  // Not a duration bound: how soon the second search reaches the queue depends on the machine's load.
  expect(waits[1]).toBeGreaterThan(0);
});
