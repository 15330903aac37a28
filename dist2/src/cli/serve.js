/**
 * Runs the gateway until it is drained. The first SIGTERM or SIGINT (or
 * POST /admin/drain) drains within ADGATE_DRAIN_TIMEOUT_MS and exits 0; past
 * the deadline, or when the drain itself breaks, the process exits 1; an
 * instance that failed (SPEC §7) drains what it can and exits 1; a second
 * signal re-raises itself so that the exit is immediate and its cause
 * visible to the supervisor.
 */
export async function runServe(config, log, start) {
    let gateway;
    let drainWanted = false;
    let drainStarted = false;
    let signals = 0;
    let exitCode = 0;
    const beginDrain = () => {
        drainWanted = true;
        if (gateway === undefined || drainStarted)
            return; // a pending start drains when it is done
        drainStarted = true;
        const current = gateway;
        const deadline = setTimeout(() => {
            log.error('drain did not finish in time; exiting', {
                reason: 'drain_timeout',
                timeoutMs: config.ADGATE_DRAIN_TIMEOUT_MS,
            });
            current.abandon();
            process.exit(1);
        }, config.ADGATE_DRAIN_TIMEOUT_MS);
        current.drain().then((report) => {
            clearTimeout(deadline);
            // Non-zero after a failure whatever the drain did (SPEC §7): the
            // supervisor must restart an instance that could not do its work.
            const failed = exitCode !== 0 || !report.ok || current.lifecycle.state !== 'stopped';
            process.exit(failed ? 1 : 0);
        }, (error) => {
            clearTimeout(deadline);
            log.error('drain failed; exiting', { reason: 'drain_failed', error });
            process.exit(1);
        });
    };
    const onSignal = (signal) => {
        signals += 1;
        if (signals === 1) {
            log.info('signal received: draining', { signal });
            beginDrain();
            return;
        }
        log.warn('second signal: forcing exit', { signal });
        gateway?.abandon();
        process.removeAllListeners(signal);
        process.kill(process.pid, signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    try {
        // A part that fails after the start (the sink could not join its
        // group, its consumer stopped for good, it stalled) drains what runs
        // and exits non-zero, so that the supervisor restarts the instance.
        gateway = await start(config, log, beginDrain, () => {
            exitCode = 1;
            beginDrain();
        });
    }
    catch (error) {
        log.error('adgate failed to start', { error });
        process.exit(1);
    }
    if (drainWanted)
        beginDrain();
}
//# sourceMappingURL=serve.js.map