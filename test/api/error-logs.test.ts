/**
 * The API's log names no patient when a request hits an unexpected error: the real app over the
 * real database, whose case service fails with an error quoting a patient's name and email (as a
 * downstream system echoing its input would). The client gets the usual 500; the log lines carry
 * the error's fingerprint and the request id, never the text. LOG_ERROR_DETAIL=clear restores it.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createApp } from '../../src/api/server';
import type { CaseService } from '../../src/services/case.service';
import { createErrorRedactor } from '../../src/telemetry/log-redaction';
import { createHarness, testConfig, type Harness } from '../support/harness';
import { createPracticeFixture, type PracticeFixture } from '../support/fixtures';
import { TEST_PAYLOAD_KEYS } from '../support/env';
import { tokenFor } from './support';
import { setupAndTeardown } from '../support/lifecycle';

const NAME = `Zelda Quinterra-${randomUUID().slice(0, 6)}`;
const EMAIL = `zelda.${randomUUID().slice(0, 6)}@patients.test`;
const failure = () => Object.assign(new Error(`provider echoed: patient ${NAME} <${EMAIL}> not accepted`), { code: 'E_UPSTREAM' });

let h: Harness;
let f: PracticeFixture;
setupAndTeardown(async () => {
  h = await createHarness({ worker: false });
  f = await createPracticeFixture(h.database.system, 'API error logs');
}, [() => h?.close()]);

async function failingRequest(overrides: Record<string, string> = {}): Promise<{ lines: string[]; status: number; body: unknown }> {
  const lines: string[] = [];
  const config = { ...testConfig({ LOG_LEVEL: 'info', ...overrides }), DATABASE_URL: h.config.DATABASE_URL };
  const cases: CaseService = {
    ...h.cases,
    startCase: () => Promise.reject(failure()),
  };
  const app = createApp({ config, database: h.database, temporal: h.client, cases, logDestination: { write: (line: string) => void lines.push(line) } });
  const res = await request(app)
    .post('/cases')
    .set('authorization', `Bearer ${await tokenFor(config, f.members.doctor)}`)
    .set('x-request-id', 'req-error-logs')
    .send({ practiceId: f.practiceId, patientId: f.patientId, title: 'Retainer', caseType: 'follow_up' });
  return { lines, status: res.status, body: res.body };
}

test("an unexpected error's text (a patient's name and email) stays out of the API's log; its fingerprint and the request id are there", async () => {
  const { lines, status, body } = await failingRequest();
  expect(status).toBe(500);
  expect(body).toEqual({ error: { code: 'internal_error', message: 'Internal server error.', details: null } });
  const all = lines.join('\n');
  expect(all).not.toContain(NAME);
  expect(all).not.toContain('Zelda');
  expect(all).not.toContain(EMAIL);

  const entries = lines.map((l) => JSON.parse(l) as { msg?: string; requestId?: string; err?: Record<string, unknown> });
  const unhandled = entries.find((e) => e.msg === 'unhandled error');
  const expected = createErrorRedactor({ payloadKeys: TEST_PAYLOAD_KEYS }).fingerprint(failure()).fingerprint;
  expect(expected).toMatch(/^Error#[0-9a-f]{10}$/);
  expect(unhandled).toMatchObject({ requestId: 'req-error-logs', err: { fingerprint: expected, code: 'E_UPSTREAM' } });
  expect(unhandled!.err).not.toHaveProperty('message');
  expect(unhandled!.err).not.toHaveProperty('stack');
  expect(entries.find((e) => e.msg === 'request failed')).toMatchObject({ requestId: 'req-error-logs', status: 500 });
});

test('LOG_ERROR_DETAIL=clear logs the message and stack again (for local debugging)', async () => {
  const { lines, status } = await failingRequest({ LOG_ERROR_DETAIL: 'clear' });
  expect(status).toBe(500);
  const unhandled = lines.map((l) => JSON.parse(l) as { msg?: string; err?: { message?: string; stack?: string } }).find((e) => e.msg === 'unhandled error');
  expect(unhandled?.err?.message).toContain(EMAIL);
  expect(unhandled?.err?.stack).toContain(NAME);
});
