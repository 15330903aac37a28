import { createRequire } from 'node:module';
import { crc32c } from '../../src/kafka/crc32c.js';

/**
 * Kafka record batches (message format v2) encoded ahead of the moment
 * they are sent, so that a load generator spends no CPU on the encoding
 * while it is being measured. The bytes are kafkajs's own (its record and
 * record-batch encoders, the same its producer would write), reached past
 * its public API: kafkajs's producer encodes a request only as it sends it.
 * Only the batch's timestamps are written at send time (restampBatch), and
 * its checksum, with the gateway's own CRC32C.
 */

/** One partition's records, ready to go into a produce request. */
export interface PartitionBatch {
  readonly partition: number;
  /** The whole RecordBatch: base offset, length, then the CRC-covered rest. */
  readonly batch: Buffer;
  readonly records: number;
}

/** A record as it is written: key, value, string headers. */
export interface BatchRecord {
  readonly key: string | Buffer;
  readonly value: string | Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

interface EncoderLike {
  readonly buffer: Buffer;
}

interface KafkaJsEncoders {
  readonly encodeRecord: (record: {
    offsetDelta: number;
    timestampDelta: number;
    key: string | Buffer;
    value: string | Buffer;
    headers: Readonly<Record<string, string>>;
  }) => EncoderLike;
  readonly encodeRecordBatch: (batch: {
    records: EncoderLike[];
    firstTimestamp: number;
    maxTimestamp: number;
    lastOffsetDelta: number;
  }) => Promise<EncoderLike>;
}

const require = createRequire(import.meta.url);
// Loaded at the first use, not at import: adgate's createKafka, when it
// runs in the same process, first puts its record encoder in place (same bytes).
let encoders: KafkaJsEncoders | undefined;
function kafkaJsEncoders(): KafkaJsEncoders {
  encoders ??= {
    encodeRecord: require('kafkajs/src/protocol/recordBatch/record/v0/index.js'),
    encodeRecordBatch: require('kafkajs/src/protocol/recordBatch/v0/index.js').RecordBatch,
  };
  return encoders;
}

// Byte positions in a v2 RecordBatch (DefaultRecordBatch in Kafka's source).
const CRC_AT = 17;
const CRC_COVERS_FROM = 21;
const FIRST_TIMESTAMP_AT = 27;
const MAX_TIMESTAMP_AT = 35;

/**
 * Encodes each partition's records as one uncompressed batch, every record
 * at the batch's own timestamp (delta 0), so that restampBatch can move
 * them all to the moment of sending.
 */
export async function encodePartitionBatches(
  byPartition: ReadonlyMap<number, readonly BatchRecord[]>,
  nowMs = Date.now(),
): Promise<PartitionBatch[]> {
  const { encodeRecord, encodeRecordBatch } = kafkaJsEncoders();
  const batches: PartitionBatch[] = [];
  for (const [partition, records] of byPartition) {
    if (records.length === 0) continue;
    const encoded = await encodeRecordBatch({
      records: records.map((r, i) => encodeRecord({ ...r, offsetDelta: i, timestampDelta: 0 })),
      firstTimestamp: nowMs,
      maxTimestamp: nowMs,
      lastOffsetDelta: records.length - 1,
    });
    batches.push({ partition, batch: encoded.buffer, records: records.length });
  }
  return batches;
}

/** Sets every record of the batch to `nowMs` (CreateTime), in place, and its CRC to match. */
export function restampBatch(batch: Buffer, nowMs: number): void {
  const at = BigInt(nowMs);
  batch.writeBigInt64BE(at, FIRST_TIMESTAMP_AT);
  batch.writeBigInt64BE(at, MAX_TIMESTAMP_AT);
  batch.writeUInt32BE(crc32c(batch.subarray(CRC_COVERS_FROM)), CRC_AT);
}

/** The batch's timestamp (every record's, as encodePartitionBatches writes them). */
export function batchTimestamp(batch: Buffer): number {
  return Number(batch.readBigInt64BE(FIRST_TIMESTAMP_AT));
}
