import { type Kafka, Partitioners } from 'kafkajs';
import { ProduceConnection } from '../../testkit/kafka/produce-connection.js';
import {
  type BatchRecord,
  encodePartitionBatches,
  type PartitionBatch,
  restampBatch,
} from '../../testkit/kafka/record-batches.js';

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

/** The records of one Kafka-direct send, encoded into one batch per partition before the window. */
export interface PreparedKafkaBatches {
  readonly batches: readonly PartitionBatch[];
  /** Messages in them. */
  readonly items: number;
}

const PRODUCE_SETTINGS = { acks: -1, timeoutMs: 30_000 } as const;

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

/** A send's messages as record batches, each on the partition its key picks, with the source header. */
export async function prepareKafkaBatches(
  messages: readonly { readonly key: string; readonly value: string }[],
  partitionOf: (key: string) => number,
): Promise<PreparedKafkaBatches> {
  const byPartition = new Map<number, BatchRecord[]>();
  for (const m of messages) {
    const partition = partitionOf(m.key);
    const records = byPartition.get(partition) ?? [];
    records.push({ key: m.key, value: m.value, headers: { 'adgate-source': BENCH_SOURCE } });
    byPartition.set(partition, records);
  }
  return { batches: await encodePartitionBatches(byPartition), items: messages.length };
}

/**
 * An upstream producer writing straight into the ingest topic, as SPEC §4
 * allows: key = impression id, value = the event's JSON, acks from all
 * in-sync replicas, several sends in flight. Its record batches are
 * encoded before the timed window (PreparedStream, record-batches.ts):
 * in the window it only stamps their time and writes them, over one
 * connection to each partition's leader, so that the bench's CPU is not
 * kafkajs's encoding (issue 15).
 */
export class KafkaLoad {
  private leaders = new Map<number, ProduceConnection>();

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
  ) {}

  /** Finds each partition's leader and opens a connection to each leader. */
  async connect(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const [metadata, cluster] = await Promise.all([
        admin.fetchTopicMetadata({ topics: [this.topic] }),
        admin.describeCluster(),
      ]);
      const byNode = new Map<number, Promise<ProduceConnection>>();
      const leaders = new Map<number, ProduceConnection>();
      for (const p of metadata.topics[0]?.partitions ?? []) {
        const broker = cluster.brokers.find((b) => b.nodeId === p.leader);
        if (broker === undefined)
          throw new Error(`no broker for the leader of partition ${p.partitionId}`);
        if (!byNode.has(broker.nodeId))
          byNode.set(broker.nodeId, ProduceConnection.open(broker.host, broker.port));
        leaders.set(p.partitionId, await (byNode.get(broker.nodeId) as Promise<ProduceConnection>));
      }
      this.closeConnections();
      this.leaders = leaders;
    } finally {
      await admin.disconnect();
    }
  }

  async send(unit: PreparedKafkaBatches, malformed: number, stats: KafkaStats): Promise<void> {
    const started = performance.now();
    stats.sends += 1;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.produce(unit.batches);
        stats.messages += unit.items;
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
        await this.connect().catch(() => undefined);
      }
    }
  }

  /** One request per leader, every batch stamped with the moment it leaves. */
  private async produce(batches: readonly PartitionBatch[]): Promise<void> {
    const now = Date.now();
    const byLeader = new Map<ProduceConnection, PartitionBatch[]>();
    for (const b of batches) {
      const leader = this.leaders.get(b.partition);
      if (leader === undefined) throw new Error(`no leader known for partition ${b.partition}`);
      restampBatch(b.batch, now);
      const own = byLeader.get(leader);
      if (own === undefined) byLeader.set(leader, [b]);
      else own.push(b);
    }
    await Promise.all(
      [...byLeader].map(([leader, own]) => leader.produce(this.topic, own, PRODUCE_SETTINGS)),
    );
  }

  async close(): Promise<void> {
    this.closeConnections();
  }

  private closeConnections(): void {
    for (const connection of new Set(this.leaders.values())) connection.close();
    this.leaders.clear();
  }
}
