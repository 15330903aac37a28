import type { AdgateError } from '../errors/adgate-error.js';

/**
 * adgate's own view of Kafka. Only src/kafka/ knows kafkajs: kafkajs
 * is in maintenance mode, and swapping it must not touch the sink's logic.
 */
export interface OutboundMessage {
  readonly key: string | Buffer | null;
  /** Null is a tombstone, and stays one (a dead letter of a tombstone keeps it null). */
  readonly value: Buffer | string | null;
  readonly headers?: Record<string, string | Buffer>;
  /** Milliseconds since the epoch; the broker's CreateTime. */
  readonly timestampMs?: number;
}

export interface InboundMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, Buffer | undefined>>;
  readonly timestampMs: number;
}

export interface InboundBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly InboundMessage[];
  /** Messages between the last one here and the partition's high watermark. */
  readonly lagAfter: bigint;
  /** The partition's end when fetched: the offset the next message written will get. */
  readonly highWatermark: bigint;
  heartbeat(): Promise<void>;
  /** False once this instance is stopping or lost the partition: commit nothing then. */
  canCommit(): boolean;
  /** Commits `nextOffset` (the offset of the next message to read) for this partition. */
  commit(nextOffset: bigint): Promise<void>;
}

export interface Producer {
  /**
   * Resolves once every message is acknowledged by all in-sync replicas.
   * Rejects with a retriable AdgateError ('kafka_unavailable') when the
   * broker did not acknowledge within `timeoutMs`; some of the messages may
   * still land later, which the idempotency key makes harmless. Rejects
   * with a non-retriable one when Kafka refuses the data itself
   * ('too_large', 'kafka_rejected': see classify-kafka-error.ts).
   */
  send(topic: string, messages: readonly OutboundMessage[], timeoutMs: number): Promise<void>;
  /**
   * The most one record may take (record-size.ts's recordBytes) for the
   * topic to accept it: its max.message.bytes less a record batch's own
   * bytes; undefined when the limit is not known. A send holding a larger
   * record rejects with a non-retriable AdgateError 'too_large', and only
   * that send: the others coalesced with it into one request still land.
   */
  maxRecordBytes(topic: string): number | undefined;
  /** Waits for the sends in flight, then disconnects. Idempotent. */
  close(): Promise<void>;
}

export interface BatchConsumer {
  /** Starts consuming; resolves once the consumer is running. */
  start(handler: (batch: InboundBatch) => Promise<void>): Promise<void>;
  /** Stops fetching and waits for the handlers in flight to return. Idempotent. */
  stop(): Promise<void>;
  /** Leaves the group at once so that partitions move now, not after the session timeout. */
  close(): Promise<void>;
  /** Registers a callback for each new assignment (rebalance done). */
  onAssignment(listener: (partitions: readonly number[]) => void): void;
  /**
   * Registers a callback for a consumer that stopped for good (kafkajs
   * will not restart it): the error that stopped it, as an AdgateError.
   */
  onFailure(listener: (error: AdgateError) => void): void;
}
