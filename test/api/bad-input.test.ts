/**
 * Bad input answers 4xx, never 500 and never half-written (issue 8, items 10-14): NUL bytes,
 * deep JSON, a body that is not what its Content-Encoding says, PATCH /patients all or nothing,
 * 405 with Allow, and the OpenAPI document saying exactly what the server accepts.
 */
import { gzipSync } from 'node:zlib';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { sql } from 'kysely';
import request from 'supertest';
import { createPracticeFixture, createUser } from '../support/fixtures';
import { waitFor } from '../support/wait';
import { MAX_JSON_DEPTH } from '../../src/api/input-guard';
import { as, setupApi, tokenFor, type ApiEnv } from './support';
import { setupAndTeardown } from '../support/lifecycle';

let env: ApiEnv;
let doc: { paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema: unknown }> }; parameters?: Array<{ name: string; in: string; schema: unknown }> }>> };
setupAndTeardown(async () => {
  env = await setupApi();
  doc = (await request(env.app).get('/openapi.json').expect(200)).body;
}, [() => env?.close()]);

const uuid = '7f9c2d4e-0a55-4c1e-9d0b-6f1a2b3c4d5e';
const concrete = (template: string) => template.replace(/\{[^}]+\}/g, uuid);

async function member() {
  const f = await createPracticeFixture(env.h.database.system);
  const token = await tokenFor(env.h.config, f.members.owner);
  return { f, token, owner: as(env.app, token) };
}

describe('NUL bytes (PostgreSQL cannot store U+0000) are refused at the edge with 400 naming the field', () => {
  test('on every documented operation, in the body (JSON routes) or the query, never 500', async () => {
    const { token } = await member();
    const seen: string[] = [];
    for (const [template, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops) as Array<'get' | 'post' | 'patch' | 'delete' | 'put'>) {
        const url = concrete(template);
        const withBody = method === 'post' || method === 'patch' || method === 'put';
        const res = withBody
          ? await request(env.app)[method](url).set('Authorization', `Bearer ${token}`).send({ note: 'a\u0000b', nested: { ['k\u0000']: 1 } })
          : await request(env.app)[method](`${url}?text=a%00b`).set('Authorization', `Bearer ${token}`);
        seen.push(`${method.toUpperCase()} ${template} ${res.status}`);
        expect({ op: `${method} ${template}`, status: res.status, code: res.body.error?.code }).toEqual({ op: `${method} ${template}`, status: 400, code: 'validation_failed' });
        expect(res.body.error.details[0].field).toBe(withBody ? 'note' : 'query.text');
      }
    }
    expect(seen.length).toBeGreaterThan(40);
  });

  test('the cases the issue names: ?text, message content, metadata, medicalHistory, a key, a path parameter, POST /products by a non-admin', async () => {
    const { f, owner } = await member();
    const expectNul = (res: { status: number; body: { error: { code: string; details: Array<{ field: string }> } } }, field: string) => {
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details[0]!.field).toBe(field);
    };
    expectNul(await owner.get(`/cases?practiceId=${f.practiceId}&text=%00`), 'query.text');
    expectNul(await owner.post(`/cases/${uuid}/messages`, { content: 'hello\u0000' }), 'content');
    expectNul(await owner.patch(`/patients/${f.patientId}`, { medicalHistory: { allergies: ['latex\u0000'] } }), 'medicalHistory.allergies.0');
    expectNul(await owner.patch(`/patients/${f.patientId}`, { preferences: { ['x\u0000y']: true } }), 'preferences.x\\u0000y');
    expectNul(await owner.post('/cases', { practiceId: f.practiceId, patientId: f.patientId, title: 't', caseType: 'refinement', metadata: { a: '\u0000' } }), 'metadata.a');
    expectNul(await owner.get('/patients/%00'), 'params.id');
    // A practice owner is no internal admin: 403 for a clean body, 400 (not 500) with a NUL.
    const clean = await owner.post('/products', { name: 'Retainer', category: 'retainers', basePrice: '10.00' });
    expect(clean.status).toBe(403);
    expectNul(await owner.post('/products', { name: 'Retainer\u0000', category: 'retainers', basePrice: '10.00' }), 'name');
    // Nothing was written by the refused patient update.
    const p = await owner.get(`/patients/${f.patientId}`);
    expect(p.body.medicalHistory).toEqual({});
  });
});

describe('JSON depth', () => {
  const nest = (depth: number): unknown => (depth <= 0 ? 'leaf' : { a: nest(depth - 1) });

  test('a body nested 5,000 deep answers 400 malformed_json, not 500', async () => {
    const { f, owner, token } = await member();
    const deep = `{"medicalHistory":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
    const res = await request(env.app).patch(`/patients/${f.patientId}`).set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/json').send(deep);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('malformed_json');
    expect((await owner.get(`/patients/${f.patientId}`)).body.medicalHistory).toEqual({});
    // A body at the limit is accepted and stored: the body object plus MAX_JSON_DEPTH - 1 levels.
    const atLimit = { medicalHistory: nest(MAX_JSON_DEPTH - 1) };
    const ok = await owner.patch(`/patients/${f.patientId}`, atLimit);
    expect(ok.status).toBe(200);
    expect(ok.body.medicalHistory).toEqual(atLimit.medicalHistory);
    const over = await owner.patch(`/patients/${f.patientId}`, { medicalHistory: nest(MAX_JSON_DEPTH) });
    expect(over.status).toBe(400);
    expect(over.body.error.code).toBe('malformed_json');
  });
});

describe('Content-Encoding', () => {
  test('a body declared gzip that is not gzip answers 400; real gzip is accepted', async () => {
    const { f, token } = await member();
    const body = JSON.stringify({ practiceId: f.practiceId, firstName: 'Zip', lastName: `Ped${Date.now()}` });
    const bad = await request(env.app).post('/patients').set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').send(body);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'bad_request', details: [{ field: 'Content-Encoding' }] });
    // superagent would serialise a Buffer as JSON for a JSON content type: send the bytes as they are.
    const good = await request(env.app)
      .post('/patients')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .serialize((b: unknown) => b as string)
      .send(gzipSync(body) as unknown as string);
    expect(good.status).toBe(201);
    const unknown = await request(env.app).post('/patients').set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/json').set('Content-Encoding', 'snappy').send(body);
    expect(unknown.status).toBe(415);
  });
});

describe('PATCH /patients/{id} is one transaction', () => {
  test('a failure while writing the profile keeps none of the other changes (birthdate, medical history)', async () => {
    const { f, owner } = await member();
    // A real fault in the profile write, local to this patient: this test's own transaction
    // holds the patient's profile row (FOR UPDATE), so the PATCH's transaction blocks in the
    // profile write after its patient-row write; the test then cancels that statement. No DDL on
    // a shared table: CREATE/DROP TRIGGER on profiles queued behind every other file's open
    // transaction that had written a profile and held their next profile writes behind it, every
    // profile update of every file evaluated the trigger meanwhile, and a worker killed between
    // the two left it in the database. Here nothing another file does can meet the fault: no
    // other file touches this profile.
    const db = env.h.database.system;
    const { profile_id: profileId } = await db.selectFrom('patients').select('profile_id').where('id', '=', f.patientId).executeTakeFirstOrThrow();
    const before = (await owner.get(`/patients/${f.patientId}`)).body;
    let blocked: { pid: number; query: string; patientsLock: boolean } | undefined;
    const res = await db.transaction().execute(async (trx) => {
      await trx.selectFrom('profiles').select('id').where('id', '=', profileId).forUpdate().execute();
      const me = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0]!.pid;
      const pending = owner.patch(`/patients/${f.patientId}`, { dateOfBirth: '2001-02-03', medicalHistory: { allergies: ['latex'] }, firstName: 'Blocked' });
      // The PATCH's backend, waiting for this transaction's row lock: what it runs, and whether
      // it has already written to patients in its transaction (RowExclusiveLock held).
      blocked = await waitFor(
        async () =>
          (
            await sql<{ pid: number; query: string; patients_lock: boolean }>`
              select a.pid, a.query,
                     exists (select 1 from pg_locks l where l.pid = a.pid and l.granted and l.mode = 'RowExclusiveLock'
                              and l.relation = 'public.patients'::regclass) as patients_lock
                from pg_stat_activity a where ${me}::int = any (pg_blocking_pids(a.pid))`.execute(db)
          ).rows.map((r) => ({ pid: r.pid, query: r.query, patientsLock: r.patients_lock }))[0],
        (v) => v !== undefined,
        30_000,
        "the PATCH's wait for the profile row",
      );
      await sql`select pg_cancel_backend(${blocked!.pid}::int)`.execute(db);
      return pending;
    });
    expect(blocked).toEqual({ pid: expect.any(Number), query: expect.stringContaining('update_patient_profile'), patientsLock: true });
    // A cancelled statement answers like a statement timeout: 503, retry.
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('service_unavailable');
    expect((await owner.get(`/patients/${f.patientId}`)).body).toEqual(before);
    // The same change without the fault lands whole.
    const ok = await owner.patch(`/patients/${f.patientId}`, { dateOfBirth: '2001-02-03', medicalHistory: { allergies: ['latex'] }, firstName: 'Changed', phone: null });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ dateOfBirth: '2001-02-03', medicalHistory: { allergies: ['latex'] }, firstName: 'Changed', phone: null });
  });

  test("another practice's patient is 404 and untouched", async () => {
    const a = await member();
    const b = await member();
    const res = await b.owner.patch(`/patients/${a.f.patientId}`, { firstName: 'Mallory', dateOfBirth: '1990-01-01' });
    expect(res.status).toBe(404);
    const row = await env.h.database.system.selectFrom('patients as pt').innerJoin('profiles as p', 'p.id', 'pt.profile_id').select(['p.first_name', 'pt.date_of_birth']).where('pt.id', '=', a.f.patientId).executeTakeFirstOrThrow();
    expect(row).toEqual({ first_name: 'Pat', date_of_birth: null });
  });
});

describe('methods', () => {
  test('an undeclared method on a known path answers 405 with Allow; OPTIONS lists the methods; unknown paths stay 404', async () => {
    const { token } = await member();
    const trace = await request(env.app).trace('/me').set('Authorization', `Bearer ${token}`);
    expect(trace.status).toBe(405);
    expect(trace.headers.allow).toBe('GET, PATCH, HEAD');
    expect(trace.body.error.code).toBe('method_not_allowed');
    // Not routed to /workflow-templates/{id}: the document's own path decides.
    const get = await request(env.app).get('/workflow-templates/validate').set('Authorization', `Bearer ${token}`);
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect((await request(env.app).delete('/patients')).status).toBe(405);
    const options = await request(env.app).options('/workflow-templates/validate');
    expect(options.status).toBe(204);
    expect(options.headers.allow).toBe('POST, OPTIONS');
    expect((await request(env.app).trace('/no/such/path')).status).toBe(404);
  });
});

describe('the OpenAPI document says what the server accepts', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const bodySchema = (template: string, method: string) => {
    const schema = doc.paths[template]![method]!.requestBody!.content!['application/json']!.schema;
    return ajv.compile({ ...(schema as object), components: (doc as unknown as { components: unknown }).components } as object);
  };

  test('415 is documented on every JSON route, and 400 everywhere', () => {
    for (const [template, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const responses = (op as { responses: Record<string, unknown> }).responses;
        expect({ op: `${method} ${template}`, has415: '415' in responses, has400: '400' in responses }).toEqual({ op: `${method} ${template}`, has415: true, has400: true });
      }
    }
  });

  test('each sample is accepted exactly when the document allows it', async () => {
    const { f, owner } = await member();
    const admin = as(env.app, await tokenFor(env.h.config, await createUser(env.h.database.system, 'labadmin', 'admin')));
    const uniq = () => Math.random().toString(36).slice(2, 8);
    // `ok`: what both the document and the server must say.
    const samples: Array<{ what: string; ok: boolean; template: string; method: 'post' | 'patch'; url: string; body: Record<string, unknown>; by?: typeof owner }> = [
      { what: 'whitespace-only first name', ok: false, template: '/patients', method: 'post', url: '/patients', body: { practiceId: f.practiceId, firstName: ' \u3000 ', lastName: 'X' } },
      { what: 'a name with inner and outer spaces', ok: true, template: '/patients', method: 'post', url: '/patients', body: { practiceId: f.practiceId, firstName: '  Ana Maria ', lastName: `Q${uniq()}` } },
      { what: "an email with ' and *", ok: true, template: '/patients', method: 'post', url: '/patients', body: { practiceId: f.practiceId, firstName: 'E', lastName: `M${uniq()}`, email: `o'hara*${uniq()}@r.test` } },
      { what: 'an email without a dot in the domain', ok: false, template: '/patients', method: 'post', url: '/patients', body: { practiceId: f.practiceId, firstName: 'E', lastName: 'M', email: 'a@localhost' } },
      { what: '100 astral characters in a 100-character name', ok: true, template: '/patients', method: 'post', url: '/patients', body: { practiceId: f.practiceId, firstName: '😀'.repeat(100), lastName: `A${uniq()}` } },
      { what: 'a basePrice above numeric(10,2)', ok: false, template: '/products', method: 'post', url: '/products', body: { name: 'Big', category: 'services', basePrice: '100000000.00' }, by: admin },
      { what: 'the largest basePrice', ok: true, template: '/products', method: 'post', url: '/products', body: { name: `Max ${uniq()}`, category: 'services', basePrice: '99999999.99' }, by: admin },
      { what: 'an empty hold reason', ok: false, template: '/cases/{id}/hold', method: 'post', url: `/cases/${uuid}/hold`, body: { reason: '' } },
      { what: 'a blank cancel reason', ok: false, template: '/cases/{id}/cancel', method: 'post', url: `/cases/${uuid}/cancel`, body: { reason: '  ' } },
    ];
    for (const s of samples) {
      const documented = bodySchema(s.template, s.method)(s.body);
      const res = await (s.by ?? owner)[s.method](s.url, s.body);
      expect({ what: s.what, documented, accepted: res.status !== 400 }).toEqual({ what: s.what, documented: s.ok, accepted: s.ok });
      if (s.ok) expect(res.status).toBeLessThan(500);
    }
    // Names are stored trimmed.
    const ana = await owner.get(`/patients?practiceId=${f.practiceId}&q=Ana%20Maria`);
    expect(ana.body.items[0].firstName).toBe('Ana Maria');
  });

  test('Idempotency-Key, fileName and cursor: the document pattern and the server agree', async () => {
    const { f, owner } = await member();
    const key = doc.paths['/patients']!.post!.parameters!.find((p) => p.name === 'Idempotency-Key')!.schema as { pattern: string };
    const keyOk = ajv.compile(key);
    for (const k of ['abc-123_~!', 'has space', 'é']) {
      const res = await owner.post('/patients', { practiceId: f.practiceId, firstName: 'K', lastName: `Key${Math.random()}` }, { headers: { 'Idempotency-Key': k } });
      expect({ k, refused: res.status === 400 }).toEqual({ k, refused: !keyOk(k) });
    }
    const fileName = doc.paths['/cases/{id}/files']!.post!.parameters!.find((p) => p.name === 'fileName')!.schema;
    const nameOk = ajv.compile(fileName as object);
    expect(nameOk('scan.stl')).toBe(true);
    expect(nameOk('a\\b.stl')).toBe(false);
    const res = await request(env.app).post(`/cases/${uuid}/files?fileType=scan&fileName=${encodeURIComponent('a\\b.stl')}`).set('Authorization', `Bearer ${(await member()).token}`).set('Content-Type', 'application/pdf').send(Buffer.from('x'));
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe('query.fileName');
    // Any cursor the pattern admits is accepted (an empty page here), others are refused.
    const cursor = doc.paths['/patients']!.get!.parameters!.find((p) => p.name === 'cursor')!.schema;
    const cursorOk = ajv.compile(cursor as object);
    for (const c of ['0_00000000-0000-0000-0000-000000000000', '9999999999999999_ffffffff-ffff-ffff-ffff-ffffffffffff', '0000', 'eyJ4Ijo']) {
      const r = await owner.get(`/patients?practiceId=${f.practiceId}&cursor=${c}`);
      expect({ c, status: r.status }).toEqual({ c, status: cursorOk(c) ? 200 : 400 });
    }
  });
});
