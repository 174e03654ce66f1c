/**
 * GET /search's PHI access log, two ways (and none) side by side in one run (session 10, s-phi): A as the
 * route wrote it before session 10 (the search's one round trip, then a second transaction:
 * recordCaseAccess + recordPhiAccess as the actor), B as it writes it since (db 0136: the page's
 * reads recorded by record_search_phi_access() inside the search's own statement). The same
 * fixture, one search at a time, A, B and C alternating search by search in a rotating order. For
 * each: wall time, this process's CPU (process.cpuUsage) and the backend's (its actor connection,
 * /proc/<pid>/schedstat). The pages must be identical and each search's log rows (actor, patient,
 * practice, route, resource, request id aside) the same for A and B: the run fails otherwise. C,
 * the search without its log (what bench:search measured before session 10), says what the log costs.
 * D (session 11, s-phi3): B's statement as session 10 wrote it (db 0136's record_search_phi_access()
 * in an audit CTE joined to the page), rebuilt from B's text, so that the branch's statement and
 * function (B) and session 10's run side by side; D's pages and log rows must equal A's too.
 * Writes phi_access_log rows into the fixture: run it on your own copy. A measurement, not a test.
 *
 *   nice -n 5 npx tsx bench/search-phi-ab.ts --dir <fixture copy> [--searches 300] [--rounds 2] [--migrate]
 */
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { sql } from 'kysely';
import { runBench } from './fixture-migrations';
import { cachedSearchFixtureDir, fixtureSearches, prewarmSearchLeaves, schedCpuMs, startSearchFixture } from './search-fixture-dir';
import * as database from '../src/db/database';
import type { EmbeddingProvider } from '../src/ai/providers/types';
import * as service from '../src/services/search.service';
import { recordCaseAccess, recordPhiAccess } from '../src/repositories/phi-access.repository';
import { sqlLiteral } from '../src/repositories/search.repository';

const { values: opt } = parseArgs({
  options: { dir: { type: 'string' }, searches: { type: 'string', default: '300' }, rounds: { type: 'string', default: '2' }, migrate: { type: 'boolean', default: false } },
});
const SEARCHES = Number(opt.searches);
const ROUNDS = Number(opt.rounds);
if (!Number.isInteger(SEARCHES) || SEARCHES < 1 || !Number.isInteger(ROUNDS) || ROUNDS < 1) {
  console.error('usage: [--dir <fixture copy>] [--searches N >= 1] [--rounds N >= 1] [--migrate]');
  process.exit(2);
}

/** searchPageSql()'s audited statement as session 10 wrote it (db 0136), from this checkout's. */
function session10Statement(text: string): string {
  const m = /^WITH page AS MATERIALIZED \(SELECT \* FROM (public\.search_page\(.*\)) WITH ORDINALITY\) SELECT page\.\* FROM page WHERE /s.exec(text);
  if (!m) throw new Error(`not searchPageSql()'s audited statement: ${text.slice(0, 200)}`);
  return (
    `WITH page AS MATERIALIZED (SELECT * FROM ${m[1]} WITH ORDINALITY), ` +
    `audit AS MATERIALIZED (SELECT public.record_search_phi_access(array_agg(DISTINCT case_id) FILTER (WHERE case_id IS NOT NULL), ` +
    `array_agg(id) FILTER (WHERE kind = 'patient'), ${sqlLiteral(service.SEARCH_READ.route)}, ${sqlLiteral(service.SEARCH_READ.resource)}) AS n FROM page) ` +
    `SELECT page.* FROM page CROSS JOIN audit ORDER BY page.ordinality`
  );
}

async function main(): Promise<void> {
  const dir = cachedSearchFixtureDir('realistic', opt.dir);
  const versions = [{ name: 'A: search, then the log in a second transaction (before session 10)' }, { name: 'B: the log in the search statement (this checkout)' }, { name: 'C: the search alone, no log (what bench:search measured before)' }, { name: 'D: the log in the search statement as in session 10 (db 0136)' }];
  const { fixture, pgs } = await startSearchFixture(dir, opt.migrate);
  // Each version its own database handle: one system connection, one actor connection (as mdw_authenticator, as the API).
  const handles = versions.map(() => database.createDatabase(pgs.url, 1, { authenticatorUrl: database.urlAs(pgs.url, database.AUTHENTICATOR_ROLE) }));
  try {
    const system = handles[1]!.system;
    const model = (await sql<{ model: string; dimensions: number }>`SELECT model, dimensions FROM embedding_models WHERE state = 'active'`.execute(system)).rows[0]!;
    await prewarmSearchLeaves(system);
    const pids = await Promise.all(handles.map(async (h) => (await h.actorPool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid));
    const queries = await fixtureSearches(system, fixture.practices, SEARCHES + 10);
    let current: number[] = [];
    const provider: EmbeddingProvider = { model: model.model, dimensions: model.dimensions, embed: (xs) => Promise.resolve(xs.map(() => current)), embedQuery: () => Promise.resolve(current) };
    const runs = versions.map((_, k) => {
      const s = service.createSearchService({ system: handles[k]!.system, providers: () => provider, embedTimeoutMs: 60_000, queryCacheSize: 0 });
      const h = handles[k]!;
      if (k === 2) return (q: (typeof queries)[number]) => s.search((fn) => h.asActor({ sub: q.member }, fn), { q: q.q, kinds: ['message'], limit: 10 }, (text) => h.asActorStatement({ sub: q.member }, text));
      if (k === 1) return (q: (typeof queries)[number]) => s.search((fn) => h.asActor({ sub: q.member }, fn), { q: q.q, kinds: ['message'], limit: 10, audit: service.SEARCH_READ }, (text) => h.asActorStatement({ sub: q.member }, text));
      if (k === 3) return (q: (typeof queries)[number]) => s.search((fn) => h.asActor({ sub: q.member }, fn), { q: q.q, kinds: ['message'], limit: 10, audit: service.SEARCH_READ }, (text) => h.asActorStatement({ sub: q.member }, session10Statement(text)));
      // The route before session 10 (src/api/routes/search.routes.ts then).
      return async (q: (typeof queries)[number]) => {
        const r = await s.search((fn) => h.asActor({ sub: q.member }, fn), { q: q.q, kinds: ['message'], limit: 10 }, (text) => h.asActorStatement({ sub: q.member }, text));
        const caseIds = [...new Set(r.results.map((x) => x.caseId).filter((id): id is string => !!id))];
        const patientIds = r.results.filter((x) => x.kind === 'patient').map((x) => x.id);
        if (caseIds.length || patientIds.length) {
          await h.asActor({ sub: q.member }, async (trx) => {
            await recordCaseAccess(trx, caseIds, service.SEARCH_READ);
            await recordPhiAccess(trx, patientIds, service.SEARCH_READ);
          });
        }
        return r;
      };
    });
    const logged = async (requestId: string) =>
      (await sql<{ row: string }>`SELECT concat_ws(' ', actor_id, patient_id, practice_id, route, resource, resource_id) AS row FROM phi_access_log WHERE request_id = ${requestId}`.execute(system)).rows.map((r) => r.row).sort();
    let rowsLogged = 0;
    let logsDiffer = 0;
    const stats = versions.map(() => ({ wall: [] as number[], backendMs: 0, nodeUs: 0 }));
    let differ = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (let from = 0; from < queries.length; from++) {
        const q = queries[from]!;
        const pages: unknown[] = [];
        const logs: string[][] = [];
        for (let j = 0; j < versions.length; j++) {
          const m = (from + j + round) % versions.length;
          current = q.vector;
          const requestId = `phi-ab-${round}-${from}-${m}-${process.pid}`;
          const b0 = schedCpuMs(pids[m]!);
          const c0 = process.cpuUsage();
          const t0 = performance.now();
          pages[m] = await database.runWithAuditScope({ requestId }, () => runs[m]!(q));
          const wall = performance.now() - t0;
          const c = process.cpuUsage(c0);
          const b = schedCpuMs(pids[m]!) - b0;
          // The first ten of each round warm the caches.
          if (from >= 10) {
            stats[m]!.wall.push(wall);
            stats[m]!.backendMs += b;
            stats[m]!.nodeUs += c.user + c.system;
          }
          logs[m] = await logged(requestId);
        }
        rowsLogged += logs[1]!.length;
        if (!isDeepStrictEqual(logs[0], logs[1]) || !isDeepStrictEqual(logs[0], logs[3])) {
          logsDiffer++;
          if (logsDiffer === 1) console.log('logs differ:', logs[0], logs[1], logs[3]);
        }
        if (logs[2]!.length > 0) throw new Error('C logged rows');
        if (!isDeepStrictEqual(pages[0], pages[1]) || !isDeepStrictEqual(pages[0], pages[2]) || !isDeepStrictEqual(pages[0], pages[3])) {
          differ++;
          if (differ === 1) console.log('pages differ:', JSON.stringify(pages[0]).slice(0, 500), JSON.stringify(pages[1]).slice(0, 500));
        }
      }
    }
    const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
    console.log(`${SEARCHES} searches x ${ROUNDS} rounds each, one at a time (${dir}); pages that differ between A, B, C and D: ${differ}, searches whose log rows differ: ${logsDiffer}, of ${queries.length * ROUNDS} (B logged ${rowsLogged} rows)`);
    console.table(
      versions.map((v, k) => {
        const s = stats[k]!;
        return {
          version: v.name,
          p50Ms: Number(pct(s.wall, 0.5).toFixed(2)),
          meanMs: Number((s.wall.reduce((a, b) => a + b, 0) / s.wall.length).toFixed(2)),
          backendCpuMs: Number((s.backendMs / s.wall.length).toFixed(3)),
          nodeCpuMs: Number((s.nodeUs / 1000 / s.wall.length).toFixed(3)),
        };
      }),
    );
    if (differ > 0 || logsDiffer > 0 || rowsLogged === 0) process.exitCode = 1;
  } finally {
    for (const h of handles) await h.destroy();
    pgs.stop();
  }
}

runBench(main);
