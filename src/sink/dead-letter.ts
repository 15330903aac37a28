import type { RejectionReason } from '../event/decode-event.js';
import type { InboundMessage, OutboundMessage } from '../kafka/types.js';

/** The verdicts of decodeEvent, or PostgreSQL refused the row itself (SPEC §4). */
export type DeadLetterReason = RejectionReason | 'write_failed';

export interface DeadLetter {
  readonly message: InboundMessage;
  readonly reason: DeadLetterReason;
  readonly error: string;
}

export const ATTEMPTS_HEADER = 'adgate-attempts';
export const FIRST_FAILED_HEADER = 'adgate-first-failed-at';

/**
 * Builds the DLQ record of SPEC §4: the original bytes and key unchanged,
 * the original headers kept, and adgate's headers set. A message that was
 * redriven from the DLQ carries its attempt count and first failure time,
 * so that after the last attempt it goes to the dead topic instead.
 */
export function toDeadLetterRecord(
  letter: DeadLetter,
  nowMs: number,
): { record: OutboundMessage; attempts: number } {
  const { message } = letter;
  const previous = Number(message.headers[ATTEMPTS_HEADER]?.toString('utf8') ?? '0');
  const attempts = (Number.isInteger(previous) && previous > 0 ? previous : 0) + 1;
  const firstFailedAt =
    message.headers[FIRST_FAILED_HEADER]?.toString('utf8') ?? new Date(nowMs).toISOString();
  const headers: Record<string, string | Buffer> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value !== undefined) headers[name] = value;
  }
  // A redriven message keeps the place where it first failed.
  if (headers['adgate-original-topic'] === undefined) {
    headers['adgate-original-topic'] = message.topic;
    headers['adgate-original-partition'] = String(message.partition);
    headers['adgate-original-offset'] = String(message.offset);
  }
  headers['adgate-reason'] = letter.reason;
  headers['adgate-error'] = letter.error.slice(0, 1_000);
  headers[ATTEMPTS_HEADER] = String(attempts);
  headers[FIRST_FAILED_HEADER] = firstFailedAt;
  return {
    attempts,
    record: {
      key: message.key,
      value: message.value ?? Buffer.alloc(0),
      headers,
      timestampMs: message.timestampMs,
    },
  };
}
