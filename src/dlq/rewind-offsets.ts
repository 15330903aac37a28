import { AdgateError } from '../errors/adgate-error.js';
import { readRecordedOffsets } from '../store/write-events.js';
import { earlierOffset, laterOffset } from './kafka-letter-store.js';
import { deleteSinkOffsets, setSinkOffsets } from './sink-offsets.js';
import { type OffsetsContext, refuseLiveMembers } from './sink-positions.js';

export type RewindTo =
  | { readonly kind: 'earliest' }
  | { readonly kind: 'time'; readonly ms: number }
  | { readonly kind: 'offsets'; readonly offsets: ReadonlyMap<number, bigint> };

export interface RewindStep {
  readonly partition: number;
  /** Where the sink would resume now: the later of Kafka's commit and sink_offsets. */
  readonly from: bigint;
  readonly to: bigint;
  readonly reread: number;
}

export interface RewindPlan {
  readonly steps: readonly RewindStep[];
  readonly reread: number;
}

/**
 * Where `adgate offsets rewind --to` moves each partition, and how many
 * messages the sink will read again. A target ahead of the sink's position
 * is refused: it would skip messages, which is never what a rewind means.
 */
export async function planRewind(ctx: OffsetsContext, to: RewindTo): Promise<RewindPlan> {
  const topic = ctx.topics.ingest;
  const [bounds, committed, recorded] = await Promise.all([
    ctx.store.bounds(topic),
    ctx.store.committed(ctx.group, topic),
    readRecordedOffsets(ctx.pool, ctx.group, topic),
  ]);
  const atTime = to.kind === 'time' ? await ctx.store.offsetsAt(topic, to.ms) : undefined;
  const steps: RewindStep[] = [];
  for (const b of bounds) {
    const from = laterOffset(
      laterOffset(committed.get(b.partition) ?? b.low, recorded.get(b.partition) ?? 0n),
      b.low,
    );
    let target: bigint | undefined;
    if (to.kind === 'earliest') target = b.low;
    else if (to.kind === 'time') target = atTime?.get(b.partition);
    else target = to.offsets.get(b.partition);
    if (target === undefined) continue;
    // Kafka answers -1 for a time after the last message: nothing to re-read.
    if (target < 0n) target = b.high;
    target = earlierOffset(laterOffset(target, b.low), b.high);
    if (target > from) {
      throw new AdgateError(
        'rewind_refused',
        `partition ${b.partition}: ${target} is ahead of the sink's position ${from}; a rewind never skips messages`,
        { retriable: false },
      );
    }
    steps.push({ partition: b.partition, from, to: target, reread: Number(from - target) });
  }
  return { steps, reread: steps.reduce((n, s) => n + s.reread, 0) };
}

/**
 * Moves the positions back: sink_offsets first, then Kafka's committed
 * offsets. Either order is safe if the second step fails (the sink then
 * resumes from the later of the two, as before: nothing re-read, nothing
 * skipped), and the group must be empty for both: Kafka refuses to set the
 * offsets of a group with members, and a running sink would move
 * sink_offsets forward again.
 */
export async function applyRewind(ctx: OffsetsContext, plan: RewindPlan): Promise<void> {
  await refuseLiveMembers(ctx, 'rewind');
  const targets = new Map(plan.steps.map((s) => [s.partition, s.to]));
  if (targets.size === 0) return;
  await setSinkOffsets(ctx.pool, ctx.group, ctx.topics.ingest, targets);
  await ctx.store.setCommitted(ctx.group, ctx.topics.ingest, targets);
}

export interface ResetResult {
  readonly recordedDeleted: number;
  /** Partitions whose Kafka commit lay beyond the new topic's end, set to its start. */
  readonly committedReset: readonly number[];
}

/**
 * After the topic was deleted and re-created (the sink refuses to start
 * with recorded_offset_beyond_end): forgets the positions sink_offsets
 * recorded for the old topic, and moves a Kafka commit that lies beyond the
 * new topic's end to its start. The sink then reads the new topic from its
 * start.
 */
export async function resetOffsets(ctx: OffsetsContext, dryRun: boolean): Promise<ResetResult> {
  await refuseLiveMembers(ctx, 'reset');
  const topic = ctx.topics.ingest;
  const [bounds, committed, recorded] = await Promise.all([
    ctx.store.bounds(topic),
    ctx.store.committed(ctx.group, topic),
    readRecordedOffsets(ctx.pool, ctx.group, topic),
  ]);
  const beyond = new Map(
    bounds
      .filter((b) => (committed.get(b.partition) ?? 0n) > b.high)
      .map((b) => [b.partition, b.low]),
  );
  if (dryRun) return { recordedDeleted: recorded.size, committedReset: [...beyond.keys()] };
  const recordedDeleted = await deleteSinkOffsets(ctx.pool, ctx.group, topic);
  if (beyond.size > 0) await ctx.store.setCommitted(ctx.group, topic, beyond);
  return { recordedDeleted, committedReset: [...beyond.keys()] };
}
