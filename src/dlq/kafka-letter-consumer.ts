import type { Admin, Kafka, Consumer as KafkaJsConsumer } from 'kafkajs';
import { AdgateError, errorMessage } from '../errors/adgate-error.js';
import { classifyKafkaError } from '../kafka/classify-kafka-error.js';
import type { InboundMessage } from '../kafka/types.js';
import { inboundMessages } from '../kafka/wrap-batch.js';
import type { Logger } from '../telemetry/logger.js';

/**
 * The Kafka side of the DLQ consumer: the only file of src/dlq/ that knows
 * kafkajs (src/kafka/types.ts says why that matters). Unlike the sink's
 * consumer, this one commits outside the batch handler (a letter waiting
 * for its backoff is committed past when its timer fires, long after its
 * batch returned) and pauses partitions (while too many letters wait).
 */
export interface LetterBatch {
  readonly partition: number;
  readonly messages: readonly InboundMessage[];
  /** False once the partition was taken away or the consumer is stopping. */
  isCurrent(): boolean;
}

export interface LetterConsumer {
  start(handler: (batch: LetterBatch) => Promise<void>): Promise<void>;
  /** Commits `nextOffset` (the next offset to read) for one partition. */
  commit(partition: number, nextOffset: bigint): Promise<void>;
  pause(partitions: readonly number[]): void;
  resume(partitions: readonly number[]): void;
  onAssignment(listener: (partitions: readonly number[]) => void): void;
  /** kafkajs gave up on the consumer (it will not restart it). */
  onFailure(listener: (error: AdgateError) => void): void;
  /** Stops fetching, waits for the handler in flight, leaves the group. Idempotent. */
  stop(): Promise<void>;
  /** Per partition of `topic`: its log start and end, and the group's committed offset. */
  positions(topic: string): Promise<TopicPositions>;
}

export type TopicPositions = { partition: number; low: bigint; high: bigint; committed?: bigint }[];

export interface LetterConsumerSettings {
  readonly groupId: string;
  readonly topic: string;
  readonly sessionTimeoutMs: number;
}

export function createLetterConsumer(
  kafka: Kafka,
  settings: LetterConsumerSettings,
  log: Logger,
): LetterConsumer {
  const consumer: KafkaJsConsumer = kafka.consumer({
    groupId: settings.groupId,
    sessionTimeout: settings.sessionTimeoutMs,
    heartbeatInterval: Math.min(1_000, Math.floor(settings.sessionTimeoutMs / 3)),
    maxWaitTimeInMs: 1_000,
    // Letters are few and may be large: a small fetch keeps memory small.
    maxBytesPerPartition: 1024 * 1024,
    allowAutoTopicCreation: false,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 5_000 },
  });
  const { topic } = settings;
  const { assignmentListeners, failureListeners } = watchGroup(consumer, topic, log);
  let stopping: Promise<void> | undefined;
  let stopped = false;
  const admin = kafka.admin();
  let adminReady: Promise<void> | undefined;

  return {
    async start(handler) {
      try {
        await consumer.connect();
        await consumer.subscribe({ topics: [topic], fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: 1,
          eachBatch: async ({ batch, resolveOffset, isStale, isRunning }) => {
            const messages = inboundMessages(batch);
            await handler({
              partition: batch.partition,
              messages,
              isCurrent: () => isRunning() && !isStale(),
            });
            // The fetch position moves on; what is committed is the handler's call.
            const last = messages.at(-1);
            if (last !== undefined) resolveOffset(String(last.offset));
          },
        });
      } catch (error) {
        throw classifyKafkaError(error);
      }
    },
    async commit(partition, nextOffset) {
      if (stopped) return;
      await consumer.commitOffsets([{ topic, partition, offset: String(nextOffset) }]);
    },
    // kafkajs throws when run() has not been called yet (a start that
    // failed, then a drain): nothing is being fetched to pause then.
    pause: (partitions) => {
      if (partitions.length > 0)
        ignoreNotRunning(() => consumer.pause([{ topic, partitions: [...partitions] }]));
    },
    resume: (partitions) => {
      if (partitions.length > 0)
        ignoreNotRunning(() => consumer.resume([{ topic, partitions: [...partitions] }]));
    },
    onAssignment: (listener) => void assignmentListeners.push(listener),
    onFailure: (listener) => void failureListeners.push(listener),
    stop() {
      stopping ??= (async () => {
        await consumer.stop();
        stopped = true;
        await consumer.disconnect();
        if (adminReady !== undefined) await admin.disconnect();
      })();
      return stopping;
    },
    async positions(which) {
      adminReady ??= admin.connect().catch((error: unknown) => {
        adminReady = undefined;
        throw error;
      });
      await adminReady;
      return readPositions(admin, settings.groupId, which);
    },
  };
}

async function readPositions(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<TopicPositions> {
  const [bounds, offsets] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const committed = new Map(
    (offsets[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]),
  );
  return bounds.map((b) => {
    const c = committed.get(b.partition);
    return {
      partition: b.partition,
      low: BigInt(b.low),
      high: BigInt(b.high),
      committed: c === undefined || c < 0n ? undefined : c,
    };
  });
}

/** Listeners for new assignments and for a consumer kafkajs will not restart. */
function watchGroup(consumer: KafkaJsConsumer, topic: string, log: Logger) {
  const assignmentListeners: ((partitions: readonly number[]) => void)[] = [];
  const failureListeners: ((error: AdgateError) => void)[] = [];
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    const partitions = event.payload.memberAssignment[topic] ?? [];
    for (const listener of assignmentListeners) listener(partitions);
  });
  consumer.on(consumer.events.CRASH, (event) => {
    if (event.payload.restart) return;
    const error = new AdgateError(
      'dlq_consumer_crashed',
      `the DLQ consumer stopped for good: ${errorMessage(event.payload.error)}`,
      { retriable: false, cause: event.payload.error },
    );
    log.error('DLQ consumer crashed for good', { reason: error.reason, error });
    for (const listener of failureListeners) listener(error);
  });
  return { assignmentListeners, failureListeners };
}

function ignoreNotRunning(action: () => void): void {
  try {
    action();
  } catch {
    // Not running: there is no fetch to pause or resume.
  }
}
