import { type AdEvent, eventSchema } from './event-schema.js';
import { normalizeTimestamp } from './normalize-timestamp.js';

export interface AcceptanceWindow {
  /** How far in the past `occurred_at` may lie, in ms (SPEC §1: 7 days). */
  readonly pastMs: number;
  /** How far in the future, in ms (SPEC §1: 5 minutes). */
  readonly futureMs: number;
}

export interface Issue {
  readonly path: string;
  readonly message: string;
}

export type Validation =
  | { readonly ok: true; readonly event: AdEvent }
  | { readonly ok: false; readonly reason: 'invalid'; readonly issues: readonly Issue[] };

/**
 * Validates one decoded event against SPEC §1. `referenceMs` is the instant
 * the acceptance window is measured from: the receive time at the HTTP
 * ingress, and the Kafka message timestamp in the sink, so that a replay of
 * the same message gets the same verdict however late it is processed.
 */
export function validateEvent(
  input: unknown,
  referenceMs: number,
  window: AcceptanceWindow,
): Validation {
  const parsed = eventSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      reason: 'invalid',
      issues: parsed.error.issues.map((issue) => ({
        path: issue.path.join('.') || '(event)',
        message: issue.message,
      })),
    };
  }
  // The schema has already checked the form; this cannot be undefined.
  const ts = normalizeTimestamp(parsed.data.occurred_at);
  if (ts === undefined) {
    return {
      ok: false,
      reason: 'invalid',
      issues: [{ path: 'occurred_at', message: 'not a timestamp' }],
    };
  }
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
  return { ok: true, event: { ...parsed.data, occurred_at: ts.iso, occurredAtMs: ts.epochMs } };
}
