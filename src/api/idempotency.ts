/**
 * The Idempotency-Key protocol for POSTs: the first request with a key runs and its response is
 * stored; a retry with the same key and the same request answers the stored response; the same
 * key with a different request answers 422 `idempotency_key_reused`; a retry while the first is
 * still running answers 409. Keys are per caller. A failed request releases its key.
 */
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import type { Db } from '../db/database';
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey } from '../repositories/idempotency.repository';
import { ApiError } from './errors';

export interface Outcome {
  status: number;
  body: unknown;
}

export interface Idempotency {
  run(profileId: string, key: string, req: Request, fn: () => Promise<Outcome>): Promise<Outcome>;
}

const KEY = /^[\x21-\x7e]{1,200}$/;

export function createIdempotency(system: Db): Idempotency {
  return {
    async run(profileId, key, req, fn) {
      if (!KEY.test(key)) throw new ApiError(400, 'validation_failed', 'Idempotency-Key must be 1-200 visible ASCII characters.', [{ field: 'Idempotency-Key', message: 'invalid' }]);
      const path = req.originalUrl.split('?')[0] ?? req.path;
      const hash = createHash('sha256')
        .update(JSON.stringify([req.method, req.originalUrl, req.body ?? null]))
        .digest('hex');
      const existing = await claimIdempotencyKey(system, profileId, key, req.method, path, hash);
      if (existing) {
        if (existing.requestHash !== hash) {
          throw new ApiError(422, 'idempotency_key_reused', 'This Idempotency-Key was used for a different request.');
        }
        if (existing.statusCode === null) throw new ApiError(409, 'idempotency_in_progress', 'A request with this Idempotency-Key is still running; retry later.');
        return { status: existing.statusCode, body: existing.response ?? undefined };
      }
      let outcome: Outcome;
      try {
        outcome = await fn();
      } catch (err) {
        await releaseIdempotencyKey(system, profileId, key).catch(() => undefined);
        throw err;
      }
      await completeIdempotencyKey(system, profileId, key, outcome.status, outcome.body);
      return outcome;
    },
  };
}
