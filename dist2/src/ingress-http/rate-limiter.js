import { TokenBucket } from './token-bucket.js';
/**
 * Token buckets by name (an API key's source, a client address), each
 * created full on first use. The table is bounded: past `maxEntries` the
 * least recently used bucket is forgotten (O(1)), so that a flood of new
 * addresses costs bounded memory and at worst forgets a throttled name
 * (which then starts full again), never throttles an innocent one.
 */
export class RateLimiter {
    limitFor;
    maxEntries;
    now;
    buckets = new Map();
    constructor(limitFor, maxEntries = 10_000, now = Date.now) {
        this.limitFor = limitFor;
        this.maxEntries = maxEntries;
        this.now = now;
    }
    /** Takes `n` tokens from `name`'s bucket; always ok for a name without a limit. */
    take(name, n) {
        const limit = this.limitFor(name);
        if (limit === undefined)
            return { ok: true };
        const nowMs = this.now();
        let bucket = this.buckets.get(name);
        if (bucket === undefined) {
            this.makeRoom();
            bucket = new TokenBucket(limit, nowMs);
        }
        // Re-inserted: Map order is then least recently used first.
        this.buckets.delete(name);
        this.buckets.set(name, bucket);
        return { ...bucket.take(n, nowMs), capacity: bucket.capacity };
    }
    get size() {
        return this.buckets.size;
    }
    makeRoom() {
        if (this.buckets.size < this.maxEntries)
            return;
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined)
            this.buckets.delete(oldest);
    }
}
//# sourceMappingURL=rate-limiter.js.map