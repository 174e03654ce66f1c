/**
 * Recognising legacy test data ("Test Test", "test patient", "asdf qwerty", test@example.com …)
 * so that it is reported instead of migrated as patients. Pure, no I/O.
 *
 * How: by whole words, never substrings, so real names that merely contain "test" ("Tess
 * Testa", "Celeste Testaverde", "Contessa") are untouched.
 * - The name: EVERY token of first + last name is test vocabulary, and at least one is a strong
 *   test word (test, asdf, qwerty, dummy, fake, …; digits allowed after it: "test2"). Weak words
 *   ("patient", "user", "demo", "sample", "one") count only beside a strong one, so "Patient
 *   Zero" or "Demo Smith" stay patients, while "Test Patient" and "Demo Test" do not. A single
 *   real-looking token ("John Test") keeps the record: the surname Test exists.
 * - Keyboard mash: every token is one repeated letter ("aaa bbb", "x x") or digits only.
 * - The email alone only when BOTH its local part is a strong test word and its domain is
 *   reserved for tests (RFC 2606/6761: example.com/.net/.org, *.test, *.example, *.invalid,
 *   *.localhost) or is itself test.com/test.org: front desks use placeholders like
 *   noemail@example.com for real patients, so a reserved domain by itself proves nothing.
 * Placeholder identities for real unknown patients ("John Doe") are NOT test data.
 */

import { nameTokens, normalizeEmail, normalizeName } from './normalize';

const STRONG = new Set(['test', 'tests', 'testing', 'testtest', 'asdf', 'asdfg', 'asdfgh', 'asdfasdf', 'qwerty', 'qwer', 'qwe', 'dummy', 'fake', 'foo', 'foobar', 'xxx', 'xxxx', 'zzz', 'zzzz', 'lorem', 'ipsum', 'sdf', 'jkl', 'hjkl']);
const WEAK = new Set(['patient', 'pt', 'user', 'account', 'demo', 'sample', 'example', 'person', 'name', 'first', 'last', 'firstname', 'lastname', 'one', 'two', 'three', 'do', 'not', 'use', 'dont', 'bar', 'case', 'dr', 'doctor', 'mr', 'mrs', 'ms']);
const RESERVED_DOMAIN = /(^|\.)(example\.(com|net|org)|test\.(com|org)|[a-z0-9-]+\.(test|example|invalid|localhost))$|^(example|test|invalid|localhost)$/;

/** "test2" → "test": a test word may carry a counter. */
function stem(token: string): string {
  return token.replace(/\d+$/, '');
}

function isStrong(token: string): boolean {
  return STRONG.has(stem(token));
}

function isMash(token: string): boolean {
  return /^\d+$/.test(token) || /^([a-z])\1*$/.test(token);
}

/**
 * @returns why the record is test data, or null when it looks like a person.
 */
export function detectTestData(firstName: string | null, lastName: string | null, email: string | null): string | null {
  const tokens = [...nameTokens(normalizeName(firstName)), ...nameTokens(normalizeName(lastName))];
  if (tokens.length > 0) {
    if (tokens.every((t) => isStrong(t) || WEAK.has(stem(t))) && tokens.some(isStrong)) {
      return `name "${tokens.join(' ')}" consists only of test words`;
    }
    if (tokens.every(isMash)) return `name "${tokens.join(' ')}" is keyboard mash`;
  }
  const normalized = normalizeEmail(email);
  if (normalized) {
    const [local = '', domain = ''] = normalized.split('@');
    const localWords = local.split(/[._+-]+/).filter((w) => w !== '');
    if (localWords.length > 0 && localWords.every((w) => isStrong(w) || WEAK.has(stem(w))) && localWords.some(isStrong) && RESERVED_DOMAIN.test(domain)) {
      return `email ${normalized} is a test address at a reserved domain`;
    }
  }
  return null;
}
