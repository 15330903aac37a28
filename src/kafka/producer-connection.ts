import type { Kafka, Producer as KafkaJsProducer, ProducerConfig, TopicMessages } from 'kafkajs';
import type { Logger } from '../telemetry/logger.js';
import { createKeyPartitioner } from './partition-by-key.js';
import type { OutboundMessage } from './types.js';

const PRODUCER_CONFIG: ProducerConfig = {
  idempotent: true,
  maxInFlightRequests: 1,
  allowAutoTopicCreation: false,
  // kafkajs's default choices, without its per-message BigInt hashing.
  createPartitioner: createKeyPartitioner,
  // kafkajs merges the client's retry settings into the producer's; an
  // idempotent producer must retry without limit or its sequence numbers
  // can go wrong. Callers are bounded by their own timeout instead.
  retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 5_000 },
};

/** One topic's messages of a request, in queue order. */
export interface TopicShare {
  readonly topic: string;
  readonly messages: readonly OutboundMessage[];
}

/** The kafkajs idempotent producer behind adgate's Producer, connected on first use. */
export interface ProducerConnection {
  /** Sends one request, acknowledged by all in-sync replicas (acks -1). */
  sendRequest(shares: readonly TopicShare[]): Promise<void>;
  /**
   * Swaps in a fresh kafkajs producer, with a new producer id and fresh
   * sequence numbers, and closes the old one (see createProducer for why).
   */
  renew(): Promise<void>;
  disconnect(): Promise<void>;
}

export function createProducerConnection(kafka: Kafka, log: Logger): ProducerConnection {
  let producer: KafkaJsProducer = kafka.producer(PRODUCER_CONFIG);
  let connected: Promise<void> | undefined;

  const connect = () => {
    connected ??= producer.connect().catch((error: unknown) => {
      connected = undefined;
      throw error;
    });
    return connected;
  };

  return {
    async sendRequest(shares) {
      await connect();
      await producer.sendBatch({ acks: -1, topicMessages: toTopicMessages(shares) });
    },
    async renew() {
      const refused = producer;
      producer = kafka.producer(PRODUCER_CONFIG);
      connected = undefined;
      await refused.disconnect().catch((error: unknown) => {
        log.warn('closing the refused producer failed', { error });
      });
    },
    disconnect() {
      return producer.disconnect();
    },
  };
}

/** One request's sends as kafkajs's sendBatch takes them, a topic's in queue order. */
function toTopicMessages(shares: readonly TopicShare[]): TopicMessages[] {
  const byTopic = new Map<string, OutboundMessage[]>();
  for (const share of shares) {
    const list = byTopic.get(share.topic) ?? [];
    list.push(...share.messages);
    byTopic.set(share.topic, list);
  }
  return [...byTopic].map(([topic, messages]) => ({
    topic,
    messages: messages.map((m) => ({
      key: m.key,
      value: m.value,
      headers: m.headers,
      timestamp: m.timestampMs === undefined ? undefined : String(m.timestampMs),
    })),
  }));
}
