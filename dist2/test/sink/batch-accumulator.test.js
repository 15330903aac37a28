import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchAccumulator } from '../../src/sink/batch-accumulator.js';
function recorder(maxEvents, maxAgeMs, maxConcurrentFlushes = 1) {
    const flushes = [];
    const acc = new BatchAccumulator({
        maxEvents,
        maxAgeMs,
        maxConcurrentFlushes,
        flush: async (items) => {
            flushes.push(items);
            await new Promise((r) => setTimeout(r, 5));
        },
    });
    return { acc, flushes };
}
describe('BatchAccumulator', () => {
    it('coalesces the submissions of all active handlers into one flush', async () => {
        const { acc, flushes } = recorder(100, 10_000);
        await Promise.all([
            acc.track(() => acc.submit([1, 2])),
            acc.track(() => acc.submit([3])),
            acc.track(() => acc.submit([4, 5])),
        ]);
        assert.deepEqual(flushes, [[1, 2, 3, 4, 5]]);
    });
    it('flushes on count without waiting for the others', async () => {
        const { acc, flushes } = recorder(3, 10_000);
        let release;
        const gate = new Promise((r) => {
            release = r;
        });
        const slow = acc.track(async () => {
            await gate;
            await acc.submit([9]);
        });
        await acc.track(() => acc.submit([1, 2, 3]));
        assert.deepEqual(flushes, [[1, 2, 3]]);
        release();
        await slow;
        assert.deepEqual(flushes, [[1, 2, 3], [9]]);
    });
    it('flushes on age when a handler is still busy', async () => {
        const { acc, flushes } = recorder(1000, 20);
        let release;
        const busy = acc.track(() => new Promise((r) => {
            release = r;
        }));
        const started = Date.now();
        await acc.track(() => acc.submit([1]));
        assert.ok(Date.now() - started >= 15);
        assert.deepEqual(flushes, [[1]]);
        release();
        await busy;
    });
    it('never puts more than maxEvents in one flush', async () => {
        const { acc, flushes } = recorder(4, 10_000);
        await Promise.all([1, 2, 3, 4, 5].map((n) => acc.track(() => acc.submit([n, n, n]))));
        for (const flush of flushes)
            assert.ok(flush.length <= 4);
        assert.equal(flushes.flat().length, 15);
    });
    it('rejects the submitters of a failed flush and goes on', async () => {
        let fail = true;
        const acc = new BatchAccumulator({
            maxEvents: 10,
            maxAgeMs: 10,
            maxConcurrentFlushes: 1,
            flush: async () => {
                if (fail) {
                    fail = false;
                    throw new Error('boom');
                }
            },
        });
        await assert.rejects(acc.track(() => acc.submit([1])), /boom/);
        await acc.track(() => acc.submit([2]));
        await acc.idle();
    });
});
//# sourceMappingURL=batch-accumulator.test.js.map