import type { Admin, Kafka } from 'kafkajs';
import { classifyKafkaError } from './classify-kafka-error.js';
import { kafkajs } from './kafkajs.js';

// CommonJS: not visible to Node's ESM loader as a named export.
const { ConfigResourceTypes } = kafkajs;

// Kafka's "no limit" for message.timestamp.after.max.ms (Long.MAX_VALUE).
const UNBOUNDED_MS = 9_223_372_036_854_775_807n;

/**
 * What the settled watermark (src/billing/compute-watermark.ts) needs to
 * know of one topic, read with the admin API only: no consumer, so no
 * group to join (a join waits group.initial.rebalance.delay.ms, 3 s by
 * default) and nothing registered on the broker per question.
 */
export interface PartitionPositionReader {
  /** Per partition, the offset the next appended message will get (the high watermark). */
  readEnds(): Promise<ReadonlyMap<number, bigint>>;
  /**
   * Per partition, the first offset whose message timestamp is at or after
   * `timestampMs`, or the end offset when there is none: Kafka's
   * ListOffsets by timestamp, the only question about timestamps that
   * Kafka answers without reading messages.
   */
  readFirstOffsetsAt(timestampMs: number): Promise<ReadonlyMap<number, bigint>>;
  /**
   * The topic's message.timestamp.after.max.ms: how far past the broker's
   * clock a message timestamp may be (Kafka 4 defaults it to one hour);
   * undefined when unbounded.
   */
  readFutureLimitMs(): Promise<number | undefined>;
  /** Disconnects the admin client. Idempotent. */
  close(): Promise<void>;
}

/**
 * A PartitionPositionReader of `topic` over one lazily connected admin
 * client. Errors reach the caller classified (classify-kafka-error.ts):
 * a broker that does not answer is retriable, a missing topic is not.
 */
export function readPartitionPositions(kafka: Kafka, topic: string): PartitionPositionReader {
  let admin: Admin | undefined;
  let connecting: Promise<Admin> | undefined;
  let closing: Promise<void> | undefined;
  const connected = (): Promise<Admin> => {
    connecting ??= (async () => {
      const client = kafka.admin();
      await client.connect();
      admin = client;
      return client;
    })().catch((error: unknown) => {
      connecting = undefined; // the next question tries again
      throw error;
    });
    return connecting;
  };
  const ask = async <T>(question: (client: Admin) => Promise<T>): Promise<T> => {
    try {
      return await question(await connected());
    } catch (error) {
      throw classifyKafkaError(error);
    }
  };

  return {
    readEnds: () =>
      ask(async (client) => {
        const offsets = await client.fetchTopicOffsets(topic);
        return new Map(offsets.map((p) => [p.partition, BigInt(p.high)]));
      }),
    readFirstOffsetsAt: (timestampMs) =>
      ask(async (client) => {
        // kafkajs answers the end offset where no message is that late.
        const offsets = await client.fetchTopicOffsetsByTimestamp(topic, timestampMs);
        return new Map(offsets.map((p) => [p.partition, BigInt(p.offset)]));
      }),
    readFutureLimitMs: () =>
      ask(async (client) => {
        const described = await client.describeConfigs({
          includeSynonyms: false,
          resources: [
            {
              type: ConfigResourceTypes.TOPIC,
              name: topic,
              configNames: ['message.timestamp.after.max.ms'],
            },
          ],
        });
        const value = described.resources[0]?.configEntries[0]?.configValue;
        if (value === undefined || !/^\d+$/.test(value)) return undefined;
        const limit = BigInt(value);
        return limit >= UNBOUNDED_MS || limit > BigInt(Number.MAX_SAFE_INTEGER)
          ? undefined
          : Number(limit);
      }),
    close() {
      closing ??= (async () => {
        const client = admin ?? (await connecting?.catch(() => undefined));
        await client?.disconnect();
      })();
      return closing;
    },
  };
}
