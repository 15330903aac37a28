import type { Admin, ITopicConfig, Kafka } from 'kafkajs';
import { createKafka } from '../../src/kafka/create-kafka.js';
import { within } from '../../testkit/wait-for.js';
import { KAFKA_BROKERS, quietLog } from './services.js';

export interface KafkaWithTopics {
  readonly kafka: Kafka;
  readonly admin: Admin;
  /** Deletes the topics and disconnects the admin. */
  close(): Promise<void>;
}

/** adgate's kafkajs client on the shared broker, and an admin that created `topics` (leaders elected). */
export async function kafkaWithTopics(topics: readonly ITopicConfig[]): Promise<KafkaWithTopics> {
  const kafka = createKafka(
    { clientId: 'adgate-test', brokers: KAFKA_BROKERS.split(',') },
    quietLog,
  );
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [...topics] });
  return {
    kafka,
    admin,
    async close() {
      await admin.deleteTopics({ topics: topics.map((t) => t.topic) }).catch(() => undefined);
      await within(30_000, 'admin disconnect', admin.disconnect());
    },
  };
}
