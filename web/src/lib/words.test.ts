import { dueStatus, label, refusal, relative } from './words';

describe('refusal', () => {
  test('a workflow refusal in words, with the API message when it adds something', () => {
    expect(refusal({ error: { code: 'wrong_role', message: 'Doctor approval needs one of: doctor.', details: null } })).toBe('Your role cannot do this step. Doctor approval needs one of: doctor.');
    expect(refusal({ error: { code: 'task_not_awaiting_decision', message: '', details: null } })).toMatch(/not waiting for a decision/);
  });
  test('fields named by the API are listed', () => {
    expect(refusal({ error: { code: 'validation_failed', message: 'Invalid input', details: [{ field: 'reason', message: 'Required' }] } })).toBe('Some fields need fixing. Invalid input (reason: Required)');
  });
  test('an unknown code says the API message; no body says the status', () => {
    expect(refusal({ error: { code: 'brand_new', message: 'Something specific.', details: null } })).toBe('Something specific.');
    expect(refusal(undefined, 502)).toBe('The request failed (HTTP 502).');
    expect(refusal('<html>', 500)).toBe('The request failed (HTTP 500).');
  });
  test('the same words are not said twice', () => {
    expect(refusal({ error: { code: 'case_not_on_hold', message: 'The case is not on hold', details: null } })).toBe('The case is not on hold.');
  });
});

describe('dueStatus', () => {
  const now = Date.parse('2026-01-10T12:00:00Z');
  test('overdue, at risk within a day, on time, none', () => {
    expect(dueStatus('2026-01-10T11:00:00Z', false, now)).toBe('overdue');
    expect(dueStatus('2026-01-20T11:00:00Z', true, now)).toBe('overdue');
    expect(dueStatus('2026-01-11T06:00:00Z', false, now)).toBe('at_risk');
    expect(dueStatus('2026-01-12T12:00:01Z', false, now)).toBe('on_time');
    expect(dueStatus(null, false, now)).toBe('none');
  });
});

test('label and relative', () => {
  expect(label('under_review')).toBe('Under review');
  const now = Date.parse('2026-01-10T12:00:00Z');
  expect(relative('2026-01-10T12:30:00Z', now)).toBe('in 30 min');
  expect(relative('2026-01-10T09:00:00Z', now)).toBe('3 h ago');
  expect(relative('2026-01-15T12:00:00Z', now)).toBe('in 5 d');
  expect(relative(null, now)).toBe('—');
});
