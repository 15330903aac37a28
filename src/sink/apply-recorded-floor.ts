import { AdgateError } from '../errors/adgate-error.js';
import type { InboundBatch, InboundMessage } from '../kafka/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';

export interface FloorContext {
  readonly groupId: string;
  readonly topic: string;
  readonly metrics: Metrics;
  readonly log: Logger;
}

/**
 * The batch's messages still to write, given the position PostgreSQL
 * recorded for its partition. The refusal comes first: a floor beyond the
 * partition's end would otherwise skip every message of the batch.
 */
export function applyRecordedFloor(
  batch: InboundBatch,
  floor: bigint,
  ctx: FloorContext,
): readonly InboundMessage[] {
  refuseFloorBeyondEnd(batch, floor, ctx);
  return skipRecorded(batch, floor, ctx);
}

/**
 * Messages below the position PostgreSQL recorded landed before (a
 * previous owner wrote them, then stopped before its Kafka commit): they
 * are counted as their own outcome, not passed over in silence.
 */
function skipRecorded(
  batch: InboundBatch,
  floor: bigint,
  { metrics, log }: FloorContext,
): readonly InboundMessage[] {
  const todo = batch.messages.filter((m) => m.offset >= floor);
  const skipped = batch.messages.length - todo.length;
  if (skipped > 0) {
    metrics.sinkEvents.add(skipped, { outcome: 'skipped_recorded' });
    log.info('skipped messages below the position recorded in PostgreSQL', {
      partition: batch.partition,
      skipped,
      firstOffset: String(batch.messages[0]?.offset),
      recorded: String(floor),
    });
  }
  return todo;
}

/**
 * A position recorded in PostgreSQL beyond the partition's end cannot come
 * from this topic: it was deleted and re-created under the same name (or
 * its log truncated). Skipping up to it would pass over new messages in
 * silence, so the sink refuses, and says how to reset once an operator has
 * made sure the recorded positions are stale. Not retriable: kafkajs stops
 * the consumer for good, and the instance fails (SPEC §7).
 */
function refuseFloorBeyondEnd(batch: InboundBatch, floor: bigint, ctx: FloorContext): void {
  if (floor <= batch.highWatermark) return;
  throw new AdgateError(
    'recorded_offset_beyond_end',
    `PostgreSQL records partition ${batch.partition} of ${ctx.topic} at offset ${floor} ` +
      `for group ${ctx.groupId}, beyond the partition's end (${batch.highWatermark}): ` +
      'the topic was re-created, or its log truncated. Refusing to skip its messages. Once the ' +
      'recorded positions are known to be stale, stop every sink of the group and run: ' +
      `adgate offsets reset (with ADGATE_CONSUMER_GROUP=${ctx.groupId} ADGATE_TOPIC=${ctx.topic})`,
    { retriable: false },
  );
}
