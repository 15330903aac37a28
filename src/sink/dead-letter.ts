import { createHash } from 'node:crypto';
import type { RejectionReason } from '../errors/adgate-error.js';
import {
  ADGATE_HEADER_PREFIX,
  ATTEMPTS_HEADER,
  ERROR_HEADER,
  ERROR_HEADER_MAX_CHARS,
  FIRST_FAILED_HEADER,
  HEADERS_DROPPED_HEADER,
  KEY_TRUNCATED_HEADER,
  LAST_FAILED_HEADER,
  ORIGINAL_OFFSET_HEADER,
  ORIGINAL_PARTITION_HEADER,
  ORIGINAL_TOPIC_HEADER,
  REASON_HEADER,
  VALUE_SHA256_HEADER,
  VALUE_TRUNCATED_HEADER,
} from '../kafka/headers.js';
import { recordBytes } from '../kafka/record-size.js';
import type { InboundMessage, OutboundMessage } from '../kafka/types.js';

/** The verdicts of decodeEvent, or PostgreSQL refused the row itself (SPEC §4). */
export type DeadLetterReason = RejectionReason | 'write_failed';

export interface DeadLetter {
  readonly message: InboundMessage;
  readonly reason: DeadLetterReason;
  readonly error: string;
}

/**
 * Builds the DLQ record of SPEC §4: the original bytes and key unchanged,
 * the original headers kept, and adgate's headers set. A message that was
 * redriven from the DLQ carries its attempt count (raised by the DLQ
 * consumer: the attempt it now is) and first failure time, so that after
 * the last attempt it goes to the dead topic instead.
 */
export function toDeadLetterRecord(
  letter: DeadLetter,
  nowMs: number,
): { record: OutboundMessage; attempts: number } {
  const { message } = letter;
  const previous = Number(message.headers[ATTEMPTS_HEADER]?.toString('utf8') ?? '0');
  // A first failure is attempt 1; a redriven message says which attempt it is.
  const attempts = Number.isInteger(previous) && previous > 0 ? previous : 1;
  const firstFailedAt =
    message.headers[FIRST_FAILED_HEADER]?.toString('utf8') ?? new Date(nowMs).toISOString();
  const headers: Record<string, string | Buffer> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value !== undefined) headers[name] = value;
  }
  // A redriven message keeps the place where it first failed.
  if (headers[ORIGINAL_TOPIC_HEADER] === undefined) {
    headers[ORIGINAL_TOPIC_HEADER] = message.topic;
    headers[ORIGINAL_PARTITION_HEADER] = String(message.partition);
    headers[ORIGINAL_OFFSET_HEADER] = String(message.offset);
  }
  headers[REASON_HEADER] = letter.reason;
  headers[ERROR_HEADER] = letter.error.slice(0, ERROR_HEADER_MAX_CHARS);
  headers[ATTEMPTS_HEADER] = String(attempts);
  headers[FIRST_FAILED_HEADER] = firstFailedAt;
  headers[LAST_FAILED_HEADER] = new Date(nowMs).toISOString();
  return {
    attempts,
    record: {
      key: message.key,
      // A tombstone stays a tombstone: its DLQ copy is the original, null.
      value: message.value,
      headers,
      timestampMs: message.timestampMs,
    },
  };
}

export interface FittedRecord {
  readonly record: OutboundMessage;
  /** False when the record fitted as it was. */
  readonly cut: boolean;
}

/**
 * A dead letter that a topic taking at most `maxBytes` per record
 * (recordBytes) accepts (SPEC §4: it is sent cut rather than held back).
 * The value is cut first, to the prefix that fits, and marked with its
 * original length and the SHA-256 of the whole original, so that the
 * original can still be found and checked upstream. Only when the headers
 * and key alone do not fit are the original message's own headers dropped
 * (adgate's are kept: they say what happened and where the original is),
 * counted in adgate-headers-dropped, and then the key, marked with its
 * length. A record still too large after that is returned as small as it
 * gets; the broker's refusal then reports the misconfigured topic.
 */
export function fitDeadLetter(record: OutboundMessage, maxBytes: number): FittedRecord {
  if (recordBytes(record) <= maxBytes) return { record, cut: false };
  const original = toBuffer(record.value);
  const headers: Record<string, string | Buffer> = { ...record.headers };
  if (original !== null) {
    headers[VALUE_TRUNCATED_HEADER] = String(original.length);
    headers[VALUE_SHA256_HEADER] = createHash('sha256').update(original).digest('hex');
  }
  let cut: OutboundMessage = {
    ...record,
    headers,
    value: original === null ? null : Buffer.alloc(0),
  };
  if (recordBytes(cut) > maxBytes) cut = dropOwnHeaders(cut);
  if (recordBytes(cut) > maxBytes && cut.key !== null) {
    const keyBytes = toBuffer(cut.key)?.length ?? 0;
    cut = {
      ...cut,
      key: null,
      headers: { ...cut.headers, [KEY_TRUNCATED_HEADER]: String(keyBytes) },
    };
  }
  const room = maxBytes - recordBytes(cut);
  if (original !== null && room > 0) {
    // Whole bytes, not characters: the value may not be text at all.
    cut = { ...cut, value: original.subarray(0, Math.min(room, original.length)) };
  }
  return { record: cut, cut: true };
}

function dropOwnHeaders(record: OutboundMessage): OutboundMessage {
  const kept: Record<string, string | Buffer> = {};
  let dropped = 0;
  for (const [name, value] of Object.entries(record.headers ?? {})) {
    if (name.startsWith(ADGATE_HEADER_PREFIX)) kept[name] = value;
    else dropped += 1;
  }
  kept[HEADERS_DROPPED_HEADER] = String(dropped);
  return { ...record, headers: kept };
}

function toBuffer(data: string | Buffer | null): Buffer | null {
  if (data === null) return null;
  return typeof data === 'string' ? Buffer.from(data) : data;
}
