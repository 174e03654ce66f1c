/**
 * OpenTelemetry traces (issue 12 §5): one trace from an HTTP request through the Temporal client
 * into the workflow and its activities, exported over OTLP/HTTP to a real receiver on loopback
 * (a small HTTP server reading the OTLP JSON the exporter sends), as a collector or Jaeger would
 * receive it. And a worker with tracing on still replays the recorded histories.
 */
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type express from 'express';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import { createApp } from '../../src/api/server';
import { startWorker } from '../../src/worker/worker';
import { OTEL_WORKFLOW_INTERCEPTORS, workflowBundleOptions } from '../../src/worker/bundle';
import { activeTracing, installTracing, type Tracing } from '../../src/telemetry/tracing';
import { dataConverter } from '../../src/temporal/data-converter';
import { clearAlignerTemplate } from '../../src/seed/templates';
import { createHarness, type Harness } from '../support/harness';
import { createPracticeFixture, createTemplate } from '../support/fixtures';
import { waitFor } from '../support/wait';
import { HISTORIES_DIR } from '../support/case-driver';
import { as, loadContract, tokenFor } from './support';
import { setupAndTeardown } from '../support/lifecycle';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: Array<{ key: string; value: Record<string, unknown> }>;
  status?: { code?: number; message?: string };
  service: string;
}

let receiver: http.Server;
const received: OtlpSpan[] = [];
let requests = 0;
let h: Harness;
let app: express.Express;
let tracing: Tracing;
let dir: string;
let bundlePath: string;

/** What a collector's OTLP/HTTP receiver does with JSON: resourceSpans → scopeSpans → spans. */
function startReceiver(): Promise<number> {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      if (req.url !== '/v1/traces' || !String(req.headers['content-type']).startsWith('application/json')) {
        res.writeHead(415).end();
        return;
      }
      const doc = JSON.parse(body.toString('utf8')) as {
        resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }; scopeSpans: Array<{ spans: Omit<OtlpSpan, 'service'>[] }> }>;
      };
      for (const rs of doc.resourceSpans) {
        const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
        for (const ss of rs.scopeSpans) for (const s of ss.spans) received.push({ ...s, service });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) => receiver.listen(0, '127.0.0.1', () => resolve((receiver.address() as { port: number }).port)));
}

setupAndTeardown(async () => {
  const port = await startReceiver();
  const otel = { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` };
  h = await createHarness({ worker: false, config: otel });
  tracing = activeTracing()!;
  // A bundle with the OpenTelemetry workflow interceptors, as a worker with tracing on builds it.
  dir = mkdtempSync(path.join(os.tmpdir(), 'mdw-tracing-'));
  bundlePath = path.join(dir, 'workflows.js');
  const options = workflowBundleOptions(h.config);
  expect(options.workflowInterceptorModules).toEqual([OTEL_WORKFLOW_INTERCEPTORS]);
  writeFileSync(bundlePath, (await bundleWorkflowCode({ ...options, logger: quietLogger })).code);
  h.worker = await startWorker({ config: h.config, databaseUrl: h.config.DATABASE_URL!, workflowBundlePath: bundlePath });
  app = createApp({ config: h.config, database: h.database, temporal: h.client, cases: h.cases });
  await loadContract(app);
}, [() => h?.close(), () => tracing?.shutdown(), () => receiver?.close(), () => dir && rmSync(dir, { recursive: true, force: true })], { setup: 240_000 }); // webpack of the workflow bundle on a loaded 2-core machine

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: (m: string, meta?: unknown) => console.error(m, meta) };
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

test('one trace: HTTP request → Temporal client update → workflow update handler → activity, exported over OTLP', async () => {
  expect(installTracing(h.config, 'again')).toBe(tracing); // one provider per process
  const f = await createPracticeFixture(h.database.system);
  const templateId = await createTemplate(h.database.system, clearAlignerTemplate({ name: `Traced ${hex(4)}` }));
  const doctor = as(app, await tokenFor(h.config, f.members.doctor));
  const technician = as(app, await tokenFor(h.config, f.members.technician));
  const created = await doctor.post('/cases', { practiceId: f.practiceId, patientId: f.patientId, title: 'Traced aligners', caseType: 'active_treatment', templateId });
  expect(created.status).toBe(201);
  const caseId = created.body.id as string;
  const view = await waitFor(
    () => technician.get(`/cases/${caseId}`),
    (r) => r.status === 200 && r.body.workflow?.tasks.some((t: { name: string; awaitingDecision: boolean }) => t.name === 'Records review' && t.awaitingDecision),
    30_000,
    '"Records review" to await a decision',
  );
  const taskId = view.body.workflow.tasks.find((t: { name: string }) => t.name === 'Records review').id as string;

  // The caller's own trace (a browser or gateway that traces): the request continues it.
  const traceId = hex(16);
  const callerSpanId = hex(8);
  const decided = await technician.post(`/cases/${caseId}/tasks/${taskId}/decision?note=ignored`, { decision: 'approve' }, { headers: { traceparent: `00-${traceId}-${callerSpanId}-01` } });
  expect(decided.status).toBe(200);

  const want = [/^POST \/cases\/\{id\}\/tasks\/\{taskId\}\/decision$/, /^StartWorkflowUpdate:decide$/, /^HandleUpdate:decide$/, /^StartActivity:/, /^RunActivity:/];
  const spans = await waitFor(
    async () => {
      await tracing.forceFlush();
      return received.filter((s) => s.traceId === traceId);
    },
    (ss) => want.every((re) => ss.some((s) => re.test(s.name))),
    60_000,
    'the spans of the decision',
  );
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const one = (re: RegExp) => spans.find((s) => re.test(s.name))!;
  const httpSpan = one(want[0]!);
  const client = one(want[1]!);
  const handler = one(want[2]!);
  expect(httpSpan.kind).toBe(2); // SPAN_KIND_SERVER
  expect(httpSpan.parentSpanId).toBe(callerSpanId);
  expect(client.parentSpanId).toBe(httpSpan.spanId);
  // The workflow's update handler continues the client's span (through the update's header).
  expect(byId.get(handler.parentSpanId!)?.spanId).toBe(client.spanId);
  // Every activity the update ran hangs under the handler: StartActivity in the workflow, RunActivity in the worker.
  const runs = spans.filter((s) => /^RunActivity:/.test(s.name));
  for (const run of runs) {
    const start = byId.get(run.parentSpanId!)!;
    expect(start.name).toMatch(/^StartActivity:/);
    expect(start.name.split(':')[1]).toBe(run.name.split(':')[1]);
    expect(start.parentSpanId).toBe(handler.spanId);
  }
  // Route templates, never the concrete path or its query.
  const attrs = JSON.stringify(spans.map((s) => s.attributes));
  expect(attrs).toContain('"http.route"');
  expect(attrs).not.toContain(caseId);
  expect(attrs).not.toContain('note=ignored');
  expect(new Set(spans.map((s) => s.service))).toEqual(new Set([tracing.serviceName]));
}, 120_000);

test('a worker with tracing on (OpenTelemetry workflow interceptors in its bundle) replays the recorded histories', async () => {
  const files = readdirSync(HISTORIES_DIR, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'));
  expect(files.length).toBeGreaterThanOrEqual(10);
  const histories = files.map((file) => ({ workflowId: file.replace(/\.json$/, ''), history: JSON.parse(readFileSync(path.join(HISTORIES_DIR, file), 'utf8')) }));
  const results = [];
  for await (const r of Worker.runReplayHistories(
    { workflowBundle: { codePath: bundlePath }, dataConverter: dataConverter(h.config), sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) } },
    histories,
  )) {
    results.push({ workflowId: r.workflowId, error: r.error ? String(r.error) : null });
  }
  expect(results).toEqual(histories.map((x) => ({ workflowId: x.workflowId, error: null })));
  expect(requests).toBeGreaterThan(0);
}, 300_000);
