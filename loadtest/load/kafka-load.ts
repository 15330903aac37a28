import { CompressionTypes, type Kafka, Partitioners, type Producer } from 'kafkajs';

/** What the Kafka-direct side of the load did. */
export interface KafkaStats {
  sends: number;
  messages: number;
  malformed: number;
  /** Sends retried after kafkajs gave up: their messages may be in the topic twice. */
  retried: number;
  /** Malformed messages in retried sends: each may reach the DLQ twice. */
  retriedMalformed: number;
  /** Sends given up on: their messages may be missing. */
  failed: number;
  readonly ackMs: number[];
}

export function emptyKafkaStats(): KafkaStats {
  return {
    sends: 0,
    messages: 0,
    malformed: 0,
    retried: 0,
    retriedMalformed: 0,
    failed: 0,
    ackMs: [],
  };
}

/** The source header adgate stores with each event written straight into Kafka (SPEC §6). */
export const BENCH_SOURCE = 'bench-kafka';

const MAX_ATTEMPTS = 5;

/** One message as kafkajs sends it: key, value, the source header. */
export interface KafkaRecord {
  readonly key: string;
  readonly value: Buffer | string;
  readonly headers: { readonly 'adgate-source': string };
  /** Chosen before the window (what kafkajs's default partitioner would pick), so that it is not hashed in it. */
  readonly partition?: number;
}

/**
 * The partition kafkajs's default partitioner (Java-compatible murmur2 of
 * the key) picks for a key among `partitions`: the same as it would
 * choose while sending.
 */
export function keyPartitioner(topic: string, partitions: number): (key: string) => number {
  const pick = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
  }));
  return (key) => pick({ topic, partitionMetadata, message: { key, value: null } });
}

/** The records of a Kafka-direct send; values as bytes, so that kafkajs does not encode them in the timed window. */
export function toKafkaRecords(
  messages: readonly { readonly key: string; readonly value: string }[],
  partitionOf?: (key: string) => number,
): KafkaRecord[] {
  return messages.map((m) => ({
    key: m.key,
    value: Buffer.from(m.value),
    headers: { 'adgate-source': BENCH_SOURCE },
    ...(partitionOf === undefined ? {} : { partition: partitionOf(m.key) }),
  }));
}

/**
 * An upstream producer writing straight into the ingest topic, as SPEC §4
 * allows: key = impression id, value = the event's JSON, acks from all
 * in-sync replicas. Not idempotent, so that several sends can be in flight.
 */
export class KafkaLoad {
  private readonly producer: Producer;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
  ) {
    this.producer = kafka.producer({ allowAutoTopicCreation: false });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  async send(records: readonly KafkaRecord[], malformed: number, stats: KafkaStats): Promise<void> {
    const started = performance.now();
    stats.sends += 1;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.producer.send({
          topic: this.topic,
          acks: -1,
          compression: CompressionTypes.None,
          messages: records as KafkaRecord[],
        });
        stats.messages += records.length;
        stats.malformed += malformed;
        stats.ackMs.push(performance.now() - started);
        return;
      } catch {
        if (attempt >= MAX_ATTEMPTS) {
          stats.failed += 1;
          return;
        }
        // Part of the send may have landed: harmless for events (same
        // idempotency key), but a malformed message may reach the DLQ twice.
        stats.retried += 1;
        stats.retriedMalformed += malformed;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  close(): Promise<void> {
    return this.producer.disconnect();
  }
}
