import type { Admin, Kafka, Consumer as KafkaJsConsumer } from 'kafkajs';
import type { InboundMessage } from '../kafka/types.js';

/**
 * The Kafka side of `adgate dlq` and `adgate offsets`: the only file of
 * those commands that knows kafkajs (src/kafka/types.ts says why). Small
 * operations an operator's command needs: partition bounds, a bounded read,
 * deleting a prefix, a group's committed offsets and members.
 */
export interface PartitionBounds {
  readonly partition: number;
  /** The first offset still in the log (log start, after retention or a purge). */
  readonly low: bigint;
  /** The offset the next message will get. */
  readonly high: bigint;
}

export interface ReadRange {
  readonly partition: number;
  readonly from: bigint;
  /** Exclusive. */
  readonly to: bigint;
}

export interface GroupMember {
  readonly memberId: string;
  readonly clientId: string;
  readonly host: string;
}

export interface LetterStore {
  bounds(topic: string): Promise<PartitionBounds[]>;
  /**
   * Reads each range in order and calls `onMessage` for each message; the
   * read ends when every range is done. `groupId` names the reading group:
   * with `commitEvery`, its offsets are committed after each call of
   * `onChunk` (what a resumable replay stores its progress in).
   */
  read(topic: string, ranges: readonly ReadRange[], options: ReadOptions): Promise<void>;
  /** Per partition, the first offset whose timestamp is at or after `ms` (high when none). */
  offsetsAt(topic: string, ms: number): Promise<Map<number, bigint>>;
  /** Deletes every record below `offset` in each partition (Kafka's DeleteRecords). */
  deleteBelow(topic: string, offsets: ReadonlyMap<number, bigint>): Promise<void>;
  committed(groupId: string, topic: string): Promise<Map<number, bigint>>;
  /** The metadata strings committed with the group's offsets, per partition. */
  committedMetadata(groupId: string, topic: string): Promise<Map<number, string>>;
  setCommitted(groupId: string, topic: string, offsets: ReadonlyMap<number, bigint>): Promise<void>;
  members(groupId: string): Promise<{ state: string; members: GroupMember[] }>;
  deleteGroup(groupId: string): Promise<void>;
  close(): Promise<void>;
}

export interface ReadOptions {
  readonly groupId: string;
  readonly onMessage: (message: InboundMessage) => Promise<void> | void;
  /**
   * Called once a fetched batch was handed over to onMessage, before
   * onBatchDone: what it returns is committed as the offsets' metadata,
   * first at the batch's start (before onBatchDone acts on the batch), then
   * at its end. A replay marks there where the ingest topic ended before it
   * sent the batch, so that a run killed in between finds what it sent.
   */
  readonly markBatch?: () => Promise<string | undefined>;
  /** Called after each fetched batch was handed over; its offsets are committed after it. */
  readonly onBatchDone?: (partition: number, nextOffset: bigint) => Promise<void> | void;
  readonly commit?: boolean;
  /** Fetch size per partition: small for a replay, so that progress is committed often. */
  readonly maxBytesPerPartition?: number;
  /** Stops the read early (an operator's Ctrl-C); resolves once the batch in hand is done. */
  readonly signal?: AbortSignal;
}

export function createLetterStore(kafka: Kafka): LetterStore {
  const admin: Admin = kafka.admin();
  let connected: Promise<void> | undefined;
  const ready = () => {
    connected ??= admin.connect();
    return connected;
  };
  return {
    async bounds(topic) {
      await ready();
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets
        .map((p) => ({ partition: p.partition, low: BigInt(p.low), high: BigInt(p.high) }))
        .sort((a, b) => a.partition - b.partition);
    },
    read: (topic, ranges, options) => readRanges(kafka, topic, ranges, options),
    async offsetsAt(topic, ms) {
      await ready();
      const found = await admin.fetchTopicOffsetsByTimestamp(topic, ms);
      return new Map(found.map((p) => [p.partition, BigInt(p.offset)]));
    },
    async deleteBelow(topic, offsets) {
      await ready();
      const partitions = [...offsets].map(([partition, offset]) => ({
        partition,
        offset: String(offset),
      }));
      if (partitions.length > 0) await admin.deleteTopicRecords({ topic, partitions });
    },
    async committed(groupId, topic) {
      await ready();
      const [found] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const map = new Map<number, bigint>();
      for (const p of found?.partitions ?? []) {
        if (Number(p.offset) >= 0) map.set(p.partition, BigInt(p.offset));
      }
      return map;
    },
    async committedMetadata(groupId, topic) {
      await ready();
      const [found] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const map = new Map<number, string>();
      for (const p of found?.partitions ?? []) {
        if (p.metadata !== null && p.metadata !== '') map.set(p.partition, p.metadata);
      }
      return map;
    },
    async setCommitted(groupId, topic, offsets) {
      await ready();
      const partitions = [...offsets].map(([partition, offset]) => ({
        partition,
        offset: String(offset),
      }));
      await admin.setOffsets({ groupId, topic, partitions });
    },
    async members(groupId) {
      await ready();
      const { groups } = await admin.describeGroups([groupId]);
      const group = groups[0];
      return {
        state: group?.state ?? 'Dead',
        members: (group?.members ?? []).map((m) => ({
          memberId: m.memberId,
          clientId: m.clientId,
          host: m.clientHost,
        })),
      };
    },
    async deleteGroup(groupId) {
      await ready();
      await admin.deleteGroups([groupId]).catch(() => undefined);
    },
    async close() {
      if (connected !== undefined) await admin.disconnect();
    },
  };
}

/**
 * A bounded read through a consumer group member: seeks each partition to
 * its range's start, hands over every message below its end, and stops
 * once every range is done. A range that ends in records kafkajs never
 * hands over (a transaction's control records, written by an upstream
 * producer into the ingest topic) would never be done: after IDLE_MS with
 * no batch at all, the read ends with what it has. 30 s, not less: a
 * loaded broker (a CI machine with the broker just started) was seen to go
 * more than 10 s between a group join and the first batch of a partition,
 * and a read that ends early under-counts.
 */
const IDLE_MS = 30_000;

async function readRanges(
  kafka: Kafka,
  topic: string,
  ranges: readonly ReadRange[],
  options: ReadOptions,
): Promise<void> {
  const todo = new Map(ranges.filter((r) => r.to > r.from).map((r) => [r.partition, r]));
  if (todo.size === 0 || options.signal?.aborted) return;
  const consumer: KafkaJsConsumer = kafka.consumer({
    groupId: options.groupId,
    // A killed replay's member holds the group until its session times
    // out; a short session lets the resumed run in sooner.
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 500,
    maxBytesPerPartition: options.maxBytesPerPartition ?? 1024 * 1024,
  });
  let finish!: () => void;
  let fail!: (error: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  // An interrupt ends the read between batches: the batch in hand is
  // handed over and committed first, so that a resumed replay does not
  // send it again.
  let busy = false;
  const onAbort = () => {
    if (!busy) finish();
  };
  options.signal?.addEventListener('abort', onAbort);
  // Idle counts from the assignment: joining a group can take a session
  // timeout, while a killed member of it is still registered.
  let lastBatchMs: number | undefined;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    lastBatchMs = Date.now();
  });
  const idle = setInterval(() => {
    if (!busy && lastBatchMs !== undefined && Date.now() - lastBatchMs > IDLE_MS) finish();
  }, 1_000);
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset }) => {
        busy = true;
        lastBatchMs = Date.now();
        try {
          await handleRangeBatch(batch, todo, options, consumer, topic);
          // The fetch position moves on (what is committed is said above).
          const last = batch.messages.at(-1);
          if (last !== undefined) resolveOffset(last.offset);
          if (todo.size === 0 || options.signal?.aborted) finish();
        } catch (error) {
          fail(error);
        } finally {
          busy = false;
        }
      },
    });
    for (const range of todo.values()) {
      consumer.seek({ topic, partition: range.partition, offset: String(range.from) });
    }
    await finished;
  } finally {
    clearInterval(idle);
    options.signal?.removeEventListener('abort', onAbort);
    await consumer.disconnect();
  }
}

async function handleRangeBatch(
  batch: import('kafkajs').Batch,
  todo: Map<number, ReadRange>,
  options: ReadOptions,
  consumer: KafkaJsConsumer,
  topic: string,
): Promise<void> {
  const range = todo.get(batch.partition);
  if (range === undefined || options.signal?.aborted) return;
  let next = range.from;
  for (const m of batch.messages) {
    const offset = BigInt(m.offset);
    if (offset < range.from || offset >= range.to) continue;
    await options.onMessage({
      topic,
      partition: batch.partition,
      offset,
      key: m.key,
      value: m.value,
      headers: m.headers as Record<string, Buffer | undefined>,
      timestampMs: Number(m.timestamp),
    });
    next = offset + 1n;
    if (options.signal?.aborted) break;
  }
  if (next === range.from) return;
  const metadata = (await options.markBatch?.()) ?? null;
  const commit = (offset: bigint) =>
    consumer.commitOffsets([
      { topic, partition: batch.partition, offset: String(offset), metadata },
    ]);
  if (options.commit === true && metadata !== null) await commit(range.from);
  await options.onBatchDone?.(batch.partition, next);
  if (options.commit === true) await commit(next);
  todo.set(batch.partition, { ...range, from: next });
  if (next >= range.to) todo.delete(batch.partition);
}

/** The larger of two offsets (Math.max does not take bigints). */
export function laterOffset(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/** The smaller of two offsets. */
export function earlierOffset(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
