import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { session, type StoredSession } from './session';

export function useSession(): StoredSession | null {
  return useSyncExternalStore(session.subscribe, session.current, session.current);
}

/** Page titles name the page, never a patient (no PHI in titles). */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · MDW`;
  }, [title]);
}

export interface Loaded<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads with `fn` when `deps` change and, with `pollMs`, again on that interval while the tab is
 * visible (new work appears without a reload). Results of a superseded load are dropped.
 */
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[], pollMs = 0): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const run = useCallback((quiet: boolean) => {
    const mine = ++seq.current;
    if (!quiet) setLoading(true);
    fnRef
      .current()
      .then((d) => {
        if (mine !== seq.current) return;
        setData(d);
        setError(null);
      })
      .catch((e: unknown) => {
        if (mine === seq.current) setError(e instanceof Error ? e.message : String(e));
      })
      .finally(() => {
        if (mine === seq.current) setLoading(false);
      });
  }, []);
  useEffect(() => {
    run(false);
    if (!pollMs) return;
    const t = setInterval(() => {
      if (document.visibilityState === 'visible') run(true);
    }, pollMs);
    return () => clearInterval(t);
  }, deps);
  return { data, error, loading, reload: () => run(true) };
}
