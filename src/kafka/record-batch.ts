import { crc32c } from './crc32c.js';
import { BATCH_OVERHEAD_BYTES } from './record-size.js';

/**
 * The uncompressed part of a Produce v3 request written straight into one
 * Buffer of its exact size: each partition's entry (partition, size, a
 * record batch of format v2 around the records' bytes) as kafkajs 2.2.4's
 * RecordBatch and Encoder write it. kafkajs builds every layer (batch body,
 * batch, partition, topic, request) in an Encoder of its own that starts
 * at 512 zeroed bytes and doubles, copying what it holds at each step: a
 * layer of a 256 KiB request takes some ten zeroed Buffers, and each layer
 * copies the one inside it. produce-request.test.ts compares the bytes
 * with kafkajs's.
 */

/** An int64 as kafkajs's Long gives it (its Long.fromValue of a number, text or Long). */
export interface Int64 {
  getHighBits(): number;
  getLowBits(): number;
}

/** What varies in a record batch's header (KIP-98), the rest being fixed for a producer. */
export interface BatchFields {
  readonly attributes: number;
  readonly firstTimestamp: Int64;
  readonly maxTimestamp: Int64;
  readonly producerId: Int64;
  readonly producerEpoch: number;
  readonly firstSequence: number;
}

const MAGIC = 2;
// Partition and size before the batch; the batch's base offset and length
// before what its Length counts.
const ENTRY_PREFIX_BYTES = 8;
const UNCOUNTED_BATCH_BYTES = 12;

/** The bytes writePartitionEntry takes for these records. */
export function partitionEntryBytes(records: readonly Buffer[]): number {
  let bytes = ENTRY_PREFIX_BYTES + BATCH_OVERHEAD_BYTES;
  for (const record of records) bytes += record.length;
  return bytes;
}

function writeInt64(buffer: Buffer, at: number, value: Int64): number {
  buffer.writeInt32BE(value.getHighBits(), at);
  return buffer.writeInt32BE(value.getLowBits(), at + 4);
}

/** Writes a partition's entry at `at`; returns where it ends. */
export function writePartitionEntry(
  buffer: Buffer,
  at: number,
  partition: number,
  fields: BatchFields,
  records: readonly Buffer[],
): number {
  const batchBytes = partitionEntryBytes(records) - ENTRY_PREFIX_BYTES;
  let next = buffer.writeInt32BE(partition, at);
  next = buffer.writeInt32BE(batchBytes, next);
  next = buffer.writeInt32BE(0, next); // base offset (int64): the broker assigns it
  next = buffer.writeInt32BE(0, next);
  next = buffer.writeInt32BE(batchBytes - UNCOUNTED_BATCH_BYTES, next);
  next = buffer.writeInt32BE(0, next); // partition leader epoch
  next = buffer.writeInt8(MAGIC, next);
  const crcAt = next;
  const bodyAt = crcAt + 4;
  next = buffer.writeInt16BE(fields.attributes, bodyAt);
  next = buffer.writeInt32BE(records.length - 1, next); // last offset delta
  next = writeInt64(buffer, next, fields.firstTimestamp);
  next = writeInt64(buffer, next, fields.maxTimestamp);
  next = writeInt64(buffer, next, fields.producerId);
  next = buffer.writeInt16BE(fields.producerEpoch, next);
  next = buffer.writeInt32BE(fields.firstSequence, next);
  next = buffer.writeInt32BE(records.length, next);
  for (const record of records) next += record.copy(buffer, next);
  buffer.writeUInt32BE(crc32c(buffer.subarray(bodyAt, next)), crcAt);
  return next;
}
