export const LIFECYCLE_STATES = ['starting', 'ready', 'draining', 'stopped', 'failed'];
// The moves each state allows. `failed` allows none: a process that could
// no longer do its work may still drain what it can, but it must end as
// failed and exit non-zero so that its supervisor restarts it (SPEC §7),
// never pass through draining to stopped and exit 0.
const NEXT = {
    starting: ['ready', 'draining', 'failed'],
    ready: ['draining', 'failed'],
    draining: ['stopped', 'failed'],
    stopped: [],
    failed: [],
};
/**
 * The one lifecycle state of a process (starting → ready → draining →
 * stopped, or failed from any state but stopped). /readyz, /healthz and
 * the adgate_lifecycle_state metric read it; only the gateway's start,
 * drain and failure code moves it.
 */
export class Lifecycle {
    current = 'starting';
    listeners = [];
    get state() {
        return this.current;
    }
    /** True while new work may be taken: requests get a 503 otherwise. */
    get acceptingWork() {
        return this.current === 'ready';
    }
    /** True once the process could no longer do its work; it stays so. */
    get failed() {
        return this.current === 'failed';
    }
    /**
     * Moves to `state` when the current state allows it; returns whether it
     * did. A move the table refuses (out of `failed`, back to `starting`) is
     * ignored, so that a drain after a failure leaves the state failed.
     */
    moveTo(state) {
        if (!NEXT[this.current].includes(state))
            return false;
        this.current = state;
        for (const listener of this.listeners)
            listener(state);
        return true;
    }
    onChange(listener) {
        this.listeners.push(listener);
        listener(this.current);
    }
}
//# sourceMappingURL=lifecycle-state.js.map