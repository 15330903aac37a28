import { decodeEvent } from '../event/decode-event.js';
import { idempotencyKey } from '../event/idempotency-key.js';
export const SOURCE_HEADER = 'adgate-source';
const DEFAULT_SOURCE = 'kafka'; // SPEC §6, for producers that set no header
const SOURCE_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
/**
 * The Kafka ingress is untrusted (SPEC §4): every message goes through the
 * same decodeEvent as an HTTP event, measured against its own timestamp so
 * that a replay gets the same verdict. What fails becomes a dead letter
 * with that verdict's reason, never a drop.
 */
export function decodeMessage(message, rules) {
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
//# sourceMappingURL=decode-message.js.map