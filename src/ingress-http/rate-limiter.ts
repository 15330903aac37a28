import type { RateLimit } from '../config/parse-rate.js';
import { type Take, TokenBucket } from './token-bucket.js';

/**
 * Token buckets by name (an API key's source, a client address), each
 * created full on first use. The table is bounded: past `maxEntries` the
 * least recently used bucket is forgotten (O(1)), so that a flood of new
 * addresses costs bounded memory and at worst forgets a throttled name
 * (which then starts full again), never throttles an innocent one.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly limitFor: (name: string) => RateLimit | undefined,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes `n` tokens from `name`'s bucket; always ok for a name without a limit. */
  take(name: string, n: number): Take & { readonly capacity?: number } {
    const limit = this.limitFor(name);
    if (limit === undefined) return { ok: true };
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

  get size(): number {
    return this.buckets.size;
  }

  private makeRoom(): void {
    if (this.buckets.size < this.maxEntries) return;
    const oldest = this.buckets.keys().next().value;
    if (oldest !== undefined) this.buckets.delete(oldest);
  }
}
