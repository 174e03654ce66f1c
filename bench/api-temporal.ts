/**
 * Real Temporal for the HTTP level of bench/api-bench.ts, so that the new API's decision
 * (`POST /cases/:id/tasks/:taskId/decision`, a Workflow Update answered with the case view) is
 * measured as it runs:
 *
 * - an in-memory, headless Temporal dev server (scripts/lib/temporal-dev-server.ts; MDW's search
 *   attributes from temporal/search-attributes.ts are registered by its start-up flags, which the
 *   workflow upserts);
 * - the MDW worker (src/worker/main.ts, the production entry point) in its own process, against
 *   the bench database, on its own task queue;
 * - `--workflow-cases` cases started in the seeded practices through the real case service
 *   (createCaseService().startCase), round-robin over the practices, each by the practice's
 *   doctor for one of its patients, with the bench template below, whose first task is the
 *   doctor's decision; the set-up waits until every case awaits it. The workflows persist their
 *   awaiting tasks (awaiting_tasks), so these cases also appear in the doctors' inboxes.
 *
 * The template's doctor decision reworks to itself: `request_changes` (with a reason) sends the
 * task back to itself and re-activates it within the same update, so a case stays decidable and
 * one case takes decision after decision (bench/workflow.fixtures.ts selfReworkTemplate, for the
 * doctor). While one decision on a case is running its task is briefly not awaiting, so a second,
 * concurrent decision on the same case would be refused (422). `CaseLeases` hands out each case to
 * one request at a time.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { loadConfig } from '../src/config';
import { temporalClient } from '../src/temporal/data-converter';
import { createDatabase, type Database } from '../src/db/database';
import { saveTemplate, type TemplateDefinition } from '../src/repositories/templates.repository';
import { createCaseService } from '../src/services/case.service';
import { caseViewQuery, type CaseView } from '../src/workflows/case.messages';
import { startTemporalDevServer, type DevServer } from '../scripts/lib/temporal-dev-server';
import type { Targets } from './api-load';
import { startTsx, stopChild } from './api-procs';
import { mapPool } from './workflow.fixtures';

export const BENCH_TASK_QUEUE = 'mdw-bench-api';
const TEMPLATE_NAME = 'Bench (API): doctor approval first, rework to itself';

/**
 * The doctor's decision as the first task (no automatic step before it, whose activity retries
 * would delay the set-up under load), with itself as rework target and no SLA timer.
 */
export const doctorDecisionTemplate = (): TemplateDefinition => ({
  name: TEMPLATE_NAME,
  description: 'API benchmark only: request_changes on the doctor approval re-activates it, so one case takes decision after decision.',
  caseType: 'active_treatment',
  tasks: [{ key: 'approval', name: 'Doctor approval', order: 10, functionType: 'approve', requiredRoles: ['doctor'], category: 'review', reworkTo: 'approval', after: [] }],
});

export interface WorkflowCase {
  caseId: string;
  workflowId: string;
  /** the doctor decision task, awaiting */
  taskId: string;
  /** index into Targets.practices */
  practice: number;
}

/**
 * One request per case at a time. `acquire` hands out a free case, round-robin, or null when all
 * are taken; a lease older than `expiryMs` (its request was abandoned by a client-side timeout)
 * is taken back.
 */
export class CaseLeases {
  private readonly busy = new Map<number, number>();
  private next = 0;
  constructor(
    readonly size: number,
    private readonly expiryMs: number,
  ) {}
  acquire(): number | null {
    const now = performance.now();
    for (let k = 0; k < this.size; k++) {
      const idx = (this.next + k) % this.size;
      const at = this.busy.get(idx);
      if (at === undefined || now - at > this.expiryMs) {
        this.busy.set(idx, now);
        this.next = idx + 1;
        return idx;
      }
    }
    return null;
  }
  release(idx: number): void {
    this.busy.delete(idx);
  }
  outstanding(): number[] {
    return [...this.busy.keys()];
  }
  clear(): void {
    this.busy.clear();
  }
}

export interface TemporalBench {
  address: string;
  /** The payload key ring the worker runs with (production requires one); the API needs it too. */
  payloadKeys: string;
  taskQueue: string;
  templateId: string;
  cases: WorkflowCase[];
  leases: CaseLeases;
  /**
   * Waits until Temporal and the worker are idle again (a probe query answers within 100 ms three
   * times in a row, or 30 s passed): requests the client abandoned (timeouts, the end of an
   * autocannon window) leave queries and updates behind that would slow the next cell down.
   */
  quiesce(): Promise<void>;
  /** quiesce(), then waits until the cases of outstanding leases (abandoned decisions) await their decision again, then frees every lease. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

const awaitingDoctor = (v: CaseView) => v.tasks.find((t) => t.awaitingDecision && t.requiredRoles.includes('doctor'));

async function waitFor<T>(probe: () => Promise<T>, until: (v: T) => boolean, what: string, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined && until(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

export async function startTemporalBench(url: string, t: Targets, o: { cases: number; timeoutMs: number; log: (m: string) => void }): Promise<TemporalBench> {
  const cleanups: Array<() => Promise<unknown> | void> = [];
  const stop = async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        o.log(`temporal clean-up step failed: ${(err as Error).message}`);
      }
    }
    cleanups.length = 0;
  };
  try {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mdw-bench-temporal-'));
    chmodSync(dir, 0o755);
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const started = performance.now();
    const temporal: DevServer = await startTemporalDevServer({ headless: true, logFile: path.join(dir, 'temporal.log') });
    cleanups.push(() => temporal.stop());
    o.log(`Temporal dev server at ${temporal.address} (in memory, search attributes registered); starting the worker (src/worker/main.ts, bundles the workflows)`);

    const payloadKeys = `bench:${randomBytes(32).toString('base64')}`;
    const workerEnv = {
      TEMPORAL_PAYLOAD_KEYS: payloadKeys,
      DATABASE_URL: url,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: BENCH_TASK_QUEUE,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      WORKER_SHUTDOWN_GRACE_MS: '2000',
    };
    const worker = startTsx(path.join(__dirname, '..', 'src', 'worker', 'main.ts'), workerEnv, (m) => (m.msg === 'worker started' ? 'ok' : undefined), 300_000);
    cleanups.push(() => stopChild(worker.child, 15_000));

    const config = loadConfig({ ...process.env, TEMPORAL_ADDRESS: temporal.address, TEMPORAL_TASK_QUEUE: BENCH_TASK_QUEUE, TEMPORAL_PAYLOAD_KEYS: payloadKeys });
    const connection = await Connection.connect({ address: temporal.address });
    cleanups.push(() => connection.close());
    const client = temporalClient(config, connection);
    const database: Database = createDatabase(url, 10);
    cleanups.push(() => database.destroy());
    const db = database.system;

    const existing = await db.selectFrom('workflow_templates').select('id').where('name', '=', TEMPLATE_NAME).where('superseded_by', 'is', null).executeTakeFirst();
    const templateId = existing?.id ?? (await saveTemplate(db, doctorDecisionTemplate())).id;
    const service = createCaseService({ db, temporal: client, taskQueue: BENCH_TASK_QUEUE });

    // A few patients per practice; cases go round-robin over the practices.
    const per = Math.ceil(o.cases / t.practices.length);
    const patients = await mapPool(t.practices.length, 4, async (k) =>
      (await db.selectFrom('patients').select('id').where('practice_id', '=', t.practices[k]!.id).orderBy('patient_number').limit(Math.min(per, 20)).execute()).map((r) => r.id),
    );
    const eligible = t.practices.map((_, k) => k).filter((k) => patients[k]!.length > 0);
    if (!eligible.length) throw new Error('no seeded practice has patients');
    // Cases are started while the worker is still bundling; their first workflow task waits for it.
    const startedCases = await mapPool(o.cases, 8, async (i) => {
      const practice = eligible[i % eligible.length]!;
      const p = t.practices[practice]!;
      const pats = patients[practice]!;
      const c = await service.startCase({
        practiceId: p.id,
        patientId: pats[Math.floor(i / eligible.length) % pats.length]!,
        createdBy: p.actor,
        title: `Bench: aligner plan approval ${i + 1}`,
        caseType: 'active_treatment',
        templateId,
        metadata: { bench_workflow: true },
      });
      return { caseId: c.caseId, workflowId: c.workflowId, practice };
    });
    o.log(`started ${startedCases.length} cases through the case service (template "${TEMPLATE_NAME}")`);
    await worker.ready;
    o.log(`worker ready after ${((performance.now() - started) / 1000).toFixed(1)} s; waiting for every case to await its doctor decision`);

    // A case that does not get there in time (an overloaded machine: persistence retries) is
    // left out, with the reason, unless it is most of them.
    const readyBy = Date.now() + 180_000;
    const reached = await mapPool(startedCases.length, 16, async (i) => {
      const c = startedCases[i]!;
      const h = client.workflow.getHandle(c.workflowId);
      try {
        const v = await waitFor(() => h.query(caseViewQuery), (x) => !!awaitingDoctor(x), `case ${c.caseId} to await the doctor`, Math.max(1000, readyBy - Date.now()));
        return { ...c, taskId: awaitingDoctor(v)!.id };
      } catch (err) {
        const d = await h.describe().catch(() => null);
        const pending = d?.raw.pendingActivities?.map((a) => `${a.activityType?.name}: attempt ${a.attempt}, ${a.lastFailure?.message ?? 'no failure'}`).join('; ');
        o.log(`case ${c.caseId} (${c.workflowId}) left out: ${(err as Error).message}; status ${d?.status.name ?? '?'}, history ${d?.historyLength ?? '?'} events${pending ? `, pending: ${pending}` : ''}`);
        return null;
      }
    });
    const cases: WorkflowCase[] = reached.filter((c): c is WorkflowCase => c !== null);
    if (cases.length < startedCases.length / 2) throw new Error(`only ${cases.length} of ${startedCases.length} cases reached the doctor decision`);
    o.log(`${cases.length} cases await the doctor (${((performance.now() - started) / 1000).toFixed(1)} s for the whole set-up)`);

    const leases = new CaseLeases(cases.length, 2 * o.timeoutMs);
    const quiesce = async () => {
      const deadline = Date.now() + 30_000;
      const probe = client.workflow.getHandle(cases[0]!.workflowId);
      for (let good = 0; good < 3 && Date.now() < deadline; ) {
        const at = performance.now();
        const ok = await probe.query(caseViewQuery).then(
          () => true,
          () => false,
        );
        good = ok && performance.now() - at < 100 ? good + 1 : 0;
        await sleep(200);
      }
    };
    return {
      address: temporal.address,
      payloadKeys,
      taskQueue: BENCH_TASK_QUEUE,
      templateId,
      cases,
      leases,
      quiesce,
      async settle() {
        await quiesce();
        const open = leases.outstanding();
        if (open.length) {
          await mapPool(open.length, 16, (k) =>
            waitFor(
              () => client.workflow.getHandle(cases[open[k]!]!.workflowId).query(caseViewQuery),
              (x) => !!awaitingDoctor(x),
              'an abandoned decision to settle',
              Math.max(30_000, 3 * o.timeoutMs),
            ),
          );
          await sleep(500);
        }
        leases.clear();
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
