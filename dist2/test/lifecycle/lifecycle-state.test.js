import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Lifecycle } from '../../src/lifecycle/lifecycle-state.js';
function walk(...states) {
    const lifecycle = new Lifecycle();
    const seen = [];
    lifecycle.onChange((s) => seen.push(s));
    for (const s of states)
        lifecycle.moveTo(s);
    return { lifecycle, seen };
}
describe('lifecycle state machine (SPEC §7)', () => {
    it('runs starting → ready → draining → stopped', () => {
        const { lifecycle, seen } = walk('ready', 'draining', 'stopped');
        assert.equal(lifecycle.state, 'stopped');
        assert.deepEqual(seen, ['starting', 'ready', 'draining', 'stopped']);
    });
    it('keeps `failed` once reached: a drain after a failure ends failed, not stopped', () => {
        const { lifecycle, seen } = walk('ready', 'failed', 'draining', 'stopped');
        assert.equal(lifecycle.state, 'failed');
        assert.equal(lifecycle.failed, true);
        assert.equal(lifecycle.acceptingWork, false);
        assert.deepEqual(seen, ['starting', 'ready', 'failed']);
    });
    it('fails from starting, ready and draining, never from stopped', () => {
        for (const path of [[], ['ready'], ['ready', 'draining']]) {
            assert.equal(walk(...path, 'failed').lifecycle.state, 'failed', path.join(' → '));
        }
        assert.equal(walk('ready', 'draining', 'stopped', 'failed').lifecycle.state, 'stopped');
    });
    it('refuses moves back, and reports whether it moved', () => {
        const lifecycle = new Lifecycle();
        assert.equal(lifecycle.moveTo('ready'), true);
        assert.equal(lifecycle.moveTo('ready'), false, 'no move to the same state');
        assert.equal(lifecycle.moveTo('starting'), false);
        assert.equal(lifecycle.moveTo('draining'), true);
        assert.equal(lifecycle.moveTo('ready'), false, 'a draining process never takes work again');
        assert.equal(lifecycle.state, 'draining');
    });
    it('takes work only while ready', () => {
        const lifecycle = new Lifecycle();
        assert.equal(lifecycle.acceptingWork, false);
        lifecycle.moveTo('ready');
        assert.equal(lifecycle.acceptingWork, true);
        lifecycle.moveTo('draining');
        assert.equal(lifecycle.acceptingWork, false);
    });
});
//# sourceMappingURL=lifecycle-state.test.js.map