import type { Kafka } from 'kafkajs';
import type { Logger } from '../telemetry/logger.js';
import { describeLimits, type TopicLimits } from './ensure-topics.js';
import { BATCH_OVERHEAD_BYTES } from './record-size.js';

/** What the producer knows of each topic's max.message.bytes. */
export interface TopicLimitBook {
  /** The room for records in one record batch of `topic` (unbounded when unknown). */
  batchRoom(topic: string): number;
  /** The largest record `topic` takes, or undefined when its limit is unknown. */
  maxRecordBytes(topic: string): number | undefined;
  /** Reads the limits of `topics` again from the brokers; a failure is logged and keeps the old. */
  reread(topics: readonly string[]): Promise<void>;
}

export function createTopicLimitBook(
  kafka: Kafka,
  log: Logger,
  initial: TopicLimits = new Map(),
): TopicLimitBook {
  const limits = new Map(initial);
  return {
    batchRoom: (topic) => (limits.get(topic) ?? Number.POSITIVE_INFINITY) - BATCH_OVERHEAD_BYTES,
    maxRecordBytes(topic) {
      const limit = limits.get(topic);
      return limit === undefined ? undefined : limit - BATCH_OVERHEAD_BYTES;
    },
    async reread(topics) {
      const admin = kafka.admin();
      try {
        await admin.connect();
        const fresh = await describeLimits(admin, topics);
        topics.forEach((topic, i) => {
          const limit = fresh[i];
          if (limit !== undefined) limits.set(topic, limit);
        });
      } catch (error) {
        log.warn('could not read the topics’ limits again', { error });
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
  };
}
