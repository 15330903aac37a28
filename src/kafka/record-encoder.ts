import { createRequire } from 'node:module';
import type { Logger } from '../telemetry/logger.js';

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
  readonly timestampDelta?: unknown;
  readonly key?: Buffer | string | null;
  readonly value?: Buffer | string | null;
  readonly headers?: Readonly<Record<string, HeaderValue | readonly HeaderValue[]>>;
}

type HeaderValue = Buffer | string | null | undefined;

/** What kafkajs's batch encoder takes from a record: an Encoder's buffer and write offset. */
interface EncoderLike {
  buf: Buffer;
  offset: number;
  readonly buffer: Buffer;
}

type RecordEncoder = (record: KafkaJsRecord) => EncoderLike;

// The deltas this encoder takes: a 32-bit zigzag varint holds them exactly.
const MAX_DELTA = 2 ** 30;

const zigzag = (value: number): number => ((value << 1) ^ (value >> 31)) >>> 0;

function varIntSize(value: number): number {
  let rest = zigzag(value);
  let size = 1;
  while (rest >= 0x80) {
    size += 1;
    rest >>>= 7;
  }
  return size;
}

function writeVarInt(buffer: Buffer, at: number, value: number): number {
  let rest = zigzag(value);
  let next = at;
  while (rest >= 0x80) {
    buffer[next++] = (rest & 0x7f) | 0x80;
    rest >>>= 7;
  }
  buffer[next++] = rest;
  return next;
}

const asBytes = (value: HeaderValue): Buffer | null =>
  value == null ? null : Buffer.isBuffer(value) ? value : Buffer.from(String(value));

const bytesSize = (bytes: Buffer | null): number =>
  bytes === null ? 1 : varIntSize(bytes.length) + bytes.length;

function writeBytes(buffer: Buffer, at: number, bytes: Buffer | null): number {
  if (bytes === null) return writeVarInt(buffer, at, -1);
  const next = writeVarInt(buffer, at, bytes.length);
  bytes.copy(buffer, next);
  return next + bytes.length;
}

/** Header names and values in kafkajs's order (an array value: one header per element). */
function headerBytes(headers: NonNullable<KafkaJsRecord['headers']>): (Buffer | null)[] {
  const out: (Buffer | null)[] = [];
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    const values: readonly HeaderValue[] = Array.isArray(value) ? value : [value as HeaderValue];
    for (const one of values) out.push(Buffer.from(name), asBytes(one));
  }
  return out;
}

/**
 * Whether encodeRecord writes this record as kafkajs would: small integer
 * deltas (all kafkajs's producer makes) and header values that are text or
 * bytes (kafkajs throws on a missing one, and still does).
 */
export function fitsFastPath(record: KafkaJsRecord): boolean {
  const { offsetDelta = 0, timestampDelta = 0, headers = {} } = record;
  return (
    Object.values(headers).every((value) =>
      Array.isArray(value) ? value.every((one) => one != null) : value != null,
    ) &&
    Number.isInteger(offsetDelta) &&
    offsetDelta >= 0 &&
    offsetDelta < MAX_DELTA &&
    typeof timestampDelta === 'number' &&
    Number.isInteger(timestampDelta) &&
    Math.abs(timestampDelta) < MAX_DELTA
  );
}

/** One record's bytes, as kafkajs's record encoder writes them; only for fitsFastPath records. */
export function encodeRecord(record: KafkaJsRecord): Buffer {
  const offsetDelta = record.offsetDelta ?? 0;
  const timestampDelta = (record.timestampDelta as number | undefined) ?? 0;
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

const require = createRequire(import.meta.url);
const KAFKAJS_VERSION = '2.2.4';
const RECORD_MODULE = 'kafkajs/src/protocol/recordBatch/record/v0/index.js';

/** The record encoder kafkajs's produce request gets: kafkajs's own until installRecordEncoder. */
export function loadedRecordEncoder(): RecordEncoder {
  return require(RECORD_MODULE) as RecordEncoder;
}

let installed: boolean | undefined;

/**
 * Puts encodeRecord in place of kafkajs's record module, in the require
 * cache, before kafkajs's produce request loads it (it does so lazily, at
 * the first produce). Only for the kafkajs version it was written against,
 * and only after both wrote the same bytes for a sample; otherwise kafkajs
 * keeps its own, with a warning. Records off the fast path go to kafkajs's.
 */
export function installRecordEncoder(log: Logger): boolean {
  if (installed !== undefined) return installed;
  const version = (require('kafkajs/package.json') as { version: string }).version;
  const original = loadedRecordEncoder();
  const Encoder = require('kafkajs/src/protocol/encoder.js') as { prototype: object };
  const fast: RecordEncoder = (record) => {
    if (!fitsFastPath(record)) return original(record);
    const bytes = encodeRecord(record);
    const encoder = Object.create(Encoder.prototype) as EncoderLike;
    encoder.buf = bytes;
    encoder.offset = bytes.length;
    return encoder;
  };
  const sample: KafkaJsRecord = {
    offsetDelta: 300,
    timestampDelta: 0,
    key: 'impression-é',
    value: Buffer.from('{"type":"click"}'),
    headers: { 'adgate-source': 'self-check', many: ['a', 'bb'] },
  };
  const cached = require.cache[require.resolve(RECORD_MODULE)];
  installed =
    version === KAFKAJS_VERSION &&
    cached !== undefined &&
    fast(sample).buffer.equals(original(sample).buffer);
  if (installed && cached !== undefined) cached.exports = fast;
  else
    log.warn('kafkajs record encoder kept', { kafkajsVersion: version, expected: KAFKAJS_VERSION });
  return installed;
}
