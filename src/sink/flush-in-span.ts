import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { InboundMessage } from '../kafka/types.js';
import { type FlushDeps, flushBatch } from './flush-batch.js';

// The no-op tracer unless start-tracing.ts started the SDK.
const tracer = trace.getTracer('adgate');

/** One flush (flush-batch.ts) inside an `adgate.sink.flush` span that carries its outcome. */
export function flushInSpan(
  messages: readonly InboundMessage[],
  deps: FlushDeps,
  knownDays: Set<string>,
): Promise<void> {
  return tracer.startActiveSpan('adgate.sink.flush', async (span) => {
    span.setAttribute('adgate.messages', messages.length);
    try {
      const summary = await flushBatch(messages, deps, knownDays);
      span.setAttributes({
        'adgate.inserted': summary.inserted,
        'adgate.duplicates': summary.duplicates,
        'adgate.dead_letters': summary.deadLetters,
      });
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}
