import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdgateError, DependencyRejectedError, DependencyUnavailableError, } from '../../src/errors/adgate-error.js';
import { fullJitterDelayMs, retryWithBackoff } from '../../src/errors/retry-with-backoff.js';
const asIs = (error) => error instanceof AdgateError ? error : new DependencyUnavailableError('kafka_unavailable', 'x');
describe('fullJitterDelayMs', () => {
    it('draws uniformly below min(cap, base·2^(attempt-1))', () => {
        const almostOne = () => 0.999_999;
        assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map((n) => fullJitterDelayMs(n, 100, 2_000, almostOne)), [99, 199, 399, 799, 1_599, 1_999, 1_999]);
        assert.equal(fullJitterDelayMs(5, 100, 2_000, () => 0), 0);
        assert.equal(fullJitterDelayMs(3, 100, 2_000, () => 0.5), 200);
    });
    it('stays at the cap for any attempt (no overflow to Infinity)', () => {
        assert.equal(fullJitterDelayMs(10_000, 100, 30_000, () => 0.5), 15_000);
    });
});
describe('retryWithBackoff', () => {
    it('waits a jittered delay from the given random source before each retry', async () => {
        const draws = [0.25, 0.5, 0.75];
        const delays = [];
        let calls = 0;
        const result = await retryWithBackoff(async () => {
            calls += 1;
            if (calls <= 3)
                throw new DependencyUnavailableError('postgres_unavailable', 'down');
            return 'ok';
        }, asIs, {
            initialDelayMs: 8,
            maxDelayMs: 24,
            random: () => draws.shift() ?? 0,
            onRetry: (_error, _attempt, delayMs) => delays.push(delayMs),
        });
        assert.equal(result, 'ok');
        // Ceilings 8, 16, 24 (capped from 32): the draws' share of each.
        assert.deepEqual(delays, [2, 8, 18]);
    });
    it('two retriers with different draws do not wait in lockstep', async () => {
        const run = async (random) => {
            const delays = [];
            let calls = 0;
            await retryWithBackoff(async () => {
                calls += 1;
                if (calls <= 2)
                    throw new DependencyUnavailableError('postgres_unavailable', 'down');
            }, asIs, { initialDelayMs: 4, maxDelayMs: 8, random, onRetry: (_e, _a, d) => delays.push(d) });
            return delays;
        };
        assert.notDeepEqual(await run(() => 0.1), await run(() => 0.9));
    });
    it('throws a non-retriable error at once, without waiting', async () => {
        let calls = 0;
        const refused = new DependencyRejectedError('postgres_rejected', '42P01');
        await assert.rejects(retryWithBackoff(async () => {
            calls += 1;
            throw refused;
        }, asIs, { maxDelayMs: 60_000, onRetry: () => assert.fail('no retry for a permanent error') }), (error) => error === refused);
        assert.equal(calls, 1);
    });
    it('gives up with the last error once shouldContinue says so', async () => {
        let calls = 0;
        await assert.rejects(retryWithBackoff(async () => {
            calls += 1;
            throw new DependencyUnavailableError('redis_unavailable', `try ${calls}`);
        }, asIs, { initialDelayMs: 1, maxDelayMs: 1, shouldContinue: () => calls < 3, random: () => 0 }), /try 3/);
        assert.equal(calls, 3);
    });
});
//# sourceMappingURL=retry-with-backoff.test.js.map