/**
 * The Idempotency-Key protocol for POSTs: the first request with a key runs and its response is
 * stored; a retry with the same key and the same request answers the stored response; the same
 * key with a different request answers 422 `idempotency_key_reused`; a retry while the first is
 * still running answers 409 with Retry-After. Keys are per caller. A failed request releases its
 * key. A claim whose request died before it could complete or release it (process killed,
 * database gone) goes stale after `staleAfterMs`, and the next identical retry takes it over and
 * runs the request again; for decisions and case actions the key is also the Workflow Update id,
 * so that re-run is answered by Temporal with the first run's outcome.
 */
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import type { Db } from '../db/database';
import { claimIdempotencyKey, completeIdempotencyKey, isClaim, releaseIdempotencyKey } from '../repositories/idempotency.repository';
import { ApiError } from './errors';

export interface Outcome {
  status: number;
  body: unknown;
}

export interface Idempotency {
  run(profileId: string, key: string, req: Request, fn: () => Promise<Outcome>): Promise<Outcome>;
}

const KEY = /^[\x21-\x7e]{1,200}$/;

export interface IdempotencyOptions {
  /** A claim older than this is stale: taken over by the next identical request. */
  staleAfterMs: number;
  /** Told when a response could not be stored (the client still gets it). */
  onStoreFailed?: (err: unknown) => void;
}

export function createIdempotency(system: Db, opts: IdempotencyOptions): Idempotency {
  return {
    async run(profileId, key, req, fn) {
      if (!KEY.test(key)) throw new ApiError(400, 'validation_failed', 'Idempotency-Key must be 1-200 visible ASCII characters.', [{ field: 'Idempotency-Key', message: 'invalid' }]);
      const path = req.originalUrl.split('?')[0] ?? req.path;
      const hash = createHash('sha256')
        .update(JSON.stringify([req.method, req.originalUrl, req.body ?? null]))
        .digest('hex');
      const claim = await claimIdempotencyKey(system, profileId, key, req.method, path, hash, opts.staleAfterMs);
      if (!isClaim(claim)) {
        if (claim.requestHash !== hash) {
          throw new ApiError(422, 'idempotency_key_reused', 'This Idempotency-Key was used for a different request.');
        }
        if (claim.statusCode === null) {
          throw new ApiError(409, 'idempotency_in_progress', 'A request with this Idempotency-Key is still running; retry later.', null, {
            'retry-after': String(Math.max(1, Math.ceil(claim.staleInMs / 1000))),
          });
        }
        return { status: claim.statusCode, body: claim.response ?? undefined };
      }
      let outcome: Outcome;
      try {
        outcome = await fn();
      } catch (err) {
        // If even the release fails (database gone), the claim goes stale and a retry takes it over.
        await releaseIdempotencyKey(system, profileId, key, claim).catch(() => undefined);
        throw err;
      }
      try {
        await completeIdempotencyKey(system, profileId, key, outcome.status, outcome.body);
      } catch (err) {
        // The request took effect: the client gets its answer. The claim goes stale, and a later
        // retry runs the request again (answered with the same outcome where it matters).
        opts.onStoreFailed?.(err);
      }
      return outcome;
    },
  };
}
