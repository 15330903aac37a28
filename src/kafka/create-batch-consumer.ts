import type { Kafka, Consumer as KafkaJsConsumer } from 'kafkajs';
import type { Logger } from '../telemetry/logger.js';
import { classifyKafkaError } from './classify-kafka-error.js';
import type { BatchConsumer, InboundBatch } from './types.js';
import { type ConsumerFailures, watchConsumerFailures } from './watch-consumer-failures.js';
import { wrapBatch } from './wrap-batch.js';

export interface ConsumerSettings {
  readonly groupId: string;
  readonly topic: string;
  /** How many partitions' batches are handled at once (they are coalesced by the sink). */
  readonly concurrency: number;
  /** The longest the broker waits to fill a fetch. */
  readonly maxWaitMs: number;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  readonly maxBytesPerPartition?: number;
}

/**
 * A consumer group member with auto-commit off and
 * `eachBatchAutoResolve` off: offsets move only when the sink says so.
 */
export function createBatchConsumer(
  kafka: Kafka,
  settings: ConsumerSettings,
  log: Logger,
): BatchConsumer {
  const consumer = newGroupMember(kafka, settings);
  const assignments = watchAssignments(consumer, settings, log);
  const failures = watchConsumerFailures(consumer, log);
  let stopping: Promise<void> | undefined;
  let closing: Promise<void> | undefined;
  return {
    async start(handler) {
      try {
        await runConsumer(consumer, settings, handler, failures);
      } catch (error) {
        throw classifyKafkaError(error);
      }
    },
    stop() {
      // kafkajs's stop() stops fetching, waits for eachBatch calls in
      // flight, then leaves the group.
      stopping ??= consumer.stop();
      return stopping;
    },
    close() {
      closing ??= (async () => {
        await this.stop();
        await consumer.disconnect();
      })();
      return closing;
    },
    onAssignment: assignments.onAssignment,
    onFailure: failures.onFailure,
  };
}

function newGroupMember(kafka: Kafka, settings: ConsumerSettings): KafkaJsConsumer {
  return kafka.consumer({
    groupId: settings.groupId,
    sessionTimeout: settings.sessionTimeoutMs ?? 30_000,
    rebalanceTimeout: 60_000,
    heartbeatInterval: settings.heartbeatIntervalMs ?? 3_000,
    maxWaitTimeInMs: settings.maxWaitMs,
    // 1 MiB is thousands of events per partition per fetch: batches stay
    // large while six partitions in flight stay small in memory.
    maxBytesPerPartition: settings.maxBytesPerPartition ?? 1024 * 1024,
    allowAutoTopicCreation: false,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 5_000 },
  });
}

/** Tells the listeners the partitions of each new assignment (GROUP_JOIN, a rebalance done). */
function watchAssignments(consumer: KafkaJsConsumer, settings: ConsumerSettings, log: Logger) {
  const listeners: ((partitions: readonly number[]) => void)[] = [];
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    const partitions = event.payload.memberAssignment[settings.topic] ?? [];
    log.info('partitions assigned', { groupId: settings.groupId, partitions });
    for (const listener of listeners) listener(partitions);
  });
  return {
    onAssignment(listener: (partitions: readonly number[]) => void) {
      listeners.push(listener);
    },
  };
}

/**
 * Joins the group and runs the handler per batch. Auto-commit and
 * auto-resolve are off: a position moves only through InboundBatch.commit,
 * after the PostgreSQL write (SPEC §4).
 */
async function runConsumer(
  consumer: KafkaJsConsumer,
  settings: ConsumerSettings,
  handler: (batch: InboundBatch) => Promise<void>,
  failures: ConsumerFailures,
): Promise<void> {
  await consumer.connect();
  await consumer.subscribe({ topics: [settings.topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: settings.concurrency,
    eachBatch: async (payload) => {
      try {
        await handler(wrapBatch(payload));
      } catch (error) {
        // Seen here, before kafkajs keeps only its innermost cause.
        failures.thrown(error);
        throw error;
      }
    },
  });
}
