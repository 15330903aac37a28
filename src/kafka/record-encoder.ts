import type { Logger } from '../telemetry/logger.js';
import { installInPlaceOf, loadKafkaJsModule } from './replace-kafkajs-module.js';

/**
 * kafkajs's record encoder, written again to do the same work with less.
 * kafkajs 2.2.4 (its last release) encodes each record of a produce request
 * through `new Encoder()`: a zero-filled 512-byte Buffer for the record and
 * another for each header, copied into the batch, and the timestamp delta
 * through 64-bit Long arithmetic. The HTTP ingress's profile had that at
 * about a sixth of its CPU. encodeRecord sizes the record first and writes
 * it into one Buffer: the same bytes (Kafka's record format v2: length,
 * attributes, timestamp delta, offset delta, key, value, headers, each
 * length a zigzag varint), which kafkajs's batch encoder then frames and
 * checksums as before.
 */

export interface KafkaJsRecord {
  readonly offsetDelta?: number;
  readonly timestampDelta?: number;
  readonly key?: Buffer | string | null;
  readonly value?: Buffer | string | null;
  readonly headers?: Readonly<Record<string, HeaderValue | readonly HeaderValue[]>>;
}

type HeaderValue = Buffer | string;

/** What kafkajs's batch encoder takes from a record: an Encoder's buffer and write offset. */
interface EncoderLike {
  buf: Buffer;
  offset: number;
  readonly buffer: Buffer;
}

type RecordEncoder = (record: KafkaJsRecord) => EncoderLike;

// Within this, a delta's zigzag varint is computed in 32-bit arithmetic.
const SMALL = 2 ** 30;

const zigzag = (value: number): number => ((value << 1) ^ (value >> 31)) >>> 0;

/**
 * A varint's bytes past the 32-bit range: the zigzag of a 64-bit value, as
 * kafkajs's BigInt-based Long gives it; like it, takes NaN for 0 and
 * refuses any other non-integer.
 */
function varLongBytes(value: number): number[] {
  if (Number.isNaN(value)) return [0];
  if (!Number.isInteger(value)) throw new RangeError(`a record delta must be an integer: ${value}`);
  const signed = BigInt(value);
  let rest = BigInt.asUintN(64, (signed << 1n) ^ (signed >> 63n));
  const out: number[] = [];
  while (rest >= 0x80n) {
    out.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  out.push(Number(rest));
  return out;
}

const isSmall = (value: number): boolean => Number.isInteger(value) && Math.abs(value) < SMALL;

function varIntSize(value: number): number {
  if (!isSmall(value)) return varLongBytes(value).length;
  let rest = zigzag(value);
  let size = 1;
  while (rest >= 0x80) {
    size += 1;
    rest >>>= 7;
  }
  return size;
}

function writeVarInt(buffer: Buffer, at: number, value: number): number {
  let next = at;
  if (!isSmall(value)) {
    for (const byte of varLongBytes(value)) buffer[next++] = byte;
    return next;
  }
  let rest = zigzag(value);
  while (rest >= 0x80) {
    buffer[next++] = (rest & 0x7f) | 0x80;
    rest >>>= 7;
  }
  buffer[next++] = rest;
  return next;
}

const asBytes = (value: Buffer | string | null | undefined): Buffer | null =>
  value == null ? null : Buffer.isBuffer(value) ? value : Buffer.from(String(value));

const bytesSize = (bytes: Buffer | null): number =>
  bytes === null ? 1 : varIntSize(bytes.length) + bytes.length;

function writeBytes(buffer: Buffer, at: number, bytes: Buffer | null): number {
  if (bytes === null) return writeVarInt(buffer, at, -1);
  const next = writeVarInt(buffer, at, bytes.length);
  bytes.copy(buffer, next);
  return next + bytes.length;
}

/**
 * Header names and values in kafkajs's order (an array value: one header
 * per element). kafkajs refuses a value that is neither text nor bytes
 * (a TypeError from its size count), and so does this.
 */
function headerBytes(headers: NonNullable<KafkaJsRecord['headers']>): Buffer[] {
  const out: Buffer[] = [];
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    for (const one of Array.isArray(value) ? value : [value]) {
      if (typeof one !== 'string' && !Buffer.isBuffer(one)) {
        throw new TypeError(`Kafka header ${name}: a value must be a string or a Buffer`);
      }
      out.push(Buffer.from(name), Buffer.isBuffer(one) ? one : Buffer.from(one));
    }
  }
  return out;
}

/** One record's bytes, as kafkajs's record encoder writes them. */
export function encodeRecord(record: KafkaJsRecord): Buffer {
  const offsetDelta = record.offsetDelta ?? 0;
  const timestampDelta = record.timestampDelta ?? 0;
  const key = asBytes(record.key);
  const value = asBytes(record.value);
  const headers = headerBytes(record.headers ?? {});
  let body = 1 + varIntSize(timestampDelta) + varIntSize(offsetDelta);
  body += bytesSize(key) + bytesSize(value) + varIntSize(headers.length / 2);
  for (const part of headers) body += bytesSize(part);
  const bytes = Buffer.allocUnsafe(varIntSize(body) + body);
  let at = writeVarInt(bytes, 0, body);
  bytes[at++] = 0; // attributes: none are defined for a record
  at = writeVarInt(bytes, at, timestampDelta);
  at = writeVarInt(bytes, at, offsetDelta);
  at = writeBytes(bytes, at, key);
  at = writeBytes(bytes, at, value);
  at = writeVarInt(bytes, at, headers.length / 2);
  for (const part of headers) at = writeBytes(bytes, at, part);
  return bytes;
}

const RECORD_MODULE = 'src/protocol/recordBatch/record/v0/index.js';

/** kafkajs's record module as its produce request would get it: kafkajs's own unless installed. */
export function loadedRecordEncoder(): RecordEncoder {
  return loadKafkaJsModule<RecordEncoder>(RECORD_MODULE);
}

/**
 * Puts encodeRecord, as an Encoder the way kafkajs's batch encoder takes
 * it, in place of kafkajs's record module (replace-kafkajs-module.ts).
 */
export function installRecordEncoder(log: Logger): boolean {
  return installInPlaceOf(RECORD_MODULE, recordModule, log, 'record encoder');
}

function recordModule(): RecordEncoder {
  return (record) => asKafkaJsEncoder(encodeRecord(record));
}

let encoderPrototype: object | undefined;

/** Bytes as a kafkajs Encoder that has written them, for kafkajs code that takes one. */
export function asKafkaJsEncoder(bytes: Buffer): EncoderLike {
  encoderPrototype ??= loadKafkaJsModule<{ prototype: object }>(
    'src/protocol/encoder.js',
  ).prototype;
  const encoder = Object.create(encoderPrototype) as EncoderLike;
  encoder.buf = bytes;
  encoder.offset = bytes.length;
  return encoder;
}
