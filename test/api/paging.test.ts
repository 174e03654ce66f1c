/**
 * Lists that used to stop silently (a case's files at 1,000, its intent proposals at 200, the
 * templates at 500) or had no bound at all (a practice's members) page by keyset: every row once,
 * in order, across rows that share their timestamp (written in one statement: only the id
 * tie-breaker keeps the pages apart), with `nextCursor` null on the last page.
 */
import { randomUUID } from 'node:crypto';
import { createPracticeFixture, createUser, type PracticeFixture } from '../support/fixtures';
import { as, setupApi, tokenFor, type ApiEnv, type Caller } from './support';
import { setupAndTeardown } from '../support/lifecycle';

let env: ApiEnv;
setupAndTeardown(async () => {
  env = await setupApi();
}, [() => env?.close()]);

type Role = keyof PracticeFixture['members'];
async function practice() {
  const f = await createPracticeFixture(env.h.database.system);
  const callers = {} as Record<Role, Caller>;
  for (const role of Object.keys(f.members) as Role[]) callers[role] = as(env.app, await tokenFor(env.h.config, f.members[role]));
  return { f, ...callers };
}

/** Walks `url` in pages of `limit`; every page 200 and at most `limit` long. */
async function walk<T extends { id: string }>(caller: Caller, url: string, limit: number): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await caller.get(`${url}${url.includes('?') ? '&' : '?'}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect([res.status, res.body.error]).toEqual([200, undefined]);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    items.push(...(res.body.items as T[]));
    cursor = res.body.nextCursor as string | null;
    pages++;
    if (pages > 1000) throw new Error(`${url}: no last page`);
  } while (cursor);
  return { items, pages };
}

/** Newest first by (created_at, id): what the keyset compares. */
function newestFirst(rows: Array<{ id: string; createdAt: string }>) {
  const key = rows.map((x) => [Date.parse(x.createdAt), x.id] as const);
  return [...key].sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? 1 : -1));
}

async function newCase(p: Awaited<ReturnType<typeof practice>>): Promise<string> {
  const r = await p.doctor.post('/cases', { practiceId: p.f.practiceId, patientId: p.f.patientId, title: 'Paging', caseType: 'active_treatment', templateId: env.templateId });
  expect(r.status).toBe(201);
  return r.body.id as string;
}

test('GET /cases/{id}/files pages newest first by keyset (no silent cap at 1,000): every file once across a tie on created_at; bad limit 400 naming the field', async () => {
  const p = await practice();
  const caseId = await newCase(p);
  const sys = env.h.database.system;
  const row = (n: number) => ({ case_id: caseId, practice_id: p.f.practiceId, uploaded_by: p.f.members.doctor, file_name: `scan-${n}.stl`, file_type: 'scan' as const, file_size: 10, storage_path: `${p.f.practiceId}/${caseId}/${randomUUID()}`, mime_type: 'model/stl' });
  await sys.insertInto('case_files').values([0, 1].map((n) => ({ ...row(n), created_at: new Date(Date.now() - 60_000) }))).execute();
  // Seven in one statement: one created_at.
  await sys.insertInto('case_files').values([2, 3, 4, 5, 6, 7, 8].map(row)).execute();
  const all = (await sys.selectFrom('case_files').select('id').where('case_id', '=', caseId).execute()).map((r) => r.id);
  expect(all).toHaveLength(9);

  const { items, pages } = await walk<{ id: string; createdAt: string }>(p.technician, `/cases/${caseId}/files`, 4);
  expect(pages).toBe(3);
  expect(items.map((x) => x.id).sort()).toEqual([...all].sort());
  expect(items.map((x) => [Date.parse(x.createdAt), x.id])).toEqual(newestFirst(items));
  // The default page is 25: all nine, no cursor.
  const whole = await p.doctor.get(`/cases/${caseId}/files`);
  expect([whole.body.items.length, whole.body.nextCursor]).toEqual([9, null]);
  const bad = await p.doctor.get(`/cases/${caseId}/files?limit=0`);
  expect([bad.status, bad.body.error.details.map((d: { field: string }) => d.field)]).toEqual([400, ['query.limit']]);
});

test('GET /practices/{id}/members pages in the order members joined by keyset (it had no bound): every member once across a tie on joined_at', async () => {
  const p = await practice();
  const sys = env.h.database.system;
  const profiles: string[] = [];
  for (let i = 0; i < 7; i++) profiles.push(await createUser(sys, `member${i}`, 'doctor'));
  // Seven members added in one statement: one joined_at, after the fixture's five.
  await sys.insertInto('practice_members').values(profiles.map((id) => ({ practice_id: p.f.practiceId, profile_id: id, role: 'doctor' as const }))).execute();

  const { items, pages } = await walk<{ id: string; profileId: string; joinedAt: string }>(p.assistant, `/practices/${p.f.practiceId}/members`, 5);
  expect(pages).toBe(3);
  expect(items).toHaveLength(12);
  expect(new Set(items.map((m) => m.id)).size).toBe(12);
  expect(new Set(items.map((m) => m.profileId))).toEqual(new Set([...Object.values(p.f.members), ...profiles]));
  // Oldest first, and within one joined_at by id ascending (what the cursor compares).
  const key = items.map((m) => [Date.parse(m.joinedAt), m.id] as const);
  expect(key).toEqual([...key].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1)));
  expect(items.slice(-7).map((m) => m.profileId).sort()).toEqual([...profiles].sort());
});

test("GET /cases/{id}/proposals pages newest first by keyset (no silent cap at 200), with the status filter on every page", async () => {
  const p = await practice();
  const caseId = await newCase(p);
  const sys = env.h.database.system;
  const messages = await sys
    .insertInto('case_messages')
    .values(Array.from({ length: 8 }, (_, n) => ({ case_id: caseId, practice_id: p.f.practiceId, sender_id: p.f.members.doctor, content: `Please hold the case (${n})` })))
    .returning('id')
    .execute();
  // Seven pending proposals in one statement (one created_at) and one dismissed.
  const proposal = (messageId: string) => ({ message_id: messageId, case_id: caseId, practice_id: p.f.practiceId, intent: 'on_hold', action: 'hold', allowed_roles: ['doctor'], confidence: '0.9' });
  const pending = await sys.insertInto('intent_proposals').values(messages.slice(0, 7).map((m) => proposal(m.id))).returning('id').execute();
  const dismissed = await sys.insertInto('intent_proposals').values({ ...proposal(messages[7]!.id), status: 'dismissed', decided_at: new Date() }).returning('id').executeTakeFirstOrThrow();

  const onlyPending = await walk<{ id: string; status: string; createdAt: string }>(p.doctor, `/cases/${caseId}/proposals?status=pending`, 3);
  expect(onlyPending.pages).toBe(3);
  expect(onlyPending.items.map((x) => x.id).sort()).toEqual(pending.map((r) => r.id).sort());
  expect(new Set(onlyPending.items.map((x) => x.status))).toEqual(new Set(['pending']));
  expect(onlyPending.items.map((x) => [Date.parse(x.createdAt), x.id])).toEqual(newestFirst(onlyPending.items));
  const every = await walk<{ id: string; createdAt: string }>(p.doctor, `/cases/${caseId}/proposals`, 2);
  expect([every.pages, every.items[0]!.id]).toEqual([4, dismissed.id]);
  expect(every.items.map((x) => x.id).sort()).toEqual([...pending.map((r) => r.id), dismissed.id].sort());
});

test('GET /workflow-templates pages newest first by keyset (no silent cap at 500): a practice’s templates once each among the lab-wide ones', async () => {
  const p = await practice();
  const sys = env.h.database.system;
  const name = `Paged ${randomUUID().slice(0, 8)}`;
  // Seven templates of the practice in one statement (one created_at).
  const mine = await sys
    .insertInto('workflow_templates')
    .values(Array.from({ length: 7 }, (_, n) => ({ family_id: randomUUID(), name: `${name} ${n}`, case_type: 'retention' as const, practice_id: p.f.practiceId })))
    .returning('id')
    .execute();
  const other = await createPracticeFixture(sys);
  const theirs = await sys.insertInto('workflow_templates').values({ family_id: randomUUID(), name: `${name} theirs`, case_type: 'retention', practice_id: other.practiceId }).returning('id').executeTakeFirstOrThrow();

  // Other test files write lab-wide templates into the same database meanwhile: whatever the
  // pages hold, each row comes once and in keyset order, and the practice's seven are all there.
  const { items } = await walk<{ id: string; name: string; practiceId: string | null; createdAt: string }>(p.owner, `/workflow-templates?caseType=retention&practiceId=${p.f.practiceId}`, 3);
  expect(new Set(items.map((x) => x.id)).size).toBe(items.length);
  expect(items.map((x) => [Date.parse(x.createdAt), x.id])).toEqual(newestFirst(items));
  expect(items.filter((x) => x.practiceId !== null).map((x) => x.id).sort()).toEqual(mine.map((r) => r.id).sort());
  expect(items.map((x) => x.id)).not.toContain(theirs.id);
  const ofName = items.filter((x) => x.name.startsWith(name));
  expect(ofName).toHaveLength(7);
});
