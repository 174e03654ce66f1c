/** One box for search over cases, messages and patients, with snippets. The query never enters the URL. */
import { useState } from 'react';
import { Link } from 'react-router';
import { api, type Schemas } from '../api/client';
import { useTitle } from '../lib/hooks';
import { ok } from '../lib/result';
import { label } from '../lib/words';

export default function Search() {
  useTitle('Search');
  const [q, setQ] = useState('');
  const [result, setResult] = useState<Schemas['SearchResponse'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    if (!q.trim()) return;
    setBusy(true);
    setError(null);
    try {
      setResult(ok(await api.GET('/search', { params: { query: { q: q.trim(), limit: 20 } } })));
    } catch (e) {
      setError((e as Error).message);
    }
    setBusy(false);
  };
  const target = (r: Schemas['SearchResult']) => (r.kind === 'patient' ? `/patients/${r.id}` : r.caseId ? `/cases/${r.caseId}` : null);
  return (
    <>
      <h1>Search</h1>
      <form
        role="search"
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <label className="wide">
          Search cases and messages
          <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="e.g. lower crowding, attachments came off" />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Searching…' : 'Search'}
        </button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {result && (
        <section aria-live="polite" aria-label="Results">
          <p className="muted">
            {result.results.length} results ({result.mode === 'hybrid' ? 'meaning and words' : 'words only'}){result.degraded ? ` — ${result.degraded.message}` : ''}
          </p>
          <ol className="results">
            {result.results.map((r) => {
              const to = target(r);
              return (
                <li key={`${r.kind}-${r.id}`}>
                  <span className="badge">{label(r.kind)}</span> {to ? <Link to={to}>{r.title}</Link> : r.title}
                  <p className="snippet">{r.snippet}</p>
                  <p className="muted">{r.why.summary}</p>
                </li>
              );
            })}
          </ol>
        </section>
      )}
    </>
  );
}
