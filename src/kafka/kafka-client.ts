import {
  type Admin,
  type EachBatchPayload,
  Kafka,
  type Consumer as KafkaJsConsumer,
  type Producer as KafkaJsProducer,
  type LogEntry,
  logLevel,
} from 'kafkajs';
import { AdgateError, DependencyUnavailableError, errorMessage } from '../errors/adgate-error.js';
import type { Logger } from '../telemetry/logger.js';
import { classifyKafkaError } from './classify-kafka-error.js';
import type {
  BatchConsumer,
  InboundBatch,
  InboundMessage,
  OutboundMessage,
  Producer,
} from './types.js';

// The only file that imports kafkajs (see types.ts for why).

export interface KafkaSettings {
  readonly clientId: string;
  readonly brokers: readonly string[];
}

export function createKafka(settings: KafkaSettings, log: Logger): Kafka {
  const kafkaLog = log.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: settings.clientId,
    brokers: [...settings.brokers],
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 200, maxRetryTime: 5_000, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...fields } = entry;
        // Every deploy and scale-out rebalances the group, and kafkajs
        // reports the heartbeats refused meanwhile as errors: routine, so
        // they must not page anyone.
        if (isRoutineRebalance(fields)) kafkaLog.info(message, fields);
        else if (level <= logLevel.ERROR) kafkaLog.error(message, fields);
        else kafkaLog.warn(message, fields);
      },
  });
}

// kafkajs's text for the broker's REBALANCE_IN_PROGRESS (error code 27).
const REBALANCING_TEXT = 'The group is rebalancing, so a rejoin is needed';

/** Whether a kafkajs log entry is a request refused because the group is rebalancing. */
export function isRoutineRebalance(fields: Record<string, unknown>): boolean {
  return fields.error === REBALANCING_TEXT;
}

export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
  readonly replication: number;
}

/** Creates the topics that are missing (SPEC §4); existing ones are left as they are. */
export async function ensureTopics(kafka: Kafka, topics: readonly TopicSpec[]): Promise<void> {
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length === 0) return;
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.topic,
          numPartitions: t.partitions,
          replicationFactor: t.replication,
        })),
      });
    } catch (error) {
      // Another instance may have created them a moment ago.
      const now = new Set(await admin.listTopics());
      if (missing.some((t) => !now.has(t.topic))) throw error;
    }
  } catch (error) {
    throw classifyKafkaError(error);
  } finally {
    await admin.disconnect();
  }
}

// A broker refuses a record batch over message.max.bytes (1 MiB by
// default), and kafkajs writes one record batch per partition per request;
// capping a whole request below that keeps every partition's share under it.
// The cap is lower still because kafkajs encodes a request in one
// synchronous run (about 20 µs a record on a slow 2-core machine): at 900 KiB
// that held the event loop, HTTP and sink alike, for up to 170 ms under load.
// 256 KiB (about 900 events) still takes a 500-event HTTP request whole;
// 128 KiB split those in two round trips and doubled their ack p99.
const MAX_REQUEST_BYTES = 256 * 1024;
// Past this much waiting to be sent, new sends fail at once (the caller
// answers 503) instead of queueing without bound while Kafka is away.
const MAX_QUEUED_BYTES = 64 * 1024 * 1024;

interface PendingSend {
  readonly topic: string;
  readonly messages: readonly OutboundMessage[];
  readonly bytes: number;
  settle(error?: unknown): void;
}

/**
 * The idempotent producer (acks from all in-sync replicas), with exactly
 * one request in flight. kafkajs's idempotent producer loses or misorders
 * messages when several send() calls overlap (tulios/kafkajs#1005, #598),
 * so concurrent callers are queued here and coalesced into one sendBatch:
 * this is also what makes many small HTTP requests cheap.
 */
export function createProducer(kafka: Kafka, log: Logger): Producer {
  const producer: KafkaJsProducer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // kafkajs merges the client's retry settings into the producer's; an
    // idempotent producer must retry without limit or its sequence numbers
    // can go wrong. Callers are bounded by their own timeout instead.
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 5_000 },
  });
  let connected: Promise<void> | undefined;
  let closing: Promise<void> | undefined;
  const queue: PendingSend[] = [];
  let queuedBytes = 0;
  let pumping: Promise<void> | undefined;

  const connect = () => {
    connected ??= producer.connect().catch((error: unknown) => {
      connected = undefined;
      throw error;
    });
    return connected;
  };

  const takeRequest = (): PendingSend[] => {
    const taken: PendingSend[] = [];
    let bytes = 0;
    while (queue.length > 0) {
      const next = queue[0] as PendingSend;
      if (taken.length > 0 && bytes + next.bytes > MAX_REQUEST_BYTES) break;
      taken.push(next);
      bytes += next.bytes;
      queue.shift();
    }
    queuedBytes -= bytes;
    return taken;
  };

  const pump = async () => {
    while (queue.length > 0) {
      const taken = takeRequest();
      const byTopic = new Map<string, OutboundMessage[]>();
      for (const send of taken) {
        const list = byTopic.get(send.topic) ?? [];
        list.push(...send.messages);
        byTopic.set(send.topic, list);
      }
      try {
        await connect();
        await producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, messages]) => ({
            topic,
            messages: messages.map((m) => ({
              key: m.key,
              value: m.value,
              headers: m.headers,
              timestamp: m.timestampMs === undefined ? undefined : String(m.timestampMs),
            })),
          })),
        });
        for (const send of taken) send.settle();
      } catch (error) {
        log.warn('Kafka produce failed', { error });
        for (const send of taken) send.settle(classifyKafkaError(error));
      }
    }
  };

  return {
    send(topic, messages, timeoutMs) {
      if (closing !== undefined) {
        return Promise.reject(
          new DependencyUnavailableError('kafka_unavailable', 'the producer is closing'),
        );
      }
      // Cut a large send into pieces that fit one request each.
      const pieces: OutboundMessage[][] = [];
      const pieceBytes: number[] = [];
      let current: OutboundMessage[] = [];
      let currentBytes = 0;
      for (const m of messages) {
        const size = m.value.length + (m.key?.length ?? 0) + 64;
        if (current.length > 0 && currentBytes + size > MAX_REQUEST_BYTES) {
          pieces.push(current);
          pieceBytes.push(currentBytes);
          current = [];
          currentBytes = 0;
        }
        current.push(m);
        currentBytes += size;
      }
      if (current.length > 0) {
        pieces.push(current);
        pieceBytes.push(currentBytes);
      }
      const total = pieceBytes.reduce((a, b) => a + b, 0);
      if (queuedBytes + total > MAX_QUEUED_BYTES) {
        return Promise.reject(
          new DependencyUnavailableError(
            'kafka_unavailable',
            'Kafka is not keeping up: send queue full',
          ),
        );
      }
      const acks = pieces.map(
        (piece, i) =>
          new Promise<void>((resolve, reject) => {
            queue.push({
              topic,
              messages: piece,
              bytes: pieceBytes[i] ?? 0,
              settle: (error) => (error === undefined ? resolve() : reject(error)),
            });
          }),
      );
      queuedBytes += total;
      pumping ??= pump().finally(() => {
        pumping = undefined;
      });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new DependencyUnavailableError(
                'kafka_unavailable',
                `Kafka did not acknowledge within ${timeoutMs} ms`,
              ),
            ),
          timeoutMs,
        );
      });
      // A piece that fails after the timeout already answered is handled here.
      const all = Promise.all(acks).then(() => undefined);
      all.catch(() => undefined);
      return Promise.race([all, timeout]).finally(() => clearTimeout(timer));
    },
    close() {
      closing ??= (async () => {
        await pumping;
        await producer.disconnect();
      })();
      return closing;
    },
  };
}

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
  const consumer: KafkaJsConsumer = kafka.consumer({
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
  const assignmentListeners: ((partitions: readonly number[]) => void)[] = [];
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    const partitions = event.payload.memberAssignment[settings.topic] ?? [];
    log.info('partitions assigned', { groupId: settings.groupId, partitions });
    for (const listener of assignmentListeners) listener(partitions);
  });
  const failures = watchFailures(consumer, log);
  let stopping: Promise<void> | undefined;
  let closing: Promise<void> | undefined;

  const wrap = (payload: EachBatchPayload): InboundBatch => {
    const { batch } = payload;
    const messages: InboundMessage[] = batch.messages.map((m) => ({
      topic: batch.topic,
      partition: batch.partition,
      offset: BigInt(m.offset),
      key: m.key,
      value: m.value,
      headers: m.headers as Record<string, Buffer | undefined>,
      timestampMs: Number(m.timestamp),
    }));
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
  };

  return {
    async start(handler) {
      try {
        await consumer.connect();
        await consumer.subscribe({ topics: [settings.topic], fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: settings.concurrency,
          eachBatch: async (payload) => {
            try {
              await handler(wrap(payload));
            } catch (error) {
              failures.thrown(error);
              throw error;
            }
          },
        });
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
    onAssignment(listener) {
      assignmentListeners.push(listener);
    },
    onFailure: failures.onFailure,
  };
}

/**
 * kafkajs restarts a crashed consumer only when the error's innermost
 * cause says `retriable: true` (or its retries ran out); any other error
 * thrown from eachBatch (a TypeError, an AdgateError with retriable:
 * false, a non-retriable group error) leaves the consumer disconnected for
 * good, with CRASH { restart: false } its only trace. That is a failure of
 * the instance (SPEC §7), not a log line: the listeners hear of it.
 */
function watchFailures(consumer: KafkaJsConsumer, log: Logger) {
  const listeners: ((error: AdgateError) => void)[] = [];
  // What the handler last threw that kafkajs will not retry. kafkajs keeps
  // only the innermost cause (KafkaJSNonRetriableError's cause is
  // `e.cause || e`), which loses the AdgateError and its reason when that
  // error has a cause of its own (a pg error).
  let handlerFailure: AdgateError | undefined;
  consumer.on(consumer.events.CRASH, (event) => {
    const { error, restart } = event.payload;
    if (restart) {
      log.warn('Kafka consumer crashed; kafkajs restarts it', { error });
      return;
    }
    const failure = handlerFailure ?? consumerFailure(error);
    handlerFailure = undefined;
    for (const listener of listeners) listener(failure);
  });
  return {
    thrown(error: unknown) {
      if (error instanceof AdgateError && !error.retriable) handlerFailure = error;
    },
    onFailure(listener: (error: AdgateError) => void) {
      listeners.push(listener);
    },
  };
}

/**
 * The error that stopped a consumer for good: the outermost AdgateError in
 * its cause chain (kafkajs wraps what eachBatch threw in
 * KafkaJSNonRetriableError), so that its reason names the real cause;
 * anything else is 'kafka_consumer_crashed'.
 */
export function consumerFailure(error: unknown): AdgateError {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 10; depth += 1) {
    if (e instanceof AdgateError) return e;
    e = e.cause;
  }
  return new AdgateError(
    'kafka_consumer_crashed',
    `the Kafka consumer stopped for good: ${errorMessage(error)}`,
    { retriable: false, cause: error },
  );
}
