import { type AdEvent, eventSchema, type Issue, type RawEvent } from './event-schema.js';
import { fastParse } from './fast-parse.js';
import { findUnstorableText } from './find-unstorable-text.js';
import { type NormalizedTimestamp, normalizeTimestamp } from './normalize-timestamp.js';

export type { Issue } from './event-schema.js';

export interface AcceptanceWindow {
  /** How far in the past `occurred_at` may lie, in ms (SPEC §1: 7 days). */
  readonly pastMs: number;
  /** How far in the future, in ms (SPEC §1: 5 minutes). */
  readonly futureMs: number;
}

export type Validation =
  | { readonly ok: true; readonly event: AdEvent }
  | { readonly ok: false; readonly reason: 'invalid'; readonly issues: readonly Issue[] };

/**
 * Validates one decoded event against SPEC §1. `referenceMs` is the instant
 * the acceptance window is measured from: the receive time at the HTTP
 * ingress, and the Kafka message timestamp in the sink, so that a replay of
 * the same message gets the same verdict however late it is processed.
 * `storableText`: the caller knows that no string of `input` holds U+0000
 * or a lone surrogate (see decodeEvent), which spares the check of each.
 */
export function validateEvent(
  input: unknown,
  referenceMs: number,
  window: AcceptanceWindow,
  storableText = false,
): Validation {
  // The common valid event: what zod would output, without zod (fast-parse.ts).
  const fast = fastParse(input);
  if (fast !== undefined) {
    const ts = normalizeTimestamp(fast.occurred_at);
    if (ts !== undefined && (storableText || findUnstorableText(input).length === 0)) {
      return withinWindow(fast, ts, referenceMs, window);
    }
  }
  const parsed = eventSchema.safeParse(input);
  const occurredAt = (input as { occurred_at?: unknown } | null)?.occurred_at;
  const ts = typeof occurredAt === 'string' ? normalizeTimestamp(occurredAt) : undefined;
  const issues: Issue[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({
        path: issue.path.join('.') || '(event)',
        message: issue.message,
      }));
  if (ts === undefined && typeof occurredAt === 'string') {
    issues.push({ path: 'occurred_at', message: 'must be an RFC 3339 timestamp with an offset' });
  }
  // Text that PostgreSQL would refuse is refused here, so that it never
  // gets a 202 only to fail the write (SPEC §1).
  issues.push(...findUnstorableText(input));
  if (issues.length > 0 || !parsed.success || ts === undefined) {
    return { ok: false, reason: 'invalid', issues };
  }
  return withinWindow(parsed.data, ts, referenceMs, window);
}

/** The verdict on a valid event: `data` is the parse's own new object, completed in place. */
function withinWindow(
  data: RawEvent,
  ts: NormalizedTimestamp,
  referenceMs: number,
  window: AcceptanceWindow,
): Validation {
  if (ts.epochMs < referenceMs - window.pastMs || ts.epochMs > referenceMs + window.futureMs) {
    return {
      ok: false,
      reason: 'invalid',
      issues: [
        {
          path: 'occurred_at',
          message: `outside the acceptance window [-${window.pastMs} ms, +${window.futureMs} ms] around ${new Date(referenceMs).toISOString()}`,
        },
      ],
    };
  }
  // Assignment, not a spread: the same keys in the same order (occurred_at
  // keeps its place), without copying the object again.
  const event = data as RawEvent & { occurredAtMs: number };
  event.occurred_at = ts.iso;
  event.occurredAtMs = ts.epochMs;
  return { ok: true, event };
}
