import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseApiKeys } from '../../src/config/parse-api-keys.js';
import { parseRate } from '../../src/config/parse-rate.js';
import { RateLimiter } from '../../src/ingress-http/rate-limiter.js';
import { TokenBucket } from '../../src/ingress-http/token-bucket.js';
describe('parseRate (R/B)', () => {
    it('reads events per second and a burst', () => {
        assert.deepEqual(parseRate('500/2000'), { perSecond: 500, burst: 2000 });
        assert.deepEqual(parseRate('0.5/1'), { perSecond: 0.5, burst: 1 });
    });
    it('refuses what is not a usable bucket, saying why', () => {
        assert.throws(() => parseRate('500'), /not R\/B/);
        assert.throws(() => parseRate('0/10'), /above 0/);
        assert.throws(() => parseRate('100/10'), /burst must be at least/);
        assert.throws(() => parseRate('-1/10'), /not R\/B/);
    });
    it('is written after @ in an API key entry, for that key only', () => {
        const [limited, open] = parseApiKeys('ads:ingest@200/400:s3cret:with:colons,fin:billing:x');
        assert.deepEqual(limited?.rateLimit, { perSecond: 200, burst: 400 });
        assert.deepEqual([...(limited?.scopes ?? [])], ['ingest']);
        assert.equal(open?.rateLimit, undefined);
        assert.throws(() => parseApiKeys('ads:ingest@fast:s3cret'), /entry 1: rate limit/);
    });
});
describe('TokenBucket (SPEC §6)', () => {
    it('starts full, takes whole requests, and refills at its rate', () => {
        const bucket = new TokenBucket({ perSecond: 10, burst: 20 }, 0);
        assert.deepEqual(bucket.take(15, 0), { ok: true });
        // 5 left: 8 would need 3 more, 300 ms at 10 a second; nothing is taken.
        assert.deepEqual(bucket.take(8, 0), { ok: false, retryAfterMs: 300 });
        assert.deepEqual(bucket.take(5, 0), { ok: true });
        assert.deepEqual(bucket.take(1, 50), { ok: false, retryAfterMs: 50 });
        assert.deepEqual(bucket.take(1, 100), { ok: true });
    });
    it('never holds more than its burst, however long it rested', () => {
        const bucket = new TokenBucket({ perSecond: 1_000, burst: 20 }, 0);
        assert.equal(bucket.take(21, 3_600_000).ok, false);
        assert.equal(bucket.take(20, 3_600_000).ok, true);
    });
});
describe('RateLimiter', () => {
    it('keeps one bucket per name, and none for a name without a limit', () => {
        let now = 0;
        const limiter = new RateLimiter((name) => (name === 'free' ? undefined : { perSecond: 1, burst: 2 }), 100, () => now);
        assert.ok(limiter.take('a', 2).ok);
        assert.equal(limiter.take('a', 1).ok, false);
        assert.ok(limiter.take('b', 2).ok, 'b has its own bucket');
        for (let i = 0; i < 1_000; i += 1)
            assert.ok(limiter.take('free', 1_000).ok);
        assert.equal(limiter.size, 2);
        now = 1_000;
        assert.ok(limiter.take('a', 1).ok);
    });
    it('stays within its bound, forgetting the least recently used name', () => {
        const limiter = new RateLimiter(() => ({ perSecond: 1, burst: 1 }), 3, () => 0);
        for (const name of ['a', 'b', 'c'])
            assert.ok(limiter.take(name, 1).ok);
        assert.equal(limiter.take('a', 1).ok, false, 'a is used again, so b is now the oldest');
        assert.ok(limiter.take('d', 1).ok);
        assert.equal(limiter.size, 3);
        assert.ok(limiter.take('b', 1).ok, 'b was forgotten, and starts full');
        assert.equal(limiter.take('a', 1).ok, false, 'a was kept, still empty');
    });
});
//# sourceMappingURL=rate-limiter.test.js.map