import { refusal } from './words';

/** Unwraps an openapi-fetch result: the data, or an Error whose message is the refusal in words. */
export function ok<T>(r: { data?: T; error?: unknown; response: Response }): T {
  if (r.error !== undefined || r.data === undefined) {
    if (r.response.ok && r.error === undefined) return undefined as T; // 204
    throw new RefusedError(refusal(r.error, r.response.status), r.response.status, r.error);
  }
  return r.data;
}

export class RefusedError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(message);
  }
}
