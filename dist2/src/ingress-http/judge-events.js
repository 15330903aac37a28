import { decodeEvent } from '../event/decode-event.js';
import { SOURCE_HEADER } from '../sink/decode-message.js';
/**
 * Gives each event of a request its verdict (SPEC §3). decodeEvent runs on
 * the bytes that would be forwarded, and the sink runs it again on the
 * same bytes with the same reference time (the message timestamp is the
 * receive time), so a 202 is given only for what the sink will count, and
 * what the sink would dead-letter is rejected here by its index instead.
 */
export function judgeEvents(items, receivedAtMs, rules, source) {
    const accepted = [];
    const rejected = [];
    items.forEach((bytes, index) => {
        const verdict = decodeEvent(bytes, receivedAtMs, rules);
        if (!verdict.ok) {
            rejected.push({ index, reason: verdict.reason, issues: verdict.issues });
            return;
        }
        accepted.push({
            index,
            event: verdict.event,
            message: {
                key: verdict.event.impression_id,
                value: bytes,
                headers: { [SOURCE_HEADER]: source },
                timestampMs: receivedAtMs,
            },
        });
    });
    return { accepted, rejected };
}
//# sourceMappingURL=judge-events.js.map