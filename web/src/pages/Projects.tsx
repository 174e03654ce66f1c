/**
 * A case's projects (the lab's design files): each project's version chain, which version the
 * doctor approved (the decision pinned to it), a 3D preview of STL versions, and uploads of a new
 * project or a new version with a progress bar.
 */
import { lazy, Suspense, useState } from 'react';
import { api, type Schemas } from '../api/client';
import { useLoad } from '../lib/hooks';
import { ok } from '../lib/result';
import { uploadProject, uploadProjectVersion } from '../lib/upload';
import { dateTime, label } from '../lib/words';

const StlPreview = lazy(() => import('../components/StlPreview'));
type Decision = NonNullable<Schemas['CaseView']>['decisions'][number];
type Version = Schemas['Project'];

export function Projects({ caseId, decisions, onChange }: { caseId: string; decisions: Decision[]; onChange: () => void }) {
  const projects = useLoad(async () => ok(await api.GET('/cases/{id}/projects', { params: { path: { id: caseId } } })), [caseId], 15_000);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [preview, setPreview] = useState<{ name: string; data: ArrayBuffer } | null>(null);
  const approvedBy = (v: Version) => decisions.find((d) => d.projectVersionId === v.id && d.decision === 'approve');

  const upload = async (fn: (onProgress: (f: number) => void) => Promise<unknown>) => {
    setError(null);
    setProgress(0);
    try {
      await fn(setProgress);
    } catch (e) {
      setError((e as Error).message);
      setProgress(null);
    }
    projects.reload();
    onChange();
  };
  const show = async (v: Version) => {
    const r = await api.GET('/projects/{id}/content', { params: { path: { id: v.id } }, parseAs: 'arrayBuffer' });
    if (r.data) setPreview({ name: `${v.name} v${v.version}`, data: r.data as ArrayBuffer });
    else setError(`The file could not be loaded (HTTP ${r.response.status}).`);
  };

  return (
    <>
      {(projects.data?.items ?? []).length === 0 && <p>No projects yet.</p>}
      {(projects.data?.items ?? []).map((p) => (
        <ProjectVersions key={p.projectId} project={p} approvedBy={approvedBy} onPreview={(v) => void show(v)} onUpload={(file) => void upload((on) => uploadProjectVersion(p.projectId, file, { fileName: file.name }, on))} />
      ))}
      {preview && (
        <Suspense fallback={<p role="status">Loading the 3D viewer…</p>}>
          <StlPreview key={preview.name} name={preview.name} data={preview.data} />
        </Suspense>
      )}
      <div className="upload">
        <label>
          New project name
          <input value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Its first file
          <input
            type="file"
            disabled={!name.trim()}
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void upload((on) => uploadProject(caseId, f, { name: name.trim(), projectType: f.name.toLowerCase().endsWith('.stl') ? 'aligner_design' : 'document', fileName: f.name }, on));
              e.target.value = '';
            }}
          />
        </label>
        {progress !== null && (
          <label>
            Project upload progress
            <progress max={1} value={progress} aria-valuetext={`${Math.round(progress * 100)} %`} />
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

function ProjectVersions({ project, approvedBy, onPreview, onUpload }: { project: Schemas['CaseProject']; approvedBy: (v: Version) => Decision | undefined; onPreview: (v: Version) => void; onUpload: (f: File) => void }) {
  const versions = useLoad(async () => ok(await api.GET('/projects/{id}/versions', { params: { path: { id: project.projectId } } })), [project.projectId, project.id]);
  return (
    <section className="project" aria-label={`Project ${project.name}`}>
      <h3>
        {project.name} <span className="muted">({label(project.projectType)}, {project.versionCount} version{project.versionCount === 1 ? '' : 's'})</span>
      </h3>
      <ol className="versions">
        {[...(versions.data?.items ?? [])].reverse().map((v) => {
          const approval = approvedBy(v);
          return (
            <li key={v.id}>
              <strong>v{v.version}</strong> {v.fileName ?? ''} <span className="badge">{label(v.status)}</span>
              {approval ? <span className="badge approved">Approved by the doctor {dateTime(approval.at)}</span> : null}
              {v.stl ? <span className="muted"> {v.stl.triangleCount.toLocaleString()} triangles</span> : null}{' '}
              {v.stl && (
                <button type="button" onClick={() => onPreview(v)} aria-label={`Preview ${project.name} version ${v.version} in 3D`}>
                  Preview 3D
                </button>
              )}
            </li>
          );
        })}
      </ol>
      <label>
        Upload a new version of {project.name}
        <input
          type="file"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) onUpload(f);
            e.target.value = '';
          }}
        />
      </label>
    </section>
  );
}
