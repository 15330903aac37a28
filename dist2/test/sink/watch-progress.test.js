import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProgressWatch } from '../../src/sink/watch-progress.js';
function clock() {
    let now = 1_000_000;
    return { now: () => now, advance: (ms) => (now += ms) };
}
describe('sink progress watchdog', () => {
    it('finds a partition stalled when messages wait and its position has not moved for stallMs', () => {
        const t = clock();
        const watch = createProgressWatch(60_000, t.now);
        watch.assigned([0, 1]);
        watch.waiting(0, 500n);
        t.advance(59_999);
        assert.deepEqual(watch.stalled(), []);
        t.advance(1);
        assert.deepEqual(watch.stalled(), [{ partition: 0, waiting: 500n, idleMs: 60_000 }]);
    });
    it('a move of the position restarts the clock', () => {
        const t = clock();
        const watch = createProgressWatch(1_000, t.now);
        watch.waiting(0, 10n);
        t.advance(900);
        watch.progressed(0, 5n);
        t.advance(900);
        assert.deepEqual(watch.stalled(), []);
        t.advance(100);
        assert.equal(watch.stalled()[0]?.partition, 0);
    });
    it('an idle partition (nothing waiting) never stalls, and its wait starts with the next batch', () => {
        const t = clock();
        const watch = createProgressWatch(1_000, t.now);
        watch.progressed(2, 0n);
        t.advance(3_600_000);
        assert.deepEqual(watch.stalled(), [], 'nothing waits');
        watch.waiting(2, 7n);
        assert.deepEqual(watch.stalled(), [], 'the hour idle before the batch is no stall');
        t.advance(1_000);
        assert.equal(watch.stalled()[0]?.waiting, 7n);
    });
    it('a new assignment forgets the partitions lost and restarts every clock', () => {
        const t = clock();
        const watch = createProgressWatch(1_000, t.now);
        watch.waiting(0, 3n);
        watch.waiting(1, 3n);
        t.advance(999);
        watch.assigned([1]);
        watch.waiting(1, 3n);
        t.advance(999);
        assert.deepEqual(watch.stalled(), [], 'the clock started again at the assignment');
        t.advance(1);
        assert.deepEqual(watch.stalled(), [{ partition: 1, waiting: 3n, idleMs: 1_000 }]);
    });
});
//# sourceMappingURL=watch-progress.test.js.map