import { useState, type FormEvent } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { authApi } from '../api/client';
import { session, safeReturnPath } from '../lib/session';
import { useTitle } from '../lib/hooks';
import { refusal } from '../lib/words';

export function SignIn() {
  useTitle('Sign in');
  const navigate = useNavigate();
  const location = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const { data, error: err, response } = await authApi.POST('/auth/login', { body: { email, password } });
    setBusy(false);
    if (!data) {
      setError(refusal(err, response.status));
      return;
    }
    // Where the user was when the session lapsed, else where the guard sent them from.
    const lapsed = session.takeReturnPath();
    const from = safeReturnPath((location.state as { from?: string } | null)?.from);
    session.start(data);
    await navigate(lapsed !== '/' ? lapsed : from, { replace: true });
  };

  return (
    <main id="main" className="signin">
      <h1>Sign in to MDW</h1>
      <form onSubmit={(e) => void submit(e)} aria-describedby={error ? 'signin-error' : undefined}>
        <label>
          Email
          <input type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          Password
          <input type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {error && (
          <p id="signin-error" role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
