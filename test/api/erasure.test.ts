/**
 * Right to erasure (issue 12 §3) through the real API, the real worker (in process, and as a
 * process killed mid-way), a real S3 server on loopback (s3rver), PostgreSQL and Temporal:
 * everything the patient left is gone or anonymised, the logs keep their facts without PHI, the
 * certificate says what happened; refusals come with their reasons; other practices see nothing.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { WorkflowNotFoundError } from '@temporalio/client';
import { sql } from 'kysely';
import request from 'supertest';
import S3rver from 's3rver';
import { freePort } from '../../scripts/lib/embedded-postgres';
import { createS3FileStorage, type FileStorage } from '../../src/services/file-storage.service';
import { createPatient } from '../../src/repositories/identity.repository';
import { createPracticeFixture, type PracticeFixture } from '../support/fixtures';
import { waitFor } from '../support/wait';
import { as, setupApi, tokenFor, type ApiEnv, type Caller } from './support';
import { spawnWorkerProcess } from '../support/worker-process';
import { setupAndTeardown } from '../support/lifecycle';

const BUCKET = 'mdw-erasure';
let s3: S3rver;
let s3Dir: string;
let endpoint: string;
let env: ApiEnv;
let storage: FileStorage;
let s3Client: S3Client;

const s3Env = () => ({ STORAGE_DRIVER: 's3', S3_BUCKET: BUCKET, S3_ENDPOINT: endpoint, S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER', S3_FORCE_PATH_STYLE: 'true' });

setupAndTeardown(async () => {
  s3Dir = mkdtempSync(path.join(os.tmpdir(), 'mdw-erasure-s3-'));
  // Port 0: the kernel's free port, read back once listening (a port found free first could be
  // taken by another process before S3rver listens, and S3rver then never resolves).
  s3 = new S3rver({ port: 0, address: '127.0.0.1', directory: s3Dir, silent: true, configureBuckets: [{ name: BUCKET, configs: [] }] });
  const { port } = await s3.run();
  endpoint = `http://127.0.0.1:${port}`;
  env = await setupApi({ config: s3Env() });
  storage = createS3FileStorage({ bucket: BUCKET, endpoint, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true });
  s3Client = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
}, [() => env?.close(), () => s3Client?.destroy(), () => s3?.close(), () => s3Dir && rmSync(s3Dir, { recursive: true, force: true })]);

type Role = keyof PracticeFixture['members'];
async function practice() {
  const f = await createPracticeFixture(env.h.database.system);
  const callers = {} as Record<Role, Caller>;
  const tokens = {} as Record<Role, string>;
  for (const role of Object.keys(f.members) as Role[]) {
    tokens[role] = await tokenFor(env.h.config, f.members[role]);
    callers[role] = as(env.app, tokens[role]);
  }
  const patient = await env.h.database.system
    .selectFrom('patients as p')
    .innerJoin('profiles as pf', 'pf.id', 'p.profile_id')
    .select(['p.profile_id', 'pf.first_name', 'pf.last_name', 'pf.email', 'p.patient_number'])
    .where('p.id', '=', f.patientId)
    .executeTakeFirstOrThrow();
  return { f, tokens, patient, ...callers };
}
type P = Awaited<ReturnType<typeof practice>>;

const objectsUnder = async (prefix: string) => ((await s3Client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!);

async function newCase(p: P, patientId = p.f.patientId, title = 'Aligners') {
  const res = await p.doctor.post('/cases', { practiceId: p.f.practiceId, patientId, title, description: 'Crowding, lower arch', caseType: 'active_treatment', templateId: env.templateId }, { headers: { 'Idempotency-Key': `k-${randomUUID()}` } });
  expect(res.status).toBe(201);
  return res.body as { id: string; caseNumber: string };
}

async function upload(p: P, caseId: string, name: string) {
  const res = await request(env.app).post(`/cases/${caseId}/files?fileName=${encodeURIComponent(name)}&fileType=scan`).set('Authorization', `Bearer ${p.tokens.doctor}`).set('Content-Type', 'model/stl').send(Buffer.from(`solid ${name}`));
  expect(res.status).toBe(201);
  return res.body as { id: string };
}

/** A patient with a case, messages, files, a project, embeddings and a hold reason in Temporal. */
async function patientWithData(p: P) {
  const fullName = `${p.patient.first_name} ${p.patient.last_name}`;
  expect((await p.doctor.patch(`/patients/${p.f.patientId}`, { medicalHistory: { allergies: ['latex'] }, dateOfBirth: '1990-04-12' })).status).toBe(200);
  await env.h.database.system.updateTable('patients').set({ clinical_summary: `${fullName} has crowding` }).where('id', '=', p.f.patientId).execute();
  const kase = await newCase(p);
  const row = await env.h.database.system.selectFrom('cases').select(['workflow_id']).where('id', '=', kase.id).executeTakeFirstOrThrow();
  const handle = env.h.client.workflow.getHandle(row.workflow_id!);
  await waitFor(() => handle.describe().then(() => true).catch(() => false), Boolean, 30_000, 'the case workflow');
  expect((await p.doctor.post(`/cases/${kase.id}/messages`, { subject: `About ${fullName}`, content: `${fullName} (${p.patient.email}) reports pain on the left.` })).status).toBe(201);
  // A free-text reason the workflow keeps in its history (an update argument).
  const hold = await p.doctor.post(`/cases/${kase.id}/hold`, { reason: `${fullName} is travelling` });
  expect(hold.status).toBe(200);
  const files = [await upload(p, kase.id, 'upper.stl'), await upload(p, kase.id, 'lower.stl')];
  // An object whose row never landed, and a project's object: both in the case's folder.
  await storage.put(`${p.f.practiceId}/${kase.id}/orphan`, Readable.from([Buffer.from('x')]), 100);
  const projectKey = `${p.f.practiceId}/${kase.id}/project-model.stl`;
  await storage.put(projectKey, Readable.from([Buffer.from('solid model')]), 100);
  const project = await env.h.database.system
    .insertInto('projects')
    .values({ practice_id: p.f.practiceId, case_id: kase.id, creator_id: p.f.members.doctor, name: `${fullName} setup`, project_type: 'aligner_design', storage_path: projectKey, metadata: JSON.stringify({ notes: `for ${fullName}` }) })
    .returning('id')
    .executeTakeFirstOrThrow();
  // A project through the projects API: its versions' objects live under projects/<practice>/<case>/.
  const apiProject = await request(env.app)
    .post(`/cases/${kase.id}/projects?name=${encodeURIComponent(`${fullName} plan`)}&projectType=model&fileName=plan.stl`)
    .set('Authorization', `Bearer ${p.tokens.doctor}`)
    .set('Content-Type', 'model/stl')
    .send(Buffer.from('solid plan\nendsolid plan\n'));
  expect(apiProject.status).toBe(201);
  // Vectors as the pipeline would write them (the model itself is tested in test/ai/).
  const msg = await env.h.database.system.selectFrom('case_messages').select('id').where('case_id', '=', kase.id).where('subject', 'like', 'About%').executeTakeFirstOrThrow();
  const vec = '[0.1,0.2,0.3]';
  await env.h.database.system.insertInto('case_embeddings').values({ case_id: kase.id, practice_id: p.f.practiceId, content_type: 'case_summary', content_text: `Aligners ${fullName}`, embedding: vec, model: 'test-model', content_hash: 'h1' }).execute();
  await env.h.database.system.insertInto('message_embeddings').values({ message_id: msg.id, practice_id: p.f.practiceId, content_text: fullName, embedding: vec, model: 'test-model', content_hash: 'h2' }).execute();
  await env.h.database.system.insertInto('patient_embeddings').values({ patient_id: p.f.patientId, practice_id: p.f.practiceId, content_type: 'notes', content_text: `${fullName} has crowding`, embedding: vec, model: 'test-model', content_hash: 'h3' }).execute();
  await env.h.database.system.insertInto('project_embeddings').values({ project_id: project.id, practice_id: p.f.practiceId, content_type: 'notes', content_text: `for ${fullName}`, embedding: vec, model: 'test-model', content_hash: 'h4' }).execute();
  return { kase, handle, files, project, apiProjectId: apiProject.body.id as string, fullName, messageId: msg.id };
}

/** Audit entries of the practice or the patient's profile that quote the patient's data. */
const auditLeaks = async (p: P) =>
  (
    await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_log WHERE (practice_id = ${p.f.practiceId} OR row_id = ${p.patient.profile_id})
                               AND (changed::text ILIKE ${`%${p.patient.last_name}%`} OR changed::text ILIKE ${`%${p.patient.email}%`} OR changed::text LIKE '%1990-04-12%' OR changed::text LIKE '%latex%')`.execute(env.h.database.system)
  ).rows[0]!.n;

const awaitErasure = (p: P, id: string, timeoutMs = 60_000) =>
  waitFor(() => p.owner.get(`/erasures/${id}`), (r) => r.body.status === 'completed' || r.body.status === 'refused', timeoutMs, 'the erasure to finish');

test('erasure end to end: rows, texts, storage objects, embeddings and case histories go; the logs keep facts without PHI; the certificate says what was erased', async () => {
  const p = await practice();
  const other = await createPatient(env.h.database.system, { practiceId: p.f.practiceId, email: `other-${randomUUID()}@test.mdw`, firstName: 'Olga', lastName: `Other${randomUUID().slice(0, 6)}` });
  const d = await patientWithData(p);
  // Another patient's case and message that name this patient: only the name goes.
  const otherCase = await newCase(p, other.id, 'Refinement');
  const mention = await p.doctor.post(`/cases/${otherCase.id}/messages`, { content: `Sibling of ${d.fullName}; same aligner brand.` });
  expect(mention.status).toBe(201);
  const otherFile = await upload(p, otherCase.id, 'other.stl');
  expect((await p.doctor.get(`/patients/${p.f.patientId}`)).status).toBe(200); // a PHI read, logged
  const accessBefore = await env.h.database.system.selectFrom('phi_access_log').select('id').where('patient_id', '=', p.f.patientId).execute();
  expect(accessBefore.length).toBeGreaterThan(0);
  expect(await objectsUnder(`${p.f.practiceId}/${d.kase.id}/`)).toHaveLength(4);
  expect(await objectsUnder(`projects/${p.f.practiceId}/${d.kase.id}/`)).toHaveLength(1);
  // The audit holds the patient's data before (so the check below can fail).
  expect(await auditLeaks(p)).toBeGreaterThan(5);

  // Any case of the patient keeps the default 7-year retention: the owner sets 0 for this test.
  expect((await p.owner.get(`/practices/${p.f.practiceId}/retention`)).body).toEqual({ practiceId: p.f.practiceId, clinicalRecordYears: 7 });
  expect((await p.owner.post(`/patients/${p.f.patientId}/erasure`)).body.error.code).toBe('retention_period');
  expect((await p.owner.patch(`/practices/${p.f.practiceId}/retention`, { clinicalRecordYears: 0 })).status).toBe(200);

  const started = await p.owner.post(`/patients/${p.f.patientId}/erasure`);
  expect(started.status).toBe(202);
  expect(started.body).toMatchObject({ patientId: p.f.patientId, practiceId: p.f.practiceId, requestedBy: p.f.members.owner, workflowId: `erasure-${p.f.practiceId}-${p.f.patientId}` });
  const done = await awaitErasure(p, started.body.id);
  expect(done.body).toMatchObject({ status: 'completed', refusal: null });

  const db = env.h.database.system;
  // Patient and profile.
  const patient = await db.selectFrom('patients').selectAll().where('id', '=', p.f.patientId).executeTakeFirstOrThrow();
  expect(patient).toMatchObject({ date_of_birth: null, gender: null, medical_history: {}, clinical_summary: null, contact_email: null, patient_number: `ERASED-${p.f.patientId}` });
  expect(patient.profile_id).not.toBe(p.patient.profile_id);
  const oldProfile = await db.selectFrom('profiles').selectAll().where('id', '=', p.patient.profile_id).executeTakeFirstOrThrow();
  expect(oldProfile).toMatchObject({ first_name: 'Erased', last_name: 'patient', phone: null });
  expect(oldProfile.email).not.toBe(p.patient.email);
  const authUser = await db.selectFrom('auth.users').select('email').where('id', '=', p.patient.profile_id).executeTakeFirstOrThrow();
  expect(authUser.email).toBe(oldProfile.email);
  const shown = await p.owner.get(`/patients/${p.f.patientId}`);
  expect(JSON.stringify(shown.body)).not.toContain(p.patient.last_name);
  // Case, messages, states, files, project.
  const kase = await db.selectFrom('cases').selectAll().where('id', '=', d.kase.id).executeTakeFirstOrThrow();
  expect(kase).toMatchObject({ title: 'Erased case', description: null, current_state: 'cancelled', start_request: null });
  expect(kase.closed_at).not.toBeNull();
  const messages = await db.selectFrom('case_messages').select(['content', 'subject']).where('case_id', '=', d.kase.id).execute();
  expect(messages.length).toBeGreaterThan(0);
  expect(messages.every((m) => m.content === '[erased]' && m.subject === null)).toBe(true);
  expect(await db.selectFrom('case_states').select('reason').where('case_id', '=', d.kase.id).where('reason', 'like', `%${p.patient.last_name}%`).execute()).toEqual([]);
  expect(await db.selectFrom('case_files').select('id').where('case_id', '=', d.kase.id).execute()).toEqual([]);
  expect(await db.selectFrom('projects').select(['name', 'storage_path', 'metadata']).where('id', '=', d.project.id).executeTakeFirstOrThrow()).toEqual({ name: 'Erased project', storage_path: null, metadata: {} });
  // The objects themselves; the other patient's file stays.
  expect(await objectsUnder(`${p.f.practiceId}/${d.kase.id}/`)).toEqual([]);
  expect(await objectsUnder(`projects/${p.f.practiceId}/${d.kase.id}/`)).toEqual([]);
  expect(await db.selectFrom('projects').select(['name', 'storage_path', 'file_name']).where('id', '=', d.apiProjectId).executeTakeFirstOrThrow()).toEqual({ name: 'Erased project', storage_path: null, file_name: null });
  expect(await objectsUnder(`${p.f.practiceId}/${otherCase.id}/`)).toEqual([`${p.f.practiceId}/${otherCase.id}/${otherFile.id}`]);
  // The mention elsewhere: the name goes, the rest stays.
  const mentioned = await db.selectFrom('case_messages').select('content').where('id', '=', mention.body.id).executeTakeFirstOrThrow();
  expect(mentioned.content).toBe('Sibling of [erased patient]; same aligner brand.');
  // Embeddings, queue, and no new ones (AI-processing consent withdrawn).
  for (const [table, col, id] of [['case_embeddings', 'case_id', d.kase.id], ['message_embeddings', 'message_id', d.messageId], ['patient_embeddings', 'patient_id', p.f.patientId], ['project_embeddings', 'project_id', d.project.id]] as const) {
    const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE ${sql.ref(col)} = ${id}`.execute(db);
    expect({ table, n: r.rows[0]!.n }).toEqual({ table, n: 0 });
  }
  const queued = await sql<{ n: number }>`SELECT count(*)::int AS n FROM embedding_queue WHERE source_id IN (${p.f.patientId}, ${d.kase.id}, ${d.messageId}, ${d.project.id})`.execute(db);
  expect(queued.rows[0]!.n).toBe(0);
  expect((await sql<{ ok: boolean }>`SELECT public.ai_processing_allowed(${p.f.patientId}::uuid) AS ok`.execute(db)).rows[0]!.ok).toBe(false);
  // Search indexes: the patient search text and the dashboard no longer hold the name.
  expect(patient.search_text).not.toContain(p.patient.last_name.toLowerCase());
  const dash = await db.selectFrom('case_dashboard').select('patient_name').where('id', '=', d.kase.id).executeTakeFirst();
  expect(dash?.patient_name ?? '').not.toContain(p.patient.last_name);
  // Stored idempotent responses that carried the case are gone.
  expect((await sql<{ n: number }>`SELECT count(*)::int AS n FROM idempotency_keys WHERE response::text LIKE ${`%${d.kase.id}%`}`.execute(db)).rows[0]!.n).toBe(0);
  // Temporal: the case workflow (whose history held the hold reason) is deleted.
  await waitFor(() => d.handle.describe().then(() => 'exists', (err) => (err instanceof WorkflowNotFoundError ? 'gone' : String(err))), (s) => s === 'gone', 30_000, 'the case history to be deleted');
  // The erasure's own history carries ids and counts only.
  const history = JSON.stringify(await env.h.client.workflow.getHandle(done.body.workflowId).fetchHistory());
  expect(history).not.toContain(p.patient.last_name);

  // Audit: every event is still there, without the PHI.
  const audit = await db.selectFrom('audit_log').select(['table_name', 'op', 'changed', 'redacted_at']).where('row_id', '=', d.kase.id).orderBy('id').execute();
  expect(audit.map((a) => a.op)).toEqual(expect.arrayContaining(['INSERT', 'UPDATE']));
  // Entries that carried text were redacted; state-only entries had nothing to remove.
  expect(audit.filter((a) => 'title' in (a.changed as object)).every((a) => a.redacted_at !== null)).toBe(true);
  expect(audit[0]!.changed).toMatchObject({ title: [null, '[erased]'], patient_id: [null, p.f.patientId] });
  expect(await auditLeaks(p)).toBe(0);
  // The access log keeps every entry (ids only).
  expect((await db.selectFrom('phi_access_log').select('id').where('patient_id', '=', p.f.patientId).execute()).length).toBeGreaterThanOrEqual(accessBefore.length);

  // The certificate.
  const cert = await p.owner.get(`/erasures/${started.body.id}/certificate`);
  expect(cert.status).toBe(200);
  expect(cert.body).toMatchObject({ erasureId: started.body.id, patientId: p.f.patientId, practiceId: p.f.practiceId, requestedBy: p.f.members.owner });
  expect(cert.body.erased).toMatchObject({ patients: 1, profiles: 1, cases: 1, casesCancelled: 1, files: 2, projects: 2, storageObjects: 5, mentionsScrubbed: 1 });
  expect(cert.body.erased.embeddings).toBeGreaterThanOrEqual(4);
  expect(cert.body.erased.messages).toBeGreaterThanOrEqual(1);
  expect(cert.body.erased.temporalExecutions).toBeGreaterThanOrEqual(1);
  expect(cert.body.erased.auditEntriesRedacted).toBeGreaterThan(0);
  expect(JSON.stringify(cert.body)).not.toContain(p.patient.last_name);
  expect(cert.body.retained.length).toBeGreaterThan(0);
  expect(new Date(cert.body.completedAt).getTime()).toBeGreaterThanOrEqual(new Date(cert.body.requestedAt).getTime());

  // Re-running finds nothing left: a new erasure of the same workflow id completes, changing nothing.
  const again = await p.owner.post(`/patients/${p.f.patientId}/erasure`);
  expect(again.status).toBe(202);
  expect(again.body.id).not.toBe(started.body.id);
  await awaitErasure(p, again.body.id);
  const cert2 = await p.owner.get(`/erasures/${again.body.id}/certificate`);
  expect(cert2.body.erased).toMatchObject({ patients: 0, profiles: 0, cases: 0, files: 0, storageObjects: 0, embeddings: 0 });

  // Tenancy: another practice's owner sees none of it.
  const stranger = await practice();
  expect((await stranger.owner.get(`/erasures/${started.body.id}`)).status).toBe(404);
  expect((await stranger.owner.get(`/erasures/${started.body.id}/certificate`)).status).toBe(404);
  expect((await stranger.owner.post(`/patients/${p.f.patientId}/erasure`)).status).toBe(404);
}, 180_000);

test('refusals with their reasons: a legal hold (placed and lifted by owner/admin, audited), a case in production, the retention period; only the owner asks', async () => {
  const p = await practice();
  // A patient without cases has no clinical record to retain; but a legal hold stops erasure.
  expect((await p.doctor.post(`/patients/${p.f.patientId}/legal-holds`, { reason: 'Litigation 2026-17' })).status).toBe(403);
  const hold = await p.admin.post(`/patients/${p.f.patientId}/legal-holds`, { reason: 'Litigation 2026-17' });
  expect(hold.status).toBe(201);
  expect(hold.body).toMatchObject({ reason: 'Litigation 2026-17', placedBy: p.f.members.admin, liftedAt: null });
  const held = await p.owner.post(`/patients/${p.f.patientId}/erasure`);
  expect(held.status).toBe(409);
  expect(held.body.error).toMatchObject({ code: 'legal_hold', details: [expect.objectContaining({ field: 'legalHold', holdId: hold.body.id })] });
  expect(held.body.error.message).toMatch(/legal hold/);
  const lifted = await p.owner.post(`/patients/${p.f.patientId}/legal-holds/${hold.body.id}/lift`, { reason: 'Settled' });
  expect(lifted.status).toBe(200);
  expect(lifted.body).toMatchObject({ liftedBy: p.f.members.owner, liftReason: 'Settled' });
  expect((await p.owner.post(`/patients/${p.f.patientId}/legal-holds/${hold.body.id}/lift`, {})).body.error.code).toBe('hold_lifted');
  const holds = await p.owner.get(`/patients/${p.f.patientId}/legal-holds`);
  expect(holds.body.items).toHaveLength(1);
  const audit = await p.owner.get(`/audit?table=legal_holds&id=${hold.body.id}`);
  expect(audit.body.items.map((e: { op: string; actorId: string }) => [e.op, e.actorId])).toEqual([
    ['INSERT', p.f.members.admin],
    ['UPDATE', p.f.members.owner],
  ]);

  // Only the owner asks.
  expect((await p.admin.post(`/patients/${p.f.patientId}/erasure`)).status).toBe(403);
  expect((await p.doctor.post(`/patients/${p.f.patientId}/erasure`)).status).toBe(403);

  // A case: the default retention (7 years from its last treatment) refuses, with the date.
  const kase = await newCase(p);
  const retained = await p.owner.post(`/patients/${p.f.patientId}/erasure`);
  expect(retained.status).toBe(409);
  expect(retained.body.error.code).toBe('retention_period');
  const until = retained.body.error.details[0].retainedUntil as string;
  expect(Number(until.slice(0, 4))).toBe(new Date().getUTCFullYear() + 7);

  // In production: refused whatever the retention.
  expect((await p.owner.patch(`/practices/${p.f.practiceId}/retention`, { clinicalRecordYears: 0 })).status).toBe(200);
  await env.h.database.system.updateTable('cases').set({ current_state: 'in_production' }).where('id', '=', kase.id).execute();
  const producing = await p.owner.post(`/patients/${p.f.patientId}/erasure`);
  expect(producing.status).toBe(409);
  expect(producing.body.error).toMatchObject({ code: 'case_in_production', details: [expect.objectContaining({ caseNumber: kase.caseNumber, state: 'in_production' })] });
  // Nothing was requested by any refusal.
  expect(await env.h.database.system.selectFrom('patient_erasures').select('id').where('patient_id', '=', p.f.patientId).execute()).toEqual([]);
  expect((await p.doctor.patch(`/practices/${p.f.practiceId}/retention`, { clinicalRecordYears: 1 })).status).toBe(403);
  expect((await p.owner.patch(`/practices/${p.f.practiceId}/retention`, { clinicalRecordYears: 101 })).body.error.details[0].field).toBe('clinicalRecordYears');

  // Another practice: 404 for every route, nothing placed.
  const stranger = await practice();
  expect((await stranger.owner.post(`/patients/${p.f.patientId}/legal-holds`, { reason: 'x' })).status).toBe(404);
  expect((await stranger.owner.get(`/patients/${p.f.patientId}/legal-holds`)).status).toBe(404);
  expect((await stranger.owner.post(`/patients/${p.f.patientId}/legal-holds/${hold.body.id}/lift`, {})).status).toBe(404);
  expect((await stranger.owner.get(`/practices/${p.f.practiceId}/retention`)).status).toBe(404);
  expect((await stranger.owner.patch(`/practices/${p.f.practiceId}/retention`, { clinicalRecordYears: 0 })).status).toBe(404);
}, 120_000);

describe('with a worker process killed mid-erasure', () => {
  let child: ChildProcess | undefined;
  const spawnWorker = (s3Endpoint: string) => spawnWorkerProcess(env.h, { ...s3Env(), S3_ENDPOINT: s3Endpoint });
  afterEach(() => child?.kill('SIGKILL'));

  test('the erasure started before the kill completes after a restart, once, with every object gone; one held meanwhile is refused by the workflow', async () => {
    const p = await practice();
    const d = await patientWithData(p);
    await env.h.worker?.stop(); // only the spawned processes serve the queue from here on
    expect((await p.owner.patch(`/practices/${p.f.practiceId}/retention`, { clinicalRecordYears: 0 })).status).toBe(200);

    // Accepted with no worker running; asking again answers the same erasure.
    const first = await p.owner.post(`/patients/${p.f.patientId}/erasure`);
    expect(first.status).toBe(202);
    const second = await p.owner.post(`/patients/${p.f.patientId}/erasure`);
    expect(second.body.id).toBe(first.body.id);
    // Another patient's erasure is accepted too, then a legal hold is placed before any worker ran
    // it: the workflow checks again and refuses, erasing nothing.
    const held = await createPatient(env.h.database.system, { practiceId: p.f.practiceId, email: `held-${randomUUID()}@test.mdw`, firstName: 'Hal', lastName: `Held${randomUUID().slice(0, 6)}` });
    const heldErasure = await p.owner.post(`/patients/${held.id}/erasure`);
    expect(heldErasure.status).toBe(202);
    expect((await p.admin.post(`/patients/${held.id}/legal-holds`, { reason: 'Subpoena received' })).status).toBe(201);

    // A worker whose storage is unreachable gets past the first step and keeps retrying the
    // second; it is killed there.
    const dead = `http://127.0.0.1:${await freePort()}`;
    child = await spawnWorker(dead);
    const handle = env.h.client.workflow.getHandle(first.body.workflowId);
    await waitFor(
      async () => (await handle.describe()).raw.pendingActivities ?? [],
      (acts) => acts.some((a) => a.activityType?.name === 'erasureDeleteObjects' && (a.attempt ?? 0) >= 2),
      90_000,
      'the storage step to fail and retry',
    );
    expect((await p.owner.get(`/erasures/${first.body.id}`)).body.status).toBe('running');
    child.kill('SIGKILL');
    child = undefined;
    expect(await objectsUnder(`${p.f.practiceId}/${d.kase.id}/`)).toHaveLength(4);
    expect(await objectsUnder(`projects/${p.f.practiceId}/${d.kase.id}/`)).toHaveLength(1);
    expect((await env.h.database.system.selectFrom('cases').select('title').where('id', '=', d.kase.id).executeTakeFirstOrThrow()).title).toBe('Aligners');

    child = await spawnWorker(endpoint);
    const done = await awaitErasure(p, first.body.id, 120_000);
    const refused = await awaitErasure(p, heldErasure.body.id);
    expect(refused.body).toMatchObject({ status: 'refused', refusal: { code: 'legal_hold' } });
    expect(refused.body.refusal.reason).toMatch(/legal hold/);
    const heldRow = await env.h.database.system.selectFrom('patients').select(['profile_id', 'patient_number']).where('id', '=', held.id).executeTakeFirstOrThrow();
    expect(heldRow).toEqual({ profile_id: held.profileId, patient_number: held.patientNumber });
    expect(await env.h.database.system.selectFrom('erasure_certificates').select('id').where('patient_id', '=', held.id).execute()).toEqual([]);
    expect(done.body.status).toBe('completed');
    expect(await objectsUnder(`${p.f.practiceId}/${d.kase.id}/`)).toEqual([]);
    expect(await objectsUnder(`projects/${p.f.practiceId}/${d.kase.id}/`)).toEqual([]);
    expect((await env.h.database.system.selectFrom('cases').select('title').where('id', '=', d.kase.id).executeTakeFirstOrThrow()).title).toBe('Erased case');
    const certs = await env.h.database.system.selectFrom('erasure_certificates').select(['erased']).where('patient_id', '=', p.f.patientId).execute();
    expect(certs).toHaveLength(1);
    expect(certs[0]!.erased).toMatchObject({ storageObjects: 5, files: 2 });
    expect((await handle.result()).status).toBe('completed');
  }, 240_000);
});
