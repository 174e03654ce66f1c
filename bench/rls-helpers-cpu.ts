/**
 * What the RLS helpers (`user_practice_ids()`, `is_internal_admin()`, `lab_role()`, db 0003/0040)
 * cost a request (session 10, s-rls). Two definitions of the helpers side by side in one run: A in
 * the fixture's database, B in a copy of it (`mdw_rls_b`, CREATE DATABASE … TEMPLATE, made once and
 * kept in the fixture copy: +1.5 GB at 100k), each on its own connection; the same production
 * searches (the search service's one round trip, as bench/search-page-ab.ts) and the same plain API
 * reads (GET /cases as its route runs it: the page of cases, then the PHI access log's INSERT, one
 * actor transaction) alternate A, B, A, B … request by request, one at a time, so the other
 * engineers' load drifts hit both alike. Backend CPU is each backend's `/proc/<pid>/schedstat` run
 * time (nanoseconds, not 10 ms ticks), the API side's from process.cpuUsage().
 *
 * Definitions: `installed` (what the fixture has, read back with pg_get_functiondef), `free` (for
 * this fixture only: plain inlinable SQL answering from a VALUES list of the fixture's members and
 * their practices, no table, no SECURITY DEFINER: what a search would cost if the helpers cost
 * nothing; the admin policies fold to false at planning), `cached` (the same answers from functions the
 * planner cannot inline: what a per-transaction cache could at best cost, one call per policy and
 * statement), or a file name (a migration in db/migrations, or a path).
 * It also counts the helpers' calls per search and per read (`track_functions = all`, one pass).
 * It REPLACES the helpers in the databases it runs on, so it needs --dir: a copy of a cached
 * fixture, never the shared cache; the definitions found are put back at the end.
 *
 *   nice -n 5 npx tsx bench/rls-helpers-cpu.ts --dir <fixture copy> [--a installed] [--b free] [--searches 100] [--reads 100] [--rounds 6] [--one-db]
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { startEmbeddedPostgres } from '../scripts/lib/embedded-postgres';
import { SEARCH_QUERIES } from '../src/ai/eval/search-set';
import type { EmbeddingProvider } from '../src/ai/providers/types';
import { createDatabase, type Tx } from '../src/db/database';
import { recordPhiAccess } from '../src/repositories/phi-access.repository';
import { createSearchService } from '../src/services/search.service';
import { runBench } from './fixture-migrations';
import { prewarmSearchLeaves } from './search-fixture-dir';

const { values: opt } = parseArgs({
  options: {
    dir: { type: 'string' },
    a: { type: 'string', default: 'installed' },
    b: { type: 'string', default: 'free' },
    searches: { type: 'string', default: '100' },
    reads: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '6' },
    'one-db': { type: 'boolean', default: false },
  },
});
const SEARCHES = Number(opt.searches);
const READS = Number(opt.reads);
const ROUNDS = Number(opt.rounds);
if (!opt.dir || ![SEARCHES, READS, ROUNDS].every((n) => Number.isInteger(n) && n >= 1)) {
  console.error('usage: --dir <a copy of a cached bench:search fixture> [--a installed|free|<file>] [--b …] [--searches N ≥ 1] [--reads N ≥ 1] [--rounds N ≥ 1] (it replaces the RLS helpers there)');
  process.exit(2);
}
const HELPERS = ['user_practice_ids', 'is_internal_admin', 'lab_role', 'user_managed_practice_ids', 'is_lab_staff'];

/** Backend run time in ns (schedstat's first field: time on CPU). */
function backendNs(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
}

async function main(): Promise<void> {
  const dir = opt.dir!;
  const fixture = JSON.parse(readFileSync(path.join(dir, 'fixture.json'), 'utf8')) as { practices: { id: string; member: string }[] };
  const pgs = await startEmbeddedPostgres({ dataDir: dir, database: 'mdw_search_bench', ephemeral: true, settings: { shared_buffers: '4GB', effective_cache_size: '12GB' } });
  // Definition B lives in a copy of the database (CREATE DATABASE … TEMPLATE, made once and kept
  // in the fixture copy), so both definitions stay installed and requests alternate A, B, A, B …
  // request by request: the other engineers' load drifts hit both alike, and no CREATE OR REPLACE
  // invalidates plans between them.
  // --one-db (a fixture too large to copy twice, the 1M one): one database, the definitions
  // installed in turn, a block of requests each (noisier: load drifts between blocks).
  const oneDb = opt['one-db']!;
  if (!oneDb) {
    const admin = createDatabase(pgs.url.replace(/\/mdw_search_bench$/, '/postgres'), 1);
    const exists = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_database WHERE datname = 'mdw_rls_b'`.execute(admin.system)).rows[0]!.n;
    if (!exists) await sql`CREATE DATABASE mdw_rls_b TEMPLATE mdw_search_bench`.execute(admin.system);
    await admin.destroy();
  }
  const first = createDatabase(pgs.url, 1);
  const dbs = [first, oneDb ? first : createDatabase(pgs.url.replace(/\/mdw_search_bench$/, '/mdw_rls_b'), 1)];
  const restores = ['', ''];
  try {
    const system = dbs[0]!.system;
    const installed = await sql<{ def: string; secdef: string }>`SELECT string_agg(pg_get_functiondef(p.oid), E';\n') || ';' AS def,
        string_agg(p.proname || CASE WHEN p.prosecdef THEN ' (security definer)' ELSE ' (NOT security definer)' END, ', ' ORDER BY p.proname) AS secdef
        FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.proname = ANY(${HELPERS}::text[])`.execute(system);
    restores[0] = restores[1] = installed.rows[0]!.def;
    // A run killed half-way leaves its definitions installed: say what `installed` is.
    console.log(`installed in the fixture: ${installed.rows[0]!.secdef}`);
    // Every membership of the fixture, for `free` (which answers as the table does for it).
    const members = (await sql<{ profile_id: string; practice_id: string }>`SELECT profile_id, practice_id FROM practice_members ORDER BY 1, 2`.execute(system)).rows;
    const admins = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM profiles WHERE role = 'admin'`.execute(system)).rows[0]!.n);
    const labStaff = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM lab_staff`.execute(system)).rows[0]!.n);
    // auth.uid() once per call (an InitPlan), not once per member: the 1M fixture has 100 of them.
    const free = (cacheLike: boolean) => {
      if (admins > 0 || labStaff > 0) throw new Error('`free` answers "no admin, no lab staff": this fixture has some');
      const values = members.map((m) => `('${m.profile_id}'::uuid, '${m.practice_id}'::uuid)`).join(', ');
      // `cached`: the same answers from functions the planner cannot inline (a SET clause), as a
      // per-transaction cache would be: one call per policy and statement, no table read.
      const set = cacheLike ? "SET search_path = ''" : '';
      return `CREATE OR REPLACE FUNCTION public.user_practice_ids() RETURNS SETOF uuid LANGUAGE sql STABLE ROWS 5 ${set} AS $f$ SELECT v.p FROM (VALUES ${values}) v(m, p) WHERE v.m = (SELECT auth.uid()) $f$;
        CREATE OR REPLACE FUNCTION public.is_internal_admin() RETURNS boolean LANGUAGE sql STABLE ${set} AS $f$ SELECT false $f$;
        CREATE OR REPLACE FUNCTION public.lab_role() RETURNS public.user_role LANGUAGE sql STABLE ${set} AS $f$ SELECT NULL::public.user_role $f$;`;
    };
    const load = (name: string): string => {
      // The fixture's own (database A's): B is a copy of A, whatever an interrupted run left in it.
      if (name === 'installed') return restores[0]!;
      if (name === 'free' || name === 'cached') return free(name === 'cached');
      const file = existsSync(name) ? name : path.join(__dirname, '..', 'db', 'migrations', name);
      return readFileSync(file, 'utf8');
    };
    const names = [opt.a!, opt.b!];
    const defs = names.map(load);
    const install = (k: number) => sql.raw(defs[k]!).execute(dbs[k]!.system);
    for (const k of [0, 1]) await install(k);

    const model = (await sql<{ model: string; dimensions: number }>`SELECT model, dimensions FROM embedding_models WHERE state = 'active'`.execute(system)).rows[0]!;
    let current: number[] = [];
    const provider: EmbeddingProvider = { model: model.model, dimensions: model.dimensions, embed: (xs) => Promise.resolve(xs.map(() => current)), embedQuery: () => Promise.resolve(current) };
    const services = dbs.map((d) => createSearchService({ system: d.system, providers: () => provider, embedTimeoutMs: 60_000, queryCacheSize: 0 }));
    for (const d of dbs) await prewarmSearchLeaves(d.system);
    const searches: { member: string; vector: number[]; q: string }[] = [];
    for (let i = 0; i < SEARCHES; i++) {
      const p = fixture.practices[(i * 37) % fixture.practices.length]!;
      const v = await sql<{ v: string }>`SELECT embedding::text AS v FROM message_embeddings WHERE practice_id = ${p.id}::uuid ORDER BY message_id OFFSET ${i} LIMIT 1`.execute(system);
      searches.push({ member: p.member, vector: JSON.parse(v.rows[0]!.v) as number[], q: SEARCH_QUERIES[i % SEARCH_QUERIES.length]!.q });
    }
    const search = (k: number, s: (typeof searches)[number]) => {
      current = s.vector;
      const d = dbs[k]!;
      return services[k]!.search((fn) => d.asActor({ sub: s.member }, fn), { q: s.q, kinds: ['message'], limit: 10 }, (text) => d.asActorStatement({ sub: s.member }, text));
    };
    // GET /cases as cases.routes.ts runs it: the newest 51 cases the caller may read, then the
    // PHI access log of the page's patients, one actor transaction.
    const listCases = async (trx: Tx) => {
      const rows = await sql<{ id: string; patient_id: string | null }>`SELECT c.id, c.practice_id, c.patient_id, c.case_number, c.title, c.description, c.case_type, c.priority,
          c.current_state, c.assigned_practitioner_id, c.workflow_template_id, c.workflow_id, c.due_at, c.is_overdue, c.seat_date,
          c.transit_days, c.at_risk, c.closed_at, c.metadata, c.created_at, c.updated_at, c.created_at::text AS created_at_text
        FROM cases AS c ORDER BY c.created_at DESC, c.id DESC LIMIT 51`.execute(trx);
      await recordPhiAccess(trx, rows.rows.slice(0, 50).map((r) => r.patient_id), { route: 'GET /cases', resource: 'case_list' });
      return rows.rows.map((r) => r.id).join(',');
    };
    const read = (k: number, i: number) => dbs[k]!.asActor({ sub: fixture.practices[i % fixture.practices.length]!.member }, listCases);

    const pids = await Promise.all(dbs.map(async (d) => (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(d.system)).rows[0]!.pid));
    // Calls per request (track_functions costs time of its own: not during the CPU rounds).
    const calls: string[] = [];
    for (const [k, d] of dbs.entries()) {
      if (oneDb) await install(k);
      await sql`SET track_functions = 'all'`.execute(d.system);
      const count = async (run: () => Promise<unknown>, n: number) => {
        await sql`SELECT pg_stat_clear_snapshot(), pg_stat_reset()`.execute(d.system);
        for (let i = 0; i < n; i++) await run();
        await sql`SELECT pg_stat_force_next_flush()`.execute(d.system);
        await sql`SELECT 1`.execute(d.system);
        const r = await sql<{ f: string; calls: string }>`SELECT funcname AS f, calls FROM pg_stat_user_functions WHERE schemaname = 'public' AND funcname = ANY(${HELPERS}::text[]) ORDER BY 1`.execute(d.system);
        await sql`SELECT pg_stat_clear_snapshot()`.execute(d.system);
        return r.rows.map((x) => `${x.f} ${(Number(x.calls) / n).toFixed(1)}`).join(', ') || 'none';
      };
      calls[k] = `search: ${await count(() => search(k, searches[0]!), 20)}; GET /cases: ${await count(() => read(k, 0), 20)}`;
      await sql`RESET track_functions`.execute(d.system);
    }

    const stats = dbs.map(() => ({ searchNs: 0, searchNode: 0, readNs: 0, readNode: 0, searchPages: [] as string[], readPages: [] as string[] }));
    const measure = async (k: number, run: () => Promise<unknown>): Promise<[number, number, unknown]> => {
      const b0 = backendNs(pids[k]!);
      const c0 = process.cpuUsage();
      const out = await run();
      const c = process.cpuUsage(c0);
      return [backendNs(pids[k]!) - b0, c.user + c.system, out];
    };
    const searchStep = async (r: number, k: number, i: number) => {
      const [ns, node, res] = await measure(k, () => search(k, searches[i]!));
      if (r < 0) return;
      stats[k]!.searchNs += ns;
      stats[k]!.searchNode += node;
      if (r === 0) stats[k]!.searchPages[i] = (res as Awaited<ReturnType<typeof search>>).results.map((x) => `${x.id} ${x.score} ${x.snippet}`).join('|');
    };
    const readStep = async (r: number, k: number, i: number) => {
      const [ns, node, ids] = await measure(k, () => read(k, i));
      if (r < 0) return;
      stats[k]!.readNs += ns;
      stats[k]!.readNode += node;
      if (r === 0) stats[k]!.readPages[i] = ids as string;
    };
    for (let r = oneDb ? 0 : -1; r < ROUNDS; r++) {
      if (oneDb) {
        // A block of each definition, which goes first alternating; 5 of each kind warm its plans up.
        for (const k of r % 2 === 0 ? [0, 1] : [1, 0]) {
          await install(k);
          for (let i = 0; i < 5; i++) await searchStep(-1, k, i % SEARCHES);
          for (let i = 0; i < 5; i++) await readStep(-1, k, i);
          for (let i = 0; i < SEARCHES; i++) await searchStep(r, k, i);
          for (let i = 0; i < READS; i++) await readStep(r, k, i);
        }
        continue;
      }
      // Round -1 warms both up. Then A and B alternate request by request, which goes first alternating.
      for (let i = 0; i < SEARCHES; i++) for (const k of (r + i) % 2 === 0 ? [0, 1] : [1, 0]) await searchStep(r, k, i);
      for (let i = 0; i < READS; i++) for (const k of (r + i) % 2 === 0 ? [0, 1] : [1, 0]) await readStep(r, k, i);
    }
    const [a, b] = stats;
    const differ = a!.searchPages.filter((p, i) => p !== b!.searchPages[i]).length;
    const readsDiffer = a!.readPages.filter((p, i) => p !== b!.readPages[i]).length;
    console.log(`${SEARCHES} searches and ${READS} GET /cases × ${ROUNDS} rounds per definition, ${oneDb ? 'in alternating blocks (--one-db)' : 'alternating one at a time'} (${dir}); search pages differing: ${differ} of ${SEARCHES}; case pages differing: ${readsDiffer} of ${READS}`);
    for (const [k, name] of names.entries()) console.log(`helper calls per request with ${name}: ${calls[k]}`);
    const per = (ns: number, n: number) => Number((ns / 1e6 / (n * ROUNDS)).toFixed(4));
    console.table(
      names.map((name, k) => {
        const s = stats[k]!;
        return {
          definition: name,
          searchBackendMs: per(s.searchNs, SEARCHES),
          searchNodeMs: per(s.searchNode * 1000, SEARCHES),
          casesBackendMs: per(s.readNs, READS),
          casesNodeMs: per(s.readNode * 1000, READS),
        };
      }),
    );
  } finally {
    for (const d of new Set(dbs)) {
      if (restores[0]) await sql.raw(restores[0]).execute(d.system);
      await d.destroy();
    }
    pgs.stop();
  }
}

runBench(main);
