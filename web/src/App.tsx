/**
 * Routes of the console (under /app). URLs carry only ids (never names, searches or other PHI);
 * search and filter text stays in component state.
 */
import { createContext, lazy, Suspense, useContext, useEffect, type ReactNode } from 'react';
import { createBrowserRouter, Navigate, NavLink, Outlet, RouterProvider, useLocation, useNavigate } from 'react-router';
import { api, authApi, type Schemas } from './api/client';
import { session } from './lib/session';
import { useLoad, useSession } from './lib/hooks';
import { ok } from './lib/result';
import { SignIn } from './pages/SignIn';
import { Inbox } from './pages/Inbox';

const CasePage = lazy(() => import('./pages/CasePage'));
const Patients = lazy(() => import('./pages/Patients'));
const Search = lazy(() => import('./pages/Search'));
const Dashboard = lazy(() => import('./pages/Dashboard'));
const Templates = lazy(() => import('./pages/Templates'));

export type Me = Schemas['Me'];
const MeContext = createContext<Me | null>(null);
/** The signed-in person and their memberships (loaded once per session by the shell). */
export function useMe(): Me | null {
  return useContext(MeContext);
}

/** Lab staff keep a global role; the lab queue is theirs. */
export function isLab(me: Me | null): boolean {
  return !!me && (me.profile.role === 'technician' || me.profile.role === 'admin' || me.profile.role === 'support');
}

function Shell() {
  const s = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const me = useLoad(async () => (s ? ok(await api.GET('/me')) : null), [s?.profileId]);
  if (!s) {
    const here = location.pathname + location.search;
    return <Navigate to="/signin" replace state={{ from: here }} />;
  }
  const signOut = async () => {
    const refreshToken = session.current()?.refreshToken;
    session.end();
    if (refreshToken) await authApi.POST('/auth/logout', { body: { refreshToken } }).catch(() => undefined);
    await navigate('/signin');
  };
  return (
    <MeContext.Provider value={me.data ?? null}>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">MDW</span>
        <nav aria-label="Main">
          <NavLink to="/" end>
            Inbox
          </NavLink>
          <NavLink to="/patients">Patients</NavLink>
          <NavLink to="/search">Search</NavLink>
          <NavLink to="/dashboard">Dashboard</NavLink>
          <NavLink to="/templates">Templates</NavLink>
        </nav>
        <span className="who">{me.data ? `${me.data.profile.fullName} (${me.data.memberships.map((m) => m.role).join(', ') || me.data.profile.role})` : ''}</span>
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<p role="status">Loading…</p>}>
          <Outlet />
        </Suspense>
      </main>
    </MeContext.Provider>
  );
}

function NotFound() {
  return (
    <>
      <h1>Page not found</h1>
      <p>There is nothing at this address.</p>
    </>
  );
}

function ScrollTop({ children }: { children: ReactNode }) {
  const { pathname } = useLocation();
  // Braces: Chromium's scrollTo returns a promise now, and React takes a returned value for a cleanup.
  useEffect(() => {
    window.scrollTo(0, 0);
  }, [pathname]);
  return <>{children}</>;
}

const router = createBrowserRouter(
  [
    { path: '/signin', element: <SignIn /> },
    {
      element: (
        <ScrollTop>
          <Shell />
        </ScrollTop>
      ),
      children: [
        { index: true, element: <Inbox /> },
        { path: 'cases/:id', element: <CasePage /> },
        { path: 'patients', element: <Patients /> },
        { path: 'patients/:id', element: <Patients /> },
        { path: 'search', element: <Search /> },
        { path: 'dashboard', element: <Dashboard /> },
        { path: 'templates', element: <Templates /> },
        { path: 'templates/:id', element: <Templates /> },
        { path: '*', element: <NotFound /> },
      ],
    },
  ],
  { basename: '/app' },
);

export function App() {
  return <RouterProvider router={router} />;
}
