import type { RejectionReason } from '../errors/adgate-error.js';
import { decodeEvent, type EventRules } from '../event/decode-event.js';
import { idempotencyKey } from '../event/idempotency-key.js';
import { SOURCE_HEADER } from '../kafka/headers.js';
import type { InboundMessage } from '../kafka/types.js';
import type { EventRow } from '../store/encode-copy-rows.js';

const DEFAULT_SOURCE = 'kafka'; // SPEC §6, for producers that set no header
const SOURCE_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export type Decoded =
  | { readonly kind: 'event'; readonly row: EventRow; readonly message: InboundMessage }
  | {
      readonly kind: 'dead-letter';
      readonly reason: RejectionReason;
      readonly error: string;
      readonly message: InboundMessage;
    };

/**
 * The Kafka ingress is untrusted (SPEC §4): every message goes through the
 * same decodeEvent as an HTTP event, measured against its own timestamp so
 * that a replay gets the same verdict. What fails becomes a dead letter
 * with that verdict's reason, never a drop.
 */
export function decodeMessage(message: InboundMessage, rules: EventRules): Decoded {
  const verdict = decodeEvent(message.value, message.timestampMs, rules);
  if (!verdict.ok) {
    const error = verdict.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    return { kind: 'dead-letter', reason: verdict.reason, error, message };
  }
  const header = message.headers[SOURCE_HEADER]?.toString('utf8');
  if (header !== undefined && !SOURCE_PATTERN.test(header)) {
    return {
      kind: 'dead-letter',
      reason: 'invalid',
      error: `${SOURCE_HEADER} header must be 1..64 chars of [A-Za-z0-9._-]`,
      message,
    };
  }
  const event = verdict.event;
  return {
    kind: 'event',
    message,
    row: {
      key: idempotencyKey(event),
      event,
      source: header ?? DEFAULT_SOURCE,
      receivedAtMs: message.timestampMs,
      partition: message.partition,
      offset: message.offset,
    },
  };
}
