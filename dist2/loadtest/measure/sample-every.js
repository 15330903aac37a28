/**
 * Runs `sample` every `everyMs` until stopped: the next one starts
 * `everyMs` after the previous began (or at once when it took longer),
 * never two at a time, so a slow server spaces the samples out instead of
 * piling requests on it. A sample that throws is the caller's to handle.
 */
export function sampleEvery(everyMs, sample) {
    let running = true;
    let timer;
    const tick = async () => {
        const started = Date.now();
        await sample();
        if (running) {
            timer = setTimeout(() => void tick(), Math.max(0, everyMs - (Date.now() - started)));
        }
    };
    void tick();
    return {
        stop() {
            running = false;
            clearTimeout(timer);
        },
    };
}
//# sourceMappingURL=sample-every.js.map