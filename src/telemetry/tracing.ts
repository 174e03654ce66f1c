/**
 * OpenTelemetry traces (issue 12 §5): one trace from an HTTP request through the Temporal client
 * (StartWorkflow, StartWorkflowUpdate …) into the workflow (RunWorkflow, HandleUpdate,
 * StartActivity) and its activities (RunActivity), with @temporalio/interceptors-opentelemetry
 * carrying the context across Temporal in the `_tracer-data` header.
 *
 * Off by default (OTEL_TRACES_EXPORTER=none): then nothing here is installed, no interceptor, no
 * middleware, no workflow interceptor module in the bundle, so tracing costs nothing. On, each
 * process installs one tracer provider (the global one, so the interceptors and the W3C
 * `traceparent` propagator find it); the first caller names the service (OTEL_SERVICE_NAME wins).
 *
 * What spans carry: span names (route templates, workflow/activity/update type names), workflow
 * and activity ids, status codes. Never payloads, URLs with query strings or request bodies: a
 * tracing backend is not a place for patient data. Temporal headers are not run through the
 * payload codec, so the trace header itself stays clear: it holds only trace and span ids.
 */
import * as otel from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Context } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { RequestHandler } from 'express';
import type { Config } from '../config';

export interface Tracing {
  readonly serviceName: string;
  readonly tracer: otel.Tracer;
  readonly resource: Resource;
  /** Where spans go; the worker hands it to the workflow span sink too. */
  readonly spanProcessor: SpanProcessor;
  /** Sends what is buffered now (tests; shutdown does it too). */
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

let installed: Tracing | null = null;

/**
 * Error text stays out of spans: the Temporal interceptors record a failing workflow's or
 * activity's error message as the span status and as an `exception` event with message and stack,
 * which is the free text (a patient's name in an activity error, a rejection reason) that the
 * failure converter keeps out of Temporal's history. Spans keep the error status and the exception
 * type; message and stack are dropped before any exporter sees them, workflow spans included
 * (they reach this processor through the worker's sink).
 */
export class RedactingSpanProcessor implements SpanProcessor {
  constructor(private readonly next: SpanProcessor) {}
  onStart(span: Span, parentContext: Context): void {
    this.next.onStart(span, parentContext);
  }
  onEnd(span: ReadableSpan): void {
    const redact = span.status.message !== undefined || span.events.some((e) => e.attributes && ('exception.message' in e.attributes || 'exception.stacktrace' in e.attributes));
    if (!redact) return this.next.onEnd(span);
    const events = span.events.map((e) => {
      if (!e.attributes) return e;
      const { 'exception.message': _m, 'exception.stacktrace': _s, ...rest } = e.attributes;
      return { ...e, attributes: rest };
    });
    // The same span (methods and all) seen through a copy of its status and events.
    this.next.onEnd(Object.create(span, { status: { value: { code: span.status.code } }, events: { value: events } }) as ReadableSpan);
  }
  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}

/** Whether this config turns tracing on. */
export function tracingEnabled(config: Pick<Config, 'OTEL_TRACES_EXPORTER'>): boolean {
  return config.OTEL_TRACES_EXPORTER !== 'none';
}

/**
 * Installs tracing for this process once (later calls return the same), or returns null when
 * OTEL_TRACES_EXPORTER is `none`.
 * @param serviceName - service.name of the spans unless OTEL_SERVICE_NAME is set
 */
export function installTracing(config: Pick<Config, 'OTEL_TRACES_EXPORTER' | 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_SERVICE_NAME'>, serviceName: string): Tracing | null {
  if (!tracingEnabled(config)) return null;
  if (installed) return installed;
  const name = config.OTEL_SERVICE_NAME ?? serviceName;
  const resource = new Resource({ 'service.name': name });
  // Batches for a collector (one request per batch, off the request path); the console prints each span as it ends.
  const spanProcessor = new RedactingSpanProcessor(
    config.OTEL_TRACES_EXPORTER === 'otlp'
      ? new BatchSpanProcessor(new OTLPTraceExporter({ url: `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces` }))
      : new SimpleSpanProcessor(new ConsoleSpanExporter()),
  );
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // Global tracer provider, W3C trace-context propagator, AsyncLocalStorage context manager.
  provider.register();
  installed = {
    serviceName: name,
    tracer: provider.getTracer('mdw'),
    resource,
    spanProcessor,
    forceFlush: () => provider.forceFlush(),
    async shutdown() {
      await provider.shutdown();
      otel.trace.disable();
      otel.propagation.disable();
      otel.context.disable();
      installed = null;
    },
  };
  return installed;
}

/** This process's tracing, if installed. */
export function activeTracing(): Tracing | null {
  return installed;
}

/**
 * Express middleware: one SERVER span per request, continuing a caller's `traceparent`, named by
 * the route template (`POST /cases/{id}/tasks/{taskId}/decision`), never the concrete path or its
 * query (search text is patient data). Everything the request does, the Temporal client calls
 * included, runs inside the span's context.
 */
export function tracingMiddleware(tracing: Tracing): RequestHandler {
  return (req, res, next) => {
    const parent = otel.propagation.extract(otel.ROOT_CONTEXT, req.headers);
    const span = tracing.tracer.startSpan(req.method, { kind: otel.SpanKind.SERVER, attributes: { 'http.request.method': req.method } }, parent);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      const template = (req.route as { path?: string } | undefined)?.path;
      const route = typeof template === 'string' ? `${req.baseUrl}${template}`.replace(/:([A-Za-z0-9_]+)/g, '{$1}') : null;
      if (route) {
        span.updateName(`${req.method} ${route}`);
        span.setAttribute('http.route', route);
      }
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: otel.SpanStatusCode.ERROR });
      // A client that went away before the answer: the span still ends, marked so.
      if (!res.writableFinished) span.setAttribute('mdw.client_aborted', true);
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    otel.context.with(otel.trace.setSpan(parent, span), next);
  };
}
