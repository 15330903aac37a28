import { Kafka, logLevel } from 'kafkajs';
import { waitFor, within } from '../../testkit/wait-for.js';
import { uniqueName } from './names.js';
import { createTestDatabase, KAFKA_BROKERS, REDIS_URL, type TestDatabase } from './services.js';

export interface TestPipeline {
  readonly env: Record<string, string>;
  readonly db: TestDatabase;
  readonly topic: string;
  readonly dlqTopic: string;
  readonly deadTopic: string;
  readonly group: string;
  readonly kafka: Kafka;
  /** Offsets the group committed, summed over the topic's partitions. */
  committedTotal(): Promise<bigint>;
  /** The high watermarks of the topic, summed. */
  endTotal(topic?: string): Promise<bigint>;
  cleanup(): Promise<void>;
}

/** Topics, group, Redis prefix and database of its own for one test. */
export async function createTestPipeline(
  options: {
    partitions?: number;
    env?: Record<string, string>;
    /** The cluster to create the database on (default: the shared one). */
    pgAdminUrl?: string;
  } = {},
): Promise<TestPipeline> {
  const base = uniqueName('t');
  const topic = `${base}.events`;
  const db = await createTestDatabase({ adminUrl: options.pgAdminUrl });
  const kafka = new Kafka({
    clientId: 'adgate-test',
    brokers: KAFKA_BROKERS.split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const env: Record<string, string> = {
    ADGATE_KAFKA_BROKERS: KAFKA_BROKERS,
    ADGATE_REDIS_URL: REDIS_URL,
    ADGATE_DATABASE_URL: db.url,
    ADGATE_TOPIC: topic,
    ADGATE_DLQ_TOPIC: `${topic}.dlq`,
    ADGATE_DEAD_TOPIC: `${topic}.dead`,
    ADGATE_TOPIC_PARTITIONS: String(options.partitions ?? 3),
    ADGATE_CONSUMER_GROUP: `${base}.sink`,
    ADGATE_REDIS_KEY_PREFIX: base,
    ADGATE_BATCH_MAX_AGE_MS: '50',
    ...options.env,
  };
  const pipeline: TestPipeline = {
    env,
    db,
    topic,
    dlqTopic: `${topic}.dlq`,
    deadTopic: `${topic}.dead`,
    group: `${base}.sink`,
    kafka,
    async committedTotal() {
      const offsets = await admin.fetchOffsets({
        groupId: env.ADGATE_CONSUMER_GROUP as string,
        topics: [topic],
      });
      let total = 0n;
      for (const t of offsets)
        for (const p of t.partitions) if (Number(p.offset) > 0) total += BigInt(p.offset);
      return total;
    },
    async endTotal(which = topic) {
      const offsets = await admin.fetchTopicOffsets(which);
      return offsets.reduce((sum, p) => sum + BigInt(p.high), 0n);
    },
    async cleanup() {
      await admin
        .deleteTopics({ topics: [topic, `${topic}.dlq`, `${topic}.dead`] })
        .catch(() => undefined);
      await admin.disconnect();
      await db.drop();
    },
  };
  return pipeline;
}

/**
 * Waits until the group's committed offsets reach the end of the topic as
 * it is now (every message read, landed and committed). On a timeout the
 * error carries the tail of `output` (the gateway's log).
 */
export async function waitAllCommitted(
  pipeline: TestPipeline,
  output: () => string = () => '',
  timeoutMs = 120_000,
): Promise<void> {
  const end = await pipeline.endTotal();
  try {
    await waitFor(
      "the group's committed offsets to reach the end of the topic",
      async () => (await pipeline.committedTotal()) === end,
      timeoutMs,
      250,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- gateway ---\n${output().slice(-4000)}`);
  }
}

/** Creates the pipeline's topics ahead of the gateway (for tests that produce first). */
export async function createTopics(pipeline: TestPipeline, partitions: number): Promise<void> {
  const admin = pipeline.kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [pipeline.topic, pipeline.dlqTopic, pipeline.deadTopic].map((topic) => ({
        topic,
        numPartitions: partitions,
        replicationFactor: 1,
      })),
    });
  } finally {
    await admin.disconnect();
  }
}

/** Writes raw messages straight into a topic, as an upstream producer would. */
export async function produceRaw(
  pipeline: TestPipeline,
  messages: {
    key?: string | null;
    value: string | Buffer | null;
    headers?: Record<string, string>;
  }[],
  topic = pipeline.topic,
): Promise<void> {
  const producer = pipeline.kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 1000) {
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 1000) });
    }
  } finally {
    await producer.disconnect();
  }
}

export interface ReadMessage {
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  partition: number;
  offset: string;
  /** CreateTime, ms since the epoch. */
  timestamp: number;
}

/**
 * Reads every message of a topic from the beginning, until `count` arrived.
 * Rejects past `timeoutMs` with how many did: fewer than expected is a
 * failure, never a shorter answer.
 */
export async function readTopic(
  pipeline: Pick<TestPipeline, 'kafka'>,
  topic: string,
  count: number,
  timeoutMs = 30_000,
): Promise<ReadMessage[]> {
  const consumer = pipeline.kafka.consumer({ groupId: `${topic}.reader.${Date.now()}` });
  const out: ReadMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let done!: () => void;
    const finished = new Promise<void>((r) => {
      done = r;
    });
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        out.push({
          key: message.key?.toString() ?? null,
          value: message.value,
          headers,
          partition,
          offset: message.offset,
          timestamp: Number(message.timestamp),
        });
        if (out.length >= count) done();
      },
    });
    await within(timeoutMs, `${count} messages of ${topic}`, finished).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}: ${out.length} arrived`);
    });
    return out;
  } finally {
    await within(30_000, 'the reader to disconnect', consumer.disconnect());
  }
}
