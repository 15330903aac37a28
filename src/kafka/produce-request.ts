import type { Logger } from '../telemetry/logger.js';
import { stringBytes, writeString } from './kafka-wire.js';
import { type Int64, partitionEntryBytes, writePartitionEntry } from './record-batch.js';
import { asKafkaJsEncoder, encodeRecord, type KafkaJsRecord } from './record-encoder.js';
import { installInPlaceOf, loadKafkaJsModule } from './replace-kafkajs-module.js';

/**
 * kafkajs's Produce v3 request (v4 to v7 are built on it), written again to
 * do the same work with less. For each partition kafkajs 2.2.4 sorts the
 * messages' timestamps as text to find the first and the last, and spreads
 * every message into a new object for its record encoder: about 0.6 µs a
 * message, most of the HTTP ingress's time inside kafkajs once its record
 * encoder and partitioner were replaced. This module finds the same first
 * and last timestamps in one pass (by the same text order) and hands the
 * record encoder the five fields it reads; the request's bytes are the
 * same (a test compares them with kafkajs's). Uncompressed, the request is
 * written straight into one Buffer (record-batch.ts), not through
 * kafkajs's growing Encoders.
 */

type Timestamp = string | number;

export interface ProduceMessage {
  readonly key?: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly headers?: Readonly<Record<string, unknown>>;
  readonly timestamp?: Timestamp | null;
}

interface PartitionData {
  readonly partition: number;
  readonly firstSequence?: number;
  readonly messages: readonly ProduceMessage[];
}

export interface ProduceRequestArgs {
  readonly acks: number;
  readonly timeout: number;
  readonly transactionalId?: string | null;
  readonly producerId?: unknown;
  readonly producerEpoch?: number;
  readonly compression?: number;
  readonly topicData: readonly { topic: string; partitions: readonly PartitionData[] }[];
}

/** kafkajs's Encoder, the calls made on it here. */
interface Encoder {
  readonly buffer: Buffer;
  writeString(value: string | null): Encoder;
  writeInt16(value: number): Encoder;
  writeInt32(value: number): Encoder;
  writeArray(value: readonly Encoder[]): Encoder;
  writeEncoder(value: Encoder): Encoder;
}

interface Parts {
  readonly Encoder: new () => Encoder;
  readonly apiKey: number;
  readonly Long: { fromInt(value: number): unknown; fromValue(value: unknown): Int64 };
  readonly noCompression: number;
  readonly Record: (record: object) => unknown;
  readonly RecordBatch: (batch: object) => Promise<Encoder & { size(): number }>;
}

let loaded: Parts | undefined;

/** kafkajs's parts, loaded at the first request: the record module by then is adgate's. */
function parts(): Parts {
  loaded ??= {
    Encoder: loadKafkaJsModule('src/protocol/encoder.js'),
    apiKey: loadKafkaJsModule<{ Produce: number }>('src/protocol/requests/apiKeys.js').Produce,
    Long: loadKafkaJsModule('src/utils/long.js'),
    noCompression: loadKafkaJsModule<{ Types: { None: number } }>(
      'src/protocol/message/compression/index.js',
    ).Types.None,
    Record: loadKafkaJsModule('src/protocol/recordBatch/record/v0/index.js'),
    RecordBatch: loadKafkaJsModule<{ RecordBatch: Parts['RecordBatch'] }>(
      'src/protocol/recordBatch/v0/index.js',
    ).RecordBatch,
  };
  return loaded;
}

/** The request, as kafkajs's produce/v3/request.js builds it. */
export function produceRequestV3(args: ProduceRequestArgs) {
  // kafkajs's defaults, which apply to undefined only.
  const { acks, timeout, transactionalId = null, producerEpoch = 0 } = args;
  const { Encoder, apiKey, Long, noCompression } = parts();
  const { producerId = Long.fromInt(-1), compression = noCompression } = args;
  return {
    apiKey,
    apiVersion: 3,
    apiName: 'Produce',
    expectResponse: () => acks !== 0,
    encode: async () => {
      if (args.compression === undefined || args.compression === noCompression) {
        return encodeUncompressed(args, { transactionalId, producerId, producerEpoch });
      }
      const topics: Encoder[] = [];
      for (const { topic, partitions } of args.topicData) {
        const encoded: Encoder[] = [];
        for (const data of partitions) {
          const batch = { ...data, transactionalId, producerId, producerEpoch, compression };
          encoded.push(await encodePartition(batch));
        }
        topics.push(new Encoder().writeString(topic).writeArray(encoded));
      }
      return new Encoder()
        .writeString(transactionalId)
        .writeInt16(acks)
        .writeInt32(timeout)
        .writeArray(topics);
    },
  };
}

/**
 * The first and the last of the messages' timestamps in kafkajs's order:
 * Array.prototype.sort's default, by text, stable (so the first of equal
 * ones and the last of equal ones).
 */
function timestampRange(messages: readonly ProduceMessage[]): [Timestamp, Timestamp] | undefined {
  let first: Timestamp | undefined;
  let last: Timestamp | undefined;
  for (const { timestamp } of messages) {
    if (timestamp == null) continue;
    if (first === undefined || String(timestamp) < String(first)) first = timestamp;
    if (last === undefined || String(timestamp) >= String(last)) last = timestamp;
  }
  return first === undefined || last === undefined ? undefined : [first, last];
}

/**
 * The messages as records, each by `encode`, and the batch's first and
 * last timestamps: kafkajs's values, in its order of work (and of errors).
 */
function encodeRecords<T>(
  messages: readonly ProduceMessage[],
  encode: (record: KafkaJsRecord) => T,
) {
  const dateNow = Date.now();
  const [first, max] = timestampRange(messages) ?? [dateNow, dateNow];
  const records = messages.map((message, offsetDelta) =>
    encode({
      key: message.key,
      value: message.value,
      headers: message.headers as KafkaJsRecord['headers'],
      offsetDelta,
      // kafkajs's expression: text timestamps subtract as numbers.
      timestampDelta: ((message.timestamp || dateNow) as number) - (first as number),
    }),
  );
  return { records, first, max };
}

async function encodePartition(
  data: PartitionData & Omit<ProduceRequestArgs, 'acks' | 'timeout' | 'topicData'>,
): Promise<Encoder> {
  const { Encoder, Record, RecordBatch } = parts();
  const {
    records,
    first: firstTimestamp,
    max: maxTimestamp,
  } = encodeRecords(data.messages, Record);
  const recordBatch = await RecordBatch({
    compression: data.compression,
    records,
    firstTimestamp,
    maxTimestamp,
    producerId: data.producerId,
    producerEpoch: data.producerEpoch,
    firstSequence: data.firstSequence,
    transactional: !!data.transactionalId,
    lastOffsetDelta: records.length - 1,
  });
  return new Encoder()
    .writeInt32(data.partition)
    .writeInt32(recordBatch.size())
    .writeEncoder(recordBatch);
}

/** The producer's part of every batch header: kafkajs's request arguments after its defaults. */
interface ProducerFields {
  readonly transactionalId: string | null;
  readonly producerId: unknown;
  readonly producerEpoch: number;
}

// kafkajs's RecordBatch attributes: no compression, the transactional bit.
const TRANSACTIONAL_ATTRIBUTE = 16;

/** One partition's records and header fields. */
function planPartition(data: PartitionData, producer: ProducerFields, producerId: Int64) {
  const { Long } = parts();
  const { records, first, max } = encodeRecords(data.messages, encodeRecord);
  const fields = {
    attributes: producer.transactionalId ? TRANSACTIONAL_ATTRIBUTE : 0,
    firstTimestamp: Long.fromValue(first),
    maxTimestamp: Long.fromValue(max),
    producerId,
    producerEpoch: producer.producerEpoch,
    firstSequence: data.firstSequence ?? 0,
  };
  return { partition: data.partition, records, fields };
}

/** The request as kafkajs writes it without compression, in one Buffer of its size. */
function encodeUncompressed(args: ProduceRequestArgs, producer: ProducerFields) {
  const { Long } = parts();
  const producerId = Long.fromValue(producer.producerId);
  const topics = args.topicData.map(({ topic, partitions }) => ({
    topic,
    partitions: partitions.map((data) => planPartition(data, producer, producerId)),
  }));
  let size = stringBytes(producer.transactionalId) + 2 + 4 + 4;
  for (const { topic, partitions } of topics) {
    size += stringBytes(topic) + 4;
    for (const { records } of partitions) size += partitionEntryBytes(records);
  }
  const buffer = Buffer.allocUnsafe(size);
  let at = writeString(buffer, 0, producer.transactionalId);
  at = buffer.writeInt16BE(args.acks, at);
  at = buffer.writeInt32BE(args.timeout, at);
  at = buffer.writeInt32BE(topics.length, at);
  for (const { topic, partitions } of topics) {
    at = writeString(buffer, at, topic);
    at = buffer.writeInt32BE(partitions.length, at);
    for (const { partition, fields, records } of partitions) {
      at = writePartitionEntry(buffer, at, partition, fields, records);
    }
  }
  return asKafkaJsEncoder(buffer);
}

const REQUEST_MODULE = 'src/protocol/requests/produce/v3/request.js';

/** Puts produceRequestV3 in place of kafkajs's (replace-kafkajs-module.ts). */
export function installProduceRequest(log: Logger): boolean {
  return installInPlaceOf(REQUEST_MODULE, () => produceRequestV3, log, 'produce request');
}
