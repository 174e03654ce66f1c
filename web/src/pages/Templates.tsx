/**
 * Templates: the list, one template drawn as its task graph with its versions, and an editor
 * whose dry run (POST /workflow-templates/validate) shows the compiler's errors on the tasks they
 * concern, in the table and in the graph. Saving makes a new version.
 */
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, type Schemas } from '../api/client';
import { PlanGraph } from '../components/PlanGraph';
import { useLoad, useTitle } from '../lib/hooks';
import { allPages, PAGE_MAX } from '../lib/pages';
import { ok } from '../lib/result';
import { errorsByTask, splitList, toDefinition, type Definition, type DefinitionTask } from '../lib/template-edit';
import { dateTime, label } from '../lib/words';

export default function Templates() {
  const { id } = useParams();
  useTitle('Templates');
  // Every page (the API pages newest first), shown by name and newest version first as before.
  const list = useLoad(async () => {
    const items = await allPages(async (cursor) => ok(await api.GET('/workflow-templates', { params: { query: { limit: PAGE_MAX, cursor } } })));
    return { items: items.sort((a, b) => a.name.localeCompare(b.name) || b.version - a.version) };
  }, []);
  return (
    <>
      <h1>Templates</h1>
      {list.error && (
        <p role="alert" className="error">
          {list.error}
        </p>
      )}
      <div className="split">
        <nav aria-label="Templates" className="side">
          <ul>
            {(list.data?.items ?? []).map((t) => (
              <li key={t.id}>
                <Link to={`/templates/${t.id}`} aria-current={t.id === id ? 'page' : undefined}>
                  {t.name}
                </Link>{' '}
                <span className="muted">
                  v{t.version}
                  {t.active ? '' : ' (inactive)'}
                </span>
              </li>
            ))}
          </ul>
        </nav>
        <div className="main-col">{id ? <TemplateView key={id} id={id} all={list.data?.items ?? []} onSaved={list.reload} /> : <p>Choose a template.</p>}</div>
      </div>
    </>
  );
}

function TemplateView({ id, all, onSaved }: { id: string; all: Schemas['WorkflowTemplate'][]; onSaved: () => void }) {
  const navigate = useNavigate();
  const template = useLoad(async () => ok(await api.GET('/workflow-templates/{id}', { params: { path: { id } } })), [id]);
  const [def, setDef] = useState<Definition | null>(null);
  const [errors, setErrors] = useState<Schemas['TemplateError'][] | null>(null);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  useEffect(() => {
    if (template.data) setDef(toDefinition(template.data));
  }, [template.data]);

  if (template.error)
    return (
      <p role="alert" className="error">
        {template.error}
      </p>
    );
  const t = template.data;
  if (!t || !def) return <p role="status">Loading…</p>;
  const versions = all.filter((x) => x.familyId === t.familyId).sort((a, b) => b.version - a.version);
  const byTask = errorsByTask(errors ?? []);

  const setTask = (i: number, patch: Partial<DefinitionTask>) => {
    setDef({ ...def, tasks: def.tasks.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
    setErrors(null);
  };
  const check = async () => {
    setMessage(null);
    try {
      const v = ok(await api.POST('/workflow-templates/validate', { body: { ...def, practiceId: t.practiceId } }));
      setErrors(v.errors);
      setMessage(v.valid ? { kind: 'ok', text: 'No errors: the template compiles.' } : { kind: 'error', text: `${v.errors.length} error${v.errors.length === 1 ? '' : 's'}: see the tasks marked in red.` });
    } catch (e) {
      setMessage({ kind: 'error', text: (e as Error).message });
    }
  };
  const save = async () => {
    setMessage(null);
    try {
      const saved = ok(await api.POST('/workflow-templates/{id}/versions', { params: { path: { id } }, body: def }));
      onSaved();
      await navigate(`/templates/${saved.id}`);
      setMessage({ kind: 'ok', text: `Saved as version ${saved.version}.` });
    } catch (e) {
      setMessage({ kind: 'error', text: (e as Error).message });
      await check();
    }
  };

  return (
    <section aria-labelledby="tpl-h">
      <h2 id="tpl-h">
        {t.name} <span className="muted">v{t.version}</span>
      </h2>
      <p className="muted">
        {label(t.caseType)} · {t.practiceId ? 'practice template' : 'lab-wide'} · created {dateTime(t.createdAt)}
      </p>
      <PlanGraph label="The template's tasks and their order" tasks={def.tasks.map((x) => ({ id: x.key, name: x.name, after: x.after ?? [], error: byTask.get(x.key)?.join(' ') ?? null }))} />
      {versions.length > 1 && (
        <p>
          Versions:{' '}
          {versions.map((v) => (
            <span key={v.id}>
              {v.id === t.id ? <strong>v{v.version}</strong> : <Link to={`/templates/${v.id}`}>v{v.version}</Link>}{' '}
            </span>
          ))}
        </p>
      )}
      <h3>Edit</h3>
      {byTask.get('') && (
        <p role="alert" className="error">
          {byTask.get('')!.join(' ')}
        </p>
      )}
      <table className="list editor">
        <caption className="sr-only">Tasks of the template</caption>
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Name</th>
            <th scope="col">Roles</th>
            <th scope="col">After</th>
            <th scope="col">Rework to</th>
            <th scope="col">Minutes</th>
            <th scope="col">Errors</th>
          </tr>
        </thead>
        <tbody>
          {def.tasks.map((x, i) => {
            const errs = byTask.get(x.key);
            const errId = `err-${x.key}`;
            const described = errs ? errId : undefined;
            return (
              <tr key={i} className={errs ? 'row-error' : undefined} data-task-key={x.key}>
                <td>
                  <code>{x.key}</code>
                </td>
                <td>
                  <input aria-label={`Name of ${x.key}`} aria-describedby={described} value={x.name} onChange={(e) => setTask(i, { name: e.target.value })} />
                </td>
                <td>
                  <input aria-label={`Roles of ${x.key}`} aria-describedby={described} value={(x.requiredRoles ?? []).join(', ')} onChange={(e) => setTask(i, { requiredRoles: splitList(e.target.value) as DefinitionTask['requiredRoles'] })} />
                </td>
                <td>
                  <input aria-label={`${x.key} comes after`} aria-describedby={described} value={(x.after ?? []).join(', ')} onChange={(e) => setTask(i, { after: splitList(e.target.value) })} />
                </td>
                <td>
                  <input aria-label={`Rework target of ${x.key}`} aria-describedby={described} value={x.reworkTo ?? ''} onChange={(e) => setTask(i, { reworkTo: e.target.value.trim() || null })} />
                </td>
                <td>
                  <input
                    aria-label={`Estimated minutes of ${x.key}`}
                    type="number"
                    min={0}
                    className="num"
                    value={x.estimatedMinutes ?? ''}
                    onChange={(e) => setTask(i, { estimatedMinutes: e.target.value === '' ? null : Number(e.target.value) })}
                  />
                </td>
                <td id={errId} className="error">
                  {errs ? errs.join(' ') : ''}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="buttons">
        <button type="button" onClick={() => void check()}>
          Check (dry run)
        </button>
        <button type="button" onClick={() => void save()}>
          Save as new version
        </button>
        <button type="button" onClick={() => (setDef(toDefinition(t)), setErrors(null), setMessage(null))}>
          Undo changes
        </button>
      </div>
      {message && (
        <p role={message.kind === 'error' ? 'alert' : 'status'} className={message.kind === 'error' ? 'error' : 'okay'}>
          {message.text}
        </p>
      )}
    </section>
  );
}
