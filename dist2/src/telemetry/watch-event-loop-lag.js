/**
 * How late a short timer fires is how long the event loop was busy with
 * something else: the wait every HTTP request and Kafka callback shares.
 * Each sample goes to `record` in seconds. Returns the function that stops
 * the watch; the timer never keeps the process alive.
 */
export function watchEventLoopLag(record, everyMs = 20) {
    let due = performance.now() + everyMs;
    let timer = schedule();
    function schedule() {
        const t = setTimeout(tick, everyMs);
        t.unref();
        return t;
    }
    function tick() {
        const now = performance.now();
        record(Math.max(0, now - due) / 1000);
        due = now + everyMs;
        timer = schedule();
    }
    return () => clearTimeout(timer);
}
//# sourceMappingURL=watch-event-loop-lag.js.map