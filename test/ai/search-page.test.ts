/**
 * GET /search in one statement (`public.search_page()`, db 0098) answers exactly what the
 * separate statements answered (scope, each leg, fusion in TypeScript, rows): the same page, in
 * the same order, with the same scores, snippets and explanations, for every labelled query
 * (src/ai/eval/search-set.ts), with the default vector pseudo-relevance feedback (db 0099) and
 * without it, as a member under RLS and as the backend; with another fusion
 * (candidates in one statement, fused in TypeScript); and with the provider down (lexical only).
 * The other practice's texts (the same labelled set) never reach the member.
 *
 * The vectors are a deterministic bag-of-words projection of each text (16 dimensions), so the
 * two legs disagree enough for fusion to matter; what is compared is the SQL paths, not a model.
 * Runs in one transaction that is rolled back: the active model it registers is never seen by
 * other tests.
 */
import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createDatabase, type Database, type Tx } from '../../src/db/database';
import type { EmbeddingProvider } from '../../src/ai/providers/types';
import { ALL_QUERIES, SEARCH_DOCS } from '../../src/ai/eval/search-set';
import { DEFAULT_FEEDBACK, feedbackVector } from '../../src/ai/fusion';
import { semantic, semanticRescored } from '../../src/repositories/search.repository';
import { storeLabelledSet } from '../../src/ai/eval/labelled-practice';
import { ensureModelIndexes, writeEmbeddings, type EmbeddingRow } from '../../src/repositories/embeddings.repository';
import { addMember } from '../../src/repositories/identity.repository';
import { createSearchService, type SearchResponse, type SearchServiceDeps } from '../../src/services/search.service';
import { createScratchDatabase } from '../support/pg-clients';
import { setupAndTeardown } from '../support/lifecycle';
import { createUser } from '../support/fixtures';

// Its own database: the transaction retires the active model (an UPDATE under repeatable read),
// and a reindex that test/ai/search.test.ts commits on the shared database meanwhile makes that
// UPDATE fail with "could not serialize access due to concurrent update".
let scratch: Awaited<ReturnType<typeof createScratchDatabase>> | undefined;
let database: Database;
setupAndTeardown(async () => {
  scratch = await createScratchDatabase('mdw_search_page');
  database = createDatabase(scratch.url, 2);
}, [() => database?.destroy(), () => scratch?.drop()], { setup: 120_000 });

const MODEL = `test/search-page-${randomUUID().slice(0, 8)}`;
const DIMS = 16;

/**
 * A word's fixed pseudo-random direction; a text's vector is the sum over its words. Beyond 32
 * dimensions (one SHA-256 of the word), each further 32 come from a hash of the word and the block.
 */
function embed(text: string, dims = DIMS): number[] {
  const v = new Array<number>(dims).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    for (let block = 0; block * 32 < dims; block++) {
      const h = createHash('sha256').update(block === 0 ? word : `${word}#${block}`).digest();
      for (let i = 0; i < 32 && block * 32 + i < dims; i++) v[block * 32 + i]! += h[i]! / 127.5 - 1;
    }
  }
  return v.some((x) => x !== 0) ? v.map((x) => Math.round(x * 100) / 100) : [1, ...new Array<number>(dims - 1).fill(0)];
}

class Rollback extends Error {}

/** The practice's stored texts (kind, id, text) after storeLabelledSet. */
async function texts(trx: Tx, practiceId: string) {
  const r = await sql<{ kind: 'case' | 'message'; id: string; text: string }>`
    SELECT 'case' AS kind, id, coalesce(description, title) AS text FROM cases WHERE practice_id = ${practiceId}::uuid AND case_number <> 'HOST'
    UNION ALL SELECT 'message', id, content FROM case_messages WHERE practice_id = ${practiceId}::uuid`.execute(trx);
  return r.rows;
}

test('one statement gives the same pages as the separate statements, for every labelled query, under RLS and as the backend', async () => {
  // Everything runs in one transaction rolled back at the end; an assertion failing inside it is
  // rethrown as itself (a `rejects.toBeInstanceOf(Rollback)` would report only its class).
  // Repeatable read: the backend's searches read every practice, and other test files commit
  // texts into the same database while this one runs; under read committed a text committed
  // between the two paths' calls can change one page and not the other (the likely cause of one
  // clean-clone failure whose message the old rejects-matcher hid).
  const outcome = await database.system
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      await sql`UPDATE embedding_models SET state = 'retired' WHERE state = 'active'`.execute(trx);
      await sql`INSERT INTO embedding_models (model, dimensions, state, activated_at) VALUES (${MODEL}, ${DIMS}, 'active', now())`.execute(trx);
      await ensureModelIndexes(trx, MODEL, DIMS);
      const a = await storeLabelledSet(trx, `page-a-${randomUUID().slice(0, 8)}`);
      const b = await storeLabelledSet(trx, `page-b-${randomUUID().slice(0, 8)}`);
      const member = await createUser(trx, 'page-member', 'doctor');
      await addMember(trx, a.practiceId, member, 'doctor');
      const rows: EmbeddingRow[] = [];
      for (const p of [a, b]) {
        for (const t of await texts(trx, p.practiceId)) rows.push({ kind: t.kind, sourceId: t.id, practiceId: p.practiceId, model: MODEL, chunk: 0, text: t.text, hash: `h-${t.id}`, vector: embed(t.text) });
      }
      await writeEmbeddings(trx, rows);
      expect(rows.length).toBe(SEARCH_DOCS.length * 2);
      const bIds = new Set(rows.filter((r) => r.practiceId === b.practiceId).map((r) => r.sourceId));

      let down = false;
      const provider: EmbeddingProvider = {
        model: MODEL,
        dimensions: DIMS,
        embed: (xs) => Promise.resolve(xs.map(embed)),
        embedQuery: (x) => (down ? Promise.reject(new Error('provider down')) : Promise.resolve(embed(x))),
      };
      const service = (extra: Partial<SearchServiceDeps>) => createSearchService({ system: trx, providers: () => provider, embedTimeoutMs: 5_000, queryCacheSize: 0, ...extra });
      const one = service({});
      const separate = service({ statements: 'separate' });
      const rrfOne = service({ fusion: { method: 'rrf', semanticWeight: 0.5, k: 60 }, feedback: null });
      const rrfSeparate = service({ fusion: { method: 'rrf', semanticWeight: 0.5, k: 60 }, feedback: null, statements: 'separate' });
      // Without pseudo-relevance feedback (db 0098's path; the default has it, db 0099).
      const plainOne = service({ feedback: null });
      const plainSeparate = service({ feedback: null, statements: 'separate' });
      // The feedback's second leg rescoring the first walk's pool (db 0106) and walking again (0099).
      const pooledOne = service({ feedback: { ...DEFAULT_FEEDBACK, pool: 2 } });
      const pooledSeparate = service({ feedback: { ...DEFAULT_FEEDBACK, pool: 2 }, statements: 'separate' });
      const walkOne = service({ feedback: { ...DEFAULT_FEEDBACK, pool: null } });
      const walkSeparate = service({ feedback: { ...DEFAULT_FEEDBACK, pool: null }, statements: 'separate' });
      // Session 10 (s-knobs): a smaller search (fewer candidates, a pool of 1 × them, another
      // ef_search) reaches both paths alike.
      const smaller: Partial<SearchServiceDeps> = { candidates: 20, semanticOverfetch: 1, efSearch: 30, feedback: { ...DEFAULT_FEEDBACK, pool: 1 } };
      const smallOne = service(smaller);
      const smallSeparate = service({ ...smaller, statements: 'separate' });
      // Session 11 (db 0143): more than three feedback texts take search_page()'s other q' branch
      // (a running sum text by text), which reads the stored vectors' exact values too.
      const fiveOne = service({ feedback: { ...DEFAULT_FEEDBACK, k: 5 } });
      const fiveSeparate = service({ feedback: { ...DEFAULT_FEEDBACK, k: 5 }, statements: 'separate' });

      // As the member (RLS), inside a savepoint so that the role is undone afterwards.
      const asMember = async <T>(fn: (t: Tx) => Promise<T>): Promise<T> => {
        await sql`SAVEPOINT member`.execute(trx);
        await sql`SELECT set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify({ role: 'authenticated', sub: member })}, true)`.execute(trx);
        try {
          return await fn(trx);
        } finally {
          await sql`ROLLBACK TO SAVEPOINT member`.execute(trx);
        }
      };
      const asBackend = <T>(fn: (t: Tx) => Promise<T>) => fn(trx);
      const kinds = ['case', 'message'] as const;
      const compare = async (x: typeof one, y: typeof one, run: typeof asMember, q: string, practiceId?: string): Promise<SearchResponse> => {
        const got = await x.search(run, { q, kinds, limit: 10, practiceId });
        const want = await y.search(run, { q, kinds, limit: 10, practiceId });
        expect({ q, ...got }).toEqual({ q, ...want });
        if (x === one) {
          // Session 8: GET /search's one round trip sends search_page() with its arguments inlined
          // as literals (searchPageSql, Database.asActorStatement): the same page as with parameters.
          const inlined = await x.search(run, { q, kinds, limit: 10, practiceId }, (text) => run(async (t) => (await sql.raw<never>(text).execute(t)).rows));
          expect({ q, ...inlined }).toEqual({ q, ...want });
        }
        return got;
      };

      let nonEmpty = 0;
      let both = 0;
      for (const { q } of ALL_QUERIES) {
        const r = await compare(one, separate, asMember, q.q);
        expect(r.mode).toBe('hybrid');
        expect(r.results.every((x) => x.practiceId === a.practiceId && !bIds.has(x.id))).toBe(true);
        if (r.results.length) nonEmpty++;
        if (r.results.some((x) => x.why.lexicalRank !== null && x.why.similarity !== null)) both++;
      }
      // Not vacuous: the pages are full and fusion had both legs to weigh.
      expect(nonEmpty).toBe(ALL_QUERIES.length);
      expect(both).toBeGreaterThan(ALL_QUERIES.length / 2);

      for (const { q } of ALL_QUERIES.slice(0, 40)) {
        // The backend reads every practice (no scope); a practice asked for by name.
        const all = await compare(one, separate, asBackend, q.q);
        expect(all.results.some((x) => x.practiceId === b.practiceId)).toBe(true);
        await compare(one, separate, asBackend, q.q, b.practiceId);
        // Another fusion: candidates in one statement, fused in TypeScript.
        await compare(rrfOne, rrfSeparate, asMember, q.q);
        // No feedback: one fusion, as 0098.
        await compare(plainOne, plainSeparate, asMember, q.q);
      }
      let resized = 0;
      for (const { q } of ALL_QUERIES.slice(40, 60)) {
        // Feedback both ways: rescoring a pool twice the candidates, and a second walk (0099).
        await compare(pooledOne, pooledSeparate, asMember, q.q);
        await compare(walkOne, walkSeparate, asMember, q.q);
        const small = await compare(smallOne, smallSeparate, asMember, q.q);
        await compare(fiveOne, fiveSeparate, asMember, q.q);
        const full = await one.search(asMember, { q: q.q, kinds, limit: 10 });
        // Not vacuous: 20 candidates are not the default's 50 (the fusion normalises over fewer).
        if (JSON.stringify(small.results.map((x) => [x.id, x.score])) !== JSON.stringify(full.results.map((x) => [x.id, x.score]))) resized++;
      }
      expect(resized).toBeGreaterThan(10);

      // Rescoring scores a text as a second walk would (the same halfvec operands), and finds
      // nearly the same texts: the pool of q holds q''s nearest. Not vacuous: q' moved the leg.
      let common = 0;
      let moved = 0;
      for (const { q } of ALL_QUERIES.slice(0, 20)) {
        const v = embed(q.q);
        const q2 = feedbackVector(v, [embed(SEARCH_DOCS[0]!.text), embed(SEARCH_DOCS[1]!.text)], 0.5);
        const model = { model: MODEL, dimensions: DIMS };
        await asMember(async (t) => {
          const first = await semantic(t, 'message', model, v, 50, undefined, undefined, undefined, 2);
          const walked = await semantic(t, 'message', model, q2, 50);
          const rescored = await semanticRescored(t, 'message', model, v, q2, 50, undefined, 2);
          expect(rescored.length).toBe(Math.min(50, first.length));
          const sim = new Map(walked.map((x) => [x.id, x.similarity]));
          for (const x of rescored.filter((r) => sim.has(r.id))) expect(x.similarity).toBe(sim.get(x.id));
          common += rescored.slice(0, 10).filter((x) => walked.slice(0, 10).some((w) => w.id === x.id)).length;
          if (rescored.slice(0, 10).map((x) => x.id).join() !== first.slice(0, 10).map((x) => x.id).join()) moved++;
        });
      }
      expect(common).toBeGreaterThanOrEqual(20 * 10 * 0.9);
      expect(moved).toBeGreaterThan(10);

      // A member naming another practice gets nothing of it.
      const foreign = await one.search(asMember, { q: ALL_QUERIES[0]!.q.q, kinds, limit: 10, practiceId: b.practiceId });
      expect(foreign.results).toEqual([]);

      // The provider down: lexical only, said, the same page both ways.
      down = true;
      for (const { q } of ALL_QUERIES.slice(0, 20)) {
        const r = await compare(one, separate, asMember, q.q);
        expect(r.mode).toBe('lexical');
        expect(r.degraded?.reason).toBe('provider_unavailable');
        expect(r.results.length).toBeGreaterThan(0);
        expect(r.results.every((x) => x.why.similarity === null)).toBe(true);
      }
      throw new Rollback();
    })
    .then(
      () => new Error('the transaction committed'),
      (e: unknown) => e,
    );
  if (!(outcome instanceof Rollback)) throw outcome;
}, 600_000);

// db 0131: the production walk (messages, a 384-dimension model, with the feedback's pool) is a
// static statement, and a top message's vector comes from the pool when it pooled the message's
// chunk 0; both only at the production model's 384 dimensions, which the test above (16) never
// reaches. Messages alone (as bench:search searches: the page's statement without the other
// kinds' branches) and with cases (their walk the dynamic statement, their vectors read).
test('at 384 dimensions the one statement (its static walk, db 0131) gives the same pages as the separate statements', async () => {
  const model = `test/search-page-384-${randomUUID().slice(0, 8)}`;
  const dims = 384;
  const outcome = await database.system
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      await sql`UPDATE embedding_models SET state = 'retired' WHERE state = 'active'`.execute(trx);
      await sql`INSERT INTO embedding_models (model, dimensions, state, activated_at) VALUES (${model}, ${dims}, 'active', now())`.execute(trx);
      await ensureModelIndexes(trx, model, dims);
      const a = await storeLabelledSet(trx, `page384-a-${randomUUID().slice(0, 8)}`);
      const b = await storeLabelledSet(trx, `page384-b-${randomUUID().slice(0, 8)}`);
      const member = await createUser(trx, 'page384-member', 'doctor');
      await addMember(trx, a.practiceId, member, 'doctor');
      const rows: EmbeddingRow[] = [];
      for (const p of [a, b]) {
        for (const t of await texts(trx, p.practiceId)) rows.push({ kind: t.kind, sourceId: t.id, practiceId: p.practiceId, model, chunk: 0, text: t.text, hash: `h-${t.id}`, vector: embed(t.text, dims) });
      }
      await writeEmbeddings(trx, rows);
      const provider: EmbeddingProvider = { model, dimensions: dims, embed: (xs) => Promise.resolve(xs.map((x) => embed(x, dims))), embedQuery: (x) => Promise.resolve(embed(x, dims)) };
      const service = (extra: Partial<SearchServiceDeps>) => createSearchService({ system: trx, providers: () => provider, embedTimeoutMs: 5_000, queryCacheSize: 0, ...extra });
      const one = service({});
      const separate = service({ statements: 'separate' });
      const asMember = async <T>(fn: (t: Tx) => Promise<T>): Promise<T> => {
        await sql`SAVEPOINT member`.execute(trx);
        await sql`SELECT set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify({ role: 'authenticated', sub: member })}, true)`.execute(trx);
        try {
          return await fn(trx);
        } finally {
          await sql`ROLLBACK TO SAVEPOINT member`.execute(trx);
        }
      };
      const asBackend = <T>(fn: (t: Tx) => Promise<T>) => fn(trx);
      const compare = async (run: typeof asMember, q: string, kinds: readonly ('case' | 'message')[], practiceId?: string): Promise<SearchResponse> => {
        const want = await separate.search(run, { q, kinds, limit: 10, practiceId });
        const got = await one.search(run, { q, kinds, limit: 10, practiceId });
        expect({ q, ...got }).toEqual({ q, ...want });
        // As GET /search sends it: one round trip, the arguments inlined.
        const inlined = await one.search(run, { q, kinds, limit: 10, practiceId }, (text) => run(async (t) => (await sql.raw<never>(text).execute(t)).rows));
        expect({ q, ...inlined }).toEqual({ q, ...want });
        return got;
      };
      let both = 0;
      for (const { q } of ALL_QUERIES.slice(0, 60)) {
        const r = await compare(asMember, q.q, ['message']);
        expect(r.mode).toBe('hybrid');
        expect(r.results.length).toBeGreaterThan(0);
        expect(r.results.every((x) => x.kind === 'message' && x.practiceId === a.practiceId)).toBe(true);
        if (r.results.some((x) => x.why.lexicalRank !== null && x.why.similarity !== null)) both++;
        await compare(asMember, q.q, ['case', 'message']);
      }
      // Not vacuous: fusion had both legs to weigh.
      expect(both).toBeGreaterThan(30);
      for (const { q } of ALL_QUERIES.slice(60, 80)) {
        // The backend reads every practice (no scope: the static walk's other filter), and one by name.
        const all = await compare(asBackend, q.q, ['message']);
        expect(all.results.some((x) => x.practiceId === b.practiceId)).toBe(true);
        await compare(asBackend, q.q, ['message'], b.practiceId);
      }
      throw new Rollback();
    })
    .then(
      () => new Error('the transaction committed'),
      (e: unknown) => e,
    );
  if (!(outcome instanceof Rollback)) throw outcome;
}, 600_000);

// db 0172: a walk over one practice runs as a prepared statement of the connection, its plan
// cached (generic, every value but the query vector a literal), prepared on the first search that
// needs it. The first (uncached) and later (cached) calls give the same pages, which are the
// separate statements' pages; so do searches after the statements are gone (DEALLOCATE ALL, as a
// pool's reset), after the member moves to another practice, after that practice gets a partition
// of its own (its plan invalidated) and after a model change (another statement).
test('the walk cached as a prepared statement (db 0172) gives the uncached call\'s pages, also after DEALLOCATE ALL, a practice and a model change', async () => {
  const model = `test/search-walk-${randomUUID().slice(0, 8)}`;
  const model2 = `test/search-walk2-${randomUUID().slice(0, 8)}`;
  const dims = 384;
  const outcome = await database.system
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      await sql`UPDATE embedding_models SET state = 'retired' WHERE state = 'active'`.execute(trx);
      await sql`INSERT INTO embedding_models (model, dimensions, state, activated_at) VALUES (${model}, ${dims}, 'active', now())`.execute(trx);
      await ensureModelIndexes(trx, model, dims);
      const a = await storeLabelledSet(trx, `walk-a-${randomUUID().slice(0, 8)}`);
      const b = await storeLabelledSet(trx, `walk-b-${randomUUID().slice(0, 8)}`);
      const member = await createUser(trx, 'walk-member', 'doctor');
      const outsider = await createUser(trx, 'walk-outsider', 'doctor');
      await addMember(trx, a.practiceId, member, 'doctor');
      await addMember(trx, b.practiceId, outsider, 'doctor');
      const store = async (m: string, salt: string) => {
        const rows: EmbeddingRow[] = [];
        for (const p of [a, b]) {
          for (const t of await texts(trx, p.practiceId)) rows.push({ kind: t.kind, sourceId: t.id, practiceId: p.practiceId, model: m, chunk: 0, text: t.text, hash: `h-${t.id}`, vector: embed(`${salt} ${t.text}`, dims) });
        }
        await writeEmbeddings(trx, rows);
      };
      await store(model, '');
      // Each model its own vectors (the provider the service picks by the active model's name).
      const providerFor = (m: string): EmbeddingProvider => {
        const salt = m === model2 ? 'other' : '';
        return { model: m, dimensions: dims, embed: (xs) => Promise.resolve(xs.map((x) => embed(`${salt} ${x}`, dims))), embedQuery: (x) => Promise.resolve(embed(`${salt} ${x}`, dims)) };
      };
      // New services after a model change: a service keeps the active model for a few seconds.
      const service = (extra: Partial<SearchServiceDeps>) => createSearchService({ system: trx, providers: providerFor, embedTimeoutMs: 5_000, queryCacheSize: 0, ...extra });
      let one = service({});
      let separate = service({ statements: 'separate' });
      const as = (sub: string) => async <T>(fn: (t: Tx) => Promise<T>): Promise<T> => {
        await sql`SAVEPOINT actor`.execute(trx);
        await sql`SELECT set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify({ role: 'authenticated', sub })}, true)`.execute(trx);
        try {
          return await fn(trx);
        } finally {
          await sql`ROLLBACK TO SAVEPOINT actor`.execute(trx);
        }
      };
      const walks = async () =>
        (
          await sql<{ name: string; statement: string; generic: number; custom: number }>`
            SELECT name, statement, generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements
             WHERE name LIKE 'mdw\_search\_walk\_%' ORDER BY name`.execute(trx)
        ).rows;
      const queries = ALL_QUERIES.slice(0, 15).map(({ q }) => q.q);
      const pages = async (sub: string, practiceId?: string) => {
        const out: SearchResponse[] = [];
        for (const q of queries) {
          // As GET /search sends it: one round trip, the arguments inlined.
          const got = await one.search(as(sub), { q, kinds: ['message'], limit: 10, practiceId }, (text) => as(sub)(async (t) => (await sql.raw<never>(text).execute(t)).rows));
          const want = await separate.search(as(sub), { q, kinds: ['message'], limit: 10, practiceId });
          expect({ q, ...got }).toEqual({ q, ...want });
          expect(got.mode).toBe('hybrid');
          out.push(got);
        }
        return out;
      };

      // A connection that has prepared nothing: the first searches prepare the walk.
      await sql`DEALLOCATE ALL`.execute(trx);
      expect(await walks()).toEqual([]);
      const first = await pages(member);
      expect(first.every((r) => r.results.length > 0 && r.results.every((x) => x.practiceId === a.practiceId))).toBe(true);
      const prepared = await walks();
      expect(prepared.length).toBeGreaterThan(0);
      // One practice, the model and the LIMIT in the statement; never a custom plan.
      for (const w of prepared) {
        expect(w.statement).toContain(a.practiceId);
        expect(w.statement).toContain(model);
        expect(w.statement).not.toContain(b.practiceId);
        expect(w.custom).toBe(0);
      }
      const executed = (ws: { generic: number }[]) => ws.reduce((s, w) => s + w.generic, 0);
      expect(executed(prepared)).toBeGreaterThanOrEqual(queries.length);
      // Cached: the same statements run again, the same pages.
      expect(await pages(member)).toEqual(first);
      const again = await walks();
      expect(again.map((w) => w.name)).toEqual(prepared.map((w) => w.name));
      expect(executed(again)).toBeGreaterThanOrEqual(executed(prepared) + queries.length);

      // Someone else naming the practice runs its cached statement and gets none of its rows.
      for (const q of queries.slice(0, 3)) {
        const r = await one.search(as(outsider), { q, kinds: ['message'], limit: 10, practiceId: a.practiceId });
        expect(r.results).toEqual([]);
      }
      expect(executed(await walks())).toBeGreaterThanOrEqual(executed(again) + 3);
      // Prepared by the backend (no row security applied for it), then run by the outsider: the plan
      // is made again under the outsider's role and policies, never the backend's.
      await sql`DEALLOCATE ALL`.execute(trx);
      const backendPage = await one.search((fn) => fn(trx), { q: queries[0]!, kinds: ['message'], limit: 10, practiceId: a.practiceId });
      expect(backendPage.results.length).toBeGreaterThan(0);
      const byBackend = await walks();
      expect(byBackend.length).toBeGreaterThan(0);
      const outsiders = await one.search(as(outsider), { q: queries[0]!, kinds: ['message'], limit: 10, practiceId: a.practiceId });
      expect(outsiders.results).toEqual([]);
      expect((await walks()).map((w) => w.name)).toEqual(byBackend.map((w) => w.name));
      expect(executed(await walks())).toBeGreaterThan(executed(byBackend));

      // The statements gone (a pool's reset): prepared again, the same pages.
      await sql`DEALLOCATE ALL`.execute(trx);
      expect(await pages(member)).toEqual(first);
      expect((await walks()).map((w) => w.name)).toEqual(prepared.map((w) => w.name));

      // The member moves to practice b: b's walk, b's texts only.
      await sql`DELETE FROM practice_members WHERE profile_id = ${member}::uuid AND practice_id = ${a.practiceId}::uuid`.execute(trx);
      await addMember(trx, b.practiceId, member, 'doctor');
      const inB = await pages(member);
      expect(inB.every((r) => r.results.length > 0 && r.results.every((x) => x.practiceId === b.practiceId))).toBe(true);
      const forB = (await walks()).filter((w) => w.statement.includes(b.practiceId));
      expect(forB.length).toBeGreaterThan(0);
      // b gets a partition of its own: its cached plan (over the DEFAULT partition) is invalidated
      // and planned again, on the same statement.
      const own = await sql<{ n: number }>`SELECT embedding_partitions.own_partitions('message_embeddings', ARRAY[${b.practiceId}::uuid]) AS n`.execute(trx);
      expect(own.rows[0]!.n).toBe(1);
      expect(await pages(member)).toEqual(inB);
      expect((await walks()).filter((w) => w.statement.includes(b.practiceId)).map((w) => w.name)).toEqual(forB.map((w) => w.name));

      // A model change: the new model's statements, its vectors, the separate statements' pages.
      await sql`UPDATE embedding_models SET state = 'retired' WHERE state = 'active'`.execute(trx);
      await sql`INSERT INTO embedding_models (model, dimensions, state, activated_at) VALUES (${model2}, ${dims}, 'active', now())`.execute(trx);
      await ensureModelIndexes(trx, model2, dims);
      await store(model2, 'other');
      one = service({});
      separate = service({ statements: 'separate' });
      const afterModel = await pages(member);
      expect(afterModel.every((r) => r.results.every((x) => x.practiceId === b.practiceId))).toBe(true);
      // Not vacuous: the other vectors moved some page.
      expect(afterModel.map((r) => JSON.stringify(r.results.map((x) => [x.id, x.score])))).not.toEqual(inB.map((r) => JSON.stringify(r.results.map((x) => [x.id, x.score]))));
      expect((await walks()).filter((w) => w.statement.includes(model2)).length).toBeGreaterThan(0);

      // At most mdw.search_walk_plans walks per connection; when another is prepared the least used go.
      await sql`DEALLOCATE ALL`.execute(trx);
      await sql`SELECT set_config('mdw.search_walk_plans', '2', true)`.execute(trx);
      expect(await pages(member)).toEqual(afterModel);
      const busy = (await walks()).filter((w) => w.generic >= queries.length - 1);
      expect(busy.length).toBe(1);
      await one.search(as(outsider), { q: queries[0]!, kinds: ['message'], limit: 10, practiceId: a.practiceId });
      expect((await walks()).length).toBe(2);
      // Another LIMIT, another statement: a's (run once) goes, b's busy one stays.
      const smaller = service({ candidates: 20 });
      await smaller.search(as(member), { q: queries[0]!, kinds: ['message'], limit: 10 });
      const left = await walks();
      expect(left.length).toBe(2);
      expect(left.map((w) => w.name)).toContain(busy[0]!.name);
      expect(left.every((w) => !w.statement.includes(a.practiceId))).toBe(true);
      expect(left.every((w) => w.statement.includes(b.practiceId))).toBe(true);
      // mdw.search_walk_plans = 0: nothing prepared, the same pages (0152's statements).
      await sql`DEALLOCATE ALL`.execute(trx);
      await sql`SELECT set_config('mdw.search_walk_plans', '0', true)`.execute(trx);
      expect(await pages(member)).toEqual(afterModel);
      expect(await walks()).toEqual([]);
      await sql`DEALLOCATE ALL`.execute(trx);
      throw new Rollback();
    })
    .then(
      () => new Error('the transaction committed'),
      (e: unknown) => e,
    );
  if (!(outcome instanceof Rollback)) throw outcome;
}, 600_000);
