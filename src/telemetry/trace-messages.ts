import {
  context,
  type Link,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

// The no-op tracer unless start-tracing.ts started the SDK.
const tracer = trace.getTracer('adgate');
let enabled = false;

/** Called by start-tracing.ts once the SDK runs: until then every helper here costs nothing. */
export function markTracingEnabled(): void {
  enabled = true;
}

/** At most this many links on one CONSUMER span; the rest are counted, not linked. */
export const MAX_SPAN_LINKS = 128;

type Headers = Readonly<Record<string, string | Buffer | undefined>>;

/**
 * Runs `fn` in a span of its own, child of the active one; records an
 * error's reason as `error.type` (OpenTelemetry's semantic conventions).
 */
export async function inSpan<T>(
  name: string,
  fn: (span?: Span) => Promise<T>,
  options: { kind?: SpanKind; attributes?: Record<string, string | number>; links?: Link[] } = {},
): Promise<T> {
  if (!enabled) return fn();
  return tracer.startActiveSpan(name, options, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      const reason = (error as { reason?: unknown }).reason;
      span.setAttribute('error.type', typeof reason === 'string' ? reason : 'error');
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * The PRODUCER span of SPEC §4's trace context: `publish <topic>`, and the
 * W3C `traceparent` (and `tracestate`) of that span injected into every
 * message's headers, so that the sink can link its spans to the request
 * that carried the event. Tracing off: the messages go as they are.
 */
export function inProducerSpan<M extends { headers?: Headers }, T>(
  topic: string,
  messages: readonly M[],
  send: (messages: readonly M[]) => Promise<T>,
): Promise<T> {
  if (!enabled) return send(messages);
  const attributes = {
    'messaging.system': 'kafka',
    'messaging.operation.type': 'send',
    'messaging.destination.name': topic,
    'messaging.batch.message_count': messages.length,
  };
  return inSpan(`publish ${topic}`, () => send(withTraceContext(messages)), {
    kind: SpanKind.PRODUCER,
    attributes,
  });
}

function withTraceContext<M extends { headers?: Headers }>(messages: readonly M[]): M[] {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return messages.map((m) => ({ ...m, headers: { ...m.headers, ...carrier } }));
}

/** Links to the contexts that the messages' `traceparent` headers carry, at most MAX_SPAN_LINKS. */
export function linksFrom(messages: readonly { headers: Headers }[]): {
  links: Link[];
  traced: number;
} {
  const links: Link[] = [];
  let traced = 0;
  if (!enabled) return { links, traced };
  for (const { headers } of messages) {
    const parent = headers.traceparent;
    if (parent === undefined) continue;
    traced += 1;
    if (links.length >= MAX_SPAN_LINKS) continue;
    const state = headers.tracestate;
    const carrier = { traceparent: parent.toString(), tracestate: state?.toString() ?? '' };
    const spanContext = trace.getSpanContext(propagation.extract(context.active(), carrier));
    if (spanContext !== undefined) links.push({ context: spanContext });
  }
  return { links, traced };
}

/** True once tracing runs: callers skip work that only feeds spans. */
export function tracingEnabled(): boolean {
  return enabled;
}
