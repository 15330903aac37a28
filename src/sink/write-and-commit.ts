import { errorMessage } from '../errors/adgate-error.js';
import type { InboundBatch, InboundMessage } from '../kafka/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { ProgressWatch } from './watch-progress.js';

export interface WriteContext {
  /** Hands a chunk to the batch accumulator; resolves once it is durable in PostgreSQL. */
  readonly submit: (chunk: readonly InboundMessage[]) => Promise<void>;
  readonly batchMaxEvents: number;
  /** True once the drain began. */
  readonly stopping: () => boolean;
  readonly progress: ProgressWatch;
  readonly metrics: Metrics;
  readonly log: Logger;
}

/**
 * Writes a partition's batch chunk by chunk and commits each chunk's
 * position only after its write is durable: the order is the guarantee
 * (an offset committed before the write could skip events on a crash).
 */
export async function writeAndCommit(
  batch: InboundBatch,
  todo: readonly InboundMessage[],
  ctx: WriteContext,
): Promise<void> {
  const last = batch.messages.at(-1) as InboundMessage;
  let next = todo.length === 0 ? last.offset + 1n : (todo[0] as InboundMessage).offset;
  noteOldestUnwritten(batch, todo[0], ctx);
  // All below the position PostgreSQL recorded: nothing to write.
  if (todo.length === 0) await commitPosition(batch, next, ctx);
  for (let i = 0; i < todo.length; i += ctx.batchMaxEvents) {
    // Draining: finish what was handed over, take nothing new.
    if (ctx.stopping() && i > 0) break;
    const chunk = todo.slice(i, i + ctx.batchMaxEvents);
    await ctx.submit(chunk);
    next = (chunk.at(-1) as InboundMessage).offset + 1n;
    // Commit per chunk, not per fetch: a fetch can hold tens of
    // thousands of messages, and a position that only moves at its
    // end makes lag look stuck and every restart re-read the fetch.
    await commitPosition(batch, next, ctx);
    noteOldestUnwritten(batch, todo[i + ctx.batchMaxEvents], ctx);
  }
  const lag = batch.lagAfter + (last.offset + 1n - next);
  ctx.metrics.setConsumerLag(Number(lag), { partition: batch.partition });
}

/**
 * For adgate_consumer_lag_seconds: the oldest message still to write is
 * `first` when this batch holds it; past the batch, when more messages
 * wait, it is beyond the fetch and at least as young as the batch's last
 * message (whose age is then an upper bound); with none waiting, none.
 */
function noteOldestUnwritten(
  batch: InboundBatch,
  first: InboundMessage | undefined,
  ctx: WriteContext,
): void {
  const last = batch.messages.at(-1) as InboundMessage;
  const timestampMs =
    first !== undefined ? first.timestampMs : batch.lagAfter > 0n ? last.timestampMs : null;
  ctx.metrics.setOldestUnwritten(batch.partition, timestampMs);
}

/**
 * Commits `next` to Kafka. A failed commit is only logged: PostgreSQL
 * recorded the position in the write's own transaction, and the next
 * owner starts from there.
 */
async function commitPosition(
  batch: InboundBatch,
  next: bigint,
  { progress, metrics, log }: WriteContext,
): Promise<void> {
  // A partition taken away by a rebalance is not ours to commit; its
  // new owner starts from the offset recorded in PostgreSQL.
  if (!batch.canCommit()) return;
  // The position moved (the write committed in PostgreSQL with it).
  const behind = batch.highWatermark - next;
  progress.progressed(batch.partition, behind > 0n ? behind : 0n);
  try {
    await batch.commit(next);
    metrics.setSinkLastCommitSeconds(Date.now() / 1000, { partition: batch.partition });
  } catch (error) {
    log.warn('offset commit failed; PostgreSQL keeps the position', {
      reason: 'kafka_unavailable',
      error: errorMessage(error),
      partition: batch.partition,
    });
  }
}
