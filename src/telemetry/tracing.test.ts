/** Tracing off costs nothing; error text never leaves in a span (pure: no exporter, no servers). */
import * as otel from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { loadConfig } from '../config';
import { activeTracing, installTracing, RedactingSpanProcessor } from './tracing';

test('off by default: nothing is installed, no global tracer provider, no propagator', () => {
  const config = loadConfig({});
  expect(config.OTEL_TRACES_EXPORTER).toBe('none');
  expect(installTracing(config, 'mdw-api')).toBeNull();
  expect(activeTracing()).toBeNull();
  // The API's no-op proxy: spans started anywhere are non-recording.
  expect(otel.trace.getTracer('x').startSpan('s').isRecording()).toBe(false);
  const carrier: Record<string, string> = {};
  otel.propagation.inject(otel.context.active(), carrier);
  expect(carrier).toEqual({});
});

test('a bad exporter or endpoint stops start-up naming the variable', () => {
  expect(() => loadConfig({ OTEL_TRACES_EXPORTER: 'jaeger' })).toThrow(/OTEL_TRACES_EXPORTER/);
  expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
});

test("a failed span keeps its error status and exception type, not the error's message or stack", async () => {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new RedactingSpanProcessor(new SimpleSpanProcessor(memory))] });
  const span = provider.getTracer('t').startSpan('RunActivity:notify');
  const err = new Error('550 no such mailbox: jane.roe@example.com');
  span.recordException(err);
  span.setStatus({ code: otel.SpanStatusCode.ERROR, message: err.message });
  span.setAttribute('temporalWorkflowId', 'case-1-C-000001');
  span.end();
  const ok = provider.getTracer('t').startSpan('ok');
  ok.end();
  await provider.forceFlush();
  const [failed, fine] = memory.getFinishedSpans();
  expect(failed!.name).toBe('RunActivity:notify');
  expect(failed!.status).toEqual({ code: otel.SpanStatusCode.ERROR });
  expect(failed!.events).toEqual([expect.objectContaining({ name: 'exception', attributes: { 'exception.type': 'Error' } })]);
  expect(failed!.attributes).toEqual({ temporalWorkflowId: 'case-1-C-000001' });
  expect(failed!.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(JSON.stringify([failed!.status, failed!.events])).not.toContain('jane.roe');
  expect(fine!.name).toBe('ok');
});
