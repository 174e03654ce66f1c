/**
 * File upload with progress: fetch() cannot report upload progress, so this one request goes
 * through XMLHttpRequest. The route and its query are the generated client's (typed path), the
 * body is the raw file with its own content type, as POST /cases/{id}/files expects.
 */
import type { paths } from '../api/schema';
import { session } from './session';
import { RefusedError } from './result';
import { refusal } from './words';

type UploadQuery = NonNullable<paths['/cases/{id}/files']['post']['parameters']['query']>;
type Uploaded = paths['/cases/{id}/files']['post']['responses'][201]['content']['application/json'];

/** The content type the API accepts for a file name (it checks the bytes too). */
export function contentTypeFor(fileName: string, browserType: string): string {
  const ext = fileName.toLowerCase().split('.').pop() ?? '';
  const byExt: Record<string, string> = { stl: 'model/stl', obj: 'model/obj', pdf: 'application/pdf', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', tif: 'image/tiff', tiff: 'image/tiff', dcm: 'application/dicom', zip: 'application/zip', txt: 'text/plain' };
  return byExt[ext] ?? (browserType || 'application/octet-stream');
}

export function uploadCaseFile(caseId: string, file: File, query: UploadQuery, onProgress: (fraction: number) => void): Promise<Uploaded> {
  return uploadRaw<Uploaded>(`/cases/${encodeURIComponent(caseId)}/files`, query, file, onProgress);
}

type NewProjectQuery = NonNullable<paths['/cases/{id}/projects']['post']['parameters']['query']>;
type NewVersionQuery = NonNullable<paths['/projects/{id}/versions']['post']['parameters']['query']>;
type ProjectVersion = paths['/projects/{id}/versions']['post']['responses'][201]['content']['application/json'];

/** A new project on a case, with its first file (POST /cases/{id}/projects). */
export function uploadProject(caseId: string, file: File, query: NewProjectQuery, onProgress: (fraction: number) => void): Promise<ProjectVersion> {
  return uploadRaw<ProjectVersion>(`/cases/${encodeURIComponent(caseId)}/projects`, query, file, onProgress);
}

/** A new version of a project (POST /projects/{id}/versions). */
export function uploadProjectVersion(projectId: string, file: File, query: NewVersionQuery, onProgress: (fraction: number) => void): Promise<ProjectVersion> {
  return uploadRaw<ProjectVersion>(`/projects/${encodeURIComponent(projectId)}/versions`, query, file, onProgress);
}

async function uploadRaw<T>(path: string, query: Record<string, unknown>, file: File, onProgress: (fraction: number) => void): Promise<T> {
  const token = await session.accessToken();
  const qs = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => typeof e[1] === 'string'));
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${path}?${qs.toString()}`);
    xhr.setRequestHeader('Content-Type', contentTypeFor(file.name, file.type));
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status === 201) {
        onProgress(1);
        resolve(xhr.response as T);
      } else {
        if (xhr.status === 401) session.expire();
        reject(new RefusedError(refusal(xhr.response, xhr.status), xhr.status, xhr.response));
      }
    };
    xhr.onerror = () => reject(new Error('The upload was interrupted (network).'));
    xhr.send(file);
  });
}
