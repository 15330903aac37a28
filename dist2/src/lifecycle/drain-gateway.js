import { errorMessage } from '../errors/adgate-error.js';
/**
 * Runs the shutdown steps in their fixed order (SPEC §7). One failing step
 * does not stop the rest: a Redis that will not close must not keep the
 * pool open. The caller bounds the whole with ADGATE_DRAIN_TIMEOUT_MS.
 */
export async function runDrainSteps(steps, log) {
    const started = performance.now();
    const report = [];
    let ok = true;
    for (const step of steps) {
        const t0 = performance.now();
        try {
            await step.run();
            report.push({ name: step.name, ms: Math.round(performance.now() - t0) });
            log.info('drain step done', { step: step.name, ms: Math.round(performance.now() - t0) });
        }
        catch (error) {
            ok = false;
            report.push({
                name: step.name,
                ms: Math.round(performance.now() - t0),
                error: errorMessage(error),
            });
            log.error('drain step failed', { step: step.name, error });
        }
    }
    return { ok, totalMs: Math.round(performance.now() - started), steps: report };
}
//# sourceMappingURL=drain-gateway.js.map