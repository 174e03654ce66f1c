/** Patients: create with duplicate detection, search, read, update. */
import { createPracticeFixture } from '../support/fixtures';
import { as, setupApi, tokenFor, type ApiEnv } from './support';
import { setupAndTeardown } from '../support/lifecycle';

let env: ApiEnv;
setupAndTeardown(async () => {
  env = await setupApi();
}, [() => env?.close()]);

async function practice() {
  const f = await createPracticeFixture(env.h.database.system);
  return { f, assistant: as(env.app, await tokenFor(env.h.config, f.members.assistant)) };
}
const uniq = () => Math.random().toString(36).slice(2, 8);

test('create, get, search and update a patient', async () => {
  const { f, assistant } = await practice();
  const last = `Hale${uniq()}`;
  const created = await assistant.post('/patients', { practiceId: f.practiceId, firstName: 'Marcus', lastName: last, dateOfBirth: '2008-06-30', email: `marcus.${last}@test.mdw`, gender: 'male', phone: '+1 555 0100' });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ practiceId: f.practiceId, fullName: `Marcus ${last}`, dateOfBirth: '2008-06-30', gender: 'male', phone: '+1 555 0100', email: `marcus.${last.toLowerCase()}@test.mdw` });
  expect(created.body.patientNumber).toMatch(/^P-\d{6}$/);

  expect((await assistant.get(`/patients/${created.body.id}`)).body).toEqual(created.body);
  const search = await assistant.get(`/patients?practiceId=${f.practiceId}&q=${last.slice(0, 6).toLowerCase()}`);
  expect(search.body.items.map((p: { id: string }) => p.id)).toEqual([created.body.id]);
  const all = await assistant.get(`/patients?practiceId=${f.practiceId}&limit=1`);
  expect(all.body.items).toHaveLength(1);
  expect(all.body.nextCursor).toBeTruthy();
  const rest = await assistant.get(`/patients?practiceId=${f.practiceId}&limit=1&cursor=${all.body.nextCursor}`);
  expect(rest.body.items[0].id).not.toBe(all.body.items[0].id);

  const updated = await assistant.patch(`/patients/${created.body.id}`, { lastName: `${last}-Smith`, medicalHistory: { allergies: ['latex'] }, dateOfBirth: null });
  expect(updated.status).toBe(200);
  expect(updated.body).toMatchObject({ lastName: `${last}-Smith`, medicalHistory: { allergies: ['latex'] }, dateOfBirth: null });
});

test('a clinical summary is kept with the patient and queued for embedding; blank or null clears it; over-long is 400 naming the field', async () => {
  const { f, assistant } = await practice();
  const queued = async (id: string) =>
    (await env.h.database.system.selectFrom('embedding_queue').select('queued_at').where('kind', '=', 'patient').where('source_id', '=', id).executeTakeFirst())?.queued_at ?? null;
  const summary = 'Class II div 1, overjet 7 mm, lip trap; aligners with elastics planned.';
  const created = await assistant.post('/patients', { practiceId: f.practiceId, firstName: 'Ines', lastName: `Roa${uniq()}`, clinicalSummary: summary });
  expect(created.status).toBe(201);
  expect(created.body.clinicalSummary).toBe(summary);
  expect((await assistant.get(`/patients/${created.body.id}`)).body.clinicalSummary).toBe(summary);
  const first = await queued(created.body.id);
  expect(first).not.toBeNull();

  const plain = await assistant.post('/patients', { practiceId: f.practiceId, firstName: 'Noah', lastName: `Roa${uniq()}`, clinicalSummary: '   ' });
  expect(plain.body.clinicalSummary).toBeNull();
  expect(await queued(plain.body.id)).toBeNull();

  const edited = await assistant.patch(`/patients/${created.body.id}`, { clinicalSummary: 'Overjet reduced to 3 mm after elastics.' });
  expect(edited.status).toBe(200);
  expect(edited.body.clinicalSummary).toBe('Overjet reduced to 3 mm after elastics.');
  expect((await queued(created.body.id))!.getTime()).toBeGreaterThan(new Date(first!).getTime());
  expect((await assistant.patch(`/patients/${created.body.id}`, { lastName: 'Untouched-summary' })).body.clinicalSummary).toBe('Overjet reduced to 3 mm after elastics.');
  expect((await assistant.patch(`/patients/${created.body.id}`, { clinicalSummary: ' ' })).body.clinicalSummary).toBeNull();
  expect((await assistant.patch(`/patients/${created.body.id}`, { clinicalSummary: null })).body.clinicalSummary).toBeNull();

  const long = await assistant.patch(`/patients/${created.body.id}`, { clinicalSummary: 'x'.repeat(10_001) });
  expect(long.status).toBe(400);
  expect(long.body.error.details[0]).toMatchObject({ field: 'clinicalSummary', message: expect.stringMatching(/at most 10000/) });
});

test('a duplicate patient (same normalised name and date of birth) is caught with candidates; confirmDuplicate overrides', async () => {
  const { f, assistant } = await practice();
  const last = `Green${uniq()}`;
  const first = await assistant.post('/patients', { practiceId: f.practiceId, firstName: 'Sierra', lastName: last, dateOfBirth: '1990-04-12' });
  expect(first.status).toBe(201);
  expect(first.body.email).toBeNull();

  const dup = await assistant.post('/patients', { practiceId: f.practiceId, firstName: '  sierra ', lastName: last.toUpperCase(), dateOfBirth: '1990-04-12' });
  expect(dup.status).toBe(409);
  expect(dup.body.error.code).toBe('duplicate_patient');
  expect(dup.body.error.details).toEqual([expect.objectContaining({ patientId: first.body.id, match: 'name_and_date_of_birth' })]);

  const otherDob = await assistant.post('/patients', { practiceId: f.practiceId, firstName: 'Sierra', lastName: last, dateOfBirth: '1991-04-12' });
  expect(otherDob.status).toBe(201);

  const confirmed = await assistant.post('/patients', { practiceId: f.practiceId, firstName: 'Sierra', lastName: last, dateOfBirth: '1990-04-12', confirmDuplicate: true });
  expect(confirmed.status).toBe(201);
  expect(confirmed.body.id).not.toBe(first.body.id);
});

test('a duplicate by email is caught within the practice; an email used elsewhere is no business of this practice', async () => {
  const a = await practice();
  const b = await practice();
  const email = `tori.${uniq()}@test.mdw`;
  const first = await a.assistant.post('/patients', { practiceId: a.f.practiceId, firstName: 'Tori', lastName: 'Nolen', email });
  expect(first.status).toBe(201);
  const dup = await a.assistant.post('/patients', { practiceId: a.f.practiceId, firstName: 'Victoria', lastName: 'Nolen', email: email.toUpperCase(), confirmDuplicate: true });
  expect(dup.status).toBe(409);
  expect(dup.body.error.details[0]).toMatchObject({ patientId: first.body.id, match: 'email' });

  // Practice B learns nothing about A's patient: its own patient with that email is simply created
  // (answering 409 email_in_use told B that someone, somewhere, had this email).
  const elsewhere = await b.assistant.post('/patients', { practiceId: b.f.practiceId, firstName: 'Tory', lastName: 'Other', email: email.toUpperCase() });
  expect(elsewhere.status).toBe(201);
  expect(elsewhere.body).toMatchObject({ practiceId: b.f.practiceId, email, fullName: 'Tory Other' });
  expect(elsewhere.body.profileId).not.toBe(first.body.profileId);
  // Each practice finds its own patient by that email, and only its own.
  const found = async (c: typeof a, practiceId: string) => (await c.assistant.get(`/patients?practiceId=${practiceId}&q=${encodeURIComponent(email)}`)).body.items.map((p: { id: string }) => p.id);
  expect(await found(a, a.f.practiceId)).toEqual([first.body.id]);
  expect(await found(b, b.f.practiceId)).toEqual([elsewhere.body.id]);
  // Changing an email to one used elsewhere is no collision either; A's patient is untouched.
  const other = await b.assistant.post('/patients', { practiceId: b.f.practiceId, firstName: 'Uma', lastName: 'Vale' });
  const changed = await b.assistant.patch(`/patients/${other.body.id}`, { email });
  expect(changed.status).toBe(200);
  expect(changed.body.email).toBe(email);
  expect((await a.assistant.get(`/patients/${first.body.id}`)).body).toMatchObject({ firstName: 'Tori', lastName: 'Nolen', email });
});

test('search finds by name, email or patient number, case-insensitively, treats % and _ literally, follows renames, pages with the cursor', async () => {
  const { f, assistant } = await practice();
  const tag = uniq();
  const mk = async (first: string, last: string, email?: string) => {
    const r = await assistant.post('/patients', { practiceId: f.practiceId, firstName: first, lastName: last, ...(email ? { email } : {}) });
    expect(r.status).toBe(201);
    return r.body as { id: string; patientNumber: string };
  };
  const ann = await mk('Ann', `Quill${tag}`, `ann.${tag}@clinic.test`);
  const bob = await mk('Bob', `Quill${tag}`);
  const pct = await mk('Cy', `Per%cent${tag}`);
  const ids = async (q: string, extra = '') => {
    const r = await assistant.get(`/patients?practiceId=${f.practiceId}&q=${encodeURIComponent(q)}${extra}`);
    expect(r.status).toBe(200);
    return r.body as { items: Array<{ id: string }>; nextCursor: string | null };
  };
  expect((await ids(`QUILL${tag}`)).items.map((p) => p.id)).toEqual([bob.id, ann.id]); // newest first
  expect((await ids(`ann.${tag}@CLINIC`)).items.map((p) => p.id)).toEqual([ann.id]);
  expect((await ids(pct.patientNumber.toLowerCase())).items.map((p) => p.id)).toEqual([pct.id]);
  expect((await ids(`%cent${tag}`)).items.map((p) => p.id)).toEqual([pct.id]);
  expect((await ids('%')).items.map((p) => p.id)).toEqual([pct.id]); // '%' is a character, not "anything"
  expect((await ids('_')).items).toEqual([]);

  const first = await ids(`quill${tag}`, '&limit=1');
  expect(first.items.map((p) => p.id)).toEqual([bob.id]);
  const second = await ids(`quill${tag}`, `&limit=1&cursor=${first.nextCursor}`);
  expect(second.items.map((p) => p.id)).toEqual([ann.id]);
  expect(second.nextCursor).toBeNull();

  // A rename (of the profile) is searchable at once; the old name no longer finds the patient.
  expect((await assistant.patch(`/patients/${ann.id}`, { lastName: `Rowe${tag}` })).status).toBe(200);
  expect((await ids(`rowe${tag}`)).items.map((p) => p.id)).toEqual([ann.id]);
  expect((await ids(`quill${tag}`)).items.map((p) => p.id)).toEqual([bob.id]);
  // Without practiceId the search spans the caller's practices.
  const mine = await assistant.get(`/patients?q=rowe${tag}`);
  expect(mine.body.items.map((p: { id: string }) => p.id)).toEqual([ann.id]);

  // Another practice's member finds nothing, with or without naming this practice.
  const other = await practice();
  expect((await other.assistant.get(`/patients?practiceId=${f.practiceId}&q=quill${tag}`)).body.items).toEqual([]);
  expect((await other.assistant.get(`/patients?q=quill${tag}`)).body.items).toEqual([]);
});
