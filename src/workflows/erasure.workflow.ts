/**
 * Right to erasure (issue 12 §3): one workflow per patient (`erasure-<practice>-<patient>`, so a
 * second request while one runs is the same workflow, and a re-run after completion is a new run
 * of the same id). Steps, each idempotent, in an order that a crash at any point can resume:
 * 1. begin: the refusals are checked again under a lock; refused → done, nothing erased;
 * 2. storage objects (files, projects) while the rows still name them;
 * 3. Temporal histories of the patient's cases (free-text reasons sit in their update arguments);
 * 4. the database, in one transaction with the certificate.
 * Input, results and history carry ids and counts only.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { ErasureActivities, ErasureRef } from '../activities/erasure.activities';

// Infrastructure failures (storage or database away) retry until they succeed: an erasure that
// was accepted must finish.
const retry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;
const db = proxyActivities<ErasureActivities>({ startToCloseTimeout: '10 minutes', retry });
// Loops over objects and histories heartbeat, so a dead worker's step is retried within seconds.
const loops = proxyActivities<ErasureActivities>({ startToCloseTimeout: '30 minutes', heartbeatTimeout: '20 seconds', retry });

export interface ErasureResult {
  erasureId: string;
  status: 'completed' | 'refused';
  refusalCode: string | null;
  storageObjects: number;
  temporalExecutions: number;
}

export async function patientErasureWorkflow(ref: ErasureRef): Promise<ErasureResult> {
  const begun = await db.erasureBegin(ref);
  if (begun.status === 'refused') return { erasureId: ref.erasureId, status: 'refused', refusalCode: begun.refusalCode, storageObjects: 0, temporalExecutions: 0 };
  if (begun.status === 'completed') return { erasureId: ref.erasureId, status: 'completed', refusalCode: null, storageObjects: 0, temporalExecutions: 0 };
  const { objects } = await loops.erasureDeleteObjects(ref);
  const { executions } = await loops.erasureDeleteHistories(ref);
  await db.erasureScrub(ref);
  return { erasureId: ref.erasureId, status: 'completed', refusalCode: null, storageObjects: objects, temporalExecutions: executions };
}
