import { eventSchema } from './event-schema.js';
import { findUnstorableText } from './find-unstorable-text.js';
import { normalizeTimestamp } from './normalize-timestamp.js';
/**
 * Validates one decoded event against SPEC §1. `referenceMs` is the instant
 * the acceptance window is measured from: the receive time at the HTTP
 * ingress, and the Kafka message timestamp in the sink, so that a replay of
 * the same message gets the same verdict however late it is processed.
 */
export function validateEvent(input, referenceMs, window) {
    const parsed = eventSchema.safeParse(input);
    const occurredAt = input?.occurred_at;
    const ts = typeof occurredAt === 'string' ? normalizeTimestamp(occurredAt) : undefined;
    const issues = parsed.success
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
    // A spread defines own properties: the attributes object is kept as built.
    return { ok: true, event: { ...parsed.data, occurred_at: ts.iso, occurredAtMs: ts.epochMs } };
}
//# sourceMappingURL=validate-event.js.map