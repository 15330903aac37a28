import { idempotencyKey } from '../event/idempotency-key.js';
import { type AcceptanceWindow, validateEvent } from '../event/validate-event.js';
import type { InboundMessage } from '../kafka/types.js';
import type { EventRow } from '../store/encode-copy-rows.js';

export const SOURCE_HEADER = 'adgate-source';
const DEFAULT_SOURCE = 'kafka'; // SPEC §6, for producers that set no header
const SOURCE_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export type Decoded =
  | { readonly kind: 'event'; readonly row: EventRow; readonly message: InboundMessage }
  | {
      readonly kind: 'dead-letter';
      readonly reason: 'unparsable' | 'invalid';
      readonly error: string;
      readonly message: InboundMessage;
    };

/**
 * The Kafka ingress is untrusted (SPEC §4): every message is parsed and
 * validated again, measured against its own timestamp so that a replay
 * gets the same verdict. What fails becomes a dead letter, never a drop.
 */
export function decodeMessage(message: InboundMessage, window: AcceptanceWindow): Decoded {
  if (message.value === null || message.value.length === 0) {
    return { kind: 'dead-letter', reason: 'unparsable', error: 'empty message value', message };
  }
  let json: unknown;
  try {
    json = JSON.parse(message.value.toString('utf8'));
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    return { kind: 'dead-letter', reason: 'unparsable', error: `not JSON: ${text}`, message };
  }
  const validation = validateEvent(json, message.timestampMs, window);
  if (!validation.ok) {
    const error = validation.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    return { kind: 'dead-letter', reason: 'invalid', error, message };
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
  const event = validation.event;
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
