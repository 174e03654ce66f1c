/**
 * Activities of the erasure workflow (src/workflows/erasure.workflow.ts): thin over
 * src/repositories/erasure.repository.ts, the file storage and Temporal's own API. Each is safe to
 * run again after a crash: deleting what is already gone is a no-op, and progress counters add
 * only what a run actually removed. Inputs and results carry ids and counts only.
 */
import { heartbeat } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Db } from '../db/database';
import type { FileStorage } from '../services/file-storage.service';
import { addProgress, beginErasure, caseWorkflowIds, scrubAndCertify, storageTargets, type ErasureStatus, type RefusalCode } from '../repositories/erasure.repository';

export interface ErasureActivityDeps {
  db: Db;
  storage: FileStorage;
  /** A client on the worker's connection: case histories are deleted through it. */
  temporal: Client;
}

export interface ErasureRef {
  erasureId: string;
  patientId: string;
  practiceId: string;
}

/** gRPC NOT_FOUND (5): already deleted. */
const isNotFound = (err: unknown) => (err as { code?: number } | null)?.code === 5 || (err as { name?: string } | null)?.name === 'WorkflowNotFoundError';

export function createErasureActivities({ db, storage, temporal }: ErasureActivityDeps) {
  return {
    /** Checks the refusals again and marks the request running (or refused, with the code). */
    async erasureBegin(ref: ErasureRef): Promise<{ status: ErasureStatus; refusalCode: RefusalCode | null }> {
      const r = await beginErasure(db, ref.erasureId);
      return { status: r.status, refusalCode: r.refusal?.code ?? null };
    },

    /** Deletes the objects of the patient's files and projects: each case's folder, and every key a row names. */
    async erasureDeleteObjects(ref: ErasureRef): Promise<{ objects: number }> {
      const { prefixes, keys } = await storageTargets(db, ref.patientId);
      let objects = 0;
      for (const prefix of prefixes) {
        const deleted = await storage.deletePrefix(prefix);
        objects += deleted;
        await addProgress(db, ref.erasureId, { storageObjects: deleted });
        heartbeat();
      }
      for (const key of keys) {
        // A key outside the case folders (projects the legacy migration brought in): the store
        // does not say whether it existed, so it counts when it was there before.
        const existed = await storage.get(key);
        existed?.stream.destroy();
        await storage.delete(key);
        if (existed) {
          objects += 1;
          await addProgress(db, ref.erasureId, { storageObjects: 1 });
        }
        heartbeat();
      }
      return { objects };
    },

    /**
     * Deletes every run of the patient's case workflows from Temporal (a running one is terminated
     * first by the server): decision, hold and cancel reasons are free text in their update
     * arguments, so their histories go, not only their rows.
     */
    async erasureDeleteHistories(ref: ErasureRef): Promise<{ executions: number }> {
      let executions = 0;
      for (const workflowId of await caseWorkflowIds(db, ref.patientId)) {
        const runs: string[] = [];
        for await (const w of temporal.workflow.list({ query: `WorkflowId = '${workflowId.replace(/'/g, "\\'")}'` })) runs.push(w.runId);
        // Visibility may lag behind: the latest run is also deleted by id alone.
        const targets: Array<string | undefined> = runs.length ? runs : [undefined];
        for (const runId of targets) {
          try {
            await temporal.workflowService.deleteWorkflowExecution({ namespace: temporal.options.namespace, workflowExecution: { workflowId, runId } });
            executions += 1;
          } catch (err) {
            if (!isNotFound(err)) throw err;
          }
          heartbeat();
        }
      }
      await addProgress(db, ref.erasureId, { temporalExecutions: executions });
      return { executions };
    },

    /** The database part, in one transaction, with the certificate; null when already done. */
    async erasureScrub(ref: ErasureRef): Promise<{ completed: boolean }> {
      const counts = await scrubAndCertify(db, ref.erasureId);
      return { completed: counts !== null };
    },
  };
}

export type ErasureActivities = ReturnType<typeof createErasureActivities>;
