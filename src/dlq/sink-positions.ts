import type pg from 'pg';
import { AdgateError } from '../errors/adgate-error.js';
import { readRecordedOffsets } from '../store/write-events.js';
import { type LetterStore, laterOffset } from './kafka-letter-store.js';
import { type DlqContext, readerGroup } from './scan-letters.js';

/** One partition of the sink's group, as `adgate offsets show` prints it. */
export interface PartitionPosition {
  readonly partition: number;
  /** Kafka's committed offset for the group; null when none. */
  readonly committed: string | null;
  /** sink_offsets' recorded next offset; null when none. */
  readonly recorded: string | null;
  readonly low: string;
  readonly end: string;
  /** Messages from where the sink resumes (the later of the two) to the end. */
  readonly lagMessages: number;
  /** Age of the oldest unread message; 0 when none waits. */
  readonly lagSeconds: number;
}

export interface OffsetsContext extends DlqContext {
  readonly pool: pg.Pool;
}

export async function sinkPositions(ctx: OffsetsContext): Promise<PartitionPosition[]> {
  const topic = ctx.topics.ingest;
  const [bounds, committed, recorded] = await Promise.all([
    ctx.store.bounds(topic),
    ctx.store.committed(ctx.group, topic),
    readRecordedOffsets(ctx.pool, ctx.group, topic),
  ]);
  const resumeAt = new Map(
    bounds.map((b) => {
      const c = committed.get(b.partition) ?? b.low;
      const r = recorded.get(b.partition) ?? 0n;
      return [b.partition, laterOffset(laterOffset(c, r), b.low)];
    }),
  );
  const oldest = await oldestUnread(ctx.store, ctx, topic, bounds, resumeAt);
  const now = Date.now();
  return bounds.map((b) => {
    const at = resumeAt.get(b.partition) ?? b.low;
    const lag = b.high > at ? Number(b.high - at) : 0;
    const oldestMs = oldest.get(b.partition);
    return {
      partition: b.partition,
      committed: committed.has(b.partition) ? String(committed.get(b.partition)) : null,
      recorded: recorded.has(b.partition) ? String(recorded.get(b.partition)) : null,
      low: String(b.low),
      end: String(b.high),
      lagMessages: lag,
      lagSeconds: lag > 0 && oldestMs !== undefined ? Math.max(0, (now - oldestMs) / 1000) : 0,
    };
  });
}

/** The timestamp of the message at each partition's resume position, where one waits. */
async function oldestUnread(
  store: LetterStore,
  ctx: DlqContext,
  topic: string,
  bounds: readonly { partition: number; high: bigint }[],
  resumeAt: ReadonlyMap<number, bigint>,
): Promise<Map<number, number>> {
  const ranges = bounds.flatMap((b) => {
    const at = resumeAt.get(b.partition);
    return at !== undefined && at < b.high
      ? [{ partition: b.partition, from: at, to: at + 1n }]
      : [];
  });
  const found = new Map<number, number>();
  const groupId = readerGroup(ctx);
  try {
    await store.read(topic, ranges, {
      groupId,
      onMessage: (m) => void found.set(m.partition, m.timestampMs),
    });
  } finally {
    await store.deleteGroup(groupId);
  }
  return found;
}

/** Refuses while the sink's group has live members, naming them. */
export async function refuseLiveMembers(ctx: DlqContext, what: string): Promise<void> {
  const { state, members } = await ctx.store.members(ctx.group);
  if (members.length === 0) return;
  const names = members.map((m) => `${m.clientId} on ${m.host} (${m.memberId})`).join(', ');
  throw new AdgateError(
    'group_has_members',
    `cannot ${what}: the group ${ctx.group} is ${state} with ${members.length} live member(s): ${names}. Stop those instances (drain them) first.`,
    { retriable: false },
  );
}
