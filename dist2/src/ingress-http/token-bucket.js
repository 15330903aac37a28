/**
 * A token bucket (SPEC §6): full at first, refilled continuously at
 * `perSecond`, never above `burst`. Taking n tokens either succeeds whole
 * or takes nothing and says when n would be there, so that 429's
 * Retry-After is the bucket's own answer, not a guess.
 */
export class TokenBucket {
    limit;
    tokens;
    refilledAt;
    constructor(limit, nowMs) {
        this.limit = limit;
        this.tokens = limit.burst;
        this.refilledAt = nowMs;
    }
    /** The most one take can ever get. */
    get capacity() {
        return this.limit.burst;
    }
    take(n, nowMs) {
        const elapsed = Math.max(0, nowMs - this.refilledAt);
        this.tokens = Math.min(this.limit.burst, this.tokens + (elapsed / 1000) * this.limit.perSecond);
        this.refilledAt = nowMs;
        if (n <= this.tokens) {
            this.tokens -= n;
            return { ok: true };
        }
        const missing = Math.min(n, this.limit.burst) - this.tokens;
        return { ok: false, retryAfterMs: Math.ceil((missing / this.limit.perSecond) * 1000) };
    }
}
//# sourceMappingURL=token-bucket.js.map