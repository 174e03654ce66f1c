/**
 * What went wrong at an embedding provider, in terms the pipeline acts on: everything here is
 * retried (Temporal backs off; a 429's Retry-After is honoured), and the texts stay queued.
 */
export type ProviderFailure = 'rate_limited' | 'unavailable' | 'timeout' | 'malformed' | 'rejected';

export class EmbeddingProviderError extends Error {
  override name = 'EmbeddingProviderError';
  constructor(
    readonly failure: ProviderFailure,
    message: string,
    /** The provider asked us to wait this long (429 Retry-After). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** L2-normalises in place (OpenAI's vectors already are; other compatible servers' may not be). */
export function normalise(v: number[]): number[] {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] = v[i]! / n;
  return v;
}
