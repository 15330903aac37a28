import type { Logger } from '../telemetry/logger.js';
import { installInPlaceOf, loadKafkaJsModule } from './replace-kafkajs-module.js';

/**
 * kafkajs's record decoder, written again to do the same work with less.
 * kafkajs 2.2.4 decodes each fetched record's timestamp and offset by
 * parsing its batch's first timestamp and first offset from text into a
 * 64-bit Long, adding the delta and printing the sum (the varlong delta
 * itself through a Long per byte), and gathers the headers with an object
 * spread per header. The sink's profile in backlog mode had that at a
 * tenth of its CPU, and more in collections. decodeRecord gives the very
 * same record (a test compares them field by field): the bases parsed
 * once per batch, Number arithmetic wherever the sum is exact, BigInt past
 * that, as kafkajs's Long is.
 */

/** What kafkajs's record batch decoder passes to its record decoder. */
export interface BatchContext {
  readonly firstOffset: string;
  readonly firstTimestamp: string;
  readonly maxTimestamp: string;
  readonly timestampType: number;
  readonly magicByte: number;
  readonly isControlBatch?: boolean;
}

export interface DecodedRecord {
  readonly magicByte: number;
  readonly attributes: number;
  readonly timestamp: string;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, unknown>;
  readonly isControlRecord: boolean;
  readonly batchContext: BatchContext;
}

/** kafkajs's Decoder as its batch decoder hands it over: one record's bytes and a cursor. */
export interface DecoderLike {
  buffer: Buffer;
  offset: number;
}

type RecordDecoder = (decoder: DecoderLike, context: BatchContext) => DecodedRecord;

const LOG_APPEND_TIME = 1; // kafkajs's TimestampTypes.LOG_APPEND_TIME

// The record being read and the cursor in it. decodeRecord runs to the
// end without yielding, so one module-level cursor serves every call and
// costs no object per record.
const NOTHING = Buffer.alloc(0);
let bytes: Buffer = NOTHING;
let at = 0;

/** kafkajs's readVarInt, to the letter (its 32-bit shifts included). */
function varInt(): number {
  let byte: number;
  let result = 0;
  let shift = 0;
  do {
    byte = bytes[at++] as number;
    result += (byte & 0x7f) << shift;
    shift += 7;
  } while (byte >= 0x80);
  return (result >>> 1) ^ -(result & 1);
}

/** kafkajs's readVarLong: a Number where it is exact, else a BigInt. */
function varLong(): number | bigint {
  const start = at;
  let byte: number;
  let result = 0;
  let scale = 1;
  do {
    if (scale > 2 ** 63) throw invalidLong();
    byte = bytes[at++] as number;
    result += (byte & 0x7f) * scale;
    scale *= 128;
  } while (byte >= 0x80);
  if (result > Number.MAX_SAFE_INTEGER) return bigVarLong(start);
  return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
}

function bigVarLong(start: number): bigint {
  at = start;
  let byte: number;
  let result = 0n;
  let shift = 0n;
  do {
    byte = bytes[at++] as number;
    result += BigInt(byte & 0x7f) << shift;
    shift += 7n;
  } while (byte >= 0x80);
  return (result >> 1n) ^ -(result & 1n);
}

/** kafkajs's readVarIntBytes: a view of the bytes, null for length -1. */
function bytesOrNull(): Buffer | null {
  const length = varInt();
  if (length === -1) return null;
  const view = bytes.subarray(at, at + length);
  at += length;
  return view;
}

// The header names last read at each position (the first 16), their
// bytes and their text. Every record of a topic tends to carry the same
// names in the same order: handing back the same string spares a decode
// and lets the header object's property lookups hit V8's caches, where a
// fresh string is hashed again at each.
const CACHED_POSITIONS = 16;
const cachedNames: string[] = [];
const cachedNameBytes: Buffer[] = [];

/** kafkajs's readVarIntString, for the header name at `position`. */
function nameOrNull(position: number): string | null {
  const length = varInt();
  if (length === -1) return null;
  const start = at;
  at += length;
  if (position >= CACHED_POSITIONS || length > 64 || length < 0) {
    return bytes.toString('utf8', start, start + length);
  }
  const known = cachedNameBytes[position];
  if (known !== undefined && known.length === length) {
    let same = true;
    for (let i = 0; i < length && same; i++) same = bytes[start + i] === known[i];
    if (same) return cachedNames[position] as string;
  }
  const name = bytes.toString('utf8', start, start + length);
  cachedNames[position] = name;
  cachedNameBytes[position] = Buffer.from(bytes.subarray(start, start + length));
  return name;
}

function invalidLong(): Error {
  const { KafkaJSInvalidLongError } = loadKafkaJsModule<{
    KafkaJSInvalidLongError: new (message: string) => Error;
  }>('src/errors.js');
  return new KafkaJSInvalidLongError('Invalid Long, must contain 9 bytes or less');
}

/** A batch's first offset and timestamp, parsed once for all its records. */
interface Bases {
  readonly context: BatchContext;
  readonly offset: number | undefined;
  readonly timestamp: number | undefined;
  /** The last timestamp delta seen in the batch and its timestamp: records of a batch often share one. */
  lastDelta: number | bigint | undefined;
  lastTimestamp: string;
}

let lastBases: Bases | undefined;

const exactly = (text: string): number | undefined => {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
};

function basesOf(context: BatchContext): Bases {
  if (lastBases?.context !== context) {
    lastBases = {
      context,
      offset: exactly(context.firstOffset),
      timestamp: exactly(context.firstTimestamp),
      lastDelta: undefined,
      lastTimestamp: '',
    };
  }
  return lastBases;
}

/**
 * A safe integer's decimal text. V8 prints a number past 2^31 (every
 * millisecond timestamp) through its double-to-text conversion, about three
 * times the cost of printing two small integers: below 10^15, the millions
 * and the last six digits.
 */
function decimal(value: number): string {
  if (value < 1e6 || value >= 1e15) return String(value);
  const millions = Math.floor(value / 1e6); // exact: value is an integer below 2^53
  return String(millions) + String(value - millions * 1e6 + 1e6).slice(1);
}

/** `base + delta` printed, as kafkajs's Long.fromValue(text).add(delta).toString() gives it. */
function sum(baseText: string, base: number | undefined, delta: number | bigint): string {
  if (base !== undefined && typeof delta === 'number') {
    const total = base + delta;
    if (Number.isSafeInteger(total)) return decimal(total);
  }
  return String(BigInt(baseText) + BigInt(delta));
}

function timestampOf(context: BatchContext, bases: Bases, delta: number | bigint): string {
  if (context.timestampType === LOG_APPEND_TIME && context.maxTimestamp) {
    return context.maxTimestamp;
  }
  if (delta !== bases.lastDelta) {
    bases.lastTimestamp = sum(context.firstTimestamp, bases.timestamp, delta);
    bases.lastDelta = delta;
  }
  return bases.lastTimestamp;
}

/**
 * kafkajs's header object: a name seen once maps to its value, a name seen
 * again to the array of its values. As kafkajs's spread does, it reads a
 * name through the prototype, and defines an own property even for
 * `__proto__`.
 */
function readHeaders(): Record<string, unknown> {
  const count = varInt();
  const headers: Record<string, unknown> = {};
  if (count === -1) return headers;
  if (count < 0) throw new RangeError('Invalid array length');
  for (let i = 0; i < count; i++) {
    const name = String(nameOrNull(i));
    const value = bytesOrNull();
    const seen = headers[name];
    const next =
      seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
    if (name === '__proto__') {
      Object.defineProperty(headers, name, {
        value: next,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      headers[name] = next;
    }
  }
  return headers;
}

/** One record, as kafkajs's record decoder gives it. */
export function decodeRecord(decoder: DecoderLike, context: BatchContext): DecodedRecord {
  const bases = basesOf(context);
  bytes = decoder.buffer;
  at = decoder.offset;
  const attributes = ((bytes[at++] as number) << 24) >> 24; // Int8
  const timestamp = timestampOf(context, bases, varLong());
  const offset = sum(context.firstOffset, bases.offset, varInt());
  const key = bytesOrNull();
  const value = bytesOrNull();
  const headers = readHeaders();
  decoder.offset = at;
  bytes = NOTHING; // not to hold the fetched response past its use
  return {
    magicByte: context.magicByte,
    attributes,
    timestamp,
    offset,
    key,
    value,
    headers,
    isControlRecord: context.isControlBatch ?? false,
    batchContext: context,
  };
}

const RECORD_MODULE = 'src/protocol/recordBatch/record/v0/decoder.js';

/** kafkajs's record decoder as its batch decoder would get it: kafkajs's own unless installed. */
export function loadedRecordDecoder(): RecordDecoder {
  return loadKafkaJsModule<RecordDecoder>(RECORD_MODULE);
}

/** Puts decodeRecord in place of kafkajs's record decoder (replace-kafkajs-module.ts). */
export function installRecordDecoder(log: Logger): boolean {
  return installInPlaceOf(RECORD_MODULE, () => decodeRecord, log, 'record decoder');
}
