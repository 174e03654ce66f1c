import { createSession, needsRefresh, safeReturnPath } from './session';

function memoryStorage() {
  const m = new Map<string, string>();
  return { m, getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
}
const grant = (n: number) => ({ accessToken: `access-${n}`, refreshToken: `refresh-${n}`, expiresIn: 900, profileId: 'p1' });

describe('session', () => {
  test('a fresh token is used as it is; one about to expire is refreshed once for concurrent callers', async () => {
    let now = 1_000_000;
    const store = memoryStorage();
    const s = createSession(store, () => now);
    let refreshes = 0;
    s.setRefresher(async (rt) => {
      refreshes++;
      expect(rt).toBe('refresh-1');
      return grant(2);
    });
    s.start(grant(1));
    expect(await s.accessToken()).toBe('access-1');
    now += 900_000 - 10_000; // inside the margin
    const [a, b] = await Promise.all([s.accessToken(), s.accessToken()]);
    expect([a, b]).toEqual(['access-2', 'access-2']);
    expect(refreshes).toBe(1);
    expect(JSON.parse(store.m.get('mdw.session')!)).toMatchObject({ refreshToken: 'refresh-2', profileId: 'p1' });
  });

  test('a refused refresh ends the session, remembers where the user was, and tells listeners', async () => {
    let now = 0;
    const s = createSession(memoryStorage(), () => now);
    s.setRefresher(async () => null);
    s.start(grant(1));
    let told = 0;
    s.subscribe(() => told++);
    now = 10_000_000;
    expect(await s.accessToken()).toBeNull();
    expect(s.current()).toBeNull();
    expect(told).toBe(1);
    expect(s.takeReturnPath()).toBe('/'); // no window in unit tests: the start page
    expect(s.takeReturnPath()).toBe('/');
  });

  test('signing out forgets everything; signed out there is no token', async () => {
    const store = memoryStorage();
    const s = createSession(store);
    s.start(grant(1));
    s.end();
    expect(store.m.size).toBe(0);
    expect(await s.accessToken()).toBeNull();
  });

  test('needsRefresh and safeReturnPath', () => {
    expect(needsRefresh(100_000, 60_000)).toBe(false);
    expect(needsRefresh(100_000, 75_000)).toBe(true);
    expect(safeReturnPath('/cases/1')).toBe('/cases/1');
    expect(safeReturnPath('//evil.example/x')).toBe('/');
    expect(safeReturnPath('https://evil.example')).toBe('/');
    expect(safeReturnPath('/signin')).toBe('/');
    expect(safeReturnPath(null)).toBe('/');
  });
});
