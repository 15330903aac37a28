import type { RejectionReason } from '../errors/adgate-error.js';
import { decodeEvent, type EventRules } from '../event/decode-event.js';
import type { AdEvent, Issue } from '../event/event-schema.js';
import { SOURCE_HEADER } from '../kafka/headers.js';
import type { OutboundMessage } from '../kafka/types.js';

export interface Rejection {
  readonly index: number;
  readonly reason: RejectionReason;
  readonly issues: readonly Issue[];
}

export interface Accepted {
  readonly index: number;
  readonly event: AdEvent;
  /** What goes to Kafka: the very bytes that were judged. */
  readonly message: OutboundMessage;
}

export interface Judgement {
  readonly accepted: readonly Accepted[];
  readonly rejected: readonly Rejection[];
}

/**
 * Gives each event of a request its verdict (SPEC §3). decodeEvent runs on
 * the bytes that would be forwarded (for a JSON body, on the values they
 * serialise, which gives the same verdict), and the sink runs it again on the
 * same bytes with the same reference time (the message timestamp is the
 * receive time), so a 202 is given only for what the sink will count, and
 * what the sink would dead-letter is rejected here by its index instead.
 */
export function judgeEvents(
  items: readonly Buffer[],
  receivedAtMs: number,
  rules: EventRules,
  source: string,
  values?: readonly unknown[],
): Judgement {
  const accepted: Accepted[] = [];
  const rejected: Rejection[] = [];
  items.forEach((bytes, index) => {
    // A JSON body's event was parsed with the body: not parsed twice.
    const parsed = values === undefined ? undefined : { value: values[index] };
    const verdict = decodeEvent(bytes, receivedAtMs, rules, parsed);
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
