import { errorMessage } from '../errors/adgate-error.js';
import type { InboundBatch } from '../kafka/types.js';
import { applyRecordedFloor, type FloorContext } from './apply-recorded-floor.js';
import type { RecordedFloor } from './create-recorded-floor.js';
import { type WriteContext, writeAndCommit } from './write-and-commit.js';

export interface PartitionContext extends FloorContext, WriteContext {
  readonly floor: RecordedFloor;
  readonly heartbeatEveryMs: number;
}

/**
 * One partition's batch, in the order that makes it exactly once: note
 * what waits (for the stall watch), read the position PostgreSQL recorded,
 * drop what landed before it, then write and commit chunk by chunk.
 */
export async function handlePartitionBatch(
  batch: InboundBatch,
  ctx: PartitionContext,
): Promise<void> {
  if (batch.messages.length === 0) return;
  ctx.progress.waiting(batch.partition, BigInt(batch.messages.length) + batch.lagAfter);
  // Heartbeat from the start: the floor read below waits on PostgreSQL,
  // and a member that goes quiet for a session timeout is evicted from the
  // group and its partitions moved, only to come back.
  const stopHeartbeat = keepHeartbeating(batch, ctx);
  try {
    const floor = await ctx.floor.of(batch.partition);
    await writeAndCommit(batch, applyRecordedFloor(batch, floor, ctx), ctx);
  } finally {
    stopHeartbeat();
  }
}

function keepHeartbeating(batch: InboundBatch, ctx: PartitionContext): () => void {
  const heartbeat = setInterval(() => {
    batch.heartbeat().catch((error: unknown) => {
      ctx.log.debug('heartbeat refused (rebalance under way)', { error: errorMessage(error) });
    });
  }, ctx.heartbeatEveryMs);
  return () => clearInterval(heartbeat);
}
