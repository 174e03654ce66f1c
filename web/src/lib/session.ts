/**
 * The signed-in session, kept in sessionStorage only (gone when the tab closes; never
 * localStorage, never a cookie the API did not set), with no PHI in it: tokens and the profile id.
 * The access token is refreshed once, shortly before it expires; concurrent callers share that
 * refresh. When it cannot be refreshed the session ends and listeners (the router) send the user
 * to sign in with the path they were on, so they come back to it.
 */
export interface StoredSession {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms when the access token expires. */
  expiresAt: number;
  profileId: string;
}

export interface SessionGrant {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  profileId: string;
}

const KEY = 'mdw.session';
const RETURN_KEY = 'mdw.returnTo';
/** Refresh this long before expiry, so a request never leaves with a token about to lapse. */
export const REFRESH_MARGIN_MS = 30_000;

type Refresher = (refreshToken: string) => Promise<SessionGrant | null>;

/** Whether a token expiring at `expiresAt` should be refreshed at `now`. */
export function needsRefresh(expiresAt: number, now: number, margin = REFRESH_MARGIN_MS): boolean {
  return expiresAt - now <= margin;
}

/** Only paths of the console itself are returned to (never an absolute URL from elsewhere). */
export function safeReturnPath(p: string | null | undefined): string {
  if (!p || !p.startsWith('/') || p.startsWith('//') || p.startsWith('/signin')) return '/';
  return p;
}

export function createSession(storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>, now: () => number = Date.now) {
  let refresher: Refresher | null = null;
  let inflight: Promise<string | null> | null = null;
  const listeners = new Set<() => void>();
  let cached: StoredSession | null | undefined;

  const read = (): StoredSession | null => {
    if (cached !== undefined) return cached;
    try {
      cached = JSON.parse(storage.getItem(KEY) ?? 'null') as StoredSession | null;
    } catch {
      cached = null;
    }
    return cached;
  };
  const write = (s: StoredSession | null) => {
    cached = s;
    if (s) storage.setItem(KEY, JSON.stringify(s));
    else storage.removeItem(KEY);
    for (const l of listeners) l();
  };

  return {
    current: read,
    subscribe(l: () => void): () => void {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    setRefresher(r: Refresher) {
      refresher = r;
    },
    start(g: SessionGrant) {
      write({ accessToken: g.accessToken, refreshToken: g.refreshToken, expiresAt: now() + g.expiresIn * 1000, profileId: g.profileId });
    },
    /** A valid access token, refreshing first when it is about to expire; null when signed out. */
    async accessToken(): Promise<string | null> {
      const s = read();
      if (!s) return null;
      if (!needsRefresh(s.expiresAt, now())) return s.accessToken;
      if (!refresher) return s.accessToken;
      inflight ??= refresher(s.refreshToken)
        .then((g) => {
          if (!g) {
            this.expire();
            return null;
          }
          this.start(g);
          return g.accessToken;
        })
        .catch(() => s.accessToken) // offline: try the old one; a 401 then ends the session
        .finally(() => {
          inflight = null;
        });
      return inflight;
    },
    /** The session lapsed: remember where the user was, so signing in brings them back. */
    expire() {
      if (!read()) return;
      const here = typeof window === 'undefined' ? '/' : window.location.pathname.replace(/^\/app/, '') || '/';
      storage.setItem(RETURN_KEY, safeReturnPath(here));
      write(null);
    },
    end() {
      storage.removeItem(RETURN_KEY);
      write(null);
    },
    /** Where to go after signing in (and forget it). */
    takeReturnPath(): string {
      const p = safeReturnPath(storage.getItem(RETURN_KEY));
      storage.removeItem(RETURN_KEY);
      return p;
    },
  };
}

export type Session = ReturnType<typeof createSession>;

const memory = new Map<string, string>();
const fallback = { getItem: (k: string) => memory.get(k) ?? null, setItem: (k: string, v: string) => void memory.set(k, v), removeItem: (k: string) => void memory.delete(k) };
export const session: Session = createSession(typeof sessionStorage === 'undefined' ? fallback : sessionStorage);
