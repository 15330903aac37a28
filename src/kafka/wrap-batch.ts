import type { Batch, EachBatchPayload } from 'kafkajs';
import type { InboundBatch, InboundMessage } from './types.js';

/** A kafkajs eachBatch payload as adgate's InboundBatch (offsets as bigint). */
export function wrapBatch(payload: EachBatchPayload): InboundBatch {
  const { batch } = payload;
  const messages = inboundMessages(batch);
  const last = messages.at(-1)?.offset;
  const lagAfter = last === undefined ? 0n : BigInt(batch.highWatermark) - last - 1n;
  return {
    topic: batch.topic,
    partition: batch.partition,
    messages,
    lagAfter: lagAfter < 0n ? 0n : lagAfter,
    highWatermark: BigInt(batch.highWatermark),
    heartbeat: () => payload.heartbeat(),
    canCommit: () => !payload.isStale(),
    async commit(nextOffset) {
      payload.resolveOffset(String(nextOffset - 1n));
      // Inside eachBatch, commitOffsetsIfNecessary with explicit offsets
      // commits even while stop() is waiting for us; consumer.commitOffsets
      // is silently dropped once stop() was called.
      await payload.commitOffsetsIfNecessary({
        topics: [
          {
            topic: batch.topic,
            partitions: [{ partition: batch.partition, offset: String(nextOffset) }],
          },
        ],
      });
    },
  };
}

/** A kafkajs batch's messages as adgate's InboundMessages. */
export function inboundMessages(batch: Batch): InboundMessage[] {
  return batch.messages.map((m) => ({
    topic: batch.topic,
    partition: batch.partition,
    offset: BigInt(m.offset),
    key: m.key,
    value: m.value,
    headers: m.headers as Record<string, Buffer | undefined>,
    timestampMs: Number(m.timestamp),
  }));
}
