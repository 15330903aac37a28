// The headers of SPEC §4 that the DLQ consumer reads (the sink writes them:
// src/sink/dead-letter.ts).
import {
  ATTEMPTS_HEADER,
  ERROR_HEADER,
  FIRST_FAILED_HEADER,
  LAST_FAILED_HEADER,
  REASON_HEADER,
  VALUE_TRUNCATED_HEADER,
} from '../kafka/headers.js';
import type { InboundMessage } from '../kafka/types.js';

/** What becomes of one DLQ message; each ends as exactly one of the first three. */
export type LetterOutcome = 'retried' | 'kept' | 'dead';

export type Judgement =
  | { readonly action: 'retry' }
  | { readonly action: 'wait'; readonly dueAtMs: number }
  | { readonly action: 'keep'; readonly why: string }
  | { readonly action: 'dead'; readonly why: string };

export interface RetryPolicy {
  /** A letter's attempts at most this many, then the dead topic (ADGATE_DLQ_MAX_ATTEMPTS). */
  readonly maxAttempts: number;
  /** The wait after the first failure; doubled after each further one. */
  readonly baseBackoffMs: number;
  readonly maxBackoffMs: number;
}

export interface LetterFacts {
  readonly reason: string;
  readonly error: string;
  readonly attempts: number;
  /** When the last attempt failed (first failure for letters written before the header existed). */
  readonly lastFailedAtMs: number;
  readonly firstFailedAtMs: number;
  /** The value was cut to fit the DLQ: what is left is not the event any more. */
  readonly cut: boolean;
}

const text = (message: InboundMessage, name: string) => message.headers[name]?.toString('utf8');

/** The facts a DLQ message's headers state, with safe values for missing or garbled ones. */
export function readLetter(message: InboundMessage): LetterFacts {
  const attempts = Number(text(message, ATTEMPTS_HEADER) ?? '1');
  const firstAt = Date.parse(text(message, FIRST_FAILED_HEADER) ?? '');
  const lastAt = Date.parse(text(message, LAST_FAILED_HEADER) ?? '');
  const failedAt = Number.isFinite(lastAt) ? lastAt : firstAt;
  return {
    reason: text(message, REASON_HEADER) ?? 'unknown',
    error: text(message, ERROR_HEADER) ?? '',
    attempts: Number.isInteger(attempts) && attempts > 0 ? attempts : 1,
    lastFailedAtMs: Number.isFinite(failedAt) ? failedAt : message.timestampMs,
    firstFailedAtMs: Number.isFinite(firstAt) ? firstAt : message.timestampMs,
    cut: text(message, VALUE_TRUNCATED_HEADER) !== undefined,
  };
}

/** Capped exponential backoff after `attempts` failures: base, 2·base, 4·base, ... */
export function backoffMs(attempts: number, policy: RetryPolicy): number {
  const doubled = policy.baseBackoffMs * 2 ** Math.min(Math.max(attempts - 1, 0), 40);
  return Math.min(policy.maxBackoffMs, doubled);
}

/**
 * Decides a DLQ message's fate (SPEC §4). Only `write_failed` is retried:
 * PostgreSQL refused the row itself, and an operator may have removed the
 * cause since. `unparsable`, `invalid` and `too_large` would fail the same
 * way again, and a cut value is no longer the event: those are kept for an
 * operator (`adgate dlq replay`). The schedule comes from the headers
 * alone, so that any instance, after any restart, computes the same one.
 */
export function judgeLetter(facts: LetterFacts, policy: RetryPolicy, nowMs: number): Judgement {
  if (facts.reason !== 'write_failed') {
    return { action: 'keep', why: `reason ${facts.reason} is not retried on its own` };
  }
  if (facts.cut) return { action: 'keep', why: 'its value was cut to fit the DLQ' };
  if (facts.attempts >= policy.maxAttempts) {
    return { action: 'dead', why: `${facts.attempts} attempts (ADGATE_DLQ_MAX_ATTEMPTS)` };
  }
  const dueAtMs = facts.lastFailedAtMs + backoffMs(facts.attempts, policy);
  return dueAtMs <= nowMs ? { action: 'retry' } : { action: 'wait', dueAtMs };
}
