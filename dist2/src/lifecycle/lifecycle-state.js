export const LIFECYCLE_STATES = ['starting', 'ready', 'draining', 'stopped', 'failed'];
/**
 * The one lifecycle state of a process (starting → ready → draining →
 * stopped, or failed). /readyz and the adgate_lifecycle_state metric read
 * it; only the gateway's start and drain code moves it.
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
    moveTo(state) {
        if (this.current === state)
            return;
        this.current = state;
        for (const listener of this.listeners)
            listener(state);
    }
    onChange(listener) {
        this.listeners.push(listener);
        listener(this.current);
    }
}
//# sourceMappingURL=lifecycle-state.js.map