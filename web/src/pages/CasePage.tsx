/**
 * One case: header, the plan as a graph, the actions the workflow takes (refusals in words),
 * the timeline, messages with their intent proposals, and files with an upload progress bar.
 * Polls, so what others do (and what the workflow does after an action) appears by itself.
 */
import { lazy, Suspense, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { api, type Schemas } from '../api/client';
import { useMe } from '../App';
import { DueBadge, PriorityBadge, StateBadge } from '../components/Badges';
import { PlanGraph, type DrawnTask } from '../components/PlanGraph';
import { chain } from '../lib/graph-layout';
import { useLoad, useTitle } from '../lib/hooks';
import { allPages, PAGE_MAX } from '../lib/pages';
import { ok } from '../lib/result';
import { uploadCaseFile } from '../lib/upload';
import { dateTime, label } from '../lib/words';
import { Projects } from './Projects';

// three.js loads only when a model is previewed.
const StlPreview = lazy(() => import('../components/StlPreview'));

type Detail = Schemas['CaseDetail'];
type TaskView = Schemas['TaskView'];
type Proposal = NonNullable<Schemas['IntentProposal']>;
const POLL_MS = 5_000;

const PROPOSAL_WORDS: Record<Proposal['action'], string> = {
  approve: 'This reads as an approval',
  hold: 'This reads as a request to put the case on hold',
  resume: 'This reads as a request to resume the case',
  cancel: 'This reads as a cancellation',
};

export default function CasePage() {
  const { id = '' } = useParams();
  useTitle('Case');
  const me = useMe();
  const detail = useLoad(async () => ok(await api.GET('/cases/{id}', { params: { path: { id } } })), [id], POLL_MS);
  const [notice, setNotice] = useState<{ kind: 'error' | 'ok'; text: string } | null>(null);

  if (detail.error && !detail.data) {
    return (
      <>
        <h1>Case</h1>
        <p role="alert" className="error">
          {detail.error}
        </p>
        <p>
          <Link to="/">Back to the inbox</Link>
        </p>
      </>
    );
  }
  if (!detail.data) return <p role="status">Loading…</p>;
  const c = detail.data;

  /** Runs one action; the page says in words what the workflow refused. */
  const act = async (what: string, fn: () => Promise<unknown>) => {
    setNotice(null);
    try {
      await fn();
      setNotice({ kind: 'ok', text: `${what}: done.` });
    } catch (e) {
      setNotice({ kind: 'error', text: `${what} refused: ${(e as Error).message}` });
    }
    detail.reload();
  };

  return (
    <article className="case">
      <CaseHeader c={c} />
      {notice && (
        <p role={notice.kind === 'error' ? 'alert' : 'status'} className={notice.kind === 'error' ? 'error' : 'okay'}>
          {notice.text}
        </p>
      )}
      <section aria-labelledby="plan-h">
        <h2 id="plan-h">Plan</h2>
        <Plan c={c} />
      </section>
      <section aria-labelledby="actions-h">
        <h2 id="actions-h">Actions</h2>
        <Actions c={c} meId={me?.profile.id ?? null} act={act} />
      </section>
      <div className="two">
        <section aria-labelledby="messages-h">
          <h2 id="messages-h">Messages</h2>
          <Messages caseId={c.id} act={act} onChange={detail.reload} />
        </section>
        <section aria-labelledby="timeline-h">
          <h2 id="timeline-h">Timeline</h2>
          <Timeline entries={c.timeline} />
        </section>
      </div>
      <section aria-labelledby="projects-h">
        <h2 id="projects-h">Projects</h2>
        <Projects caseId={c.id} decisions={c.workflow?.decisions ?? []} onChange={detail.reload} />
      </section>
      <section aria-labelledby="files-h">
        <h2 id="files-h">Files</h2>
        <Files caseId={c.id} onChange={detail.reload} />
      </section>
    </article>
  );
}

function CaseHeader({ c }: { c: Detail }) {
  const now = Date.now();
  return (
    <header className="case-head">
      <h1>
        Case {c.caseNumber}: {c.title}
      </h1>
      <dl className="facts">
        <div>
          <dt>Patient</dt>
          <dd>
            {c.patient.fullName ?? '—'} <span className="muted">#{c.patient.patientNumber}</span>
          </dd>
        </div>
        <div>
          <dt>State</dt>
          <dd>
            <StateBadge state={c.workflow?.state ?? c.state} />
            {c.workflow?.onHold ? <span className="badge risk">On hold{c.workflow.holdReason ? `: ${c.workflow.holdReason}` : ''}</span> : null}
          </dd>
        </div>
        <div>
          <dt>Priority</dt>
          <dd>
            <PriorityBadge priority={c.workflow?.priority ?? c.priority} />
          </dd>
        </div>
        <div>
          <dt>Due</dt>
          <dd>
            {dateTime(c.dueAt)} <DueBadge dueAt={c.dueAt} overdue={c.workflow?.overdue ?? c.overdue} now={now} />
          </dd>
        </div>
        <div>
          <dt>Seat date</dt>
          <dd>
            {dateTime(c.seatDate)} {c.atRisk ? <span className="badge risk">At risk</span> : null}
          </dd>
        </div>
      </dl>
    </header>
  );
}

/** Every member of the practice (names for task holders, the assignee picker), all pages. */
async function practiceMembers(practiceId: string) {
  // A member list the caller may not read (lab staff) shows no names rather than an error.
  const r = await api.GET('/practices/{id}/members', { params: { path: { id: practiceId }, query: { limit: PAGE_MAX } } });
  if (!r.data) return [];
  const first = r.data;
  return allPages(async (cursor) => (cursor ? ok(await api.GET('/practices/{id}/members', { params: { path: { id: practiceId }, query: { limit: PAGE_MAX, cursor } } })) : first));
}

/** The plan's edges come from the case's template (task ids are the template's); its order otherwise. */
function Plan({ c }: { c: Detail }) {
  const template = useLoad(async () => (c.templateId ? ((await api.GET('/workflow-templates/{id}', { params: { path: { id: c.templateId } } })).data ?? null) : null), [c.templateId]);
  const members = useLoad(() => practiceMembers(c.practiceId), [c.practiceId]);
  const tasks = c.workflow?.tasks ?? [];
  // null predecessors = "after the task before it in order" (the template's convention).
  const ordered = [...(template.data?.tasks ?? [])].sort((a, b) => a.order - b.order);
  const preds = new Map(ordered.map((t, i) => [t.id, t.predecessorTaskIds ?? (i > 0 ? [ordered[i - 1]!.id] : [])]));
  const fallback = new Map(chain(tasks).map((n) => [n.id, n.after]));
  const name = (profileId: string) => members.data?.find((m) => m.profileId === profileId)?.fullName ?? 'a colleague';
  const drawn: DrawnTask[] = tasks.map((t) => ({
    id: t.id,
    after: preds.has(t.id) ? preds.get(t.id)! : (fallback.get(t.id) ?? []),
    name: t.name,
    status: t.status,
    holder: t.assigneeId ? `held by ${name(t.assigneeId)}` : t.status === 'active' ? `awaits ${t.requiredRoles.join('/') || 'system'}` : null,
  }));
  if (!drawn.length) return <p>No plan yet (the workflow has not started).</p>;
  return <PlanGraph tasks={drawn} label="The case's plan: tasks and their order" />;
}

type Act = (what: string, fn: () => Promise<unknown>) => Promise<void>;

function Actions({ c, meId, act }: { c: Detail; meId: string | null; act: Act }) {
  const id = c.id;
  const [reason, setReason] = useState('');
  const members = useLoad(() => practiceMembers(c.practiceId), [c.practiceId]);
  const [assignee, setAssignee] = useState('');
  const active = (c.workflow?.tasks ?? []).filter((t) => t.status === 'active' && t.kind !== 'automatic');
  const finished = c.workflow?.status !== 'active';
  const path = (t: TaskView) => ({ path: { id, taskId: t.id } });
  // A decision can name the exact project version it is about (the approval is pinned to it).
  const projects = useLoad(async () => (await api.GET('/cases/{id}/projects', { params: { path: { id } } })).data?.items ?? [], [id]);
  const [versionId, setVersionId] = useState('');
  const decide = (t: TaskView, decision: 'approve' | 'reject' | 'request_changes') =>
    act(`${label(decision)} “${t.name}”`, async () =>
      ok(await api.POST('/cases/{id}/tasks/{taskId}/decision', { params: path(t), body: { decision, ...(reason.trim() ? { reason: reason.trim() } : {}), ...(versionId ? { projectVersionId: versionId } : {}) } })),
    );

  return (
    <div className="actions">
      <label className="wide">
        Reason or note (required to reject, request changes, hold or cancel)
        <textarea value={reason} onChange={(e) => setReason(e.target.value)} rows={2} />
      </label>
      {active.length === 0 && <p>No task is waiting for people right now.</p>}
      {active.map((t) => (
        <fieldset key={t.id} className="task-actions">
          <legend>
            {t.name} <span className="muted">({t.requiredRoles.join(', ') || 'anyone'})</span> {t.assigneeId ? <span className="badge">{t.assigneeId === meId ? 'held by you' : 'held'}</span> : null}
          </legend>
          {t.kind === 'decision' ? (
            <>
              {(projects.data ?? []).length > 0 && (
                <label>
                  About the version
                  <select value={versionId} onChange={(e) => setVersionId(e.target.value)}>
                    <option value="">(none)</option>
                    {(projects.data ?? []).map((p) => (
                      <option key={p.id} value={p.id}>
                        {p.name} v{p.version}
                      </option>
                    ))}
                  </select>
                </label>
              )}
              <button type="button" onClick={() => void decide(t, 'approve')}>
                Approve
              </button>
              <button type="button" onClick={() => void decide(t, 'request_changes')}>
                Request changes
              </button>
              <button type="button" className="danger" onClick={() => void decide(t, 'reject')}>
                Reject
              </button>
            </>
          ) : (
            <button type="button" onClick={() => void act(`Complete “${t.name}”`, async () => ok(await api.POST('/cases/{id}/tasks/{taskId}/complete', { params: path(t), body: reason.trim() ? { note: reason.trim() } : {} })))}>
              Complete
            </button>
          )}
          {t.assigneeId === meId ? (
            <button type="button" onClick={() => void act(`Release “${t.name}”`, async () => ok(await api.POST('/cases/{id}/tasks/{taskId}/release', { params: path(t) })))}>
              Release
            </button>
          ) : (
            <button type="button" onClick={() => void act(`Claim “${t.name}”`, async () => ok(await api.POST('/cases/{id}/tasks/{taskId}/claim', { params: path(t) })))}>
              Claim
            </button>
          )}
          {members.data && members.data.length > 0 && (
            <span className="assign">
              <label>
                Assign to
                <select value={assignee} onChange={(e) => setAssignee(e.target.value)}>
                  <option value="">Choose…</option>
                  {members.data.map((m) => (
                    <option key={m.id} value={m.profileId}>
                      {m.fullName ?? m.email ?? m.profileId} ({m.role})
                    </option>
                  ))}
                </select>
              </label>
              <button type="button" disabled={!assignee} onClick={() => void act(`Assign “${t.name}”`, async () => ok(await api.POST('/cases/{id}/tasks/{taskId}/assign', { params: path(t), body: { assigneeId: assignee } })))}>
                Assign
              </button>
            </span>
          )}
        </fieldset>
      ))}
      {!finished && (
        <fieldset className="task-actions">
          <legend>Case</legend>
          {c.workflow?.onHold ? (
            <button type="button" onClick={() => void act('Resume', async () => ok(await api.POST('/cases/{id}/resume', { params: { path: { id } }, body: reason.trim() ? { note: reason.trim() } : {} })))}>
              Resume
            </button>
          ) : (
            <button type="button" onClick={() => void act('Hold', async () => ok(await api.POST('/cases/{id}/hold', { params: { path: { id } }, body: { reason: reason.trim() } })))}>
              Hold
            </button>
          )}
          <button type="button" className="danger" onClick={() => void act('Cancel the case', async () => ok(await api.POST('/cases/{id}/cancel', { params: { path: { id } }, body: { reason: reason.trim() } })))}>
            Cancel case
          </button>
          <label>
            Priority
            <select
              value={c.workflow?.priority ?? c.priority}
              onChange={(e) => {
                const priority = e.target.value as Schemas['PriorityBody']['priority'];
                void act('Change priority', async () => ok(await api.POST('/cases/{id}/priority', { params: { path: { id } }, body: { priority } })));
              }}
            >
              {(['urgent', 'high', 'medium', 'low'] as const).map((p) => (
                <option key={p} value={p}>
                  {label(p)}
                </option>
              ))}
            </select>
          </label>
        </fieldset>
      )}
    </div>
  );
}

function Timeline({ entries }: { entries: Detail['timeline'] }) {
  if (!entries.length) return <p>Nothing yet.</p>;
  return (
    <ol className="timeline" aria-label="Timeline, newest first">
      {[...entries].reverse().map((e, i) => (
        <li key={`${e.kind}-${e.at}-${i}`} className={`tl-${e.kind}`}>
          <time dateTime={e.at}>{dateTime(e.at)}</time>{' '}
          {e.kind === 'state' ? (
            <span>
              State: {e.fromState ? `${label(e.fromState)} → ` : ''}
              <strong>{label(e.toState)}</strong>
              {e.reason ? ` — ${e.reason}` : ''}
            </span>
          ) : e.kind === 'message' ? (
            <span>
              Message ({label(e.messageType)}){e.subject ? `: ${e.subject}` : ''}
            </span>
          ) : (
            <span>
              File: {e.fileName} ({label(e.fileType)})
            </span>
          )}
        </li>
      ))}
    </ol>
  );
}

function Messages({ caseId, act, onChange }: { caseId: string; act: Act; onChange: () => void }) {
  const messages = useLoad(async () => ok(await api.GET('/cases/{id}/messages', { params: { path: { id: caseId }, query: { limit: 50 } } })), [caseId], POLL_MS);
  const proposals = useLoad(
    async () => ({ items: await allPages(async (cursor) => ok(await api.GET('/cases/{id}/proposals', { params: { path: { id: caseId }, query: { status: 'pending', limit: PAGE_MAX, cursor } } }))) }),
    [caseId],
    POLL_MS,
  );
  const [content, setContent] = useState('');
  const [error, setError] = useState<string | null>(null);
  const send = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      ok(await api.POST('/cases/{id}/messages', { params: { path: { id: caseId } }, body: { content } }));
      setContent('');
    } catch (err) {
      setError((err as Error).message);
    }
    messages.reload();
    proposals.reload();
    onChange();
  };
  const pendingFor = (messageId: string) => proposals.data?.items.filter((p): p is Proposal => !!p && p.messageId === messageId) ?? [];
  const decide = async (p: Proposal, how: 'confirm' | 'dismiss') => {
    await act(how === 'confirm' ? 'Confirm the proposal' : 'Dismiss the proposal', async () =>
      how === 'confirm'
        ? ok(await api.POST('/cases/{id}/proposals/{proposalId}/confirm', { params: { path: { id: caseId, proposalId: p.id } } }))
        : ok(await api.POST('/cases/{id}/proposals/{proposalId}/dismiss', { params: { path: { id: caseId, proposalId: p.id } }, body: {} })),
    );
    proposals.reload();
  };
  const items = [...(messages.data?.items ?? [])].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return (
    <>
      <ul className="messages">
        {items.map((m) => (
          <li key={m.id}>
            <p className="meta">
              <strong>{m.senderName ?? 'Someone'}</strong> · <time dateTime={m.createdAt}>{dateTime(m.createdAt)}</time>
              {m.messageType !== 'general' ? ` · ${label(m.messageType)}` : ''}
            </p>
            {m.subject ? <p className="subject">{m.subject}</p> : null}
            <p>{m.content}</p>
            {pendingFor(m.id).map((p) => (
              <div key={p.id} className="proposal" role="group" aria-label="Proposal from this message">
                <p>
                  {PROPOSAL_WORDS[p.action]} ({Math.round(p.confidence * 100)} %) — confirm?{' '}
                  <span className="muted">Only {p.allowedRoles.join(', ')} may confirm.</span>
                </p>
                <button type="button" onClick={() => void decide(p, 'confirm')}>
                  Confirm
                </button>
                <button type="button" onClick={() => void decide(p, 'dismiss')}>
                  Dismiss
                </button>
              </div>
            ))}
          </li>
        ))}
      </ul>
      <form onSubmit={(e) => void send(e)} className="post">
        <label>
          New message
          <textarea value={content} onChange={(e) => setContent(e.target.value)} rows={3} required maxLength={10000} />
        </label>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={!content.trim()}>
          Send
        </button>
      </form>
    </>
  );
}

function Files({ caseId, onChange }: { caseId: string; onChange: () => void }) {
  const files = useLoad(
    async () => ({ items: await allPages(async (cursor) => ok(await api.GET('/cases/{id}/files', { params: { path: { id: caseId }, query: { limit: PAGE_MAX, cursor } } }))) }),
    [caseId],
    POLL_MS * 3,
  );
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fileType, setFileType] = useState<Schemas['CaseFile']['fileType']>('document');
  const [preview, setPreview] = useState<{ name: string; data: ArrayBuffer } | null>(null);
  const show = async (f: Schemas['CaseFile']) => {
    setError(null);
    const r = await api.GET('/cases/{id}/files/{fileId}/content', { params: { path: { id: caseId, fileId: f.id } }, parseAs: 'arrayBuffer' });
    if (r.data) setPreview({ name: f.fileName, data: r.data as ArrayBuffer });
    else setError(`The file could not be loaded (HTTP ${r.response.status}).`);
  };
  const upload = async (file: File) => {
    setError(null);
    setProgress(0);
    try {
      await uploadCaseFile(caseId, file, { fileName: file.name, fileType }, setProgress);
    } catch (e) {
      setError((e as Error).message);
      setProgress(null);
    }
    files.reload();
    onChange();
  };
  return (
    <>
      <ul className="files" aria-label="Files of the case">
        {(files.data?.items ?? []).map((f) => (
          <li key={f.id}>
            {f.fileName} <span className="muted">({label(f.fileType)}, {Math.max(1, Math.round(f.fileSize / 1024))} KB, {dateTime(f.createdAt)})</span>
            {f.fileName.toLowerCase().endsWith('.stl') && (
              <button type="button" onClick={() => void show(f)} aria-label={`Preview ${f.fileName} in 3D`}>
                Preview 3D
              </button>
            )}
          </li>
        ))}
      </ul>
      {preview && (
        <Suspense fallback={<p role="status">Loading the 3D viewer…</p>}>
          <StlPreview key={preview.name} name={preview.name} data={preview.data} />
        </Suspense>
      )}
      <div className="upload">
        <label>
          Kind
          <select value={fileType} onChange={(e) => setFileType(e.target.value as typeof fileType)}>
            {(['document', 'scan', 'photo', 'xray', 'model', 'simulation', 'other'] as const).map((t) => (
              <option key={t} value={t}>
                {label(t)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Upload a file
          <input
            type="file"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void upload(f);
              e.target.value = '';
            }}
          />
        </label>
        {progress !== null && (
          <label>
            Upload progress
            <progress max={1} value={progress} aria-valuetext={`${Math.round(progress * 100)} %`}>
              {Math.round(progress * 100)} %
            </progress>
            <span>{Math.round(progress * 100)} %</span>
          </label>
        )}
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </div>
    </>
  );
}
