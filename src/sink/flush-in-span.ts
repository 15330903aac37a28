import { SpanKind } from '@opentelemetry/api';
import type { InboundMessage } from '../kafka/types.js';
import { inSpan, linksFrom } from '../telemetry/trace-messages.js';
import { type FlushDeps, flushBatch } from './flush-batch.js';

/**
 * One flush (flush-batch.ts) in a CONSUMER span `process <topic>` linked to
 * the PRODUCER span of each message it holds (their `traceparent` headers,
 * SPEC §4), at most MAX_SPAN_LINKS of them; how many carried a context is
 * recorded. Tracing off, this is flushBatch and nothing more.
 */
export function flushInSpan(
  messages: readonly InboundMessage[],
  deps: FlushDeps,
  knownDays: Set<string>,
): Promise<void> {
  const { links, traced } = linksFrom(messages);
  const partitions = new Set(messages.map((m) => m.partition));
  const attributes: Record<string, string | number> = {
    'messaging.system': 'kafka',
    'messaging.operation.type': 'process',
    'messaging.destination.name': deps.topic,
    'messaging.consumer.group.name': deps.groupId,
    'messaging.batch.message_count': messages.length,
    'adgate.traced_messages': traced,
    'adgate.linked_messages': links.length,
  };
  const [only] = partitions;
  if (partitions.size === 1 && only !== undefined) {
    attributes['messaging.destination.partition.id'] = String(only);
  }
  return inSpan(
    `process ${deps.topic}`,
    async (span) => {
      const summary = await flushBatch(messages, deps, knownDays);
      span?.setAttributes({
        'adgate.inserted': summary.inserted,
        'adgate.duplicates': summary.duplicates,
        'adgate.dead_letters': summary.deadLetters,
      });
    },
    { kind: SpanKind.CONSUMER, attributes, links },
  );
}
