/**
 * 3D projects with versions (issue 11 section 6) on the real API, PostgreSQL, storage and case
 * workflow: versions chained by parent, STL metadata of real binary and ASCII files, status
 * transitions, RLS for the lab against another practice, a plan approval pinned to a version and
 * reopened by a newer one, and the technician's PHI reads in the access log.
 */
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { sql } from 'kysely';
import request from 'supertest';
import { createPracticeFixture, createUser, type PracticeFixture } from '../support/fixtures';
import { waitFor } from '../support/wait';
import { recordHistory } from '../support/case-driver';
import { asciiStl, binaryStl, box, mesh } from '../support/stl-files';
import { appWith, as, expectContract, setupApi, tokenFor, type ApiEnv, type Caller } from './support';
import type { caseWorkflow } from '../../src/workflows/case.workflow';
import { setupAndTeardown } from '../support/lifecycle';

let env: ApiEnv;
setupAndTeardown(async () => {
  env = await setupApi({ config: { STORAGE_DIR: `${process.env.MDW_TEST_DIR}/files-projects-${process.pid}` } });
}, [() => env?.close()]);

interface Project {
  id: string;
  projectId: string;
  caseId: string;
  version: number;
  parentId: string | null;
  status: string;
  name: string;
  fileName: string;
  fileSize: number;
  stl: { triangleCount: number; boundingBox: typeof box | null } | null;
}
interface TaskView {
  id: string;
  name: string;
  status: string;
  awaitingDecision: boolean;
}

/** A raw upload (the JSON helper cannot send bytes), checked against the OpenAPI document. */
async function upload(token: string, url: string, bytes: Buffer, type = 'model/stl'): Promise<request.Response> {
  const res = await request(env.app).post(url).set('Authorization', `Bearer ${token}`).set('Content-Type', type).send(bytes);
  expectContract('post', url, res.status, res.body, res.headers['content-type']);
  return res;
}

async function labStaff(role: 'technician' | 'support'): Promise<{ id: string; token: string; api: Caller }> {
  const id = await createUser(env.h.database.system, `lab-${role}`, role);
  await env.h.database.system.insertInto('lab_staff').values({ profile_id: id }).execute();
  const token = await tokenFor(env.h.config, id);
  return { id, token, api: as(env.app, token) };
}

async function member(f: PracticeFixture, role: keyof PracticeFixture['members']): Promise<{ token: string; api: Caller }> {
  const token = await tokenFor(env.h.config, f.members[role]);
  return { token, api: as(env.app, token) };
}

const tasks = async (api: Caller, caseId: string): Promise<TaskView[]> => (await api.get(`/cases/${caseId}`)).body.workflow?.tasks ?? [];
const task = async (api: Caller, caseId: string, name: string) => (await tasks(api, caseId)).find((t) => t.name === name)!;
const awaitingTask = (api: Caller, caseId: string, name: string) =>
  waitFor(
    () => task(api, caseId, name),
    (t) => !!t?.awaitingDecision,
    20_000,
    `"${name}" to await a decision`,
  );

describe('projects', () => {
  let a: PracticeFixture;
  let b: PracticeFixture;
  let caseId: string;
  let tech: Awaited<ReturnType<typeof labStaff>>;
  let doctor: Awaited<ReturnType<typeof member>>;
  let strangerB: Awaited<ReturnType<typeof member>>;

  beforeAll(async () => {
    a = await createPracticeFixture(env.h.database.system);
    b = await createPracticeFixture(env.h.database.system);
    tech = await labStaff('technician');
    doctor = await member(a, 'doctor');
    strangerB = await member(b, 'owner');
    const created = await doctor.api.post('/cases', { practiceId: a.practiceId, patientId: a.patientId, title: 'Aligners', caseType: 'active_treatment', templateId: env.templateId });
    expect(created.status).toBe(201);
    caseId = created.body.id;
  });

  test('notes on a project and on each version are kept in metadata.notes and queued for embedding; over-long notes are 400 naming the field', async () => {
    const queuedAt = async (id: string) =>
      (await env.h.database.system.selectFrom('embedding_queue').select('queued_at').where('kind', '=', 'project').where('source_id', '=', id).executeTakeFirst())?.queued_at ?? null;
    const notes = 'Upper arch setup, IPR 0.3 mm between UR2 and UR3, attachments on premolars.';
    // A case of its own: the other tests count the projects of theirs.
    const own = await doctor.api.post('/cases', { practiceId: a.practiceId, patientId: a.patientId, title: 'Setup notes', caseType: 'active_treatment', templateId: env.templateId });
    expect(own.status).toBe(201);
    const caseId = own.body.id as string;
    const v1 = await upload(doctor.token, `/cases/${caseId}/projects?name=Setup&projectType=treatment_plan&fileName=setup.pdf&notes=${encodeURIComponent(` ${notes} `)}`, Buffer.from('%PDF-1.4'), 'application/pdf');
    expect(v1.status).toBe(201);
    expect(v1.body.metadata).toEqual({ notes });
    expect(await queuedAt(v1.body.id)).not.toBeNull();
    const v2 = await upload(doctor.token, `/projects/${v1.body.id}/versions?fileName=setup-v2.pdf&notes=${encodeURIComponent('IPR removed, expansion instead.')}`, Buffer.from('%PDF-1.4'), 'application/pdf');
    expect(v2.status).toBe(201);
    expect(v2.body.metadata).toEqual({ notes: 'IPR removed, expansion instead.' });
    expect(await queuedAt(v2.body.id)).not.toBeNull();
    // Blank notes are no notes.
    const v3 = await upload(doctor.token, `/projects/${v1.body.id}/versions?fileName=setup-v3.pdf&notes=%20%20`, Buffer.from('%PDF-1.4'), 'application/pdf');
    expect(v3.body.metadata).toEqual({});

    const long = await upload(doctor.token, `/cases/${caseId}/projects?name=Long&projectType=document&fileName=l.pdf&notes=${'x'.repeat(2001)}`, Buffer.from('%PDF-1.4'), 'application/pdf');
    expect(long.status).toBe(400);
    expect(long.body.error.details[0]).toMatchObject({ field: 'query.notes', message: expect.stringMatching(/at most 2000/) });
  });

  test('versions chain by parent; STL metadata of binary and ASCII uploads; the lab reads and writes, another practice sees nothing', async () => {
    const v1res = await upload(doctor.token, `/cases/${caseId}/projects?name=Upper%20arch&projectType=aligner_design&fileName=upper.stl`, binaryStl(mesh, 'solid but binary'));
    expect(v1res.status).toBe(201);
    const v1 = v1res.body as Project;
    expect(v1).toMatchObject({ version: 1, parentId: null, projectId: v1.id, status: 'draft', name: 'Upper arch', fileName: 'upper.stl', fileSize: 84 + 50 * 3 });
    expect(v1.stl).toEqual({ triangleCount: 3, boundingBox: box });

    // The lab technician, not a member of A, uploads the next version (ASCII) by any version id.
    const v2res = await upload(tech.token, `/projects/${v1.id}/versions?fileName=upper-v2.stl`, asciiStl([...mesh, [[1, 1, 1], [2, 2, 2], [20, -5, 1]]]));
    expect(v2res.status).toBe(201);
    const v2 = v2res.body as Project;
    expect(v2).toMatchObject({ version: 2, parentId: v1.id, projectId: v1.id, name: 'Upper arch', status: 'draft' });
    expect(v2.stl).toEqual({ triangleCount: 4, boundingBox: { min: { x: -2, y: -5, z: -3 }, max: { x: 20, y: 7.25, z: 4.5 } } });
    // A non-STL file has no STL metadata.
    const v3 = (await upload(doctor.token, `/projects/${v2.id}/versions?fileName=notes.pdf`, Buffer.from('%PDF-1.4'), 'application/pdf')).body as Project;
    expect(v3).toMatchObject({ version: 3, parentId: v2.id, stl: null });

    const chain = await tech.api.get(`/projects/${v2.id}/versions`);
    expect(chain.status).toBe(200);
    expect(chain.body.items.map((p: Project) => [p.version, p.id, p.parentId])).toEqual([
      [1, v1.id, null],
      [2, v2.id, v1.id],
      [3, v3.id, v2.id],
    ]);
    const list = await doctor.api.get(`/cases/${caseId}/projects`);
    expect(list.body.items.filter((p: Project) => p.projectId === v1.id)).toEqual([expect.objectContaining({ id: v3.id, version: 3, versionCount: 3 })]);
    const content = await request(env.app).get(`/projects/${v2.id}/content`).set('Authorization', `Bearer ${doctor.token}`).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(content.status).toBe(200);
    expect((content.body as Buffer).toString('ascii')).toMatch(/^solid part\n/);

    // Not an STL although it says so: 422 naming the body, and nothing is written.
    const before = (await sql<{ n: number }>`select count(*)::int as n from projects where case_id = ${caseId}`.execute(env.h.database.system)).rows[0]!.n;
    const bad = await upload(tech.token, `/projects/${v1.id}/versions?fileName=broken.stl`, binaryStl(mesh).subarray(0, 120));
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('invalid_stl');
    expect(bad.body.error.details[0].field).toBe('body');
    const after = (await sql<{ n: number }>`select count(*)::int as n from projects where case_id = ${caseId}`.execute(env.h.database.system)).rows[0]!.n;
    expect(after).toBe(before);

    // Another practice's owner: every project route answers 404, like a missing id.
    for (const res of [
      await strangerB.api.get(`/projects/${v1.id}`),
      await strangerB.api.get(`/projects/${v1.id}/versions`),
      await strangerB.api.get(`/cases/${caseId}/projects`),
      await strangerB.api.post(`/projects/${v1.id}/status`, { status: 'in_progress' }),
      await upload(strangerB.token, `/projects/${v1.id}/versions?fileName=x.stl`, binaryStl(mesh)),
      await upload(strangerB.token, `/cases/${caseId}/projects?name=X&projectType=model&fileName=x.stl`, binaryStl(mesh)),
    ]) {
      expect([res.status, res.body.error?.code]).toEqual([404, 'not_found']);
    }
    const rows = await env.h.database.system.selectFrom('projects').select(['id', 'creator_id', 'version']).where('case_id', '=', caseId).orderBy('version').execute();
    expect(rows.map((r) => [r.version, r.creator_id])).toEqual([
      [1, a.members.doctor],
      [2, tech.id],
      [3, a.members.doctor],
    ]);
  });

  test('status: draft → in_progress → review → approved → archived; anything else 409 naming status; the lab does not approve', async () => {
    const p = (await upload(tech.token, `/cases/${caseId}/projects?name=Attachments&projectType=model&fileName=att.stl`, asciiStl(mesh))).body as Project;
    const move = (who: Caller, status: string) => who.post(`/projects/${p.id}/status`, { status });

    const skip = await move(tech.api, 'review');
    expect([skip.status, skip.body.error.code, skip.body.error.details[0].field]).toEqual([409, 'invalid_status_transition', 'status']);
    expect((await move(tech.api, 'in_progress')).body.status).toBe('in_progress');
    expect((await move(tech.api, 'review')).body.status).toBe('review');
    const labApproves = await move(tech.api, 'approved');
    expect([labApproves.status, labApproves.body.error.code]).toEqual([403, 'forbidden']);
    expect((await move(doctor.api, 'approved')).body.status).toBe('approved');
    const back = await move(doctor.api, 'draft');
    expect([back.status, back.body.error.code]).toEqual([409, 'invalid_status_transition']);
    expect((await move(tech.api, 'archived')).body.status).toBe('archived');
    expect((await move(doctor.api, 'in_progress')).status).toBe(409);
    expect((await env.h.database.system.selectFrom('projects').select('status').where('id', '=', p.id).executeTakeFirstOrThrow()).status).toBe('archived');
  });

  test("uploads keep the case files' limits (stored-files.ts): 415 for a type not allowed, 413 past MAX_UPLOAD_BYTES whether declared or streamed, nothing stored", async () => {
    const storageDir = env.h.config.STORAGE_DIR!;
    const small = appWith(env, { MAX_UPLOAD_BYTES: '100', STORAGE_DIR: storageDir });
    const v1 = (await upload(doctor.token, `/cases/${caseId}/projects?name=Limits&projectType=model&fileName=l.stl`, asciiStl(mesh))).body as Project;
    // Names, not a count: a failure then says which file is left.
    const stored = () => readdirSync(storageDir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name)).sort();
    const rows = async () => (await sql<{ n: number }>`select count(*)::int as n from projects where case_id = ${caseId}`.execute(env.h.database.system)).rows[0]!.n;
    const [files0, rows0] = [stored(), await rows()];

    const exe = await upload(doctor.token, `/projects/${v1.id}/versions?fileName=x.exe`, Buffer.from('MZ'), 'application/x-msdownload');
    expect([exe.status, exe.body.error.code, exe.body.error.details[0].field]).toEqual([415, 'unsupported_media_type', 'Content-Type']);
    const declared = await request(small).post(`/projects/${v1.id}/versions?fileName=big.stl`).set('Authorization', `Bearer ${doctor.token}`).set('Content-Type', 'model/stl').send(binaryStl(mesh));
    expect([declared.status, declared.body.error.code]).toEqual([413, 'payload_too_large']);
    // Chunked, no Content-Length: counted while streaming through the STL reader into storage.
    const server = small.listen(0, '127.0.0.1');
    try {
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      for (const path of [`/projects/${v1.id}/versions?fileName=big.stl`, `/cases/${caseId}/files?fileName=big.stl&fileType=model`]) {
        const answer = await new Promise<{ status: number; body: { error: { code: string } } }>((resolve, reject) => {
          const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers: { Authorization: `Bearer ${doctor.token}`, 'Content-Type': 'model/stl', 'Transfer-Encoding': 'chunked' } }, (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
          });
          req.on('error', reject);
          const bytes = binaryStl(mesh);
          for (let i = 0; i < bytes.length; i += 40) req.write(bytes.subarray(i, i + 40));
          req.end();
        });
        expect([path, answer.status, answer.body.error.code]).toEqual([path, 413, 'payload_too_large']);
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect([stored(), await rows()]).toEqual([files0, rows0]);
    expect((await doctor.api.get(`/cases/${caseId}/files`)).body.items.filter((f: { fileName: string }) => f.fileName === 'big.stl')).toEqual([]);
  });

  test('RLS: lab staff change nothing of a project but its status, and never approve it', async () => {
    const p = (await upload(doctor.token, `/cases/${caseId}/projects?name=Lower&projectType=model&fileName=lower.stl`, binaryStl(mesh))).body as Project;
    const asTech = (q: ReturnType<typeof sql>) => env.h.database.asActor({ sub: tech.id, role: 'authenticated' }, (trx) => q.execute(trx));
    await expect(asTech(sql`update projects set name = 'hijacked' where id = ${p.id}`)).rejects.toThrow(/only change a project's status/);
    await expect(asTech(sql`update projects set status = 'approved' where id = ${p.id}`)).rejects.toThrow(/approved by its practice/);
    const moved = await asTech(sql`update projects set status = 'in_progress' where id = ${p.id}`);
    expect(Number(moved.numAffectedRows)).toBe(1);
    // Another practice's project is invisible to B's owner at the database too.
    const asB = await env.h.database.asActor({ sub: b.members.owner, role: 'authenticated' }, async (trx) => (await sql<{ n: number }>`select count(*)::int as n from projects where case_id = ${caseId}`.execute(trx)).rows[0]!.n);
    expect(asB).toBe(0);
  });

  test('pinned approval: a plan approval pins the project version it approved; a newer version puts the approval back up for decision', async () => {
    const created = await doctor.api.post('/cases', { practiceId: a.practiceId, patientId: a.patientId, title: 'Pinned plan', caseType: 'active_treatment', templateId: env.templateId });
    const id = created.body.id as string;
    const v1 = (await upload(tech.token, `/cases/${id}/projects?name=Plan&projectType=treatment_plan&fileName=plan.stl`, binaryStl(mesh))).body as Project;
    for (const name of ['Records review', 'Treatment plan design']) {
      const t = await awaitingTask(tech.api, id, name);
      expect((await tech.api.post(`/cases/${id}/tasks/${t.id}/decision`, { decision: 'approve' })).status).toBe(200);
    }
    const v2 = (await upload(tech.token, `/projects/${v1.id}/versions?fileName=plan-v2.stl`, binaryStl(mesh))).body as Project;
    const approval = await awaitingTask(doctor.api, id, 'Doctor approval');

    // The doctor must approve the newest version, of a project of this case.
    const stale = await doctor.api.post(`/cases/${id}/tasks/${approval.id}/decision`, { decision: 'approve', projectVersionId: v1.id });
    expect([stale.status, stale.body.error.code, stale.body.error.details[0].field]).toEqual([409, 'version_superseded', 'projectVersionId']);
    const foreign = await doctor.api.post(`/cases/${id}/tasks/${approval.id}/decision`, { decision: 'approve', projectVersionId: caseId });
    expect([foreign.status, foreign.body.error.details[0].field]).toEqual([404, 'projectVersionId']);

    const approved = await doctor.api.post(`/cases/${id}/tasks/${approval.id}/decision`, { decision: 'approve', projectVersionId: v2.id });
    expect(approved.status).toBe(200);
    expect(approved.body.decisions.at(-1)).toMatchObject({ taskId: approval.id, decision: 'approve', projectVersionId: v2.id });
    const pinned = await env.h.database.system
      .selectFrom('case_states')
      .select(['to_state', 'metadata'])
      .where('case_id', '=', id)
      .where('to_state', '=', 'approved')
      .executeTakeFirstOrThrow();
    expect((pinned.metadata as Record<string, unknown>).projectVersion).toEqual({ projectId: v1.id, versionId: v2.id, version: 2 });
    await awaitingTask(tech.api, id, 'Aligner printing');

    // A newer version after the approval: the approval is not carried over.
    const v3 = (await upload(tech.token, `/projects/${v2.id}/versions?fileName=plan-v3.stl`, asciiStl(mesh))).body as Project;
    expect(v3.version).toBe(3);
    const reopened = await awaitingTask(doctor.api, id, 'Doctor approval');
    expect(reopened.status).toBe('active');
    expect((await task(doctor.api, id, 'Aligner printing')).status).toBe('pending');
    const detail = await doctor.api.get(`/cases/${id}`);
    expect(detail.body.state).toBe('planning');
    const note = await env.h.database.system.selectFrom('case_messages').select(['subject', 'metadata']).where('case_id', '=', id).where('subject', 'like', '%approval reopened').executeTakeFirstOrThrow();
    expect(note.metadata).toMatchObject({ kind: 'approval_reopened', projectId: v1.id, approvedVersionId: v2.id, newVersionId: v3.id });

    // The inbox shows it again; approving v2 now is refused by the workflow too; v3 goes through.
    const again = await doctor.api.post(`/cases/${id}/tasks/${approval.id}/decision`, { decision: 'approve', projectVersionId: v2.id });
    expect([again.status, again.body.error.code]).toEqual([409, 'version_superseded']);
    const ok = await doctor.api.post(`/cases/${id}/tasks/${approval.id}/decision`, { decision: 'approve', projectVersionId: v3.id });
    expect(ok.status).toBe(200);
    await awaitingTask(tech.api, id, 'Aligner printing');
    const pins = await env.h.database.system.selectFrom('case_states').select('metadata').where('case_id', '=', id).where('to_state', '=', 'approved').orderBy('created_at').execute();
    expect(pins.map((r) => ((r.metadata as Record<string, { versionId: string }>).projectVersion ?? {}).versionId)).toEqual([v2.id, v3.id]);

    // A version uploaded to a project whose approval is not pinned changes nothing.
    const other = (await upload(tech.token, `/cases/${id}/projects?name=Other&projectType=model&fileName=o.stl`, binaryStl(mesh))).body as Project;
    await upload(tech.token, `/projects/${other.id}/versions?fileName=o2.stl`, binaryStl(mesh));
    expect((await task(doctor.api, id, 'Aligner printing')).awaitingDecision).toBe(true);

    const owner = await member(a, 'owner');
    expect((await owner.api.post(`/cases/${id}/cancel`, { reason: 'test over' })).status).toBe(200);
    const handle = env.h.client.workflow.getHandle<typeof caseWorkflow>(created.body.workflowId);
    await handle.result();
    await recordHistory(handle, 'project-approval-reopened');
  });

  test('a newer version after the work that followed the approval: that work goes back to pending with the approval', async () => {
    const created = await doctor.api.post('/cases', { practiceId: a.practiceId, patientId: a.patientId, title: 'Printed already', caseType: 'active_treatment', templateId: env.templateId });
    const id = created.body.id as string;
    const v1 = (await upload(tech.token, `/cases/${id}/projects?name=Plan&projectType=aligner_design&fileName=plan.stl`, binaryStl(mesh))).body as Project;
    for (const name of ['Records review', 'Treatment plan design']) {
      const t = await awaitingTask(tech.api, id, name);
      expect((await tech.api.post(`/cases/${id}/tasks/${t.id}/decision`, { decision: 'approve' })).status).toBe(200);
    }
    const approval = await awaitingTask(doctor.api, id, 'Doctor approval');
    expect((await doctor.api.post(`/cases/${id}/tasks/${approval.id}/decision`, { decision: 'approve', projectVersionId: v1.id })).status).toBe(200);
    const print = await awaitingTask(tech.api, id, 'Aligner printing');
    expect((await tech.api.post(`/cases/${id}/tasks/${print.id}/complete`, {})).status).toBe(200);
    await awaitingTask(tech.api, id, 'Final inspection');
    expect((await doctor.api.get(`/cases/${id}`)).body.state).toBe('quality_check');

    await upload(tech.token, `/projects/${v1.id}/versions?fileName=plan-v2.stl`, binaryStl(mesh));
    await awaitingTask(doctor.api, id, 'Doctor approval');
    const after = Object.fromEntries((await tasks(doctor.api, id)).map((t) => [t.name, t.status]));
    expect(after).toMatchObject({ 'Treatment plan design': 'done', 'Doctor approval': 'active', 'Aligner printing': 'pending', 'Attachment template': 'pending', 'Final inspection': 'pending' });
    expect((await doctor.api.get(`/cases/${id}`)).body.state).toBe('planning');
    // An approval without a pinned version is not reopened by versions (nothing to compare with).
    const plain = await doctor.api.post(`/cases/${id}/tasks/${approval.id}/decision`, { decision: 'approve' });
    expect(plain.status).toBe(200);
    await awaitingTask(tech.api, id, 'Aligner printing');
    await upload(tech.token, `/projects/${v1.id}/versions?fileName=plan-v3.stl`, binaryStl(mesh));
    expect((await task(doctor.api, id, 'Aligner printing')).awaitingDecision).toBe(true);
    expect((await task(doctor.api, id, 'Doctor approval')).status).toBe('done');
  });

  test("a lab technician's reads of patient data are in the PHI access log: case, files and their content, messages, projects and their content, inbox", async () => {
    const reader = await labStaff('technician');
    const p = ((await upload(doctor.token, `/cases/${caseId}/projects?name=Read%20me&projectType=model&fileName=r.stl`, binaryStl(mesh))).body as Project).id;
    await waitFor(
      () => reader.api.get(`/cases/${caseId}`),
      (r) => !!r.body.workflow,
    );
    const fileId = (await upload(doctor.token, `/cases/${caseId}/files?fileName=scan.pdf&fileType=document`, Buffer.from('%PDF-1.4'), 'application/pdf')).body.id as string;
    const reads: Array<[string, string]> = [
      ['GET /cases/{id}/files/{fileId}', `/cases/${caseId}/files/${fileId}`],
      ['GET /cases/{id}/files/{fileId}/content', `/cases/${caseId}/files/${fileId}/content`],
      ['GET /projects/{id}/content', `/projects/${p}/content`],
      ['GET /cases/{id}', `/cases/${caseId}`],
      ['GET /cases/{id}/files', `/cases/${caseId}/files`],
      ['GET /cases/{id}/messages', `/cases/${caseId}/messages`],
      ['GET /cases/{id}/projects', `/cases/${caseId}/projects`],
      ['GET /projects/{id}', `/projects/${p}`],
      ['GET /projects/{id}/versions', `/projects/${p}/versions`],
      ['GET /tasks/inbox', `/tasks/inbox?view=lab&practiceId=${a.practiceId}`],
    ];
    for (const [, url] of reads) expect((await request(env.app).get(url).set('Authorization', `Bearer ${reader.token}`)).status).toBe(200);
    const log = await env.h.database.system.selectFrom('phi_access_log').select(['route', 'patient_id', 'practice_id']).where('actor_id', '=', reader.id).execute();
    expect([...new Set(log.map((l) => l.route))].sort()).toEqual(reads.map(([r]) => r).sort());
    expect(new Set(log.map((l) => `${l.patient_id}/${l.practice_id}`))).toEqual(new Set([`${a.patientId}/${a.practiceId}`]));
    // The practice's owner reads the technician's reads in the patient's accounting of disclosures.
    const owner = await member(a, 'owner');
    const accounting = await owner.api.get(`/patients/${a.patientId}/access-log?limit=100`);
    expect(accounting.status).toBe(200);
    expect(accounting.body.items.filter((e: { actorId: string }) => e.actorId === reader.id).length).toBe(log.length);
  });
});
