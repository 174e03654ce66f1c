/**
 * Patients: search (the query stays in the page, never in the URL), create with the duplicate
 * warning and its candidates, and one patient's cases.
 */
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, type Schemas } from '../api/client';
import { useMe } from '../App';
import { PriorityBadge, StateBadge } from '../components/Badges';
import { useLoad, useTitle } from '../lib/hooks';
import { ok, RefusedError } from '../lib/result';
import { dateTime } from '../lib/words';

type Candidate = { patientId?: string; patientNumber?: string; fullName?: string; dateOfBirth?: string | null; message: string; match?: string };

export default function Patients() {
  const { id } = useParams();
  useTitle('Patients');
  return id ? <PatientView id={id} /> : <PatientList />;
}

function PatientList() {
  const me = useMe();
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const list = useLoad(async () => ok(await api.GET('/patients', { params: { query: { limit: 50, ...(query ? { q: query } : {}) } } })), [query]);
  return (
    <>
      <h1>Patients</h1>
      <form
        role="search"
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(q.trim());
        }}
      >
        <label>
          Find a patient
          <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Name, number or email" />
        </label>
        <button type="submit">Search</button>
      </form>
      {list.error && (
        <p role="alert" className="error">
          {list.error}
        </p>
      )}
      <table className="list">
        <caption className="sr-only">Patients</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Number</th>
            <th scope="col">Date of birth</th>
          </tr>
        </thead>
        <tbody>
          {(list.data?.items ?? []).map((p) => (
            <tr key={p.id}>
              <td>
                <Link to={`/patients/${p.id}`}>{p.fullName}</Link>
              </td>
              <td>{p.patientNumber}</td>
              <td>{p.dateOfBirth ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {me && me.memberships.length > 0 && <CreatePatient practices={me.memberships} onCreated={() => list.reload()} />}
    </>
  );
}

function CreatePatient({ practices, onCreated }: { practices: Array<{ practiceId: string; practiceName: string }>; onCreated: () => void }) {
  const navigate = useNavigate();
  const [form, setForm] = useState({ practiceId: practices[0]?.practiceId ?? '', firstName: '', lastName: '', dateOfBirth: '', email: '' });
  const [candidates, setCandidates] = useState<Candidate[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });

  const create = async (confirmDuplicate: boolean) => {
    setError(null);
    const body: Schemas['CreatePatientBody'] = {
      practiceId: form.practiceId,
      firstName: form.firstName.trim(),
      lastName: form.lastName.trim(),
      ...(form.dateOfBirth ? { dateOfBirth: form.dateOfBirth } : {}),
      ...(form.email.trim() ? { email: form.email.trim() } : {}),
      ...(confirmDuplicate ? { confirmDuplicate: true } : {}),
    };
    try {
      const p = ok(await api.POST('/patients', { body }));
      setCandidates(null);
      onCreated();
      await navigate(`/patients/${p.id}`);
    } catch (e) {
      const body = e instanceof RefusedError ? (e.body as { error?: { code?: string; details?: Candidate[] } }) : null;
      if (body?.error?.code === 'duplicate_patient') setCandidates(body.error.details ?? []);
      else setError((e as Error).message);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void create(false);
  };

  return (
    <section aria-labelledby="new-patient-h">
      <h2 id="new-patient-h">New patient</h2>
      <form onSubmit={submit} className="grid-form">
        {practices.length > 1 && (
          <label>
            Practice
            <select value={form.practiceId} onChange={set('practiceId')}>
              {practices.map((p) => (
                <option key={p.practiceId} value={p.practiceId}>
                  {p.practiceName}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          First name
          <input required value={form.firstName} onChange={set('firstName')} autoComplete="off" />
        </label>
        <label>
          Last name
          <input required value={form.lastName} onChange={set('lastName')} autoComplete="off" />
        </label>
        <label>
          Date of birth
          <input type="date" value={form.dateOfBirth} onChange={set('dateOfBirth')} />
        </label>
        <label>
          Email
          <input type="email" value={form.email} onChange={set('email')} autoComplete="off" />
        </label>
        <button type="submit">Create patient</button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {candidates && (
        <div role="alert" className="warning">
          <p>
            <strong>This looks like a patient you already have.</strong> Open the existing one, or create a new patient anyway.
          </p>
          <ul>
            {candidates.map((c, i) => (
              <li key={c.patientId ?? i}>
                {c.patientId ? <Link to={`/patients/${c.patientId}`}>{c.fullName ?? 'Patient'}</Link> : c.fullName} {c.patientNumber ? `#${c.patientNumber}` : ''} {c.dateOfBirth ? `born ${c.dateOfBirth}` : ''} — {c.message}
              </li>
            ))}
          </ul>
          {!candidates.some((c) => c.match === 'email') && (
            <button type="button" onClick={() => void create(true)}>
              Create anyway
            </button>
          )}
        </div>
      )}
    </section>
  );
}

function PatientView({ id }: { id: string }) {
  const patient = useLoad(async () => ok(await api.GET('/patients/{id}', { params: { path: { id } } })), [id]);
  if (patient.error)
    return (
      <>
        <h1>Patient</h1>
        <p role="alert" className="error">
          {patient.error}
        </p>
      </>
    );
  const p = patient.data;
  if (!p) return <p role="status">Loading…</p>;
  return (
    <>
      <p>
        <Link to="/patients">← Patients</Link>
      </p>
      <h1>{p.fullName}</h1>
      <dl className="facts">
        <div>
          <dt>Number</dt>
          <dd>{p.patientNumber}</dd>
        </div>
        <div>
          <dt>Date of birth</dt>
          <dd>{p.dateOfBirth ?? '—'}</dd>
        </div>
        <div>
          <dt>Email</dt>
          <dd>{p.email ?? '—'}</dd>
        </div>
      </dl>
      <h2>Cases</h2>
      <PatientCases patientId={p.id} />
    </>
  );
}

const CASES_PAGE = 50;
type CaseItem = Schemas['Case'];

/** One patient's cases, newest first, a page at a time (GET /cases?patientId=, keyset cursor). */
function PatientCases({ patientId }: { patientId: string }) {
  const first = useLoad(async () => ok(await api.GET('/cases', { params: { query: { patientId, limit: CASES_PAGE } } })), [patientId]);
  // Older pages, kept for the patient they were loaded for (a new patient starts from page one).
  const [older, setOlder] = useState<{ patientId: string; items: CaseItem[]; nextCursor: string | null } | null>(null);
  const [moreError, setMoreError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const extra = older?.patientId === patientId ? older : null;
  const items = [...(first.data?.items ?? []), ...(extra?.items ?? [])];
  const cursor = extra ? extra.nextCursor : (first.data?.nextCursor ?? null);
  const showOlder = async () => {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const page = ok(await api.GET('/cases', { params: { query: { patientId, limit: CASES_PAGE, cursor } } }));
      setOlder({ patientId, items: [...(extra?.items ?? []), ...page.items], nextCursor: page.nextCursor });
      setMoreError(null);
    } catch (e) {
      setMoreError(e instanceof Error ? e.message : String(e));
    } finally {
      setLoadingMore(false);
    }
  };
  if (first.error)
    return (
      <p role="alert" className="error">
        {first.error}
      </p>
    );
  if (!first.data) return <p role="status">Loading…</p>;
  return (
    <>
      {items.length === 0 ? <p>No cases.</p> : null}
      <ul aria-label="Cases of this patient">
        {items.map((c) => (
          <li key={c.id}>
            <Link to={`/cases/${c.id}`}>
              {c.caseNumber} · {c.title}
            </Link>{' '}
            <StateBadge state={c.state} /> <PriorityBadge priority={c.priority} /> <span className="muted">opened {dateTime(c.createdAt)}</span>
          </li>
        ))}
      </ul>
      {moreError && (
        <p role="alert" className="error">
          {moreError}
        </p>
      )}
      {cursor && (
        <button type="button" onClick={() => void showOlder()} disabled={loadingMore}>
          {loadingMore ? 'Loading…' : 'Show older cases'}
        </button>
      )}
    </>
  );
}
