import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMetrics } from '../../src/telemetry/metrics.js';
import { watchEventLoopLag } from '../../src/telemetry/watch-event-loop-lag.js';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Holds the event loop, as a long synchronous batch would. */
function busyFor(ms) {
    const until = performance.now() + ms;
    while (performance.now() < until) {
        // spin
    }
}
describe('watchEventLoopLag', () => {
    it('reports a blocked event loop as a sample at least as long as most of the block', async () => {
        const samples = [];
        const stop = watchEventLoopLag((s) => samples.push(s), 10);
        await sleep(30);
        busyFor(150);
        await sleep(30);
        stop();
        // The timer was due at most 10 ms into the block, so it fired ≥ 140 ms late.
        assert.ok(Math.max(...samples) >= 0.14, `largest sample ${Math.max(...samples)} s`);
    });
    it('records nothing once stopped', async () => {
        const samples = [];
        const stop = watchEventLoopLag((s) => samples.push(s), 5);
        await sleep(20);
        stop();
        const seen = samples.length;
        await sleep(30);
        assert.ok(seen > 0);
        assert.equal(samples.length, seen);
    });
    it('is exported as adgate_event_loop_lag_seconds on /metrics', async () => {
        const metrics = createMetrics();
        try {
            await sleep(30);
            busyFor(120);
            await sleep(30);
            const text = await metrics.render();
            const count = Number(/^adgate_event_loop_lag_seconds_count (\S+)$/m.exec(text)?.[1]);
            const under100ms = Number(/^adgate_event_loop_lag_seconds_bucket\{le="0\.1"\} (\S+)$/m.exec(text)?.[1]);
            assert.ok(count > 0, 'samples recorded');
            assert.ok(under100ms < count, 'the 120 ms block lands above the 0.1 s bucket');
        }
        finally {
            await metrics.shutdown();
        }
    });
});
//# sourceMappingURL=watch-event-loop-lag.test.js.map